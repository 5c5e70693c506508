//! Claims beside records, the stated-equivalent comparison, organisation profiles and regional
//! equity, on the seed scenario in a real SQLite file, against figures computed by hand.

mod kit;

use std::str::FromStr;

use aidtrace_domain::claims_beside::ClaimScope;
use aidtrace_domain::model::FlowKind;
use aidtrace_domain::totals::{GroupBy, Sum};
use aidtrace_domain::{CountryCode, CurrencyCode, Record, RecordId};
use aidtrace_service::Aidtrace;
use rust_decimal::Decimal;

fn demo() -> (kit::Guard, Aidtrace) {
    let (dir, mut app) = kit::open();
    app.load_demo("test").expect("demo");
    (dir, app)
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

fn id(s: &str) -> RecordId {
    RecordId::parse(s).expect("id")
}

fn jpy() -> CurrencyCode {
    CurrencyCode::parse("JPY").expect("JPY")
}

fn kz() -> CountryCode {
    CountryCode::parse("KZ").expect("KZ")
}

#[test]
fn a_claimed_amount_stands_beside_the_recorded_flow_it_restates() {
    let (_dir, app) = demo();
    let all = app.claims_beside().expect("claims");
    let vlast = all
        .iter()
        .find(|c| c.claim.as_str() == "claim-kz-semey-grant-vlast-jpy")
        .expect("vlast claim");
    assert_eq!(
        vlast.scope,
        ClaimScope::Flow(id("flow-kz-semey-commitment"))
    );
    assert_eq!(
        vlast.claimed_money.as_ref().map(|m| m.amount),
        Some(d("1087000000"))
    );
    // Recorded for the same scope: the one commitment, 108,700,000 JPY, in the claim's currency.
    let recorded = vlast.recorded_money.as_ref().expect("recorded money");
    let commitment = recorded.of_kind(FlowKind::Commitment).expect("commitment");
    assert_eq!(
        commitment.original.get(&jpy()),
        Some(&Sum::Exact(d("108700000")))
    );
    assert_eq!(commitment.converted, Some(Sum::Exact(d("108700000"))));
    assert_eq!(recorded.by_kind.len(), 1, "kinds are never added together");
}

#[test]
fn a_cumulative_claim_about_ukraine_finds_nothing_recorded_for_ukraine() {
    let (_dir, app) = demo();
    let all = app.claims_beside().expect("claims");
    let japan = all
        .iter()
        .find(|c| c.claim.as_str() == "claim-ua-japan-cumulative-support")
        .expect("cumulative claim");
    assert_eq!(japan.scope, ClaimScope::Organisation(id("org-gov-japan")));
    // Japan's recorded flows all go to Kazakhstan: the claim's country leaves none.
    let recorded = japan.recorded_money.as_ref().expect("recorded money");
    assert!(recorded.by_kind.is_empty(), "{recorded:?}");
}

#[test]
fn a_quantity_claim_stands_beside_the_equipment_lines_of_its_activity() {
    let (_dir, app) = demo();
    let all = app.claims_beside().expect("claims");
    let count = all
        .iter()
        .find(|c| c.claim.as_str() == "claim-ua-jica-generator-count")
        .expect("generator count");
    let q = count.recorded_quantity.as_ref().expect("recorded quantity");
    assert_eq!(
        (q.quantity, q.lines.len(), q.lines_without_quantity),
        // The demo's illustrative JICA generator lines (6 + 2 sets) and the line without a count.
        (Decimal::from(8), 3, 1)
    );
}

#[test]
fn claims_never_enter_totals_however_large() {
    let (_dir, mut app) = demo();
    let before = app
        .totals(GroupBy::Donor, &CurrencyCode::usd())
        .expect("totals");
    let huge = serde_json::json!({
        "record": "claim", "id": "claim-test-huge", "kind": "cumulative_funding",
        "organisation": "org-gov-japan", "statement": "a trillion dollars",
        "money": {"amount": "1000000000000", "currency": "USD"}
    });
    let record: Record = serde_json::from_value(huge).expect("claim");
    app.put("test", vec![record]).expect("put");
    let after = app
        .totals(GroupBy::Donor, &CurrencyCode::usd())
        .expect("totals");
    assert_eq!(before.rows, after.rows);
    assert!(after.claims_not_counted.contains(&id("claim-test-huge")));
    let profile = app
        .organisation_profile(&id("org-gov-japan"), &CurrencyCode::usd())
        .expect("profile");
    let before_profile: Vec<_> = profile
        .as_provider
        .by_kind
        .iter()
        .map(|r| r.converted)
        .collect();
    assert!(profile.claims.contains(&id("claim-test-huge")));
    // The organisation's own totals are flows only: 68,790 USD disbursed, the claim apart.
    let disbursed = profile
        .as_provider
        .of_kind(FlowKind::Disbursement)
        .expect("disbursement");
    assert_eq!(disbursed.converted, Some(Sum::Exact(d("68790.00"))));
    assert_eq!(before_profile.len(), 2);
}

#[test]
fn the_stated_dollar_equivalent_supports_the_billion_yen_not_the_recorded_amount() {
    let (_dir, app) = demo();
    let checks = app
        .equivalent_checks(&id("act-kz-semey-equipment"))
        .expect("checks");
    let check = checks
        .iter()
        .find(|c| c.flow.as_str() == "flow-kz-semey-commitment")
        .expect("the commitment's check");
    let recorded = check.recorded().expect("recorded");
    assert_eq!(recorded.amount.amount, d("108700000"));
    assert!(!recorded.supported);
    let supported = check.supported().expect("a supported amount");
    assert_eq!(supported.amount.amount, d("1087000000"));
    assert_eq!(supported.amount.currency, jpy());
    // Three reports give the billion yen; the earliest dated (vlast.kz, 2025-08-08) dates it.
    assert_eq!(supported.claims.len(), 3, "{:?}", supported.claims);
    assert_eq!(
        supported.rate_date.map(|d| d.to_string()).as_deref(),
        Some("2025-08-08")
    );
    // By hand: ECB 2025-08-08, 1.1648 USD and 172.18 JPY per euro:
    // 1,087,000,000 × 1.1648 / 172.18 = 7,353,569.52 USD; 7,000,000 ÷ that = 0.9519.
    let converted = supported.converted.expect("converted");
    assert!(
        (converted - d("7353569.52")).abs() <= Decimal::ONE,
        "{converted}"
    );
    assert_eq!(supported.ratio, Some(d("0.9519")));
    // The recorded amount is a tenth of it: the decimal slip.
    assert_eq!(supported.factor_to_recorded, Some(Decimal::TEN));
    // The recorded commitment is unchanged.
    let ledger = app.ledger().expect("ledger");
    assert_eq!(
        ledger.flows[&id("flow-kz-semey-commitment")].money.amount,
        d("108700000")
    );
}

#[test]
fn regional_equity_per_person_and_devices_per_million_match_hand_figures() {
    let (_dir, app) = demo();
    let rep = app
        .regional_equity(&kz(), FlowKind::Disbursement, &CurrencyCode::usd())
        .expect("regions");
    let row = |name: &str| {
        rep.regions
            .iter()
            .find(|r| r.region == name)
            .unwrap_or_else(|| panic!("no row {name}"))
    };
    let jambyl = row("Jambyl region");
    // 68,790 USD ÷ 1,222,513 people = 0.05627 → 0.0563; 5 platelet devices ÷ 1,222,513 × 10^6
    // = 4.0899 → 4.09.
    assert_eq!(jambyl.per_person, Some(d("0.0563")));
    assert_eq!(jambyl.devices, 5);
    assert_eq!(jambyl.devices_per_million, Some(d("4.09")));
    assert_eq!(jambyl.rank, Some(1));
    assert_eq!(
        jambyl.population.as_ref().map(|p| p.record.as_str()),
        Some("pop-kz-jambyl-2025")
    );
    let abai = row("Abai region");
    // No disbursement to Abai: zero per person, ranked after Jambyl; 10 devices ÷ 610,189 ×
    // 10^6 = 16.388 → 16.39.
    assert_eq!(abai.per_person, Some(Decimal::ZERO));
    assert_eq!(abai.rank, Some(2));
    assert_eq!(abai.devices, 10);
    assert_eq!(abai.devices_per_million, Some(d("16.39")));
    // National: 68,790 ÷ 20,286,084 = 0.00339 → 0.0034; 16 devices → 0.7887 → 0.79.
    assert_eq!(rep.national.per_person, Some(d("0.0034")));
    assert_eq!(rep.national.devices, 16);
    assert_eq!(rep.national.devices_per_million, Some(d("0.79")));
    // The traumatology centre states no region.
    assert_eq!(
        rep.unspecified.facilities,
        vec![id("fac-national-center-traumatology")]
    );
}

#[test]
fn regional_equity_ranked_by_commitments_converts_the_recorded_yen() {
    let (_dir, app) = demo();
    let rep = app
        .regional_equity(&kz(), FlowKind::Commitment, &CurrencyCode::usd())
        .expect("regions");
    let abai = rep
        .regions
        .iter()
        .find(|r| r.region == "Abai region")
        .expect("Abai");
    // 108,700,000 JPY at the latest rate (ECB 2026-10-30: 1.1172 USD, 175.68 JPY per euro) =
    // 691,254.78 USD ÷ 610,189 people = 1.1329.
    assert_eq!(abai.per_person, Some(d("1.1329")));
    assert_eq!(abai.rank, Some(1));
    let totals = abai
        .totals
        .of_kind(FlowKind::Commitment)
        .expect("commitment");
    assert_eq!(totals.provisional, 1, "nothing dates the flow: provisional");
}

#[test]
fn an_unknown_organisation_is_not_found() {
    let (_dir, app) = demo();
    let e = app
        .organisation_profile(&id("org-nobody"), &CurrencyCode::usd())
        .expect_err("no such organisation");
    assert!(e.to_string().contains("org-nobody"), "{e}");
}

#[test]
fn an_organisation_profile_rolls_agencies_up_and_lists_its_parent() {
    let (_dir, app) = demo();
    let embassy = app
        .organisation_profile(&id("org-embassy-japan-kz"), &CurrencyCode::usd())
        .expect("embassy");
    let parents: Vec<&str> = embassy.parents.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(parents, vec!["org-mofa-japan", "org-gov-japan"]);
    let japan = app
        .organisation_profile(&id("org-gov-japan"), &CurrencyCode::usd())
        .expect("japan");
    let agencies: Vec<&str> = japan.agencies.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(agencies, vec!["org-jica", "org-mofa-japan"]);
    assert!(
        japan
            .facilities
            .iter()
            .any(|f| f.id.as_str() == "fac-semey-university-hospital")
    );
    let semey = app
        .organisation_profile(&id("org-semey-university"), &CurrencyCode::usd())
        .expect("semey");
    assert_eq!(semey.partnerships.len(), 1);
    assert!(semey.partnerships[0].leads);
}
