//! The intake review queue on a real SQLite file: submit the seed article, accept, reject,
//! resubmit, and refuse bad input without writing.

mod kit;

use std::collections::BTreeMap;

use aidtrace_domain::model::DraftStatus;
use aidtrace_domain::{Record, RecordId, RecordKind};
use aidtrace_service::Aidtrace;
use aidtrace_service::intake::{self, Submission};
use chrono::NaiveDate;

/// The seed article (d01 of the project's labelled set, written in the project's own words).
fn seed_article() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../intake/tests/data/dev.jsonl"
    );
    let text = std::fs::read_to_string(path).expect("dev.jsonl");
    text.lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("json line"))
        .find(|v| v["id"] == "d01")
        .and_then(|v| v["text"].as_str().map(String::from))
        .expect("d01")
}

fn submission() -> Submission {
    Submission {
        text: seed_article(),
        title: None,
        url: Some("https://example.org/semey".into()),
        published: NaiveDate::from_ymd_opt(2024, 5, 30),
    }
}

fn open() -> (kit::Guard, Aidtrace) {
    let (dir, app) = kit::open();
    (dir, app)
}

fn audit_len(app: &Aidtrace) -> usize {
    app.verify_audit().expect("verify").entries
}

fn id(s: &str) -> RecordId {
    RecordId::parse(s).expect("id")
}

#[test]
fn seed_article_becomes_a_draft_with_two_core_facts_and_the_fx_flag() {
    let (_dir, mut app) = open();
    let draft = intake::submit(&mut app, "alice", submission()).expect("submit");
    assert_eq!(draft.id.as_str(), "draft-1");
    let ex = intake::extraction_of(&draft).expect("extraction");
    let flows: Vec<_> = ex.flows().collect();
    assert_eq!(
        flows.len(),
        2,
        "two core facts: the yen grant and the 68,790 USD grant"
    );
    let yen = flows[0].amount.as_ref().expect("amount");
    assert_eq!(yen.value.currency, "JPY");
    assert_eq!(yen.value.amount.to_string(), "108700000");
    assert!(
        flows[0]
            .checks
            .iter()
            .any(|c| matches!(c, aidtrace_intake::Check::EquivalentMismatch { .. })),
        "the stated 7 million USD is flagged: {:?}",
        flows[0].checks
    );
    assert!(draft.facts.iter().all(|f| f.status == DraftStatus::Pending));
    // Stored durably and audited.
    assert_eq!(intake::queue(&app).expect("queue"), vec![draft.clone()]);
    let hist = app
        .history(RecordKind::IntakeDraft, &draft.id)
        .expect("history");
    assert_eq!(hist.len(), 1);
    assert_eq!(hist[0].actor, "alice");
}

#[test]
fn accepting_writes_activity_flow_source_with_the_quote_and_check_flags_fx() {
    let (_dir, mut app) = open();
    let draft = intake::submit(&mut app, "alice", submission()).expect("submit");
    let done = intake::accept(&mut app, "bob", "draft-1", 0, &BTreeMap::new()).expect("accept");
    assert!(done.same_as.is_empty());
    let ledger = app.ledger().expect("ledger");
    let flow = ledger.flows.get(&id("flow-draft-1-0")).expect("flow");
    assert_eq!(flow.money.amount.to_string(), "108700000");
    assert_eq!(flow.money.currency.as_str(), "JPY");
    let eq = flow
        .stated_equivalent
        .as_ref()
        .expect("stated equivalent kept beside");
    assert_eq!(eq.amount.to_string(), "7000000");
    assert_eq!(eq.currency.as_str(), "USD");
    let src = ledger
        .sources
        .get(&id("src-intake-draft-1"))
        .expect("source");
    assert_eq!(src.title, draft.title);
    assert_eq!(src.url.as_deref(), Some("https://example.org/semey"));
    assert_eq!(src.published, NaiveDate::from_ymd_opt(2024, 5, 30));
    let quote = flow
        .sources
        .iter()
        .find(|c| c.field.as_deref() == Some("money"))
        .and_then(|c| c.quote.clone())
        .expect("money quote");
    assert_eq!(quote, "108.7 million yen");
    assert!(draft.text.contains(&quote));
    let act = ledger
        .activities
        .get(&id("act-draft-1-0"))
        .expect("activity");
    assert_eq!(act.countries[0].country.as_str(), "KZ");
    let donor = ledger
        .organisations
        .get(flow.provider.as_ref().expect("provider"))
        .expect("donor org");
    assert_eq!(donor.name, "Japan");
    let receiver = ledger
        .organisations
        .get(flow.receiver.as_ref().expect("receiver"))
        .expect("recipient org");
    assert_eq!(receiver.country.as_ref().map(|c| c.as_str()), Some("KZ"));
    let items: Vec<_> = ledger
        .equipment_lines
        .values()
        .filter(|e| e.activity == act.id)
        .collect();
    assert!(items.len() >= 3, "equipment lines for the items: {items:?}");
    let findings = app.check().expect("check");
    assert!(
        findings
            .iter()
            .any(|f| f.rule == "FX-EQUIV" && f.record.as_str() == "flow-draft-1-0"),
        "{findings:?}"
    );
    let d = intake::draft(&app, "draft-1").expect("draft");
    assert_eq!(d.facts[0].status, DraftStatus::Accepted);
    assert_eq!(d.facts[0].reviewer.as_deref(), Some("bob"));
    assert!(d.facts[0].records.contains(&id("flow-draft-1-0")));
    assert_eq!(d.source, Some(id("src-intake-draft-1")));
    assert!(app.verify_audit().expect("verify").ok());
}

#[test]
fn the_same_article_again_proposes_same_as_instead_of_a_duplicate() {
    let (_dir, mut app) = open();
    intake::submit(&mut app, "alice", submission()).expect("submit");
    intake::accept(&mut app, "bob", "draft-1", 0, &BTreeMap::new()).expect("accept");
    let again = intake::submit(&mut app, "alice", submission()).expect("resubmit");
    assert_eq!(again.id.as_str(), "draft-2");
    assert_eq!(again.facts[0].same_as, vec![id("flow-draft-1-0")]);
    let done = intake::accept(&mut app, "bob", "draft-2", 0, &BTreeMap::new()).expect("accept");
    assert_eq!(done.same_as, vec!["flow-draft-1-0".to_string()]);
    let ledger = app.ledger().expect("ledger");
    assert_eq!(ledger.flows.len(), 1, "no duplicate flow");
    assert!(!ledger.flows.contains_key(&id("flow-draft-2-0")));
    // Edits on a linked fact are refused rather than dropped; same_as=none writes a new flow.
    intake::submit(&mut app, "alice", submission()).expect("third");
    let edits = intake::parse_edits(&["amount=5".to_string()]).expect("edits");
    let err = intake::accept(&mut app, "bob", "draft-3", 0, &edits).unwrap_err();
    assert!(
        err.is_bad_input() && err.to_string().contains("same_as=none"),
        "{err}"
    );
    let edits = intake::parse_edits(&["same_as=none".to_string()]).expect("edits");
    intake::accept(&mut app, "bob", "draft-3", 0, &edits).expect("new flow");
    assert!(
        app.ledger()
            .expect("ledger")
            .flows
            .contains_key(&id("flow-draft-3-0"))
    );
    assert!(
        intake::parse_edits(&["same_as=flow-x".to_string()])
            .and_then(|e| intake::accept(&mut app, "bob", "draft-3", 1, &e))
            .is_err()
    );
    let flow = &ledger.flows[&id("flow-draft-1-0")];
    assert!(
        flow.sources
            .iter()
            .any(|c| c.source.as_str() == "src-intake-draft-2"),
        "the second article is cited on the existing flow"
    );
}

#[test]
fn rejection_keeps_the_reason_and_writes_no_ledger_records() {
    let (_dir, mut app) = open();
    intake::submit(&mut app, "alice", submission()).expect("submit");
    let d = intake::reject(&mut app, "carol", "draft-1", 1, "earlier grant").expect("reject");
    assert_eq!(d.facts[1].status, DraftStatus::Rejected);
    let stored = intake::draft(&app, "draft-1").expect("draft");
    assert_eq!(stored.facts[1].reason.as_deref(), Some("earlier grant"));
    assert_eq!(stored.facts[1].reviewer.as_deref(), Some("carol"));
    assert!(app.ledger().expect("ledger").flows.is_empty());
    // A reviewed fact cannot be reviewed again.
    let err = intake::accept(&mut app, "bob", "draft-1", 1, &BTreeMap::new()).unwrap_err();
    assert!(err.is_bad_input(), "{err}");
    // An empty reason is refused.
    let err = intake::reject(&mut app, "carol", "draft-1", 0, "  ").unwrap_err();
    assert!(
        err.is_bad_input() && err.to_string().contains("reason"),
        "{err}"
    );
}

#[test]
fn bad_ids_and_bad_edits_are_refused_and_write_nothing() {
    let (_dir, mut app) = open();
    intake::submit(&mut app, "alice", submission()).expect("submit");
    let before = audit_len(&app);
    let none = BTreeMap::new();
    for (draft, fact) in [("draft-9", 0), ("draft-1", 7), ("bad id!", 0)] {
        let err = intake::accept(&mut app, "bob", draft, fact, &none).unwrap_err();
        assert!(err.is_bad_input(), "{draft} {fact}: {err}");
        let err = intake::reject(&mut app, "bob", draft, fact, "x").unwrap_err();
        assert!(err.is_bad_input(), "{draft} {fact}: {err}");
    }
    for pair in [
        "amount=abc",
        "amount=-5",
        "amount=0.12345678901234567890123456789",
        "amount=1000000000000000001",
        "date=0000-01-01",
        "currency=XYZ",
        "kind=gift",
        "date=29 May",
        "recipient_country=Kazakhstan",
    ] {
        let edits = intake::parse_edits(&[pair.to_string()]).expect("known field");
        let err = intake::accept(&mut app, "bob", "draft-1", 0, &edits).unwrap_err();
        assert!(err.is_bad_input(), "{pair}: {err}");
        let (field, value) = pair.split_once('=').expect("pair");
        let msg = err.to_string();
        assert!(msg.contains(field) && msg.contains(value), "{pair}: {msg}");
    }
    let err = intake::parse_edits(&["colour=red".to_string()]).unwrap_err();
    assert!(
        err.is_bad_input() && err.to_string().contains("colour"),
        "{err}"
    );
    let err = intake::parse_edits(&["amount".to_string()]).unwrap_err();
    assert!(err.is_bad_input(), "{err}");
    assert_eq!(audit_len(&app), before, "nothing written");
    let d = intake::draft(&app, "draft-1").expect("draft");
    assert!(d.facts.iter().all(|f| f.status == DraftStatus::Pending));
}

#[test]
fn edits_are_applied_and_kept_on_the_draft() {
    let (_dir, mut app) = open();
    intake::submit(&mut app, "alice", submission()).expect("submit");
    let edits = intake::parse_edits(&[
        "amount=1087000000".to_string(),
        "kind=pledge".to_string(),
        "date=2024-05-29".to_string(),
    ])
    .expect("edits");
    intake::accept(&mut app, "bob", "draft-1", 0, &edits).expect("accept");
    let ledger = app.ledger().expect("ledger");
    let flow = &ledger.flows[&id("flow-draft-1-0")];
    assert_eq!(flow.money.amount.to_string(), "1087000000");
    assert_eq!(flow.kind, aidtrace_domain::model::FlowKind::Pledge);
    assert_eq!(flow.money.value_date, NaiveDate::from_ymd_opt(2024, 5, 29));
    let d = intake::draft(&app, "draft-1").expect("draft");
    assert_eq!(
        d.facts[0].edits.get("kind").map(String::as_str),
        Some("pledge")
    );
    let stored = app
        .store()
        .get(RecordKind::IntakeDraft, &d.id)
        .expect("get");
    assert!(matches!(stored, Some(Record::IntakeDraft(_))));
}

#[test]
fn empty_and_binary_articles_are_refused_without_writing() {
    let (_dir, mut app) = open();
    for text in ["", "   \n", "\u{0}\u{1}\u{2}\u{3}\u{4}\u{5}"] {
        let err = intake::submit(
            &mut app,
            "alice",
            Submission {
                text: text.into(),
                ..Submission::default()
            },
        )
        .unwrap_err();
        assert!(err.is_bad_input(), "{text:?}: {err}");
    }
    let err = intake::submit(
        &mut app,
        "alice",
        Submission {
            url: Some("javascript:alert(1)".into()),
            ..submission()
        },
    )
    .unwrap_err();
    assert!(
        err.is_bad_input() && err.to_string().contains("url"),
        "{err}"
    );
    assert_eq!(audit_len(&app), 0);
}

fn actor(name: &str, role: aidtrace_service::policy::Role) -> aidtrace_service::policy::Actor {
    aidtrace_service::policy::Actor {
        name: name.into(),
        role,
        organisations: Default::default(),
        facilities: Default::default(),
    }
}

const AT: &str = "2026-01-01T00:00:00.000000Z";

#[test]
fn an_admins_acceptance_writes_at_once_under_the_write_policy() {
    use aidtrace_service::policy::Role;
    let (dir, mut app) = open();
    let mut queue = aidtrace_store::SqliteAccounts::open(&dir.path().join("t.db")).expect("queue");
    intake::submit(&mut app, "alice", submission()).expect("submit");
    let admin = actor("ada", Role::Admin);
    let proposed = intake::accept_or_propose(
        &mut app,
        &mut queue,
        &admin,
        "draft-1",
        0,
        &BTreeMap::new(),
        AT,
    )
    .expect("accept");
    assert_eq!(proposed, None);
    assert!(
        app.ledger()
            .expect("ledger")
            .flows
            .contains_key(&id("flow-draft-1-0"))
    );
}

#[test]
fn a_reviewer_who_does_not_write_directly_proposes_the_whole_batch() {
    use aidtrace_service::changes::ChangeStore;
    use aidtrace_service::policy::Role;
    let (dir, mut app) = open();
    let mut queue = aidtrace_store::SqliteAccounts::open(&dir.path().join("t.db")).expect("queue");
    intake::submit(&mut app, "alice", submission()).expect("submit");
    let before = audit_len(&app);
    let editor = actor("eve", Role::Editor);
    let proposed = intake::accept_or_propose(
        &mut app,
        &mut queue,
        &editor,
        "draft-1",
        0,
        &BTreeMap::new(),
        AT,
    )
    .expect("propose");
    let change = queue
        .change(proposed.expect("a change"))
        .expect("read")
        .expect("stored");
    assert_eq!(change.kind, "intake_draft");
    assert!(change.doc.contains("flow-draft-1-0"), "{}", change.doc);
    // Nothing entered the ledger.
    assert!(
        !app.ledger()
            .expect("ledger")
            .flows
            .contains_key(&id("flow-draft-1-0"))
    );
    assert_eq!(audit_len(&app), before);
}

#[test]
fn a_donor_named_by_an_alias_links_to_the_organisation_that_has_it() {
    use aidtrace_domain::model::{OrgAlias, OrgKind, OrgRole, Organisation};
    let (_dir, mut app) = open();
    let mofa = Organisation {
        id: id("org-mofa-japan"),
        name: "Ministry of Foreign Affairs of Japan".into(),
        kind: OrgKind::Ministry,
        roles: vec![OrgRole::Donor],
        country: None,
        parent: None,
        identifiers: vec![],
        sources: vec![],
        skip_approval: false,
        // What a merge of "Japan" into the ministry leaves behind.
        aliases: vec![OrgAlias {
            name: "Japan".into(),
            merged_id: Some(id("org-japan")),
        }],
        reviewed: true,
    };
    app.put("admin", vec![Record::Organisation(mofa)])
        .expect("put");
    intake::submit(&mut app, "alice", submission()).expect("submit");
    intake::accept(&mut app, "bob", "draft-1", 0, &BTreeMap::new()).expect("accept");
    let ledger = app.ledger().expect("ledger");
    let flow = ledger.flows.get(&id("flow-draft-1-0")).expect("flow");
    assert_eq!(
        flow.provider.as_ref().map(RecordId::as_str),
        Some("org-mofa-japan")
    );
    assert!(
        !ledger.organisations.contains_key(&id("org-japan")),
        "the merged-away donor is not recreated"
    );
}

#[test]
fn a_russian_release_is_refused_by_name_and_nothing_is_queued() {
    let (_dir, mut app) = open();
    let before = audit_len(&app);
    let sub = Submission {
        text: "Правительство Кореи передало областной больнице Караганды аппараты УЗИ и диализа на сумму 2 млн долларов.".into(),
        title: None,
        url: None,
        published: None,
    };
    let err = intake::submit(&mut app, "alice", sub).unwrap_err();
    assert!(
        err.to_string()
            .contains("this text is in Russian; intake reads English only"),
        "{err}"
    );
    assert_eq!(audit_len(&app), before, "nothing written");
}

#[test]
fn a_text_giving_more_facts_than_a_draft_holds_is_refused_and_nothing_is_written() {
    let (_d, mut app) = open();
    let donors = ["Japan", "Germany", "the European Union", "Korea"];
    let places = ["Kharkiv", "Kyiv", "Lviv", "Odesa", "Dnipro"];
    let text: Vec<String> = (0..2_000)
        .map(|i| {
            format!(
                "{} provided {} million yen for generators in {} hospital number {i}.",
                donors[i % donors.len()],
                i % 900 + 1,
                places[i % places.len()]
            )
        })
        .collect();
    let sub = Submission {
        text: text.join(" "),
        title: None,
        url: None,
        published: NaiveDate::from_ymd_opt(2026, 5, 30),
    };
    let refused = intake::submit(&mut app, "alice", sub).expect_err("too many facts");
    let message = refused.to_string();
    assert!(message.contains("at most 500"), "{message}");
    assert!(
        app.store()
            .list(RecordKind::IntakeDraft)
            .expect("drafts")
            .is_empty()
    );
}

#[test]
fn a_prepared_draft_is_stored_under_the_next_id() {
    let (_d, mut app) = open();
    let first = intake::submit(&mut app, "alice", submission()).expect("submit");
    let prepared = intake::prepare_draft(&app, "alice", submission()).expect("prepare");
    let stored = intake::store_draft(&mut app, "alice", prepared).expect("store");
    assert_ne!(stored.id, first.id);
    assert!(stored.id.as_str().starts_with("draft-"));
    assert_eq!(stored.facts.len(), first.facts.len());
}
