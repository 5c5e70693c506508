//! Data-quality rules. Each finding names its rule, a severity, the record and a message a person
//! can act on. Errors and warnings are problems (`aidtrace check` exits 1); info is context.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::coded::Coded;
use crate::codes::{CurrencyCode, RecordId};
use crate::fx::{ConversionError, Conversions, RateTable};
use crate::ledger::{Ledger, RateDateBasis};
use crate::model::{Activity, ActivityStatus, Flow, FlowKind, Instrument, RecordKind};
use crate::money::{MAX_AMOUNT, Money};
use crate::totals::Sum;

mod equipment;
mod finding;
mod message;
mod schedule;

pub use finding::{Finding, Said};
pub use message::{Arg, MESSAGE_IDS, Message};

pub use equipment::EQUIPMENT_TOLERANCE;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Info => "info",
        }
    }

    pub fn is_problem(self) -> bool {
        self != Self::Info
    }
}

/// Every rule aidtrace checks, with what it means; printed by the docs and the web app.
pub const RULES: &[(&str, Severity, &str)] = &[
    (
        "FX-EQUIV",
        Severity::Warning,
        "a stated equivalent is more than 25 % away from the conversion at the reference rate (imported, ECB or IMF)",
    ),
    (
        "FX-MISSING",
        Severity::Warning,
        "a flow cannot be converted to US dollars (no rate for its currency and date)",
    ),
    (
        "FX-NODATE",
        Severity::Info,
        "a flow has no value date; its rate date comes from a legal step, the source's date, or the latest rate",
    ),
    (
        "FX-PROVISIONAL",
        Severity::Info,
        "a flow is converted provisionally at the latest rate available: its value date is after the rates aidtrace has, or it has no date at all",
    ),
    (
        "FX-WITHDRAWN",
        Severity::Warning,
        "a flow is in a withdrawn currency code",
    ),
    (
        "LEDGER-OVERALLOC",
        Severity::Error,
        "child flows add up to more than their envelope",
    ),
    (
        "LEDGER-ENVELOPE",
        Severity::Info,
        "an activity and its sub-activities both report the same flow kind; the parent is treated as an envelope",
    ),
    (
        "LEDGER-OVERFLOW",
        Severity::Error,
        "a stored amount is beyond the accepted bound of 10^18, or amounts or their conversion add up to more than a decimal holds (about 7.9 × 10^28); totals show such a sum as overflow",
    ),
    (
        "LEDGER-OVERSPENT",
        Severity::Warning,
        "disbursements exceed commitments for an activity",
    ),
    (
        "LEDGER-EARLY-DISBURSEMENT",
        Severity::Warning,
        "a disbursement is dated before the activity's first dated commitment",
    ),
    (
        "LEDGER-PROVIDER",
        Severity::Warning,
        "a flow's provider is not a participant of its activity, nor of the same organisation as one",
    ),
    (
        "LEDGER-PIPELINE",
        Severity::Warning,
        "a pipeline activity has disbursements or expenditures",
    ),
    ("LEDGER-NOSOURCE", Severity::Info, "a flow cites no source"),
    (
        "GGP-CEILING",
        Severity::Warning,
        "a grassroots grant exceeds its ceiling (JPY 10 million in principle, JPY 100 million at most)",
    ),
    (
        "GGP-WINDOW",
        Severity::Warning,
        "a grassroots grant runs longer than one year",
    ),
    ("ACT-NOSECTOR", Severity::Info, "an activity has no sector"),
    (
        "FAC-NOLOCATION",
        Severity::Info,
        "a facility has no coordinates, so it cannot be mapped",
    ),
    (
        "EQ-OVERCOST",
        Severity::Warning,
        "equipment lines cost more than the activity's commitments",
    ),
    (
        "ACT-OVERDUE",
        Severity::Warning,
        "an activity is past its end date but still in implementation",
    ),
    (
        "LEDGER-UNDISBURSED",
        Severity::Warning,
        "a commitment is older than the configured time (365 days by default) and nothing has been disbursed for its activity",
    ),
    (
        "EQ-SUM",
        Severity::Warning,
        "equipment lines' quantities × unit costs differ by more than 1 % from the activity's commitments in the same currency",
    ),
    (
        "IATI-LEFT-OUT",
        Severity::Warning,
        "an element of an imported activity (a budget, a transaction) was left out because the ledger refuses it; the rest was imported",
    ),
];

/// What the checks need beyond the ledger and the rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Today's date, for the rules that compare with it (ACT-OVERDUE, LEDGER-UNDISBURSED). The
    /// domain has no clock: the service passes its clock's date; `None` skips those rules.
    pub as_of: Option<chrono::NaiveDate>,
    /// Days a dated commitment may go without any disbursement before LEDGER-UNDISBURSED.
    pub undisbursed_after_days: u32,
}

/// A year: most grant agreements expect a first payment within one.
pub const DEFAULT_UNDISBURSED_AFTER_DAYS: u32 = 365;

impl Default for Options {
    fn default() -> Self {
        Self {
            as_of: None,
            undisbursed_after_days: DEFAULT_UNDISBURSED_AFTER_DAYS,
        }
    }
}

/// How far a stated equivalent may stray from the conversion before it is flagged.
pub const EQUIVALENT_TOLERANCE: Decimal = Decimal::from_parts(25, 0, 0, false, 2);

/// The rules that need no date; see [`run_with`] for all of them.
pub fn run(ledger: &Ledger, rates: &RateTable) -> Vec<Finding> {
    run_with(ledger, rates, &Options::default())
}

/// Every rule, the dated ones as of `options.as_of`.
pub fn run_with(ledger: &Ledger, rates: &RateTable, options: &Options) -> Vec<Finding> {
    // Most ledgers have a finding or two per flow (a million flows without a source each have
    // one): room for that up front instead of copying the list as it doubles.
    let mut out = Vec::with_capacity(ledger.flows.len().saturating_add(ledger.activities.len()));
    flows(ledger, rates, &mut out);
    envelopes(ledger, &mut out);
    activities(ledger, rates, &mut out);
    schedule::run(ledger, options, &mut out);
    equipment::run(ledger, &mut out);
    left_out(ledger, &mut out);
    for f in ledger.facilities.values().filter(|f| f.location.is_none()) {
        out.push(
            finding(
                "FAC-NOLOCATION",
                RecordKind::Facility,
                &f.id,
                format!("{} has no coordinates", f.name),
            )
            .said(Message::new("fac-nolocation").text("name", &f.name)),
        );
    }
    out.sort_by(|a, b| (a.severity, a.rule, &a.record).cmp(&(b.severity, b.rule, &b.record)));
    out
}

/// What an import kept out of an activity stays visible on it until a corrected file replaces
/// the activity.
fn left_out(ledger: &Ledger, out: &mut Vec<Finding>) {
    for a in ledger.activities.values() {
        for l in &a.left_out {
            out.push(
                finding(
                    "IATI-LEFT-OUT",
                    RecordKind::Activity,
                    &a.id,
                    format!(
                        "{} ({}, line {}) left out on import: {}",
                        l.element, l.file, l.line, l.reason
                    ),
                )
                .said(
                    Message::new("iati-left-out")
                        .text("element", &l.element)
                        .text("file", &l.file)
                        .count("line", i64::try_from(l.line).unwrap_or(i64::MAX))
                        .text("reason", &l.reason),
                ),
            );
        }
    }
}

fn severity_of(rule: &str) -> Severity {
    RULES
        .iter()
        .find(|(r, _, _)| *r == rule)
        .map_or(Severity::Warning, |(_, s, _)| *s)
}

fn finding(
    rule: &'static str,
    kind: RecordKind,
    id: &RecordId,
    message: impl Into<std::borrow::Cow<'static, str>>,
) -> Finding {
    Finding::new(rule, severity_of(rule), kind, id.clone(), message)
}

fn fmt_amount(d: Decimal) -> String {
    d.round_dp(2).normalize().to_string()
}

fn flows(ledger: &Ledger, rates: &RateTable, out: &mut Vec<Finding>) {
    let usd = CurrencyCode::usd();
    let mut conversions = Conversions::new(rates);
    // One sentence for every flow without a source (a generated or half-entered ledger has a
    // million).
    let no_source = Said::new("no source cited", Message::new("ledger-nosource"));
    let no_source_severity = severity_of("LEDGER-NOSOURCE");
    for flow in ledger.flows.values() {
        let dated = ledger.rate_date(flow, rates);
        if flow.money.currency.is_withdrawn() {
            out.push(
                finding(
                    "FX-WITHDRAWN",
                    RecordKind::Flow,
                    &flow.id,
                    format!(
                        "currency {} is withdrawn from ISO 4217",
                        flow.money.currency
                    ),
                )
                .said(Message::new("fx-withdrawn").text("currency", &flow.money.currency)),
            );
        }
        if flow.sources.is_empty() {
            out.push(Finding::saying(
                "LEDGER-NOSOURCE",
                no_source_severity,
                RecordKind::Flow,
                flow.id.clone(),
                no_source.clone(),
            ));
        }
        let Some((day, basis)) = dated else {
            out.push(
                finding(
                    "FX-MISSING",
                    RecordKind::Flow,
                    &flow.id,
                    format!("no {} rate exists for any date", flow.money.currency),
                )
                .said(Message::new("fx-missing-rate").text("currency", &flow.money.currency)),
            );
            continue;
        };
        if basis != RateDateBasis::ValueDate {
            out.push(
                finding(
                    "FX-NODATE",
                    RecordKind::Flow,
                    &flow.id,
                    format!("no value date; rates of {day} used ({})", basis.code()),
                )
                .said(
                    Message::new("fx-nodate")
                        .date("date", day)
                        .basis("basis", basis),
                ),
            );
        }
        if flow.money.amount.abs() > MAX_AMOUNT {
            out.push(finding(
                "LEDGER-OVERFLOW",
                RecordKind::Flow,
                &flow.id,
                format!(
                    "amount {} {} is beyond the accepted bound of 10^18 (written before the bound, or directly into the database); sums that include it may overflow: correct it",
                    flow.money.amount, flow.money.currency
                ),
            )
            .said(
                Message::new("ledger-overflow-amount")
                    .text("amount", flow.money.amount)
                    .text("currency", &flow.money.currency),
            ));
        }
        match ledger.convert_flow_with(flow, &mut conversions, &usd) {
            Err(ConversionError::Overflow) => out.push(
                overflow(
                    RecordKind::Flow,
                    &flow.id,
                    "its amount in US dollars is more than aidtrace can compute",
                )
                .said(Message::new("overflow-flow-usd")),
            ),
            Err(e) => out.push(
                finding(
                    "FX-MISSING",
                    RecordKind::Flow,
                    &flow.id,
                    format!("unconverted: {e}"),
                )
                .said(Message::new("fx-unconverted").text("reason", &e)),
            ),
            Ok(c) => {
                if let Some(rate_date) = c.provisional {
                    let undated = basis == RateDateBasis::LatestAvailableRate;
                    // What settles it: a rate of the flow's date, or for a flow nothing dates,
                    // its value date (a newer rate would only move the provisional figure).
                    let (why, settle) = if undated {
                        (
                            "nothing dates the flow".to_string(),
                            "give the flow its value date to settle it",
                        )
                    } else {
                        (
                            format!("no rate covers {day}"),
                            "import a rate to settle it",
                        )
                    };
                    let detail = Message::new(if undated {
                        "fx-provisional-undated"
                    } else {
                        "fx-provisional"
                    })
                    .date("date", day)
                    .amount("amount", flow.money.amount)
                    .text("currency", &flow.money.currency)
                    .date("rate_date", rate_date)
                    .amount("converted", c.amount)
                    .text("source", &c.terms.source);
                    out.push(finding(
                        "FX-PROVISIONAL",
                        RecordKind::Flow,
                        &flow.id,
                        format!(
                            "{why}: {} {} converted provisionally at the latest rate, of {rate_date}, to {} USD ({}); {settle}",
                            fmt_amount(flow.money.amount),
                            flow.money.currency,
                            fmt_amount(c.amount),
                            c.terms.source
                        ),
                    )
                    .said(detail));
                }
            }
        }
        if let Some(eq) = &flow.stated_equivalent {
            let Ok(terms) = conversions.terms(&flow.money.currency, &eq.currency, day) else {
                continue;
            };
            let Ok(converted) = terms.amount_of(flow.money.amount) else {
                continue;
            };
            // A ratio beyond a decimal's range is certainly more than 25 % off; it is left to
            // the bound on amounts (a stored amount that large gets LEDGER-OVERFLOW elsewhere).
            let Some(ratio) = eq.amount.checked_div(converted) else {
                continue;
            };
            let off = ratio.checked_sub(Decimal::ONE).map(|d| d.abs());
            if off.is_some_and(|d| d > EQUIVALENT_TOLERANCE) {
                let mut f = finding(
                    "FX-EQUIV",
                    RecordKind::Flow,
                    &flow.id,
                    format!(
                        "stated equivalent {} {} is {}× the conversion of {} {} at the reference rate ({} {}; {})",
                        fmt_amount(eq.amount),
                        eq.currency,
                        ratio.round_dp(2),
                        fmt_amount(flow.money.amount),
                        flow.money.currency,
                        fmt_amount(converted),
                        eq.currency,
                        terms.source
                    ),
                );
                let provisional =
                    terms.provisional.is_some() || basis == RateDateBasis::LatestAvailableRate;
                if provisional {
                    f = f.appended(" (provisional: latest rate)");
                }
                f = f
                    .said(
                        Message::new(if provisional {
                            "fx-equiv-provisional"
                        } else {
                            "fx-equiv"
                        })
                        .amount("stated", eq.amount)
                        .text("stated_currency", &eq.currency)
                        .ratio("ratio", ratio)
                        .amount("amount", flow.money.amount)
                        .text("currency", &flow.money.currency)
                        .amount("converted", converted)
                        .text("source", &terms.source),
                    )
                    .with_ratio(Some(ratio.round_dp(4)));
                out.push(f);
            }
        }
    }
}

fn envelopes(ledger: &Ledger, out: &mut Vec<Finding>) {
    for (flow, children) in ledger.flows_with_children() {
        let mut sum = Sum::ZERO;
        let mut comparable = true;
        for child in children.iter().filter_map(|c| ledger.flows.get(c)) {
            comparable &= child.money.currency == flow.money.currency;
            sum = sum.plus_checked(child.money.amount.checked_mul(child.sign()));
        }
        let Sum::Exact(sum) = sum else {
            out.push(
                overflow(
                    RecordKind::Flow,
                    &flow.id,
                    "its child flows add up to more than aidtrace can compute",
                )
                .said(Message::new("overflow-children")),
            );
            continue;
        };
        if comparable && sum > flow.money.amount {
            out.push(
                finding(
                    "LEDGER-OVERALLOC",
                    RecordKind::Flow,
                    &flow.id,
                    format!(
                        "child flows add up to {} {} but the envelope is {} {}",
                        fmt_amount(sum),
                        flow.money.currency,
                        fmt_amount(flow.money.amount),
                        flow.money.currency
                    ),
                )
                .said(
                    Message::new("ledger-overalloc")
                        .amount("sum", sum)
                        .text("currency", &flow.money.currency)
                        .amount("envelope", flow.money.amount),
                ),
            );
        }
    }
    for activity in ledger.activities.values() {
        let Some(below) = ledger.kinds_below(&activity.id).filter(|k| !k.is_empty()) else {
            continue;
        };
        let own: std::collections::BTreeSet<FlowKind> = ledger
            .flows_of(&activity.id)
            .filter(|f| ledger.flow_children(&f.id).is_empty())
            .map(|f| f.kind)
            .collect();
        for kind in own.intersection(below) {
            out.push(finding(
                "LEDGER-ENVELOPE",
                RecordKind::Activity,
                &activity.id,
                format!(
                    "both this activity and its sub-activities report {} flows without links; totals count the sub-activities only",
                    kind.as_str()
                ),
            )
            .said(Message::new("ledger-envelope").kind("kind", *kind)));
        }
    }
}

/// The activity's flows of one kind in US dollars: `None` when one cannot be converted (or there
/// are none), `Overflow` when a conversion or the sum is beyond a decimal's range.
fn sum_usd(
    ledger: &Ledger,
    conversions: &mut Conversions<'_>,
    own_flows: &[&Flow],
    kind: FlowKind,
) -> Option<Sum> {
    let usd = CurrencyCode::usd();
    let mut total = Sum::ZERO;
    let mut any = false;
    for flow in own_flows.iter().filter(|f| f.kind == kind) {
        let converted = match ledger.convert_flow_with(flow, conversions, &usd) {
            Ok(c) => c.amount.checked_mul(flow.sign()),
            Err(ConversionError::Overflow) => None,
            Err(_) => return None,
        };
        total = total.plus_checked(converted);
        any = true;
    }
    any.then_some(total)
}

/// The activity's equipment lines' total in the one currency they all state a cost in, when
/// lines with a cost and a quantity (see the comment inside); `None` when they mix currencies, the
/// total overflows or no line is costed.
fn equipment_in_one_currency(
    ledger: &Ledger,
    activity: &RecordId,
) -> Option<(CurrencyCode, Decimal)> {
    let mut currency: Option<CurrencyCode> = None;
    let mut total = Decimal::ZERO;
    for line in ledger.equipment_of(activity) {
        // A line without its cost or quantity adds nothing known: the total stays a lower
        // bound, which is enough to say the lines cost more than the funding.
        let (Some(cost), Some(qty)) = (&line.unit_cost, line.quantity) else {
            continue;
        };
        let qty = Decimal::from(qty);
        match &currency {
            Some(c) if *c != cost.currency => return None,
            Some(_) => {}
            None => currency = Some(cost.currency.clone()),
        }
        total = total.checked_add(cost.amount.checked_mul(qty)?)?;
    }
    Some((currency?, total))
}

/// The signed sum of an activity's own flows of `kind` when they are all in one currency; `None`
/// when there are none or they are in several.
fn sum_in_one_currency(own_flows: &[&Flow], kind: FlowKind) -> Option<(CurrencyCode, Sum)> {
    let mut flows = own_flows.iter().filter(|f| f.kind == kind);
    let first = flows.next()?;
    let currency = first.money.currency.clone();
    let mut total = Sum::ZERO.plus_checked(first.money.amount.checked_mul(first.sign()));
    for flow in flows {
        if flow.money.currency != currency {
            return None;
        }
        total = total.plus_checked(flow.money.amount.checked_mul(flow.sign()));
    }
    Some((currency, total))
}

/// Money paid out before anything was committed usually means a wrong date or a missing
/// commitment. Only dated flows are compared.
fn early_disbursements(flows: &[&Flow], out: &mut Vec<Finding>) {
    let first_commitment = flows
        .iter()
        .filter(|f| f.kind == FlowKind::Commitment)
        .filter_map(|f| f.money.value_date)
        .min();
    let Some(committed_on) = first_commitment else {
        return;
    };
    for f in flows.iter().filter(|f| f.kind == FlowKind::Disbursement) {
        if let Some(day) = f.money.value_date.filter(|d| *d < committed_on) {
            out.push(
                finding(
                    "LEDGER-EARLY-DISBURSEMENT",
                    RecordKind::Flow,
                    &f.id,
                    format!("disbursed on {day}, before the first commitment of {committed_on}"),
                )
                .said(
                    Message::new("ledger-early-disbursement")
                        .date("date", day)
                        .date("committed_on", committed_on),
                ),
            );
        }
    }
}

/// A provider counts as a participant when it, or the organisation it rolls up to, is the same
/// as a participant's (an embassy paying for its government's grant is the government paying).
fn providers_outside(ledger: &Ledger, a: &Activity, flows: &[&Flow], out: &mut Vec<Finding>) {
    if a.participants.is_empty() {
        return;
    }
    let tops: Vec<&RecordId> = a
        .participants
        .iter()
        .map(|p| ledger.top_organisation(&p.org))
        .collect();
    for f in flows {
        let Some(provider) = &f.provider else {
            continue;
        };
        // Incoming funds come from outside the activity by nature.
        if matches!(
            f.kind,
            FlowKind::IncomingFunds | FlowKind::IncomingCommitment | FlowKind::IncomingPledge
        ) {
            continue;
        }
        if !tops.contains(&ledger.top_organisation(provider)) {
            out.push(
                finding(
                    "LEDGER-PROVIDER",
                    RecordKind::Flow,
                    &f.id,
                    format!(
                        "provider {} is not a participant of activity {}",
                        ledger.org_name(provider),
                        a.id
                    ),
                )
                .said(
                    Message::new("ledger-provider")
                        .text("provider", ledger.org_name(provider))
                        .text("activity", &a.id),
                ),
            );
        }
    }
}

fn overflow(kind: RecordKind, id: &RecordId, what: &str) -> Finding {
    finding(
        "LEDGER-OVERFLOW",
        kind,
        id,
        format!(
            "{what} (about 7.9 × 10^28); an amount is beyond the accepted bound of 10^18: correct it"
        ),
    )
}

fn activities(ledger: &Ledger, rates: &RateTable, out: &mut Vec<Finding>) {
    let usd = CurrencyCode::usd();
    let mut conversions = Conversions::new(rates);
    let jpy = CurrencyCode::parse("JPY").ok();
    for a in ledger.activities.values() {
        if a.sectors.is_empty() && ledger.lineage(&a.id).iter().all(|x| x.sectors.is_empty()) {
            out.push(
                finding(
                    "ACT-NOSECTOR",
                    RecordKind::Activity,
                    &a.id,
                    format!("{} has no sector", a.title),
                )
                .said(Message::new("act-nosector").text("title", &a.title)),
            );
        }
        let own_flows: Vec<_> = ledger.flows_of(&a.id).collect();
        if a.status == ActivityStatus::Pipeline
            && own_flows
                .iter()
                .any(|f| matches!(f.kind, FlowKind::Disbursement | FlowKind::Expenditure))
        {
            out.push(
                finding(
                    "LEDGER-PIPELINE",
                    RecordKind::Activity,
                    &a.id,
                    "a pipeline activity has money disbursed or spent",
                )
                .said(Message::new("ledger-pipeline")),
            );
        }
        let committed = sum_usd(ledger, &mut conversions, &own_flows, FlowKind::Commitment);
        let disbursed = sum_usd(ledger, &mut conversions, &own_flows, FlowKind::Disbursement);
        for (kind, id, sum) in [
            ("commitments", "overflow-commitments", committed),
            ("disbursements", "overflow-disbursements", disbursed),
        ] {
            if sum.is_some_and(Sum::is_overflow) {
                out.push(
                    overflow(
                        RecordKind::Activity,
                        &a.id,
                        &format!(
                            "its {kind} in US dollars add up to more than aidtrace can compute"
                        ),
                    )
                    .said(Message::new(id)),
                );
            }
        }
        // Compared in the flows' own currency whenever every commitment and disbursement shares
        // one: exact, and independent of exchange rates (a year without a rate used to hide a
        // yen disbursement twice the yen commitment). Otherwise in converted US dollars.
        let compared = match (
            sum_in_one_currency(&own_flows, FlowKind::Commitment),
            sum_in_one_currency(&own_flows, FlowKind::Disbursement),
        ) {
            (Some((cc, c)), Some((dc, d))) if cc == dc => c.exact().zip(d.exact()).map(|p| (p, cc)),
            _ => committed
                .and_then(Sum::exact)
                .zip(disbursed.and_then(Sum::exact))
                .map(|p| (p, usd.clone())),
        };
        if let Some(((c, d), currency)) = compared
            && d > c
        {
            let times = d.checked_div(c).filter(|_| c > Decimal::ZERO);
            let ratio = times
                .map(|r| format!(" ({}× the commitment)", r.round_dp(2)))
                .unwrap_or_default();
            let mut detail = Message::new(if times.is_some() {
                "ledger-overspent-ratio"
            } else {
                "ledger-overspent"
            })
            .amount("disbursed", d)
            .amount("committed", c)
            .text("currency", &currency);
            if let Some(r) = times {
                detail = detail.ratio("ratio", r);
            }
            out.push(
                finding(
                    "LEDGER-OVERSPENT",
                    RecordKind::Activity,
                    &a.id,
                    format!(
                        "disbursed {} {currency} against {} {currency} committed{ratio}",
                        fmt_amount(d),
                        fmt_amount(c)
                    ),
                )
                .said(detail),
            );
        }
        let committed = committed.and_then(Sum::exact);
        let disbursed = disbursed.and_then(Sum::exact);
        early_disbursements(&own_flows, out);
        providers_outside(ledger, a, &own_flows, out);
        if a.instrument == Instrument::GrassrootsGrant {
            grassroots(ledger, rates, a, jpy.as_ref(), out);
        }
        // Each line's cost in dollars; `Some(None)` is a line whose cost overflowed.
        let equipment: Option<Sum> = ledger
            .equipment_of(&a.id)
            .filter_map(|e| {
                let cost = e.unit_cost.as_ref()?;
                let qty = Decimal::from(e.quantity?);
                let day = cost.value_date.or_else(|| {
                    own_flows
                        .first()
                        .and_then(|f| ledger.rate_date(f, rates))
                        .map(|x| x.0)
                })?;
                // The line's total is converted once, not its unit cost times the quantity:
                // the rounding of a converted unit cost would be multiplied with it.
                let Some(total) = cost.amount.checked_mul(qty) else {
                    return Some(None);
                };
                let line = Money {
                    amount: total,
                    ..cost.clone()
                };
                match rates.convert_on(&line, &usd, day) {
                    Ok(c) => Some(Some(c.amount)),
                    Err(ConversionError::Overflow) => Some(None),
                    Err(_) => None,
                }
            })
            .fold(None, |acc: Option<Sum>, line| {
                Some(acc.unwrap_or(Sum::ZERO).plus_checked(line))
            });
        if equipment.is_some_and(Sum::is_overflow) {
            out.push(
                overflow(
                    RecordKind::Activity,
                    &a.id,
                    "its equipment lines cost more than aidtrace can compute",
                )
                .said(Message::new("overflow-equipment")),
            );
        }
        let equipment = equipment.and_then(Sum::exact);
        // In the one currency the lines and the funding share, when they share one: exact, and
        // no exchange rate decides it (two lines of 12,425,000 KZT against a commitment of
        // 24,850,000 KZT were a cent "over" once each side was converted). Otherwise in
        // converted dollars, where each converted figure may be half a cent off.
        let native = equipment_in_one_currency(ledger, &a.id).and_then(|(lc, lines)| {
            // What funds it, as in dollars below: its commitments, or its disbursements when it
            // has no commitment (not when its commitments are in several currencies).
            let kind = if own_flows.iter().any(|f| f.kind == FlowKind::Commitment) {
                FlowKind::Commitment
            } else {
                FlowKind::Disbursement
            };
            let funded = sum_in_one_currency(&own_flows, kind)?;
            (funded.0 == lc).then_some((lines, funded.1.exact()?, lc))
        });
        let compared = match native {
            Some((lines, funded, currency)) => Some((lines, funded, currency, Decimal::ZERO)),
            None => equipment.zip(committed.or(disbursed)).map(|(e, c)| {
                let conversions = ledger.equipment_of(&a.id).count() + own_flows.len();
                let rounding = Decimal::new(i64::try_from(conversions).unwrap_or(i64::MAX), 2);
                (e, c, usd.clone(), rounding)
            }),
        };
        if let Some((e, c, currency, rounding)) = compared
            && e > c.saturating_add(rounding)
        {
            out.push(
                finding(
                    "EQ-OVERCOST",
                    RecordKind::Activity,
                    &a.id,
                    format!(
                        "equipment lines cost {} {currency}, more than the {} {currency} funded",
                        fmt_amount(e),
                        fmt_amount(c)
                    ),
                )
                .said(
                    Message::new("eq-overcost")
                        .amount("cost", e)
                        .amount("funded", c)
                        .text("currency", &currency),
                ),
            );
        }
    }
}

fn grassroots(
    ledger: &Ledger,
    rates: &RateTable,
    a: &crate::model::Activity,
    jpy: Option<&CurrencyCode>,
    out: &mut Vec<Finding>,
) {
    if let (Some(start), Some(end)) = (a.start_date, a.end_date)
        && (end - start).num_days() > 366
    {
        out.push(
            finding(
                "GGP-WINDOW",
                RecordKind::Activity,
                &a.id,
                format!("runs {start} to {end}, longer than the one-year window"),
            )
            .said(
                Message::new("ggp-window")
                    .date("start", start)
                    .date("end", end),
            ),
        );
    }
    let Some(jpy) = jpy else { return };
    // The grant's size is its largest commitment or disbursement in yen, whichever is larger,
    // with the latest rate's date when that one was converted at it for want of a rate of its
    // own date: the finding then rests on a provisional figure and says so.
    let mut in_yen = Decimal::ZERO;
    let mut provisional: Option<chrono::NaiveDate> = None;
    for flow in ledger
        .flows_of(&a.id)
        .filter(|f| matches!(f.kind, FlowKind::Commitment | FlowKind::Disbursement))
    {
        // The flow's own conversion, which says when it rests on the latest rate (and never
        // for yen, which uses none).
        if let Ok((c, _, _)) = ledger.convert_flow(flow, rates, jpy)
            && c.amount > in_yen
        {
            in_yen = c.amount;
            provisional = c.provisional;
        }
    }
    // The message, and its "-provisional" form naming the rate's date when the size rests on
    // the latest rate.
    let said = |plain: &'static str, marked: &'static str| match provisional {
        Some(day) => Message::new(marked).date("rate_date", day),
        None => Message::new(plain),
    };
    let english_rate = provisional
        .map(|day| format!(" (at the latest rate, of {day}: provisional)"))
        .unwrap_or_default();
    let ceiling = a
        .ceiling
        .clone()
        .or_else(|| Money::new(Decimal::from(100_000_000u64), jpy.clone(), None).ok());
    let principle = Decimal::from(10_000_000u64);
    if let Some(ceiling) = ceiling
        && ceiling.currency == *jpy
        && in_yen > ceiling.amount
    {
        let english = format!(
            "about {} JPY{english_rate}, above the ceiling of {} JPY",
            fmt_amount(in_yen),
            fmt_amount(ceiling.amount)
        );
        let message = said("ggp-ceiling", "ggp-ceiling-provisional")
            .amount("amount", in_yen)
            .amount("ceiling", ceiling.amount);
        out.push(finding("GGP-CEILING", RecordKind::Activity, &a.id, english).said(message));
    } else if in_yen > principle {
        let english = format!(
            "about {} JPY{english_rate}, above the JPY 10 million a grassroots grant gets in principle",
            fmt_amount(in_yen)
        );
        let message = said("ggp-ceiling-principle", "ggp-ceiling-principle-provisional")
            .amount("amount", in_yen);
        let mut f = finding("GGP-CEILING", RecordKind::Activity, &a.id, english).said(message);
        f.severity = Severity::Info;
        out.push(f);
    }
}
