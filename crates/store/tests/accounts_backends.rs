//! Web accounts, sessions, API tokens and the change queue behave alike on both backends, one
//! test per case per backend (SQLite files always, PostgreSQL when `AIDTRACE_TEST_PG` names a
//! server, always under CI); and `store copy` carries them, and records whose text needs
//! escaping on the way (PostgreSQL takes records and audit entries through `COPY`), between the
//! two.

use aidtrace_store::copy::{CopyItem, copy_store};
use aidtrace_store::pg_testing::TestDatabase;
use aidtrace_store::{
    Account, AccountStore, ChangeGroup, ChangeState, ChangeStore, SessionRow, StoreUrl,
};
use aidtrace_store::{Change, conformance};

/// A new empty store on one backend, kept alive with its guard.
struct Backend {
    url: StoreUrl,
    _dir: tempfile::TempDir,
    _database: Option<TestDatabase>,
}

fn sqlite() -> Backend {
    let dir = tempfile::tempdir().expect("tempdir");
    Backend {
        url: StoreUrl::Sqlite(dir.path().join("aidtrace.db")),
        _dir: dir,
        _database: None,
    }
}

fn postgres() -> Option<Backend> {
    let Some(database) = TestDatabase::create() else {
        eprintln!("AIDTRACE_TEST_PG not set: PostgreSQL case skipped outside CI");
        return None;
    };
    Some(Backend {
        url: StoreUrl::Postgres(database.url().to_string()),
        _dir: tempfile::tempdir().expect("tempdir"),
        _database: Some(database),
    })
}

macro_rules! on_every_backend {
    ($($case:ident),+ $(,)?) => {
        mod sqlite_backend {
            $(
                #[test]
                fn $case() {
                    super::$case(&super::sqlite().url);
                }
            )+
        }
        mod postgres_backend {
            $(
                #[test]
                fn $case() {
                    if let Some(b) = super::postgres() {
                        super::$case(&b.url);
                    }
                }
            )+
        }
    };
}

on_every_backend!(
    account_scopes_round_trip_and_replace,
    replacing_an_account_ends_its_sessions_only,
    disabling_ends_sessions_and_tokens_and_verifies,
    tokens_expire_and_are_revoked_by_label,
    change_state_moves_only_from_the_expected_state,
    changes_come_a_page_at_a_time_newest_first_by_group,
);

fn account(name: &str, role: &str, orgs: &[&str]) -> Account {
    Account {
        name: name.into(),
        role: role.into(),
        organisations: orgs.iter().map(|s| (*s).to_string()).collect(),
        facilities: vec![],
    }
}

fn session(s: &mut dyn AccountStore, hash: &str, account: &str, expires: &str) {
    s.create_session(&SessionRow {
        token_hash: hash.into(),
        account: account.into(),
        csrf: "c".into(),
        created_at: "2026-01-01T00:00:00Z".into(),
        expires_at: expires.into(),
    })
    .expect("session");
}

fn verifies(url: &StoreUrl) {
    let v = url.open().expect("store").verify_audit().expect("verify");
    assert!(v.ok(), "{:?}", v.problems);
}

fn account_scopes_round_trip_and_replace(url: &StoreUrl) {
    let mut s = url.open_accounts().expect("accounts");
    let mut ed = account("ed", "editor", &["org-b", "org-a"]);
    s.put_account(&ed, "h1").expect("put");
    let (got, hash) = s.account("ed").expect("get").expect("exists");
    assert_eq!(got.organisations, ["org-a", "org-b"], "scopes in id order");
    assert_eq!(hash, "h1");
    ed.organisations = vec!["org-c".into()];
    s.put_account(&ed, "h2").expect("replace");
    assert_eq!(s.account("ed").expect("get").expect("exists").0, ed);
    s.put_account(&account("Zoe", "viewer", &[]), "h")
        .expect("put");
    let names: Vec<String> = s
        .accounts()
        .expect("list")
        .into_iter()
        .map(|a| a.name)
        .collect();
    assert_eq!(names, ["Zoe", "ed"], "byte order, as SQLite's");
    assert!(s.account("nobody").expect("get").is_none());
    verifies(url);
}

fn replacing_an_account_ends_its_sessions_only(url: &StoreUrl) {
    let mut s = url.open_accounts().expect("accounts");
    s.put_account(&account("vic", "viewer", &[]), "h1")
        .expect("put");
    s.put_account(&account("other", "viewer", &[]), "h1")
        .expect("put");
    session(&mut *s, "s-vic", "vic", "2999-01-01T00:00:00Z");
    session(&mut *s, "s-other", "other", "2999-01-01T00:00:00Z");
    s.put_account(&account("vic", "editor", &[]), "h2")
        .expect("replace");
    assert!(s.session("s-vic").expect("q").is_none());
    assert_eq!(
        s.session("s-other").expect("q").map(|r| r.account),
        Some("other".to_string())
    );
    assert_eq!(s.purge_sessions("3000-01-01T00:00:00Z").expect("purge"), 1);
    verifies(url);
}

fn disabling_ends_sessions_and_tokens_and_verifies(url: &StoreUrl) {
    let mut s = url.open_accounts().expect("accounts");
    s.set_actor("admin-cli");
    s.put_account(&account("vic", "viewer", &[]), "h1")
        .expect("put");
    session(&mut *s, "s-vic", "vic", "2999-01-01T00:00:00Z");
    s.create_token("t1", "vic", "ci", "2026-01-01T00:00:00Z", None)
        .expect("token");
    let done = s
        .disable_account("vic", "2026-03-01T00:00:00Z")
        .expect("disable")
        .expect("exists");
    assert_eq!((done.sessions, done.tokens, done.already), (1, 1, false));
    assert!(s.account("vic").expect("q").is_none(), "cannot sign in");
    assert_eq!(
        s.disabled_at("vic").expect("q").as_deref(),
        Some("2026-03-01T00:00:00Z")
    );
    let log = url.open().expect("store").audit_log(None).expect("log");
    let last = log.last().expect("entry");
    assert_eq!(
        (
            last.actor.as_str(),
            last.kind.as_str(),
            last.action.as_str()
        ),
        ("admin-cli", "account", "update")
    );
    verifies(url);
    let again = s
        .disable_account("vic", "2026-04-01T00:00:00Z")
        .expect("again");
    assert!(again.is_some_and(|d| d.already));
    assert!(s.disable_account("nobody", "t").expect("q").is_none());
}

fn tokens_expire_and_are_revoked_by_label(url: &StoreUrl) {
    let mut s = url.open_accounts().expect("accounts");
    s.put_account(&account("bot", "viewer", &[]), "h")
        .expect("put");
    s.create_token(
        "t",
        "bot",
        "ci",
        "2026-01-01T00:00:00Z",
        Some("2026-06-01T00:00:00Z"),
    )
    .expect("token");
    s.create_token("u", "bot", "other", "2026-01-02T00:00:00Z", None)
        .expect("token");
    let at = |s: &dyn AccountStore, hash: &str, now: &str| s.token_account(hash, now).expect("q");
    assert_eq!(at(&*s, "t", "2026-02-01T00:00:00Z").as_deref(), Some("bot"));
    assert!(at(&*s, "t", "2026-07-01T00:00:00Z").is_none(), "expired");
    assert_eq!(s.revoke_tokens("bot", "ci").expect("revoke"), 1);
    assert!(at(&*s, "t", "2026-02-01T00:00:00Z").is_none(), "revoked");
    assert_eq!(at(&*s, "u", "2026-02-01T00:00:00Z").as_deref(), Some("bot"));
    verifies(url);
}

fn change_state_moves_only_from_the_expected_state(url: &StoreUrl) {
    let mut s = url.open_accounts().expect("accounts");
    let add = |s: &mut dyn ChangeStore, id: &str, state| {
        s.add_change("activity", id, "[]", Some("e1"), state, "ed", "t0")
            .expect("add")
    };
    let first = add(&mut *s, "a-1", ChangeState::Submitted);
    let second = add(&mut *s, "a-2", ChangeState::Draft);
    assert!(second > first);
    let move_it = |s: &mut dyn ChangeStore, from, to| {
        s.set_change_state(first, from, to, "ap", Some("ok"), "t1")
            .expect("move")
    };
    assert!(move_it(
        &mut *s,
        ChangeState::Submitted,
        ChangeState::Approved
    ));
    assert!(
        !move_it(&mut *s, ChangeState::Submitted, ChangeState::Rejected),
        "decided already"
    );
    let row = s.change(first).expect("get").expect("exists");
    assert_eq!(
        (row.state, row.decided_by.as_deref(), row.note.as_deref()),
        (ChangeState::Approved, Some("ap"), Some("ok"))
    );
    assert_eq!(row.base_etag.as_deref(), Some("e1"));
    let ids: Vec<i64> = s.changes(None).expect("all").iter().map(|c| c.id).collect();
    assert_eq!(ids, [second, first], "newest first");
    let drafts = s.changes(Some(ChangeState::Draft)).expect("drafts");
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0].decided_by, None);
}

fn changes_come_a_page_at_a_time_newest_first_by_group(url: &StoreUrl) {
    let mut s = url.open_accounts().expect("accounts");
    let mut decided = Vec::new();
    for n in 0..5 {
        let id = s
            .add_change(
                "activity",
                &format!("a-{n}"),
                "[]",
                None,
                ChangeState::Submitted,
                "ed",
                "t0",
            )
            .expect("add");
        let to = if n % 2 == 0 {
            ChangeState::Approved
        } else {
            ChangeState::Rejected
        };
        assert!(
            s.set_change_state(id, ChangeState::Submitted, to, "ap", None, "t1")
                .expect("move")
        );
        decided.push(id);
    }
    s.add_change(
        "activity",
        "pending",
        "[]",
        None,
        ChangeState::Submitted,
        "ed",
        "t2",
    )
    .expect("add");
    decided.reverse();
    let ids = |rows: Vec<aidtrace_store::ChangeRow>| rows.iter().map(|c| c.id).collect::<Vec<_>>();
    let (first, count) = s.changes_page(ChangeGroup::Decided, 0, 2).expect("page 1");
    assert_eq!((ids(first), count), (decided[..2].to_vec(), 5));
    let (last, _) = s.changes_page(ChangeGroup::Decided, 4, 2).expect("page 3");
    assert_eq!(
        ids(last),
        decided[4..].to_vec(),
        "the pending change is not among them"
    );
    let (beyond, count) = s
        .changes_page(ChangeGroup::Decided, u64::MAX, u64::MAX)
        .expect("past the end");
    assert!(beyond.is_empty());
    assert_eq!(count, 5);
    let (pending, count) = s
        .changes_page(ChangeGroup::Pending, 0, 10)
        .expect("pending");
    assert_eq!((pending.len(), count), (1, 1));
    assert_eq!(pending[0].record_id, "pending");
}

/// What `store copy` must carry across: an account with its scopes and password hash, a
/// session, a token, a decided change and a draft; ids go on from the highest copied.
fn fill(url: &StoreUrl) {
    let mut s = url.open_accounts().expect("accounts");
    s.put_account(&account("eve", "editor", &["org-a"]), "argon-hash")
        .expect("put");
    session(&mut *s, "s-eve", "eve", "2999-01-01T00:00:00Z");
    s.create_token("t-eve", "eve", "ci", "2026-01-01T00:00:00Z", None)
        .expect("token");
    let id = s
        .add_change(
            "flow",
            "f-1",
            "[{}]",
            None,
            ChangeState::Submitted,
            "eve",
            "t0",
        )
        .expect("change");
    s.set_change_state(
        id,
        ChangeState::Submitted,
        ChangeState::Rejected,
        "abe",
        Some("no"),
        "t1",
    )
    .expect("reject");
    s.add_change("flow", "f-2", "[{}]", None, ChangeState::Draft, "eve", "t2")
        .expect("draft");
}

fn carried(from: &StoreUrl, to: &StoreUrl) {
    let report =
        copy_store(from.open().expect("from"), &mut *to.open().expect("to")).expect("copy");
    // One account, one scope, one session, one token, two changes.
    assert_eq!(report.web_rows, 6);
    let (a, mut b) = (
        from.open_accounts().expect("a"),
        to.open_accounts().expect("b"),
    );
    assert_eq!(b.account("eve").expect("q"), a.account("eve").expect("q"));
    assert!(b.session("s-eve").expect("q").is_some(), "still signed in");
    assert_eq!(
        b.token_account("t-eve", "2026-02-01T00:00:00Z")
            .expect("q")
            .as_deref(),
        Some("eve")
    );
    assert_eq!(b.changes(None).expect("q"), a.changes(None).expect("q"));
    let next = b
        .add_change("flow", "f-3", "[]", None, ChangeState::Draft, "eve", "t3")
        .expect("next");
    assert!(next > 2, "ids go on after the copied ones: {next}");
    verifies(to);
}

#[test]
fn copy_carries_accounts_tokens_and_changes_from_sqlite_to_postgres() {
    let Some(pg) = postgres() else { return };
    let lite = sqlite();
    fill(&lite.url);
    carried(&lite.url, &pg.url);
}

#[test]
fn copy_carries_accounts_tokens_and_changes_from_postgres_to_sqlite() {
    let Some(pg) = postgres() else { return };
    let lite = sqlite();
    fill(&pg.url);
    carried(&pg.url, &lite.url);
}

/// Text `COPY` must escape (tab, newline, carriage return, backslash, its own `\N`) and text
/// it must not touch, in records, an update's `before` and `after`, and a deleted record's
/// entry; amounts with trailing zeros and many places (NUMERIC keeps them as written).
fn fill_awkward_records(url: &StoreUrl) {
    let mut store = url.open().expect("store");
    let title = "Tab\there, line\nbreak, CR\r, back\\slash, \\N, \"quoted\", ½ – Қазақстан";
    let mut act = conformance::activity("act-awkward");
    if let aidtrace_domain::model::Record::Activity(a) = &mut act {
        a.title = title.to_string();
    }
    let changes = vec![
        Change::Put(conformance::org("org-tab")),
        Change::Put(act.clone()),
        Change::Put(conformance::flow("flow-a", "act-awkward", "1000.50")),
        Change::Put(conformance::flow("flow-b", "act-awkward", "0.000001")),
        Change::Put(conformance::activity("act-gone")),
    ];
    store
        .apply("tab\tactor\r\nnext line", &changes)
        .expect("first batch");
    if let aidtrace_domain::model::Record::Activity(a) = &mut act {
        a.title = format!("{title} (\\\\ again)");
    }
    let id = aidtrace_domain::RecordId::parse("act-gone").expect("id");
    store
        .apply(
            "eve",
            &[
                Change::Put(act),
                Change::Delete(aidtrace_domain::RecordKind::Activity, id),
            ],
        )
        .expect("second batch");
}

/// Everything `copy_out` gives, as text, to compare two stores item for item.
fn copied_out(url: &StoreUrl) -> Vec<String> {
    let mut items = Vec::new();
    url.open()
        .expect("store")
        .copy_out(&mut |item: CopyItem| {
            items.push(format!("{item:?}"));
            Ok(())
        })
        .expect("copy out");
    items
}

fn carried_byte_for_byte(from: &StoreUrl, to: &StoreUrl) {
    fill_awkward_records(from);
    let report =
        copy_store(from.open().expect("from"), &mut *to.open().expect("to")).expect("copy");
    assert_eq!(
        report.records, 4,
        "two flows, an activity and an organisation"
    );
    assert_eq!(
        report.audit_entries, 7,
        "five creates, an update and a delete"
    );
    let (source, target) = (copied_out(from), copied_out(to));
    assert_eq!(source.len(), target.len());
    for (a, b) in source.iter().zip(&target) {
        assert_eq!(a, b);
    }
    verifies(to);
}

#[test]
fn copy_carries_records_that_need_escaping_from_sqlite_to_postgres() {
    let Some(pg) = postgres() else { return };
    carried_byte_for_byte(&sqlite().url, &pg.url);
}

#[test]
fn copy_carries_records_that_need_escaping_from_postgres_to_sqlite() {
    let Some(pg) = postgres() else { return };
    carried_byte_for_byte(&pg.url, &sqlite().url);
}

/// A refused target stops the copy at once, however much the source holds: the reader must not
/// wait on a full queue for a writer that has given up (10,000 records fill the queue).
#[test]
fn a_refused_copy_returns_while_the_source_still_has_rows_to_send() {
    let (from, to) = (sqlite(), sqlite());
    let orgs: Vec<Change> = (0..10_000)
        .map(|i| Change::Put(conformance::org(&format!("org-{i}"))))
        .collect();
    from.url
        .open()
        .expect("from")
        .apply("ci", &orgs)
        .expect("fill");
    to.url
        .open()
        .expect("to")
        .apply("ci", &[Change::Put(conformance::org("org-there"))])
        .expect("target");
    let (done, result) = std::sync::mpsc::channel();
    let (from_url, to_url) = (from.url.clone(), to.url.clone());
    std::thread::spawn(move || {
        let copied = copy_store(
            from_url.open().expect("from"),
            &mut *to_url.open().expect("to"),
        );
        let _ = done.send(copied.map(|_| ()).map_err(|e| e.to_string()));
    });
    let outcome = result
        .recv_timeout(std::time::Duration::from_secs(120))
        .expect("the copy returned instead of waiting for ever");
    let message = outcome.expect_err("a non-empty target is refused");
    assert!(message.contains("not empty"), "{message}");
}
