//! An organisation may let its editors' changes skip the approval step; by default they wait for
//! an approver.

mod common;

use aidtrace_domain::{Record, RecordId, RecordKind};
use axum::http::StatusCode;
use common::form_fields::{post_new, small_activity};
use common::{Client, env, login};

async fn submit(c: &Client, cookie: &str, csrf: &str, id: &str) -> common::Resp {
    let fields = small_activity(id, "Oxygen concentrators for Semey");
    post_new(c, cookie, csrf, "/forms/activities", &fields, "submit").await
}

fn exists(e: &common::Env, id: &str) -> bool {
    let id = RecordId::parse(id).expect("id");
    e.with_service(|s| {
        s.store()
            .get(RecordKind::Activity, &id)
            .expect("get")
            .is_some()
    })
}

#[tokio::test]
async fn editors_of_an_organisation_that_skips_approval_write_directly() {
    let e = env();
    let c = Client::InProcess(e.state.clone());
    let (eve, csrf) = login(&c, "eve").await;

    // Default: the edit waits for an approver.
    let r = submit(&c, &eve, &csrf, "act-wait-for-approval").await;
    assert!(
        r.status.is_success() || r.status.is_redirection(),
        "{}: {}",
        r.status,
        r.body
    );
    assert!(
        !exists(&e, "act-wait-for-approval"),
        "the default requires approval"
    );

    // The embassy (eve's organisation) opts out of the approval step.
    e.with_service(|service| {
        let Some(Record::Organisation(mut org)) = service
            .store()
            .get(
                RecordKind::Organisation,
                &RecordId::parse("org-embassy-japan-kz").expect("id"),
            )
            .expect("get")
        else {
            panic!("the demo has the embassy");
        };
        org.skip_approval = true;
        service
            .put("ada", vec![Record::Organisation(org)])
            .expect("set switch");
    });
    e.state.invalidate();
    let r = submit(&c, &eve, &csrf, "act-direct").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(
        exists(&e, "act-direct"),
        "with the switch on the edit is applied at once"
    );
}
