//! IATI-shaped Rust model of activities and organisations.
//!
//! The typed part covers what tracing aid needs (identifiers, organisations, texts, dates,
//! classifications, money, geography, results, links). Everything else is kept as
//! normalised [`Element`] trees so that it survives a round trip untouched, and every typed
//! struct keeps attributes and child elements from other namespaces in [`Ext`].
//! Values are kept as published (codes and dates as strings) with typed accessors, except
//! money, which is a `rust_decimal::Decimal` with its currency and value date.

use serde::Serialize;

use crate::xml::Element;

mod elements;
mod ext;
mod finance;
mod parts;
mod results;

use elements::{
    B, attr, child_attr, code_el, date_pair, narr_el, narratives, opt_narratives, period_els,
};
use ext::{apply_kept, diff_attrs};

pub use elements::Narrative;
pub use ext::{Ext, KeptAttrs, SourceLine, normalise};
pub use finance::{
    Budget, Money, PlannedDisbursement, Transaction, parse_date, transaction_type_from_legacy,
};
pub use parts::{
    ActivityDate, AidType, Classification, Description, DocumentLink, FlowOrg, ParticipatingOrg,
    RelatedActivity, ReportingOrg,
};
pub use results::{IatiResult, Indicator, PeriodValues};

/// Namespace for aidtrace's own data (equipment lines, provenance) inside IATI files.
pub const AIDTRACE_NS: &str = "urn:x-aidtrace:iati:1";
/// Prefix the writer binds [`AIDTRACE_NS`] to.
pub const AIDTRACE_PREFIX: &str = "aidtrace";

/// One `iati-activity`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IatiActivity {
    pub identifier: String,
    pub last_updated_datetime: Option<String>,
    pub lang: Option<String>,
    pub default_currency: Option<String>,
    pub humanitarian: Option<String>,
    pub hierarchy: Option<String>,
    pub linked_data_uri: Option<String>,
    pub budget_not_provided: Option<String>,
    pub reporting_org: Option<ReportingOrg>,
    pub title: Option<Vec<Narrative>>,
    pub descriptions: Vec<Description>,
    pub participating_orgs: Vec<ParticipatingOrg>,
    #[serde(skip)]
    pub other_identifiers: Vec<Element>,
    pub activity_status: Option<String>,
    pub activity_dates: Vec<ActivityDate>,
    #[serde(skip)]
    pub contact_info: Vec<Element>,
    pub activity_scope: Option<String>,
    pub recipient_countries: Vec<Classification>,
    pub recipient_regions: Vec<Classification>,
    #[serde(skip)]
    pub locations: Vec<Element>,
    pub sectors: Vec<Classification>,
    #[serde(skip)]
    pub tags: Vec<Element>,
    #[serde(skip)]
    pub country_budget_items: Option<Element>,
    #[serde(skip)]
    pub humanitarian_scopes: Vec<Element>,
    #[serde(skip)]
    pub policy_markers: Vec<Element>,
    pub collaboration_type: Option<String>,
    pub default_flow_type: Option<String>,
    pub default_finance_type: Option<String>,
    pub default_aid_types: Vec<AidType>,
    pub default_tied_status: Option<String>,
    pub budgets: Vec<Budget>,
    pub planned_disbursements: Vec<PlannedDisbursement>,
    pub capital_spend: Option<String>,
    pub transactions: Vec<Transaction>,
    pub document_links: Vec<DocumentLink>,
    pub related_activities: Vec<RelatedActivity>,
    #[serde(skip)]
    pub legacy_data: Vec<Element>,
    #[serde(skip)]
    pub conditions: Option<Element>,
    pub results: Vec<IatiResult>,
    #[serde(skip)]
    pub crs_add: Option<Element>,
    #[serde(skip)]
    pub fss: Option<Element>,
    /// Attributes and trailing child elements from other namespaces (d-portal's `dstore:*`,
    /// aidtrace's own data…).
    #[serde(skip)]
    pub ext: Ext,
    /// Inner content the typed model does not hold (see [`KeptAttrs`]).
    #[serde(skip)]
    pub kept_attrs: Vec<KeptAttrs>,
}

/// Whether an activity the schema layer accepted can hold nothing the typed model lacks: every
/// attribute below the activity element is unprefixed (so the schema knows it, and the model
/// has a field for every attribute the schema knows) or a narrative's `xml:lang`. Foreign
/// attributes and elements on the activity element itself are kept by its `Ext` either way.
/// `tests/roundtrip.rs` checks on every shared file that such an activity has nothing to keep.
fn only_modelled_content(el: &Element) -> bool {
    el.elements().all(|child| {
        child.attrs.iter().all(|a| {
            a.ns.is_none() || a.is_ns_decl() || (child.name == "narrative" && a.name == "xml:lang")
        }) && only_modelled_content(child)
    })
}

impl IatiActivity {
    /// Maps an `iati-activity` element (as produced by the reader) into the model.
    pub fn from_element(el: &Element) -> Self {
        Self::build(el, true)
    }

    /// Like [`IatiActivity::from_element`], for an element the schema layer found valid: the
    /// search for content the model has no room for (writing the activity back and comparing,
    /// a sixth of a parallel import's reading time) is skipped when the element cannot hold any.
    pub fn from_schema_valid_element(el: &Element) -> Self {
        Self::build(el, !only_modelled_content(el))
    }

    fn build(el: &Element, search_unmodelled: bool) -> Self {
        let all = |name: &'static str| el.children_named(name).map(normalise).collect::<Vec<_>>();
        let one = |name: &str| el.child(name).map(normalise);
        let mut a = IatiActivity {
            identifier: el
                .child("iati-identifier")
                .map(|e| e.text().trim().to_owned())
                .unwrap_or_default(),
            last_updated_datetime: attr(el, "last-updated-datetime"),
            lang: el.xml_lang().map(str::to_owned),
            default_currency: attr(el, "default-currency"),
            humanitarian: attr(el, "humanitarian"),
            hierarchy: attr(el, "hierarchy"),
            linked_data_uri: attr(el, "linked-data-uri"),
            budget_not_provided: attr(el, "budget-not-provided"),
            reporting_org: el.child("reporting-org").map(ReportingOrg::from_el),
            title: opt_narratives(el, "title"),
            descriptions: el
                .children_named("description")
                .map(|d| Description {
                    r#type: attr(d, "type"),
                    narratives: narratives(d),
                })
                .collect(),
            participating_orgs: el
                .children_named("participating-org")
                .map(ParticipatingOrg::from_el)
                .collect(),
            other_identifiers: all("other-identifier"),
            activity_status: child_attr(el, "activity-status", "code"),
            activity_dates: el
                .children_named("activity-date")
                .map(|d| ActivityDate {
                    r#type: attr(d, "type"),
                    iso_date: attr(d, "iso-date"),
                    narratives: narratives(d),
                })
                .collect(),
            contact_info: all("contact-info"),
            activity_scope: child_attr(el, "activity-scope", "code"),
            recipient_countries: el
                .children_named("recipient-country")
                .map(Classification::from_el)
                .collect(),
            recipient_regions: el
                .children_named("recipient-region")
                .map(Classification::from_el)
                .collect(),
            locations: all("location"),
            sectors: el
                .children_named("sector")
                .map(Classification::from_el)
                .collect(),
            tags: all("tag"),
            country_budget_items: one("country-budget-items"),
            humanitarian_scopes: all("humanitarian-scope"),
            policy_markers: all("policy-marker"),
            collaboration_type: child_attr(el, "collaboration-type", "code"),
            default_flow_type: child_attr(el, "default-flow-type", "code"),
            default_finance_type: child_attr(el, "default-finance-type", "code"),
            default_aid_types: el
                .children_named("default-aid-type")
                .map(AidType::from_el)
                .collect(),
            default_tied_status: child_attr(el, "default-tied-status", "code"),
            budgets: el
                .children_named("budget")
                .map(|b| {
                    let (period_start, period_end) = date_pair(b);
                    Budget {
                        r#type: attr(b, "type"),
                        status: attr(b, "status"),
                        period_start,
                        period_end,
                        value: b.child("value").map(Money::from_el),
                        ext: Ext::from_el(b),
                    }
                })
                .collect(),
            planned_disbursements: el
                .children_named("planned-disbursement")
                .map(|p| {
                    let (period_start, period_end) = date_pair(p);
                    PlannedDisbursement {
                        r#type: attr(p, "type"),
                        period_start,
                        period_end,
                        value: p.child("value").map(Money::from_el),
                        provider_org: p
                            .child("provider-org")
                            .map(|o| FlowOrg::from_el(o, "provider-activity-id")),
                        receiver_org: p
                            .child("receiver-org")
                            .map(|o| FlowOrg::from_el(o, "receiver-activity-id")),
                        ext: Ext::from_el(p),
                    }
                })
                .collect(),
            capital_spend: child_attr(el, "capital-spend", "percentage"),
            transactions: el
                .children_named("transaction")
                .map(Transaction::from_el)
                .collect(),
            document_links: el
                .children_named("document-link")
                .map(DocumentLink::from_el)
                .collect(),
            related_activities: el
                .children_named("related-activity")
                .map(|r| RelatedActivity {
                    r#ref: attr(r, "ref"),
                    r#type: attr(r, "type"),
                })
                .collect(),
            legacy_data: all("legacy-data"),
            conditions: one("conditions"),
            results: el
                .children_named("result")
                .map(IatiResult::from_el)
                .collect(),
            crs_add: one("crs-add"),
            fss: one("fss"),
            ext: Ext::from_el_without_lang(el),
            kept_attrs: Vec::new(),
        };
        if !search_unmodelled {
            return a;
        }
        // The written form is compared with the source so that nothing the typed model has
        // no room for is lost (invalid or 1.x-style content).
        let written = a.to_element();
        let mut kept = Vec::new();
        diff_attrs(el, &written, &mut Vec::new(), &mut kept);
        // Source order may differ from schema order (found by fuzzing); sort so that the
        // same content always gives the same list.
        kept.sort_by(|x, y| x.path.cmp(&y.path));
        a.kept_attrs = kept;
        a
    }

    /// Builds the `iati-activity` element, children in 2.03 schema order.
    pub fn to_element(&self) -> Element {
        let code = |name: &str, v: &Option<String>| code_el(name, v);
        let mut root = B::new("iati-activity")
            .attr("last-updated-datetime", &self.last_updated_datetime)
            .attr("xml:lang", &self.lang)
            .attr("default-currency", &self.default_currency)
            .attr("humanitarian", &self.humanitarian)
            .attr("hierarchy", &self.hierarchy)
            .attr("linked-data-uri", &self.linked_data_uri)
            .attr("budget-not-provided", &self.budget_not_provided)
            .child(B::new("iati-identifier").text(&self.identifier).done())
            .child_opt(self.reporting_org.as_ref().map(ReportingOrg::to_el))
            .child_opt(narr_el("title", &self.title))
            .children(self.descriptions.iter().map(|d| {
                B::new("description")
                    .attr("type", &d.r#type)
                    .narratives(&d.narratives)
                    .done()
            }))
            .children(self.participating_orgs.iter().map(ParticipatingOrg::to_el))
            .children(self.other_identifiers.iter().cloned())
            .child_opt(code("activity-status", &self.activity_status))
            .children(self.activity_dates.iter().map(|d| {
                B::new("activity-date")
                    .attr("type", &d.r#type)
                    .attr("iso-date", &d.iso_date)
                    .narratives(&d.narratives)
                    .done()
            }))
            .children(self.contact_info.iter().cloned())
            .child_opt(code("activity-scope", &self.activity_scope))
            .children(
                self.recipient_countries
                    .iter()
                    .map(|c| c.to_el("recipient-country")),
            )
            .children(
                self.recipient_regions
                    .iter()
                    .map(|c| c.to_el("recipient-region")),
            )
            .children(self.locations.iter().cloned())
            .children(self.sectors.iter().map(|c| c.to_el("sector")))
            .children(self.tags.iter().cloned())
            .child_opt(self.country_budget_items.clone())
            .children(self.humanitarian_scopes.iter().cloned())
            .children(self.policy_markers.iter().cloned())
            .child_opt(code("collaboration-type", &self.collaboration_type))
            .child_opt(code("default-flow-type", &self.default_flow_type))
            .child_opt(code("default-finance-type", &self.default_finance_type))
            .children(
                self.default_aid_types
                    .iter()
                    .map(|a| a.to_el("default-aid-type")),
            )
            .child_opt(code("default-tied-status", &self.default_tied_status))
            .children(self.budgets.iter().map(|b| {
                let [s, e] = period_els(&b.period_start, &b.period_end);
                B::new("budget")
                    .attr("type", &b.r#type)
                    .attr("status", &b.status)
                    .child_opt(s)
                    .child_opt(e)
                    .child_opt(b.value.as_ref().map(Money::to_el))
                    .ext(&b.ext)
                    .done()
            }))
            .children(self.planned_disbursements.iter().map(|p| {
                let [s, e] = period_els(&p.period_start, &p.period_end);
                B::new("planned-disbursement")
                    .attr("type", &p.r#type)
                    .child_opt(s)
                    .child_opt(e)
                    .child_opt(p.value.as_ref().map(Money::to_el))
                    .child_opt(
                        p.provider_org
                            .as_ref()
                            .map(|o| o.to_el("provider-org", "provider-activity-id")),
                    )
                    .child_opt(
                        p.receiver_org
                            .as_ref()
                            .map(|o| o.to_el("receiver-org", "receiver-activity-id")),
                    )
                    .ext(&p.ext)
                    .done()
            }))
            .child_opt(self.capital_spend.as_ref().map(|p| {
                B::new("capital-spend")
                    .attr("percentage", &Some(p.clone()))
                    .done()
            }))
            .children(self.transactions.iter().map(Transaction::to_el))
            .children(self.document_links.iter().map(DocumentLink::to_el))
            .children(self.related_activities.iter().map(|r| {
                B::new("related-activity")
                    .attr("ref", &r.r#ref)
                    .attr("type", &r.r#type)
                    .done()
            }))
            .children(self.legacy_data.iter().cloned())
            .child_opt(self.conditions.clone())
            .children(self.results.iter().map(IatiResult::to_el))
            .child_opt(self.crs_add.clone())
            .child_opt(self.fss.clone())
            .ext(&self.ext)
            .done();
        apply_kept(&mut root, &self.kept_attrs);
        root
    }

    /// Extension elements in the aidtrace namespace.
    pub fn aidtrace_elements(&self) -> impl Iterator<Item = &Element> {
        self.ext
            .elements
            .iter()
            .filter(|e| e.ns.as_deref() == Some(AIDTRACE_NS))
    }
}

/// One `iati-organisation`: identity typed, the rest (budgets, expenditure, documents) kept whole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IatiOrganisation {
    pub identifier: String,
    pub last_updated_datetime: Option<String>,
    pub lang: Option<String>,
    pub default_currency: Option<String>,
    pub name: Option<Vec<Narrative>>,
    pub reporting_org: Option<ReportingOrg>,
    /// All other IATI children, in document (= schema) order.
    #[serde(skip)]
    pub rest: Vec<Element>,
    #[serde(skip)]
    pub ext: Ext,
}

impl IatiOrganisation {
    pub fn from_element(el: &Element) -> Self {
        IatiOrganisation {
            identifier: el
                .child("organisation-identifier")
                .map(|e| e.text().trim().to_owned())
                .unwrap_or_default(),
            last_updated_datetime: attr(el, "last-updated-datetime"),
            lang: el.xml_lang().map(str::to_owned),
            default_currency: attr(el, "default-currency"),
            name: opt_narratives(el, "name"),
            reporting_org: el.child("reporting-org").map(ReportingOrg::from_el),
            rest: el
                .elements()
                .filter(|c| {
                    c.is_iati()
                        && !matches!(
                            c.name.as_str(),
                            "organisation-identifier" | "name" | "reporting-org"
                        )
                })
                .map(normalise)
                .collect(),
            ext: Ext::from_el_without_lang(el),
        }
    }

    pub fn to_element(&self) -> Element {
        B::new("iati-organisation")
            .attr("last-updated-datetime", &self.last_updated_datetime)
            .attr("xml:lang", &self.lang)
            .attr("default-currency", &self.default_currency)
            .child(
                B::new("organisation-identifier")
                    .text(&self.identifier)
                    .done(),
            )
            .child_opt(narr_el("name", &self.name))
            .child_opt(self.reporting_org.as_ref().map(ReportingOrg::to_el))
            .children(self.rest.iter().cloned())
            .ext(&self.ext)
            .done()
    }
}

#[cfg(test)]
mod date_tests {
    use super::parse_date;
    use chrono::NaiveDate;
    use proptest::prelude::*;

    fn chrono_reading(s: &str) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(s.trim().get(..10)?, "%Y-%m-%d").ok()
    }

    proptest! {
        // The direct reading of `YYYY-MM-DD` must agree with chrono's on every input.
        #[test]
        fn direct_date_reading_agrees_with_chrono(s in "[ 0-9-]{0,3}[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}[T0-9:Z+-]{0,8}") {
            prop_assert_eq!(parse_date(&s), chrono_reading(&s));
        }

        #[test]
        fn any_text_agrees_with_chrono(s in "\\PC{0,14}") {
            prop_assert_eq!(parse_date(&s), chrono_reading(&s));
        }
    }
}
