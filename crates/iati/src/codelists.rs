//! Layer 2: codelist membership, driven by the IATI mapping (attribute path → codelist).
//!
//! Values outside a complete codelist are errors; outside an incomplete one (Country,
//! Language…) warnings; withdrawn codes warnings.

use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

use serde::Serialize;

use crate::xml::{Element, XML_NS};

/// Codelist version shipped (see `data/README.md`).
pub const CODELIST_VERSION: &str = "IATI-Codelists version-2.03@75e827bacd29f77356cb43defbc0b655705432f3 + IATI-Codelists-NonEmbedded master@7aeece773c60afa0265eb95e988d5e61e96d8482";

const CODELISTS: &str = include_str!("../data/codelists.tsv");
const MAPPING: &str = include_str!("../data/mapping.tsv");

#[derive(Debug)]
pub struct Codelist {
    pub name: &'static str,
    pub complete: bool,
    /// code → withdrawn?
    pub codes: HashMap<&'static str, bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Condition {
    Always,
    /// `@vocabulary = 'v'` (or, with `or_absent`, also when the attribute is missing).
    Vocabulary {
        value: String,
        or_absent: bool,
    },
}

#[derive(Debug)]
struct Mapping {
    list: &'static str,
    condition: Condition,
}

struct Tables {
    lists: HashMap<&'static str, Codelist>,
    /// "iati-activity/transaction/value/@currency" → mappings.
    by_path: HashMap<String, Vec<Mapping>>,
}

fn parse_condition(c: &str) -> Condition {
    if c.is_empty() {
        return Condition::Always;
    }
    let value = c.split('\'').nth(1).unwrap_or("").to_owned();
    Condition::Vocabulary {
        value,
        or_absent: c.contains("not(@vocabulary)"),
    }
}

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let mut lists = HashMap::default();
        for line in CODELISTS
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            let mut f = line.split('\t');
            let (Some(name), Some(complete), Some(codes)) = (f.next(), f.next(), f.next()) else {
                continue;
            };
            let codes = codes
                .split(',')
                .filter(|c| !c.is_empty())
                .map(|c| match c.strip_prefix('~') {
                    Some(w) => (w, true),
                    None => (c, false),
                })
                .collect();
            lists.insert(
                name,
                Codelist {
                    name,
                    complete: complete == "1",
                    codes,
                },
            );
        }
        let mut by_path: HashMap<String, Vec<Mapping>> = HashMap::default();
        for line in MAPPING
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            let mut f = line.split('\t');
            let (Some(path), Some(list)) = (f.next(), f.next()) else {
                continue;
            };
            let condition = parse_condition(f.next().unwrap_or(""));
            by_path
                .entry(path.trim_start_matches('/').to_owned())
                .or_default()
                .push(Mapping { list, condition });
        }
        Tables { lists, by_path }
    })
}

pub fn codelist(name: &str) -> Option<&'static Codelist> {
    tables().lists.get(name)
}

/// Number of codelists and mapped paths shipped.
pub fn stats() -> (usize, usize) {
    (tables().lists.len(), tables().by_path.len())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodelistIssue {
    /// The codelist name, used as the rule name in reports.
    pub codelist: &'static str,
    /// True for errors (complete list), false for warnings.
    pub error: bool,
    pub message: String,
    /// What `message` says, as fields.
    pub finding: CodeFinding,
    pub line: u64,
    pub column: u64,
}

/// A codelist finding as fields: the value and why the list refuses it. The message says the
/// same in English (with the path); a page in another language words the finding from these
/// fields instead of reading the sentence, which stays as it is for those who search for it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct CodeFinding {
    /// The value as found (trimmed for element text).
    pub code: String,
    /// True when the list has the code but has withdrawn it; false when it has no such code.
    pub withdrawn: bool,
}

fn condition_holds(c: &Condition, el: &Element) -> bool {
    match c {
        Condition::Always => true,
        Condition::Vocabulary { value, or_absent } => match el.attr("vocabulary") {
            Some(v) => v == value,
            None => *or_absent,
        },
    }
}

fn check_value(
    list_name: &'static str,
    value: &str,
    where_: &str,
    el: &Element,
    out: &mut Vec<CodelistIssue>,
) {
    let Some(list) = codelist(list_name) else {
        return;
    };
    match list.codes.get(value) {
        Some(false) => {}
        Some(true) => out.push(CodelistIssue {
            codelist: list.name,
            error: false,
            message: format!(
                "{where_}: code '{value}' is withdrawn from the {} codelist",
                list.name
            ),
            finding: CodeFinding {
                code: value.to_owned(),
                withdrawn: true,
            },
            line: el.line,
            column: el.column,
        }),
        None => out.push(CodelistIssue {
            codelist: list.name,
            error: list.complete,
            message: format!(
                "{where_}: '{value}' is not a code of the {} codelist",
                list.name
            ),
            finding: CodeFinding {
                code: value.to_owned(),
                withdrawn: false,
            },
            line: el.line,
            column: el.column,
        }),
    }
}

/// A codelist finding's message without the path it starts with (`"{path}: "`, see
/// [`check_value`]): what is wrong with the value, the same wherever the value sits. Grouped
/// reports group codelist findings by it, so a wrong language code on every narrative of an
/// activity is one entry. Paths are element and attribute names, which never hold `": "`.
pub fn message_without_path(message: &str) -> &str {
    message.split_once(": ").map_or(message, |(_, rest)| rest)
}

fn walk(el: &Element, path: &mut String, out: &mut Vec<CodelistIssue>) {
    let t = tables();
    let len = path.len();
    for a in &el.attrs {
        if a.ns.as_deref() == Some(XML_NS) && a.local() == "lang" {
            path.push_str("/@xml:lang");
            check_value("Language", &a.value, path, el, out);
            path.truncate(len);
            continue;
        }
        if a.ns.is_some() {
            continue;
        }
        path.push_str("/@");
        path.push_str(&a.name);
        if let Some(maps) = t.by_path.get(path.as_str()) {
            for m in maps.iter().filter(|m| condition_holds(&m.condition, el)) {
                check_value(m.list, &a.value, path, el, out);
            }
        }
        path.truncate(len);
    }
    path.push_str("/text()");
    if let Some(maps) = t.by_path.get(path.as_str()) {
        let text = el.text();
        for m in maps {
            check_value(m.list, text.trim(), path, el, out);
        }
    }
    path.truncate(len);
    for c in el.elements().filter(|c| c.ns.is_none()) {
        path.push('/');
        path.push_str(&c.name);
        walk(c, path, out);
        path.truncate(len);
    }
}

/// Checks every mapped attribute of a unit (an `iati-activity`, `iati-organisation`, or root).
pub fn check_unit(el: &Element) -> Vec<CodelistIssue> {
    let mut out = Vec::new();
    let mut path = el.name.to_string();
    walk(el, &mut path, &mut out);
    out
}

/// Checks only the attributes of the root element (`@version`, `@xml:lang`).
pub fn check_root(el: &Element) -> Vec<CodelistIssue> {
    let bare = Element {
        children: Vec::new(),
        ..el.clone()
    };
    check_unit(&bare)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{Limits, parse_document};

    fn issues(xml: &str) -> Vec<CodelistIssue> {
        check_unit(&parse_document(xml.as_bytes(), Limits::default()).expect("xml"))
    }

    #[test]
    fn shipped_data_loads() {
        let (lists, paths) = stats();
        assert_eq!(lists, 70);
        assert!(paths > 100, "{paths}");
        assert!(
            codelist("Currency").is_some_and(|c| c.complete && c.codes.get("BYR") == Some(&true))
        );
    }

    #[test]
    fn complete_lists_give_errors_withdrawn_give_warnings() {
        let i = issues(
            r#"<iati-activity default-currency="BYR"><transaction><value currency="XXZ"/></transaction></iati-activity>"#,
        );
        assert_eq!(i.len(), 2, "{i:?}");
        assert!(!i[0].error && i[0].message.contains("withdrawn"));
        assert!(i[1].error && i[1].codelist == "Currency");
        let code = |c: &str, withdrawn| CodeFinding {
            code: c.into(),
            withdrawn,
        };
        assert_eq!(i[0].finding, code("BYR", true));
        assert_eq!(i[1].finding, code("XXZ", false));
    }

    #[test]
    fn vocabulary_conditions_select_the_list() {
        assert!(issues(r#"<iati-activity><sector code="12250"/><sector vocabulary="2" code="122"/></iati-activity>"#).is_empty());
        let i = issues(r#"<iati-activity><sector vocabulary="1" code="122"/></iati-activity>"#);
        assert_eq!(i.len(), 1);
        assert!(
            issues(r#"<iati-activity><sector vocabulary="99" code="anything"/></iati-activity>"#)
                .is_empty()
        );
    }

    #[test]
    fn incomplete_lists_give_warnings() {
        let i = issues(r#"<iati-activity><recipient-country code="XX"/></iati-activity>"#);
        assert_eq!(i.len(), 1);
        assert!(!i[0].error);
    }
}
