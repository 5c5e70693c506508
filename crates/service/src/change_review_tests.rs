//! The comparison and the findings preview of proposed changes, on small ledgers built here.

#![allow(clippy::unwrap_used)]

use aidtrace_domain::fx::RateTable;
use aidtrace_domain::{Ledger, Record, RecordKind, checks};
use serde_json::{Value, json};

use super::*;

fn rec(v: Value) -> Record {
    crate::records::record_from_json(v).unwrap()
}

fn org() -> Record {
    rec(json!({"record": "organisation", "id": "org-d", "name": "Donor", "kind": "government"}))
}

fn activity(title: &str) -> Record {
    rec(
        json!({"record": "activity", "id": "a-1", "title": title, "instrument": "grant_aid",
        "status": "implementation", "participants": [{"org": "org-d", "role": "funding"}]}),
    )
}

fn flow(id: &str, kind: &str, amount: &str) -> Record {
    rec(
        json!({"record": "flow", "id": id, "activity": "a-1", "kind": kind,
        "money": {"amount": amount, "currency": "USD", "value_date": "2024-03-01"}}),
    )
}

fn facility(location: Option<Value>) -> Record {
    let mut v = json!({"record": "facility", "id": "fac-1", "name": "Clinic", "kind": "primary_care",
        "country": "KZ"});
    if let Some(l) = location {
        v["location"] = l;
    }
    rec(v)
}

fn ledger(records: Vec<Record>) -> Ledger {
    Ledger::from_records(records)
}

#[test]
fn a_new_record_lists_every_field_as_added() {
    let d = diff_record(None, &flow("f-1", "commitment", "100"));
    assert_eq!(d.change, RecordChange::Added);
    assert_eq!(d.kind, RecordKind::Flow);
    assert!(
        d.fields
            .iter()
            .all(|f| f.change == FieldChange::Added && f.before.is_none())
    );
    let names: Vec<&str> = d.fields.iter().map(|f| f.field.as_str()).collect();
    assert!(
        names.contains(&"money") && names.contains(&"kind"),
        "{names:?}"
    );
    assert!(!names.contains(&"id") && !names.contains(&"record"));
}

/// The comparison follows the record's own field order (the form's), not the alphabet: an
/// approver read "activity, kind, money" sorted by English names before.
#[test]
fn fields_come_in_the_order_the_record_declares_them() {
    let d = diff_record(None, &activity("Ventilators"));
    let names: Vec<&str> = d.fields.iter().map(|f| f.field.as_str()).collect();
    let title = names.iter().position(|n| *n == "title").unwrap();
    let instrument = names.iter().position(|n| *n == "instrument").unwrap();
    let participants = names.iter().position(|n| *n == "participants").unwrap();
    assert!(title < instrument && instrument < participants, "{names:?}");
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_ne!(names, sorted, "still alphabetical: {names:?}");
}

#[test]
fn money_dates_codes_and_references_are_typed_not_json() {
    let d = diff_record(None, &flow("f-1", "commitment", "1250.5"));
    let after = |name: &str| {
        d.fields
            .iter()
            .find(|f| f.field == name)
            .and_then(|f| f.after.clone())
            .unwrap()
    };
    assert_eq!(
        after("money"),
        Shown::Money {
            amount: "1250.5".into(),
            currency: "USD".into(),
            value_date: chrono::NaiveDate::from_ymd_opt(2024, 3, 1),
        }
    );
    assert_eq!(after("kind"), Shown::Code("commitment".into()));
    assert_eq!(after("activity"), Shown::Ref("a-1".into()));
    assert_eq!(after("money").plain(), "1250.5 USD (2024-03-01)");
}

#[test]
fn a_changed_record_lists_only_the_fields_that_differ() {
    let stored = flow("f-1", "commitment", "100");
    let d = diff_record(Some(&stored), &flow("f-1", "commitment", "250"));
    assert_eq!(d.change, RecordChange::Changed);
    assert_eq!(d.fields.len(), 1, "{:?}", d.fields);
    let f = &d.fields[0];
    assert_eq!(
        (f.field.as_str(), f.change),
        ("money", FieldChange::Changed)
    );
    assert_eq!(f.before.as_ref().unwrap().plain(), "100 USD (2024-03-01)");
    assert_eq!(f.after.as_ref().unwrap().plain(), "250 USD (2024-03-01)");
}

#[test]
fn removed_and_added_fields_are_told_apart() {
    let stored = facility(Some(json!({"lat": "50.4", "lon": "80.2"})));
    let d = diff_record(Some(&stored), &facility(None));
    assert_eq!(d.fields.len(), 1);
    assert_eq!(d.fields[0].change, FieldChange::Removed);
    assert!(d.fields[0].after.is_none());
    let back = diff_record(Some(&facility(None)), &stored);
    assert_eq!(back.fields[0].change, FieldChange::Added);
    assert_eq!(
        back.fields[0].after.as_ref().unwrap().plain(),
        "lat: 50.4, lon: 80.2"
    );
}

#[test]
fn repeating_the_stored_record_is_no_change() {
    let d = diff_record(Some(&activity("Ventilators")), &activity("Ventilators"));
    assert_eq!(d.change, RecordChange::Unchanged);
    assert!(d.fields.is_empty());
}

#[test]
fn every_record_of_a_batch_is_compared_with_its_own_stored_version() {
    let stored = ledger(vec![
        org(),
        activity("Old title"),
        flow("f-1", "commitment", "100"),
    ]);
    let line = rec(
        json!({"record": "equipment_line", "id": "eq-1", "activity": "a-1",
        "category": "intensive_care", "description": "ICU ventilator", "quantity": 4}),
    );
    let batch = vec![
        activity("New title"),
        flow("f-1", "commitment", "100"),
        flow("f-2", "disbursement", "40"),
        line,
    ];
    let diffs = diff_batch(&stored, &[], &batch);
    let summary: Vec<(RecordKind, &str, RecordChange)> = diffs
        .iter()
        .map(|d| (d.kind, d.id.as_str(), d.change))
        .collect();
    assert_eq!(
        summary,
        vec![
            (RecordKind::Activity, "a-1", RecordChange::Changed),
            (RecordKind::Flow, "f-1", RecordChange::Unchanged),
            (RecordKind::Flow, "f-2", RecordChange::Added),
            (RecordKind::EquipmentLine, "eq-1", RecordChange::Added),
        ]
    );
    assert_eq!(diffs[0].fields[0].field, "title");
    let qty = diffs[3]
        .fields
        .iter()
        .find(|f| f.field == "quantity")
        .unwrap();
    assert_eq!(qty.after, Some(Shown::Number("4".into())));
}

#[test]
fn an_overspending_disbursement_is_previewed_as_a_new_finding() {
    let stored = ledger(vec![org(), activity("A"), flow("f-1", "commitment", "100")]);
    let rates = RateTable::builtin();
    let before = checks::run(&stored, &rates);
    let batch = vec![flow("f-2", "disbursement", "300")];
    let preview = preview_findings(
        &stored,
        &rates,
        &checks::Options::default(),
        || before.clone(),
        &batch,
    );
    assert!(
        preview
            .added
            .iter()
            .any(|f| f.rule == "LEDGER-OVERSPENT" && f.record.as_str() == "a-1"),
        "{preview:?}"
    );
    assert!(preview.cleared.is_empty(), "{preview:?}");
    // The ledger itself is untouched by the preview.
    assert!(
        !stored
            .flows
            .contains_key(&flow("f-2", "disbursement", "1").id().clone())
    );
}

#[test]
fn giving_a_facility_coordinates_is_previewed_as_clearing_its_finding() {
    let stored = ledger(vec![facility(None)]);
    let rates = RateTable::builtin();
    let before = checks::run(&stored, &rates);
    assert!(before.iter().any(|f| f.rule == "FAC-NOLOCATION"));
    let batch = vec![facility(Some(json!({"lat": "50.4", "lon": "80.2"})))];
    let r = review(
        &stored,
        &[],
        &rates,
        &checks::Options::default(),
        || before.clone(),
        &batch,
    );
    assert!(r.findings.added.is_empty(), "{:?}", r.findings);
    assert_eq!(r.findings.cleared.len(), 1);
    assert_eq!(r.findings.cleared[0].rule, "FAC-NOLOCATION");
    assert_eq!(r.records[0].fields[0].field, "location");
}

/// Renaming an activity changes the wording of its findings (they name it), not the findings.
#[test]
fn a_change_that_alters_no_rule_outcome_previews_nothing() {
    let stored = ledger(vec![org(), activity("A"), flow("f-1", "commitment", "100")]);
    let rates = RateTable::builtin();
    let before = checks::run(&stored, &rates);
    let p = preview_findings(
        &stored,
        &rates,
        &checks::Options::default(),
        || before.clone(),
        &[activity("B")],
    );
    assert_eq!(p, FindingsPreview::default());
}

/// The dated rules judge both sides alike: an overdue activity the change does not touch is
/// neither added nor cleared (a web page once judged "before" with them and "after" without,
/// so every change read as clearing thousands of ACT-OVERDUE after an IATI import).
#[test]
fn an_untouched_overdue_activity_is_not_previewed_as_cleared() {
    let overdue = json!({"record": "activity", "id": "a-1", "title": "Ended", "instrument": "grant_aid",
        "status": "implementation", "participants": [{"org": "org-d", "role": "funding"}],
        "start_date": "2020-01-01", "end_date": "2021-06-30"});
    let stored = ledger(vec![org(), rec(overdue), facility(None)]);
    let rates = RateTable::builtin();
    let options = checks::Options {
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 12, 7),
        ..checks::Options::default()
    };
    let before = checks::run_with(&stored, &rates, &options);
    assert!(before.iter().any(|f| f.rule == "ACT-OVERDUE"), "{before:?}");
    let batch = vec![facility(Some(json!({"lat": "50.4", "lon": "80.2"})))];
    let p = preview_findings(&stored, &rates, &options, || before.clone(), &batch);
    assert!(p.added.is_empty(), "{p:?}");
    let cleared: Vec<&str> = p.cleared.iter().map(|f| f.rule).collect();
    assert_eq!(cleared, ["FAC-NOLOCATION"]);
}

mod families {
    //! The preview judged on the families a batch reaches equals the one judged on the whole
    //! ledger, for any small ledger and batch of activities and flows.

    use super::*;
    use proptest::prelude::*;

    fn activity_json(i: usize, parent: Option<usize>, ended: bool, status: &str) -> Record {
        let mut v = json!({"record": "activity", "id": format!("a-{i}"), "title": format!("A{i}"),
            "instrument": "grant_aid", "status": status,
            "participants": [{"org": "org-d", "role": "funding"}],
            "start_date": "2020-01-01"});
        if let Some(p) = parent {
            v["parent"] = json!(format!("a-{p}"));
        }
        if ended {
            v["end_date"] = json!("2021-06-30");
        }
        rec(v)
    }

    /// (activity, kind, amount, currency, dated, parent flow, second donor)
    type FlowSpec = (usize, usize, u32, usize, bool, Option<usize>, bool);

    fn flow_json(i: usize, spec: FlowSpec, activities: usize) -> Record {
        let (activity, kind, amount, currency, dated, parent, other_donor) = spec;
        let kind = ["commitment", "disbursement", "expenditure"][kind % 3];
        let currency = ["USD", "JPY", "EUR"][currency % 3];
        let mut v = json!({"record": "flow", "id": format!("f-{i}"),
            "activity": format!("a-{}", activity % activities),
            "kind": kind,
            "provider": if other_donor { "org-e" } else { "org-d" },
            "money": {"amount": amount.to_string(), "currency": currency}});
        if dated {
            v["money"]["value_date"] = json!("2024-03-01");
        }
        if let Some(p) = parent.filter(|p| *p < i) {
            v["parent_flow"] = json!(format!("f-{p}"));
        }
        rec(v)
    }

    fn sorted(findings: &[Finding]) -> Vec<String> {
        let mut out: Vec<String> = findings
            .iter()
            .map(|f| {
                format!(
                    "{} {} {} {}",
                    f.rule,
                    f.record_kind.as_str(),
                    f.record,
                    f.message()
                )
            })
            .collect();
        out.sort();
        out
    }

    fn flow_spec() -> impl Strategy<Value = FlowSpec> {
        (
            0..6usize,
            0..3usize,
            1..1000u32,
            0..3usize,
            any::<bool>(),
            proptest::option::of(0..12usize),
            any::<bool>(),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn the_families_preview_is_the_whole_ledgers(
            parents in proptest::collection::vec((proptest::option::of(0..6usize), any::<bool>(), any::<bool>()), 1..6),
            flows in proptest::collection::vec(flow_spec(), 0..12),
            new_flows in proptest::collection::vec((0..14usize, flow_spec()), 0..3),
            changed in proptest::option::of((0..6usize, proptest::option::of(0..6usize), any::<bool>())),
        ) {
            let n = parents.len();
            let status = |done: bool| if done { "closed" } else { "implementation" };
            let mut records = vec![
                org(),
                rec(json!({"record": "organisation", "id": "org-e", "name": "Other", "kind": "government"})),
            ];
            for (i, (parent, ended, done)) in parents.iter().enumerate() {
                records.push(activity_json(i, parent.filter(|p| *p < i), *ended, status(*done)));
            }
            for (i, spec) in flows.iter().enumerate() {
                records.push(flow_json(i, *spec, n));
            }
            let stored = ledger(records);
            let mut batch: Vec<Record> = new_flows
                .iter()
                .map(|(i, spec)| flow_json(*i, *spec, n))
                .collect();
            if let Some((i, parent, done)) = changed {
                // One past the last is a new activity.
                let i = i % (n + 1);
                // Only a lower-numbered parent: a higher one could make a cycle, which the
                // rules survive, but this case is about families, not cycles.
                batch.push(activity_json(i, parent.filter(|p| *p < i), false, status(done)));
            }
            let rates = RateTable::builtin();
            let options = checks::Options {
                as_of: chrono::NaiveDate::from_ymd_opt(2026, 12, 7),
                ..checks::Options::default()
            };
            let before = checks::run_with(&stored, &rates, &options);
            let families = preview_in_families(&stored, &rates, &options, &batch)
                .expect("flows and activities only");
            let after = checks::run_with(&stored.with(&batch), &rates, &options);
            prop_assert_eq!(sorted(&families.added), sorted(&beyond(&after, &before)));
            prop_assert_eq!(sorted(&families.cleared), sorted(&beyond(&before, &after)));
        }
    }
}
