//! Behaviour every [`Store`] backend must show. Each case takes a fresh, empty store and panics
//! with a message when the backend misbehaves; backends call them from their own tests.

use std::str::FromStr;

use aidtrace_domain::RecordKind;
use aidtrace_domain::fx::{RateEntry, RateOrigin, parse_csv};
use aidtrace_domain::model::{
    Activity, ActivityStatus, Flow, FlowKind, Instrument, OrgKind, Organisation, Record,
};
use aidtrace_domain::{CurrencyCode, Money, RecordId};

use crate::{Change, Store, StoreError};

pub type Case = (&'static str, fn(&mut dyn Store));

pub const CASES: &[Case] = &[
    (
        "put_then_get_returns_the_same_record",
        put_then_get_returns_the_same_record,
    ),
    (
        "identical_put_is_a_no_op_without_audit",
        identical_put_is_a_no_op_without_audit,
    ),
    (
        "batch_is_atomic_when_one_change_fails",
        batch_is_atomic_when_one_change_fails,
    ),
    (
        "dangling_reference_is_refused",
        dangling_reference_is_refused,
    ),
    (
        "delete_of_referenced_record_is_refused",
        delete_of_referenced_record_is_refused,
    ),
    (
        "every_change_is_audited_and_chain_verifies",
        every_change_is_audited_and_chain_verifies,
    ),
    (
        "fx_rates_round_trip_and_are_audited",
        fx_rates_round_trip_and_are_audited,
    ),
    ("list_is_ordered_by_id", list_is_ordered_by_id),
    (
        "count_and_page_follow_the_list",
        count_and_page_follow_the_list,
    ),
    (
        "ledger_version_moves_with_every_change_only",
        ledger_version_moves_with_every_change_only,
    ),
    (
        "ledger_holds_every_record_across_chunks",
        ledger_holds_every_record_across_chunks,
    ),
];

fn id(s: &str) -> RecordId {
    RecordId::parse(s).expect("fixture id")
}

pub fn org(name: &str) -> Record {
    Record::Organisation(Organisation::new(
        id(name),
        format!("Organisation {name}"),
        OrgKind::Government,
    ))
}

pub fn activity(name: &str) -> Record {
    Record::Activity(Activity {
        id: id(name),
        title: format!("Activity {name}"),
        instrument: Instrument::GrantAid,
        status: ActivityStatus::Implementation,
        iati_identifier: None,
        iati_last_updated: None,
        description: None,
        purpose: None,
        parent: None,
        reporting_org: None,
        participants: vec![],
        legal_steps: vec![],
        start_date: None,
        end_date: None,
        sectors: vec![],
        countries: vec![],
        regions: vec![],
        facilities: vec![],
        target_population: None,
        ceiling: None,
        sources: vec![],
        left_out: vec![],
    })
}

pub fn flow(name: &str, activity: &str, amount: &str) -> Record {
    Record::Flow(Flow {
        id: id(name),
        activity: id(activity),
        kind: FlowKind::Disbursement,
        money: Money::new(
            rust_decimal_from(amount),
            CurrencyCode::usd(),
            chrono::NaiveDate::from_ymd_opt(2024, 5, 1),
        )
        .expect("fixture money"),
        provider: None,
        receiver: None,
        parent_flow: None,
        reversal: false,
        stated_equivalent: None,
        recorded_rate: None,
        description: None,
        sources: vec![],
    })
}

fn rust_decimal_from(s: &str) -> rust_decimal::Decimal {
    rust_decimal::Decimal::from_str(s).expect("fixture amount")
}

fn put(store: &mut dyn Store, records: Vec<Record>) -> Result<crate::ApplyReport, StoreError> {
    let changes: Vec<Change> = records.into_iter().map(Change::Put).collect();
    store.apply("conformance", &changes)
}

pub fn put_then_get_returns_the_same_record(store: &mut dyn Store) {
    let a = activity("a1");
    put(store, vec![a.clone()]).expect("put");
    let got = store.get(RecordKind::Activity, &id("a1")).expect("get");
    assert_eq!(got, Some(a), "stored record differs from the one written");
    assert_eq!(
        store.get(RecordKind::Activity, &id("nope")).expect("get"),
        None
    );
}

pub fn identical_put_is_a_no_op_without_audit(store: &mut dyn Store) {
    let first = put(store, vec![org("o1"), activity("a1")]).expect("first put");
    assert_eq!(first.created, 2);
    let entries = store.audit_log(None).expect("audit").len();
    let second = put(store, vec![org("o1"), activity("a1")]).expect("second put");
    assert_eq!(
        second.changed(),
        0,
        "an identical write must change nothing"
    );
    assert_eq!(second.unchanged, 2);
    assert_eq!(
        store.audit_log(None).expect("audit").len(),
        entries,
        "no audit entry for a no-op"
    );
}

pub fn batch_is_atomic_when_one_change_fails(store: &mut dyn Store) {
    let result = put(
        store,
        vec![
            activity("a1"),
            flow("f1", "a1", "10"),
            flow("f2", "missing", "5"),
        ],
    );
    assert!(
        result.is_err(),
        "a flow on a missing activity must fail the batch"
    );
    assert_eq!(
        store.list(RecordKind::Activity).expect("list"),
        vec![],
        "nothing of a failed batch may remain"
    );
    assert_eq!(store.list(RecordKind::Flow).expect("list"), vec![]);
    assert!(
        store.audit_log(None).expect("audit").is_empty(),
        "a failed batch leaves no audit entry"
    );
}

pub fn dangling_reference_is_refused(store: &mut dyn Store) {
    let err = put(store, vec![flow("f1", "ghost", "1")]).expect_err("dangling activity");
    assert!(
        matches!(err, StoreError::Integrity(_)),
        "expected an integrity error, got {err:?}"
    );
    assert!(
        err.to_string().contains("f1"),
        "the message names the record: {err}"
    );
}

pub fn delete_of_referenced_record_is_refused(store: &mut dyn Store) {
    put(store, vec![activity("a1"), flow("f1", "a1", "1")]).expect("put");
    let err = store
        .apply(
            "conformance",
            &[Change::Delete(RecordKind::Activity, id("a1"))],
        )
        .expect_err("activity still has a flow");
    assert!(matches!(err, StoreError::Integrity(_)), "{err:?}");
    store
        .apply(
            "conformance",
            &[
                Change::Delete(RecordKind::Flow, id("f1")),
                Change::Delete(RecordKind::Activity, id("a1")),
            ],
        )
        .expect("delete flow then activity");
    assert_eq!(
        store.get(RecordKind::Activity, &id("a1")).expect("get"),
        None
    );
}

pub fn every_change_is_audited_and_chain_verifies(store: &mut dyn Store) {
    put(store, vec![activity("a1"), flow("f1", "a1", "1")]).expect("put");
    put(store, vec![flow("f1", "a1", "2")]).expect("update");
    store
        .apply(
            "someone-else",
            &[Change::Delete(RecordKind::Flow, id("f1"))],
        )
        .expect("delete");
    let log = store.audit_log(None).expect("audit");
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["create", "create", "update", "delete"]);
    assert_eq!(log[3].actor, "someone-else");
    assert!(
        log[2]
            .before
            .as_deref()
            .is_some_and(|b| b.contains("\"1\"")),
        "update keeps the before image"
    );
    let flow_log = store
        .audit_log(Some((RecordKind::Flow, &id("f1"))))
        .expect("audit");
    assert_eq!(flow_log.len(), 3);
    let v = store.verify_audit().expect("verify");
    assert!(v.ok(), "fresh chain must verify: {:?}", v.problems);
    assert_eq!(v.entries, 4);
}

pub fn fx_rates_round_trip_and_are_audited(store: &mut dyn Store) {
    let rates: Vec<RateEntry> = parse_csv(
        "Date,Rate,Currency,Frequency,Source\n2024-05-01,156.1,JPY,M,Bank of Japan\n",
        RateOrigin::Imported,
    )
    .expect("csv");
    let r = store
        .put_fx_rates("conformance", &rates)
        .expect("put rates");
    assert_eq!(r.created, 1);
    let again = store
        .put_fx_rates("conformance", &rates)
        .expect("put rates again");
    assert_eq!(
        again.changed(),
        0,
        "re-importing the same rates changes nothing"
    );
    assert_eq!(store.fx_rates().expect("rates"), rates);
    assert!(store.verify_audit().expect("verify").ok());
}

pub fn list_is_ordered_by_id(store: &mut dyn Store) {
    put(store, vec![org("o3"), org("o1"), org("o2")]).expect("put");
    let ids: Vec<String> = store
        .list(RecordKind::Organisation)
        .expect("list")
        .iter()
        .map(|r| r.id().to_string())
        .collect();
    assert_eq!(ids, ["o1", "o2", "o3"]);
}

pub fn count_and_page_follow_the_list(store: &mut dyn Store) {
    assert_eq!(store.count(RecordKind::Organisation).expect("count"), 0);
    put(store, vec![org("o4"), org("o2"), org("o1"), org("o3")]).expect("put");
    assert_eq!(store.count(RecordKind::Organisation).expect("count"), 4);
    assert_eq!(store.count(RecordKind::Flow).expect("count"), 0);
    let ids = |records: Vec<Record>| -> Vec<String> {
        records.iter().map(|r| r.id().to_string()).collect()
    };
    let page = |offset, limit| {
        store
            .page(RecordKind::Organisation, offset, limit)
            .expect("page")
    };
    assert_eq!(ids(page(0, 2)), ["o1", "o2"]);
    assert_eq!(ids(page(2, 2)), ["o3", "o4"]);
    assert_eq!(ids(page(3, 10)), ["o4"]);
    assert!(page(4, 10).is_empty(), "a page past the end is empty");
    assert!(
        page(usize::MAX, usize::MAX).is_empty(),
        "huge offsets do not fail"
    );
}

pub fn ledger_version_moves_with_every_change_only(store: &mut dyn Store) {
    let v0 = store.ledger_version().expect("version");
    put(store, vec![org("o1")]).expect("put");
    let v1 = store.ledger_version().expect("version");
    assert_ne!(v0, v1, "a write moves the version");
    put(store, vec![org("o1")]).expect("identical put");
    assert_eq!(
        store.ledger_version().expect("version"),
        v1,
        "an identical write changes nothing, the version included"
    );
    store
        .apply(
            "conformance",
            &[Change::Delete(RecordKind::Organisation, id("o1"))],
        )
        .expect("delete");
    assert_ne!(
        store.ledger_version().expect("version"),
        v1,
        "a delete moves it"
    );
}

/// A whole-ledger read holds every stored record once, in id order, however the backend splits
/// the documents for decoding: 20,000 flows are more than one decoding chunk (16,384) and enough
/// to be decoded on several threads. They are stored in reverse id order, so a backend that reads
/// its tables unordered hands them over in an order other than the ledger's.
pub fn ledger_holds_every_record_across_chunks(store: &mut dyn Store) {
    let flows = 20_000;
    let mut records = vec![org("o1"), activity("a1"), activity("a2")];
    records.extend(
        (0..flows)
            .rev()
            .map(|i| flow(&format!("f{i:05}"), ["a1", "a2"][i % 2], "10")),
    );
    put(store, records).expect("put");
    let ledger = store.ledger().expect("ledger");
    assert_eq!(ledger.organisations.len(), 1);
    assert_eq!(ledger.activities.len(), 2);
    let listed: Vec<String> = store
        .list(RecordKind::Flow)
        .expect("list")
        .iter()
        .map(|r| r.id().to_string())
        .collect();
    let read: Vec<String> = ledger.flows.keys().map(ToString::to_string).collect();
    assert_eq!(read.len(), flows);
    assert_eq!(read, listed, "the ledger's flows are the stored ones");
    assert_eq!(ledger.flows_of(&id("a2")).count(), flows / 2);
}
