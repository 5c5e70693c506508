//! Consignment entry, the arrival decision and movements in the browser, over HTTP on
//! 127.0.0.1 with the demo: lines typed or pasted as GS1 strings, the guideline findings shown by
//! "Check" before anything is saved, every field problem at once beside its field with the values
//! kept and nothing written, the write through the approval workflow, the decision audited, stock
//! distributed to two facilities and never below zero, and the dashboard's medicines cards.

#![allow(clippy::unwrap_used)]

mod common;

use aidtrace_domain::RecordId;
use aidtrace_domain::medicines::MovementKind;
use axum::http::{Method, StatusCode};
use common::{Client, Env, Req, login};

const CONSIGNMENT: &str = "con-illustrative-ua-2026-01";
const WAREHOUSE: &str = "fac-ua-illustrative-central-warehouse";
const HOSPITAL_A: &str = "fac-ua-illustrative-kharkiv-a";
const HOSPITAL_B: &str = "fac-ua-illustrative-sumy-c";
const DONOR: &str = "org-illustrative-medicine-donor";
const NEW: &str = "/medicines/consignments/new";

struct Session {
    env: Env,
    client: Client,
    cookie: String,
    csrf: String,
}

async fn signed_in(name: &str) -> Session {
    let env = common::env();
    let client = Client::Socket(common::spawn(env.state.clone()).await);
    let (cookie, csrf) = login(&client, name).await;
    Session {
        env,
        client,
        cookie,
        csrf,
    }
}

impl Session {
    async fn post(&self, uri: &str, fields: &[(&str, &str)]) -> common::Resp {
        self.post_lang(uri, fields, "en").await
    }

    async fn post_lang(&self, uri: &str, fields: &[(&str, &str)], lang: &str) -> common::Resp {
        let mut all: Vec<(&str, &str)> = vec![("csrf", &self.csrf)];
        all.extend_from_slice(fields);
        self.client
            .send(
                Req::new(Method::POST, uri)
                    .header("cookie", &format!("{}; aidtrace_lang={lang}", self.cookie))
                    .form(&all),
            )
            .await
    }

    async fn get(&self, uri: &str) -> common::Resp {
        self.client
            .send(Req::get(uri).header("cookie", &format!("{}; aidtrace_lang=en", self.cookie)))
            .await
    }

    fn consignments(&self) -> usize {
        self.env
            .with_service(|s| s.ledger().unwrap().consignments.len())
    }
}

/// The header of a consignment like the demo's, as the form posts it.
fn header() -> Vec<(&'static str, &'static str)> {
    vec![
        ("donor", DONOR),
        ("mode", "direct"),
        ("shipped", "2026-11-02"),
        ("arrived", "2026-11-20"),
        ("destination", WAREHOUSE),
        ("destination_kind", "central_warehouse"),
        ("recipient_country", ""),
        ("recipient_languages", "uk"),
        ("declared_value", "2130"),
        ("currency", "USD"),
        ("value_basis", "world_market_price"),
        ("request_reference", "request 2026-14"),
    ]
}

/// Two typed lines: amoxicillin that passes, paracetamol with five months of shelf life left.
fn typed_lines() -> Vec<(&'static str, &'static str)> {
    vec![
        ("lines[0].product", "med-illustrative-amoxicillin-500"),
        ("lines[0].lot", "AMX2611"),
        ("lines[0].expiry", "2029-05-31"),
        ("lines[0].manufactured", "2026-06-01"),
        ("lines[0].quantity", "20000"),
        ("lines[0].unit_value", "0.04"),
        ("lines[0].label_languages", "uk en"),
        ("lines[0].inn_on_label", "yes"),
        ("lines[1].product", "med-illustrative-paracetamol-500"),
        ("lines[1].lot", "PCM0427"),
        ("lines[1].expiry", "2027-04-30"),
        ("lines[1].quantity", "50000"),
        ("lines[1].unit_value", "0.005"),
        ("lines[1].label_languages", "uk"),
        ("lines[1].inn_on_label", "yes"),
    ]
}

fn with(
    mut a: Vec<(&'static str, &'static str)>,
    b: &[(&'static str, &'static str)],
) -> Vec<(&'static str, &'static str)> {
    a.extend_from_slice(b);
    a
}

/// The part of `body` from the element with `id` to the next `end`.
fn until<'a>(body: &'a str, id: &str, end: &str) -> &'a str {
    let start = body
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no element {id} in {body}"));
    let stop = body[start..].find(end).map_or(body.len(), |e| start + e);
    &body[start..stop]
}

fn value_of<'a>(body: &'a str, name: &str) -> &'a str {
    let at = body
        .find(&format!("name=\"{name}\""))
        .unwrap_or_else(|| panic!("no input {name}"));
    let rest = &body[at..];
    let v = rest.find("value=\"").unwrap() + "value=\"".len();
    rest[v..].split('"').next().unwrap()
}

#[tokio::test]
async fn the_entry_form_is_offered_to_editors_and_refused_to_readers() {
    let s = signed_in("ada").await;
    let page = s.get(NEW).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"consignment-form\""));
    let index = s.get("/medicines").await;
    assert!(index.body.contains("href=\"/medicines/consignments/new\""));
    let viewer = signed_in("vic").await;
    assert_eq!(viewer.get(NEW).await.status, StatusCode::FORBIDDEN);
    let anonymous = viewer.client.get(NEW).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn check_shows_the_findings_per_line_before_anything_is_saved() {
    let s = signed_in("ada").await;
    let before = s.consignments();
    let fields = with(with(header(), &typed_lines()), &[("_action", "check")]);
    let resp = s.post(NEW, &fields).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
    assert!(until(&resp.body, "line-checks-1", "</div>").contains("passes every check"));
    assert!(until(&resp.body, "line-checks-2", "</div>").contains("MED-SHELF-LIFE"));
    assert!(
        resp.body.contains("id=\"record\""),
        "the record button follows a clean check"
    );
    assert_eq!(s.consignments(), before);
}

#[tokio::test]
async fn the_record_button_waits_for_a_check() {
    let s = signed_in("ada").await;
    let page = s.get(NEW).await;
    assert!(!page.body.contains("id=\"record\""));
}

#[tokio::test]
async fn the_findings_are_in_the_readers_language() {
    let s = signed_in("ada").await;
    let fields = with(with(header(), &typed_lines()), &[("_action", "check")]);
    let resp = s.post_lang(NEW, &fields, "ru").await;
    assert_eq!(resp.status, StatusCode::OK);
    let line = until(&resp.body, "line-checks-2", "</div>");
    assert!(line.contains("MED-SHELF-LIFE"), "{line}");
    assert!(resp.body.contains("Записать партию"));
    assert!(!line.contains("shelf life"), "{line}");
}

#[tokio::test]
async fn pasted_gs1_strings_fill_the_lines_product_lot_expiry_and_serial() {
    let s = signed_in("ada").await;
    let paste = "(01)09501101020917(17)290531(10)AMX2611(21)SN1\n]C1010950110102091717290531\u{1d}10AMX2612\n";
    let fields = with(header(), &[("paste", paste), ("_action", "scan")]);
    let resp = s.post(NEW, &fields).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
    let b = &resp.body;
    assert_eq!(
        value_of(b, "lines[0].product"),
        "med-illustrative-amoxicillin-500"
    );
    assert_eq!(value_of(b, "lines[0].lot"), "AMX2611");
    assert_eq!(value_of(b, "lines[0].expiry"), "2029-05-31");
    assert_eq!(value_of(b, "lines[0].serial"), "SN1");
    assert_eq!(value_of(b, "lines[0].gtin"), "09501101020917");
    assert_eq!(value_of(b, "lines[1].lot"), "AMX2612");
    assert_eq!(value_of(b, "lines[1].expiry"), "2029-05-31");
}

#[tokio::test]
async fn a_scan_with_a_wrong_check_digit_is_refused_beside_its_line_and_nothing_is_written() {
    let s = signed_in("ada").await;
    let before = s.env.record_count();
    let fields = with(
        header(),
        &[
            ("lines[0].gs1", "(01)09501101020918(17)290531(10)AMX2611"),
            ("lines[0].quantity", "100"),
            ("_action", "save"),
        ],
    );
    let resp = s.post(NEW, &fields).await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    let err = until(&resp.body, "err-lines-0-gs1", "</span>");
    assert!(err.contains("check digit 8, expected 7"), "{err}");
    assert_eq!(s.env.record_count(), before);
}

#[tokio::test]
async fn a_scan_with_an_impossible_date_is_refused_naming_the_expiry() {
    let s = signed_in("ada").await;
    let fields = with(
        header(),
        &[
            ("lines[0].gs1", "(01)09501101020917(17)291332(10)AMX2611"),
            ("lines[0].quantity", "100"),
            ("_action", "check"),
        ],
    );
    let resp = s.post(NEW, &fields).await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    let err = until(&resp.body, "err-lines-0-gs1", "</span>");
    assert!(err.contains("291332"), "{err}");
}

#[tokio::test]
async fn every_field_problem_shows_at_once_beside_its_field_with_the_values_kept() {
    let s = signed_in("ada").await;
    let before = s.env.record_count();
    let mut fields: Vec<(&str, &str)> = header()
        .into_iter()
        .map(|(k, v)| match k {
            "donor" => (k, ""),
            "shipped" => (k, "2026-13-40"),
            "currency" => (k, "XXQ"),
            _ => (k, v),
        })
        .collect();
    fields.extend(typed_lines().into_iter().map(|(k, v)| match k {
        "lines[0].quantity" => (k, "0"),
        "lines[1].product" => (k, "med-nothing"),
        _ => (k, v),
    }));
    fields.push(("_action", "save"));
    let resp = s.post(NEW, &fields).await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    let b = &resp.body;
    for id in [
        "err-donor",
        "err-shipped",
        "err-currency",
        "err-lines-0-quantity",
        "err-lines-1-product",
    ] {
        assert!(b.contains(&format!("id=\"{id}\"")), "no {id}");
    }
    assert!(until(b, "err-shipped", "</span>").contains("2026-13-40"));
    assert_eq!(value_of(b, "lines[1].lot"), "PCM0427");
    assert_eq!(value_of(b, "shipped"), "2026-13-40");
    assert_eq!(s.env.record_count(), before);
}

#[tokio::test]
async fn an_expiry_before_manufacture_is_refused_naming_the_line() {
    let s = signed_in("ada").await;
    let fields = with(
        with(header(), &typed_lines()),
        &[
            ("lines[0].manufactured", "2029-06-01"),
            ("_action", "check"),
        ],
    );
    // The later manufactured date wins over the earlier one in the posted form.
    let fields: Vec<_> = fields
        .into_iter()
        .filter(|(k, v)| !(*k == "lines[0].manufactured" && *v == "2026-06-01"))
        .collect();
    let resp = s.post(NEW, &fields).await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    let err = until(&resp.body, "err-lines-0-expiry", "</span>");
    assert!(err.contains("on or before the manufacture date"), "{err}");
}

#[tokio::test]
async fn an_admin_records_the_consignment_and_lands_on_its_page() {
    let s = signed_in("ada").await;
    let fields = with(with(header(), &typed_lines()), &[("_action", "save")]);
    let resp = s.post(NEW, &fields).await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    let location = resp.header("location");
    assert_eq!(
        location,
        "/medicines/consignments/con-illustrative-medicine-donor-20261102"
    );
    let stored = s.env.with_service(|a| {
        a.ledger()
            .unwrap()
            .consignments
            .get(&RecordId::parse("con-illustrative-medicine-donor-20261102").unwrap())
            .cloned()
            .unwrap()
    });
    assert_eq!(stored.lines.len(), 2);
    assert_eq!(stored.recipient_country.as_str(), "UA");
    let page = s.get(&location).await;
    assert!(until(&page.body, "line-2", "</tr>").contains("MED-SHELF-LIFE"));
    assert!(page.body.contains("id=\"decide-link\""));
}

#[tokio::test]
async fn an_editor_outside_the_donor_and_destination_is_refused_and_nothing_is_written() {
    let s = signed_in("eve").await;
    let before = s.env.record_count();
    let fields = with(with(header(), &typed_lines()), &[("_action", "save")]);
    let resp = s.post(NEW, &fields).await;
    assert_eq!(resp.status, StatusCode::FORBIDDEN, "{}", resp.body);
    assert!(resp.body.contains("id=\"form-errors\""));
    assert_eq!(s.env.record_count(), before);
}

#[tokio::test]
async fn a_post_without_the_sessions_csrf_token_is_refused() {
    let s = signed_in("ada").await;
    let resp = s
        .client
        .send(
            Req::new(Method::POST, NEW)
                .cookie(&s.cookie)
                .form(&[("csrf", "forged"), ("_action", "save")]),
        )
        .await;
    assert_eq!(resp.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn lines_are_added_and_removed_without_a_script_or_a_write() {
    let s = signed_in("ada").await;
    let before = s.env.record_count();
    let added = s
        .post(
            NEW,
            &with(with(header(), &typed_lines()), &[("_action", "add_line")]),
        )
        .await;
    assert!(added.body.contains("id=\"line-entry-3\""));
    let removed = s
        .post(
            NEW,
            &with(with(header(), &typed_lines()), &[("_remove", "0")]),
        )
        .await;
    assert!(!removed.body.contains("id=\"line-entry-2\""));
    assert_eq!(value_of(&removed.body, "lines[0].lot"), "PCM0427");
    assert_eq!(s.env.record_count(), before);
}

fn decide_uri() -> String {
    format!("/medicines/consignments/{CONSIGNMENT}/decide")
}

fn move_uri() -> String {
    format!("/medicines/consignments/{CONSIGNMENT}/move")
}

#[tokio::test]
async fn the_decision_page_shows_the_findings_of_each_line() {
    let s = signed_in("ada").await;
    let page = s.get(&decide_uri()).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(until(&page.body, "decide-line-4", "</div>").contains("MED-NOT-REGISTERED"));
}

#[tokio::test]
async fn a_rejection_without_a_reason_is_refused_beside_the_reason() {
    let s = signed_in("ada").await;
    let before = s.env.record_count();
    let resp = s
        .post(&decide_uri(), &[("outcome", "reject"), ("reason", " ")])
        .await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(until(&resp.body, "err-reason", "</span>").contains("a rejection needs a reason"));
    assert_eq!(s.env.record_count(), before);
}

#[tokio::test]
async fn accepting_in_part_without_a_line_is_refused() {
    let s = signed_in("ada").await;
    let resp = s
        .post(&decide_uri(), &[("outcome", "accept_in_part")])
        .await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(resp.body.contains("id=\"err-lines\""));
}

#[tokio::test]
async fn a_decision_without_an_outcome_is_refused() {
    let s = signed_in("ada").await;
    let resp = s.post(&decide_uri(), &[("reason", "x")]).await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(resp.body.contains("id=\"err-outcome\""));
}

async fn accept_first_two(s: &Session) {
    let resp = s
        .post(
            &decide_uri(),
            &[
                ("outcome", "accept_in_part"),
                ("line.0", "on"),
                ("line.1", "on"),
                ("reason", "lines 3-5 fail the guidelines"),
            ],
        )
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
}

#[tokio::test]
async fn accepting_in_part_is_audited_and_receives_the_chosen_lines() {
    let s = signed_in("ada").await;
    accept_first_two(&s).await;
    let (decision, receipts, audited) = s.env.with_service(|a| {
        let l = a.ledger().unwrap();
        let d = l.consignment_decisions.values().next().cloned().unwrap();
        let r = l
            .stock_movements
            .values()
            .filter(|m| m.kind == MovementKind::Receipt)
            .count();
        let log = a.store().audit_log(None).unwrap();
        let audited = log
            .iter()
            .any(|e| e.kind == "consignment_decision" && e.actor == "ada");
        (d, r, audited)
    });
    assert_eq!(decision.accepted_lines, [0, 1]);
    assert!(decision.findings_seen.iter().any(|r| r == "MED-SHELF-LIFE"));
    assert_eq!(receipts, 2);
    assert!(audited);
    let page = s
        .get(&format!("/medicines/consignments/{CONSIGNMENT}"))
        .await;
    assert!(until(&page.body, "consignment-decision", "</dd>").contains("accepted in part"));
}

async fn distribute(s: &Session, to: &str, quantity: &str) -> common::Resp {
    s.post(
        &move_uri(),
        &[
            ("kind", "distribution"),
            ("lot", "0"),
            ("from", WAREHOUSE),
            ("to", to),
            ("quantity", quantity),
            ("date", "2026-12-01"),
        ],
    )
    .await
}

#[tokio::test]
async fn part_of_a_lot_goes_to_two_facilities_and_the_stock_shows_it() {
    let s = signed_in("ada").await;
    accept_first_two(&s).await;
    let a = distribute(&s, HOSPITAL_A, "5000").await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert!(a.header("location").contains("/move?recorded=mv-"));
    let b = distribute(&s, HOSPITAL_B, "3000").await;
    assert_eq!(b.status, StatusCode::SEE_OTHER, "{}", b.body);
    let page = s.get(&b.header("location")).await;
    assert!(page.body.contains("id=\"movement-recorded\""));
    let stock = until(&page.body, "consignment-stock", "</table>");
    assert!(stock.contains("12000"), "{stock}");
    assert!(stock.contains("5000") && stock.contains("3000"), "{stock}");
    let donor = s.get(&format!("/medicines/donors/{DONOR}")).await;
    let lot = until(&donor.body, "lot-AMX2611", "</tr>");
    assert!(lot.contains("8,000") || lot.contains("8000"), "{lot}");
}

#[tokio::test]
async fn a_distribution_beyond_the_stock_is_refused_naming_lot_facility_and_figures() {
    let s = signed_in("ada").await;
    accept_first_two(&s).await;
    let before = s.env.record_count();
    let resp = distribute(&s, HOSPITAL_A, "20001").await;
    assert_eq!(
        resp.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        resp.body
    );
    let err = until(&resp.body, "err-quantity", "</span>");
    assert!(
        err.contains("AMX2611") && err.contains("20000") && err.contains(WAREHOUSE),
        "{err}"
    );
    assert_eq!(s.env.record_count(), before);
}

#[tokio::test]
async fn the_stock_refusal_is_in_the_readers_language() {
    let s = signed_in("ada").await;
    accept_first_two(&s).await;
    let resp = s
        .post_lang(
            &move_uri(),
            &[
                ("kind", "use"),
                ("lot", "0"),
                ("from", HOSPITAL_A),
                ("quantity", "1"),
            ],
            "uk",
        )
        .await;
    assert_eq!(
        resp.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        resp.body
    );
    let err = until(&resp.body, "err-quantity", "</span>");
    assert!(err.contains("базових одиниць серії AMX2611"), "{err}");
}

#[tokio::test]
async fn a_movement_form_with_bad_fields_names_each_and_writes_nothing() {
    let s = signed_in("ada").await;
    let before = s.env.record_count();
    let resp = s
        .post(
            &move_uri(),
            &[
                ("kind", "teleport"),
                ("lot", "9"),
                ("from", WAREHOUSE),
                ("quantity", "-5"),
                ("date", "yesterday"),
            ],
        )
        .await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    for id in ["err-kind", "err-lot", "err-quantity", "err-date"] {
        assert!(resp.body.contains(&format!("id=\"{id}\"")), "no {id}");
    }
    assert_eq!(s.env.record_count(), before);
}

#[tokio::test]
async fn a_distribution_names_the_facility_it_goes_to() {
    let s = signed_in("ada").await;
    let resp = distribute(&s, "", "10").await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(resp.body.contains("id=\"err-to\""));
}

#[tokio::test]
async fn the_dashboard_shows_the_medicines_cards_with_their_links() {
    let s = signed_in("ada").await;
    accept_first_two(&s).await;
    let page = s.get("/").await;
    let cards = until(&page.body, "dash-medicines", "</section>");
    assert!(
        cards.contains("href=\"/medicines\" id=\"card-consignments-received\""),
        "{cards}"
    );
    assert!(until(cards, "card-consignments-received", "</a>").contains("<b>1</b>"));
    assert!(cards.contains("id=\"card-lots-expiring\""));
    assert!(cards.contains("id=\"card-lots-expired\""));
    assert!(until(cards, "card-medicine-findings", "</a>").contains("<b>0</b>"));
    let ru = s
        .client
        .send(Req::get("/").header("cookie", &format!("{}; aidtrace_lang=ru", s.cookie)))
        .await;
    assert!(until(&ru.body, "dash-medicines", "</section>").contains("партия получена"));
}

#[tokio::test]
async fn a_decided_consignment_says_so_before_it_is_decided_again() {
    let s = signed_in("ada").await;
    let fresh = s.get(&decide_uri()).await;
    assert!(!fresh.body.contains("id=\"decided-already\""));
    accept_first_two(&s).await;
    let again = s.get(&decide_uri()).await;
    assert_eq!(again.status, StatusCode::OK);
    assert!(
        until(&again.body, "decided-already", "</p>").contains("accepted in part"),
        "{}",
        again.body
    );
}
