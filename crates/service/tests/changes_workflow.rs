//! The approval workflow on a real store (SQLite, or PostgreSQL through the kit), through the
//! service and the store's `ChangeStore`: who writes directly, who proposes, who may decide, and
//! what approval refuses.

mod kit;

use std::collections::BTreeSet;

use aidtrace_domain::error::ProblemId;
use aidtrace_domain::{Record, RecordId, RecordKind};
use aidtrace_service::Aidtrace;
use aidtrace_service::changes::{self, ChangeError, ChangeState, Decision, Written};
use aidtrace_service::policy::{Actor, Role};
use aidtrace_store::AccountStore;
use serde_json::json;

const AT: &str = "2026-01-01T00:00:00.000000Z";

fn open() -> (kit::Guard, Aidtrace, Box<dyn AccountStore>) {
    let (guard, mut app) = kit::open();
    app.load_demo("seed").expect("demo");
    let queue = guard.accounts();
    (guard, app, queue)
}

fn actor(name: &str, role: Role, orgs: &[&str]) -> Actor {
    Actor {
        name: name.into(),
        role,
        organisations: orgs.iter().map(|s| (*s).to_string()).collect(),
        facilities: BTreeSet::new(),
    }
}

fn editor() -> Actor {
    actor("eve", Role::Editor, &["org-embassy-japan-kz"])
}

fn approver() -> Actor {
    actor("abe", Role::Approver, &[])
}

fn flow(id: &str, amount: &str) -> Record {
    aidtrace_service::records::record_from_json(json!({"record": "flow", "id": id,
        "activity": "act-kz-semey-equipment", "kind": "disbursement",
        "money": {"amount": amount, "currency": "JPY"}}))
    .expect("flow")
}

fn stored(app: &Aidtrace, id: &str) -> bool {
    app.store()
        .get(RecordKind::Flow, &RecordId::parse(id).expect("id"))
        .expect("get")
        .is_some()
}

fn propose(app: &mut Aidtrace, queue: &mut dyn AccountStore, id: &str) -> i64 {
    match changes::write(app, queue, &editor(), vec![flow(id, "1000")], true, AT).expect("write") {
        Written::Proposed { change, state } => {
            assert_eq!(state, ChangeState::Submitted);
            change
        }
        other => panic!("an editor's write is proposed: {other:?}"),
    }
}

#[test]
fn an_editors_write_waits_and_approval_writes_it() {
    let (_d, mut app, mut queue) = open();
    let id = propose(&mut app, &mut *queue, "flow-w-1");
    assert!(!stored(&app, "flow-w-1"));
    let to = changes::decide(
        &mut app,
        &mut *queue,
        &approver(),
        id,
        Decision::Approve,
        None,
        AT,
    )
    .expect("approve");
    assert_eq!(to, ChangeState::Approved);
    assert!(stored(&app, "flow-w-1"));
    let row = changes::get(&*queue, id).expect("row");
    assert_eq!(row.decided_by.as_deref(), Some("abe"));
}

#[test]
fn an_admins_write_enters_the_ledger_at_once() {
    let (_d, mut app, mut queue) = open();
    let admin = actor("ada", Role::Admin, &[]);
    let w = changes::write(
        &mut app,
        &mut *queue,
        &admin,
        vec![flow("flow-w-2", "5")],
        true,
        AT,
    )
    .expect("write");
    assert!(matches!(w, Written::Applied { ref etag } if etag.starts_with('"')));
    assert!(stored(&app, "flow-w-2"));
}

#[test]
fn a_write_outside_the_editors_scope_is_refused_and_nothing_queued() {
    let (_d, mut app, mut queue) = open();
    let other = actor("oz", Role::Editor, &["org-someone-else"]);
    let e = changes::write(
        &mut app,
        &mut *queue,
        &other,
        vec![flow("flow-w-3", "5")],
        true,
        AT,
    )
    .expect_err("refused");
    assert!(
        matches!(e, ChangeError::Forbidden { ref value, problem: ProblemId::OutOfScope, .. } if value == "flow-w-3"),
        "{e}"
    );
    assert!(queue.changes(None).expect("list").is_empty());
}

#[test]
fn only_approvers_decide_and_only_once() {
    let (_d, mut app, mut queue) = open();
    let id = propose(&mut app, &mut *queue, "flow-w-4");
    let e = changes::decide(
        &mut app,
        &mut *queue,
        &editor(),
        id,
        Decision::Approve,
        None,
        AT,
    )
    .expect_err("editor");
    assert!(
        matches!(
            e,
            ChangeError::Forbidden {
                problem: ProblemId::MayNotApprove,
                ..
            }
        ),
        "{e}"
    );
    changes::decide(
        &mut app,
        &mut *queue,
        &approver(),
        id,
        Decision::Reject,
        Some("no"),
        AT,
    )
    .expect("reject");
    let e = changes::decide(
        &mut app,
        &mut *queue,
        &approver(),
        id,
        Decision::Approve,
        None,
        AT,
    )
    .expect_err("decided");
    assert!(
        matches!(
            e,
            ChangeError::WrongState {
                problem: ProblemId::ChangeNotInState,
                ..
            }
        ),
        "{e}"
    );
    assert!(!stored(&app, "flow-w-4"));
}

#[test]
fn approval_refuses_a_change_whose_record_moved_on() {
    let (_d, mut app, mut queue) = open();
    let id = propose(&mut app, &mut *queue, "flow-w-5");
    app.put("ada", vec![flow("flow-w-5", "7")])
        .expect("direct write");
    let e = changes::decide(
        &mut app,
        &mut *queue,
        &approver(),
        id,
        Decision::Approve,
        None,
        AT,
    )
    .expect_err("conflict");
    assert!(matches!(e, ChangeError::Conflict { .. }), "{e}");
}

#[test]
fn only_the_author_submits_a_draft_and_submitting_names_no_decider() {
    let (_d, mut app, mut queue) = open();
    let Written::Proposed { change, state } = changes::write(
        &mut app,
        &mut *queue,
        &editor(),
        vec![flow("flow-w-6", "1")],
        false,
        AT,
    )
    .expect("draft") else {
        panic!("proposed");
    };
    assert_eq!(state, ChangeState::Draft);
    let e = changes::decide(
        &mut app,
        &mut *queue,
        &approver(),
        change,
        Decision::Submit,
        None,
        AT,
    )
    .expect_err("not the author");
    assert!(
        matches!(
            e,
            ChangeError::Forbidden {
                problem: ProblemId::NotAuthor,
                ..
            }
        ),
        "{e}"
    );
    changes::decide(
        &mut app,
        &mut *queue,
        &editor(),
        change,
        Decision::Submit,
        None,
        AT,
    )
    .expect("submit");
    let row = changes::get(&*queue, change).expect("row");
    assert_eq!(row.state, ChangeState::Submitted);
    assert_eq!(row.decided_by, None);
}
