//! The names a person knows records by (`Ledger::names_of_kind`, `Ledger::record_name`): what
//! forms match a typed name against, the type-ahead lists and the approval comparison show.

use aidtrace_domain::model::{Record, RecordKind};
use aidtrace_domain::{Ledger, RecordId};

fn ledger() -> Ledger {
    let records: Vec<Record> = serde_json::from_str(
        r#"[
        {"record":"organisation","id":"org-jp","name":"Government of Japan","kind":"government"},
        {"record":"activity","id":"act-1","title":"MRI for Semey","instrument":"grant_aid","status":"implementation"},
        {"record":"facility","id":"fac-1","name":"Semey hospital","kind":"university_hospital","country":"KZ"},
        {"record":"flow","id":"flow-1","activity":"act-1","kind":"commitment","money":{"amount":"1","currency":"USD"}}
    ]"#,
    )
    .expect("records");
    Ledger::from_records(records)
}

fn id(raw: &str) -> RecordId {
    RecordId::parse(raw).expect("id")
}

#[test]
fn each_named_kind_lists_its_records_with_their_names() {
    let l = ledger();
    let names = |k| {
        l.names_of_kind(k)
            .map(|(i, n)| format!("{i}={n}"))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(RecordKind::Organisation),
        ["org-jp=Government of Japan"]
    );
    assert_eq!(names(RecordKind::Activity), ["act-1=MRI for Semey"]);
    assert_eq!(names(RecordKind::Facility), ["fac-1=Semey hospital"]);
    assert!(names(RecordKind::Source).is_empty());
}

#[test]
fn a_kind_without_names_lists_nothing() {
    assert_eq!(ledger().names_of_kind(RecordKind::Flow).count(), 0);
}

#[test]
fn a_record_is_named_whatever_its_kind_and_an_unnamed_one_is_not() {
    let l = ledger();
    assert_eq!(l.record_name(&id("org-jp")), Some("Government of Japan"));
    assert_eq!(l.record_name(&id("act-1")), Some("MRI for Semey"));
    assert_eq!(l.record_name(&id("fac-1")), Some("Semey hospital"));
    assert_eq!(l.record_name(&id("flow-1")), None);
    assert_eq!(l.record_name(&id("missing")), None);
}

fn banks() -> Ledger {
    let records: Vec<Record> = serde_json::from_str(
        r#"[
        {"record":"organisation","id":"org-adb","name":"Asian Development Bank","kind":"multilateral",
         "identifiers":[{"scheme":"iati","value":"XM-DAC-46004"}]},
        {"record":"organisation","id":"org-iati-46004","name":"Asian Development Bank","kind":"multilateral",
         "identifiers":[{"scheme":"iati_as_published","value":"46004"}]},
        {"record":"organisation","id":"org-adb-3","name":"asian development bank","kind":"other"},
        {"record":"organisation","id":"org-jp","name":"Government of Japan","kind":"government"}
    ]"#,
    )
    .expect("records");
    Ledger::from_records(records)
}

/// Organisations sharing a name are told apart in a choice list by their IATI identifier, else
/// their id; a name nobody shares stays as it is.
#[test]
fn organisations_sharing_a_name_are_told_apart_in_choices() {
    let l = banks();
    let ids = [
        id("org-jp"),
        id("org-adb"),
        id("org-iati-46004"),
        id("org-adb-3"),
    ];
    let names: Vec<String> = l.org_choices(&ids).into_iter().map(|(_, n)| n).collect();
    assert_eq!(
        names,
        [
            "Asian Development Bank (46004)",
            "Asian Development Bank (XM-DAC-46004)",
            "Government of Japan",
            "asian development bank (org-adb-3)",
        ]
    );
}

/// The roles the records show: a funding participant or provider is a donor (an agency when it
/// has a parent), an implementing participant an implementer, a flow's receiver a recipient;
/// an accountable participant plays none of these, nor does a loan repayment make its payer a
/// donor or its lender a recipient.
#[test]
fn roles_in_records_follow_participations_and_flows() {
    use aidtrace_domain::model::OrgRole;
    let records: Vec<Record> = serde_json::from_str(
        r#"[
        {"record":"organisation","id":"org-jp","name":"Government of Japan","kind":"government"},
        {"record":"organisation","id":"org-jica","name":"JICA","kind":"government","parent":"org-jp"},
        {"record":"organisation","id":"org-moh","name":"Ministry of Health","kind":"government"},
        {"record":"organisation","id":"org-ngo","name":"NGO","kind":"ngo"},
        {"record":"organisation","id":"org-hosp","name":"Hospital","kind":"other"},
        {"record":"activity","id":"act-1","title":"MRI","instrument":"grant_aid","status":"implementation",
         "participants":[{"org":"org-jp","role":"funding"},{"org":"org-ngo","role":"implementing"},
                         {"org":"org-moh","role":"accountable"}]},
        {"record":"flow","id":"flow-1","activity":"act-1","kind":"disbursement","provider":"org-jica",
         "receiver":"org-hosp","money":{"amount":"1","currency":"USD"}},
        {"record":"flow","id":"flow-2","activity":"act-1","kind":"loan_repayment","provider":"org-moh",
         "receiver":"org-jica","money":{"amount":"1","currency":"USD"}}
    ]"#,
    )
    .expect("records");
    let l = Ledger::from_records(records);
    let roles = l.roles_in_records();
    let of = |raw: &str| roles.get(&id(raw)).cloned().unwrap_or_default();
    assert_eq!(of("org-jp"), [OrgRole::Donor]);
    assert_eq!(of("org-jica"), [OrgRole::DonorAgency]);
    assert_eq!(of("org-ngo"), [OrgRole::Implementer]);
    assert_eq!(of("org-hosp"), [OrgRole::Recipient]);
    assert!(of("org-moh").is_empty());
}
