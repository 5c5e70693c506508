//! Text fields refuse control characters and dates refuse implausible years, whatever the record
//! kind, with the field named.

use aidtrace_domain::Record;
use aidtrace_domain::validate::validate;

fn record(json: &str) -> Record {
    serde_json::from_str(json).expect("fixture record")
}

const FLOW: &str = r#"{"record":"flow","id":"f1","activity":"a1","kind":"commitment","money":{"amount":"5","currency":"USD","value_date":"2024-01-01"}}"#;

#[test]
fn a_nul_in_a_title_is_refused_with_the_field_named() {
    let r = record(r#"{"record":"source","id":"s1","title":"Report\u0000","kind":"other"}"#);
    let err = validate(&r).unwrap_err();
    assert_eq!(err.field, "title");
    assert!(err.message.contains("U+0000"), "{err}");
}

#[test]
fn a_control_character_in_a_nested_text_names_its_path() {
    let r = record(
        r#"{"record":"flow","id":"f1","activity":"a1","kind":"commitment","money":{"amount":"5","currency":"USD"},"sources":[{"source":"s1","quote":"ok"},{"source":"s1","quote":"bell\u0007"}]}"#,
    );
    let err = validate(&r).unwrap_err();
    assert_eq!(err.field, "sources[1].quote");
}

/// A right-to-left override (U+202E) before a title shows another text than the stored one;
/// so do the right-to-left embedding and isolate ("paid 100 of 900" reads "900 of 100 paid").
#[test]
fn a_character_opening_a_direction_is_refused_naming_it() {
    for (bad, code) in [
        ("\\u202e", "U+202E"),
        ("\\u202b", "U+202B"),
        ("\\u2067", "U+2067"),
        ("\\u202a", "U+202A"),
        ("\\u2066", "U+2066"),
        ("\\u2068", "U+2068"),
        ("\\u202d", "U+202D"),
    ] {
        let r = record(&format!(
            r#"{{"record":"source","id":"s1","title":"{bad}paid 100 of 900","kind":"other"}}"#
        ));
        let err = validate(&r).unwrap_err();
        assert_eq!(err.field, "title");
        assert!(
            err.message
                .contains(&format!("bidirectional control {code}")),
            "{err}"
        );
    }
}

/// Real IATI narratives carry the pop-directional mark; the closing and plain marks open no
/// direction of their own.
#[test]
fn marks_that_open_no_direction_are_allowed() {
    for ok in ["\\u202c", "\\u2069", "\\u200f", "\\u200e"] {
        let r = record(&format!(
            r#"{{"record":"source","id":"s1","title":"2,395{ok} households","kind":"other"}}"#
        ));
        assert!(validate(&r).is_ok(), "{ok}");
    }
}

#[test]
fn del_and_c1_controls_are_refused_too() {
    for bad in ["\\u007f", "\\u0085", "\\u001b[31m"] {
        let r = record(&format!(
            r#"{{"record":"source","id":"s1","title":"x{bad}","kind":"other"}}"#
        ));
        assert_eq!(validate(&r).unwrap_err().field, "title", "{bad}");
    }
}

#[test]
fn tabs_and_line_breaks_are_kept() {
    let r = record(
        r#"{"record":"source","id":"s1","title":"a\tb\r\nc \"quoted\" \\ back","kind":"other"}"#,
    );
    assert_eq!(validate(&r), Ok(()));
    assert_eq!(validate(&record(FLOW)), Ok(()));
}

#[test]
fn year_zero_and_year_ten_thousand_are_refused_with_the_field_named() {
    let activity = |start: &str| {
        record(&format!(
            r#"{{"record":"activity","id":"a1","title":"t","instrument":"grant_aid","status":"implementation","start_date":"{start}"}}"#
        ))
    };
    assert_eq!(
        validate(&activity("0000-01-01")).unwrap_err().field,
        "start_date"
    );
    assert_eq!(
        validate(&activity("+10000-01-01")).unwrap_err().field,
        "start_date"
    );
    assert_eq!(validate(&activity("2024-01-01")), Ok(()));
    let flow = record(&FLOW.replace("2024-01-01", "0000-01-01"));
    assert_eq!(validate(&flow).unwrap_err().field, "money.value_date");
}

#[test]
fn a_flow_beyond_the_bound_is_refused_naming_the_amount() {
    let flow = record(&FLOW.replace("\"5\"", "\"1000000000000000001\""));
    assert_eq!(validate(&flow).unwrap_err().field, "money.amount");
    let eq = record(&FLOW.replace(
        "}}",
        r#"},"stated_equivalent":{"amount":"1e19","currency":"USD"}}"#,
    ));
    assert_eq!(validate(&eq).unwrap_err().field, "stated_equivalent.amount");
}
