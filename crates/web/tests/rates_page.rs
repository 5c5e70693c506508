//! The exchange-rates page over HTTP: coverage and a rate file import with a preview, admins only,
//! every change audited, a bad file refused by its line with nothing written.

mod common;

use axum::http::{Method, StatusCode};
use common::{Client, Req, env, login};

const BOUNDARY: &str = "aidtrace-rates-boundary";

const RATES: &str = "Date,Rate,Currency,Frequency,Source\n\
2025-06-30,510.5,KZT,M,National Bank of Kazakhstan\n\
2026-11-30,41.9,UAH,M,National Bank of Ukraine\n";

/// A multipart body of (name, value) fields; `file` is sent as an uploaded file.
fn multipart(fields: &[(&str, &str)]) -> Vec<u8> {
    let mut body = String::new();
    for (name, value) in fields {
        if *name == "file" {
            body.push_str(&format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"rates.csv\"\r\nContent-Type: text/csv\r\n\r\n{value}\r\n"
            ));
        } else {
            body.push_str(&format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            ));
        }
    }
    body.push_str(&format!("--{BOUNDARY}--\r\n"));
    body.into_bytes()
}

fn post<'a>(cookie: &'a str, body: &'a [u8]) -> Req<'a> {
    Req::new(Method::POST, "/rates")
        .cookie(cookie)
        .header(
            "content-type",
            &format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .raw(body)
}

fn stored_rates(e: &common::Env) -> usize {
    e.state
        .service()
        .store()
        .fx_rates()
        .expect("test fixture")
        .len()
}

fn fx_audit_entries(e: &common::Env) -> usize {
    e.state
        .service()
        .store()
        .audit_log(None)
        .expect("test fixture")
        .iter()
        .filter(|a| a.kind == "fx_rate")
        .count()
}

#[tokio::test]
async fn an_admin_sees_coverage_previews_and_imports_a_rate_file() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (ada, csrf) = login(&c, "ada").await;
    let page = c.send(Req::get("/rates").cookie(&ada)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("id=\"coverage\""), "{}", page.body);
    assert!(page.body.contains("European Central Bank"));
    assert!(page.body.contains("2026-10-30"), "the ECB table's last day");
    assert!(
        page.body.contains("href=\"/rates\""),
        "the admin's menu links the page"
    );

    let body = multipart(&[("csrf", &csrf), ("action", "preview"), ("file", RATES)]);
    let preview = c.send(post(&ada, &body)).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(
        preview
            .body
            .contains("rates.csv: 2 rates, nothing written yet"),
        "{}",
        preview.body
    );
    assert!(preview.body.contains("National Bank of Kazakhstan"));
    assert!(preview.body.contains("id=\"confirm-form\""));
    assert_eq!(stored_rates(&e), 0, "a preview writes nothing");
    assert_eq!(fx_audit_entries(&e), 0);

    // The confirmation sends back the text the preview showed.
    let body = multipart(&[
        ("csrf", &csrf),
        ("action", "import"),
        ("name", "rates.csv"),
        ("text", RATES),
    ]);
    let done = c.send(post(&ada, &body)).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(
        done.body
            .contains("Imported: 2 rates added, 0 replaced, 0 unchanged"),
        "{}",
        done.body
    );
    assert_eq!(stored_rates(&e), 2);
    assert_eq!(fx_audit_entries(&e), 2, "one audit entry per rate");
    assert!(e.state.service().verify_audit().expect("test fixture").ok());
    assert!(
        done.body.contains("National Bank of Ukraine"),
        "coverage shows the imported series"
    );
    // The snapshot was refreshed: a UAH flow of November 2026 now uses the imported rate.
    let rates = e.state.service().rates().expect("test fixture");
    let uah = aidtrace_domain::CurrencyCode::parse("UAH").expect("test fixture");
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 15).expect("test fixture");
    assert_eq!(
        rates.lookup(&uah, day).expect("test fixture").source,
        "National Bank of Ukraine"
    );
}

#[tokio::test]
async fn a_non_admin_is_refused_and_nothing_is_written() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let anonymous = c.get("/rates").await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let (vic, csrf) = login(&c, "vic").await;
    let page = c.send(Req::get("/rates").cookie(&vic)).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
    assert!(!page.body.contains("href=\"/rates\""), "no menu link");
    let body = multipart(&[
        ("csrf", &csrf),
        ("action", "import"),
        ("name", "rates.csv"),
        ("text", RATES),
    ]);
    let r = c.send(post(&vic, &body)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let (eve, eve_csrf) = login(&c, "eve").await;
    let body = multipart(&[("csrf", &eve_csrf), ("action", "preview"), ("file", RATES)]);
    let r = c.send(post(&eve, &body)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "an editor neither");
    assert_eq!(stored_rates(&e), 0);
}

#[tokio::test]
async fn a_bad_rate_file_names_its_line_and_writes_nothing() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (ada, csrf) = login(&c, "ada").await;
    for (file, line) in [
        (
            "Date,Rate,Currency,Frequency,Source\n2025-06-30,510,KZT,M,x\n2025-07-31,-3,KZT,M,x\n",
            "line 3: Rate",
        ),
        (
            "Date,Rate,Currency,Frequency,Source\n2025-06-30,510,KZT,M,x\n2025-07-31,0,KZT,M,x\n",
            "line 3: Rate",
        ),
        (
            "Date,Rate,Currency,Frequency,Source\n2025-06-30,510,KZT,M,x\n2025-06-30,511,KZT,M,y\n",
            "line 3: Date",
        ),
        (
            "Date,Rate,Currency,Frequency,Source\n2025-06-30,510,KZT,M,x\n2025-06-30,5,QQQ,M,x\n",
            "line 3: Currency",
        ),
    ] {
        for action in ["preview", "import"] {
            let body = if action == "import" {
                multipart(&[
                    ("csrf", &csrf),
                    ("action", action),
                    ("name", "r.csv"),
                    ("text", file),
                ])
            } else {
                multipart(&[("csrf", &csrf), ("action", action), ("file", file)])
            };
            let r = c.send(post(&ada, &body)).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
            assert!(r.body.contains(line), "{line}: {}", r.body);
        }
    }
    assert_eq!(stored_rates(&e), 0, "nothing written");
    assert_eq!(fx_audit_entries(&e), 0);
}

/// Every bad row at once, beside the form to send the file again (the page showed only the
/// first, on an error page leading back to the dashboard).
#[tokio::test]
async fn a_preview_lists_every_bad_row_with_the_form_again() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (ada, csrf) = login(&c, "ada").await;
    let file = "Date,Rate,Currency,Frequency,Source\n2025-06-30,0,KZT,M,x\n2025-07-31,510,KZT,M,x\nlast month,510,KZT,M,x\n2025-08-31,5,QQQ,M,x\n2025-09-30,510,KZT,Q,x\n";
    let body = multipart(&[("csrf", &csrf), ("action", "preview"), ("file", file)]);
    let r = c.send(post(&ada, &body)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let errors = &r.body[r.body.find("id=\"rates-errors\"").expect("the list")..];
    let errors = &errors[..errors.find("</section>").expect("its end")];
    for line in [
        "line 2: Rate",
        "line 4: Date",
        "line 5: Currency",
        "line 6: Frequency",
    ] {
        assert!(errors.contains(line), "{line}: {errors}");
    }
    assert!(
        !errors.contains("line 3"),
        "a sound row is not listed: {errors}"
    );
    assert!(errors.contains("problems listed: 4"), "{errors}");
    assert!(
        r.body.contains("id=\"rates-form\""),
        "the form to send it again"
    );
    assert_eq!(stored_rates(&e), 0, "nothing written");
}

#[tokio::test]
async fn the_page_speaks_every_language() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (ada, _) = login(&c, "ada").await;
    for (lang, title) in [
        ("en", "Exchange rates"),
        ("ru", "Курсы валют"),
        ("uk", "Курси валют"),
        ("kk", "Валюта бағамдары"),
    ] {
        let cookie = format!("aidtrace_lang={lang}; {ada}");
        let page = c.send(Req::get("/rates").cookie(&cookie)).await;
        assert_eq!(page.status, StatusCode::OK, "{lang}");
        assert!(page.body.contains(title), "{lang}: {}", page.body);
    }
}

#[tokio::test]
async fn a_rate_file_past_the_body_limit_is_a_413() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (ada, csrf) = login(&c, "ada").await;
    let before = stored_rates(&e);
    let big = RATES.repeat(4_000);
    assert!(big.len() > 256 * 1024);
    let body = multipart(&[("csrf", &csrf), ("action", "import"), ("file", &big)]);
    let r = c.send(post(&ada, &body)).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    assert!(r.body.contains("too large"), "{}", r.body);
    assert_eq!(stored_rates(&e), before, "nothing written");
}

/// A refused rate file in Ukrainian: each row's problem is worded from the catalogue with its
/// figures, not "not accepted" followed by the English sentence.
#[tokio::test]
async fn a_bad_rate_file_is_refused_in_the_readers_language() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (ada, csrf) = login(&c, "ada").await;
    let cookie = format!("aidtrace_lang=uk; {ada}");
    let file = "Date,Rate,Currency,Frequency,Source\n2025-06-30,510,KZT,M,x\n2025-06-30,511,KZT,M,y\n2025-09-30,510,KZT,Q,x\n30.10.2025,510,KZT,M,x\n";
    let body = multipart(&[("csrf", &csrf), ("action", "preview"), ("file", file)]);
    let r = c.send(post(&cookie, &body)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let errors = &r.body[r.body.find("id=\"rates-errors\"").expect("the list")..];
    let errors = &errors[..errors.find("</section>").expect("its end")];
    for said in [
        "для KZT уже є курс із періодичністю M на цю дату в рядку 2",
        "очікувалося A (річний), M (місячний) або D (денний) — «Q»",
        "очікувалася дата у вигляді РРРР-ММ-ДД — «30.10.2025»",
    ] {
        assert!(errors.contains(said), "{said}: {errors}");
    }
    assert!(!errors.contains("не приймається"), "{errors}");
    assert!(
        !errors.contains("expected"),
        "no English sentence: {errors}"
    );
}
