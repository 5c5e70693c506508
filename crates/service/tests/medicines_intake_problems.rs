//! Every refusal of the service's medicine, intake and record-reading rules carries its message
//! id (and its figures), so a page words it in the reader's language rather than showing "not
//! accepted" and the English sentence. One test per refusal: losing an id fails by name.

mod kit;

use std::collections::BTreeMap;

use aidtrace_domain::error::{ProblemArg, ProblemId};
use aidtrace_domain::medicines::{Consignment, DecisionOutcome};
use aidtrace_domain::model::FlowKind;
use aidtrace_domain::{RecordId, RecordKind, ValidationError};
use aidtrace_service::intake::{self, Submission};
use aidtrace_service::medicines::{self, LineError, PackingFormat};
use aidtrace_service::{
    Aidtrace, ServiceError, medicine_entry as entry, medicine_in_kind as in_kind, records,
};
use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde_json::json;

const CONSIGNMENT: &str = "con-illustrative-ua-2026-01";

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn now() -> NaiveDateTime {
    day(2026, 12, 6).and_hms_opt(9, 0, 0).expect("time")
}

fn id(s: &str) -> RecordId {
    RecordId::parse(s).expect("id")
}

fn demo_app() -> (kit::Guard, Aidtrace) {
    let (dir, app) = kit::open();
    let mut app = app.with_clock(now);
    app.load_demo("test").expect("demo");
    (dir, app)
}

fn demo_consignment(app: &Aidtrace) -> Consignment {
    app.ledger()
        .expect("ledger")
        .consignments
        .get(&id(CONSIGNMENT))
        .cloned()
        .expect("demo consignment")
}

/// The refusal inside a service error.
fn refusal(e: ServiceError) -> ValidationError {
    match e {
        ServiceError::Invalid { error, .. } => error,
        other => panic!("a refusal of a value, not {other:?}"),
    }
}

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

/// The one refusal of a packing list (CSV) with a good header and one row.
fn packing_row(columns: &str, row: &str) -> LineError {
    let errors = medicines::parse_packing_list(&format!("{columns}\n{row}\n"), day(2026, 12, 6))
        .expect_err("refused packing list");
    assert_eq!(errors.len(), 1, "{errors:?}");
    errors.into_iter().next().expect("one error")
}

macro_rules! packing_refusals {
    ($($name:ident: $columns:literal, $row:literal => $id:ident $(, $arg:literal = $value:literal)*;)*) => {
        $(
            #[test]
            fn $name() {
                let e = packing_row($columns, $row);
                let problem = e.problem.as_ref();
                assert_eq!(problem.map(|p| p.id), Some(ProblemId::$id), "{e}");
                $(
                    assert_eq!(problem.and_then(|p| p.text_arg($arg)), Some($value), "{e}");
                )*
            }
        )*
    };
}

packing_refusals! {
    packing_row_of_another_length: "product,lot,expiry,quantity", "med-a,A1,2029-06-30,10,extra"
        => UnreadableCsv;
    packing_date_not_iso: "product,lot,expiry,quantity", "med-a,A1,30.06.2029,10" => DateNotIso;
    packing_line_without_lot: "product,expiry,quantity", "med-a,2029-06-30,10" => LotNeeded;
    packing_line_without_expiry: "product,lot,quantity", "med-a,A1,10" => ExpiryNeeded;
    packing_quantity_not_whole: "product,lot,expiry,quantity", "med-a,A1,2029-06-30,2.5"
        => QuantityWholeBaseUnits;
    packing_unit_value_not_a_number: "product,lot,expiry,quantity,unit_value",
        "med-a,A1,2029-06-30,10,cheap" => NotADecimal;
    packing_inn_on_label_not_yes_or_no: "product,lot,expiry,quantity,inn_on_label",
        "med-a,A1,2029-06-30,10,maybe" => YesOrNo;
    packing_product_not_an_id: "product,lot,expiry,quantity", "med a,A1,2029-06-30,10" => NotAnId;
    packing_gs1_with_a_wrong_check_digit: "product,quantity,gs1",
        "med-a,10,(01)09501101020918(17)290531(10)A1" => GtinCheckDigit, "found" = "8", "expected" = "7";
    packing_gs1_unreadable: "product,quantity,gs1", "med-a,10,(99)123" => Gs1Unreadable;
    packing_line_of_no_base_unit: "product,lot,expiry,quantity", "med-a,A1,2029-06-30,0"
        => BaseUnitsAtLeastOne;
    packing_label_language_not_iso: "product,lot,expiry,quantity,label_languages",
        "med-a,A1,2029-06-30,10,ukr" => LanguageCode;
}

#[test]
fn packing_cell_of_another_type() {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, name) in ["product", "lot", "expiry", "quantity"].iter().enumerate() {
        let c = u16::try_from(c).expect("column");
        sheet.write_string(0, c, *name).expect("header");
    }
    sheet.write_string(1, 0, "med-a").expect("product");
    sheet.write_string(1, 1, "A1").expect("lot");
    sheet
        .write_number(1, 2, 47_000.0)
        .expect("a number where the expiry belongs");
    sheet.write_number(1, 3, 10.0).expect("quantity");
    let bytes = book.save_to_buffer().expect("xlsx");
    let errors = medicines::read_packing(&bytes, PackingFormat::Xlsx, day(2026, 12, 6), None)
        .expect_err("refused");
    let problem = errors[0].problem.as_ref().map(|p| p.id);
    assert_eq!(problem, Some(ProblemId::CellTypeMismatch), "{errors:?}");
}

#[test]
fn consignment_form_without_lines() {
    let (_d, app) = demo_app();
    let mut c = demo_consignment(&app);
    c.lines.clear();
    let problems = entry::consignment_problems(&c);
    let lines = problems.iter().find(|e| e.field == "lines").expect("lines");
    assert_problem(lines, ProblemId::NoPackingLines, &[]);
}

#[test]
fn decision_naming_a_line_the_list_lacks() {
    let (_d, app) = demo_app();
    let count = demo_consignment(&app).lines.len().to_string();
    let e = entry::decision_records(
        &app,
        &id(CONSIGNMENT),
        DecisionOutcome::AcceptInPart,
        vec![99],
        None,
    )
    .expect_err("no line 99");
    assert_problem(&refusal(e), ProblemId::NoSuchLine, &[("count", &count)]);
}

#[test]
fn packing_list_of_a_decided_consignment() {
    let (_d, mut app) = demo_app();
    medicines::decide(
        &mut app,
        "test",
        &id(CONSIGNMENT),
        DecisionOutcome::Accept,
        vec![],
        None,
    )
    .expect("decided");
    let ledger = app.ledger().expect("ledger");
    let e = medicines::lines_replaceable(&ledger, &id(CONSIGNMENT)).expect_err("decided");
    assert_problem(&refusal(e), ProblemId::ConsignmentDecided, &[]);
}

#[test]
fn value_flow_that_does_not_exist() {
    let (_d, app) = demo_app();
    let mut c = demo_consignment(&app);
    c.value_flow = Some(id("flow-nowhere"));
    let ledger = app.ledger().expect("ledger");
    let e = refusal(in_kind::check_value_flow(&ledger, &c).expect_err("no flow"));
    assert_problem(&e, ProblemId::NoSuchRecord, &[]);
    let kind = e
        .problem
        .as_ref()
        .and_then(|p| p.args.first())
        .map(|a| &a.1);
    assert_eq!(kind, Some(&ProblemArg::Kind(RecordKind::Flow)));
}

#[test]
fn value_flow_that_is_not_a_disbursement() {
    let (_d, app) = demo_app();
    let ledger = app.ledger().expect("ledger");
    let flow = ledger
        .flows
        .values()
        .find(|f| f.kind != FlowKind::Disbursement)
        .expect("a flow other than a disbursement");
    let mut c = demo_consignment(&app);
    c.value_flow = Some(flow.id.clone());
    let e = in_kind::check_value_flow(&ledger, &c).expect_err("not a disbursement");
    assert_problem(&refusal(e), ProblemId::ValueFlowNotDisbursement, &[]);
}

#[test]
fn value_flow_of_another_activity() {
    let (_d, app) = demo_app();
    let ledger = app.ledger().expect("ledger");
    let flow = ledger
        .flows
        .values()
        .find(|f| f.kind == FlowKind::Disbursement)
        .expect("a disbursement");
    let mut c = demo_consignment(&app);
    c.value_flow = Some(flow.id.clone());
    c.activity = Some(id("act-elsewhere"));
    let e = in_kind::check_value_flow(&ledger, &c).expect_err("another activity");
    assert_problem(
        &refusal(e),
        ProblemId::ValueFlowOtherActivity,
        &[
            ("flow_activity", flow.activity.as_str()),
            ("activity", "act-elsewhere"),
        ],
    );
}

#[test]
fn accepted_value_too_large_to_add_up() {
    let (_d, app) = demo_app();
    let mut c = demo_consignment(&app);
    let declared = app
        .ledger()
        .expect("ledger")
        .flows
        .values()
        .next()
        .map(|f| f.money.clone())
        .expect("an amount");
    c.declared_value = Some(declared);
    for line in &mut c.lines {
        line.unit_value = Some(Decimal::MAX);
    }
    let d = aidtrace_domain::medicines::ConsignmentDecision {
        id: id("con-decision"),
        consignment: c.id.clone(),
        decided_on: day(2026, 12, 6),
        outcome: DecisionOutcome::AcceptInPart,
        accepted_lines: (0..c.lines.len()).collect(),
        findings_seen: vec![],
        reason: None,
    };
    let e = in_kind::accepted_value(&c, &d).expect_err("too large");
    assert_problem(&e, ProblemId::AcceptedValueOverflow, &[]);
}

/// The seed article (d01 of the labelled set), submitted as draft-1.
fn draft_app() -> (kit::Guard, Aidtrace) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../intake/tests/data/dev.jsonl"
    );
    let text = std::fs::read_to_string(path).expect("dev.jsonl");
    let article = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("json line"))
        .find(|v| v["id"] == "d01")
        .and_then(|v| v["text"].as_str().map(String::from))
        .expect("d01");
    let (dir, mut app) = kit::open();
    intake::submit(
        &mut app,
        "alice",
        Submission {
            text: article,
            title: None,
            url: Some("https://example.org/semey".into()),
            published: NaiveDate::from_ymd_opt(2024, 5, 30),
        },
    )
    .expect("submit");
    (dir, app)
}

/// The refusal of accepting the draft's first fact with one edit.
fn edit_refused(app: &mut Aidtrace, field: &str, value: &str) -> ValidationError {
    let edits = BTreeMap::from([(field.to_string(), value.to_string())]);
    refusal(intake::accept(app, "bob", "draft-1", 0, &edits).expect_err("refused edit"))
}

#[test]
fn intake_edits_refused() {
    let (_d, mut app) = draft_app();
    let cases = [
        ("amount", "lots", ProblemId::NotADecimal),
        ("amount", "0", ProblemId::MustBePositive),
        (
            "amount",
            "1.00000000000000000000000000001",
            ProblemId::TooManyDigits,
        ),
        ("currency", "XYZ", ProblemId::NotACurrencyCode),
        ("equivalent_currency", "yen", ProblemId::NotACurrencyCode),
        ("recipient_country", "QQ", ProblemId::NotACountryCode),
        ("kind", "gift", ProblemId::UnknownFactKind),
        ("donor", " ", ProblemId::Empty),
        ("title", "", ProblemId::Empty),
        ("date", "29.05.2024", ProblemId::DateNotIso),
        ("same_as", "flow-1", ProblemId::SameAsNone),
    ];
    for (field, value, id) in cases {
        let e = edit_refused(&mut app, field, value);
        assert_eq!(
            e.problem.as_ref().map(|p| p.id),
            Some(id),
            "{field}={value}: {e}"
        );
    }
}

#[test]
fn intake_edit_without_equals_sign() {
    let e = intake::parse_edits(&["amount".to_string()]).expect_err("no =");
    assert_problem(&refusal(e), ProblemId::FieldEqualsValue, &[]);
}

#[test]
fn intake_article_not_in_english() {
    let (_d, mut app) = kit::open();
    let e = intake::submit(
        &mut app,
        "alice",
        Submission {
            text: "Правительство Японии выделило Казахстану грант на медицинское оборудование для больницы.".into(),
            title: None,
            url: None,
            published: None,
        },
    )
    .expect_err("Russian");
    let e = refusal(e);
    assert_eq!(e.value, "Russian");
    assert_problem(&e, ProblemId::NotEnglish, &[]);
}

#[test]
fn record_missing_a_field() {
    let e =
        records::record_from_json(json!({"record": "source", "id": "src-1", "kind": "dataset"}))
            .expect_err("no title");
    assert_problem(&e, ProblemId::MissingField, &[("name", "title")]);
}

#[test]
fn record_with_a_value_not_among_the_choices() {
    let e = records::record_from_json(
        json!({"record": "source", "id": "src-1", "title": "T", "kind": "rumour"}),
    )
    .expect_err("rumour");
    assert_eq!(e.field, "kind");
    let expected = e.problem.as_ref().and_then(|p| p.text_arg("expected"));
    assert!(
        expected.is_some_and(|x| x.contains("news_article, press_release") && !x.contains('`')),
        "{e:?}"
    );
    assert_problem(&e, ProblemId::UnknownChoice, &[]);
}

#[test]
fn record_with_a_code_not_in_its_list() {
    let e = records::record_from_json(json!({
        "record": "organisation", "id": "org-1", "name": "N", "kind": "ngo", "country": "QQ"
    }))
    .expect_err("QQ");
    assert_eq!(e.field, "country");
    assert_problem(&e, ProblemId::NotACountryCode, &[]);
}
