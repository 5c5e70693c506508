//! The small ledger a write-policy decision reads (`policy_scope::decision_ledger`) gives the
//! same decisions as the whole ledger, on the demo store: every stored record offered as an edit
//! (unchanged, and flows moved to another activity) by admins, scoped editors, editors whose
//! organisation skips approval, and facility engineers.

mod kit;

use std::collections::BTreeSet;

use aidtrace_domain::{Ledger, Record, RecordKind};
use aidtrace_service::Aidtrace;
use aidtrace_service::policy::{Actor, Role};
use aidtrace_service::policy_scope::decision_ledger;

fn open() -> (kit::Guard, Aidtrace) {
    let (dir, mut app) = kit::open();
    app.load_demo("seed").expect("demo");
    (dir, app)
}

fn actor(role: Role, orgs: &[&str], facilities: &[&str]) -> Actor {
    let set = |v: &[&str]| -> BTreeSet<String> { v.iter().map(|s| (*s).to_string()).collect() };
    Actor {
        name: "someone".into(),
        role,
        organisations: set(orgs),
        facilities: set(facilities),
    }
}

fn every_record(app: &Aidtrace) -> Vec<Record> {
    RecordKind::ALL
        .into_iter()
        .flat_map(|kind| app.store().list(kind).expect("list"))
        .collect()
}

/// Each stored record as an edit, plus every flow moved to each other activity's id.
fn candidate_edits(app: &Aidtrace) -> Vec<Record> {
    let records = every_record(app);
    let activities: Vec<_> = records
        .iter()
        .filter(|r| r.kind() == RecordKind::Activity)
        .map(|r| r.id().clone())
        .collect();
    let mut edits = records.clone();
    for record in &records {
        if let Record::Flow(f) = record {
            for a in activities.iter().filter(|a| **a != f.activity) {
                let mut moved = f.clone();
                moved.activity = a.clone();
                edits.push(Record::Flow(moved));
            }
        }
    }
    edits
}

/// Asserts the decisions on the small ledger equal those on the whole one, and returns how
/// many edits were allowed (so a case can prove it exercised both answers).
fn same_decisions(app: &Aidtrace, actor: &Actor) -> (usize, usize) {
    let whole: Ledger = app.ledger().expect("ledger");
    let edits = candidate_edits(app);
    let mut allowed = 0;
    for edit in &edits {
        let batch = std::slice::from_ref(edit);
        let small = decision_ledger(app, actor, batch).expect("decision ledger");
        let on_whole = actor.may_write(edit, &whole, batch);
        let on_small = actor.may_write(edit, &small, batch);
        assert_eq!(
            on_whole.is_ok(),
            on_small.is_ok(),
            "{} {}: whole {on_whole:?}, small {on_small:?}",
            edit.kind().as_str(),
            edit.id()
        );
        assert_eq!(
            actor.writes_directly_in(&whole),
            actor.writes_directly_in(&small),
            "writes directly, batch {}",
            edit.id()
        );
        allowed += usize::from(on_whole.is_ok());
    }
    (allowed, edits.len())
}

#[test]
fn an_admin_is_decided_alike_without_reading_the_ledger() {
    let (_dir, app) = open();
    let admin = actor(Role::Admin, &[], &[]);
    let (allowed, total) = same_decisions(&app, &admin);
    assert_eq!(allowed, total, "an admin may write everything");
    let small = decision_ledger(&app, &admin, &every_record(&app)).expect("small");
    assert!(small.flows.is_empty() && small.activities.is_empty());
}

#[test]
fn an_editor_scoped_to_an_organisation_is_decided_alike() {
    let (_dir, app) = open();
    let editor = actor(Role::Editor, &["org-embassy-japan-kz"], &[]);
    let (allowed, total) = same_decisions(&app, &editor);
    assert!(allowed > 0 && allowed < total, "{allowed} of {total}");
    assert!(!editor.writes_directly_in(&app.ledger().expect("ledger")));
}

#[test]
fn an_editor_of_an_organisation_that_skips_approval_is_decided_alike() {
    let (_dir, mut app) = open();
    let org = app
        .store()
        .get(
            RecordKind::Organisation,
            &aidtrace_domain::RecordId::parse("org-embassy-japan-kz").expect("id"),
        )
        .expect("get")
        .expect("demo organisation");
    let Record::Organisation(mut org) = org else {
        panic!("not an organisation");
    };
    org.skip_approval = true;
    app.put("seed", vec![Record::Organisation(org)])
        .expect("skip approval");
    let editor = actor(Role::Editor, &["org-embassy-japan-kz"], &[]);
    assert!(editor.writes_directly_in(&app.ledger().expect("ledger")));
    let (allowed, total) = same_decisions(&app, &editor);
    assert!(allowed > 0 && allowed < total, "{allowed} of {total}");
}

#[test]
fn an_editor_of_several_organisations_one_not_skipping_approval_is_decided_alike() {
    let (_dir, app) = open();
    let orgs: Vec<String> = app
        .store()
        .list(RecordKind::Organisation)
        .expect("orgs")
        .iter()
        .map(|r| r.id().to_string())
        .collect();
    let refs: Vec<&str> = orgs.iter().map(String::as_str).take(4).collect();
    let editor = actor(Role::Editor, &refs, &[]);
    same_decisions(&app, &editor);
}

#[test]
fn a_facility_engineer_is_decided_alike() {
    let (_dir, app) = open();
    let facility = app
        .store()
        .list(RecordKind::Facility)
        .expect("facilities")
        .first()
        .map(|r| r.id().to_string())
        .expect("a demo facility");
    let engineer = actor(Role::FacilityEngineer, &[], &[&facility]);
    let (allowed, _) = same_decisions(&app, &engineer);
    assert!(allowed > 0);
}

/// The demo's power record of `facility`, as an edit moved to `to` (its own facility if None).
fn power_record(app: &Aidtrace, id: &str, to: Option<&str>) -> Record {
    let rid = aidtrace_domain::RecordId::parse(id).expect("id");
    let Some(Record::FacilityPower(mut p)) = app
        .store()
        .get(RecordKind::FacilityPower, &rid)
        .expect("get")
    else {
        panic!("no demo power record {id}");
    };
    if let Some(to) = to {
        p.facility = aidtrace_domain::RecordId::parse(to).expect("facility");
    }
    Record::FacilityPower(p)
}

#[test]
fn a_facility_engineer_may_write_the_power_record_of_their_facility_only() {
    let (_dir, app) = open();
    let ledger = app.ledger().expect("ledger");
    let engineer = actor(
        Role::FacilityEngineer,
        &[],
        &["fac-semey-university-hospital"],
    );
    let own = power_record(&app, "pw-semey-university-hospital", None);
    assert!(
        engineer
            .may_write(&own, &ledger, std::slice::from_ref(&own))
            .is_ok()
    );
    let other = power_record(&app, "pw-zhezbek-blood-centre", None);
    let refused = engineer.may_write(&other, &ledger, std::slice::from_ref(&other));
    assert!(refused.is_err(), "{refused:?}");
    // Nor may a record of another facility be moved into their scope.
    let moved = power_record(
        &app,
        "pw-zhezbek-blood-centre",
        Some("fac-semey-university-hospital"),
    );
    assert!(
        engineer
            .may_write(&moved, &ledger, std::slice::from_ref(&moved))
            .is_err()
    );
    same_decisions(&app, &engineer);
}

#[test]
fn an_editor_may_write_the_power_record_of_a_facility_their_organisation_operates() {
    let (_dir, app) = open();
    let ledger = app.ledger().expect("ledger");
    let editor = actor(Role::Editor, &["org-semey-university"], &[]);
    let own = power_record(&app, "pw-semey-university-hospital", None);
    assert!(
        editor
            .may_write(&own, &ledger, std::slice::from_ref(&own))
            .is_ok()
    );
    let other = power_record(&app, "pw-zhezbek-blood-centre", None);
    assert!(
        editor
            .may_write(&other, &ledger, std::slice::from_ref(&other))
            .is_err()
    );
    let (allowed, _) = same_decisions(&app, &editor);
    assert!(allowed > 0);
}
