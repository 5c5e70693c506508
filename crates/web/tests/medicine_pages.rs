//! The medicines pages over HTTP on the demo: the illustrative consignment with its packing
//! lines and the WHO guideline findings per line (in the reader's language), stock by facility
//! with expiry bands after part of it is accepted and distributed, the donor's view by lot, the
//! links that lead there, and bad input named by field and value.

#![allow(clippy::unwrap_used)]

mod common;

use aidtrace_domain::RecordId;
use aidtrace_domain::medicines::{DecisionOutcome, MovementKind};
use aidtrace_service::medicines::{self, NewMovement};
use chrono::NaiveDate;
use common::{Client, Env, Req};

const CONSIGNMENT: &str = "con-illustrative-ua-2026-01";
const WAREHOUSE: &str = "fac-ua-illustrative-central-warehouse";
const HOSPITAL_A: &str = "fac-ua-illustrative-kharkiv-a";
const DONOR: &str = "org-illustrative-medicine-donor";
const AMOXICILLIN: &str = "med-illustrative-amoxicillin-500";

fn id(s: &str) -> RecordId {
    RecordId::parse(s).unwrap()
}

async fn http(env: &Env) -> Client {
    Client::Socket(common::spawn(env.state.clone()).await)
}

/// The part of `body` from the element with `id` to the next `end` tag.
fn until<'a>(body: &'a str, id: &str, end: &str) -> &'a str {
    let start = body
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no element {id}"));
    let stop = body[start..].find(end).map_or(body.len(), |e| start + e);
    &body[start..stop]
}

/// A table row (or a fact) by its id.
fn row<'a>(body: &'a str, id: &str) -> &'a str {
    until(body, id, "</tr>")
}

/// A table by its id.
fn table<'a>(body: &'a str, id: &str) -> &'a str {
    until(body, id, "</table>")
}

/// Accepts the first two lines (amoxicillin, the short-dated paracetamol) and sends 5,000
/// amoxicillin tablets to a hospital, as the demo walk-through does.
fn accept_and_distribute(env: &Env) {
    let mut app = env.state.service();
    medicines::decide(
        &mut app,
        "seed",
        &id(CONSIGNMENT),
        DecisionOutcome::AcceptInPart,
        vec![0, 1],
        Some("lines 3-5 fail the guidelines".into()),
    )
    .unwrap();
    medicines::record_movement(
        &mut app,
        "seed",
        NewMovement {
            kind: MovementKind::Distribution,
            date: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            consignment: id(CONSIGNMENT),
            product: id(AMOXICILLIN),
            lot: "AMX2611".into(),
            from: Some(id(WAREHOUSE)),
            to: Some(id(HOSPITAL_A)),
            quantity: 5000,
            note: None,
        },
    )
    .unwrap();
}

#[tokio::test]
async fn the_consignment_page_shows_each_packing_line_with_its_guideline_findings() {
    let env = common::env();
    let resp = http(&env)
        .await
        .get(&format!("/medicines/consignments/{CONSIGNMENT}"))
        .await;
    assert_eq!(resp.status, 200, "{}", resp.body);
    let body = &resp.body;
    let amoxicillin = row(body, "line-1");
    assert!(amoxicillin.contains("class=\"passes\""), "{amoxicillin}");
    assert!(amoxicillin.contains("AMX2611"), "{amoxicillin}");
    assert!(row(body, "line-2").contains("MED-SHELF-LIFE"));
    let labelled_in_english = row(body, "line-3");
    assert!(labelled_in_english.contains("MED-LABEL-LANGUAGE"));
    assert!(labelled_in_english.contains("MED-VALUE-ABOVE-REFERENCE"));
    let ceftriaxone = row(body, "line-4");
    assert!(ceftriaxone.contains("MED-NOT-REGISTERED"), "{ceftriaxone}");
    assert!(
        ceftriaxone.contains("is not registered in the recipient country"),
        "{ceftriaxone}"
    );
    assert!(!ceftriaxone.contains("MED-SHELF-LIFE"), "{ceftriaxone}");
    assert!(row(body, "line-5").contains("MED-NO-INN"));
    assert!(until(body, "consignment-decision", "</dd>").contains("not decided yet"));
}

#[tokio::test]
async fn the_consignment_findings_are_in_the_readers_language() {
    let env = common::env();
    let resp = http(&env)
        .await
        .send(
            Req::get(&format!("/medicines/consignments/{CONSIGNMENT}"))
                .header("cookie", "aidtrace_lang=uk"),
        )
        .await;
    assert_eq!(resp.status, 200);
    let ceftriaxone = row(&resp.body, "line-4");
    assert!(
        ceftriaxone.contains("не зареєстровано в країні-отримувачі"),
        "{ceftriaxone}"
    );
    assert!(resp.body.contains("Пакувальний лист"));
}

#[tokio::test]
async fn the_decision_and_accepted_lines_show_on_the_consignment_page() {
    let env = common::env();
    accept_and_distribute(&env);
    let resp = http(&env)
        .await
        .get(&format!("/medicines/consignments/{CONSIGNMENT}"))
        .await;
    let decision = until(&resp.body, "consignment-decision", "</dd>");
    assert!(decision.contains("accepted in part"), "{decision}");
    assert!(decision.contains("lines accepted: 1, 2"), "{decision}");
}

#[tokio::test]
async fn stock_by_facility_shows_each_lot_with_its_expiry_band() {
    let env = common::env();
    accept_and_distribute(&env);
    let resp = http(&env).await.get("/medicines/stock?at=2026-12-06").await;
    assert_eq!(resp.status, 200, "{}", resp.body);
    let lots = table(&resp.body, "stock-lots");
    // The warehouse keeps 15,000 amoxicillin and all 50,000 short-dated paracetamol; the
    // hospital holds the 5,000 it was sent.
    assert!(lots.contains(">15,000 capsule<"), "{lots}");
    assert!(lots.contains(">50,000 tablet<"), "{lots}");
    assert!(lots.contains(">5,000 capsule<"), "{lots}");
    assert_eq!(lots.matches("<tr").count(), 1 + 3, "{lots}");
    // PCM0427 expires 2027-04-30: within 180 days of 2026-12-06.
    let bands = table(&resp.body, "stock-bands");
    assert!(bands.contains("expires within 180 days"), "{bands}");
}

#[tokio::test]
async fn the_expiry_bands_move_with_the_day_asked_for() {
    let env = common::env();
    accept_and_distribute(&env);
    let resp = http(&env).await.get("/medicines/stock?at=2027-05-01").await;
    assert_eq!(resp.status, 200);
    let bands = table(&resp.body, "stock-bands");
    assert!(bands.contains("<td>expired</td>"), "{bands}");
}

#[tokio::test]
async fn stock_of_one_facility_leaves_the_others_out() {
    let env = common::env();
    accept_and_distribute(&env);
    let resp = http(&env)
        .await
        .get(&format!("/medicines/stock?facility={HOSPITAL_A}"))
        .await;
    assert_eq!(resp.status, 200, "{}", resp.body);
    let lots = table(&resp.body, "stock-lots");
    assert!(lots.contains(">5,000 capsule<"), "{lots}");
    assert!(
        !lots.contains("PCM0427"),
        "the warehouse's paracetamol: {lots}"
    );
}

#[tokio::test]
async fn a_day_that_is_not_a_date_is_refused_naming_field_and_value() {
    let env = common::env();
    let resp = http(&env).await.get("/medicines/stock?at=2026-13-40").await;
    assert_eq!(resp.status, 400);
    assert!(resp.body.contains("2026-13-40"), "{}", resp.body);
    assert!(resp.body.contains("<code>at</code>"), "{}", resp.body);
}

#[tokio::test]
async fn an_unknown_consignment_is_not_found() {
    let env = common::env();
    let resp = http(&env)
        .await
        .get("/medicines/consignments/con-nowhere")
        .await;
    assert_eq!(resp.status, 404);
    assert!(resp.body.contains("con-nowhere"));
}

#[tokio::test]
async fn the_donor_view_follows_each_lot_from_sent_to_distributed() {
    let env = common::env();
    accept_and_distribute(&env);
    let resp = http(&env)
        .await
        .get(&format!("/medicines/donors/{DONOR}"))
        .await;
    assert_eq!(resp.status, 200, "{}", resp.body);
    let amx = row(&resp.body, "lot-AMX2611");
    assert!(amx.contains("20,000"), "{amx}");
    assert!(amx.contains("data-kind=\"distribution\">5,000<"), "{amx}");
    let cfx = row(&resp.body, "lot-CFX2808");
    assert!(cfx.contains("data-kind=\"receipt\">0<"), "{cfx}");
}

#[tokio::test]
async fn navigation_facility_and_organisation_pages_lead_to_the_medicines_pages() {
    let env = common::env();
    let client = http(&env).await;
    let dashboard = client.get("/").await;
    assert!(dashboard.body.contains("href=\"/medicines\""));
    let index = client.get("/medicines").await;
    assert!(
        index
            .body
            .contains(&format!("href=\"/medicines/consignments/{CONSIGNMENT}\"")),
        "{}",
        index.body
    );
    let warehouse = client.get(&format!("/facilities/{WAREHOUSE}")).await;
    assert!(
        warehouse
            .body
            .contains(&format!("href=\"/medicines/stock?facility={WAREHOUSE}\""))
    );
    let donor = client.get(&format!("/organisations/{DONOR}")).await;
    assert!(
        donor
            .body
            .contains(&format!("href=\"/medicines/donors/{DONOR}\""))
    );
}

#[tokio::test]
async fn the_stock_downloads_as_csv_with_the_pages_rows() {
    let env = common::env();
    accept_and_distribute(&env);
    let resp = http(&env)
        .await
        .get("/medicines/stock.csv?at=2026-12-06")
        .await;
    assert_eq!(resp.status, 200, "{}", resp.body);
    let lines: Vec<&str> = resp.body.lines().collect();
    assert_eq!(
        lines[0],
        "facility,product,inn,lot,expiry,band,on_hand,base_unit,consignment,donor"
    );
    assert_eq!(lines.len(), 1 + 3, "{}", resp.body);
    assert!(
        lines.contains(&format!("{WAREHOUSE},med-illustrative-paracetamol-500,paracetamol,PCM0427,2027-04-30,within180_days,50000,tablet,{CONSIGNMENT},{DONOR}").as_str()),
        "{}",
        resp.body
    );
}

#[tokio::test]
async fn the_stock_downloads_as_xlsx_with_numbers_and_dates_as_cells() {
    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
    let env = common::env();
    accept_and_distribute(&env);
    let resp = http(&env)
        .await
        .get(&format!("/medicines/stock.xlsx?facility={HOSPITAL_A}"))
        .await;
    assert_eq!(resp.status, 200, "{}", resp.body);
    let mut book: Xlsx<_> =
        open_workbook_from_rs(std::io::Cursor::new(resp.bytes.clone())).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<Vec<Data>> = sheet.rows().map(<[Data]>::to_vec).collect();
    assert_eq!(rows.len(), 2, "the header and the hospital's one lot");
    assert_eq!(rows[1][3], Data::String("AMX2611".into()));
    assert!(matches!(rows[1][4], Data::DateTime(_)), "{:?}", rows[1][4]);
    assert_eq!(rows[1][6], Data::Float(5000.0));
}

#[tokio::test]
async fn the_expiry_bands_give_each_medicine_its_own_count_and_a_later_day_is_not_a_forecast() {
    let env = common::env();
    accept_and_distribute(&env);
    let resp = http(&env).await.get("/medicines/stock?at=2027-05-01").await;
    assert_eq!(resp.status, 200);
    let bands = table(&resp.body, "stock-bands");
    // Every count is named by its medicine: no sum of capsules of one and of another.
    assert!(bands.contains(": 50,000 tablet"), "{bands}");
    assert!(!bands.contains(">20,000 capsule"), "{bands}");
    assert!(
        resp.body.contains("id=\"stock-projection\""),
        "{}",
        resp.body
    );
    let today = http(&env).await.get("/medicines/stock").await;
    assert!(!today.body.contains("id=\"stock-projection\""));
}

#[tokio::test]
async fn base_units_are_worded_in_the_readers_language() {
    let env = common::env();
    accept_and_distribute(&env);
    let uk = http(&env)
        .await
        .send(common::Req::get("/medicines/stock?at=2026-12-06").cookie("aidtrace_lang=uk"))
        .await;
    let lots = table(&uk.body, "stock-lots");
    assert!(lots.contains("капс."), "{lots}");
    assert!(!lots.contains("000 capsule"), "{lots}");
}
