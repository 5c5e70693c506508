//! Every list that downloads as CSV also downloads as XLSX, and the workbook, read back with an
//! independent reader (calamine), holds the same header and cells as the CSV, over a real socket;
//! figures are number cells and dates date cells, so a spreadsheet can add and sort them.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::Cursor;

use aidtrace_web::WebConfig;
use axum::http::StatusCode;
use calamine::{Data, DataType, Reader, Xlsx, open_workbook_from_rs};
use common::{Client, Req, env, env_with, login, spawn};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes);
    r.records()
        .map(|rec| {
            rec.unwrap()
                .iter()
                // The CSV quotes formula-like text for spreadsheets; the workbook stores it as text.
                .map(|c| c.strip_prefix('\'').unwrap_or(c).to_string())
                .collect()
        })
        .collect()
}

fn xlsx_cells(bytes: &[u8]) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec()))
        .unwrap_or_else(|e| panic!("not a workbook: {e}"));
    let range = book
        .worksheet_range_at(0)
        .expect("a first sheet")
        .expect("a readable sheet");
    range.rows().map(<[Data]>::to_vec).collect()
}

/// A cell as the CSV writes it: dates in ISO form, numbers as the shortest decimal.
fn shown(cell: &Data) -> String {
    match cell {
        // A date cell holds days since 1899-12-30 (the spreadsheet epoch).
        Data::DateTime(d) => chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
            .and_then(|epoch| epoch.checked_add_days(chrono::Days::new(d.as_f64() as u64)))
            .map_or_else(|| cell.to_string(), |day| day.to_string()),
        other => other.to_string(),
    }
}

fn xlsx_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    xlsx_cells(bytes)
        .iter()
        .map(|row| row.iter().map(shown).collect())
        .collect()
}

/// The same figure: equal text, or the CSV's exact decimal and the sheet's binary number within
/// the float's precision.
fn same_cell(csv: &str, sheet: &str) -> bool {
    csv == sheet
        || csv
            .parse::<f64>()
            .ok()
            .zip(sheet.parse::<f64>().ok())
            .is_some_and(|(a, b)| (a - b).abs() <= a.abs().max(1.0) * 1e-12)
}

async fn compare(c: &Client, csv_uri: &str, xlsx_uri: &str) -> Vec<Vec<String>> {
    compare_as(c, None, csv_uri, xlsx_uri).await
}

/// As [`compare`], sending `session` (a cookie) with both requests when given.
async fn compare_as(
    c: &Client,
    session: Option<&str>,
    csv_uri: &str,
    xlsx_uri: &str,
) -> Vec<Vec<String>> {
    let get = |uri| {
        let req = Req::get(uri);
        c.send(match session {
            Some(cookie) => req.cookie(cookie),
            None => req,
        })
    };
    let csv = get(csv_uri).await;
    assert_eq!(csv.status, StatusCode::OK, "{csv_uri}: {}", csv.body);
    let book = get(xlsx_uri).await;
    assert_eq!(book.status, StatusCode::OK, "{xlsx_uri}: {}", book.body);
    assert_eq!(book.header("content-type"), XLSX, "{xlsx_uri}");
    assert!(
        book.header("content-disposition").ends_with(".xlsx\""),
        "{xlsx_uri}: {}",
        book.header("content-disposition")
    );
    let (from_csv, from_book) = (csv_rows(&csv.bytes), xlsx_rows(&book.bytes));
    assert!(from_csv.len() > 1, "{csv_uri} has no data rows");
    assert_eq!(from_book.len(), from_csv.len(), "{xlsx_uri}: row count");
    for (i, (a, b)) in from_csv.iter().zip(&from_book).enumerate() {
        // A sheet row stops at its last written cell; trailing empty CSV cells are not written.
        let mut b = b.clone();
        b.resize(a.len(), String::new());
        assert!(
            a.iter().zip(&b).all(|(x, y)| same_cell(x, y)),
            "{xlsx_uri}: row {i} differs from the CSV:\n{a:?}\n{b:?}"
        );
    }
    from_book
}

#[tokio::test]
async fn every_csv_list_has_an_identical_xlsx() {
    let e = env();
    let c = Client::Socket(spawn(e.state.clone()).await);
    for list in [
        "activities",
        "facilities",
        "organisations",
        "flows",
        "findings",
    ] {
        compare(
            &c,
            &format!("/export/{list}/csv"),
            &format!("/export/{list}/xlsx"),
        )
        .await;
    }
    for by in ["donor", "recipient", "region", "sector", "year"] {
        compare(
            &c,
            &format!("/export/totals/csv?by={by}"),
            &format!("/export/totals/xlsx?by={by}"),
        )
        .await;
    }
    // A filtered list exports the filter's rows.
    let filtered = compare(
        &c,
        "/export/activities/csv?status=implementation",
        "/export/activities/xlsx?status=implementation",
    )
    .await;
    assert!(filtered[1..].iter().all(|r| r[3] == "implementation"));

    let q = "?units=G30:30:2,G100:100:2&fuel=20000&hours=72&k=2";
    let plan = compare(&c, &format!("/energy.csv{q}"), &format!("/energy.xlsx{q}")).await;
    assert_eq!(plan[0][0], "facility");
    // The page links the workbook of the plan it shows.
    let page = c.get(&format!("/energy{q}")).await;
    assert!(
        page.body
            .contains("href=\"/energy.xlsx?units=G30:30:2%2CG100:100:2"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn the_flows_workbook_carries_the_exact_amount() {
    let e = env();
    let c = Client::Socket(spawn(e.state.clone()).await);
    let rows = compare(&c, "/export/flows/csv", "/export/flows/xlsx").await;
    let header = &rows[0];
    let (id, amount) = (
        header.iter().position(|h| h == "id").unwrap(),
        header.iter().position(|h| h == "amount").unwrap(),
    );
    let semey = rows
        .iter()
        .find(|r| r[id] == "flow-kz-semey-commitment")
        .expect("the Semey commitment");
    assert_eq!(semey[amount], "108700000");
}

/// Amounts, converted values and rates are number cells and dates date cells: a spreadsheet adds
/// them up without conversion. Ids and names stay text.
#[tokio::test]
async fn workbook_cells_hold_numbers_and_dates_not_text() {
    let e = env();
    let c = Client::Socket(spawn(e.state.clone()).await);
    let book = c.get("/export/flows/xlsx").await;
    assert_eq!(book.status, StatusCode::OK, "{}", book.body);
    let cells = xlsx_cells(&book.bytes);
    let header: Vec<String> = cells[0].iter().map(ToString::to_string).collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no {name} column in {header:?}"))
    };
    let semey = cells
        .iter()
        .find(|r| r[col("id")] == "flow-kz-semey-commitment")
        .expect("the Semey commitment");
    assert_eq!(semey[col("amount")], Data::Float(108_700_000.0));
    assert!(
        matches!(semey[col("converted")], Data::Float(v) if v > 500_000.0),
        "{:?}",
        semey[col("converted")]
    );
    assert!(
        matches!(semey[col("rate")], Data::Float(_)),
        "{:?}",
        semey[col("rate")]
    );
    assert!(
        semey[col("rate_date")].is_datetime(),
        "{:?}",
        semey[col("rate_date")]
    );
    assert!(matches!(semey[col("id")], Data::String(_)));
    assert!(matches!(semey[col("rate_source")], Data::String(_)));

    let book = c.get("/export/activities/xlsx").await;
    let cells = xlsx_cells(&book.bytes);
    let header: Vec<String> = cells[0].iter().map(ToString::to_string).collect();
    for name in ["end", "sectors", "committed", "disbursed", "currency"] {
        assert!(header.iter().any(|h| h == name), "no {name} in {header:?}");
    }
    let (id, committed) = (
        header.iter().position(|h| h == "id").expect("id"),
        header
            .iter()
            .position(|h| h == "committed")
            .expect("committed"),
    );
    let semey = cells
        .iter()
        .find(|r| r[id] == "act-kz-semey-equipment")
        .expect("the Semey grant");
    assert!(
        matches!(semey[committed], Data::Float(v) if v > 500_000.0),
        "{:?}",
        semey[committed]
    );
}

#[tokio::test]
async fn every_asset_list_has_an_identical_xlsx() {
    let e = env();
    let c = Client::Socket(spawn(e.state.clone()).await);
    let all = compare(&c, "/assets/register.csv", "/assets/register.xlsx").await;
    assert_eq!(all.len(), 17, "the 16 demo assets and a header");
    // The register's filters select the same rows in both files.
    for q in [
        "?state=in_service",
        "?activity=act-kz-semey-equipment",
        "?line=eq-semey-mri",
        "?facility=&state=&donor=&activity=&line=",
    ] {
        compare(
            &c,
            &format!("/assets/register.csv{q}"),
            &format!("/assets/register.xlsx{q}"),
        )
        .await;
    }
    let zhezbek = compare(
        &c,
        "/assets/register.csv?facility=fac-zhezbek-blood-centre",
        "/assets/register.xlsx?facility=fac-zhezbek-blood-centre",
    )
    .await;
    assert_eq!(zhezbek.len(), 6, "five Zhezbek assets and a header");

    for by in ["facility", "region", "donor", "model", "asset", "all"] {
        let q = format!("?from=2025-01-01&to=2025-12-31&by={by}&currency=EUR");
        let rows = compare(
            &c,
            &format!("/assets/indicators.csv{q}"),
            &format!("/assets/indicators.xlsx{q}"),
        )
        .await;
        assert_eq!(rows[0][0], "group");
    }
    // Defaults (the last 365 days, by facility, USD) are the same for both files too.
    compare(&c, "/assets/indicators.csv", "/assets/indicators.xlsx").await;

    // A refused query is refused the same way, never answered with an empty workbook.
    for (uri, status) in [
        (
            "/assets/register.xlsx?line=eq-no-such-line",
            StatusCode::NOT_FOUND,
        ),
        ("/assets/indicators.xlsx?by=colour", StatusCode::BAD_REQUEST),
        (
            "/assets/indicators.xlsx?from=2025-13-01",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/assets/indicators.xlsx?from=2025-12-31&to=2025-01-01",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/assets/indicators.xlsx?currency=%3D1%2B1",
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let csv = c.get(&uri.replace(".xlsx", ".csv")).await;
        let book = c.get(uri).await;
        assert_eq!(book.status, status, "{uri}: {}", book.body);
        assert_eq!(csv.status, status, "{uri} as CSV: {}", csv.body);
    }

    // Each page links the workbook of the list it shows, next to the CSV.
    let page = c.get("/assets?facility=fac-zhezbek-blood-centre").await;
    assert!(
        page.body.contains(
            "href=\"/assets/register.xlsx?facility=fac-zhezbek-blood-centre&amp;state=&amp;"
        ),
        "{}",
        page.body
    );
    let page = c
        .get("/assets/indicators?from=2025-01-01&to=2025-12-31&by=donor")
        .await;
    for file in ["csv", "xlsx"] {
        let href = format!(
            "href=\"/assets/indicators.{file}?from=2025-01-01&amp;to=2025-12-31&amp;by=donor&amp;currency=USD\""
        );
        assert!(page.body.contains(&href), "{href} in {}", page.body);
    }
}

#[tokio::test]
async fn asset_workbooks_need_what_their_csv_needs() {
    let e = env_with(WebConfig {
        secure_cookies: false,
        public_view: false,
        ..WebConfig::default()
    });
    let c = Client::Socket(spawn(e.state.clone()).await);
    for uri in [
        "/assets/register.csv",
        "/assets/register.xlsx",
        "/assets/indicators.csv",
        "/assets/indicators.xlsx",
    ] {
        let r = c.get(uri).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{uri} without sign-in");
        assert_ne!(r.header("content-type"), XLSX, "{uri}");
    }
    let (session, _) = login(&c, "vic").await;
    compare_as(
        &c,
        Some(&session),
        "/assets/register.csv",
        "/assets/register.xlsx",
    )
    .await;
    compare_as(
        &c,
        Some(&session),
        "/assets/indicators.csv?by=asset",
        "/assets/indicators.xlsx?by=asset",
    )
    .await;
}

#[tokio::test]
async fn a_text_longer_than_a_spreadsheet_cell_is_cut_saying_so() {
    use axum::http::Method;
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let token = e.token("ada");
    let got = c
        .send(Req::get("/api/v1/organisations/org-moh-kz").bearer(&token))
        .await;
    let etag = got.header("etag");
    let mut org = got.json();
    let long = "Ministry of Health ".repeat(2_200);
    assert!(long.chars().count() > 40_000);
    org["name"] = serde_json::json!(long.trim_end());
    let put = c
        .send(
            Req::new(Method::PUT, "/api/v1/organisations/org-moh-kz")
                .bearer(&token)
                .header("if-match", &etag)
                .json(&org),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    let xlsx = c.get("/export/organisations/xlsx").await;
    assert_eq!(xlsx.status, StatusCode::OK, "{}", xlsx.body);
    let cells = xlsx_rows(&xlsx.bytes);
    let cut = cells
        .iter()
        .flatten()
        .find(|c| c.starts_with("Ministry of Health Ministry"))
        .expect("the long name");
    assert_eq!(cut.chars().count(), 32_767);
    assert!(
        cut.ends_with("the CSV export has the whole text]"),
        "{}",
        &cut[cut.len() - 80..]
    );
    let csv = c.get("/export/organisations/csv").await;
    assert!(csv.body.contains(long.trim_end()), "the CSV keeps it whole");
}

/// The cells of `column` in the workbook at `uri`, below its header.
async fn column_cells(c: &Client, uri: &str, column: &str) -> Vec<Data> {
    let r = c.get(uri).await;
    assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.body);
    let cells = xlsx_cells(&r.bytes);
    let at = cells[0]
        .iter()
        .position(|h| matches!(h, Data::String(s) if s == column))
        .unwrap_or_else(|| panic!("{uri}: no column {column} in {:?}", cells[0]));
    cells[1..].iter().map(|row| row[at].clone()).collect()
}

#[tokio::test]
async fn equipment_and_energy_workbooks_hold_their_figures_as_numbers() {
    let e = env();
    let c = Client::Socket(spawn(e.state.clone()).await);
    for (uri, column) in [
        (
            "/assets/indicators.xlsx?from=2025-01-01&to=2025-12-31",
            "uptime_pct",
        ),
        (
            "/assets/indicators.xlsx?from=2025-01-01&to=2025-12-31",
            "operating_hours",
        ),
        (
            "/assets/indicators.xlsx?from=2025-01-01&to=2025-12-31",
            "assets",
        ),
        ("/assets/register.xlsx", "open_work_orders"),
        ("/energy.xlsx", "covered_kw"),
    ] {
        let cells = column_cells(&c, uri, column).await;
        assert!(
            cells.iter().any(|d| matches!(d, Data::Float(_))),
            "{uri} {column}: {cells:?}"
        );
        assert!(
            !cells
                .iter()
                .any(|d| matches!(d, Data::String(s) if s.parse::<f64>().is_ok())),
            "{uri} {column}: a figure written as text: {cells:?}"
        );
    }
}
