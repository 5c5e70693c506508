//! Organisation review and merge over HTTP: an admin links an imported publisher to the
//! organisation it is, keeps another as new, merges two; refusals say why next to the field,
//! in the reader's language, with nothing written.

#![allow(clippy::unwrap_used)]

mod common;

use aidtrace_service::iati::ImportOptions;
use axum::http::{Method, StatusCode};
use common::{Client, Req, env, login, spawn};

const MOFA: &str = "Japan - Ministry of Foreign Affairs";

fn publisher_file(identifier: &str, org_ref: &str, name: &str) -> String {
    format!(
        r#"<?xml version="1.0"?>
<iati-activities version="2.03">
 <iati-activity last-updated-datetime="2024-01-01T00:00:00Z" default-currency="JPY">
  <iati-identifier>{identifier}</iati-identifier>
  <reporting-org ref="{org_ref}" type="10"><narrative>{name}</narrative></reporting-org>
  <title><narrative>Hospital equipment</narrative></title>
  <participating-org ref="{org_ref}" role="1" type="10"><narrative>{name}</narrative></participating-org>
  <activity-status code="2"/>
  <recipient-country code="KZ"/>
  <transaction><transaction-type code="2"/><transaction-date iso-date="2024-02-01"/><value value-date="2024-02-01">1000000</value><provider-org ref="{org_ref}"><narrative>{name}</narrative></provider-org></transaction>
 </iati-activity>
</iati-activities>"#
    )
}

fn import(e: &common::Env, name: &str, xml: &str) {
    let report = e
        .state
        .service()
        .import_iati(
            "importer",
            name,
            || Ok(xml.as_bytes()),
            ImportOptions::default(),
            &mut |_, _| {},
        )
        .expect("import");
    assert_eq!(report.accepted, 1, "{report:#?}");
    e.state.invalidate();
}

fn audit_entries(e: &common::Env) -> usize {
    e.state
        .service()
        .store()
        .audit_log(None)
        .expect("log")
        .len()
}

fn post<'a>(uri: &'a str, cookie: &'a str, fields: &[(&str, &str)]) -> Req<'a> {
    Req::new(Method::POST, uri).cookie(cookie).form(fields)
}

#[tokio::test]
async fn an_admin_links_an_imported_publisher_and_the_dashboard_shows_one_donor() {
    let e = env();
    import(&e, "mofa.xml", &publisher_file("JP-FA-WEB1", "JP-FA", MOFA));
    let c = Client::Socket(spawn(e.state.clone()).await);
    let (ada, csrf) = login(&c, "ada").await;
    let list = c.send(Req::get("/organisations").cookie(&ada)).await;
    assert!(
        list.body.contains("Organisations to review: 1"),
        "{}",
        list.body
    );
    let page = c.send(Req::get("/organisations/review").cookie(&ada)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("review-org-iati-JP-FA"), "{}", page.body);
    assert!(
        page.body.contains("org-mofa-japan"),
        "suggested: {}",
        page.body
    );
    let dashboard = c.send(Req::get("/").cookie(&ada)).await;
    assert!(dashboard.body.contains(MOFA), "before: {}", dashboard.body);
    let link = [
        ("csrf", csrf.as_str()),
        ("org", "org-iati-JP-FA"),
        ("into", "org-gov-japan"),
        ("action", "link"),
    ];
    let asked = c.send(post("/organisations/review", &ada, &link)).await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    assert!(
        asked.body.contains(&format!(
            "Merge «{MOFA}» (org-iati-JP-FA) into «Government of Japan» (org-gov-japan)?"
        )),
        "what the merge does, before it is done: {}",
        asked.body
    );
    assert!(asked.body.contains("cannot be undone"));
    assert!(asked.body.contains("name=\"confirm\" value=\"yes\""));
    assert!(dashboard_names_mofa(&c, &ada).await, "nothing merged yet");
    let mut confirmed = link.to_vec();
    confirmed.push(("confirm", "yes"));
    let done = c
        .send(post("/organisations/review", &ada, &confirmed))
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let location = done.header("location");
    let after = c.send(Req::get(&location).cookie(&ada)).await;
    assert!(after.body.contains("org-done"), "{}", after.body);
    assert!(after.body.contains("org-review-none"), "{}", after.body);
    let dashboard = c.send(Req::get("/").cookie(&ada)).await;
    assert!(!dashboard.body.contains(MOFA), "after: {}", dashboard.body);
    let flows = e.state.service().ledger().expect("ledger").flows;
    assert!(
        flows
            .values()
            .filter(|f| f.activity.as_str().contains("JP-FA-WEB1"))
            .all(|f| f.provider.as_ref().map(|p| p.as_str()) == Some("org-gov-japan")),
        "{flows:#?}"
    );
}

#[tokio::test]
async fn keep_as_new_takes_the_publisher_off_the_list() {
    let e = env();
    import(
        &e,
        "koica.xml",
        &publisher_file("KR-WEB2", "KR-GOV-010", "KOICA"),
    );
    let c = Client::InProcess(e.state.clone());
    let (ada, csrf) = login(&c, "ada").await;
    let done = c
        .send(post(
            "/organisations/review",
            &ada,
            &[
                ("csrf", &csrf),
                ("org", "org-iati-KR-GOV-010"),
                ("into", ""),
                ("action", "keep"),
            ],
        ))
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = c.send(Req::get("/organisations/review").cookie(&ada)).await;
    assert!(page.body.contains("org-review-none"), "{}", page.body);
}

#[tokio::test]
async fn a_non_admin_cannot_review_or_merge() {
    let e = env();
    import(&e, "mofa.xml", &publisher_file("JP-FA-WEB3", "JP-FA", MOFA));
    let c = Client::InProcess(e.state.clone());
    let (eve, csrf) = login(&c, "eve").await;
    let page = c.send(Req::get("/organisations/review").cookie(&eve)).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let entries = audit_entries(&e);
    let refused = c
        .send(post(
            "/organisations/merge",
            &eve,
            &[
                ("csrf", &csrf),
                ("from", "org-iati-JP-FA"),
                ("into", "org-gov-japan"),
            ],
        ))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(audit_entries(&e), entries);
}

#[tokio::test]
async fn a_merge_without_the_csrf_token_is_refused() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (ada, _) = login(&c, "ada").await;
    let entries = audit_entries(&e);
    let refused = c
        .send(post(
            "/organisations/merge",
            &ada,
            &[
                ("csrf", "wrong"),
                ("from", "org-jica"),
                ("into", "org-gov-japan"),
            ],
        ))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert_eq!(audit_entries(&e), entries);
}

#[tokio::test]
async fn a_merge_into_itself_is_refused_next_to_the_field_with_the_values_kept() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (ada, csrf) = login(&c, "ada").await;
    let entries = audit_entries(&e);
    let refused = c
        .send(post(
            "/organisations/merge",
            &ada,
            &[("csrf", &csrf), ("from", "org-jica"), ("into", "org-jica")],
        ))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("error-into"), "{}", refused.body);
    assert!(
        refused.body.contains("cannot be merged into itself"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains(r#"value="org-jica""#),
        "{}",
        refused.body
    );
    assert_eq!(audit_entries(&e), entries);
}

#[tokio::test]
async fn a_merge_that_would_make_a_parent_cycle_is_refused_in_russian() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (ada, csrf) = login(&c, "ada").await;
    let entries = audit_entries(&e);
    let cookie = format!("aidtrace_lang=ru; {ada}");
    let refused = c
        .send(post(
            "/organisations/merge",
            &cookie,
            &[
                ("csrf", &csrf),
                ("from", "org-gov-japan"),
                ("into", "org-embassy-japan-kz"),
            ],
        ))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("своим же родителем"),
        "{}",
        refused.body
    );
    assert!(
        refused
            .body
            .contains("org-embassy-japan-kz → org-mofa-japan → org-gov-japan"),
        "{}",
        refused.body
    );
    assert_eq!(audit_entries(&e), entries);
}

#[tokio::test]
async fn an_unknown_organisation_is_named_in_the_refusal() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (ada, csrf) = login(&c, "ada").await;
    let refused = c
        .send(post(
            "/organisations/merge",
            &ada,
            &[
                ("csrf", &csrf),
                ("from", "org-nobody"),
                ("into", "org-jica"),
            ],
        ))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("error-from"), "{}", refused.body);
    assert!(refused.body.contains("org-nobody"), "{}", refused.body);
}

#[tokio::test]
async fn the_merge_form_takes_a_name_for_into() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (ada, csrf) = login(&c, "ada").await;
    let done = c
        .send(post(
            "/organisations/merge",
            &ada,
            &[
                ("csrf", &csrf),
                ("from", "org-embassy-japan-ua"),
                ("into", "ministry of foreign affairs of japan"),
            ],
        ))
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert!(
        done.header("location").contains("into=org-mofa-japan"),
        "{}",
        done.header("location")
    );
}

#[tokio::test]
async fn the_pages_speak_every_language() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (ada, _) = login(&c, "ada").await;
    for (lang, review, merge) in [
        ("en", "Organisations to review", "Merge organisations"),
        ("ru", "Организации на проверку", "Объединение организаций"),
        ("uk", "Організації на перевірку", "Об'єднання організацій"),
        ("kk", "Тексерілетін ұйымдар", "Ұйымдарды біріктіру"),
    ] {
        let cookie = format!("aidtrace_lang={lang}; {ada}");
        let page = c
            .send(Req::get("/organisations/review").cookie(&cookie))
            .await;
        assert!(page.body.contains(review), "{lang}: {}", page.body);
        let page = c
            .send(Req::get("/organisations/merge?from=org-jica").cookie(&cookie))
            .await;
        assert!(page.body.contains(merge), "{lang}: {}", page.body);
    }
}

/// One file of `n` activities, each reported by a publisher of its own ("Publisher 000", …).
fn many_publishers(e: &common::Env, n: usize) {
    let activities: String = (0..n)
        .map(|i| {
            let body = publisher_file(
                &format!("XX-PUB-{i:03}-ACT"),
                &format!("XX-PUB-{i:03}"),
                &format!("Publisher {i:03}"),
            );
            let start = body.find("<iati-activity ").unwrap();
            let end = body.find("</iati-activities>").unwrap();
            body[start..end].to_string()
        })
        .collect();
    let xml = format!(
        "<?xml version=\"1.0\"?>\n<iati-activities version=\"2.03\">\n{activities}</iati-activities>"
    );
    let report = e
        .state
        .service()
        .import_iati(
            "importer",
            "many.xml",
            || Ok(xml.as_bytes()),
            ImportOptions::default(),
            &mut |_, _| {},
        )
        .expect("import");
    assert_eq!(report.accepted, n, "{report:#?}");
    e.state.invalidate();
}

/// A merge cannot be undone: no row arrives with a target in its box; each suggestion has its
/// own button that names it.
#[tokio::test]
async fn no_row_arrives_with_a_merge_target_filled_in() {
    let e = env();
    import(&e, "mofa.xml", &publisher_file("JP-FA-WEB9", "JP-FA", MOFA));
    let c = Client::InProcess(e.state.clone());
    let (ada, _) = login(&c, "ada").await;
    let page = c.send(Req::get("/organisations/review").cookie(&ada)).await;
    let row = &page.body[page.body.find("id=\"review-org-iati-JP-FA\"").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    let into = &row[row.find("class=\"into\"").unwrap()..];
    let into = &into[..into.find('>').unwrap()];
    assert!(into.contains("value=\"\""), "empty box: {into}");
    assert!(
        row.contains("Link to Ministry of Foreign Affairs of Japan"),
        "the suggestion's button names it: {row}"
    );
}

#[tokio::test]
async fn linking_with_an_empty_box_is_refused_as_required_with_nothing_written() {
    let e = env();
    import(&e, "mofa.xml", &publisher_file("JP-FA-WEB8", "JP-FA", MOFA));
    let c = Client::InProcess(e.state.clone());
    let (ada, csrf) = login(&c, "ada").await;
    let before = audit_entries(&e);
    let fields = [
        ("csrf", csrf.as_str()),
        ("org", "org-iati-JP-FA"),
        ("into", " "),
        ("action", "link"),
    ];
    let r = c.send(post("/organisations/review", &ada, &fields)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("Choose or type the organisation"),
        "{}",
        r.body
    );
    assert_eq!(audit_entries(&e), before);
}

#[tokio::test]
async fn a_refused_link_keeps_what_was_typed_in_its_row() {
    let e = env();
    import(&e, "mofa.xml", &publisher_file("JP-FA-WEB7", "JP-FA", MOFA));
    let c = Client::InProcess(e.state.clone());
    let (ada, csrf) = login(&c, "ada").await;
    let fields = [
        ("csrf", csrf.as_str()),
        ("org", "org-iati-JP-FA"),
        ("into", "no such org xyz"),
        ("action", "link"),
    ];
    let r = c.send(post("/organisations/review", &ada, &fields)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let row = &r.body[r.body.find("id=\"review-org-iati-JP-FA\"").unwrap()..];
    assert!(row.contains("value=\"no such org xyz\""), "{row}");
}

#[tokio::test]
async fn the_review_list_pages_and_searches() {
    let e = env();
    many_publishers(&e, 130);
    let c = Client::InProcess(e.state.clone());
    let (ada, _) = login(&c, "ada").await;
    let first = c
        .send(Req::get("/organisations/review").cookie(&ada))
        .await
        .body;
    assert!(first.contains("Page 1 of 2 (130 organisations)"), "{first}");
    assert_eq!(first.matches("<tr id=\"review-").count(), 100);
    assert!(first.contains("href=\"/organisations/review?page=2\""));
    let second = c
        .send(Req::get("/organisations/review?page=2").cookie(&ada))
        .await
        .body;
    assert_eq!(second.matches("<tr id=\"review-").count(), 30);
    let found = c
        .send(Req::get("/organisations/review?q=publisher%2012").cookie(&ada))
        .await
        .body;
    // "Publisher 120" … "Publisher 129", any case.
    assert!(found.contains("Page 1 of 1 (10 organisations)"), "{found}");
    assert!(found.contains("review-org-iati-XX-PUB-120"));
    assert!(!found.contains("<tr id=\"review-org-iati-XX-PUB-012\""));
}

/// Past the forms' inline limit the organisations are not sent with every page of the review:
/// the type-ahead list is filled from `/forms/suggest` as the admin types.
#[tokio::test]
async fn a_long_list_of_organisations_is_searched_not_sent_with_the_page() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (ada, _) = login(&c, "ada").await;
    many_publishers(&e, 3);
    let short = c
        .send(Req::get("/organisations/review").cookie(&ada))
        .await
        .body;
    assert!(
        short.contains("<option value=\"org-gov-japan\">"),
        "a short list is sent inline"
    );
    many_publishers(&e, aidtrace_web::changes::forms::INLINE_LIMIT);
    let page = c
        .send(Req::get("/organisations/review").cookie(&ada))
        .await
        .body;
    assert!(
        page.contains(
            "<datalist id=\"org-choices\" data-suggest=\"/forms/suggest/organisation\"></datalist>"
        ),
        "{}",
        &page[page.len().saturating_sub(2000)..]
    );
    let found = c
        .send(Req::get("/forms/suggest/organisation?q=japan").cookie(&ada))
        .await;
    assert!(found.body.contains("org-gov-japan"), "{}", found.body);
}

async fn dashboard_names_mofa(c: &Client, cookie: &str) -> bool {
    c.send(Req::get("/").cookie(cookie))
        .await
        .body
        .contains(MOFA)
}

#[tokio::test]
async fn a_suggestion_says_which_words_its_names_share() {
    let e = env();
    import(&e, "mofa.xml", &publisher_file("JP-FA-WEB9", "JP-FA", MOFA));
    let c = Client::InProcess(e.state.clone());
    let (ada, _) = login(&c, "ada").await;
    let page = c
        .send(Req::get("/organisations/review").cookie(&ada))
        .await
        .body;
    let row = &page[page.find("id=\"review-org-iati-JP-FA\"").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("shared words: japan"), "{row}");
}

#[tokio::test]
async fn an_imported_publisher_without_roles_says_what_it_does_in_its_activities() {
    let e = env();
    import(
        &e,
        "mofa.xml",
        &publisher_file("JP-FA-WEB10", "JP-FA", MOFA),
    );
    let c = Client::InProcess(e.state.clone());
    let page = c.get("/organisations/org-iati-JP-FA").await.body;
    let roles = &page[page.find("id=\"org-roles\"").unwrap()..];
    let roles = &roles[..roles.find("</dd>").unwrap()];
    assert!(roles.contains("no role recorded"), "{roles}");
    assert!(roles.contains("in its activities: funding"), "{roles}");
    assert!(roles.contains("provides flows"), "{roles}");
}

#[tokio::test]
async fn a_link_into_itself_is_refused_before_the_confirmation() {
    let e = env();
    import(
        &e,
        "mofa.xml",
        &publisher_file("JP-FA-WEB11", "JP-FA", MOFA),
    );
    let c = Client::InProcess(e.state.clone());
    let (ada, csrf) = login(&c, "ada").await;
    let fields = [
        ("csrf", csrf.as_str()),
        ("org", "org-iati-JP-FA"),
        ("into", "org-iati-JP-FA"),
        ("action", "link"),
    ];
    let r = c.send(post("/organisations/review", &ada, &fields)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("cannot be merged into itself"),
        "{}",
        r.body
    );
    assert!(!r.body.contains("id=\"org-merge-confirm\""));
}

/// Two publishers named alike, kept apart (different identifiers), are told apart in the
/// dashboard's donor list by their IATI identifiers (after a real import, "Asian Development
/// Bank" stood there three times with nothing to choose by).
#[tokio::test]
async fn donors_sharing_a_name_are_told_apart_in_the_filter() {
    let e = env();
    import(
        &e,
        "adb1.xml",
        &publisher_file("XM-DAC-46004-A1", "XM-DAC-46004", "Asian Development Bank"),
    );
    import(
        &e,
        "adb2.xml",
        &publisher_file("46004-A2", "46004", "Asian Development Bank"),
    );
    let c = Client::InProcess(e.state.clone());
    let page = c.get("/").await.body;
    let donors = page
        .split("id=\"f-donor\"")
        .nth(1)
        .unwrap()
        .split("</select>")
        .next()
        .unwrap();
    assert_eq!(
        donors.matches("Asian Development Bank").count(),
        2,
        "{donors}"
    );
    assert!(
        donors.contains("Asian Development Bank (XM-DAC-46004)"),
        "{donors}"
    );
    assert!(
        donors.contains("Asian Development Bank (46004)"),
        "{donors}"
    );
}

/// A publisher that funds what it reports is a donor in the organisations list although no
/// role is written on it, said to be from its flows and activities (found by a user walk:
/// `?role=donor` counted only written roles).
#[tokio::test]
async fn an_imported_publisher_is_listed_as_a_donor_by_its_flows() {
    let e = env();
    import(
        &e,
        "adb1.xml",
        &publisher_file("XM-DAC-46004-A1", "XM-DAC-46004", "Asian Development Bank"),
    );
    let c = Client::InProcess(e.state.clone());
    let page = c.get("/organisations?role=donor").await.body;
    let row = page
        .split("Asian Development Bank</a>")
        .nth(1)
        .unwrap_or_else(|| panic!("not listed as a donor: {page}"))
        .split("</tr>")
        .next()
        .unwrap();
    assert!(row.contains("donor (by its flows and activities)"), "{row}");
    let ru = c.get("/organisations?role=donor&lang=ru").await.body;
    assert!(ru.contains("(по его операциям и проектам)"), "{ru}");
}

/// After a merge or a "keep as new", the review list comes back narrowed by the search the
/// admin had typed (it came back whole; found by a user walk), and the confirmation page
/// carries the search to the merge.
#[tokio::test]
async fn the_review_list_keeps_its_search_after_a_merge_and_a_keep() {
    let e = env();
    import(&e, "mofa.xml", &publisher_file("JP-FA-WEB9", "JP-FA", MOFA));
    import(
        &e,
        "koica.xml",
        &publisher_file("KR-WEB9", "KR-GOV-010", "KOICA"),
    );
    let c = Client::InProcess(e.state.clone());
    let (ada, csrf) = login(&c, "ada").await;
    let search = "Japan - Ministry";
    let link = [
        ("csrf", csrf.as_str()),
        ("org", "org-iati-JP-FA"),
        ("into", "org-gov-japan"),
        ("action", "link"),
        ("q", search),
    ];
    let asked = c.send(post("/organisations/review", &ada, &link)).await;
    assert!(
        asked.body.contains("name=\"q\" value=\"Japan - Ministry\""),
        "{}",
        asked.body
    );
    let mut confirmed = link.to_vec();
    confirmed.push(("confirm", "yes"));
    let done = c
        .send(post("/organisations/review", &ada, &confirmed))
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let location = done.header("location");
    assert!(location.ends_with("&q=Japan%20-%20Ministry"), "{location}");
    let after = c.send(Req::get(&location).cookie(&ada)).await;
    assert!(
        after.body.contains("value=\"Japan - Ministry\""),
        "{}",
        after.body
    );
    let kept = c
        .send(post(
            "/organisations/review",
            &ada,
            &[
                ("csrf", &csrf),
                ("org", "org-iati-KR-GOV-010"),
                ("action", "keep"),
                ("q", "KOICA"),
            ],
        ))
        .await;
    assert_eq!(kept.status, StatusCode::SEE_OTHER, "{}", kept.body);
    assert!(
        kept.header("location").ends_with("&q=KOICA"),
        "{}",
        kept.header("location")
    );
}

/// A refused link shows the row again (the list narrowed to its id), and its forms still carry
/// the admin's search, not the id (found by reading the diff).
#[tokio::test]
async fn a_refused_link_keeps_the_admins_search() {
    let e = env();
    import(&e, "mofa.xml", &publisher_file("JP-FA-WEB8", "JP-FA", MOFA));
    let c = Client::InProcess(e.state.clone());
    let (ada, csrf) = login(&c, "ada").await;
    let refused = c
        .send(post(
            "/organisations/review",
            &ada,
            &[
                ("csrf", &csrf),
                ("org", "org-iati-JP-FA"),
                ("into", "org-does-not-exist"),
                ("action", "link"),
                ("q", "Japan"),
            ],
        ))
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused
            .body
            .contains("type=\"hidden\" name=\"q\" value=\"Japan\""),
        "{}",
        refused.body
    );
    assert!(
        !refused
            .body
            .contains("type=\"hidden\" name=\"q\" value=\"org-iati-JP-FA\""),
        "{}",
        refused.body
    );
}
