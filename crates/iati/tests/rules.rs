//! Every rule case of standard.json: one activity (or organisation) that breaks it and one
//! that keeps it. `every_rule_id_has_a_test` fails if a rule id in `RULES` has no case here.

use aidtrace_iati::rules::{RULES, check_unit};
use aidtrace_iati::xml::{Limits, parse_document};
use chrono::NaiveDate;

const GEO: &str = r#"<recipient-country code="UA"/><sector code="12191"/>"#;

/// A rule-clean activity with `extra` appended, or with GEO replaced when `geo` is false.
fn act_with(attrs: &str, body: &str, geo: bool) -> String {
    let attrs = if attrs.is_empty() {
        r#"xml:lang="en" default-currency="EUR""#
    } else {
        attrs
    };
    format!(
        r#"<iati-activity {attrs}><iati-identifier>XM-DAC-7-1</iati-identifier><reporting-org ref="XM-DAC-7"><narrative>R</narrative></reporting-org><title><narrative>T</narrative></title><activity-date type="2" iso-date="2020-01-01"/>{}{body}</iati-activity>"#,
        if geo { GEO } else { "" }
    )
}

fn act(body: &str) -> String {
    act_with("", body, true)
}

fn bare(body: &str) -> String {
    act_with("", body, false)
}

fn org(attrs: &str, body: &str) -> String {
    let attrs = if attrs.is_empty() {
        r#"xml:lang="en" default-currency="EUR""#
    } else {
        attrs
    };
    format!(
        r#"<iati-organisation {attrs}><organisation-identifier>XM-DAC-7</organisation-identifier><name><narrative>N</narrative></name><reporting-org ref="XM-DAC-7"><narrative>R</narrative></reporting-org>{body}</iati-organisation>"#
    )
}

fn ids(xml: &str) -> Vec<&'static str> {
    let el =
        parse_document(xml.as_bytes(), Limits::default()).unwrap_or_else(|e| panic!("{e}: {xml}"));
    let today = NaiveDate::from_ymd_opt(2021, 6, 1).expect("date");
    check_unit(&el, today).into_iter().map(|i| i.id).collect()
}

fn tx(inner: &str) -> String {
    format!(
        r#"<transaction><transaction-type code="3"/><transaction-date iso-date="2020-01-01"/><value value-date="2020-01-01">1</value>{inner}</transaction>"#
    )
}

fn ind(measure: &str, inner: &str) -> String {
    format!(
        r#"<result type="1"><title><narrative>R</narrative></title><indicator measure="{measure}"><title><narrative>I</narrative></title>{inner}</indicator></result>"#
    )
}

fn period(inner: &str) -> String {
    format!(
        r#"<period><period-start iso-date="2020-01-01"/><period-end iso-date="2020-12-31"/>{inner}</period>"#
    )
}

/// (rule id, breaks it, keeps it)
fn cases() -> Vec<(&'static str, String, String)> {
    let id_act = |id: &str, rep: &str| {
        format!(
            r#"<iati-activity xml:lang="en" default-currency="EUR"><iati-identifier>{id}</iati-identifier><reporting-org ref="{rep}"><narrative>R</narrative></reporting-org><title><narrative>T</narrative></title><activity-date type="2" iso-date="2020-01-01"/>{GEO}</iati-activity>"#
        )
    };
    let budget = |s: &str, e: &str| {
        format!(
            r#"<budget><period-start iso-date="{s}"/><period-end iso-date="{e}"/><value value-date="{s}">1</value></budget>"#
        )
    };
    let ob = |name: &str, s: &str, e: &str| {
        format!(
            r#"<{name}><period-start iso-date="{s}"/><period-end iso-date="{e}"/><value value-date="{s}">1</value></{name}>"#
        )
    };
    vec![
        ("1.1.3", id_act("XM-DAC-7", "XM-DAC-7"), act("")),
        (
            "1.1.21",
            id_act("OTHER-1", "XM-DAC-7"),
            act(r#"<other-identifier ref="XM-DAC-7" type="B1"/>"#),
        ),
        ("1.14.8", id_act("ZZ-NOPE-1", "ZZ-NOPE"), act("")),
        (
            "6.11.1",
            act(r#"<activity-date type="3" iso-date="2021-01-01"/>"#)
                .replace(r#"<activity-date type="2" iso-date="2020-01-01"/>"#, ""),
            act(""),
        ),
        ("6.2.2", bare(r#"<recipient-country code="UA"/>"#), act("")),
        (
            "4.1.1",
            act_with(r#"default-currency="EUR""#, "", true),
            act_with(r#"default-currency="EUR""#, "", true)
                .replace("<narrative>", r#"<narrative xml:lang="en">"#),
        ),
        (
            "6.7.2",
            bare(&format!(
                r#"<recipient-country code="UA"/>{}{}"#,
                tx(r#"<sector code="12191"/>"#),
                tx("")
            )),
            bare(&format!(
                r#"<recipient-country code="UA"/>{}"#,
                tx(r#"<sector code="12191"/>"#)
            )),
        ),
        (
            "7.8.1",
            act_with(r#"xml:lang="en""#, &tx(""), true),
            act_with(
                r#"xml:lang="en""#,
                &tx("").replace("<value ", r#"<value currency="EUR" "#),
                true,
            ),
        ),
        (
            "11.1.1",
            act_with(
                r#"xml:lang="en" default-currency="EUR" last-updated-datetime="2030-01-01T00:00:00""#,
                "",
                true,
            ),
            act_with(
                r#"xml:lang="en" default-currency="EUR" last-updated-datetime="2021-01-01T00:00:00""#,
                "",
                true,
            ),
        ),
        (
            "11.1.2",
            act(
                r#"<activity-date type="1" iso-date="2020-05-01"/><activity-date type="3" iso-date="2020-04-01"/>"#,
            ),
            act(
                r#"<activity-date type="1" iso-date="2020-03-01"/><activity-date type="3" iso-date="2020-04-01"/>"#,
            ),
        ),
        (
            "11.1.3",
            act(r#"<activity-date type="4" iso-date="2019-04-01"/>"#),
            act(r#"<activity-date type="4" iso-date="2020-04-01"/>"#),
        ),
        (
            "11.1.4",
            act("").replace(
                r#"type="2" iso-date="2020-01-01""#,
                r#"type="2" iso-date="2022-01-01""#,
            ),
            act(""),
        ),
        (
            "11.1.5",
            act(r#"<activity-date type="4" iso-date="2022-04-01"/>"#),
            act(r#"<activity-date type="4" iso-date="2021-04-01"/>"#),
        ),
        (
            "11.2.1",
            act(&tx("").replace(
                r#"<transaction-date iso-date="2020-01-01"/>"#,
                r#"<transaction-date iso-date="2025-01-01"/>"#,
            )),
            act(&tx("")),
        ),
        (
            "11.2.2",
            act(&tx("").replace(r#"value-date="2020-01-01""#, r#"value-date="2025-01-01""#)),
            act(&tx("")),
        ),
        ("1.3.13", id_act("XM-DAC-7-a/b", "XM-DAC-7"), act("")),
        ("1.14.13", id_act("XM-DAC-7?-1", "XM-DAC-7?"), act("")),
        ("1.3.1", id_act(" XM-DAC-7-1", "XM-DAC-7"), act("")),
        ("1.14.1", id_act("XM-DAC-7-1", "XM-DAC-7 "), act("")),
        (
            "1.16.1",
            act(r#"<other-identifier ref=" XM-DAC-8" type="B1"/>"#),
            act(r#"<other-identifier ref="XM-DAC-8" type="B1"/>"#),
        ),
        (
            "1.6.1",
            act(r#"<other-identifier ref="X-1 " type="A3"/>"#),
            act(r#"<other-identifier ref="X-1" type="A3"/>"#),
        ),
        (
            "1.7.1",
            act(r#"<related-activity ref=" X-2" type="1"/>"#),
            act(r#"<related-activity ref="X-2" type="1"/>"#),
        ),
        (
            "2.1.2",
            act(
                r#"<sector vocabulary="2" code="121" percentage="30"/><sector vocabulary="2" code="122" percentage="30"/>"#,
            ),
            act(
                r#"<sector vocabulary="2" code="121" percentage="30"/><sector vocabulary="2" code="122" percentage="70"/>"#,
            ),
        ),
        (
            "3.4.1",
            bare(
                r#"<sector code="12191"/><recipient-region code="298" vocabulary="1" percentage="50"/><recipient-region code="289" vocabulary="1"/>"#,
            ),
            bare(
                r#"<sector code="12191"/><recipient-region code="298" vocabulary="1" percentage="50"/><recipient-region code="289" vocabulary="1" percentage="50"/>"#,
            ),
        ),
        (
            "3.4.4",
            bare(
                r#"<sector code="12191"/><recipient-region code="298" vocabulary="1" percentage="50"/>"#,
            ),
            bare(
                r#"<sector code="12191"/><recipient-region code="298" vocabulary="1" percentage="100"/>"#,
            ),
        ),
        (
            "3.4.2",
            bare(
                r#"<sector code="12191"/><recipient-country code="UA" percentage="50"/><recipient-region code="298" vocabulary="1" percentage="40"/>"#,
            ),
            bare(
                r#"<sector code="12191"/><recipient-country code="UA" percentage="50"/><recipient-region code="298" vocabulary="1" percentage="50"/>"#,
            ),
        ),
        (
            "7.9.2",
            act(
                r#"<country-budget-items vocabulary="1"><budget-item code="1.1.1" percentage="20"/><budget-item code="1.1.2" percentage="20"/></country-budget-items>"#,
            ),
            act(
                r#"<country-budget-items vocabulary="1"><budget-item code="1.1.1" percentage="20"/><budget-item code="1.1.2" percentage="80"/></country-budget-items>"#,
            ),
        ),
        (
            "7.9.1",
            act(
                r#"<country-budget-items vocabulary="1"><budget-item code="1.1.1"/><budget-item code="1.1.2"/></country-budget-items>"#,
            ),
            act(
                r#"<country-budget-items vocabulary="1"><budget-item code="1.1.1" percentage="20"/><budget-item code="1.1.2" percentage="80"/></country-budget-items>"#,
            ),
        ),
        (
            "7.9.4",
            act(
                r#"<country-budget-items vocabulary="1"><budget-item code="1.1.1" percentage="20"/></country-budget-items>"#,
            ),
            act(
                r#"<country-budget-items vocabulary="1"><budget-item code="1.1.1"/></country-budget-items>"#,
            ),
        ),
        (
            "107.1.2",
            act(r#"<default-aid-type code="A01"/><default-aid-type code="A02"/>"#),
            act(r#"<default-aid-type code="A01"/><default-aid-type code="1" vocabulary="2"/>"#),
        ),
        (
            "2.1.1",
            act(
                r#"<sector vocabulary="2" code="121" percentage="100"/><sector vocabulary="2" code="122"/>"#,
            ),
            act(
                r#"<sector vocabulary="2" code="121" percentage="50"/><sector vocabulary="2" code="122" percentage="50"/>"#,
            ),
        ),
        (
            "2.1.4",
            bare(r#"<recipient-country code="UA"/><sector code="12191" percentage="50"/>"#),
            act(""),
        ),
        (
            "3.1.2",
            bare(
                r#"<sector code="12191"/><recipient-country code="UA" percentage="50"/><recipient-country code="KZ" percentage="40"/>"#,
            ),
            bare(
                r#"<sector code="12191"/><recipient-country code="UA" percentage="60"/><recipient-country code="KZ" percentage="40"/>"#,
            ),
        ),
        (
            "12.1.1",
            bare(
                r#"<sector code="12191"/><recipient-country code="UA" percentage="150"/><recipient-country code="KZ" percentage="-50"/>"#,
            ),
            act(""),
        ),
        (
            "12.3.1",
            bare(
                r#"<recipient-country code="UA"/><sector code="12191" percentage="120"/><sector code="12220" percentage="-20"/>"#,
            ),
            act(""),
        ),
        (
            "12.2.1",
            act(r#"<capital-spend percentage="101"/>"#),
            act(r#"<capital-spend percentage="100"/>"#),
        ),
        (
            "2.2.1",
            act(r#"<sector vocabulary="99" code="A"/>"#),
            act(r#"<sector vocabulary="99" code="A"><narrative>Own</narrative></sector>"#),
        ),
        (
            "102.1.1",
            bare(r#"<recipient-country code="UA"/><sector vocabulary="2" code="121"/>"#),
            act(r#"<sector vocabulary="2" code="121"/>"#),
        ),
        (
            "107.1.1",
            act(r#"<default-aid-type code="1" vocabulary="2"/>"#),
            act(r#"<default-aid-type code="1" vocabulary="2"/><default-aid-type code="C01"/>"#),
        ),
        (
            "107.2.1",
            act(&tx(r#"<aid-type code="1" vocabulary="2"/>"#)),
            act(&tx(
                r#"<aid-type code="1" vocabulary="2"/><aid-type code="C01"/>"#,
            )),
        ),
        ("6.6.2", act(&tx(r#"<sector code="12191"/>"#)), act(&tx(""))),
        (
            "3.6.2",
            act(&tx(r#"<recipient-country code="UA"/>"#)),
            act(&tx("")),
        ),
        (
            "3.7.1",
            bare(&format!(r#"<sector code="12191"/>{}"#, tx(""))),
            bare(&format!(
                r#"<sector code="12191"/>{}"#,
                tx(r#"<recipient-country code="UA"/>"#)
            )),
        ),
        (
            "3.7.2",
            bare(&format!(
                r#"<sector code="12191"/>{}{}"#,
                tx(r#"<recipient-country code="UA"/>"#),
                tx("")
            )),
            bare(&format!(
                r#"<sector code="12191"/>{}"#,
                tx(r#"<recipient-country code="UA"/>"#)
            )),
        ),
        (
            "3.1.1",
            bare(
                r#"<sector code="12191"/><recipient-country code="UA" percentage="100"/><recipient-country code="KZ"/>"#,
            ),
            bare(
                r#"<sector code="12191"/><recipient-country code="UA" percentage="60"/><recipient-country code="KZ" percentage="40"/>"#,
            ),
        ),
        (
            "3.1.4",
            bare(r#"<sector code="12191"/><recipient-country code="UA" percentage="60"/>"#),
            bare(r#"<sector code="12191"/><recipient-country code="UA" percentage="100"/>"#),
        ),
        (
            "107.2.2",
            act(&tx(r#"<aid-type code="A01"/><aid-type code="A02"/>"#)),
            act(&tx(r#"<aid-type code="A01"/>"#)),
        ),
        (
            "6.8.1",
            act(r#"<other-identifier ref="X" type="A1"><owner-org/></other-identifier>"#),
            act(
                r#"<other-identifier ref="X" type="A1"><owner-org ref="XM-DAC-7"/></other-identifier>"#,
            ),
        ),
        (
            "1.11.1",
            act(
                r#"<other-identifier ref="X" type="A1"><owner-org ref="XM-DAC-7 "/></other-identifier>"#,
            ),
            act(
                r#"<other-identifier ref="X" type="A1"><owner-org ref="XM-DAC-7"/></other-identifier>"#,
            ),
        ),
        (
            "1.11.13",
            act(
                r#"<other-identifier ref="X" type="A1"><owner-org ref="XM|DAC"/></other-identifier>"#,
            ),
            act(
                r#"<other-identifier ref="X" type="A1"><owner-org ref="XM-DAC-7"/></other-identifier>"#,
            ),
        ),
        (
            "6.9.1",
            act(&tx("<provider-org/>")),
            act(&tx(r#"<provider-org ref="XM-DAC-7"/>"#)),
        ),
        (
            "1.10.13",
            act(&tx(r#"<provider-org ref="a&amp;b"/>"#)),
            act(&tx(r#"<provider-org ref="XM-DAC-7"/>"#)),
        ),
        (
            "1.10.1",
            act(&tx(r#"<provider-org ref=" XM-DAC-7"/>"#)),
            act(&tx(r#"<provider-org ref="XM-DAC-7"/>"#)),
        ),
        (
            "1.4.1",
            act(&tx(
                r#"<provider-org ref="XM-DAC-7" provider-activity-id="X-1 "/>"#,
            )),
            act(&tx(
                r#"<provider-org ref="XM-DAC-7" provider-activity-id="X-1"/>"#,
            )),
        ),
        (
            "6.9.2",
            act(&tx("<receiver-org/>")),
            act(&tx(
                "<receiver-org><narrative>Hospital</narrative></receiver-org>",
            )),
        ),
        (
            "1.15.1",
            act(&tx(r#"<receiver-org ref="XM-DAC-7 "/>"#)),
            act(&tx(r#"<receiver-org ref="XM-DAC-7"/>"#)),
        ),
        (
            "1.5.1",
            act(&tx(
                r#"<receiver-org ref="XM-DAC-7" receiver-activity-id=" X-1"/>"#,
            )),
            act(&tx(
                r#"<receiver-org ref="XM-DAC-7" receiver-activity-id="X-1"/>"#,
            )),
        ),
        (
            "1.15.13",
            act(&tx(r#"<receiver-org ref="a/b"/>"#)),
            act(&tx(r#"<receiver-org ref="XM-DAC-7"/>"#)),
        ),
        (
            "6.14.1",
            act(r#"<policy-marker code="1" vocabulary="1"/>"#),
            act(r#"<policy-marker code="1" vocabulary="1" significance="1"/>"#),
        ),
        (
            "6.13.1",
            act(r#"<policy-marker code="1" vocabulary="99"/>"#),
            act(
                r#"<policy-marker code="1" vocabulary="99"><narrative>Own</narrative></policy-marker>"#,
            ),
        ),
        (
            "1.18.8",
            org("", "").replace(
                r#"reporting-org ref="XM-DAC-7""#,
                r#"reporting-org ref="QQ-1""#,
            ),
            org("", ""),
        ),
        (
            "1.12.13",
            org("", "").replace(
                "<organisation-identifier>XM-DAC-7<",
                "<organisation-identifier>XM/DAC<",
            ),
            org("", ""),
        ),
        (
            "1.18.13",
            org("", "").replace(
                r#"reporting-org ref="XM-DAC-7""#,
                r#"reporting-org ref="XM-DAC-7?""#,
            ),
            org("", ""),
        ),
        (
            "1.12.1",
            org("", "").replace(
                "<organisation-identifier>XM-DAC-7<",
                "<organisation-identifier> XM-DAC-7<",
            ),
            org("", ""),
        ),
        (
            "1.17.1",
            org(
                "",
                r#"<recipient-org-budget><recipient-org ref="XM-DAC-8 "/></recipient-org-budget>"#,
            ),
            org(
                "",
                r#"<recipient-org-budget><recipient-org ref="XM-DAC-8"/></recipient-org-budget>"#,
            ),
        ),
        (
            "1.18.1",
            org("", "").replace(
                r#"reporting-org ref="XM-DAC-7""#,
                r#"reporting-org ref=" XM-DAC-7""#,
            ),
            org("", ""),
        ),
        (
            "11.4.1",
            org(
                r#"xml:lang="en" default-currency="EUR" last-updated-datetime="2031-01-01T00:00:00""#,
                "",
            ),
            org(
                r#"xml:lang="en" default-currency="EUR" last-updated-datetime="2021-01-01T00:00:00""#,
                "",
            ),
        ),
        (
            "4.5.1",
            org(r#"default-currency="EUR""#, ""),
            org(r#"default-currency="EUR""#, "")
                .replace("<narrative>", r#"<narrative xml:lang="fr">"#),
        ),
        (
            "7.8.2",
            org(
                r#"xml:lang="en""#,
                &ob("total-budget", "2020-01-01", "2020-12-31"),
            ),
            org("", &ob("total-budget", "2020-01-01", "2020-12-31")),
        ),
        (
            "6.10.1",
            act(r#"<participating-org role="1"/>"#),
            act(r#"<participating-org role="1" ref="XM-DAC-7"/>"#),
        ),
        (
            "1.8.13",
            act(r#"<participating-org role="1" ref="XM?DAC"/>"#),
            act(r#"<participating-org role="1" ref="XM-DAC-7"/>"#),
        ),
        (
            "1.8.1",
            act(r#"<participating-org role="1" ref="XM-DAC-7 "/>"#),
            act(r#"<participating-org role="1" ref="XM-DAC-7"/>"#),
        ),
        (
            "1.9.1",
            act(r#"<participating-org role="1" ref="XM-DAC-7" activity-id=" A"/>"#),
            act(r#"<participating-org role="1" ref="XM-DAC-7" activity-id="A"/>"#),
        ),
        (
            "8.6.3",
            act(&budget("2020-06-01", "2020-01-01")),
            act(&budget("2020-01-01", "2020-06-01")),
        ),
        (
            "7.5.3",
            act(&budget("2020-01-01", "2021-06-01")),
            act(&budget("2020-01-01", "2020-12-31")),
        ),
        (
            "8.6.3",
            act(
                r#"<planned-disbursement><period-start iso-date="2020-06-01"/><period-end iso-date="2020-01-01"/></planned-disbursement>"#,
            ),
            act(
                r#"<planned-disbursement><period-start iso-date="2020-01-01"/><period-end iso-date="2020-06-01"/></planned-disbursement>"#,
            ),
        ),
        (
            "8.6.3",
            org("", &ob("total-budget", "2020-06-01", "2020-01-01")),
            org("", &ob("total-budget", "2020-01-01", "2020-06-01")),
        ),
        (
            "7.5.3",
            org("", &ob("total-expenditure", "2019-01-01", "2020-06-01")),
            org("", &ob("total-expenditure", "2020-01-01", "2020-06-01")),
        ),
        (
            "8.6.3",
            org(
                "",
                &ob("recipient-region-budget", "2020-06-01", "2020-01-01"),
            ),
            org(
                "",
                &ob("recipient-region-budget", "2020-01-01", "2020-06-01"),
            ),
        ),
        (
            "7.5.3",
            org("", &ob("recipient-org-budget", "2019-01-01", "2020-06-01")),
            org("", &ob("recipient-org-budget", "2020-01-01", "2020-06-01")),
        ),
        (
            "11.3.1",
            org(
                "",
                r#"<recipient-country-budget><period-start iso-date="2020-01-01"/><period-end iso-date="2020-12-31"/><budget-line><value value-date="2021-03-01">1</value></budget-line></recipient-country-budget>"#,
            ),
            org(
                "",
                r#"<recipient-country-budget><period-start iso-date="2020-01-01"/><period-end iso-date="2020-12-31"/><budget-line><value value-date="2020-03-01">1</value></budget-line></recipient-country-budget>"#,
            ),
        ),
        (
            "8.11.1",
            act(
                &ind("1", r#"<reference vocabulary="1" code="x"/>"#).replace(
                    "<indicator",
                    r#"<reference vocabulary="1" code="r"/><indicator"#,
                ),
            ),
            act(&ind("1", r#"<reference vocabulary="1" code="x"/>"#)),
        ),
        (
            "8.6.1",
            act(&ind(
                "1",
                r#"<period><period-start iso-date="2020-06-01"/><period-end iso-date="2020-01-01"/></period>"#,
            )),
            act(&ind("1", &period(""))),
        ),
        (
            "8.8.1",
            act(&ind("1", r#"<baseline year="2020"/>"#)),
            act(&ind("1", r#"<baseline year="2020" value="4"/>"#)),
        ),
        (
            "8.8.2",
            act(&ind("1", r#"<baseline year="2020" value="four"/>"#)),
            act(&ind("1", r#"<baseline year="2020" value="4.5"/>"#)),
        ),
        (
            "8.8.3",
            act(&ind("5", r#"<baseline year="2020" value="4"/>"#)),
            act(&ind("5", r#"<baseline year="2020"/>"#)),
        ),
        (
            "8.9.1",
            act(&ind("1", &period("<target/>"))),
            act(&ind("1", &period(r#"<target value="15"/>"#))),
        ),
        (
            "8.9.2",
            act(&ind("1", &period(r#"<target value="15 beds"/>"#))),
            act(&ind("1", &period(r#"<target value="15"/>"#))),
        ),
        (
            "8.9.3",
            act(&ind("5", &period(r#"<target value="15"/>"#))),
            act(&ind("5", &period("<target/>"))),
        ),
        (
            "8.10.1",
            act(&ind("2", &period("<actual/>"))),
            act(&ind("2", &period(r#"<actual value="4"/>"#))),
        ),
        (
            "8.10.2",
            act(&ind("2", &period(r#"<actual value="1,000"/>"#))),
            act(&ind("2", &period(r#"<actual value="1000"/>"#))),
        ),
        (
            "8.10.3",
            act(&ind("5", &period(r#"<actual value="1"/>"#))),
            act(&ind("5", &period("<actual/>"))),
        ),
        (
            "4.3.1",
            act("").replace(
                "<title><narrative>T</narrative></title>",
                "<title><narrative> </narrative></title>",
            ),
            act(""),
        ),
        (
            "4.4.1",
            act("<description><narrative/></description>"),
            act("<description><narrative>D</narrative></description>"),
        ),
    ]
}

#[test]
fn base_documents_are_rule_clean() {
    assert_eq!(ids(&act("")), Vec::<&str>::new());
    assert_eq!(ids(&org("", "")), Vec::<&str>::new());
}

#[test]
fn each_rule_case_fires_on_bad_and_not_on_good() {
    let mut failures = Vec::new();
    for (id, bad, good) in cases() {
        let b = ids(&bad);
        if !b.contains(&id) {
            failures.push(format!(
                "{id}: did not fire on bad input (got {b:?}): {bad}"
            ));
        }
        let g = ids(&good);
        if g.contains(&id) {
            failures.push(format!("{id}: fired on good input: {good}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_rule_id_has_a_test() {
    let tested: Vec<&str> = cases().iter().map(|c| c.0).collect();
    let missing: Vec<&str> = RULES
        .iter()
        .map(|r| r.id)
        .filter(|id| !tested.contains(id))
        .collect();
    assert!(
        missing.is_empty(),
        "rule ids without a test case: {missing:?}"
    );
    assert_eq!(RULES.len(), 107, "standard.json has 107 rule cases");
}
