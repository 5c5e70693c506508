//! The two seed articles in `shared/seeds`, read as published (third-party text, so it stays in
//! `shared/` and is only read here), checked against the labels FORMAT.md gives for them.

use std::path::PathBuf;
use std::str::FromStr;

use aidtrace_intake::checks::{CheckContext, RateTable, run_checks};
use aidtrace_intake::{AmountKind, Check, ExtractOptions, extract};
use rust_decimal::Decimal;

fn shared() -> Option<PathBuf> {
    let dir = std::env::var("AIDTRACE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared")));
    if dir.join("seeds").is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "shared/ is missing at {} and CI=true",
        dir.display()
    );
    println!(
        "note: shared/ not found at {}; seed tests skipped",
        dir.display()
    );
    None
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).expect("test literal")
}

#[test]
fn seed_000_kazakhstan() {
    let Some(dir) = shared() else { return };
    let text =
        std::fs::read_to_string(dir.join("seeds/000_bf046e2dbe4ea04c.txt")).expect("seed readable");
    let mut e = extract(&text, &ExtractOptions::default()).expect("extracts");
    let flows: Vec<_> = e.flows().collect();
    assert_eq!(flows.len(), 2, "{flows:#?}");
    let grant = flows[0];
    let money = &grant.amount.as_ref().expect("amount").value;
    assert_eq!(
        (money.amount, money.currency.as_str()),
        (d("108700000"), "JPY")
    );
    assert_eq!(grant.amount_kind.value, AmountKind::Commitment);
    assert_eq!(
        grant.recipient_country.as_ref().map(|r| r.value.as_str()),
        Some("KZ")
    );
    assert_eq!(
        grant.stated_equivalent.as_ref().map(|s| s.value.amount),
        Some(d("7000000"))
    );
    let names: Vec<&str> = grant.items.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "MRI machine",
            "CT scanner",
            "endoscope",
            "intensive care equipment"
        ]
    );
    assert_eq!(
        grant.facilities[0].value,
        "Semey State Medical University Hospital"
    );
    // The headline's "7 Million USD" is the same flow, not a third one.
    assert_eq!(grant.repeated_at.len(), 1);

    let small = flows[1];
    assert_eq!(
        small.amount.as_ref().map(|a| a.value.amount),
        Some(d("68790"))
    );
    assert_eq!(small.amount_kind.value, AmountKind::Disbursement);
    assert_eq!(small.items.len(), 1);
    assert_eq!(
        (small.items[0].name.as_str(), small.items[0].quantity),
        ("platelet storage device", Some(5))
    );

    // IMF annual average 2024, JPY per USD (International Monetary Fund).
    let mut rates = RateTable::new();
    rates.insert("JPY", 2024, d("151.3662913027518"));
    run_checks(&mut e, &CheckContext::new(Some(&rates), &[], Some(2024)));
    let flagged = e.facts[0]
        .checks
        .iter()
        .any(|c| matches!(c, Check::EquivalentMismatch { ratio, .. } if *ratio > d("9")));
    assert!(flagged, "{:?}", e.facts[0].checks);
}

#[test]
fn seed_004_ukraine() {
    let Some(dir) = shared() else { return };
    let text =
        std::fs::read_to_string(dir.join("seeds/004_c033ceceed630767.txt")).expect("seed readable");
    let e = extract(&text, &ExtractOptions::default()).expect("extracts");
    let twelve = e
        .facts
        .iter()
        .find(|f| {
            f.amount
                .as_ref()
                .is_some_and(|a| a.value.amount == d("12000000000"))
        })
        .expect("the $12 billion is found");
    assert_eq!(
        twelve.amount_kind.value,
        AmountKind::Cumulative,
        "a running total is not a flow"
    );
    let generators = e
        .flows()
        .find(|f| f.items.iter().any(|i| i.name == "generator"))
        .expect("generators");
    assert_eq!(
        generators
            .recipient_country
            .as_ref()
            .map(|r| r.value.as_str()),
        Some("UA")
    );
    assert_eq!(
        generators.donor.as_ref().map(|r| r.value.as_str()),
        Some("Japan")
    );
    assert!(generators.amount.is_none());
}

#[test]
fn imf_table_reads_and_gives_the_seed_rate() {
    let Some(dir) = shared() else { return };
    let file = std::fs::File::open(dir.join("data/fx/imf_exchangerates_A_ENDA_USD.csv"))
        .expect("rates file");
    let table = RateTable::from_imf_csv(file).expect("parses");
    use aidtrace_intake::RateLookup;
    let jpy = table.units_per_usd("JPY", 2024).expect("JPY 2024");
    assert!((jpy - d("151.366")).abs() < d("0.001"), "{jpy}");
    assert!(table.units_per_usd("EUR", 2024).is_some());
}
