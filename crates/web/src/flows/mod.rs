//! The one filter (`aidtrace_domain::filter::Filter`) on pages, exports and the API: read from
//! the query string, refused with the parameter named (in the reader's language on pages),
//! written back into links and GET forms so a filtered view is a shareable address, and the
//! filtered figures kept per snapshot so a popular filter is computed once.

pub mod counts;
pub mod list;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use aidtrace_domain::filter::{Filter, FilterError, INSTRUMENTS, PARAMS, STATUSES};
use aidtrace_domain::model::FlowKind;
use aidtrace_domain::{RecordId, RecordKind};
use maud::{Markup, html};
use utoipa::openapi::path::ParameterIn;

use crate::api::openapi::Op;
use crate::error::{ApiError, PageError};
use crate::i18n::{self, t, ta};
use crate::present::links::urlencode;
use crate::state::{GROUPS, Snapshot};
use crate::summary::Figures;

/// The query string as name/value pairs (percent-decoded, in order, repeats kept).
fn pairs(raw: Option<&str>) -> Result<Vec<(String, String)>, ApiError> {
    let uri = format!("/?{}", raw.unwrap_or_default())
        .parse()
        .map_err(|_| ApiError::bad_request("invalid_query", "unreadable query string"))?;
    axum::extract::Query::<Vec<(String, String)>>::try_from_uri(&uri)
        .map(|q| q.0)
        .map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))
}

/// A page's own parameters (paging, sorting, the drilled cell) beside the filter.
pub type Own = BTreeMap<String, String>;

/// Reads the filter and the page's own parameters (`own`, plus `lang` everywhere), then checks
/// it against the snapshot (the donor and facility exist, the currency has rates).
fn read(
    snap: &Snapshot,
    raw: Option<&str>,
    own: &[&str],
) -> Result<Result<(Filter, Own), FilterError>, ApiError> {
    let pairs = pairs(raw)?;
    let mut allowed: Vec<&str> = own.to_vec();
    allowed.push("lang");
    let parsed = Filter::parse(
        pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        &allowed,
    )
    .and_then(|f| f.check(&snap.ledger, &snap.rates).map(|()| f));
    let mut mine = Own::new();
    for (k, v) in pairs {
        if own.contains(&k.as_str()) {
            mine.insert(k, v);
        }
    }
    Ok(parsed.map(|f| (f, mine)))
}

/// The filter of a page: a refused value is a 400 page saying which field, which value and
/// what is wrong, in the reader's language.
pub fn page_filter(
    snap: &Snapshot,
    raw: Option<&str>,
    own: &[&str],
) -> Result<(Filter, Own), PageError> {
    read(snap, raw, own)?.map_err(|e| PageError(page_error(&e)))
}

/// The filter of an API call: a refused value is a 400 `invalid_query` naming the field.
pub fn api_filter(
    snap: &Snapshot,
    raw: Option<&str>,
    own: &[&str],
) -> Result<(Filter, Own), ApiError> {
    read(snap, raw, own)?.map_err(|e| {
        ApiError::bad_request("invalid_query", e.to_string()).with_field(e.field.clone())
    })
}

/// The label of a filter field in the reader's language (a parameter the filter does not know
/// is shown as it was typed).
pub fn field_label(field: &str) -> String {
    if PARAMS.contains(&field) {
        t(&format!("filter-{field}"))
    } else {
        field.to_string()
    }
}

fn page_error(e: &FilterError) -> ApiError {
    let message = ta(
        e.problem.message_id(),
        &[
            ("value", e.value.as_str()),
            ("allowed", &e.problem.allowed()),
        ],
    );
    ApiError::bad_request(
        "invalid_query",
        format!("{} «{}»: {message}", field_label(&e.field), e.value),
    )
    .with_field(e.field.clone())
}

/// `?name=value&…` for the filter and `extra` pairs, empty when there are none.
pub fn query(filter: &Filter, extra: &[(&str, &str)]) -> String {
    let mut parts: Vec<String> = filter
        .pairs()
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect();
    parts.extend(
        extra
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", urlencode(v))),
    );
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// The choices the filter form offers, gathered once per snapshot.
#[derive(Debug, Default)]
pub struct Choices {
    /// Organisations that provide money or fund an activity, by name.
    pub donors: Vec<(RecordId, String)>,
    pub countries: Vec<String>,
    /// `KZ:Abai` values and their `Abai (KZ)` labels.
    pub regions: Vec<(String, String)>,
    pub sectors: Vec<String>,
    pub facilities: Vec<(RecordId, String)>,
}

impl Choices {
    fn of(snap: &Snapshot) -> Self {
        let ledger = &snap.ledger;
        let mut donors: BTreeSet<&RecordId> = BTreeSet::new();
        let mut countries = BTreeSet::new();
        let mut regions = BTreeSet::new();
        let mut sectors = BTreeSet::new();
        for a in ledger.activities.values() {
            for p in &a.participants {
                if p.role == aidtrace_domain::model::ParticipantRole::Funding {
                    donors.insert(&p.org);
                }
            }
            countries.extend(a.countries.iter().map(|c| c.country.to_string()));
            regions.extend(
                a.regions
                    .iter()
                    .map(|r| (r.country.to_string(), r.name.clone())),
            );
            sectors.extend(a.sectors.iter().map(|s| s.code.clone()));
        }
        for f in ledger.flows.values() {
            if let Some(p) = &f.provider {
                donors.insert(p);
            }
        }
        // Parents of donors too, so a government can be chosen with its agencies rolled up.
        let mut with_parents: BTreeSet<&RecordId> = BTreeSet::new();
        for d in donors {
            let mut current = d;
            with_parents.insert(current);
            while let Some(p) = ledger
                .organisations
                .get(current)
                .and_then(|o| o.parent.as_ref())
            {
                if !with_parents.insert(p) {
                    break;
                }
                current = p;
            }
        }
        let donors = ledger.org_choices(
            with_parents
                .into_iter()
                .filter(|d| ledger.organisations.contains_key(d)),
        );
        let mut facilities: Vec<(RecordId, String)> = ledger
            .facilities
            .values()
            .map(|f| (f.id.clone(), f.name.clone()))
            .collect();
        facilities.sort_by(|a, b| a.1.cmp(&b.1));
        Self {
            donors,
            countries: countries.into_iter().collect(),
            regions: regions
                .into_iter()
                .map(|(c, n)| (format!("{c}:{n}"), format!("{n} ({c})")))
                .collect(),
            sectors: with_categories(sectors),
            facilities,
        }
    }
}

/// The purpose codes in use, each DAC category (its first three digits) before its codes, so
/// a whole category can be chosen ("121" keeps 12110, 12191 …): the filter takes categories,
/// and the list offered only the codes.
fn with_categories(codes: BTreeSet<String>) -> Vec<String> {
    let mut list = Vec::new();
    for code in codes {
        if let Some(category) = code.get(..3)
            && code.len() > 3
            && !list.iter().any(|c: &String| c == category)
        {
            list.push(category.to_string());
        }
        if !list.contains(&code) {
            list.push(code);
        }
    }
    list
}

/// Filtered figures and pages of one snapshot. Each filter's figures are computed once even
/// when many requests ask at the same moment (the others wait for the first); the maps are
/// emptied when they reach [`MEMO_LIMIT`] entries, so memory stays bounded whatever is asked.
#[derive(Default)]
pub struct Memo {
    choices: OnceLock<Choices>,
    /// The roles organisations play in the records (`Ledger::roles_in_records`): one pass over
    /// every flow (0.3 s at a million), so once per snapshot, not per `/organisations` request.
    roles: OnceLock<HashMap<RecordId, Vec<aidtrace_domain::model::OrgRole>>>,
    figures: Mutex<HashMap<String, Arc<OnceLock<Arc<Figures>>>>>,
    pages: Mutex<HashMap<String, Arc<str>>>,
    lists: Mutex<HashMap<String, Arc<OnceLock<Arc<list::Listing>>>>>,
    /// IATI exports already built from this snapshot, by selection: a file of tens of
    /// megabytes, so only the last few are kept (`EXPORTS_KEPT`).
    exports: Mutex<std::collections::VecDeque<(String, Arc<crate::iati::export::ValidatedExport>)>>,
    /// Reviews of pending changes against this snapshot, by change id and last update: a
    /// change of an organisation is judged on the whole ledger, so each is judged once.
    reviews: Mutex<HashMap<(i64, String), aidtrace_service::change_review::ChangeReview>>,
}

/// IATI exports a snapshot keeps (each up to the whole ledger's file).
const EXPORTS_KEPT: usize = 4;

/// Reviews of pending changes a snapshot keeps.
const REVIEWS_KEPT: usize = 2_048;

pub const MEMO_LIMIT: usize = 128;

fn slot<V>(map: &Mutex<HashMap<String, Arc<OnceLock<V>>>>, key: &str) -> Arc<OnceLock<V>> {
    let mut map = map
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if map.len() >= MEMO_LIMIT && !map.contains_key(key) {
        map.clear();
    }
    map.entry(key.to_string()).or_default().clone()
}

impl Memo {
    pub fn choices(&self, snap: &Snapshot) -> &Choices {
        self.choices.get_or_init(|| Choices::of(snap))
    }

    /// See [`Memo::roles`]'s field; blocks the first time: call off the async threads.
    pub fn roles(
        &self,
        snap: &Snapshot,
    ) -> &HashMap<RecordId, Vec<aidtrace_domain::model::OrgRole>> {
        self.roles.get_or_init(|| snap.ledger.roles_in_records())
    }

    /// A rendered page body, by language and address.
    pub fn page(&self, key: &str) -> Option<Arc<str>> {
        self.pages
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(key)
            .cloned()
    }

    /// The IATI export of `selection` built from this snapshot, if one was.
    pub fn export(&self, selection: &str) -> Option<Arc<crate::iati::export::ValidatedExport>> {
        self.exports
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .find(|(key, _)| key == selection)
            .map(|(_, export)| Arc::clone(export))
    }

    pub fn keep_export(
        &self,
        selection: String,
        export: Arc<crate::iati::export::ValidatedExport>,
    ) {
        let mut map = self
            .exports
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // The oldest goes first: the last few selections asked for stay.
        map.retain(|(key, _)| *key != selection);
        while map.len() >= EXPORTS_KEPT {
            map.pop_front();
        }
        map.push_back((selection, export));
    }

    /// The review of change `id` as last updated at `updated`, judged once per snapshot.
    pub fn review(
        &self,
        id: i64,
        updated: &str,
        judge: impl FnOnce() -> aidtrace_service::change_review::ChangeReview,
    ) -> aidtrace_service::change_review::ChangeReview {
        let key = (id, updated.to_string());
        let lock = || {
            self.reviews
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        if let Some(done) = lock().get(&key) {
            return done.clone();
        }
        // Judged outside the lock: two views at once may both judge a change, never wait.
        let review = judge();
        let mut map = lock();
        // Beyond the limit the review is given but not kept (the API pages up to 500 changes,
        // which must not empty the memo every page); a new snapshot starts a new memo.
        if map.len() < REVIEWS_KEPT {
            map.insert(key, review.clone());
        }
        review
    }

    pub fn keep_page(&self, key: String, body: Arc<str>) {
        let mut map = self
            .pages
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() >= MEMO_LIMIT {
            map.clear();
        }
        map.insert(key, body);
    }
}

/// The dashboard's figures under a filter: the snapshot's own when nothing is filtered, else
/// computed once per snapshot and filter. Blocks while computing: call off the async threads.
pub fn figures(snap: &Snapshot, filter: &Filter) -> Arc<Figures> {
    if *filter == Filter::default() {
        return snap.figures.clone();
    }
    let key = query(filter, &[]);
    slot(&snap.memo.figures, &key)
        .get_or_init(|| {
            Arc::new(crate::summary::figures(
                &snap.ledger,
                &snap.rates,
                &GROUPS,
                filter,
            ))
        })
        .clone()
}

/// The filter form with a text search first (the activity list's `q`).
pub fn form_with_search(snap: &Snapshot, filter: &Filter, action: &str, q: &str) -> Markup {
    let search = html! {
        label { (t("search")) " " input type="search" name="q" value=(q) id="q"; }
    };
    form_inner(snap, filter, action, &[], &search)
}

/// The GET form of the filter: submitting it reloads `action` with the filter in the address.
/// `keep` carries the page's own parameters that a new filter keeps (such as a grouping).
pub fn form(snap: &Snapshot, filter: &Filter, action: &str, keep: &[(&str, &str)]) -> Markup {
    form_inner(snap, filter, action, keep, &html! {})
}

fn form_inner(
    snap: &Snapshot,
    filter: &Filter,
    action: &str,
    keep: &[(&str, &str)],
    first: &Markup,
) -> Markup {
    let c = snap.memo.choices(snap);
    let donor = filter.donor.as_ref().map(RecordId::as_str).unwrap_or("");
    let recipient = filter
        .recipient
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    let pairs: BTreeMap<&str, String> = filter.pairs().into_iter().collect();
    let val = |k: &str| pairs.get(k).cloned().unwrap_or_default();
    let region = val("region");
    let sector = val("sector");
    let facility = val("facility");
    let kind = val("kind");
    let status = val("status");
    let instrument = val("instrument");
    let set = pairs.len();
    // In a box a phone's script closes (tables.js): eleven full-width fields filled a phone's
    // first screen before any figure. Without script, or on a wide screen, it stays open.
    html! {
        details class="filter-box" id="filter-box" open {
        summary id="filter-summary" {
            @if set == 0 { (t("filter")) } @else { (ta("filter-summary-set", &[("count", &set.to_string())])) }
        }
        form method="get" action=(action) class="filters" id="filters" {
            @for (k, v) in keep { input type="hidden" name=(k) value=(v); }
            (first)
            label { (t("filter-year_from")) " " input type="number" name="year_from" min="1900" max="2200" value=(val("year_from")) id="f-year_from"; }
            label { (t("filter-year_to")) " " input type="number" name="year_to" min="1900" max="2200" value=(val("year_to")) id="f-year_to"; }
            label { (t("filter-donor")) " " select name="donor" id="f-donor" {
                option value="" { (t("any")) }
                @for (id, name) in &c.donors { option value=(id) selected[id.as_str() == donor] { (name) } }
            } }
            label { (t("filter-agencies")) " " select name="agencies" id="f-agencies" {
                option value="" selected[filter.agencies] { (t("filter-agencies-rolled-up")) }
                option value="false" selected[!filter.agencies] { (t("filter-agencies-apart")) }
            } }
            label { (t("filter-recipient")) " " select name="recipient" id="f-recipient" {
                option value="" { (t("any")) }
                @for code in &c.countries { option value=(code) selected[*code == recipient] { (crate::flows::country_name(code)) } }
            } }
            label { (t("filter-region")) " " select name="region" id="f-region" {
                option value="" { (t("any")) }
                @for (v, label) in &c.regions { option value=(v) selected[v.to_lowercase() == region.to_lowercase()] { (label) } }
                @if !region.is_empty() && !c.regions.iter().any(|(v, _)| v.to_lowercase() == region.to_lowercase()) { option value=(region) selected { (region) } }
            } }
            label { (t("filter-sector")) " " select name="sector" id="f-sector" {
                option value="" { (t("any")) }
                @for code in &c.sectors {
                    @let (name, english) = crate::labels::sector(code);
                    @let name = if code.len() == 3 { ta("filter-sector-category", &[("category", &name)]) } else { format!("\u{a0}\u{a0}{name}") };
                    option value=(code) title=[english] selected[*code == sector] { (name) }
                }
                @if !sector.is_empty() && !c.sectors.contains(&sector) { option value=(sector) selected { (sector) } }
            } }
            label { (t("filter-facility")) " " select name="facility" id="f-facility" {
                option value="" { (t("any")) }
                @for (id, name) in &c.facilities { option value=(id) selected[id.as_str() == facility] { (name) } }
            } }
            label { (t("filter-kind")) " " select name="kind" id="f-kind" {
                option value="" { (t("any")) }
                @for k in FlowKind::ALL { option value=(k.as_str()) selected[k.as_str() == kind] { (i18n::value(k.as_str())) } }
            } }
            label { (t("filter-status")) " " select name="status" id="f-status" {
                option value="" { (t("any")) }
                @for s in STATUSES { option value=(s) selected[s == status] { (i18n::value(s)) } }
            } }
            label { (t("filter-instrument")) " " select name="instrument" id="f-instrument" {
                option value="" { (t("any")) }
                @for s in INSTRUMENTS { option value=(s) selected[s == instrument] { (i18n::value(s)) } }
            } }
            label { (t("filter-currency")) " " input type="text" name="currency" size="8" maxlength="60" list="currencies" value=(filter.currency) id="f-currency"; }
            datalist id="currencies" { @for c in ["USD", "EUR", "JPY", "KZT", "UAH", "GBP"] { option value=(c) {} } }
            button type="submit" id="f-apply" { (t("filter")) }
            " " a href=(action) id="f-clear" { (t("filter-clear")) }
        }
        }
    }
}

/// A country's name in the reader's language with its code ("Казахстан (KZ)"), else the code.
pub fn country_name(code: &str) -> String {
    let name = crate::labels::country(code);
    if name == code {
        code.to_string()
    } else {
        format!("{name} ({code})")
    }
}

/// The filter's query parameters in the OpenAPI document, with their schemas.
pub fn openapi_params(op: Op) -> Op {
    let status: Vec<&str> = STATUSES.to_vec();
    let instruments: Vec<&str> = INSTRUMENTS.to_vec();
    let kinds: Vec<&str> = FlowKind::ALL.map(FlowKind::as_str).to_vec();
    op.param("year_from", ParameterIn::Query, false, "first year of the flows' value date (inclusive)", crate::api::openapi::integer(1900, Some(2200)))
        .param("year_to", ParameterIn::Query, false, "last year of the flows' value date (inclusive)", crate::api::openapi::integer(1900, Some(2200)))
        .param_of::<RecordId>("donor", ParameterIn::Query, false, "organisation id of the donor (the provider of the money, or the activity's funding participant)")
        .param("agencies", ParameterIn::Query, false, "true (default): a donor includes the agencies under it and totals by donor are per top organisation; false: each agency apart", crate::api::openapi::string(&["true", "false"]))
        .param_of::<aidtrace_domain::CountryCode>("recipient", ParameterIn::Query, false, "recipient country (ISO 3166-1 alpha-2); a flow split between countries counts for the country's percentage")
        .query("region", false, "region name, optionally after its country (`KZ:Abai`); counts the region's percentage")
        .param("sector", ParameterIn::Query, false, "DAC purpose code (5 digits) or category (3 digits); counts the matching sectors' percentage", crate::api::openapi::string(&[]))
        .param_of::<RecordId>("facility", ParameterIn::Query, false, "facility id: flows of activities that name it")
        .query_enum("kind", false, "flow kind", &kinds)
        .query_enum("status", false, "activity status", &status)
        .query_enum("instrument", false, "activity instrument", &instruments)
        .param_of::<aidtrace_domain::CurrencyCode>("currency", ParameterIn::Query, false, "ISO 4217 code of the converted figures (default USD; any currency with rates)")
}

/// Where each kind of record named by an excluded entry is shown.
pub fn record_link(kind: RecordKind, id: &RecordId, snap: &Snapshot) -> String {
    crate::tables::record_href(&snap.ledger, kind, id.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_keeps_the_last_four_exports_asked_for() {
        let memo = Memo::default();
        for key in ["a", "b", "c", "d", "e"] {
            memo.keep_export(key.to_string(), Arc::default());
        }
        assert!(memo.export("a").is_none(), "the oldest went");
        for key in ["b", "c", "d", "e"] {
            assert!(memo.export(key).is_some(), "{key} kept");
        }
        memo.keep_export("b".to_string(), Arc::default());
        memo.keep_export("f".to_string(), Arc::default());
        assert!(
            memo.export("c").is_none(),
            "b was asked again, so c is now the oldest"
        );
        assert!(memo.export("b").is_some());
    }
}
