//! Packing lists from XLSX (workbooks written in the test with rust_xlsxwriter): typed cells read
//! as the CSV's text, a preview that writes nothing, and every bad file refused by line and field
//! with nothing written.

mod kit;

use aidtrace_domain::RecordId;
use aidtrace_domain::medicines::Consignment;
use aidtrace_domain::medicines::guidelines::GuidelineRule as R;
use aidtrace_service::Aidtrace;
use aidtrace_service::medicines::{self, LineError, PackingFormat};
use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

const CONSIGNMENT: &str = "con-illustrative-ua-2026-01";
const AMOXICILLIN: &str = "med-illustrative-amoxicillin-500";
const PARACETAMOL: &str = "med-illustrative-paracetamol-500";

fn now() -> NaiveDateTime {
    day(2026, 12, 6).and_hms_opt(9, 0, 0).expect("time")
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn id(s: &str) -> RecordId {
    RecordId::parse(s).expect("id")
}

fn app() -> (kit::Guard, Aidtrace) {
    let (dir, app) = kit::open();
    let mut app = app.with_clock(now);
    app.load_demo("test").expect("demo");
    (dir, app)
}

/// The demo consignment's header under a new id, without lines.
fn header(app: &Aidtrace) -> Consignment {
    let mut c = app
        .ledger()
        .expect("ledger")
        .consignments
        .get(&id(CONSIGNMENT))
        .cloned()
        .expect("demo");
    c.id = id("con-test-xlsx");
    c.lines.clear();
    c
}

/// One cell of a test row.
enum Cell {
    Text(&'static str),
    Number(f64),
    Date(u16, u8, u8),
    Bool(bool),
    Blank,
}

fn workbook(columns: &[&str], rows: &[Vec<Cell>]) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    for (c, name) in columns.iter().enumerate() {
        sheet
            .write_string(0, u16::try_from(c).expect("col"), *name)
            .expect("header");
    }
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r + 1).expect("row");
        for (c, cell) in row.iter().enumerate() {
            let c = u16::try_from(c).expect("col");
            match cell {
                Cell::Text(s) => {
                    sheet.write_string(r, c, *s).expect("text");
                }
                Cell::Number(n) => {
                    sheet.write_number(r, c, *n).expect("number");
                }
                Cell::Date(y, m, d) => {
                    let dt = ExcelDateTime::from_ymd(*y, *m, *d).expect("date");
                    sheet
                        .write_datetime_with_format(r, c, &dt, &date_format)
                        .expect("date cell");
                }
                Cell::Bool(b) => {
                    sheet.write_boolean(r, c, *b).expect("bool");
                }
                Cell::Blank => {}
            }
        }
    }
    book.save_to_buffer().expect("xlsx")
}

fn good_workbook() -> Vec<u8> {
    workbook(
        &[
            "product",
            "quantity",
            "lot",
            "expiry",
            "gs1",
            "label_languages",
            "unit_value",
            "inn_on_label",
        ],
        &[
            vec![
                Cell::Text(AMOXICILLIN),
                Cell::Number(100.0),
                Cell::Blank,
                Cell::Blank,
                Cell::Text("(01)09501101020917(17)290531(10)SCAN1"),
                Cell::Text("uk"),
                Cell::Number(0.04),
                Cell::Bool(true),
            ],
            vec![
                Cell::Text(PARACETAMOL),
                Cell::Number(200.0),
                Cell::Text("TYPED2"),
                Cell::Date(2029, 1, 31),
                Cell::Blank,
                Cell::Text("uk;en"),
                Cell::Text("0.005"),
                Cell::Blank,
            ],
            // A formatted but empty row at the end is not a line.
            vec![Cell::Blank, Cell::Blank],
        ],
    )
}

fn errors(bytes: &[u8]) -> Vec<LineError> {
    medicines::read_packing(bytes, PackingFormat::Xlsx, day(2026, 12, 6), None)
        .expect_err("refused")
}

fn has(errors: &[LineError], line: usize, field: &str) -> bool {
    errors.iter().any(|e| e.line == line && e.field == field)
}

#[test]
fn an_xlsx_packing_list_with_typed_and_scanned_lines_is_recorded() {
    let (_dir, mut app) = app();
    let mut c = header(&app);
    // The value the good workbook's lines add up to (100 × 0.04 + 200 × 0.005 USD).
    if let Some(declared) = &mut c.declared_value {
        declared.amount = Decimal::new(5, 0);
    }
    let findings = medicines::record_consignment_from(
        &mut app,
        "test",
        c,
        &good_workbook(),
        PackingFormat::Xlsx,
    )
    .expect("recorded");
    assert!(findings.is_empty(), "{findings:?}");
    let ledger = app.ledger().expect("ledger");
    let c = ledger
        .consignments
        .get(&id("con-test-xlsx"))
        .expect("stored");
    assert_eq!(c.lines.len(), 2);
    assert_eq!(c.lines[0].lot, "SCAN1");
    assert_eq!(c.lines[0].expiry, day(2029, 5, 31));
    assert_eq!(c.lines[0].quantity, 100);
    assert_eq!(c.lines[0].unit_value, Some(Decimal::new(4, 2)));
    assert_eq!(c.lines[1].expiry, day(2029, 1, 31));
    assert_eq!(c.lines[1].unit_value, Some(Decimal::new(5, 3)));
    assert_eq!(
        c.lines[1].label_languages,
        vec!["uk".to_string(), "en".to_string()]
    );
}

#[test]
fn the_same_list_as_csv_and_as_xlsx_reads_the_same_lines() {
    let csv = format!(
        "product,quantity,lot,expiry,gs1,label_languages,unit_value,inn_on_label\n\
         {AMOXICILLIN},100,,,(01)09501101020917(17)290531(10)SCAN1,uk,0.04,yes\n\
         {PARACETAMOL},200,TYPED2,2029-01-31,,uk;en,0.005,\n"
    );
    let from_csv = medicines::parse_packing_list(&csv, day(2026, 12, 6)).expect("csv");
    let from_xlsx = medicines::read_packing(
        &good_workbook(),
        PackingFormat::Xlsx,
        day(2026, 12, 6),
        None,
    )
    .expect("xlsx");
    assert_eq!(from_csv, from_xlsx);
}

#[test]
fn a_preview_shows_lines_and_findings_and_writes_nothing() {
    let (_dir, app) = app();
    let bytes = workbook(
        &["product", "quantity", "lot", "expiry", "label_languages"],
        &[vec![
            Cell::Text(AMOXICILLIN),
            Cell::Number(10.0),
            Cell::Text("EN1"),
            Cell::Date(2029, 1, 31),
            Cell::Text("en"),
        ]],
    );
    let before = app.ledger().expect("ledger").consignments.len();
    let preview = medicines::preview_consignment(&app, header(&app), &bytes, PackingFormat::Xlsx)
        .expect("preview");
    assert_eq!(preview.consignment.lines.len(), 1);
    assert!(
        preview
            .findings
            .iter()
            .any(|f| f.rule == R::LabelLanguage && f.line == Some(0)),
        "{:?}",
        preview.findings
    );
    assert_eq!(app.ledger().expect("ledger").consignments.len(), before);
}

#[test]
fn unknown_columns_in_xlsx_are_refused_by_name() {
    let bytes = workbook(
        &["product", "quantity", "colour"],
        &[vec![
            Cell::Text(AMOXICILLIN),
            Cell::Number(1.0),
            Cell::Text("red"),
        ]],
    );
    let e = errors(&bytes);
    assert_eq!(e[0].line, 0);
    assert_eq!(e[0].field, "header");
    assert_eq!(e[0].value, "colour");
}

#[test]
fn an_empty_sheet_is_refused() {
    let e = errors(&workbook(&[], &[]));
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].field, "sheet");
    assert!(e[0].message.contains("empty"), "{}", e[0].message);
}

#[test]
fn a_sheet_with_only_its_header_has_no_lines() {
    let e = errors(&workbook(&["product", "quantity"], &[]));
    assert_eq!(e[0].field, "lines");
}

#[test]
fn a_file_that_is_not_a_workbook_is_refused() {
    let e = errors(b"PK\x03\x04 this is not a zip");
    assert_eq!(e[0].field, "file");
    assert!(e[0].message.contains("XLSX"), "{}", e[0].message);
}

#[test]
fn a_date_in_the_quantity_column_is_refused_naming_line_and_field() {
    let bytes = workbook(
        &["product", "quantity", "lot", "expiry"],
        &[vec![
            Cell::Text(AMOXICILLIN),
            Cell::Date(2029, 1, 31),
            Cell::Text("A"),
            Cell::Date(2029, 1, 31),
        ]],
    );
    let e = errors(&bytes);
    assert!(has(&e, 1, "quantity"), "{e:?}");
    assert!(e[0].message.contains("date"), "{}", e[0].message);
}

#[test]
fn a_number_in_the_expiry_column_is_refused_naming_line_and_field() {
    let bytes = workbook(
        &["product", "quantity", "lot", "expiry"],
        &[vec![
            Cell::Text(AMOXICILLIN),
            Cell::Number(5.0),
            Cell::Text("A"),
            Cell::Number(47000.0),
        ]],
    );
    assert!(has(&errors(&bytes), 1, "expiry"));
}

#[test]
fn text_and_fractions_in_the_quantity_column_are_refused() {
    let bytes = workbook(
        &["product", "quantity", "lot", "expiry"],
        &[
            vec![
                Cell::Text(AMOXICILLIN),
                Cell::Text("many"),
                Cell::Text("A"),
                Cell::Date(2029, 1, 31),
            ],
            vec![
                Cell::Text(AMOXICILLIN),
                Cell::Number(2.5),
                Cell::Text("B"),
                Cell::Date(2029, 1, 31),
            ],
        ],
    );
    let e = errors(&bytes);
    assert!(has(&e, 1, "quantity"), "{e:?}");
    assert!(has(&e, 2, "quantity"), "{e:?}");
}

#[test]
fn zero_and_negative_quantities_are_refused_naming_each_line() {
    let bytes = workbook(
        &["product", "quantity", "lot", "expiry"],
        &[
            vec![
                Cell::Text(AMOXICILLIN),
                Cell::Number(0.0),
                Cell::Text("A"),
                Cell::Date(2029, 1, 31),
            ],
            vec![
                Cell::Text(AMOXICILLIN),
                Cell::Number(-3.0),
                Cell::Text("B"),
                Cell::Date(2029, 1, 31),
            ],
        ],
    );
    let e = errors(&bytes);
    assert!(has(&e, 1, "quantity"), "{e:?}");
    assert!(has(&e, 2, "quantity"), "{e:?}");
}

#[test]
fn an_expiry_before_manufacture_is_refused_naming_line_and_field() {
    let bytes = workbook(
        &["product", "quantity", "lot", "expiry", "manufactured"],
        &[vec![
            Cell::Text(AMOXICILLIN),
            Cell::Number(5.0),
            Cell::Text("A"),
            Cell::Date(2027, 1, 31),
            Cell::Date(2028, 1, 31),
        ]],
    );
    let e = errors(&bytes);
    assert!(has(&e, 1, "expiry"), "{e:?}");
    assert!(e[0].message.contains("manufacture"), "{}", e[0].message);
}

#[test]
fn a_lot_expired_when_shipped_is_refused_and_nothing_is_written() {
    let (_dir, mut app) = app();
    let mut c = header(&app);
    c.shipped = day(2026, 10, 1);
    let bytes = workbook(
        &["product", "quantity", "lot", "expiry"],
        &[vec![
            Cell::Text(AMOXICILLIN),
            Cell::Number(5.0),
            Cell::Text("A"),
            Cell::Date(2026, 9, 30),
        ]],
    );
    let err = medicines::record_consignment_from(&mut app, "test", c, &bytes, PackingFormat::Xlsx)
        .expect_err("expired");
    assert!(err.to_string().contains("line 1, expiry"), "{err}");
    assert!(
        !app.ledger()
            .expect("ledger")
            .consignments
            .contains_key(&id("con-test-xlsx"))
    );
}

#[test]
fn an_xlsx_packing_list_of_100000_rows_is_refused_whole() {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, name) in ["product", "quantity", "lot", "expiry"].iter().enumerate() {
        sheet
            .write_string(0, u16::try_from(c).expect("col"), *name)
            .expect("header");
    }
    for r in 1..=100_000u32 {
        sheet.write_string(r, 0, AMOXICILLIN).expect("product");
        sheet.write_number(r, 1, 1.0).expect("quantity");
        sheet.write_string(r, 2, format!("L{r}")).expect("lot");
        sheet.write_string(r, 3, "2029-01-31").expect("expiry");
    }
    let bytes = book.save_to_buffer().expect("xlsx");
    let e = errors(&bytes);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].field, "lines");
    assert!(e[0].message.contains("5000"), "{}", e[0].message);
}

#[test]
fn the_format_is_told_by_the_name_or_the_first_bytes() {
    assert_eq!(PackingFormat::detect("list.XLSX", b""), PackingFormat::Xlsx);
    assert_eq!(
        PackingFormat::detect("upload", b"PK\x03\x04rest"),
        PackingFormat::Xlsx
    );
    assert_eq!(
        PackingFormat::detect("list.csv", b"product,quantity"),
        PackingFormat::Csv
    );
}

#[test]
fn a_cell_far_to_the_right_is_refused_without_reading_the_box_it_spans() {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "product").expect("header");
    // The last cell of a sheet: read as a box with A1 it spans 1.7 × 10^10 cells.
    sheet
        .write_string(1_048_575, 16_383, "x")
        .expect("far cell");
    let bytes = book.save_to_buffer().expect("xlsx");
    let e = errors(&bytes);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].code, "too_wide");
    assert!(e[0].message.contains("16384"), "{}", e[0].message);
}

#[test]
fn a_line_far_down_the_sheet_is_read_as_the_next_line() {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, name) in ["product", "quantity", "lot", "expiry"].iter().enumerate() {
        sheet
            .write_string(0, u16::try_from(c).expect("col"), *name)
            .expect("header");
    }
    let far = 1_000_000;
    sheet.write_string(far, 0, AMOXICILLIN).expect("product");
    sheet.write_number(far, 1, 40.0).expect("quantity");
    sheet.write_string(far, 2, "L-FAR").expect("lot");
    sheet.write_string(far, 3, "2029-01-31").expect("expiry");
    let bytes = book.save_to_buffer().expect("xlsx");
    let lines =
        medicines::read_packing(&bytes, PackingFormat::Xlsx, day(2026, 12, 6), None).expect("read");
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].lot, "L-FAR");
}

#[test]
fn a_workbook_that_unpacks_to_more_than_a_packing_list_can_hold_is_refused() {
    use std::io::Write;
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("xl/sharedStrings.xml", deflated)
        .expect("member");
    let zeros = vec![b'0'; 1024 * 1024];
    for _ in 0..80 {
        zip.write_all(&zeros).expect("write");
    }
    zip.finish().expect("zip");
    let bytes = out.into_inner();
    assert!(bytes.len() < 1024 * 1024, "{} bytes", bytes.len());
    let e = errors(&bytes);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].code, "too_large");
}

#[test]
fn a_cell_longer_than_any_packing_list_text_is_refused_before_it_is_copied() {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "product").expect("header");
    // One shared string, named by many cells, would be copied into each of them.
    let long = "x".repeat(5_000);
    for r in 1..=50u32 {
        sheet.write_string(r, 0, &long).expect("long text");
    }
    let bytes = book.save_to_buffer().expect("xlsx");
    let e = errors(&bytes);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].code, "too_large");
    assert!(e[0].message.contains("4096"), "{}", e[0].message);
}
