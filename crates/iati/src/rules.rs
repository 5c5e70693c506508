//! Layer 3: the rule cases of IATI-Rulesets `standard.json` (version-2.03), implemented in Rust.
//!
//! Each case keeps the ruleset's id and severity; [`RULES`] lists them in the ruleset's
//! order with the rule type they implement. Semantics follow the ruleset SPEC: date rules are
//! skipped when a date is missing or unparseable, `idCondition` cases are always applied
//! (we have no registry of existing organisation identifiers), and `ORG-ID-PREFIX` is the
//! OrganisationRegistrationAgency codelist.

use std::collections::BTreeSet;
use std::str::FromStr;

use chrono::{Months, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::model::parse_date;
use crate::xml::Element;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleIssue {
    pub id: &'static str,
    pub error: bool,
    pub message: String,
    pub line: u64,
    pub column: u64,
}

/// Documentation of one implemented rule case.
#[derive(Debug, Clone, Copy)]
pub struct RuleInfo {
    pub id: &'static str,
    pub rule_type: &'static str,
    pub context: &'static str,
    pub error: bool,
    pub summary: &'static str,
}

macro_rules! rules {
    ($( $id:literal, $ty:literal, $ctx:literal, $sev:ident, $sum:literal; )*) => {
        /// The rule cases of `standard.json`, in ruleset order (some ids cover several cases).
        pub const RULES: &[RuleInfo] = &[ $( RuleInfo { id: $id, rule_type: $ty, context: $ctx, error: rules!(@sev $sev), summary: $sum } ),* ];
    };
    (@sev E) => { true };
    (@sev W) => { false };
}

rules! {
    "1.1.3", "unique", "activity", E, "iati-identifier differs from reporting-org/@ref";
    "1.1.21", "startswith", "activity", W, "iati-identifier starts with reporting-org/@ref or a B1 previous identifier, then '-'";
    "1.14.8", "startswith", "activity", W, "reporting-org/@ref starts with a registration agency prefix";
    "6.11.1", "atleast_one", "activity", E, "a planned (1) or actual (2) start date exists";
    "6.2.2", "atleast_one", "activity", E, "a sector exists at activity or transaction level";
    "4.1.1", "one_or_all", "activity", E, "@xml:lang on the activity or on every narrative";
    "6.7.2", "one_or_all", "activity", E, "activity sector, or a sector on every transaction";
    "7.8.1", "one_or_all", "activity", E, "@default-currency or @currency on every value";
    "11.1.1", "date_now", "activity", E, "@last-updated-datetime not in the future";
    "11.1.2", "date_order", "activity", E, "planned start <= planned end";
    "11.1.3", "date_order", "activity", E, "actual start <= actual end";
    "11.1.4", "date_order", "activity", E, "actual start not in the future";
    "11.1.5", "date_order", "activity", E, "actual end not in the future";
    "11.2.1", "date_order", "activity", E, "transaction-date not in the future";
    "11.2.2", "date_order", "activity", E, "transaction value-date not in the future";
    "1.3.13", "regex_matches", "activity", W, "iati-identifier has none of / & | ?";
    "1.14.13", "regex_matches", "activity", W, "reporting-org/@ref has none of / & | ?";
    "1.3.1", "no_spaces", "activity", W, "iati-identifier without leading/trailing whitespace";
    "1.14.1", "no_spaces", "activity", W, "reporting-org/@ref without leading/trailing whitespace";
    "1.16.1", "no_spaces", "activity", W, "other-identifier[@type=B1]/@ref without leading/trailing whitespace";
    "1.6.1", "no_spaces", "activity", W, "other-identifier[@type=A3]/@ref without leading/trailing whitespace";
    "1.7.1", "no_spaces", "activity", W, "related-activity/@ref without leading/trailing whitespace";
    "2.1.2", "loop/strict_sum", "activity", E, "per non-DAC sector vocabulary with >1 sector: percentages sum to 100";
    "3.4.1", "loop/if_then", "activity", E, "per region vocabulary with >1 region: every region has a percentage";
    "3.4.4", "loop/if_then", "activity", E, "single region, no country: percentage absent or 100";
    "3.4.2", "loop/strict_sum", "activity", E, "per region vocabulary: region + country percentages sum to 100";
    "7.9.2", "loop/strict_sum", "activity", W, "per budget-identifier vocabulary with >1 item: percentages sum to 100";
    "7.9.1", "loop/atleast_one", "activity", W, "per budget-identifier vocabulary with >1 item: a percentage exists";
    "7.9.4", "loop/if_then", "activity", W, "single budget-item: percentage absent or 100";
    "107.1.2", "loop/no_more_than_one", "activity", W, "at most one default-aid-type per non-DAC vocabulary";
    "2.1.1", "loop/if_then", "activity", E, "per non-DAC sector vocabulary with >1 sector: every sector has a percentage";
    "2.1.4", "loop/if_then", "activity", E, "single sector of a non-DAC vocabulary: percentage absent or 100";
    "107.1.2", "no_more_than_one", "activity", W, "at most one DAC (vocabulary 1) default-aid-type";
    "2.1.2", "strict_sum", "activity", E, "DAC sector percentages sum to 100 when more than one is given";
    "3.1.2", "strict_sum", "activity", E, "several countries and no region: country percentages sum to 100";
    "12.1.1", "range", "activity", E, "recipient-country percentage within 0..100";
    "12.1.1", "range", "activity", E, "recipient-region percentage within 0..100";
    "12.3.1", "range", "activity", E, "sector percentage within 0..100";
    "12.2.1", "range", "activity", E, "capital-spend percentage within 0..100";
    "12.2.1", "range", "activity", E, "budget-item percentage within 0..100";
    "2.2.1", "if_then", "activity", E, "sectors of vocabulary 98/99 have a narrative";
    "102.1.1", "if_then", "activity", W, "non-DAC sectors are accompanied by a DAC sector";
    "2.1.1", "if_then", "activity", E, "several DAC sectors: every one has a percentage";
    "2.1.4", "if_then", "activity", E, "single DAC sector: percentage absent or 100";
    "107.1.1", "if_then", "activity", W, "non-DAC default-aid-type accompanied by a DAC one";
    "107.2.1", "if_then", "activity", W, "non-DAC transaction aid-type accompanied by a DAC one";
    "6.6.2", "if_then", "activity", E, "sector at activity level excludes sectors on transactions";
    "3.6.2", "if_then", "activity", E, "country/region at activity level excludes them on transactions";
    "3.7.1", "if_then", "activity", E, "no activity country/region: some transaction has one";
    "3.7.2", "if_then", "activity", E, "no activity country/region: every transaction has one";
    "3.1.1", "if_then", "activity", E, "several countries and no region: every country has a percentage";
    "3.1.4", "if_then", "activity", E, "single country, no region: percentage absent or 100";
    "107.2.2", "no_more_than_one", "transaction", W, "at most one DAC aid-type per transaction";
    "107.2.2", "loop/no_more_than_one", "transaction", W, "at most one aid-type per non-DAC vocabulary per transaction";
    "6.8.1", "atleast_one", "other-identifier/owner-org", E, "owner-org has @ref or a narrative";
    "1.11.1", "no_spaces", "other-identifier/owner-org", W, "owner-org/@ref without leading/trailing whitespace";
    "1.11.13", "regex_matches", "other-identifier/owner-org", W, "owner-org/@ref has none of / & | ?";
    "6.9.1", "atleast_one", "provider-org", E, "provider-org has @ref or a narrative";
    "1.10.13", "regex_matches", "provider-org", W, "provider-org/@ref has none of / & | ?";
    "1.10.1", "no_spaces", "provider-org", W, "provider-org/@ref without leading/trailing whitespace";
    "1.4.1", "no_spaces", "provider-org", W, "@provider-activity-id without leading/trailing whitespace";
    "6.9.2", "atleast_one", "receiver-org", E, "receiver-org has @ref or a narrative";
    "1.15.1", "no_spaces", "receiver-org", W, "receiver-org/@ref without leading/trailing whitespace";
    "1.5.1", "no_spaces", "receiver-org", W, "@receiver-activity-id without leading/trailing whitespace";
    "1.15.13", "regex_matches", "receiver-org", W, "receiver-org/@ref has none of / & | ?";
    "6.14.1", "atleast_one", "policy-marker", E, "DAC policy marker has @significance";
    "6.13.1", "atleast_one", "policy-marker", E, "reporting-organisation policy marker (99) has a narrative";
    "1.18.8", "startswith", "organisation", W, "reporting-org/@ref starts with a registration agency prefix";
    "1.12.13", "regex_matches", "organisation", W, "organisation-identifier has none of / & | ?";
    "1.18.13", "regex_matches", "organisation", W, "reporting-org/@ref has none of / & | ?";
    "1.12.1", "no_spaces", "organisation", W, "organisation-identifier without leading/trailing whitespace";
    "1.17.1", "no_spaces", "organisation", W, "recipient-org-budget/recipient-org/@ref without leading/trailing whitespace";
    "1.18.1", "no_spaces", "organisation", W, "reporting-org/@ref without leading/trailing whitespace";
    "11.4.1", "date_now", "organisation", E, "@last-updated-datetime not in the future";
    "4.5.1", "one_or_all", "organisation", E, "@xml:lang on the organisation or on every narrative";
    "7.8.2", "one_or_all", "organisation", E, "@default-currency or @currency on every value";
    "6.10.1", "atleast_one", "participating-org", E, "participating-org has @ref or a narrative";
    "1.8.13", "regex_matches", "participating-org", W, "participating-org/@ref has none of / & | ?";
    "1.8.1", "no_spaces", "participating-org", W, "participating-org/@ref without leading/trailing whitespace";
    "1.9.1", "no_spaces", "participating-org", W, "participating-org/@activity-id without leading/trailing whitespace";
    "8.6.3", "date_order", "planned-disbursement", E, "period-start <= period-end";
    "8.6.3", "date_order", "budget", E, "period-start <= period-end";
    "7.5.3", "time_limit", "budget", E, "budget period at most one year";
    "8.6.3", "date_order", "organisation/total-budget", E, "period-start <= period-end";
    "7.5.3", "time_limit", "organisation/total-budget", E, "period at most one year";
    "8.6.3", "date_order", "organisation/recipient-country-budget", E, "period-start <= period-end";
    "11.3.1", "between_dates", "organisation/recipient-country-budget", E, "budget-line value-date within the period";
    "7.5.3", "time_limit", "organisation/recipient-country-budget", E, "period at most one year";
    "8.6.3", "date_order", "organisation/recipient-org-budget", E, "period-start <= period-end";
    "7.5.3", "time_limit", "organisation/recipient-org-budget", E, "period at most one year";
    "8.6.3", "date_order", "organisation/recipient-region-budget", E, "period-start <= period-end";
    "7.5.3", "time_limit", "organisation/recipient-region-budget", E, "period at most one year";
    "8.11.1", "no_more_than_one", "result/indicator", E, "reference on the result or on the indicator, not both";
    "8.6.1", "date_order", "result/indicator/period", E, "period-start <= period-end";
    "7.5.3", "time_limit", "organisation/total-expenditure", E, "period at most one year";
    "8.6.3", "date_order", "organisation/total-expenditure", E, "period-start <= period-end";
    "8.8.1", "atleast_one", "indicator[measure 1-4]/baseline", E, "baseline has @value";
    "8.8.2", "if_then", "indicator[measure 1-4]/baseline", W, "baseline @value is a number";
    "8.8.3", "if_then", "indicator[measure 5]/baseline", W, "qualitative baseline has no @value";
    "8.9.1", "atleast_one", "indicator[measure 1-4]/period/target", E, "target has @value";
    "8.9.2", "if_then", "indicator[measure 1-4]/period/target", W, "target @value is a number";
    "8.9.3", "if_then", "indicator[measure 5]/period/target", W, "qualitative target has no @value";
    "8.10.1", "atleast_one", "indicator[measure 1-4]/period/actual", E, "actual has @value";
    "8.10.2", "if_then", "indicator[measure 1-4]/period/actual", W, "actual @value is a number";
    "8.10.3", "if_then", "indicator[measure 5]/period/actual", W, "qualitative actual has no @value";
    "4.3.1", "atleast_one", "//title", E, "title has narrative text";
    "4.4.1", "atleast_one", "//description", E, "description has narrative text";
}

fn severity(id: &str) -> bool {
    RULES.iter().find(|r| r.id == id).is_none_or(|r| r.error)
}

struct Ctx<'a> {
    out: &'a mut Vec<RuleIssue>,
    today: NaiveDate,
}

impl Ctx<'_> {
    fn flag(&mut self, id: &'static str, at: &Element, message: String) {
        self.out.push(RuleIssue {
            id,
            error: severity(id),
            message,
            line: at.line,
            column: at.column,
        });
    }
}

fn kids<'a>(el: &'a Element, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
    el.children_named(name)
}

fn is_dac_vocab(e: &Element) -> bool {
    matches!(e.attr("vocabulary"), None | Some("") | Some("1"))
}

fn pct(e: &Element) -> Option<&str> {
    e.attr("percentage")
}

fn dec(s: &str) -> Option<Decimal> {
    Decimal::from_str(s.trim()).ok()
}

/// Sum of the given percentages; `None` if any is not a number.
fn sum(values: &[&str]) -> Option<Decimal> {
    values
        .iter()
        .try_fold(Decimal::ZERO, |acc, v| dec(v).map(|d| acc + d))
}

fn is_hundred(s: &str) -> bool {
    dec(s) == Some(Decimal::ONE_HUNDRED)
}

/// XPath `number(@value) = @value`: an optional minus, digits, an optional fraction.
fn xpath_number(s: &str) -> bool {
    let t = s.trim();
    let t = t.strip_prefix('-').unwrap_or(t);
    let (i, f) = t.split_once('.').unwrap_or((t, ""));
    !(i.is_empty() && f.is_empty())
        && i.bytes().all(|b| b.is_ascii_digit())
        && f.bytes().all(|b| b.is_ascii_digit())
}

fn spaced(s: &str) -> bool {
    s.trim() != s
}

fn bad_symbols(s: &str) -> bool {
    s.is_empty() || s.contains(['/', '&', '|', '?'])
}

fn check_spaces(c: &mut Ctx, id: &'static str, at: &Element, what: &str, v: Option<&str>) {
    if let Some(v) = v
        && spaced(v)
    {
        c.flag(
            id,
            at,
            format!("{what} '{v}' starts or ends with whitespace"),
        );
    }
}

fn check_symbols(c: &mut Ctx, id: &'static str, at: &Element, what: &str, v: Option<&str>) {
    if let Some(v) = v
        && bad_symbols(v)
    {
        c.flag(
            id,
            at,
            format!("{what} '{v}' is empty or contains one of / & | ?"),
        );
    }
}

fn org_prefix_ok(r: &str) -> bool {
    crate::codelists::codelist("OrganisationRegistrationAgency").is_some_and(|l| {
        l.codes
            .keys()
            .any(|p| r.len() > p.len() && r.starts_with(p) && r.as_bytes()[p.len()] == b'-')
    })
}

fn date_of(e: Option<&Element>, attr: &str) -> Option<NaiveDate> {
    parse_date(e?.attr(attr)?)
}

fn period(e: &Element) -> (Option<NaiveDate>, Option<NaiveDate>) {
    (
        date_of(e.child("period-start"), "iso-date"),
        date_of(e.child("period-end"), "iso-date"),
    )
}

fn period_order(c: &mut Ctx, id: &'static str, e: &Element) {
    if let (Some(s), Some(t)) = period(e)
        && s > t
    {
        c.flag(
            id,
            e,
            format!("<{}> period-start {s} is after period-end {t}", e.name),
        );
    }
}

fn time_limit(c: &mut Ctx, e: &Element) {
    if let (Some(s), Some(t)) = period(e)
        && s.checked_add_months(Months::new(12))
            .is_some_and(|limit| t > limit)
    {
        c.flag(
            "7.5.3",
            e,
            format!("<{}> period {s} to {t} is longer than one year", e.name),
        );
    }
}

fn narratives_have_text(e: &Element) -> bool {
    kids(e, "narrative").any(|n| !n.text().trim().is_empty())
}

fn walk_titles(c: &mut Ctx, e: &Element) {
    for ch in e.elements().filter(|x| x.is_iati()) {
        match ch.name.as_str() {
            "title" if !narratives_have_text(ch) => {
                c.flag("4.3.1", ch, "title has no narrative text".into())
            }
            "description" if !narratives_have_text(ch) => {
                c.flag("4.4.1", ch, "description has no narrative text".into())
            }
            _ => {}
        }
        walk_titles(c, ch);
    }
}

fn all_descendants<'a>(e: &'a Element, name: &str, out: &mut Vec<&'a Element>) {
    for ch in e.elements().filter(|x| x.is_iati()) {
        if ch.name == name {
            out.push(ch);
        }
        all_descendants(ch, name, out);
    }
}

/// 4.1.1/4.5.1 and 7.8.1/7.8.2 (one_or_all).
fn lang_and_currency(c: &mut Ctx, e: &Element, lang_id: &'static str, cur_id: &'static str) {
    if e.xml_lang().is_none() {
        let mut ns = Vec::new();
        all_descendants(e, "narrative", &mut ns);
        if let Some(n) = ns.iter().find(|n| n.xml_lang().is_none()) {
            c.flag(
                lang_id,
                n,
                "no default @xml:lang and this narrative has no @xml:lang".into(),
            );
        }
    }
    if e.attr("default-currency").is_none() {
        let mut vs = Vec::new();
        for name in ["value", "loan-status", "forecast"] {
            all_descendants(e, name, &mut vs);
        }
        if let Some(v) = vs.iter().find(|v| v.attr("currency").is_none()) {
            c.flag(
                cur_id,
                v,
                format!(
                    "no @default-currency and this <{}> has no @currency",
                    v.name
                ),
            );
        }
    }
}

fn flow_org(c: &mut Ctx, o: &Element, provider: bool) {
    let (need, sym, sp, idsp, id_attr) = if provider {
        (
            "6.9.1",
            "1.10.13",
            "1.10.1",
            "1.4.1",
            "provider-activity-id",
        )
    } else {
        (
            "6.9.2",
            "1.15.13",
            "1.15.1",
            "1.5.1",
            "receiver-activity-id",
        )
    };
    if o.attr("ref").is_none() && kids(o, "narrative").next().is_none() {
        c.flag(
            need,
            o,
            format!("<{}> has neither @ref nor a narrative", o.name),
        );
    }
    check_symbols(c, sym, o, &format!("<{}> @ref", o.name), o.attr("ref"));
    check_spaces(c, sp, o, &format!("<{}> @ref", o.name), o.attr("ref"));
    check_spaces(c, idsp, o, &format!("@{id_attr}"), o.attr(id_attr));
}

fn vocab_groups<'a>(items: &[&'a Element], skip_dac: bool) -> BTreeSet<&'a str> {
    items
        .iter()
        .filter_map(|e| e.attr("vocabulary"))
        .filter(|v| !skip_dac || *v != "1")
        .collect()
}

fn activity(c: &mut Ctx, a: &Element) {
    let id_el = a.child("iati-identifier");
    let id = id_el.map(|e| e.text()).unwrap_or_default();
    let rep = a.child("reporting-org");
    let rep_ref = rep.and_then(|r| r.attr("ref"));
    let at_id = id_el.unwrap_or(a);
    // 1.1.3 unique
    if let Some(r) = rep_ref
        && r.trim() == id.trim()
    {
        c.flag(
            "1.1.3",
            at_id,
            format!("iati-identifier '{id}' equals the reporting organisation identifier"),
        );
    }
    // 1.1.21 startswith (prefix + "-")
    let b1: Vec<&str> = kids(a, "other-identifier")
        .filter(|o| o.attr("type") == Some("B1"))
        .filter_map(|o| o.attr("ref"))
        .collect();
    let prefixes: Vec<&str> = rep_ref.into_iter().chain(b1.iter().copied()).collect();
    if id_el.is_some() && !prefixes.iter().any(|p| id.starts_with(&format!("{p}-"))) {
        c.flag("1.1.21", at_id, format!("iati-identifier '{id}' does not start with the reporting organisation identifier and '-'"));
    }
    // 1.14.8
    if let (Some(r), Some(rep)) = (rep_ref, rep)
        && !org_prefix_ok(r)
    {
        c.flag(
            "1.14.8",
            rep,
            format!(
                "reporting-org/@ref '{r}' does not start with a known registration agency prefix"
            ),
        );
    }
    // 6.11.1
    let dates: Vec<&Element> = kids(a, "activity-date").collect();
    if !dates
        .iter()
        .any(|d| matches!(d.attr("type"), Some("1" | "2")))
    {
        c.flag(
            "6.11.1",
            a,
            "no planned (type 1) or actual (type 2) start date".into(),
        );
    }
    let sectors: Vec<&Element> = kids(a, "sector").collect();
    let txs: Vec<&Element> = kids(a, "transaction").collect();
    let tx_sector = txs.iter().any(|t| t.child("sector").is_some());
    // 6.2.2
    if sectors.is_empty() && !tx_sector {
        c.flag(
            "6.2.2",
            a,
            "no sector, neither on the activity nor on any transaction".into(),
        );
    }
    lang_and_currency(c, a, "4.1.1", "7.8.1");
    // 6.7.2 one_or_all
    if sectors.is_empty()
        && let Some(t) = txs.iter().find(|t| t.child("sector").is_none())
    {
        c.flag(
            "6.7.2",
            t,
            "no activity sector, and this transaction has no sector".into(),
        );
    }
    // 11.1.1
    if let Some(d) = a.attr("last-updated-datetime").and_then(parse_date)
        && d > c.today
    {
        c.flag(
            "11.1.1",
            a,
            format!("@last-updated-datetime {d} is in the future"),
        );
    }
    let date = |t: &str| {
        dates
            .iter()
            .find(|d| d.attr("type") == Some(t))
            .and_then(|d| d.attr("iso-date"))
            .and_then(parse_date)
    };
    let date_el = |t: &str| {
        dates
            .iter()
            .find(|d| d.attr("type") == Some(t))
            .copied()
            .unwrap_or(a)
    };
    if let (Some(s), Some(e)) = (date("1"), date("3"))
        && s > e
    {
        c.flag(
            "11.1.2",
            date_el("1"),
            format!("planned start {s} is after planned end {e}"),
        );
    }
    if let (Some(s), Some(e)) = (date("2"), date("4"))
        && s > e
    {
        c.flag(
            "11.1.3",
            date_el("2"),
            format!("actual start {s} is after actual end {e}"),
        );
    }
    if let Some(s) = date("2")
        && s > c.today
    {
        c.flag(
            "11.1.4",
            date_el("2"),
            format!("actual start {s} is in the future"),
        );
    }
    if let Some(e) = date("4")
        && e > c.today
    {
        c.flag(
            "11.1.5",
            date_el("4"),
            format!("actual end {e} is in the future"),
        );
    }
    for t in &txs {
        if let Some(d) = date_of(t.child("transaction-date"), "iso-date")
            && d > c.today
        {
            c.flag(
                "11.2.1",
                t,
                format!("transaction-date {d} is in the future"),
            );
        }
        if let Some(d) = date_of(t.child("value"), "value-date")
            && d > c.today
        {
            c.flag(
                "11.2.2",
                t,
                format!("transaction value-date {d} is in the future"),
            );
        }
    }
    if id_el.is_some() {
        check_symbols(c, "1.3.13", at_id, "iati-identifier", Some(&id));
        check_spaces(c, "1.3.1", at_id, "iati-identifier", Some(&id));
    }
    if let Some(rep) = rep {
        check_symbols(c, "1.14.13", rep, "reporting-org/@ref", rep_ref);
        check_spaces(c, "1.14.1", rep, "reporting-org/@ref", rep_ref);
    }
    for o in kids(a, "other-identifier") {
        match o.attr("type") {
            Some("B1") => check_spaces(
                c,
                "1.16.1",
                o,
                "previous reporting organisation identifier",
                o.attr("ref"),
            ),
            Some("A3") => {
                check_spaces(c, "1.6.1", o, "previous activity identifier", o.attr("ref"))
            }
            _ => {}
        }
        for own in kids(o, "owner-org") {
            if own.attr("ref").is_none() && kids(own, "narrative").next().is_none() {
                c.flag(
                    "6.8.1",
                    own,
                    "owner-org has neither @ref nor a narrative".into(),
                );
            }
            check_spaces(c, "1.11.1", own, "owner-org/@ref", own.attr("ref"));
            check_symbols(c, "1.11.13", own, "owner-org/@ref", own.attr("ref"));
        }
    }
    for r in kids(a, "related-activity") {
        check_spaces(c, "1.7.1", r, "related-activity/@ref", r.attr("ref"));
    }
    // Sector percentages, per vocabulary.
    let non_dac: Vec<&Element> = sectors
        .iter()
        .copied()
        .filter(|s| s.attr("vocabulary").is_some_and(|v| v != "1"))
        .collect();
    for v in vocab_groups(&non_dac, true) {
        let group: Vec<&Element> = sectors
            .iter()
            .copied()
            .filter(|s| s.attr("vocabulary") == Some(v))
            .collect();
        percentage_group(c, a, &group, &format!("sectors of vocabulary '{v}'"), true);
    }
    let dac: Vec<&Element> = sectors
        .iter()
        .copied()
        .filter(|s| is_dac_vocab(s))
        .collect();
    percentage_group(c, a, &dac, "DAC sectors", false);
    // Countries and regions.
    let countries: Vec<&Element> = kids(a, "recipient-country").collect();
    let regions: Vec<&Element> = kids(a, "recipient-region").collect();
    for v in vocab_groups(&regions, false) {
        let group: Vec<&Element> = regions
            .iter()
            .copied()
            .filter(|r| r.attr("vocabulary") == Some(v))
            .collect();
        if group.len() > 1 && group.iter().any(|r| pct(r).is_none()) {
            c.flag(
                "3.4.1",
                group[0],
                format!("several regions of vocabulary '{v}' but not all have a percentage"),
            );
        }
        if group.len() == 1
            && countries.is_empty()
            && let Some(p) = pct(group[0])
            && !is_hundred(p)
        {
            c.flag(
                "3.4.4",
                group[0],
                format!("the only region has percentage {p}, expected none or 100"),
            );
        }
        if group.len() + countries.len() > 1 {
            let vals: Vec<&str> = group
                .iter()
                .chain(countries.iter())
                .filter_map(|e| pct(e))
                .collect();
            if sum(&vals) != Some(Decimal::ONE_HUNDRED) {
                c.flag("3.4.2", group[0], format!("percentages of regions (vocabulary '{v}') and countries add up to {}, not 100", show_sum(&vals)));
            }
        }
    }
    if countries.len() > 1 && regions.is_empty() {
        let vals: Vec<&str> = countries.iter().filter_map(|e| pct(e)).collect();
        if sum(&vals) != Some(Decimal::ONE_HUNDRED) {
            c.flag(
                "3.1.2",
                countries[0],
                format!(
                    "recipient-country percentages add up to {}, not 100",
                    show_sum(&vals)
                ),
            );
        }
        if vals.len() != countries.len() {
            c.flag(
                "3.1.1",
                countries[0],
                "several recipient countries but not all have a percentage".into(),
            );
        }
    }
    if countries.len() == 1
        && regions.is_empty()
        && let Some(p) = pct(countries[0])
        && !is_hundred(p)
    {
        c.flag(
            "3.1.4",
            countries[0],
            format!("the only recipient country has percentage {p}, expected none or 100"),
        );
    }
    // Country budget items.
    let cbis: Vec<&Element> = kids(a, "country-budget-items").collect();
    for v in vocab_groups(&cbis, false) {
        let items: Vec<&Element> = cbis
            .iter()
            .filter(|x| x.attr("vocabulary") == Some(v))
            .flat_map(|x| kids(x, "budget-item"))
            .collect();
        let vals: Vec<&str> = items.iter().filter_map(|e| pct(e)).collect();
        if items.len() > 1 {
            if sum(&vals) != Some(Decimal::ONE_HUNDRED) {
                c.flag(
                    "7.9.2",
                    items[0],
                    format!(
                        "budget-item percentages add up to {}, not 100",
                        show_sum(&vals)
                    ),
                );
            }
            if vals.is_empty() {
                c.flag(
                    "7.9.1",
                    items[0],
                    "several budget items but none has a percentage".into(),
                );
            }
        }
        if items.len() == 1
            && let Some(p) = pct(items[0])
            && !is_hundred(p)
        {
            c.flag(
                "7.9.4",
                items[0],
                format!("the only budget item has percentage {p}, expected none or 100"),
            );
        }
    }
    // Aid types.
    let dats: Vec<&Element> = kids(a, "default-aid-type").collect();
    aid_types(c, a, &dats, "107.1.2", Some("107.1.1"));
    // Ranges.
    for (id, list) in [
        ("12.1.1", &countries),
        ("12.1.1", &regions),
        ("12.3.1", &sectors),
    ] {
        for e in list.iter() {
            range(c, id, e, pct(e));
        }
    }
    for cs in kids(a, "capital-spend") {
        range(c, "12.2.1", cs, pct(cs));
    }
    for bi in cbis.iter().flat_map(|x| kids(x, "budget-item")) {
        range(c, "12.2.1", bi, pct(bi));
    }
    // 2.2.1 reporting-organisation vocabularies need a narrative.
    for s in sectors
        .iter()
        .filter(|s| matches!(s.attr("vocabulary"), Some("98" | "99")))
    {
        if kids(s, "narrative").next().is_none() {
            c.flag(
                "2.2.1",
                s,
                format!(
                    "sector of vocabulary {} has no narrative",
                    s.attr("vocabulary").unwrap_or("")
                ),
            );
        }
    }
    // 102.1.1
    if !sectors.is_empty() && !sectors.iter().any(|s| is_dac_vocab(s)) {
        c.flag(
            "102.1.1",
            sectors[0],
            "sectors are given only in non-DAC vocabularies".into(),
        );
    }
    // 6.6.2, 3.6.2, 3.7.1, 3.7.2
    if !sectors.is_empty() && tx_sector {
        c.flag(
            "6.6.2",
            a,
            "sectors are given both on the activity and on transactions".into(),
        );
    }
    let tx_geo = |t: &Element| {
        t.child("recipient-country").is_some() || t.child("recipient-region").is_some()
    };
    if !countries.is_empty() || !regions.is_empty() {
        if let Some(t) = txs.iter().find(|t| tx_geo(t)) {
            c.flag(
                "3.6.2",
                t,
                "recipient country/region given both on the activity and on a transaction".into(),
            );
        }
    } else if !txs.is_empty() {
        if !txs.iter().any(|t| tx_geo(t)) {
            c.flag(
                "3.7.1",
                a,
                "no recipient country or region, neither on the activity nor on any transaction"
                    .into(),
            );
        } else if let Some(t) = txs.iter().find(|t| !tx_geo(t)) {
            c.flag(
                "3.7.2",
                t,
                "no activity-level country/region, and this transaction has none".into(),
            );
        }
    }
    // Transactions.
    let mut tx_aid: Vec<&Element> = Vec::new();
    for t in &txs {
        let ats: Vec<&Element> = kids(t, "aid-type").collect();
        aid_types(c, t, &ats, "107.2.2", None);
        tx_aid.extend(ats);
        for o in kids(t, "provider-org") {
            flow_org(c, o, true);
        }
        for o in kids(t, "receiver-org") {
            flow_org(c, o, false);
        }
    }
    if tx_aid.iter().any(|x| !is_dac_vocab(x)) && !tx_aid.iter().any(|x| is_dac_vocab(x)) {
        c.flag(
            "107.2.1",
            a,
            "transaction aid types are given only in non-DAC vocabularies".into(),
        );
    }
    for p in kids(a, "planned-disbursement") {
        period_order(c, "8.6.3", p);
        for o in kids(p, "provider-org") {
            flow_org(c, o, true);
        }
        for o in kids(p, "receiver-org") {
            flow_org(c, o, false);
        }
    }
    for b in kids(a, "budget") {
        period_order(c, "8.6.3", b);
        time_limit(c, b);
    }
    for pm in kids(a, "policy-marker") {
        if is_dac_vocab(pm) && pm.attr("significance").is_none() {
            c.flag(
                "6.14.1",
                pm,
                "DAC policy marker without @significance".into(),
            );
        }
        if pm.attr("vocabulary") == Some("99") && kids(pm, "narrative").next().is_none() {
            c.flag(
                "6.13.1",
                pm,
                "policy marker of vocabulary 99 without a narrative".into(),
            );
        }
    }
    for po in kids(a, "participating-org") {
        if po.attr("ref").is_none() && kids(po, "narrative").next().is_none() {
            c.flag(
                "6.10.1",
                po,
                "participating-org has neither @ref nor a narrative".into(),
            );
        }
        check_symbols(c, "1.8.13", po, "participating-org/@ref", po.attr("ref"));
        check_spaces(c, "1.8.1", po, "participating-org/@ref", po.attr("ref"));
        check_spaces(
            c,
            "1.9.1",
            po,
            "participating-org/@activity-id",
            po.attr("activity-id"),
        );
    }
    for r in kids(a, "result") {
        let result_ref = r.child("reference").is_some();
        for ind in kids(r, "indicator") {
            if result_ref && ind.child("reference").is_some() {
                c.flag(
                    "8.11.1",
                    ind,
                    "reference given on both the result and the indicator".into(),
                );
            }
            let measure = ind.attr("measure");
            let quantitative = matches!(measure, Some("1" | "2" | "3" | "4"));
            let qualitative = measure == Some("5");
            let check_value =
                |c: &mut Ctx, e: &Element, ids: (&'static str, &'static str, &'static str)| {
                    let v = e.attr("value");
                    if quantitative {
                        match v {
                            None => c.flag(
                                ids.0,
                                e,
                                format!("<{}> has no @value for a quantitative measure", e.name),
                            ),
                            Some(v) if !xpath_number(v) => c.flag(
                                ids.1,
                                e,
                                format!("<{}> @value '{v}' is not a number", e.name),
                            ),
                            Some(_) => {}
                        }
                    } else if qualitative && v.is_some() {
                        c.flag(
                            ids.2,
                            e,
                            format!("<{}> has a @value for a qualitative measure", e.name),
                        );
                    }
                };
            for b in kids(ind, "baseline") {
                check_value(c, b, ("8.8.1", "8.8.2", "8.8.3"));
            }
            for p in kids(ind, "period") {
                period_order(c, "8.6.1", p);
                for t in kids(p, "target") {
                    check_value(c, t, ("8.9.1", "8.9.2", "8.9.3"));
                }
                for t in kids(p, "actual") {
                    check_value(c, t, ("8.10.1", "8.10.2", "8.10.3"));
                }
            }
        }
    }
}

fn show_sum(vals: &[&str]) -> String {
    sum(vals).map_or_else(|| "a non-number".to_owned(), |s| s.normalize().to_string())
}

/// `by_count`: the sum applies when the group has several members (non-DAC loop), rather
/// than when several percentages are given (the DAC case).
fn percentage_group(c: &mut Ctx, a: &Element, group: &[&Element], what: &str, by_count: bool) {
    let ids = ("2.1.2", "2.1.1", "2.1.4");
    let vals: Vec<&str> = group.iter().filter_map(|e| pct(e)).collect();
    let at = group.first().copied().unwrap_or(a);
    let applies = if by_count {
        group.len() > 1
    } else {
        vals.len() > 1
    };
    if applies && sum(&vals) != Some(Decimal::ONE_HUNDRED) {
        c.flag(
            ids.0,
            at,
            format!(
                "percentages of {what} add up to {}, not 100",
                show_sum(&vals)
            ),
        );
    }
    if group.len() > 1 && vals.len() != group.len() {
        c.flag(
            ids.1,
            at,
            format!("several {what} but not all have a percentage"),
        );
    }
    if group.len() == 1
        && let Some(p) = vals.first()
        && !is_hundred(p)
    {
        c.flag(
            ids.2,
            at,
            format!("the only one of the {what} has percentage {p}, expected none or 100"),
        );
    }
}

fn aid_types(
    c: &mut Ctx,
    at: &Element,
    list: &[&Element],
    one_id: &'static str,
    accompany_id: Option<&'static str>,
) {
    let dac: Vec<&&Element> = list.iter().filter(|x| is_dac_vocab(x)).collect();
    if dac.len() > 1 {
        c.flag(
            one_id,
            dac[1],
            "more than one aid type of the DAC vocabulary".into(),
        );
    }
    let others: Vec<&Element> = list
        .iter()
        .copied()
        .filter(|x| x.attr("vocabulary").is_some_and(|v| v != "1"))
        .collect();
    for v in vocab_groups(&others, true) {
        let n = others
            .iter()
            .filter(|x| x.attr("vocabulary") == Some(v))
            .count();
        if n > 1 {
            c.flag(
                one_id,
                at,
                format!("more than one aid type of vocabulary '{v}'"),
            );
        }
    }
    if let Some(id) = accompany_id
        && list.iter().any(|x| !is_dac_vocab(x))
        && dac.is_empty()
    {
        c.flag(
            id,
            at,
            "aid types are given only in non-DAC vocabularies".into(),
        );
    }
}

fn range(c: &mut Ctx, id: &'static str, e: &Element, v: Option<&str>) {
    if let Some(v) = v
        && let Some(d) = dec(v)
        && (d < Decimal::ZERO || d > Decimal::ONE_HUNDRED)
    {
        c.flag(
            id,
            e,
            format!("<{}> percentage {v} is outside 0..100", e.name),
        );
    }
}

fn organisation(c: &mut Ctx, o: &Element) {
    let rep = o.child("reporting-org");
    let rep_ref = rep.and_then(|r| r.attr("ref"));
    if let (Some(r), Some(rep)) = (rep_ref, rep) {
        if !org_prefix_ok(r) {
            c.flag("1.18.8", rep, format!("reporting-org/@ref '{r}' does not start with a known registration agency prefix"));
        }
        check_symbols(c, "1.18.13", rep, "reporting-org/@ref", Some(r));
        check_spaces(c, "1.18.1", rep, "reporting-org/@ref", Some(r));
    }
    if let Some(id) = o.child("organisation-identifier") {
        let t = id.text();
        check_symbols(c, "1.12.13", id, "organisation-identifier", Some(&t));
        check_spaces(c, "1.12.1", id, "organisation-identifier", Some(&t));
    }
    for b in kids(o, "recipient-org-budget") {
        for r in kids(b, "recipient-org") {
            check_spaces(c, "1.17.1", r, "recipient-org/@ref", r.attr("ref"));
        }
    }
    if let Some(d) = o.attr("last-updated-datetime").and_then(parse_date)
        && d > c.today
    {
        c.flag(
            "11.4.1",
            o,
            format!("@last-updated-datetime {d} is in the future"),
        );
    }
    lang_and_currency(c, o, "4.5.1", "7.8.2");
    for name in [
        "total-budget",
        "recipient-country-budget",
        "recipient-org-budget",
        "recipient-region-budget",
        "total-expenditure",
    ] {
        for b in kids(o, name) {
            period_order(c, "8.6.3", b);
            time_limit(c, b);
            if name == "recipient-country-budget"
                && let (Some(s), Some(e)) = period(b)
            {
                for line in kids(b, "budget-line") {
                    if let Some(d) = date_of(line.child("value"), "value-date")
                        && (d < s || d > e)
                    {
                        c.flag(
                            "11.3.1",
                            line,
                            format!("budget-line value-date {d} is outside the period {s} to {e}"),
                        );
                    }
                }
            }
        }
    }
}

/// Runs every rule case that applies to a unit (`iati-activity` or `iati-organisation`).
pub fn check_unit(el: &Element, today: NaiveDate) -> Vec<RuleIssue> {
    let mut out = Vec::new();
    let mut c = Ctx {
        out: &mut out,
        today,
    };
    match (el.is_iati(), el.name.as_str()) {
        (true, "iati-activity") => activity(&mut c, el),
        (true, "iati-organisation") => organisation(&mut c, el),
        _ => return out,
    }
    walk_titles(&mut c, el);
    out
}
