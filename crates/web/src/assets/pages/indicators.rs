//! The indicators page and its CSV/XLSX: the query (facility, grouping, period), the report the
//! service computes, and the tables drawn from it. Kept apart from `pages.rs` so that file stays
//! under 1,000 lines.

use super::*;

/// Indicator query: whole days `from`..=`to`, a grouping and a report currency.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct IndicatorQuery {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub by: String,
    #[serde(default)]
    pub currency: String,
}

pub(super) struct Resolved {
    pub(super) period: Period,
    /// `period` cut at now: what the figures cover (hours still to come are not counted).
    pub(super) lived: Period,
    pub(super) from: NaiveDate,
    pub(super) to: NaiveDate,
    pub(super) by: GroupBy,
    pub(super) by_name: &'static str,
    pub(super) currency: CurrencyCode,
}

const GROUPINGS: [(&str, GroupBy); 6] = [
    ("facility", GroupBy::Facility),
    ("region", GroupBy::Region),
    ("donor", GroupBy::Donor),
    ("model", GroupBy::Model),
    ("asset", GroupBy::Asset),
    ("all", GroupBy::All),
];

impl IndicatorQuery {
    /// Defaults: the last 365 days to today, by facility, in USD.
    pub(super) fn resolve(&self) -> ApiResult<Resolved> {
        let today = Utc::now().date_naive();
        let date = |field: &'static str, raw: &str, default: NaiveDate| {
            if raw.trim().is_empty() {
                return Ok(default);
            }
            NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| {
                ApiError::bad_request(
                    "invalid_query",
                    format!("{field} = {raw:?} is not a date (YYYY-MM-DD)"),
                )
                .with_field(field)
                .said(raw.trim(), Msg::new("err-date"))
            })
        };
        let to = date("to", &self.to, today)?;
        let from = date("from", &self.from, Period::default_from(to))?;
        let period = Period::days(from, to).ok_or_else(|| {
            ApiError::bad_request("invalid_query", format!("from = {from} is after to = {to}"))
                .with_field("from")
                .said(i18n::date(from), Msg::new("query-err-from-after-to"))
        })?;
        // A period of hours still to come is a query to fix (400), refused before the service
        // would refuse it as a rule of the indicators.
        let Some(lived) = period.until(Utc::now().naive_utc()) else {
            return Err(ApiError::bad_request(
                "invalid_query",
                format!("from = {from}: the period begins in the future; indicators count only time already past"),
            )
            .with_field("from")
            .said(i18n::date(from), Msg::new("verr-period-in-future")));
        };
        let by_raw = if self.by.is_empty() {
            "facility"
        } else {
            self.by.as_str()
        };
        let (by_name, by) = GROUPINGS
            .into_iter()
            .find(|(n, _)| *n == by_raw)
            .ok_or_else(|| {
                ApiError::bad_request(
                    "invalid_query",
                    format!(
                        "by = {by_raw:?} is not one of facility, region, donor, model, asset, all"
                    ),
                )
                .with_field("by")
            })?;
        let currency = if self.currency.trim().is_empty() {
            CurrencyCode::usd()
        } else {
            CurrencyCode::parse(self.currency.trim()).map_err(|e| {
                ApiError::bad_request(
                    "invalid_query",
                    format!("currency = {:?}: {}", self.currency, e.message),
                )
                .with_field("currency")
            })?
        };
        Ok(Resolved {
            period,
            lived,
            from,
            to,
            by,
            by_name,
            currency,
        })
    }
}

pub(super) struct Report {
    pub(super) groups: BTreeMap<String, Indicators>,
    pub(super) money: MoneyToMachine,
    /// The part of the asked period the figures cover: it ends now if it reached further.
    pub(super) lived: Period,
}

/// The indicators of the snapshot's ledger and rates (see [`rows`]).
pub(super) async fn report(state: &AppState, q: &Resolved) -> ApiResult<Report> {
    let snap = state.snapshot().await?;
    let (lived, by, currency) = (q.lived, q.by, q.currency.clone());
    blocking(move || {
        let groups = svc::indicators_in(&snap.ledger, &snap.rates, lived, by, &currency);
        // Money-to-machine is a point-in-time figure: taken at the period's end.
        let money = svc::money_to_machine_in(&snap.ledger, &snap.rates, lived.to, None, &currency);
        Ok(Report {
            groups,
            money,
            lived,
        })
    })
    .await
}

const INDICATOR_HEADERS: [&str; 32] = [
    "group",
    "assets",
    "in_inventory",
    "functional",
    "fleet_functional_pct",
    "operating_hours",
    "unplanned_downtime_hours",
    "planned_downtime_hours",
    "uptime_pct",
    "uptime_all_pct",
    "failures",
    "mtbf_hours",
    "device_failures",
    "device_mtbf_hours",
    "repairs",
    "mttr_hours",
    "pm_due",
    "pm_on_time",
    "pm_late",
    "pm_missed",
    "pm_completion_pct",
    "service_cost",
    "acquisition_cost",
    "cosr_pct",
    "cost_unknown",
    "backlog",
    "backlog_corrective",
    "cosr_assets",
    "cosr_population",
    "hours_to_acknowledge",
    "hours_to_start",
    "repair_hours",
];

/// Whether cell `i` of `row` is a mean time between failures drawn from fewer than three of
/// them: one failure gave "MTBF 61,291 h" for eight devices, minutes after it happened.
fn few_failures(headers: &[&str], row: &[String], i: usize) -> bool {
    let count_of = |name: &str| {
        headers
            .iter()
            .position(|h| *h == name)
            .and_then(|at| row.get(at))
            .and_then(|v| v.parse::<u64>().ok())
    };
    let failures = match headers.get(i) {
        Some(&"mtbf_hours") => count_of("failures"),
        Some(&"device_mtbf_hours") => count_of("device_failures"),
        _ => return false,
    };
    !row[i].is_empty() && failures.is_some_and(|n| n < 3)
}

/// A group of the indicators as the page names it: a facility, donor, model or asset by its name
/// with a link to it (the CSV keeps the id); a region or "all" as it is.
fn group_cell(snap: &crate::state::Snapshot, by: GroupBy, key: &str) -> Markup {
    let ledger = &snap.ledger;
    let Ok(id) = RecordId::parse(key) else {
        return html! { (key) };
    };
    let (kind, name) = match by {
        GroupBy::Facility => (
            RecordKind::Facility,
            ledger.record_name(&id).map(String::from),
        ),
        GroupBy::Donor => (
            RecordKind::Organisation,
            ledger.record_name(&id).map(String::from),
        ),
        GroupBy::Model => (
            RecordKind::DeviceModel,
            ledger.device_models.get(&id).map(|m| m.model_name.clone()),
        ),
        GroupBy::Asset => (
            RecordKind::Asset,
            ledger.assets.get(&id).map(|a| a.inventory_tag.clone()),
        ),
        GroupBy::Region | GroupBy::All => return html! { (key) },
    };
    let href = match kind {
        RecordKind::DeviceModel => None,
        other => Some(crate::tables::record_href(&snap.ledger, other, key)),
    };
    match (name, href) {
        (Some(name), Some(href)) => html! { a href=(href) title=(key) { (name) } },
        (Some(name), None) => html! { span title=(key) { (name) } },
        (None, _) => html! { (key) },
    }
}

fn indicator_table(groups: &BTreeMap<String, Indicators>) -> Table {
    Table {
        name: "asset-indicators".into(),
        headers: INDICATOR_HEADERS.to_vec(),
        rows: groups
            .iter()
            .map(|(k, i)| {
                vec![
                    k.clone(),
                    i.assets.to_string(),
                    i.in_inventory.to_string(),
                    i.functional.to_string(),
                    dec(i.fleet_functional_pct),
                    dec(Some(i.operating_hours)),
                    dec(Some(i.unplanned_downtime_hours)),
                    dec(Some(i.planned_downtime_hours)),
                    dec(i.uptime_pct),
                    dec(i.uptime_all_pct),
                    i.failures.to_string(),
                    dec(i.mtbf_hours),
                    i.device_failures.to_string(),
                    dec(i.device_mtbf_hours),
                    i.repairs.to_string(),
                    dec(i.mttr_hours),
                    i.pm_due.to_string(),
                    i.pm_on_time.to_string(),
                    i.pm_late.to_string(),
                    i.pm_missed.to_string(),
                    dec(i.pm_completion_pct),
                    i.service_cost.round_dp(2).to_string(),
                    i.acquisition_cost.round_dp(2).to_string(),
                    dec(i.cosr_pct),
                    i.cost_unknown.to_string(),
                    i.backlog.to_string(),
                    i.backlog_corrective.to_string(),
                    i.cosr_assets.to_string(),
                    i.cosr_population.to_string(),
                    dec(i.response.mean_hours_to_acknowledge),
                    dec(i.response.mean_hours_to_start),
                    dec(i.response.mean_repair_hours),
                ]
            })
            .collect(),
    }
}

/// PM compliance of each group split by the models' risk class, as the CLI's `kpi show` gives
/// it; groups with nothing due are left out.
fn pm_by_risk_table(groups: &BTreeMap<String, Indicators>) -> Markup {
    let rows: Vec<(&String, &String, &aidtrace_domain::assets::pm::PmCompliance)> = groups
        .iter()
        .flat_map(|(g, i)| {
            i.pm_by_risk_class
                .iter()
                .map(move |(class, c)| (g, class, c))
        })
        .collect();
    html! {
        @if !rows.is_empty() {
            h2 { (t("asset-pm-risk-title")) }
            table class="list" id="table-asset-pm-risk" {
                thead { tr {
                    th { (word("ind", "group")) } th { (t("asset-pm-risk-class")) }
                    th { (word("ind", "pm_due")) } th { (word("ind", "pm_on_time")) }
                    th { (word("ind", "pm_late")) } th { (word("ind", "pm_missed")) }
                    th { (word("ind", "pm_completion_pct")) }
                } }
                tbody { @for (g, class, c) in rows { tr {
                    td { (g) } td { @if class.as_str() == "unknown" { (t("asset-pm-risk-unknown")) } @else { (class) } } td { (c.due) } td { (c.on_time) } td { (c.late) } td { (c.missed) }
                    td { (number_text(&dec(c.completion_pct))) }
                } } }
            }
        }
    }
}

fn indicator_query_string(q: &Resolved) -> String {
    format!(
        "?from={}&to={}&by={}&currency={}",
        q.from, q.to, q.by_name, q.currency
    )
}

pub async fn indicators_page(
    State(state): State<AppState>,
    caller: Caller,
    PageQuery(raw): PageQuery<IndicatorQuery>,
) -> PageResult<Html<String>> {
    readable(&state, &caller)?;
    let q = raw.resolve()?;
    let r = report(&state, &q).await?;
    let snap = state.snapshot().await?;
    let table = indicator_table(&r.groups);
    let query = indicator_query_string(&q);
    let m = &r.money;
    let buckets = [
        ("donated", &m.donated),
        ("commissioned", &m.commissioned),
        ("baseline", &m.baseline),
        ("in_service", &m.in_service),
        ("idle", &m.idle),
        ("never_installed", &m.never_installed),
        ("retired", &m.retired),
    ];
    let content = html! {
        form method="get" action="/assets/indicators" class="filters" {
            label { (t("assets-from")) " " input type="date" name="from" value=(q.from); }
            label { (t("assets-to")) " " input type="date" name="to" value=(q.to); }
            label { (t("assets-by")) " " select name="by" { @for (n, _) in GROUPINGS { option value=(n) selected[n == q.by_name] { (word("by", n)) } } } }
            label { (t("assets-currency")) " " input type="text" name="currency" value=(q.currency) size="4"; }
            button type="submit" { (t("filter")) }
        }
        p class="muted" {
            (t("asset-period")) " " (i18n::date(q.from)) " – "
            @if r.lived.to < q.period.to {
                (i18n::date(r.lived.to.date())) " " (r.lived.to.format("%H:%M")) " UTC " (t("asset-period-until-now"))
            } @else {
                (i18n::date(q.to))
            }
            " " (t("asset-period-rules")) " * " (t("asset-mtbf-few"))
        }
        div class="scroll" {
            table class="list" id="table-asset-indicators" {
                thead { tr { @for h in &table.headers { th { (word("ind", h)) } } } }
                tbody { @for row in &table.rows { tr { @for (i, c) in row.iter().enumerate() { td {
                    @if i == 0 { (group_cell(&snap, q.by, c)) } @else { (number_text(c)) }
                    @if few_failures(&table.headers, row, i) { " " abbr class="provisional" title=(t("asset-mtbf-few")) { "*" } }
                } } } } }
            }
        }
        (pm_by_risk_table(&r.groups))
        h2 { (t("assets-money-to-machine")) }
        p class="muted" { (t("asset-donated-at")) " " (i18n::date(q.to)) ", " (t("asset-value-in")) " " (q.currency) "." }
        table class="list" id="money-to-machine" {
            thead { tr { th { "" } th { (t("asset-count")) } th { (t("asset-value")) } th { (t("asset-value-unknown")) } } }
            tbody { @for (name, b) in buckets { tr id=(format!("m2m-{name}")) { td { (word("m2m", name)) } td { (b.count) } td { (i18n::number(b.value.round_dp(2))) } td { (b.value_unknown) } } } }
        }
        @if let Some(med) = m.median_months_to_commissioning { p { (t("asset-median-months")) ": " (i18n::number(med.round_dp(1))) } }
        @if m.agreement_date_unknown > 0 { p class="muted" { (t("asset-no-dated-agreement")) ": " (m.agreement_date_unknown) } }
        (export_links("/assets/indicators", &query, &format!("/api/v1/reports/assets{query}")))
    };
    Ok(layout(&t("title-asset-indicators"), &caller, content))
}

/// The indicator table as CSV or XLSX (the route's extension), for the page's query.
pub async fn indicators_file(
    State(state): State<AppState>,
    caller: Caller,
    kind: FileKind,
    PageQuery(raw): PageQuery<IndicatorQuery>,
) -> PageResult<Response> {
    readable(&state, &caller)?;
    let q = raw.resolve()?;
    let r = report(&state, &q).await?;
    Ok(tables::download(&indicator_table(&r.groups), kind)?)
}
