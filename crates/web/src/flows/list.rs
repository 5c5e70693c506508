//! `/flows`: the flows behind a figure. With the dashboard's filter alone it lists every flow the
//! filter keeps; with `by` and `key` (a total's grouping and row) it lists the flows that make
//! up that total, each with the share of it that counts there, computed by the same
//! `totals::flow_parts` as the total itself, so the list adds up to the figure it came from.
//! `excluded=1` lists instead the flows the totals leave out (envelopes, void pledges and
//! commitments) and the claims, each with the reason. Sorting and paging are in the address;
//! `/export/flows/{csv,xlsx}` downloads the same lines.

use std::sync::Arc;

use aidtrace_domain::filter::Filter;
use aidtrace_domain::ledger::RateDateBasis;
use aidtrace_domain::model::{Flow, FlowKind};
use aidtrace_domain::totals::{self, Exclusion, GroupBy, Sum};
use aidtrace_domain::{CurrencyCode, RecordId};
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use chrono::NaiveDate;
use maud::{Markup, html};
use rust_decimal::Decimal;

use super::{Own, page_filter, query, slot};
use crate::auth::Caller;
use crate::auth::can_read;
use crate::error::{ApiError, PageError, PageResult};
use crate::i18n::{self, t, ta, tn};
use crate::present::format::group_digits;
use crate::present::page::shared_page;
use crate::state::{AppState, Snapshot, blocking};
use crate::tables::{Table, enum_name};

/// The page's own parameters beside the filter.
pub const OWN: [&str; 5] = ["by", "key", "sort", "page", "excluded"];

pub const PER_PAGE: usize = 50;

/// How the list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Largest converted amount first.
    #[default]
    AmountDesc,
    Amount,
    DateDesc,
    Date,
    Activity,
}

impl Sort {
    pub const ALL: [Sort; 5] = [
        Self::AmountDesc,
        Self::Amount,
        Self::DateDesc,
        Self::Date,
        Self::Activity,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::AmountDesc => "-amount",
            Self::Amount => "amount",
            Self::DateDesc => "-date",
            Self::Date => "date",
            Self::Activity => "activity",
        }
    }

    /// Message id of the label.
    fn label(self) -> &'static str {
        match self {
            Self::AmountDesc => "flows-sort-amount-desc",
            Self::Amount => "flows-sort-amount",
            Self::DateDesc => "flows-sort-date-desc",
            Self::Date => "flows-sort-date",
            Self::Activity => "flows-sort-activity",
        }
    }
}

/// How one listed flow converts: the share's converted amount and the rate behind it.
#[derive(Debug, Clone)]
pub struct Converted {
    pub amount: Option<Decimal>,
    pub rate: Decimal,
    pub rate_date: NaiveDate,
    pub basis: RateDateBasis,
    /// In English (the CSV); the page words `legs` in its reader's language.
    pub source: String,
    pub legs: Vec<aidtrace_domain::fx::RateLeg>,
    pub provisional: Option<NaiveDate>,
}

/// One flow of a list, with the part of it that counts.
#[derive(Debug, Clone)]
pub struct Line {
    pub flow: RecordId,
    pub activity: RecordId,
    pub kind: FlowKind,
    pub value_date: Option<NaiveDate>,
    pub currency: CurrencyCode,
    /// The fraction of the flow counted here (1 unless split by percentages); `None` when it
    /// overflowed.
    pub share: Option<Decimal>,
    /// The counted part in the original currency, signed (a reversal is negative).
    pub part: Option<Decimal>,
    pub converted: Result<Converted, aidtrace_domain::fx::ConversionError>,
}

/// A flow the totals leave out, and why.
#[derive(Debug, Clone)]
pub struct Left {
    pub flow: RecordId,
    pub activity: RecordId,
    pub kind: FlowKind,
    pub why: Exclusion,
}

/// Everything a list shows, computed once per snapshot and address.
#[derive(Debug, Default)]
pub struct Listing {
    pub lines: Vec<Line>,
    /// Converted sums of the lines by kind, rounded as totals are.
    pub sums: Vec<(FlowKind, Sum)>,
    pub unconverted: usize,
    pub excluded: Vec<Left>,
}

/// A list request, read from the address.
#[derive(Debug, Clone)]
pub struct Request {
    pub filter: Filter,
    pub drill: Option<(GroupBy, String)>,
    pub sort: Sort,
    pub page: usize,
    pub excluded: bool,
}

fn bad(field: &str, value: &str, message: String) -> PageError {
    PageError(
        ApiError::bad_request("invalid_query", format!("{field} «{value}»: {message}"))
            .with_field(field),
    )
}

impl Request {
    pub fn read(snap: &Snapshot, raw: Option<&str>) -> Result<Self, PageError> {
        let (filter, own) = page_filter(snap, raw, &OWN)?;
        Self::from_parts(filter, &own)
    }

    fn from_parts(filter: Filter, own: &Own) -> Result<Self, PageError> {
        let get = |k: &str| own.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
        let by = match get("by") {
            None => None,
            Some(v) => Some(GroupBy::parse(v).ok_or_else(|| {
                let all: Vec<&str> = GroupBy::ALL.iter().map(|g| g.as_str()).collect();
                bad(
                    "by",
                    v,
                    ta("filter-err-not-one-of", &[("allowed", &all.join(", "))]),
                )
            })?),
        };
        let drill = match (by, own.get("key")) {
            (Some(by), Some(key)) => Some((by, key.clone())),
            (Some(_), None) => return Err(bad("key", "", t("flows-err-key"))),
            (None, Some(key)) => return Err(bad("by", key, t("flows-err-by"))),
            (None, None) => None,
        };
        let sort = match get("sort") {
            None => Sort::default(),
            Some(v) => Sort::ALL
                .into_iter()
                .find(|s| s.as_str() == v)
                .ok_or_else(|| {
                    let all: Vec<&str> = Sort::ALL.iter().map(|s| s.as_str()).collect();
                    bad(
                        "sort",
                        v,
                        ta("filter-err-not-one-of", &[("allowed", &all.join(", "))]),
                    )
                })?,
        };
        let page = match get("page") {
            None => 1,
            Some(v) => v
                .parse::<usize>()
                .ok()
                .filter(|p| (1..=1_000_000).contains(p))
                .ok_or_else(|| bad("page", v, t("flows-err-page")))?,
        };
        let excluded = match get("excluded") {
            None | Some("0" | "false") => false,
            Some("1" | "true") => true,
            Some(v) => return Err(bad("excluded", v, t("filter-err-yes-no"))),
        };
        Ok(Self {
            filter,
            drill,
            sort,
            page,
            excluded,
        })
    }

    /// The address parameters other than the page number.
    fn own_pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some((by, key)) = &self.drill {
            out.push(("by", by.as_str().to_string()));
            out.push(("key", key.clone()));
        }
        if self.sort != Sort::default() {
            out.push(("sort", self.sort.as_str().to_string()));
        }
        if self.excluded {
            out.push(("excluded", "1".to_string()));
        }
        out
    }

    pub fn href(&self, page: usize, excluded: bool) -> String {
        let mut own = self.own_pairs();
        own.retain(|(k, _)| *k != "excluded");
        if excluded {
            own.push(("excluded", "1".to_string()));
        }
        if page > 1 {
            own.push(("page", page.to_string()));
        }
        let extra: Vec<(&str, &str)> = own.iter().map(|(k, v)| (*k, v.as_str())).collect();
        format!("/flows{}", query(&self.filter, &extra))
    }

    fn memo_key(&self) -> String {
        let own = self.own_pairs();
        let extra: Vec<(&str, &str)> = own.iter().map(|(k, v)| (*k, v.as_str())).collect();
        query(&self.filter, &extra)
    }
}

/// The parts of `flow` a request counts: the whole kept part, or the drilled cell's.
fn parts(snap: &Snapshot, req: &Request, flow: &Flow) -> Option<Option<Decimal>> {
    match &req.drill {
        None => totals::kept_part(&snap.ledger, flow, &req.filter).map(Some),
        Some((by, key)) => {
            let unfiltered = req.filter.is_everything();
            let parts = totals::flow_parts(&snap.ledger, flow, *by, &req.filter, unfiltered)?;
            // A flow can fall twice under one key (two sector codes with one label): its
            // shares there add up, as in the total.
            let mut share: Option<Option<Decimal>> = None;
            for (k, s) in parts {
                if k == *key {
                    share = Some(match share {
                        None => s,
                        Some(prev) => prev.zip(s).and_then(|(a, b)| a.checked_add(b)),
                    });
                }
            }
            share
        }
    }
}

/// Computes a list (every flow of the ledger is looked at once). Blocks: call off the async
/// threads.
pub fn listing(snap: &Snapshot, req: &Request) -> Arc<Listing> {
    slot(&snap.memo.lists, &req.memo_key())
        .get_or_init(|| Arc::new(compute(snap, req)))
        .clone()
}

/// The list when this snapshot has computed it already, without blocking.
fn listed(snap: &Snapshot, req: &Request) -> Option<Arc<Listing>> {
    slot(&snap.memo.lists, &req.memo_key()).get().cloned()
}

fn compute(snap: &Snapshot, req: &Request) -> Listing {
    let ledger = &snap.ledger;
    let currency = &req.filter.currency;
    let mut out = Listing::default();
    let mut sums: std::collections::BTreeMap<FlowKind, Sum> = Default::default();
    for flow in ledger.flows.values() {
        let Some(share) = parts(snap, req, flow) else {
            continue;
        };
        if let Some(why) = totals::exclusion(ledger, flow) {
            out.excluded.push(Left {
                flow: flow.id.clone(),
                activity: flow.activity.clone(),
                kind: flow.kind,
                why,
            });
            continue;
        }
        let signed = |amount: Decimal| {
            share
                .and_then(|s| amount.checked_mul(s))
                .and_then(|v| v.checked_mul(flow.sign()))
        };
        let converted = match ledger.convert_flow(flow, &snap.rates, currency) {
            Ok((c, _, basis)) => {
                let amount = signed(c.amount);
                let sum = sums.entry(flow.kind).or_insert(Sum::ZERO);
                *sum = sum.plus_checked(amount);
                Ok(Converted {
                    amount,
                    rate: c.rate,
                    rate_date: c.rate_date,
                    basis,
                    source: c.source,
                    legs: c.legs,
                    provisional: c.provisional,
                })
            }
            Err(e) => {
                if e == aidtrace_domain::fx::ConversionError::Overflow {
                    sums.insert(flow.kind, Sum::Overflow);
                } else {
                    out.unconverted += 1;
                }
                Err(e)
            }
        };
        out.lines.push(Line {
            flow: flow.id.clone(),
            activity: flow.activity.clone(),
            kind: flow.kind,
            value_date: flow.money.value_date,
            currency: flow.money.currency.clone(),
            share,
            part: signed(flow.money.amount),
            converted,
        });
    }
    out.sums = sums
        .into_iter()
        .map(|(k, s)| {
            (
                k,
                s.map(|d| aidtrace_domain::money::rounded_to_minor_unit(d, currency)),
            )
        })
        .collect();
    let amount = |l: &Line| l.converted.as_ref().ok().and_then(|c| c.amount);
    match req.sort {
        // Lines without a converted amount go last either way.
        Sort::AmountDesc => out
            .lines
            .sort_by(|a, b| amount(b).cmp(&amount(a)).then_with(|| a.flow.cmp(&b.flow))),
        Sort::Amount => out.lines.sort_by(|a, b| {
            (amount(a).is_none(), amount(a))
                .cmp(&(amount(b).is_none(), amount(b)))
                .then_with(|| a.flow.cmp(&b.flow))
        }),
        Sort::DateDesc => out.lines.sort_by(|a, b| {
            b.value_date
                .cmp(&a.value_date)
                .then_with(|| a.flow.cmp(&b.flow))
        }),
        Sort::Date => out.lines.sort_by(|a, b| {
            (a.value_date.is_none(), a.value_date)
                .cmp(&(b.value_date.is_none(), b.value_date))
                .then_with(|| a.flow.cmp(&b.flow))
        }),
        Sort::Activity => out.lines.sort_by(|a, b| {
            a.activity
                .cmp(&b.activity)
                .then_with(|| a.flow.cmp(&b.flow))
        }),
    }
    out
}

fn percent(share: Decimal) -> String {
    // Checked: a share from percentages far beyond 100 in bad data must not panic.
    share.checked_mul(Decimal::ONE_HUNDRED).map_or_else(
        || t("totals-overflow"),
        |p| group_digits(p.round_dp(2).normalize()),
    )
}

fn sum_text(s: Sum) -> String {
    match s {
        Sum::Exact(d) => group_digits(d),
        Sum::Overflow => t("totals-overflow"),
    }
}

/// The reason a flow is left out, in the reader's language.
pub(crate) fn reason(snap: &Snapshot, why: &Exclusion) -> Markup {
    match why {
        Exclusion::EnvelopeWithChildFlows { children } => html! {
            (t("flows-why-envelope-flows")) ": "
            @for (i, c) in children.iter().enumerate() {
                @if i > 0 { ", " }
                a href=(crate::tables::record_href(&snap.ledger, aidtrace_domain::RecordKind::Flow, c.as_str())) { (c) }
            }
        },
        Exclusion::EnvelopeWithChildActivities => html! { (t("flows-why-envelope-activities")) },
        Exclusion::CancelledActivity => html! { (t("flows-why-cancelled")) },
    }
}

fn title_of(snap: &Snapshot, activity: &RecordId) -> String {
    snap.ledger
        .activities
        .get(activity)
        .map_or_else(|| activity.to_string(), |a| a.title.clone())
}

fn lines_html(snap: &Snapshot, req: &Request, list: &Listing) -> Markup {
    let currency = &req.filter.currency;
    let start = (req.page - 1).saturating_mul(PER_PAGE);
    let shown = list.lines.iter().skip(start).take(PER_PAGE);
    let pages = crate::present::pager::pages(list.lines.len(), PER_PAGE);
    html! {
        p id="flows-count" {
            (list.lines.len()) " " (tn("card-flows", list.lines.len()))
            @for (kind, sum) in &list.sums {
                " · " (i18n::value(kind.as_str())) ": " strong class="flows-sum" data-kind=(kind.as_str()) { (sum_text(*sum)) " " (currency) }
            }
            @if list.unconverted > 0 { " · " (list.unconverted) " " (tn("card-flows", list.unconverted)) ": " (t("unconverted")) }
        }
        div class="table-scroll" {
        table class="list" id="table-flows" {
            thead { tr {
                th { (t("col-id")) } th { (t("col-activity")) } th { (t("col-kind")) } th { (t("flows-col-value-date")) }
                th { (t("col-amount")) } th { (t("flows-col-share")) } th { (ta("totals-converted", &[("currency", currency.as_str())])) }
                th { (t("flows-col-rate")) } th { (t("flows-col-provider")) } th { (t("flows-col-trace")) }
            } }
            tbody {
                @for l in shown {
                    @let flow = snap.ledger.flows.get(&l.flow);
                    tr id=(format!("line-{}", l.flow)) {
                        td { a href=(format!("/activities/{}#{}", l.activity, l.flow)) { (l.flow) } }
                        td { a class="flow-activity" href=(format!("/activities/{}", l.activity)) { (title_of(snap, &l.activity)) } }
                        td { (i18n::value(l.kind.as_str())) }
                        td { (l.value_date.map(i18n::date).unwrap_or_default()) }
                        td class="amt" { @match l.part { Some(p) => { (group_digits(p.normalize())) " " (l.currency) } None => { (t("totals-overflow")) } } }
                        td class="amt" { @match l.share { Some(s) if s == Decimal::ONE => { "100 %" } Some(s) => { (percent(s)) " %" } None => { (t("totals-overflow")) } } }
                        td class="amt" {
                            @match &l.converted {
                                Ok(c) => { @match c.amount { Some(a) => { (group_digits(a.round_dp(2))) " " (currency) } None => { (t("totals-overflow")) } }
                                    @if c.provisional.is_some() { " " strong class="provisional" { "*" } } }
                                Err(e) => { span class="muted" { (t("unconverted")) ": " (crate::labels::conversion_error(e)) } }
                            }
                        }
                        td class="rate" {
                            @if let Ok(c) = &l.converted {
                                // Money already in the list's currency uses no rate, so no rate's date.
                                @if l.currency == *currency { (ta("conv-same-currency", &[("currency", l.currency.as_str())])) }
                                @else {
                                    (group_digits(c.rate)) " " (currency) "/" (l.currency) ", " (i18n::date(c.rate_date)) " (" (i18n::value(&enum_name(&c.basis))) "), " (crate::labels::rate_source(&c.legs, &c.source))
                                    @if let Some(d) = c.provisional { " — " strong class="provisional" { (ta("conv-provisional", &[("date", &i18n::date(d))])) } }
                                }
                            }
                        }
                        td { (flow.and_then(|f| f.provider.as_ref()).map(|p| snap.ledger.org_name(p)).unwrap_or_default()) }
                        td class="trace" {
                            a class="flow-source" href=(format!("/activities/{}#{}", l.activity, l.flow)) { (t("flows-link-source")) } " · "
                            a class="flow-history" href=(format!("/activities/{}#history", l.activity)) { (t("flows-link-history")) }
                        }
                    }
                }
            }
        }
        }
        (crate::present::pager::pager("flow-pages", req.page, pages, |p| req.href(p, false)))
    }
}

fn excluded_html(snap: &Snapshot, list: &Listing) -> Markup {
    html! {
        p id="excluded-count" { (list.excluded.len()) " " (tn("card-flows", list.excluded.len())) }
        table class="list" id="table-excluded" {
            thead { tr { th { (t("col-id")) } th { (t("col-activity")) } th { (t("col-kind")) } th { (t("flows-col-reason")) } } }
            tbody {
                @for e in &list.excluded {
                    tr id=(format!("excluded-{}", e.flow)) {
                        td { a href=(format!("/activities/{}#{}", e.activity, e.flow)) { (e.flow) } }
                        td { a href=(format!("/activities/{}", e.activity)) { (title_of(snap, &e.activity)) } }
                        td { (i18n::value(e.kind.as_str())) }
                        td class="reason" { (reason(snap, &e.why)) }
                    }
                }
            }
        }
        h2 { (t("flows-claims")) }
        p class="muted" { (t("flows-why-claim")) }
        ul id="claims-not-counted" {
            @for c in snap.ledger.claims.values() {
                li { @match &c.activity { Some(a) => { a href=(format!("/activities/{a}")) { (c.id) } } None => { (c.id) } } ": " (c.statement) }
            }
        }
    }
}

pub async fn page(State(state): State<AppState>, caller: Caller, uri: Uri) -> PageResult<Response> {
    can_read(&state, &caller)?;
    let snap = state.snapshot().await?;
    let req = Request::read(&snap, uri.query())?;
    // The body is the same for every reader of a snapshot in one language and address, so it is
    // rendered once and sent from the memo, as the dashboard's is: rendering fifty lines with
    // their rates and labels per request kept both cores busy under load (p99 141 ms at 64
    // connections against 7 ms for the cached dashboard).
    let memo_key = format!(
        "flows:{}:{}{}",
        i18n::current().code(),
        req.page,
        req.memo_key()
    );
    let body = match snap.memo.page(&memo_key) {
        Some(body) => body,
        None => {
            let list = match listed(&snap, &req) {
                Some(list) => list,
                None => {
                    let (s, r) = (snap.clone(), req.clone());
                    blocking(move || Ok(listing(&s, &r))).await?
                }
            };
            let body: Arc<str> = body(&snap, &req, &list).into_string().into();
            snap.memo.keep_page(memo_key, body.clone());
            body
        }
    };
    Ok(shared_page(
        &t("title-flows"),
        &crate::request_ctx::frame(&caller),
        body,
    ))
}

/// The page's content, which depends on the snapshot, the address and the language only.
fn body(snap: &Snapshot, req: &Request, list: &Listing) -> Markup {
    let keep: Vec<(&str, String)> = req.own_pairs();
    let keep: Vec<(&str, &str)> = keep
        .iter()
        .filter(|(k, _)| *k != "sort")
        .map(|(k, v)| (*k, v.as_str()))
        .collect();
    let export = |format: &str| {
        let own = req.own_pairs();
        let extra: Vec<(&str, &str)> = own.iter().map(|(k, v)| (*k, v.as_str())).collect();
        format!("/export/flows/{format}{}", query(&req.filter, &extra))
    };
    html! {
        (super::form(snap, &req.filter, "/flows", &keep))
        @if let Some((by, key)) = &req.drill {
            p id="drilled" { (t(&format!("by-{}", by.as_str()))) ": " strong { (crate::labels::group_key(by.as_str(), key)) } " · " a href=(format!("/flows{}", query(&req.filter, &[]))) { (t("flows-all-of-filter")) } }
        }
        p {
            @if req.excluded {
                a href=(req.href(1, false)) id="show-counted" { (t("flows-show-counted")) }
            } @else {
                a href=(req.href(1, true)) id="show-excluded" { (t("flows-show-excluded")) }
            }
            " · " a href=(format!("/{}", query(&req.filter, &[]))) { (t("flows-to-dashboard")) }
        }
        @if !req.excluded {
            form method="get" action="/flows" class="filters" id="sort" {
                @for (k, v) in req.filter.pairs() { input type="hidden" name=(k) value=(v); }
                @for (k, v) in &keep { input type="hidden" name=(k) value=(v); }
                label { (t("flows-sort")) " " select name="sort" { @for s in Sort::ALL { option value=(s.as_str()) selected[s == req.sort] { (t(s.label())) } } } }
                button type="submit" { (t("flows-sort-apply")) }
            }
            (lines_html(snap, req, list))
            p class="exports" { (t("export")) ": " a href=(export("csv")) id="flows-csv" { "CSV" } " · " a href=(export("xlsx")) id="flows-xlsx" { "XLSX" } }
        } @else {
            (excluded_html(snap, list))
        }
        p class="muted" { (t("totals-rule")) ": " (t("totals-rule-text")) ". " (t("totals-attribution")) }
    }
}

/// The lines of a list as a table for CSV and XLSX: the same flows and parts as the page, with
/// the converted value, the rate, its date, basis and source.
pub fn table(snap: &Snapshot, req: &Request) -> Table {
    let list = listing(snap, req);
    let ledger = &snap.ledger;
    let rows = list
        .lines
        .iter()
        .map(|l| {
            let flow = ledger.flows.get(&l.flow);
            let conv = l.converted.as_ref().ok();
            vec![
                l.flow.to_string(),
                l.activity.to_string(),
                l.kind.as_str().to_string(),
                l.value_date.map(|d| d.to_string()).unwrap_or_default(),
                l.part
                    .map_or_else(|| "overflow".into(), |p| p.normalize().to_string()),
                l.currency.to_string(),
                l.share
                    .map_or_else(|| "overflow".into(), |s| s.normalize().to_string()),
                conv.and_then(|c| c.amount)
                    .map(|a| a.round_dp(6).normalize().to_string())
                    .unwrap_or_default(),
                req.filter.currency.to_string(),
                conv.map(|c| c.rate.to_string()).unwrap_or_default(),
                conv.map(|c| c.rate_date.to_string()).unwrap_or_default(),
                conv.map(|c| enum_name(&c.basis)).unwrap_or_default(),
                conv.map(|c| c.source.clone())
                    .or_else(|| l.converted.as_ref().err().map(ToString::to_string))
                    .unwrap_or_default(),
                conv.and_then(|c| c.provisional)
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                flow.and_then(|f| f.provider.as_ref())
                    .map(|p| ledger.org_name(p))
                    .unwrap_or_default(),
                flow.and_then(|f| f.receiver.as_ref())
                    .map(|p| ledger.org_name(p))
                    .unwrap_or_default(),
            ]
        })
        .collect();
    Table {
        name: "flows".into(),
        headers: vec![
            "id",
            "activity",
            "kind",
            "value_date",
            "amount",
            "currency",
            "share",
            "converted",
            "converted_currency",
            "rate",
            "rate_date",
            "rate_basis",
            "rate_source",
            "provisional_rate_of",
            "provider",
            "receiver",
        ],
        rows,
    }
}
