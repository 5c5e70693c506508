//! Money in an activity: values with currency and value date, budgets, planned disbursements
//! and transactions. Apart because it is the part an importer reads for amounts.

use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::elements::{B, Narrative, attr, child_attr, code_el, narr_el, opt_narratives};
use super::ext::Ext;
use super::parts::{AidType, Classification, FlowOrg};
use super::{AIDTRACE_NS, AIDTRACE_PREFIX, IatiActivity};
use crate::xml::{Attr, Element};

/// A monetary value: amount, currency (if given on the value) and value date.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Money {
    /// `None` when the published text is not a decimal; the text is then kept in `raw`.
    pub amount: Option<Decimal>,
    pub raw: Option<String>,
    pub currency: Option<String>,
    pub value_date: Option<String>,
    #[serde(skip)]
    pub ext: Ext,
}

impl Money {
    pub(super) fn from_el(el: &Element) -> Self {
        let text = el.text();
        let trimmed = text.trim();
        // `from_str` rounds away digits beyond what a decimal holds (29 decimal places, or a long
        // integer part with many decimals); such a value is kept as text, not silently rounded.
        let written_places = trimmed
            .split_once('.')
            .map_or(0, |(_, f)| f.bytes().filter(u8::is_ascii_digit).count());
        let amount = Decimal::from_str(trimmed)
            .ok()
            .filter(|d| usize::try_from(d.scale()).is_ok_and(|s| s == written_places))
            .filter(|_| crate::schema::check_datatype(crate::schema::Datatype::Decimal, trimmed));
        Money {
            raw: if amount.is_none() {
                Some(text.into_owned())
            } else {
                None
            },
            amount,
            currency: attr(el, "currency"),
            value_date: attr(el, "value-date"),
            ext: Ext::from_el(el),
        }
    }

    pub(super) fn to_el(&self) -> Element {
        let text = match (&self.amount, &self.raw) {
            (Some(a), _) => a.to_string(),
            (None, Some(r)) => r.clone(),
            (None, None) => String::new(),
        };
        B::new("value")
            .attr("currency", &self.currency)
            .attr("value-date", &self.value_date)
            .text(&text)
            .ext(&self.ext)
            .done()
    }

    /// Currency of this value: its own, else the activity's default.
    pub fn currency_or<'a>(&'a self, default: Option<&'a str>) -> Option<&'a str> {
        self.currency.as_deref().or(default)
    }

    pub fn value_date(&self) -> Option<NaiveDate> {
        parse_date(self.value_date.as_deref()?)
    }
}

/// Parses the date part of an xs:date (ignoring a timezone suffix).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let head = s.trim().get(..10)?;
    // The usual `YYYY-MM-DD` is read directly: chrono's format interpreter is a visible part
    // of validation time. Anything else keeps chrono's (more lenient) reading.
    let b = head.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    if b[4] == b'-'
        && b[7] == b'-'
        && let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10))
    {
        return NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d);
    }
    NaiveDate::parse_from_str(head, "%Y-%m-%d").ok()
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Budget {
    pub r#type: Option<String>,
    pub status: Option<String>,
    pub period_start: Option<String>,
    pub period_end: Option<String>,
    pub value: Option<Money>,
    #[serde(skip)]
    pub ext: Ext,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PlannedDisbursement {
    pub r#type: Option<String>,
    pub period_start: Option<String>,
    pub period_end: Option<String>,
    pub value: Option<Money>,
    pub provider_org: Option<FlowOrg>,
    pub receiver_org: Option<FlowOrg>,
    #[serde(skip)]
    pub ext: Ext,
}

/// Maps an IATI 1.x transaction type letter code to its 2.x numeric code.
pub fn transaction_type_from_legacy(code: &str) -> Option<&'static str> {
    Some(match code.trim() {
        "IF" => "1",
        "C" => "2",
        "D" => "3",
        "E" => "4",
        "IR" => "5",
        "LR" => "6",
        "R" => "7",
        "QP" => "8",
        "QS" => "9",
        "CG" => "10",
        _ => return None,
    })
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Transaction {
    pub r#ref: Option<String>,
    pub humanitarian: Option<String>,
    /// 2.x numeric code; 1.x letter codes are mapped (the letter is kept in `legacy_type`).
    pub transaction_type: Option<String>,
    pub legacy_type: Option<String>,
    pub transaction_date: Option<String>,
    pub value: Option<Money>,
    pub description: Option<Vec<Narrative>>,
    pub provider_org: Option<FlowOrg>,
    pub receiver_org: Option<FlowOrg>,
    pub disbursement_channel: Option<String>,
    pub sectors: Vec<Classification>,
    pub recipient_country: Option<Classification>,
    pub recipient_region: Option<Classification>,
    pub flow_type: Option<String>,
    pub finance_type: Option<String>,
    pub aid_types: Vec<AidType>,
    pub tied_status: Option<String>,
    #[serde(skip)]
    pub ext: Ext,
}

impl Transaction {
    pub(super) fn from_el(el: &Element) -> Self {
        let tt = el.child("transaction-type");
        let raw_type = tt.and_then(|t| t.attr("code")).map(str::to_owned);
        // A legacy letter either comes from 1.x data or from our own writer, which stores
        // the original letter in the aidtrace namespace next to the mapped numeric code.
        let stored_legacy = tt.and_then(|t| {
            t.attrs
                .iter()
                .find(|a| a.ns.as_deref() == Some(AIDTRACE_NS) && a.local() == "legacy-code")
                .map(|a| a.value.to_string())
        });
        let (transaction_type, legacy_type) =
            match raw_type.as_deref().and_then(transaction_type_from_legacy) {
                Some(mapped) => (Some(mapped.to_owned()), raw_type.clone()),
                None => (raw_type, stored_legacy),
            };
        Transaction {
            r#ref: attr(el, "ref"),
            humanitarian: attr(el, "humanitarian"),
            transaction_type,
            legacy_type,
            transaction_date: child_attr(el, "transaction-date", "iso-date"),
            value: el.child("value").map(Money::from_el),
            description: opt_narratives(el, "description"),
            provider_org: el
                .child("provider-org")
                .map(|o| FlowOrg::from_el(o, "provider-activity-id")),
            receiver_org: el
                .child("receiver-org")
                .map(|o| FlowOrg::from_el(o, "receiver-activity-id")),
            disbursement_channel: child_attr(el, "disbursement-channel", "code"),
            sectors: el
                .children_named("sector")
                .map(Classification::from_el)
                .collect(),
            recipient_country: el.child("recipient-country").map(Classification::from_el),
            recipient_region: el.child("recipient-region").map(Classification::from_el),
            flow_type: child_attr(el, "flow-type", "code"),
            finance_type: child_attr(el, "finance-type", "code"),
            aid_types: el
                .children_named("aid-type")
                .map(AidType::from_el)
                .collect(),
            tied_status: child_attr(el, "tied-status", "code"),
            ext: Ext::from_el(el),
        }
    }

    pub(super) fn to_el(&self) -> Element {
        let tt = self.transaction_type.as_ref().map(|c| {
            let mut e = B::new("transaction-type")
                .attr("code", &Some(c.clone()))
                .done();
            if let Some(l) = &self.legacy_type {
                e.attrs.push(Attr {
                    name: compact_str::format_compact!("{AIDTRACE_PREFIX}:legacy-code"),
                    ns: Some(AIDTRACE_NS.to_owned()),
                    value: l.into(),
                });
            }
            e
        });
        B::new("transaction")
            .attr("ref", &self.r#ref)
            .attr("humanitarian", &self.humanitarian)
            .child_opt(tt)
            .child_opt(self.transaction_date.as_ref().map(|d| {
                B::new("transaction-date")
                    .attr("iso-date", &Some(d.clone()))
                    .done()
            }))
            .child_opt(self.value.as_ref().map(Money::to_el))
            .child_opt(narr_el("description", &self.description))
            .child_opt(
                self.provider_org
                    .as_ref()
                    .map(|o| o.to_el("provider-org", "provider-activity-id")),
            )
            .child_opt(
                self.receiver_org
                    .as_ref()
                    .map(|o| o.to_el("receiver-org", "receiver-activity-id")),
            )
            .child_opt(code_el("disbursement-channel", &self.disbursement_channel))
            .children(self.sectors.iter().map(|s| s.to_el("sector")))
            .child_opt(
                self.recipient_country
                    .as_ref()
                    .map(|c| c.to_el("recipient-country")),
            )
            .child_opt(
                self.recipient_region
                    .as_ref()
                    .map(|c| c.to_el("recipient-region")),
            )
            .child_opt(code_el("flow-type", &self.flow_type))
            .child_opt(code_el("finance-type", &self.finance_type))
            .children(self.aid_types.iter().map(|a| a.to_el("aid-type")))
            .child_opt(code_el("tied-status", &self.tied_status))
            .ext(&self.ext)
            .done()
    }

    /// Currency of the value: its own, else the activity default.
    pub fn currency<'a>(&'a self, activity: &'a IatiActivity) -> Option<&'a str> {
        self.value
            .as_ref()?
            .currency_or(activity.default_currency.as_deref())
    }
}
