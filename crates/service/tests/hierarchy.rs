//! A batch may list children before their parents: the write orders them so every foreign key
//! holds, and a batch that closes a loop of parent links is refused.

mod kit;

use aidtrace_service::Aidtrace;

fn org(id: &str, parent: Option<&str>) -> String {
    let parent = parent.map_or(String::new(), |p| format!(r#", "parent": "{p}""#));
    format!(
        r#"{{"record": "organisation", "id": "{id}", "name": "{id}", "kind": "other"{parent}}}"#
    )
}

fn open() -> (kit::Guard, Aidtrace) {
    let (dir, app) = kit::open();
    (dir, app)
}

#[test]
fn children_listed_before_their_parents_are_written() {
    let (_dir, mut app) = open();
    let batch = format!(
        "[{}, {}, {}, {}]",
        org("org-grandchild", Some("org-child")),
        org("org-child", Some("org-root")),
        org("org-other", None),
        org("org-root", None)
    );
    let report = app.load_json("test", &batch).expect("ordered by the write");
    assert_eq!(report.created, 4);
    let ledger = app.ledger().expect("ledger");
    assert_eq!(ledger.organisations.len(), 4);
    assert!(app.verify_audit().expect("verify").ok());
}

#[test]
fn a_loop_of_parent_links_is_refused_and_nothing_is_written() {
    let (_dir, mut app) = open();
    let batch = format!(
        "[{}, {}]",
        org("org-a", Some("org-b")),
        org("org-b", Some("org-a"))
    );
    let err = app.load_json("test", &batch).expect_err("cycle");
    assert!(err.to_string().contains("cycle"), "{err}");
    assert!(app.ledger().expect("ledger").organisations.is_empty());
}
