//! An uploaded activity with a flawed budget is imported without it: the /import summary names
//! the element (line and reason) and the activity page shows it as an IATI-LEFT-OUT finding.

mod common;

use axum::http::{Method, StatusCode};
use common::{Client, Req, env, login};

/// Line 8: a budget that ends before it starts.
const FLAWED: &str = r#"<?xml version="1.0"?>
<iati-activities version="2.03">
 <iati-activity last-updated-datetime="2024-01-01T00:00:00Z" default-currency="USD">
  <iati-identifier>XM-DAC-701-8-FLAWED</iati-identifier>
  <reporting-org ref="XM-DAC-701-8" type="10"><narrative>JICA</narrative></reporting-org>
  <title><narrative>Flawed budget, sound disbursement</narrative></title>
  <activity-date type="1" iso-date="2024-01-01"/>
  <budget type="1"><period-start iso-date="2024-06-01"/><period-end iso-date="2024-01-31"/><value value-date="2024-01-01">100</value></budget>
  <transaction><transaction-type code="3"/><transaction-date iso-date="2024-02-01"/><value value-date="2024-02-01">1000</value></transaction>
 </iati-activity>
</iati-activities>"#;

const BOUNDARY: &str = "aidtrace-left-out-boundary";

fn multipart(csrf: &str) -> Vec<u8> {
    let mut body = String::new();
    for (field, value) in [("csrf", csrf), ("action", "import")] {
        body.push_str(&format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"flawed.xml\"\r\nContent-Type: application/xml\r\n\r\n{FLAWED}\r\n--{BOUNDARY}--\r\n"
    ));
    body.into_bytes()
}

#[tokio::test]
async fn an_element_left_out_is_named_on_import_and_on_the_activity_page() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (ada, csrf) = login(&c, "ada").await;
    let body = multipart(&csrf);
    let r = c
        .send(
            Req::new(Method::POST, "/import")
                .cookie(&ada)
                .header(
                    "content-type",
                    &format!("multipart/form-data; boundary={BOUNDARY}"),
                )
                .raw(&body),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("accepted: 1,"), "{}", r.body);
    assert!(r.body.contains("class=\"import-left-out\""), "{}", r.body);
    assert!(
        r.body.contains("line 8") && r.body.contains("budget 1 left out"),
        "{}",
        r.body
    );
    let page = c
        .send(Req::get("/activities/iati-XM-DAC-701-8-FLAWED").cookie(&ada))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("IATI-LEFT-OUT"), "{}", page.body);
    assert!(page.body.contains("flawed.xml, line 8"), "{}", page.body);
}
