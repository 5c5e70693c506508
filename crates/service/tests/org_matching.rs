//! Organisation matching on IATI import, the review list, aliases and merges, on a real
//! SQLite ledger holding the seed scenario.

use aidtrace_domain::error::{Problem, ProblemId};
use aidtrace_domain::model::{Organisation, Record};
use aidtrace_domain::{RecordId, RecordKind};
use aidtrace_service::Aidtrace;
use aidtrace_service::iati::{FileImport, ImportOptions};

fn id(raw: &str) -> RecordId {
    RecordId::parse(raw).expect("id")
}

fn demo() -> (tempfile::TempDir, Aidtrace) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = Aidtrace::open_sqlite(&dir.path().join("aidtrace.db")).expect("open");
    app.load_demo("test").expect("demo");
    (dir, app)
}

fn import(app: &mut Aidtrace, name: &str, xml: &str) -> FileImport {
    let report = app
        .import_iati(
            "importer",
            name,
            || Ok(xml.as_bytes()),
            ImportOptions::default(),
            &mut |_, _| {},
        )
        .expect("import");
    assert_eq!(report.accepted, 1, "{report:#?}");
    report
}

/// One activity reported and funded by the organisation `org` (an IATI `ref` attribute, or
/// none), with one commitment it provides.
fn publisher_file(identifier: &str, org: &str, name: &str) -> String {
    typed_publisher_file(identifier, org, name, "10")
}

/// [`publisher_file`] with the publisher's IATI organisation type (`40`: multilateral).
fn typed_publisher_file(identifier: &str, org: &str, name: &str, kind: &str) -> String {
    format!(
        r#"<?xml version="1.0"?>
<iati-activities version="2.03">
 <iati-activity last-updated-datetime="2024-01-01T00:00:00Z" default-currency="JPY">
  <iati-identifier>{identifier}</iati-identifier>
  <reporting-org {org} type="{kind}"><narrative>{name}</narrative></reporting-org>
  <title><narrative>Hospital equipment</narrative></title>
  <participating-org {org} role="1" type="{kind}"><narrative>{name}</narrative></participating-org>
  <activity-status code="2"/>
  <activity-date type="1" iso-date="2024-01-01"/>
  <recipient-country code="KZ"/>
  <sector code="12191" vocabulary="1"/>
  <transaction><transaction-type code="2"/><transaction-date iso-date="2024-02-01"/><value value-date="2024-02-01">1000000</value><provider-org {org}><narrative>{name}</narrative></provider-org></transaction>
 </iati-activity>
</iati-activities>"#
    )
}

fn organisations(app: &Aidtrace) -> Vec<Organisation> {
    app.store()
        .list(RecordKind::Organisation)
        .expect("list")
        .into_iter()
        .filter_map(|r| match r {
            Record::Organisation(o) => Some(o),
            _ => None,
        })
        .collect()
}

fn org(app: &Aidtrace, raw: &str) -> Option<Organisation> {
    match app
        .store()
        .get(RecordKind::Organisation, &id(raw))
        .expect("get")
    {
        Some(Record::Organisation(o)) => Some(o),
        _ => None,
    }
}

/// The organisations the imported activity `identifier` names (reporting org, participants,
/// flow providers), deduplicated.
fn named_by(app: &Aidtrace, identifier: &str) -> Vec<String> {
    let ledger = app.ledger().expect("ledger");
    let activity = ledger
        .activities
        .values()
        .find(|a| a.iati_identifier.as_deref() == Some(identifier))
        .expect("imported activity");
    let mut out: Vec<String> = activity
        .reporting_org
        .iter()
        .chain(activity.participants.iter().map(|p| &p.org))
        .chain(
            ledger
                .flows
                .values()
                .filter(|f| f.activity == activity.id)
                .filter_map(|f| f.provider.as_ref()),
        )
        .map(ToString::to_string)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Every (field, organisation) reference of the ledger.
fn org_references(app: &Aidtrace) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for kind in RecordKind::ALL {
        for record in app.store().list(kind).expect("list") {
            for (field, k, target) in record.references() {
                if k == RecordKind::Organisation {
                    out.push((
                        record.id().to_string(),
                        field.to_string(),
                        target.to_string(),
                    ));
                }
            }
        }
    }
    out
}

#[test]
fn an_iati_reference_the_ledger_knows_links_to_that_organisation() {
    let (_dir, mut app) = demo();
    let before = organisations(&app).len();
    import(
        &mut app,
        "jica.xml",
        &publisher_file("XM-DAC-701-8-ORG1", r#"ref="XM-DAC-701-8""#, "JICA"),
    );
    assert_eq!(named_by(&app, "XM-DAC-701-8-ORG1"), vec!["org-jica"]);
    assert_eq!(organisations(&app).len(), before, "no organisation created");
}

#[test]
fn a_normalised_name_links_to_the_organisation_of_that_name() {
    let (_dir, mut app) = demo();
    let before = organisations(&app).len();
    import(
        &mut app,
        "gov.xml",
        &publisher_file("JP-GOV-ORG2", r#"ref="JP-GOV""#, "GOVERNMENT of  Japan."),
    );
    assert_eq!(named_by(&app, "JP-GOV-ORG2"), vec!["org-gov-japan"]);
    assert_eq!(organisations(&app).len(), before);
    // The link is remembered, so a re-import decides the same whatever arrives meanwhile.
    let gov = org(&app, "org-gov-japan").expect("gov");
    assert!(
        gov.aliases
            .iter()
            .any(|a| a.merged_id.as_ref().map(RecordId::as_str) == Some("org-iati-JP-GOV")),
        "{gov:#?}"
    );
}

#[test]
fn a_link_by_name_inside_one_activity_is_remembered_and_a_reimport_changes_nothing() {
    let (_dir, mut app) = demo();
    // The publisher with its reference, then a participant of the same name without one.
    let xml = publisher_file("KR-SAME-1", r#"ref="KR-GOV-010""#, "KOICA").replace(
        r#"<participating-org ref="KR-GOV-010" role="1" type="10">"#,
        r#"<participating-org role="1" type="10">"#,
    );
    import(&mut app, "same.xml", &xml);
    assert_eq!(named_by(&app, "KR-SAME-1"), vec!["org-iati-KR-GOV-010"]);
    let koica = org(&app, "org-iati-KR-GOV-010").expect("created");
    assert_eq!(
        koica
            .aliases
            .first()
            .and_then(|a| a.merged_id.as_ref())
            .map(RecordId::as_str),
        Some("org-name-koica"),
        "{koica:#?}"
    );
    let again = import(&mut app, "same.xml", &xml);
    assert_eq!(
        again.records_created + again.records_updated,
        0,
        "{again:#?}"
    );
}

#[test]
fn a_name_without_a_reference_links_by_name_too() {
    let (_dir, mut app) = demo();
    import(
        &mut app,
        "noref.xml",
        &publisher_file("NOREF-ORG3", "", "Government of Japan"),
    );
    assert_eq!(named_by(&app, "NOREF-ORG3"), vec!["org-gov-japan"]);
}

#[test]
fn a_reviewed_alias_links_to_its_organisation() {
    let (_dir, mut app) = demo();
    app.add_alias("admin", &id("org-gov-japan"), "Japan - Government")
        .expect("alias");
    import(
        &mut app,
        "alias.xml",
        &publisher_file("JP-X-ORG4", r#"ref="JP-X""#, "JAPAN GOVERNMENT"),
    );
    assert_eq!(named_by(&app, "JP-X-ORG4"), vec!["org-gov-japan"]);
}

#[test]
fn a_same_name_with_another_iati_identifier_is_not_linked() {
    let (_dir, mut app) = demo();
    // JICA holds XM-DAC-701-8; a publisher of that name with another identifier is another.
    import(
        &mut app,
        "other.xml",
        &publisher_file(
            "XX-OTHER-ORG5",
            r#"ref="XX-OTHER""#,
            "Japan International Cooperation Agency (JICA)",
        ),
    );
    assert_eq!(named_by(&app, "XX-OTHER-ORG5"), vec!["org-iati-XX-OTHER"]);
}

#[test]
fn an_unmatched_publisher_is_created_once_and_listed_for_review_with_suggestions() {
    let (_dir, mut app) = demo();
    import(
        &mut app,
        "mofa.xml",
        &publisher_file(
            "JP-FA-ORG6",
            r#"ref="JP-FA""#,
            "Japan - Ministry of Foreign Affairs",
        ),
    );
    assert_eq!(named_by(&app, "JP-FA-ORG6"), vec!["org-iati-JP-FA"]);
    let review = app.organisations_to_review().expect("review");
    assert_eq!(review.len(), 1, "{review:#?}");
    assert_eq!(review[0].organisation.id.as_str(), "org-iati-JP-FA");
    let suggested: Vec<&str> = review[0]
        .suggestions
        .iter()
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(suggested.first(), Some(&"org-mofa-japan"), "{suggested:?}");
    assert!(suggested.contains(&"org-gov-japan"), "{suggested:?}");
    // "Ministry" alone says nothing: another country's ministry is no candidate.
    assert!(!suggested.contains(&"org-moh-ua"), "{suggested:?}");
}

#[test]
fn a_multilateral_bank_is_not_offered_a_merge_into_a_blood_banks_manufacturer() {
    let (_dir, mut app) = demo();
    import(
        &mut app,
        "wb.xml",
        &typed_publisher_file("44000-ORG8", r#"ref="44000""#, "World Bank", "40"),
    );
    let review = app.organisations_to_review().expect("review");
    assert_eq!(review.len(), 1, "{review:#?}");
    let suggested: Vec<&str> = review[0]
        .suggestions
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert!(
        suggested.iter().all(|n| !n.contains("Manufacturer")),
        "a bank shares a word with a blood bank's maker, not its kind: {suggested:?}"
    );
}

#[test]
fn keep_as_new_takes_an_organisation_off_the_review_list() {
    let (_dir, mut app) = demo();
    import(
        &mut app,
        "koica.xml",
        &publisher_file("KR-GOV-ORG7", r#"ref="KR-GOV-010""#, "KOICA"),
    );
    let report = app
        .keep_organisation("admin", &id("org-iati-KR-GOV-010"))
        .expect("keep");
    assert_eq!(report.updated, 1);
    assert!(app.organisations_to_review().expect("review").is_empty());
    let again = app
        .keep_organisation("admin", &id("org-iati-KR-GOV-010"))
        .expect("keep again");
    assert_eq!(again.changed(), 0);
    let history = app
        .history(RecordKind::Organisation, &id("org-iati-KR-GOV-010"))
        .expect("history");
    assert_eq!(history.last().map(|e| e.actor.as_str()), Some("admin"));
}

/// Records naming `org-moh-kz` in every place a record can name an organisation.
const EVERY_REFERENCE: &str = r#"{"records": [
  {"record": "organisation", "id": "org-moh-kz-dept", "name": "Department of the Ministry", "kind": "ministry", "parent": "org-moh-kz"},
  {"record": "facility", "id": "fac-moh-run", "name": "Ministry clinic", "kind": "primary_care", "country": "KZ", "operator": "org-moh-kz"},
  {"record": "activity", "id": "act-moh", "title": "Ministry activity", "instrument": "grant_aid", "status": "implementation",
   "reporting_org": "org-moh-kz",
   "participants": [{"org": "org-moh-kz", "role": "accountable"}, {"org": "org-gov-kazakhstan", "role": "accountable"}],
   "legal_steps": [{"kind": "grant_agreement", "signatories": [{"name": "A Minister", "org": "org-moh-kz"}]}]},
  {"record": "flow", "id": "flow-moh", "activity": "act-moh", "kind": "disbursement",
   "money": {"amount": "10", "currency": "USD", "value_date": "2024-01-01"}, "provider": "org-moh-kz", "receiver": "org-moh-kz"},
  {"record": "budget", "id": "bud-moh", "activity": "act-moh", "kind": "original", "period_start": "2024-01-01", "period_end": "2024-12-31",
   "money": {"amount": "10", "currency": "USD"}, "provider": "org-moh-kz", "receiver": "org-moh-kz"},
  {"record": "partnership", "id": "pship-moh", "lead": "org-moh-kz", "partners": ["org-gov-kazakhstan", "org-semey-university"]},
  {"record": "market_registration", "id": "reg-moh", "country": "KZ", "origin_country": "JP", "product_kind": "medical_device", "manufacturer": "org-moh-kz"},
  {"record": "claim", "id": "claim-moh", "kind": "quantity", "statement": "many", "organisation": "org-moh-kz"}
]}"#;

#[test]
fn a_merge_moves_every_reference_and_keeps_the_old_id_and_name_as_an_alias() {
    let (_dir, mut app) = demo();
    app.load_json("test", EVERY_REFERENCE).expect("load");
    let before = org_references(&app);
    let report = app
        .merge_organisations("admin", &id("org-moh-kz"), &id("org-gov-kazakhstan"))
        .expect("merge");
    assert!(!report.already_merged);
    let after = org_references(&app);
    assert!(
        after.iter().all(|(_, _, target)| target != "org-moh-kz"),
        "{after:#?}"
    );
    // Every reference to FROM now names INTO; the rest are untouched.
    let expected: Vec<(String, String, String)> = before
        .iter()
        .filter(|(record, field, _)| !(record == "org-moh-kz" && field == "parent"))
        .map(|(r, f, t)| {
            let t = if t == "org-moh-kz" {
                "org-gov-kazakhstan"
            } else {
                t
            };
            (r.clone(), f.clone(), t.to_string())
        })
        .collect();
    let mut expected_set = expected.clone();
    expected_set.sort();
    expected_set.dedup();
    let mut after_set = after.clone();
    after_set.sort();
    after_set.dedup();
    // The lead is no longer also listed as a partner (below); everything else is as mapped.
    expected_set
        .retain(|(r, f, t)| !(r == "pship-moh" && f == "partners" && t == "org-gov-kazakhstan"));
    assert_eq!(after_set, expected_set);
    for kind in [
        "organisation",
        "facility",
        "activity",
        "flow",
        "budget",
        "partnership",
        "market_registration",
        "claim",
    ] {
        assert!(report.moved.contains_key(kind), "{kind}: {report:#?}");
    }
    // Participants and partners that became the same organisation are listed once.
    let ledger = app.ledger().expect("ledger");
    let activity = &ledger.activities[&id("act-moh")];
    assert_eq!(activity.participants.len(), 1, "{activity:#?}");
    let partnership = &ledger.partnerships[&id("pship-moh")];
    assert_eq!(partnership.lead.as_str(), "org-gov-kazakhstan");
    assert_eq!(partnership.partners, vec![id("org-semey-university")]);
    assert!(org(&app, "org-moh-kz").is_none(), "FROM is deleted");
    let into = org(&app, "org-gov-kazakhstan").expect("INTO");
    assert!(
        into.aliases.iter().any(
            |a| a.name == "Ministry of Health of the Republic of Kazakhstan"
                && a.merged_id.as_ref().map(RecordId::as_str) == Some("org-moh-kz")
        ),
        "{into:#?}"
    );
    let verification = app.verify_audit().expect("verify");
    assert!(verification.ok(), "{verification:#?}");
}

#[test]
fn a_second_merge_of_the_same_pair_changes_nothing() {
    let (_dir, mut app) = demo();
    app.merge_organisations("admin", &id("org-moh-ua"), &id("org-gov-ukraine"))
        .expect("merge");
    let entries = app.store().audit_log(None).expect("log").len();
    let again = app
        .merge_organisations("admin", &id("org-moh-ua"), &id("org-gov-ukraine"))
        .expect("merge again");
    assert!(again.already_merged);
    assert_eq!(again.changed, 0);
    assert_eq!(app.store().audit_log(None).expect("log").len(), entries);
}

#[test]
fn a_merge_is_one_audited_transaction() {
    let (_dir, mut app) = demo();
    let entries = app.store().audit_log(None).expect("log").len();
    let report = app
        .merge_organisations("admin", &id("org-embassy-japan-kz"), &id("org-mofa-japan"))
        .expect("merge");
    let log = app.store().audit_log(None).expect("log");
    let new: Vec<_> = log[entries..].iter().collect();
    assert_eq!(new.len(), report.changed, "one entry per changed record");
    assert!(new.iter().all(|e| e.actor == "admin"));
    // One transaction: the entries share its time.
    assert!(new.windows(2).all(|w| w[0].at == w[1].at), "{new:#?}");
}

fn refused(app: &mut Aidtrace, from: &str, into: &str) -> String {
    let entries = app.store().audit_log(None).expect("log").len();
    let err = app
        .merge_organisations("admin", &id(from), &id(into))
        .expect_err("refused");
    assert!(err.is_bad_input(), "{err}");
    assert_eq!(
        app.store().audit_log(None).expect("log").len(),
        entries,
        "nothing written"
    );
    err.to_string()
}

#[test]
fn a_merge_into_itself_is_refused() {
    let (_dir, mut app) = demo();
    let message = refused(&mut app, "org-jica", "org-jica");
    assert!(message.contains("into itself"), "{message}");
}

#[test]
fn a_merge_from_an_unknown_id_is_refused() {
    let (_dir, mut app) = demo();
    let message = refused(&mut app, "org-nobody", "org-jica");
    assert!(
        message.contains("from = org-nobody") || message.contains("org-nobody"),
        "{message}"
    );
    assert!(message.contains("no organisation"), "{message}");
}

#[test]
fn a_merge_into_an_unknown_id_is_refused() {
    let (_dir, mut app) = demo();
    let message = refused(&mut app, "org-jica", "org-nobody");
    assert!(message.contains("org-nobody"), "{message}");
    assert!(message.contains("no organisation"), "{message}");
}

#[test]
fn a_merge_that_would_make_a_parent_cycle_is_refused() {
    let (_dir, mut app) = demo();
    // The embassy belongs to the ministry, which belongs to the government.
    let message = refused(&mut app, "org-gov-japan", "org-embassy-japan-kz");
    assert!(message.contains("own parent"), "{message}");
    assert!(
        message.contains("org-embassy-japan-kz → org-mofa-japan → org-gov-japan"),
        "{message}"
    );
}

#[test]
fn a_reimport_after_a_merge_links_to_the_merged_organisation() {
    let (_dir, mut app) = demo();
    let xml = publisher_file(
        "JP-FA-ORG8",
        r#"ref="JP-FA""#,
        "Japan - Ministry of Foreign Affairs",
    );
    import(&mut app, "mofa.xml", &xml);
    app.merge_organisations("admin", &id("org-iati-JP-FA"), &id("org-gov-japan"))
        .expect("merge");
    assert!(app.organisations_to_review().expect("review").is_empty());
    let again = import(&mut app, "mofa.xml", &xml);
    assert_eq!(
        again.records_created + again.records_updated,
        0,
        "{again:#?}"
    );
    assert!(org(&app, "org-iati-JP-FA").is_none(), "not created again");
    assert_eq!(named_by(&app, "JP-FA-ORG8"), vec!["org-gov-japan"]);
    // A new file naming the same publisher links by the identifier INTO took over.
    import(
        &mut app,
        "mofa2.xml",
        &publisher_file("JP-FA-ORG9", r#"ref="JP-FA""#, "MOFA Japan"),
    );
    assert_eq!(named_by(&app, "JP-FA-ORG9"), vec!["org-gov-japan"]);
}

#[test]
fn an_alias_that_names_another_organisation_is_refused() {
    let (_dir, mut app) = demo();
    let added = app
        .add_alias("admin", &id("org-gov-japan"), "JICA")
        .expect("a first alias");
    assert_eq!(added.updated, 1);
    let err = app
        .add_alias("admin", &id("org-mofa-japan"), " jica ")
        .expect_err("taken");
    assert!(err.to_string().contains("org-gov-japan"), "{err}");
    let err = app
        .add_alias("admin", &id("org-mofa-japan"), " -- ")
        .expect_err("empty");
    assert!(err.to_string().contains("alias"), "{err}");
    let rows = app.aliases().expect("aliases");
    assert_eq!(rows.len(), 1, "{rows:#?}");
}

#[test]
fn the_writable_organisation_references_are_the_listed_ones() {
    let (_dir, mut app) = demo();
    app.load_json("test", EVERY_REFERENCE).expect("load");
    for kind in RecordKind::ALL {
        for mut record in app.store().list(kind).expect("list") {
            let listed: Vec<String> = record
                .references()
                .into_iter()
                .filter(|(_, k, _)| *k == RecordKind::Organisation)
                .map(|(_, _, t)| t.to_string())
                .collect();
            let writable: Vec<String> = record
                .organisation_refs_mut()
                .into_iter()
                .map(|t| t.to_string())
                .collect();
            assert_eq!(listed, writable, "{} {}", kind.as_str(), record.id());
        }
    }
}

fn run(app: &mut Aidtrace, dir: &std::path::Path, files: &[&str], strict: bool) -> Vec<FileImport> {
    let paths: Vec<std::path::PathBuf> = files
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let path = dir.join(format!("{}.xml", i + 1));
            std::fs::write(&path, text).expect("write");
            path
        })
        .collect();
    app.import_iati_files(
        "importer",
        &paths,
        ImportOptions {
            strict,
            ..ImportOptions::default()
        },
        &mut |_, _, _| {},
    )
    .expect("import")
}

#[test]
fn a_later_file_of_the_run_links_to_an_organisation_an_earlier_file_created() {
    let (dir, mut app) = demo();
    let reports = run(
        &mut app,
        dir.path(),
        &[
            &publisher_file("KR-RUN-1", r#"ref="KR-GOV-010""#, "KOICA"),
            &publisher_file("KR-RUN-2", "", "Koica"),
        ],
        false,
    );
    assert_eq!(reports.len(), 2);
    assert_eq!(named_by(&app, "KR-RUN-1"), vec!["org-iati-KR-GOV-010"]);
    assert_eq!(named_by(&app, "KR-RUN-2"), vec!["org-iati-KR-GOV-010"]);
    assert_eq!(app.organisations_to_review().expect("review").len(), 1);
}

#[test]
fn an_organisation_of_a_refused_file_is_not_linked_to_by_the_next_file() {
    let (_dir, mut app) = demo();
    // The first file is refused whole (strict, an activity without a currency) after its
    // publisher was indexed; the second must create it, not point at nothing.
    let refused = publisher_file("KR-REF-1", r#"ref="KR-GOV-010""#, "KOICA").replace(
        "</iati-activities>",
        r#" <iati-activity><iati-identifier>KR-REF-BAD</iati-identifier><reporting-org ref="KR-GOV-010" type="10"><narrative>KOICA</narrative></reporting-org><title><narrative>No currency</narrative></title><transaction><transaction-type code="3"/><transaction-date iso-date="2024-02-01"/><value value-date="2024-02-01">5</value></transaction></iati-activity>
</iati-activities>"#,
    );
    let first = app
        .import_iati(
            "importer",
            "refused.xml",
            || Ok(refused.as_bytes()),
            ImportOptions {
                strict: true,
                ..ImportOptions::default()
            },
            &mut |_, _| {},
        )
        .expect("import");
    assert!(first.refused.is_some(), "{first:#?}");
    import(
        &mut app,
        "second.xml",
        &publisher_file("KR-REF-2", "", "KOICA"),
    );
    assert_eq!(named_by(&app, "KR-REF-2"), vec!["org-name-koica"]);
}

fn scoped_accounts(dir: &tempfile::TempDir) -> aidtrace_store::SqliteAccounts {
    use aidtrace_store::{Account, AccountStore};
    let mut accounts =
        aidtrace_store::SqliteAccounts::open(&dir.path().join("aidtrace.db")).expect("accounts");
    for (name, orgs) in [
        ("olena", vec!["org-moh-ua"]),
        ("both", vec!["org-moh-ua", "org-gov-ukraine"]),
        ("other", vec!["org-embassy-japan-kz"]),
    ] {
        let account = Account {
            name: name.into(),
            role: "editor".into(),
            organisations: orgs.into_iter().map(String::from).collect(),
            facilities: vec![],
        };
        accounts.put_account(&account, "hash").expect("put");
    }
    accounts
}

fn scope_of(accounts: &aidtrace_store::SqliteAccounts, name: &str) -> Vec<String> {
    use aidtrace_store::AccountStore;
    accounts
        .account(name)
        .expect("get")
        .expect("account")
        .0
        .organisations
}

#[test]
fn a_merge_moves_account_scopes_to_the_surviving_organisation() {
    use aidtrace_store::AccountStore;
    let (dir, mut app) = demo();
    let mut accounts = scoped_accounts(&dir);
    app.merge_organisations("admin", &id("org-moh-ua"), &id("org-gov-ukraine"))
        .expect("merge");
    accounts.set_actor("admin");
    let moved = aidtrace_service::orgs::move_account_scopes(
        &mut accounts,
        &id("org-moh-ua"),
        &id("org-gov-ukraine"),
    )
    .expect("rescope");
    assert_eq!(moved, ["both", "olena"]);
    assert_eq!(scope_of(&accounts, "olena"), ["org-gov-ukraine"]);
    // Nobody gains a second copy of a scope they had.
    assert_eq!(scope_of(&accounts, "both"), ["org-gov-ukraine"]);
    assert_eq!(scope_of(&accounts, "other"), ["org-embassy-japan-kz"]);
    let verification = app.verify_audit().expect("verify");
    assert!(verification.ok(), "{verification:#?}");
}

#[test]
fn moving_account_scopes_twice_changes_nothing_the_second_time() {
    let (dir, mut app) = demo();
    let mut accounts = scoped_accounts(&dir);
    app.merge_organisations("admin", &id("org-moh-ua"), &id("org-gov-ukraine"))
        .expect("merge");
    let (from, into) = (id("org-moh-ua"), id("org-gov-ukraine"));
    aidtrace_service::orgs::move_account_scopes(&mut accounts, &from, &into).expect("first");
    let entries = app.store().audit_log(None).expect("log").len();
    let again =
        aidtrace_service::orgs::move_account_scopes(&mut accounts, &from, &into).expect("again");
    assert!(again.is_empty());
    assert_eq!(app.store().audit_log(None).expect("log").len(), entries);
}

/// The message id of a refusal, which pages word in the reader's language.
fn problem_of(err: &aidtrace_service::ServiceError) -> Option<Problem> {
    match err {
        aidtrace_service::ServiceError::Invalid { error, .. } => error.problem.as_deref().cloned(),
        _ => None,
    }
}

#[test]
fn a_merge_into_itself_carries_its_message_id() {
    let (_dir, mut app) = demo();
    let err = app
        .merge_organisations("admin", &id("org-jica"), &id("org-jica"))
        .expect_err("refused");
    let problem = problem_of(&err).expect("a message id");
    assert_eq!(problem.id, ProblemId::MergeIntoItself);
}

#[test]
fn a_merge_into_an_unknown_id_carries_the_no_such_record_id() {
    let (_dir, mut app) = demo();
    let err = app
        .merge_organisations("admin", &id("org-jica"), &id("org-nobody"))
        .expect_err("refused");
    let problem = problem_of(&err).expect("a message id");
    assert_eq!(problem.id, ProblemId::NoSuchRecord);
}

#[test]
fn a_merge_that_would_make_a_parent_cycle_carries_the_chain_as_an_argument() {
    let (_dir, mut app) = demo();
    let err = app
        .merge_organisations("admin", &id("org-gov-japan"), &id("org-embassy-japan-kz"))
        .expect_err("refused");
    let problem = problem_of(&err).expect("a message id");
    assert_eq!(problem.id, ProblemId::MergeMakesOwnParent);
    assert_eq!(
        problem.text_arg("chain"),
        Some("org-embassy-japan-kz → org-mofa-japan → org-gov-japan")
    );
}

#[test]
fn an_alias_naming_another_organisation_carries_that_organisation_as_arguments() {
    let (_dir, mut app) = demo();
    app.add_alias("admin", &id("org-gov-japan"), "JICA")
        .expect("a first alias");
    let err = app
        .add_alias("admin", &id("org-mofa-japan"), " jica ")
        .expect_err("taken");
    let problem = problem_of(&err).expect("a message id");
    assert_eq!(problem.id, ProblemId::AliasTaken);
    assert_eq!(problem.text_arg("id"), Some("org-gov-japan"));
}

#[test]
fn an_alias_without_letters_or_digits_carries_its_message_id() {
    let (_dir, mut app) = demo();
    let err = app
        .add_alias("admin", &id("org-mofa-japan"), " -- ")
        .expect_err("empty");
    let problem = problem_of(&err).expect("a message id");
    assert_eq!(problem.id, ProblemId::AliasNoLetters);
}

#[test]
fn an_alias_that_is_the_organisations_own_name_carries_its_message_id() {
    let (_dir, mut app) = demo();
    let Some(Record::Organisation(ministry)) = app
        .store()
        .get(RecordKind::Organisation, &id("org-mofa-japan"))
        .expect("read")
    else {
        panic!("the demo has the ministry");
    };
    let name = ministry.name;
    let err = app
        .add_alias("admin", &id("org-mofa-japan"), &name.to_uppercase())
        .expect_err("its own name");
    let problem = problem_of(&err).expect("a message id");
    assert_eq!(problem.id, ProblemId::AliasIsName);
}
