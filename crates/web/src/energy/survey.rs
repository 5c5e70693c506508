//! The load survey on the energy pages: a per-region (oblast) table and a per-facility table on
//! `/energy`, and one facility's survey at `/energy/survey/{id}` with every unknown figure
//! flagged as unknown, never shown as 0. Figures come from `aidtrace_service::energy_survey`.

use std::collections::BTreeMap;

use aidtrace_domain::assets::load::LoadTier;
use aidtrace_domain::{Ledger, RecordId};
use aidtrace_service::energy_survey::{
    Coverage, Origin, Survey, SurveyOptions, TierSummary, surveys,
};
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Html;
use axum::routing::get;
use maud::{Markup, html};
use rust_decimal::Decimal;

use crate::auth::Caller;
use crate::auth::can_read;
use crate::error::{ApiError, PageResult};
use crate::i18n::{self, t, ta};
use crate::request_ctx::layout;
use crate::state::AppState;

/// Routes of this area, merged into [`crate::app`].
pub fn routes() -> Router<AppState> {
    Router::new().route("/energy/survey/{id}", get(page))
}

fn all_surveys(ledger: &Ledger) -> Result<Vec<Survey>, ApiError> {
    surveys(ledger, SurveyOptions::new(chrono::Utc::now().naive_utc())).map_err(ApiError::internal)
}

/// A kW figure, or the word "unknown" marked for the eye and for tests.
fn kw(v: Option<Decimal>) -> Markup {
    match v {
        Some(d) => html! { (i18n::number(d.round_dp(2).normalize())) },
        None => html! { span class="unknown" { (t("survey-unknown")) } },
    }
}

/// A tier's known sum, with "+ N unknown" when some of its loads have no figure.
fn tier_cell(s: &TierSummary) -> Markup {
    html! {
        (i18n::number(s.known_average_kw.round_dp(2).normalize()))
        @if s.unknown > 0 {
            " " span class="unknown" { (ta("survey-plus-unknown", &[("count", &s.unknown.to_string())])) }
        }
    }
}

fn coverage_cell(c: Coverage) -> Markup {
    match c {
        Coverage::Unknown => html! { span class="unknown" { (i18n::value("coverage_unknown")) } },
        other => html! { (i18n::value(&format!("coverage_{}", other.as_str()))) },
    }
}

fn illustrative_badge(s: &Survey) -> Markup {
    html! {
        @if let Some(n) = &s.illustrative {
            " " span class="badge illustrative" title=(n) { (t("illustrative")) }
        }
    }
}

/// Region rows: facilities, the worst recorded outage hours, tier sums with their unknowns,
/// usable backup and how many facilities are covered, short or unknown.
struct RegionRow<'a> {
    region: &'a str,
    code: Option<&'a str>,
    surveys: Vec<&'a Survey>,
}

fn region_rows(all: &[Survey]) -> Vec<RegionRow<'_>> {
    let mut by: BTreeMap<(&str, &str), RegionRow<'_>> = BTreeMap::new();
    for s in all {
        by.entry((s.country.as_str(), s.region.as_str()))
            .or_insert_with(|| RegionRow {
                region: &s.region,
                code: s.region_code.as_deref(),
                surveys: Vec::new(),
            })
            .surveys
            .push(s);
    }
    by.into_values().collect()
}

fn sum_tier(rows: &[&Survey], tier: LoadTier) -> (Decimal, usize) {
    rows.iter().fold((Decimal::ZERO, 0), |(k, u), s| {
        let t = s.tier(tier);
        (
            k.saturating_add(t.known_average_kw),
            u + t.unknown + usize::from(!s.surveyed),
        )
    })
}

/// The survey part of `/energy`: regions, then facilities.
pub fn overview(ledger: &Ledger) -> Result<Markup, ApiError> {
    let all = all_surveys(ledger)?;
    let regions = region_rows(&all);
    Ok(html! {
        h2 id="energy-regions-title" { (t("survey-regions")) }
        div class="table-scroll" {
        table id="energy-regions" {
            thead { tr {
                th { (t("energy-region")) } th { (t("survey-region-code")) } th { (t("survey-facilities")) }
                th { (t("survey-outage-h")) }
                @for tier in LoadTier::ALL { th { (i18n::value(tier.as_str())) " (" (t("unit-kw")) ")" } }
                th { (t("survey-usable-backup")) } th { (t("survey-coverage-counts")) }
            } }
            tbody {
                @for r in &regions {
                    @let outage = r.surveys.iter().filter_map(|s| s.outage_h_per_day).max();
                    @let backup_unknown = r.surveys.iter().filter(|s| s.usable_backup_kw.is_none()).count();
                    @let backup: Decimal = r.surveys.iter().filter_map(|s| s.usable_backup_kw).fold(Decimal::ZERO, Decimal::saturating_add);
                    // Counted on the tiers a plan serves first: life support and critical.
                    @let count = |c: Coverage| r.surveys.iter().filter(|s| s.tier(LoadTier::Critical).coverage == c).count();
                    tr {
                        td { (r.region) } td { (r.code.unwrap_or("")) } td class="num" { (r.surveys.len()) }
                        td class="num" { (kw(outage)) }
                        @for tier in LoadTier::ALL {
                            @let (known, unknown) = sum_tier(&r.surveys, tier);
                            td class="num" {
                                (i18n::number(known.round_dp(2).normalize()))
                                @if unknown > 0 { " " span class="unknown" { (ta("survey-plus-unknown", &[("count", &unknown.to_string())])) } }
                            }
                        }
                        td class="num" {
                            (i18n::number(backup.round_dp(2).normalize()))
                            @if backup_unknown > 0 { " " span class="unknown" { (ta("survey-plus-unknown", &[("count", &backup_unknown.to_string())])) } }
                        }
                        td { (ta("survey-counts", &[
                            ("covered", &count(Coverage::Covered).to_string()),
                            ("short", &count(Coverage::Short).to_string()),
                            ("unknown", &count(Coverage::Unknown).to_string()),
                        ])) }
                    }
                }
            }
        }
        }
        h2 id="energy-survey-title" { (t("survey-title")) }
        p class="muted" { (t("survey-note")) " " a href="#energy-plan" { (t("survey-to-plan")) } }
        div class="table-scroll" {
        table id="energy-survey" {
            thead { tr {
                th { (t("energy-facility")) } th { (t("energy-region")) }
                @for tier in LoadTier::ALL { th { (i18n::value(tier.as_str())) " (" (t("unit-kw")) ")" } }
                th { (t("survey-usable-backup")) } th { (t("survey-coverage")) }
            } }
            tbody {
                @for s in &all {
                    tr id=(format!("survey-{}", s.facility)) {
                        td { a href=(format!("/energy/survey/{}", s.facility)) { (s.name) } (illustrative_badge(s)) }
                        td { (s.region) }
                        @for tier in LoadTier::ALL {
                            td class="num" {
                                @if s.surveyed { (tier_cell(s.tier(tier))) } @else { span class="unknown" { (t("survey-not-surveyed")) } }
                            }
                        }
                        td class="num" { (kw(s.usable_backup_kw)) @if let Some(c) = s.backup_condition { " (" (i18n::value(c.as_str())) ")" } }
                        td {
                            @for (i, ts) in s.tiers.iter().enumerate() {
                                @if i > 0 { " · " }
                                (i18n::value(ts.tier.as_str())) ": " (coverage_cell(ts.coverage))
                            }
                        }
                    }
                }
            }
        }
        }
    })
}

pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<String>,
) -> PageResult<Html<String>> {
    can_read(&state, &caller)?;
    let id = RecordId::parse(&raw)
        .map_err(|_| ApiError::not_found(ta("err-no-facility-id", &[("id", &raw)])))?;
    let snap = state.snapshot().await?;
    if !snap.ledger.facilities.contains_key(&id) {
        return Err(ApiError::not_found(ta("err-no-facility-id", &[("id", id.as_str())])).into());
    }
    let all = all_surveys(&snap.ledger)?;
    let Some(s) = all.iter().find(|s| s.facility == id.as_str()) else {
        return Err(ApiError::not_found(ta("err-no-facility-id", &[("id", id.as_str())])).into());
    };
    let content = html! {
        @if let Some(n) = &s.illustrative {
            p class="illustrative" id="illustrative" { strong { (t("illustrative")) } ": " (n) }
        }
        p { a href=(format!("/facilities/{}", s.facility)) { (s.name) } " · " (s.region) @if let Some(c) = &s.region_code { " (" (c) ")" } " · " a href="/energy#energy-plan" { (t("survey-to-plan")) } }
        dl class="facts" {
            dt { (t("survey-backup-kva")) } dd { (kw(s.backup_kva)) }
            dt { (t("survey-backup-condition")) } dd { @match s.backup_condition { Some(c) => (i18n::value(c.as_str())), None => span class="unknown" { (t("survey-not-recorded")) } } }
            dt { (t("survey-usable-backup")) } dd id="usable-backup" { (kw(s.usable_backup_kw)) }
            dt { (t("survey-outage-h")) } dd { (kw(s.outage_h_per_day)) }
            dt { (t("survey-largest-step")) } dd id="largest-step" {
                (kw(s.largest_step_kva))
                @if s.step_unknown > 0 { " " span class="unknown" { (ta("survey-step-lower-bound", &[("count", &s.step_unknown.to_string())])) } }
            }
        }
        (power_records(&snap.ledger, &id, &caller))
        h2 { (t("survey-tiers")) }
        table id="survey-tiers" {
            thead { tr { th { (t("survey-tier")) } th { (t("survey-loads")) } th { (t("survey-average-kw")) } th { (t("survey-peak-kw")) } th { (t("survey-coverage")) } } }
            tbody {
                @for ts in &s.tiers {
                    tr {
                        td { (i18n::value(ts.tier.as_str())) } td class="num" { (ts.lines) }
                        td class="num" { (tier_cell(ts)) }
                        td class="num" { (i18n::number(ts.known_peak_kw.round_dp(2).normalize())) }
                        td { (coverage_cell(ts.coverage)) @if let Some(k) = ts.short_kw { " (" (i18n::number(k.round_dp(2).normalize())) " " (t("unit-kw")) ")" } }
                    }
                }
            }
        }
        h2 { (t("survey-lines")) }
        @if !s.surveyed { p class="unknown" id="not-surveyed" { (t("survey-not-surveyed-long")) } }
        div class="table-scroll" {
        table id="survey-lines" {
            thead { tr {
                th { (t("survey-tier")) } th { (t("survey-item")) } th { (t("survey-tier-basis")) }
                th { (t("survey-average-kw")) } th { (t("survey-peak-kw")) } th { (t("survey-kva")) } th { (t("survey-starting-kva")) }
            } }
            tbody {
                @for l in &s.lines {
                    tr class=[l.average_kw.is_none().then_some("unknown-row")] {
                        td { (i18n::value(l.tier.as_str())) }
                        td {
                            @if l.origin == Origin::Asset { a href=(format!("/assets/{}", l.item)) { (l.what) } }
                            @else { (i18n::value(&l.item)) @if l.what != l.item { " — " (l.what) } }
                        }
                        td { (i18n::value(&format!("tier_basis_{}", name_of(&l.tier_basis)))) }
                        td class="num" { (kw(l.average_kw)) } td class="num" { (kw(l.peak_kw)) }
                        td class="num" { (kw(l.kva)) } td class="num" { (kw(l.starting_kva)) }
                    }
                }
            }
        }
        }
        p class="muted" { (t("survey-note")) }
    };
    Ok(layout(
        &ta("title-survey", &[("name", &s.name)]),
        &caller,
        content,
    ))
}

/// The facility's power records with their building loads, each with a link to its form (for
/// people who may edit), and a link to enter one when there is none.
fn power_records(ledger: &Ledger, facility: &RecordId, caller: &Caller) -> Markup {
    let edits = caller
        .principal()
        .is_some_and(crate::auth::Principal::can_edit_something);
    let records: Vec<_> = ledger
        .facility_power
        .values()
        .filter(|p| p.facility == *facility)
        .collect();
    html! {
        h2 id="building-loads-title" { (t("survey-building-loads")) }
        @if records.is_empty() {
            p id="no-power-record" { (t("survey-no-power-record")) }
        }
        @for p in &records {
            @if p.building_loads.is_empty() {
                p class="muted" { (ta("survey-power-no-loads", &[("id", p.id.as_str())])) }
            } @else {
                div class="table-scroll" {
                table class="building-loads" id=(format!("loads-{}", p.id)) {
                    caption { (ta("survey-power-record", &[("id", p.id.as_str())])) }
                    thead { tr {
                        th { (t("field-load-kind")) } th { (t("survey-tier")) }
                        th { (t("survey-average-kw")) } th { (t("survey-peak-kw")) } th { (t("survey-starting-kva")) }
                    } }
                    tbody {
                        @for l in &p.building_loads {
                            tr {
                                td { (i18n::value(l.kind.as_str())) @if let Some(d) = &l.description { " — " (d) } }
                                td { (i18n::value(l.tier().as_str())) }
                                td class="num" { (kw(l.average_kw)) } td class="num" { (kw(l.peak_kw)) }
                                td class="num" { (kw(l.starting_kva)) }
                            }
                        }
                    }
                }
                }
            }
            @if edits {
                p { a class="edit-loads" href=(format!("/forms/facility-power/{}", p.id)) { (ta("survey-edit-loads", &[("id", p.id.as_str())])) } }
            }
        }
        @if edits && records.is_empty() {
            p { a id="new-power-record" href=(format!("/forms/facility-power/new?facility={}", facility)) { (t("survey-new-power-record")) } }
        }
    }
}

fn name_of<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}
