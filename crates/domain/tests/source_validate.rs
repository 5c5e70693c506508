//! A source's address becomes a link on the pages: only web addresses are accepted.

use aidtrace_domain::model::{Record, Source, SourceKind};
use aidtrace_domain::validate::validate;

fn source(url: &str) -> Record {
    Record::Source(Source {
        id: "src-x".parse().expect("id"),
        title: "A press release".into(),
        kind: SourceKind::PressRelease,
        url: Some(url.into()),
        publisher: None,
        published: None,
        language: None,
    })
}

#[test]
fn web_addresses_are_accepted() {
    for url in [
        "https://www.mofa.go.jp/press/release/1.html",
        "http://example.org/a?b=c:d",
        "toutiao.com/article/1852916913455116/",
    ] {
        assert!(validate(&source(url)).is_ok(), "{url}");
    }
}

#[test]
fn other_schemes_are_refused_naming_the_field() {
    for url in [
        "javascript:alert(1)",
        "data:text/html,<b>x</b>",
        "file:///etc/passwd",
    ] {
        let err = validate(&source(url)).expect_err(url);
        assert_eq!(err.field, "url", "{url}");
        assert!(err.to_string().contains(url), "{err}");
    }
}
