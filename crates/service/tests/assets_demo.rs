//! The seed scenario's assets load, are idempotent, and give the indicators their illustrative
//! year was written for.

mod kit;

use aidtrace_domain::assets::LifecycleState;
use aidtrace_domain::assets::gaps::Scope;
use aidtrace_domain::assets::kpi::{GroupBy, Period};
use aidtrace_domain::{CurrencyCode, RecordId};
use aidtrace_service::{Aidtrace, assets};
use chrono::NaiveDate;
use rust_decimal::Decimal;

fn app() -> (kit::Guard, Aidtrace) {
    let (dir, mut app) = kit::open();
    app.load_demo("test").expect("demo");
    (dir, app)
}

fn id(s: &str) -> RecordId {
    RecordId::parse(s).expect("id")
}

fn year_2025() -> Period {
    Period::days(
        NaiveDate::from_ymd_opt(2025, 1, 1).expect("date"),
        NaiveDate::from_ymd_opt(2025, 12, 31).expect("date"),
    )
    .expect("period")
}

fn d(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

#[test]
fn demo_assets_load_twice_without_change_and_link_their_lines() {
    let (_dir, mut app) = app();
    let again = app.load_demo("test").expect("demo again");
    assert_eq!(again.changed(), 0, "{again:?}");
    let platelets = assets::line_assets(&app, &id("eq-zhezbek-platelet-storage")).expect("line");
    assert_eq!(platelets.len(), 5);
    for line in [
        "eq-semey-mri",
        "eq-semey-ct",
        "eq-semey-endoscopes",
        "eq-semey-icu",
        "eq-semey-emergency-call-system",
        "eq-nct-ct-room",
    ] {
        assert!(
            !assets::line_assets(&app, &id(line))
                .expect("line")
                .is_empty(),
            "{line}"
        );
    }
    assert!(assets::check_stored(&app.ledger().expect("ledger"), app.now()).is_empty());
    assert!(app.verify_audit().expect("verify").problems.is_empty());
}

#[test]
fn demo_year_indicators_match_hand_computed_values() {
    let (_dir, app) = app();
    let usd = CurrencyCode::parse("USD").expect("usd");
    let by_asset = assets::indicators(&app, year_2025(), GroupBy::Asset, &usd).expect("kpi");
    // MRI: in service all year (8760 h); down 10 Mar 08:00 to 12 Mar 16:00 = 56 h.
    let mri = &by_asset["as-semey-mri-1"];
    assert_eq!(mri.operating_hours, d("8760"));
    assert_eq!(mri.unplanned_downtime_hours, d("56"));
    assert_eq!(mri.planned_downtime_hours, d("18"));
    assert_eq!(mri.uptime_pct, Some(d("99.36")));
    assert_eq!(mri.failures, 1);
    assert_eq!(mri.mtbf_hours, Some(d("8704")));
    assert_eq!(mri.mttr_hours, Some(d("56")));
    // Quarterly PM due 17 Mar, 16 Jun, 15 Sep, 15 Dec: two on time, one late, one missed; plus the
    // 2000-hour inspection done within its window.
    assert_eq!((mri.pm_due, mri.pm_on_time), (5, 3));
    // Ventilator 2: open downtime from 20 Nov 07:30 runs to the period end: 1000.5 h.
    let vent = &by_asset["as-semey-vent-2"];
    assert_eq!(vent.unplanned_downtime_hours, d("1000.5"));
    assert_eq!(vent.repairs, 0);
    assert_eq!(vent.functional, 0);
    // Platelet device 1, commissioned mid-period (3 Mar 09:00): operating time starts there,
    // 61 days and 9 hours into the year: 8760 - 1473 = 7287 h.
    let plt = &by_asset["as-zhezbek-platelet-1"];
    assert_eq!(plt.operating_hours, d("7287"));
    // Its COSR: no service cost in the year, acquisition 13,758 USD.
    assert_eq!(plt.cosr_pct, Some(Decimal::ZERO));

    let facilities = assets::indicators(&app, year_2025(), GroupBy::Facility, &usd).expect("kpi");
    // Semey University Hospital's 2025 failures: external power (MRI), awaiting parts (CT),
    // user error (endoscope), wear (ventilator).
    let semey = &facilities["fac-semey-university-hospital"];
    let causes: Vec<(&str, u64)> = semey
        .failures_by_cause
        .iter()
        .map(|(c, n)| (c.as_str(), *n))
        .collect();
    assert_eq!(
        causes,
        [
            ("external_power", 1),
            ("user_error", 1),
            ("wear", 1),
            ("awaiting_parts", 1)
        ]
    );
    let zhezbek = &facilities["fac-zhezbek-blood-centre"];
    // 4 in service + 1 in storage; all four installed ones work at the year end.
    assert_eq!((zhezbek.in_inventory, zhezbek.functional), (5, 4));
    assert_eq!(zhezbek.fleet_functional_pct, Some(d("80")));
}

#[test]
fn money_to_machine_counts_what_donations_became() {
    let (_dir, app) = app();
    let usd = CurrencyCode::parse("USD").expect("usd");
    let end = NaiveDate::from_ymd_opt(2025, 12, 31)
        .and_then(|d| d.and_hms_opt(23, 59, 59))
        .expect("time");
    let all = assets::money_to_machine(&app, end, None, &usd).expect("m2m");
    assert_eq!(all.donated.count, 16);
    assert_eq!(all.never_installed.count, 2);
    assert_eq!(all.commissioned.count, 14);
    assert_eq!(all.idle.count, 1);
    assert_eq!(all.in_service.count, 13);
    let platelets =
        assets::money_to_machine(&app, end, Some(&id("act-kz-ggp-zhezbek-platelets")), &usd)
            .expect("m2m");
    assert_eq!(platelets.donated.value, d("68790"));
    assert_eq!(platelets.in_service.value, d("55032"));
    assert_eq!(platelets.never_installed.value, d("13758"));
    let semey = assets::state_of(&app, &id("as-semey-vent-4"), end).expect("state");
    assert_eq!(semey, Some(LifecycleState::InStorage));
}

#[test]
fn gaps_and_densities_of_the_demo() {
    let (_dir, app) = app();
    let end = NaiveDate::from_ymd_opt(2025, 12, 31)
        .and_then(|d| d.and_hms_opt(23, 0, 0))
        .expect("time");
    let gaps = assets::equipment_gaps(&app, end).expect("gaps");
    let icu = gaps
        .iter()
        .find(|g| g.generic_type == "icu_ventilator")
        .expect("icu standard");
    // 4 ventilators: 3 installed, of which one is down; the fourth is in storage.
    assert_eq!(
        (icu.required, icu.present, icu.functional, icu.gap),
        (6, 3, 2, 4)
    );
    let density = assets::equipment_density(&app, end).expect("density");
    let abai_ct = density
        .rows
        .iter()
        .find(|d| d.region.as_deref() == Some("Abai region") && d.generic_type == "ct_scanner")
        .expect("Abai CT");
    // 1 CT for 610,189 people = 1.64 per million.
    assert_eq!(abai_ct.per_million, Some(d("1.64")));
    // Nationally Semey's CT and the traumatology centre's (a facility without a region) for
    // 20,286,084 people = 0.0986… → 0.10; Jambyl has none: 0.
    let national = |t: &str| {
        density
            .rows
            .iter()
            .find(|d| d.scope == Scope::National && d.country == "KZ" && d.generic_type == t)
            .unwrap_or_else(|| panic!("national {t}"))
    };
    assert_eq!(national("ct_scanner").per_million, Some(d("0.10")));
    assert_eq!(
        national("ct_scanner")
            .population_record
            .as_ref()
            .map(|r| r.as_str()),
        Some("pop-kz-2025")
    );
    let jambyl_ct = density
        .rows
        .iter()
        .find(|d| d.region.as_deref() == Some("Jambyl region") && d.generic_type == "ct_scanner")
        .expect("Jambyl CT");
    assert_eq!((jambyl_ct.units, jambyl_ct.per_million), (0, Some(d("0"))));
    let ct_refs: Vec<_> = density.references_for("ct_scanner").collect();
    assert!(
        ct_refs
            .iter()
            .any(|r| r.area == "OECD average" && r.per_million == d("23.6"))
    );
    let failures = assets::donation_fitness(&app, Some(&id("act-kz-ggp-zhezbek-platelets")), None)
        .expect("fitness");
    assert_eq!(failures.len(), 1);
    assert!(
        !failures[0].is_fit(),
        "the illustrative platelet check has failed items"
    );
    let rows = assets::list_assets(&app, Some(&id("fac-zhezbek-blood-centre"))).expect("list");
    let first = rows
        .iter()
        .find(|r| r.id.as_str() == "as-zhezbek-platelet-1")
        .expect("row");
    assert!(
        first
            .donation_failures
            .iter()
            .any(|f| f.starts_with("manufacturer_support")),
        "{:?}",
        first.donation_failures
    );
}

#[test]
fn indexed_facility_query_matches_the_full_ledger() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("t.db");
    let mut app = Aidtrace::open_sqlite(&path).expect("open");
    app.load_demo("test").expect("demo");
    let queries = aidtrace_store::SqliteStore::open(&path).expect("queries");
    let rates = app.rates().expect("rates");
    let usd = CurrencyCode::parse("USD").expect("usd");
    for f in app.ledger().expect("ledger").facilities.keys() {
        let full = assets::facility_indicators(&app, f, year_2025(), &usd).expect("full");
        let indexed = assets::facility_indicators_indexed(&queries, &rates, f, year_2025(), &usd)
            .expect("indexed");
        assert_eq!(full, indexed, "{f}");
    }
    assert!(
        assets::facility_indicators_indexed(
            &queries,
            &rates,
            &id("fac-nowhere"),
            year_2025(),
            &usd
        )
        .is_err()
    );
}

#[test]
fn pm_schedule_lists_each_due_date_with_the_order_that_met_it() {
    let (_dir, app) = app();
    let p = year_2025();
    let items = assets::pm_schedule(
        &app,
        Some(&id("fac-semey-university-hospital")),
        p.from,
        p.to,
    )
    .expect("schedule");
    // 13 due dates, less the second ventilator's December inspection: it has been down since 20
    // November and nothing falls due while it is out of service.
    assert_eq!(items.len(), 12, "{items:#?}");
    assert_eq!(items.iter().filter(|d| d.done_by.is_some()).count(), 9);
    // The MRI's third quarterly PM (due 15 Sep) was done on 20 Oct, outside its ±14 days.
    let sep = items
        .iter()
        .find(|d| {
            d.asset.as_str() == "as-semey-mri-1" && d.due.to_string().starts_with("2025-09-15")
        })
        .expect("September due");
    assert_eq!(sep.done_by, None);
    // Late, not missed: it was done before the next due date (15 Dec).
    assert!(sep.done_late_by.is_some(), "{sep:?}");
    assert!(items.windows(2).all(|w| w[0].due <= w[1].due));
}

#[test]
fn user_supplied_reference_densities_need_a_source_and_show_beside_the_shipped_ones() {
    let (_dir, mut app) = app();
    let records = |v: serde_json::Value| {
        aidtrace_service::records::records_from_json(&v.to_string()).expect("records")
    };
    let source = serde_json::json!({"record": "source", "id": "src-ref-test",
        "title": "A national statistics yearbook (test)", "kind": "official_document",
        "url": "https://example.org/yearbook"});
    let figure = |id: &str, per_million: &str, sources: serde_json::Value| {
        serde_json::json!({"record": "density_reference", "id": id, "generic_type": "ct_scanner",
            "area": "Test country", "bound": "about", "per_million": per_million, "year": 2021,
            "sources": sources})
    };
    let before = app.counts().expect("counts");

    // Refused, nothing written: no source; a negative density.
    let e = app
        .put(
            "test",
            records(serde_json::json!([
                source,
                figure("ref-1", "12.5", serde_json::json!([]))
            ])),
        )
        .expect_err("no source");
    assert!(e.to_string().contains("sources"), "{e}");
    let e = app
        .put(
            "test",
            records(serde_json::json!([
                source,
                figure(
                    "ref-1",
                    "-3",
                    serde_json::json!([{"source": "src-ref-test"}])
                )
            ])),
        )
        .expect_err("negative");
    assert!(
        e.to_string().contains("per_million") && e.to_string().contains("-3"),
        "{e}"
    );
    assert_eq!(app.counts().expect("counts"), before);

    app.put(
        "test",
        records(serde_json::json!([
            source,
            figure(
                "ref-1",
                "12.5",
                serde_json::json!([{"source": "src-ref-test", "quote": "12.5"}])
            )
        ])),
    )
    .expect("a sourced figure is accepted");
    let end = NaiveDate::from_ymd_opt(2025, 12, 31)
        .and_then(|d| d.and_hms_opt(23, 0, 0))
        .expect("time");
    let density = assets::equipment_density(&app, end).expect("density");
    let ct: Vec<_> = density.references_for("ct_scanner").collect();
    let mine = ct
        .iter()
        .find(|r| r.record.as_ref().map(|r| r.as_str()) == Some("ref-1"))
        .expect("the user's figure");
    assert_eq!(mine.per_million, d("12.5"));
    assert_eq!(mine.figure(), "≈ 12.5");
    assert_eq!(mine.source_url, "https://example.org/yearbook");
    assert_eq!(mine.source_title, "A national statistics yearbook (test)");
    // The shipped figures are still there, without a record.
    assert!(ct.iter().any(|r| r.area == "Japan" && r.record.is_none()));
}
