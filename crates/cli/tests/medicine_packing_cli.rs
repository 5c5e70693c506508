//! `aidtrace medicine consignment` with an XLSX packing list (written in the test with
//! rust_xlsxwriter): `--dry-run` previews and writes nothing, a bad sheet is refused by line and
//! field with nothing written, and `aidtrace medicine fhir` writes the two bundles.

use std::path::Path;
use std::process::Output;

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::Value;

mod kit;
use kit::{run, stdout};

const HEADER: &str = r#"{
  "id": "con-cli-xlsx",
  "donor": "org-illustrative-medicine-donor",
  "mode": "direct",
  "shipped": "2026-11-02",
  "arrived": "2026-11-20",
  "destination": "fac-ua-illustrative-central-warehouse",
  "destination_kind": "central_warehouse",
  "recipient_country": "UA",
  "recipient_languages": ["uk"],
  "value_basis": "world_market_price",
  "request_reference": "test request"
}"#;

fn code(out: &Output) -> Option<i32> {
    out.status.code()
}

fn demo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(dir.path(), &["demo"]);
    assert_eq!(
        code(&out),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(dir.path().join("header.json"), HEADER).expect("header");
    dir
}

/// A packing list of one amoxicillin line with `quantity` in the quantity cell.
fn packing(dir: &Path, quantity: f64) -> String {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, name) in ["product", "quantity", "lot", "expiry", "label_languages"]
        .iter()
        .enumerate()
    {
        sheet
            .write_string(0, u16::try_from(c).expect("col"), *name)
            .expect("header");
    }
    sheet
        .write_string(1, 0, "med-illustrative-amoxicillin-500")
        .expect("product");
    sheet.write_number(1, 1, quantity).expect("quantity");
    sheet.write_string(1, 2, "XL1").expect("lot");
    let expiry = ExcelDateTime::from_ymd(2029, 5, 31).expect("date");
    sheet
        .write_datetime_with_format(1, 3, &expiry, &Format::new().set_num_format("yyyy-mm-dd"))
        .expect("expiry");
    sheet.write_string(1, 4, "uk").expect("languages");
    let path = dir.join("packing.xlsx");
    book.save(&path).expect("save");
    path.to_string_lossy().into_owned()
}

fn consignment(dir: &Path, packing: &str, extra: &[&str]) -> Output {
    let header = dir.join("header.json");
    let mut args = vec![
        "medicine",
        "consignment",
        "--header",
        header.to_str().expect("path"),
        "--packing",
        packing,
    ];
    args.extend_from_slice(extra);
    run(dir, &args)
}

/// Whether the consignment is stored: `check` on an unknown one says so.
fn recorded(dir: &Path) -> bool {
    let out = run(dir, &["medicine", "check", "con-cli-xlsx"]);
    !String::from_utf8_lossy(&out.stderr).contains("no consignment")
}

#[test]
fn a_dry_run_previews_the_xlsx_lines_and_writes_nothing() {
    let dir = demo();
    let xlsx = packing(dir.path(), 100.0);
    let out = consignment(dir.path(), &xlsx, &["--dry-run", "--format", "json"]);
    assert_eq!(
        code(&out),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let preview: Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(preview["consignment"]["lines"][0]["lot"], "XL1");
    assert_eq!(preview["consignment"]["lines"][0]["quantity"], 100);
    assert_eq!(preview["consignment"]["lines"][0]["expiry"], "2029-05-31");
    assert!(preview["findings"].as_array().expect("findings").is_empty());
    assert!(!recorded(dir.path()));
}

#[test]
fn an_xlsx_packing_list_is_recorded() {
    let dir = demo();
    let xlsx = packing(dir.path(), 100.0);
    let out = consignment(dir.path(), &xlsx, &[]);
    assert_eq!(
        code(&out),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(recorded(dir.path()));
}

#[test]
fn a_zero_quantity_in_xlsx_is_refused_naming_line_and_field_and_nothing_is_written() {
    let dir = demo();
    let xlsx = packing(dir.path(), 0.0);
    let out = consignment(dir.path(), &xlsx, &[]);
    assert_ne!(code(&out), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 1, quantity"), "{err}");
    assert!(!recorded(dir.path()));
}

#[test]
fn fhir_writes_the_medication_and_supply_delivery_bundles() {
    let dir = demo();
    let out_dir = dir.path().join("fhir");
    let out = run(
        dir.path(),
        &["medicine", "fhir", "--out", out_dir.to_str().expect("path")],
    );
    assert_eq!(
        code(&out),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for kind in ["Medication", "SupplyDelivery"] {
        let bundle: Value = serde_json::from_str(
            &std::fs::read_to_string(out_dir.join(format!("{kind}.json"))).expect("file"),
        )
        .expect("json");
        assert_eq!(bundle["resourceType"], "Bundle");
        assert!(!bundle["entry"].as_array().expect("entries").is_empty());
    }
}
