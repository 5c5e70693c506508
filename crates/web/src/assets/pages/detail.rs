//! One asset's page: its record, donation checks, history and the report links its viewer may
//! use. Kept apart from `pages.rs` so that file stays under 1,000 lines.

use super::*;

/// An event's note. A `down` event recorded with its downtime shows the downtime's cause by its
/// label (the note the service wrote for it is the English of the same, so it is not repeated);
/// any other note as written.
fn event_note(e: &AssetEvent, downtimes: &[Downtime]) -> String {
    let mut note = e.note.clone().unwrap_or_default();
    if let Some(d) = &e.disposal {
        let mut parts = vec![label(d.method), label(d.data_wipe)];
        if !d.hazardous.is_empty() {
            parts.push(format!(
                "{}: {}",
                t("asset-disposal-hazardous"),
                d.hazardous.join(", ")
            ));
        }
        parts.extend(d.certificate.clone());
        if !note.is_empty() {
            parts.push(note);
        }
        note = parts.join(" · ");
    }
    match svc::down_cause_of(e, downtimes) {
        Some(cause) if note.is_empty() || note == svc::down_note(cause) => {
            format!("{}: {}", t("assets-report-down"), label(cause))
        }
        Some(cause) => format!("{}: {} · {note}", t("assets-report-down"), label(cause)),
        None => note,
    }
}

fn reportable(caller: &Caller, ledger: &Ledger, asset: &RecordId) -> bool {
    caller
        .principal()
        .is_some_and(|p| may_report(p, ledger, asset).is_ok())
}

pub async fn detail(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<String>,
) -> PageResult<Html<String>> {
    readable(&state, &caller)?;
    let id = parse_id(&raw)?;
    let snap = state.snapshot().await?;
    let ledger = &snap.ledger;
    let st = state.clone();
    let aid = id.clone();
    let shared = snap.clone();
    let (d, pm, safety) = blocking(move || {
        // The asset's history from the snapshot, not the whole store read again per visitor.
        let d = svc::asset_detail_in(&shared.ledger, &aid)?;
        let today = Utc::now().naive_utc();
        let from = d
            .events
            .first()
            .map_or(today - chrono::Duration::days(365), |e| e.at);
        let pm = svc::pm_schedule_in(
            &shared.ledger,
            Some(&d.asset.facility),
            from,
            today + chrono::Duration::days(180),
        )
        .into_iter()
        .filter(|i| i.asset == aid)
        .collect::<Vec<_>>();
        let safety = crate::assets::recalls::asset_safety(&*st.reader()?, &d.asset)?;
        Ok((d, pm, safety))
    })
    .await?;
    let a = &d.asset;
    let org = |o: &Option<RecordId>| o.as_ref().map(|o| ledger.org_name(o));
    let model = ledger.device_models.get(&a.model);
    let failed: Vec<String> = d
        .donation
        .iter()
        .flat_map(|r| {
            r.items
                .iter()
                .filter(|i| i.outcome == aidtrace_domain::assets::donation::Outcome::Fail)
                .map(donation_failure)
        })
        .collect();
    // Voiding an event and a work order's progress are for who may report the asset down.
    let may_act = reportable(&caller, ledger, &id);
    let content = html! {
        dl class="facts" {
            dt { (t("status")) } dd id="asset-state" data-state=(d.state.map_or("none", LifecycleState::as_str)) { (state_word(d.state)) }
            dt { (t("assets-tag")) } dd { (a.inventory_tag) }
            @if let Some(s) = &a.serial { dt { (t("asset-serial")) } dd { (s) } }
            dt { (t("assets-model")) } dd { (model.map_or_else(|| a.model.to_string(), |m| m.model_name.clone())) @if let Some(m) = model { " — " (ledger.org_name(&m.manufacturer)) } }
            dt { (t("assets-facility")) } dd { a href=(format!("/facilities/{}", a.facility)) { (ledger.facility_name(&a.facility)) } @if let Some(l) = &a.location { " · " (l) } }
            dt { (t("asset-criticality")) } dd { (label(a.criticality)) }
            @if aidtrace_domain::assets::lifecycle::is_baseline(&d.events) { dt { (t("asset-baseline")) } dd id="baseline" { (t("asset-baseline-note")) " " (d.events.first().map(|e| datetime(e.at)).unwrap_or_default()) } }
            dt { (t("assets-money-to-machine")) } dd id="money-to-machine" {
                @if let Some(act) = &a.funding.activity { a href=(format!("/activities/{act}")) { (ledger.activities.get(act).map_or_else(|| act.to_string(), |x| x.title.clone())) } }
                @if let (Some(act), Some(l)) = (&a.funding.activity, &a.funding.equipment_line) { " → " a href=(format!("/activities/{act}#{l}")) { (ledger.equipment_lines.get(l).map_or_else(|| l.to_string(), |x| x.description.clone())) } }
                " (" (label(a.funding.acquisition)) ", " (label(a.funding.condition)) ")"
            }
            @if let Some(c) = &a.cost { dt { (t("asset-cost")) } dd { (i18n::number(c.amount)) " " (c.currency) } }
            dt { (t("assets-responsible")) } dd { (org(&a.responsible).unwrap_or_else(|| "—".into())) }
            dt { (t("assets-om-payer")) } dd id="om-payer" { (org(&a.om_payer).unwrap_or_else(|| t("asset-not-recorded"))) }
            @if let Some(n) = &a.note { dt { (t("assets-note")) } dd class="muted" { (n) } }
        }
        @if reportable(&caller, ledger, &id) {
            p { a class="button" id="report-down" href=(format!("/assets/{id}/down")) { (t("assets-report-down")) } }
        }
        p class="muted" { (t("assets-short-url")) ": " code { "/a/" (id) } }
        p { a id="service-link" href=(format!("/assets/service?asset={id}")) { (t("asset-service-title")) } }
        @if !d.donation.is_empty() {
            h2 { (t("donation-verdict")) }
            ul id="donation-verdicts" { @for r in &d.donation {
                li class=(verdict_class(&r.verdict)) data-verdict=(r.verdict.as_str()) {
                    (r.check) ": " b { (t(&format!("donation-verdict-{}", r.verdict.as_str().replace('_', "-")))) }
                    @if !r.verdict.items().is_empty() {
                        " — " (r.verdict.items().iter().map(|i| t(&format!("donation-item-{}", i.as_str().replace('_', "-")))).collect::<Vec<_>>().join(", "))
                    }
                }
                @for i in r.items.iter().filter(|i| i.disagreement.is_some()) {
                    li class="finding warning" { (t("donation-disagreement")) " · " (t(&format!("donation-item-{}", i.item.as_str().replace('_', "-")))) ": " (i.disagreement.clone().unwrap_or_default()) }
                }
            } }
        }
        @if !failed.is_empty() {
            h2 { (t("assets-donation-failures")) }
            ul id="donation-failures" { @for f in &failed { li class="finding error" { (f) } } }
        }
        h2 { (t("assets-events")) }
        table class="list" id="events" {
            thead { tr { th { (t("asset-at")) } th { (t("status")) } th { (t("asset-by-whom")) } th { (t("assets-note")) } th { (t("asset-recorded-at")) } @if may_act { th { (t("asset-void-event")) } } } }
            tbody { @for e in &d.events { tr id=(e.id) { td { (datetime(e.at)) } td { (label(e.state)) } td { (e.by.clone().unwrap_or_default()) } td { (event_note(e, &d.downtimes)) } td { (e.recorded_at.map(datetime).unwrap_or_default()) }
                @if may_act { td { a href=(format!("/assets/{id}/events/{}/void", e.id)) { (t("asset-void-event")) } } } } } }
        }
        @if !d.voided_events.is_empty() {
            // Kept for the record: a wrong entry is voided, never edited or deleted.
            h2 { (t("assets-voided")) }
            table class="list" id="voided-events" {
                thead { tr { th { (t("asset-at")) } th { (t("status")) } th { (t("asset-voided-at")) } th { (t("asset-void-reason")) } } }
                tbody { @for e in &d.voided_events { tr {
                    td { s { (datetime(e.at)) } } td { s { (label(e.state)) } }
                    td { (e.voided.as_ref().map(|v| datetime(v.at)).unwrap_or_default()) }
                    td { (e.voided.as_ref().map(|v| v.reason.clone()).unwrap_or_default()) }
                } } }
            }
        }
        h2 { (t("assets-downtime")) }
        @if d.downtimes.is_empty() { p class="muted" { "—" } }
        @else {
            table class="list" id="downtimes" {
                thead { tr { th { (t("asset-start")) } th { (t("asset-end")) } th { (t("assets-cause")) } th { (t("asset-planned")) } th { (t("asset-work-order")) } } }
                tbody { @for x in &d.downtimes { tr id=(x.id) {
                    td { (datetime(x.start)) } td { @match x.end { Some(e) => { (datetime(e)) }, None => { b { (t("asset-open")) } } } }
                    td { (label(x.cause)) } td { (if x.planned { t("asset-yes") } else { String::new() }) }
                    td { (x.work_order.as_ref().map(|w| w.to_string()).unwrap_or_default()) }
                } } }
            }
        }
        h2 { (t("assets-work-orders")) }
        @if d.work_orders.is_empty() { p class="muted" { "—" } }
        @else {
            table class="list" id="work-orders" {
                thead { tr { th { (t("asset-id")) } th { (t("asset-kind")) } th { (t("status")) } th { (t("asset-priority")) } th { (t("asset-opened")) } th { (t("asset-closed")) } th { (t("assets-note")) } } }
                tbody { @for w in &d.work_orders { tr id=(w.id) {
                    td { @if may_act { a href=(format!("/assets/{id}/work-orders/{}", w.id)) { (w.id) } } @else { (w.id) } } td { (label(w.kind)) } td { (label(w.status)) } td { (label(w.priority)) }
                    td { (datetime(w.opened)) } td { (w.closed.map(datetime).unwrap_or_default()) } td { (w.note.clone().unwrap_or_default()) }
                } } }
            }
        }
        (crate::assets::recalls::asset_sections(&id, &safety, reportable(&caller, ledger, &id)))
        h2 { (t("assets-pm-schedule")) }
        @if pm.is_empty() { p class="muted" { "—" } }
        @else {
            table class="list" id="pm-schedule" {
                thead { tr { th { (t("asset-due")) } th { (t("asset-plan")) } th { (t("asset-window-days")) } th { (t("asset-done-by")) } } }
                tbody { @for i in &pm { tr {
                    td { (datetime(i.due)) } td { (i.description) } td { "± " (i.window_days) }
                    td { @match (i.status(now()), i.done_by.as_ref().or(i.done_late_by.as_ref())) {
                        (PmStatus::OnTime, Some(w)) => { (w) },
                        (PmStatus::Late, Some(w)) => { span class="warn" { (t("asset-late")) } " " (w) },
                        (PmStatus::Missed, _) => { span class="warn" { (t("asset-missed")) } },
                        _ => { (t("asset-to-do")) },
                    } }
                } } }
            }
        }
    };
    Ok(layout(
        &format!("{} · {}", a.inventory_tag, a.id),
        &caller,
        content,
    ))
}

fn verdict_class(v: &Verdict) -> &'static str {
    match v {
        Verdict::Fit => "finding",
        Verdict::NotFit { .. } => "finding error",
        Verdict::NotAssessed { .. } => "finding warning",
    }
}
