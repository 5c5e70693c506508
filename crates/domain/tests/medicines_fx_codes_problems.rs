//! Every refusal of the medicine records, the rate files and the codes carries its message id
//! (and its figures), so a page words it in the reader's language rather than showing "not
//! accepted" and the English sentence. One test per refusal: losing an id fails by name.

mod medicines_fixture;

use aidtrace_domain::codes::{self, IatiOrgId};
use aidtrace_domain::error::{ProblemId, ValidationError};
use aidtrace_domain::fx::{self, RateOrigin, ecb};
use aidtrace_domain::medicines::stock::Stock;
use aidtrace_domain::medicines::{
    DecisionOutcome, EssentialMedicine, MAX_QUANTITY, MovementKind as K, validate,
};
use aidtrace_domain::{CountryCode, CurrencyCode, RecordId};
use medicines_fixture::*;
use rust_decimal::Decimal;

/// Asserts the refusal's message id and its text arguments.
fn assert_problem(err: &ValidationError, id: ProblemId, args: &[(&str, &str)]) {
    let problem = err.problem.as_ref();
    assert_eq!(problem.map(|p| p.id), Some(id), "{err}");
    for (name, value) in args {
        assert_eq!(
            problem.and_then(|p| p.text_arg(name)),
            Some(*value),
            "{name} of {err}"
        );
    }
}

/// One test per case: `name: refused value => ProblemId [, "arg" = "value"]*;`
macro_rules! refusals {
    ($($name:ident: $refusal:expr => $id:ident $(, $arg:literal = $value:expr)*;)*) => {
        $(
            #[test]
            fn $name() {
                let err: ValidationError = $refusal;
                assert_problem(&err, ProblemId::$id, &[$(($arg, $value)),*]);
            }
        )*
    };
}

fn product_with(
    change: impl FnOnce(&mut aidtrace_domain::medicines::MedicineProduct),
) -> ValidationError {
    let mut p = product("prod-amox", "amoxicillin");
    change(&mut p);
    validate::product(&p).expect_err("refused product")
}

fn line_with(change: impl FnOnce(&mut aidtrace_domain::medicines::PackingLine)) -> ValidationError {
    let mut l = line("prod-amox", "A1", 100);
    change(&mut l);
    validate::packing_line(&l, day(2026, 11, 1)).expect_err("refused line")
}

fn consignment_with(
    change: impl FnOnce(&mut aidtrace_domain::medicines::Consignment),
) -> ValidationError {
    let mut c = consignment("con-1", vec![line("prod-amox", "A1", 100)]);
    change(&mut c);
    validate::consignment(&c).expect_err("refused consignment")
}

fn decision_with(
    change: impl FnOnce(&mut aidtrace_domain::medicines::ConsignmentDecision),
) -> ValidationError {
    let mut d = accept("con-1");
    change(&mut d);
    validate::decision(&d).expect_err("refused decision")
}

fn movement_refused(kind: K, from: Option<&str>, to: Option<&str>) -> ValidationError {
    validate::movement(&movement("m1", kind, "con-1", "A1", from, to, 10))
        .expect_err("refused movement")
}

fn rates_csv(rows: &str) -> ValidationError {
    fx::parse_csv(
        &format!("Date,Rate,Currency,Frequency,Source\n{rows}"),
        RateOrigin::Imported,
    )
    .expect_err("refused rate file")
}

fn sdr_json(text: &str) -> ValidationError {
    fx::parse_sdr_monthly_json(text, "IMF").expect_err("refused monthly table")
}

fn ecb_csv(text: &str) -> ValidationError {
    ecb::parse_wide(text).expect_err("refused ECB table")
}

/// Two distributions of everything received, there and back, count more than a u64 holds.
fn stock_overflow() -> ValidationError {
    let mut big = line("prod-amox", "A1", u64::MAX);
    big.quantity = u64::MAX;
    let c = consignment("con-1", vec![big]);
    let m = |mid: &str, kind, from, to| movement(mid, kind, "con-1", "A1", from, to, u64::MAX);
    let moves = [
        m("m1", K::Receipt, None, Some("fac-a")),
        m("m2", K::Distribution, Some("fac-a"), Some("fac-b")),
        m("m3", K::Distribution, Some("fac-b"), Some("fac-a")),
    ];
    let (_, e) = Stock::new([&c], [&accept("con-1")])
        .replay(&moves)
        .expect_err("overflow");
    e.validation(u64::MAX)
}

refusals! {
    pack_without_a_base_unit: product_with(|p| p.pack_size = 0) => PackAtLeastOneUnit;
    atc_code_in_lower_case: product_with(|p| p.atc = Some("j01ca04".into())) => AtcCode;
    gtin_of_three_digits: product_with(|p| p.gtin = Some("123".into())) => GtinDigits;
    gtin_with_a_wrong_check_digit: product_with(|p| p.gtin = Some("09501101020918".into()))
        => GtinCheckDigit, "found" = "8", "expected" = "7";

    line_of_no_base_unit: line_with(|l| l.quantity = 0) => BaseUnitsAtLeastOne;
    line_of_too_many_base_units: line_with(|l| l.quantity = MAX_QUANTITY + 1)
        => TooManyBaseUnits, "max" = "10^12";
    line_expiring_before_manufacture: line_with(|l| l.expiry = day(2026, 5, 1))
        => ExpiryNotAfterManufacture, "manufactured" = "2026-06-01";
    line_expired_when_shipped: line_with(|l| { l.manufactured = None; l.expiry = day(2026, 10, 1) })
        => ExpiredWhenShipped, "shipped" = "2026-11-01";
    line_of_negative_value: line_with(|l| l.unit_value = Some(Decimal::NEGATIVE_ONE)) => Negative;
    label_language_in_capitals: line_with(|l| l.label_languages = vec!["UK".into()])
        => LanguageCode;

    consignment_arriving_before_shipment: consignment_with(|c| c.arrived = Some(day(2026, 10, 1)))
        => ArrivedBeforeShipped, "shipped" = "2026-11-01";
    consignment_without_recipient_languages: consignment_with(|c| c.recipient_languages.clear())
        => RecipientLanguageNeeded;
    recipient_language_of_three_letters: consignment_with(|c| c.recipient_languages = vec!["ukr".into()])
        => LanguageCode;
    consignment_without_lines: consignment_with(|c| c.lines.clear()) => NoPackingLines;

    acceptance_in_part_naming_no_line: decision_with(|d| d.outcome = DecisionOutcome::AcceptInPart)
        => PartNamesLines;
    acceptance_naming_lines: decision_with(|d| d.accepted_lines = vec![0]) => LinesOnlyInPart;

    distribution_from_nowhere: movement_refused(K::Distribution, None, Some("fac-a"))
        => FromFacilityNeeded;
    receipt_from_a_facility: movement_refused(K::Receipt, Some("fac-a"), Some("fac-b"))
        => ReceiptFromFacility;
    distribution_to_nowhere: movement_refused(K::Distribution, Some("fac-a"), None)
        => ToFacilityNeeded;
    use_into_a_facility: movement_refused(K::Use, Some("fac-a"), Some("fac-b"))
        => ConsumedToFacility;
    distribution_to_the_same_facility: movement_refused(K::Distribution, Some("fac-a"), Some("fac-a"))
        => DistributionToSameFacility;

    essential_medicine_citing_no_list: validate::essential_medicine(&EssentialMedicine {
        id: id("eml-who-amoxicillin"),
        country: None,
        inn: "amoxicillin".into(),
        dosage_form: None,
        strength: None,
        sources: vec![],
    })
    .expect_err("no source") => EssentialListSourceNeeded;

    stock_figures_overflowing: stock_overflow() => StockOverflow;

    rate_file_with_other_columns: fx::parse_csv("When,Rate\n", RateOrigin::Imported)
        .expect_err("header") => ExpectedColumns, "columns" = "Date,Rate,Currency,Frequency,Source";
    rate_date_not_iso: rates_csv("31.12.2024,157,JPY,A,x\n") => DateNotIso;
    rate_not_a_number: rates_csv("2024-12-31,many,JPY,A,x\n") => NotADecimal;
    rate_of_zero: rates_csv("2024-12-31,0,JPY,A,x\n") => RateNotPositive;
    rate_of_weekly_frequency: rates_csv("2024-12-31,157,JPY,W,x\n") => RateFrequency;
    rate_given_twice: rates_csv("2024-12-31,157,JPY,A,x\n2024-12-31,158,JPY,A,y\n")
        => RateTwice, "currency" = "JPY", "frequency" = "A", "line" = "2";

    monthly_table_not_an_array: sdr_json("{}") => SdrJsonShape;
    monthly_rate_given_twice: sdr_json(
        r#"[{"year": 2024, "month": 5, "currency_id": "JPY", "value": 0.0048},
            {"year": 2024, "month": 5, "currency_id": "JPY", "value": 0.0049}]"#,
    ) => RateTwiceInMonth, "currency" = "JPY", "at" = "0";
    monthly_rate_of_zero: sdr_json(r#"[{"year": 2024, "month": 5, "currency_id": "JPY", "value": 0}]"#)
        => RateNotPositive;
    monthly_rate_of_month_13: sdr_json(r#"[{"year": 2024, "month": 13, "currency_id": "JPY", "value": 1}]"#)
        => NotAMonth;

    ecb_table_without_dates: ecb_csv("When,USD\n2025-01-02,1.03\n") => ExpectedColumns, "columns" = "Date";
    ecb_table_without_dollars: ecb_csv("Date,JPY\n2025-01-02,160\n") => ExpectedColumns, "columns" = "USD";
    ecb_date_not_iso: ecb_csv("Date,USD\n02.01.2025,1.03\n") => DateNotIso;
    ecb_rate_not_a_number: ecb_csv("Date,USD\n2025-01-02,one\n") => NotADecimal;
    ecb_rate_negative: ecb_csv("Date,USD\n2025-01-02,-1\n") => RateNotPositive;
    ecb_date_twice: ecb_csv("Date,USD\n2025-01-02,1.03\n2025-01-02,1.04\n") => DateTwice;

    currency_not_in_iso_4217: CurrencyCode::parse("XYZ").expect_err("XYZ") => NotACurrencyCode;
    country_not_in_iso_3166: CountryCode::parse("QQ").expect_err("QQ") => NotACountryCode;
    record_id_with_a_space: RecordId::parse("a b").expect_err("space") => NotAnId;
    iati_org_id_without_prefix: IatiOrgId::parse("nonsense").expect_err("prefix") => NotAnIatiOrgId;
}

#[test]
fn a_code_refusal_read_back_from_its_text_keeps_its_id() {
    // A record read through serde carries a code's refusal as text only.
    let text = CurrencyCode::parse("XYZ").expect_err("XYZ").to_string();
    assert_eq!(codes::problem_in(&text), Some(ProblemId::NotACurrencyCode));
    let text = RecordId::parse("").expect_err("empty").to_string();
    assert_eq!(codes::problem_in(&text), Some(ProblemId::NotAnId));
    assert_eq!(codes::problem_in("missing field `id`"), None);
}
