//! Names of the OECD DAC 5-digit purpose codes, from the IATI Sector codelist shipped in
//! `data/sectors.csv` (see `data/README.md` for its source and licence). Codes the list lacks are
//! shown by number. The 3-digit DAC categories have names in the four interface languages
//! (`data/sector_categories.tsv`, written by hand), and so do the purpose codes of health and
//! emergencies (`data/sector_purposes.tsv`, [`purpose_name`]); another language names any other
//! code by its category ([`category_name`]).

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::country_names::NameLanguage;

const SECTORS_CSV: &str = include_str!("../data/sectors.csv");
const CATEGORIES_TSV: &str = include_str!("../data/sector_categories.tsv");
const PURPOSES_TSV: &str = include_str!("../data/sector_purposes.tsv");

/// Rows of a hand-written table: the code, then `N` names; comment lines and the header skipped.
fn table<const N: usize>(tsv: &'static str) -> HashMap<&'static str, [&'static str; N]> {
    tsv.lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .filter_map(|line| {
            let mut cols = line.split('\t');
            let code = cols.next()?;
            let names: Vec<&str> = cols.collect();
            Some((code, names.try_into().ok()?))
        })
        .collect()
}

/// Category code ("121") → its names in `NameLanguage` order; comment lines and the header
/// skipped.
fn categories() -> &'static HashMap<&'static str, [&'static str; 4]> {
    static MAP: OnceLock<HashMap<&'static str, [&'static str; 4]>> = OnceLock::new();
    MAP.get_or_init(|| table(CATEGORIES_TSV))
}

/// Purpose code ("12191") → its names in Russian, Ukrainian and Kazakh, for the codes
/// `data/sector_purposes.tsv` translates.
fn purposes() -> &'static HashMap<&'static str, [&'static str; 3]> {
    static MAP: OnceLock<HashMap<&'static str, [&'static str; 3]>> = OnceLock::new();
    MAP.get_or_init(|| table(PURPOSES_TSV))
}

/// The name in `lang` of a purpose code that `data/sector_purposes.tsv` translates ("12191" →
/// "Медицинские услуги"); English names come from the codelist ([`name`]).
pub fn purpose_name(code: &str, lang: NameLanguage) -> Option<&'static str> {
    let names = purposes().get(code.trim())?;
    match lang {
        NameLanguage::En => name(code),
        NameLanguage::Ru => Some(names[0]),
        NameLanguage::Uk => Some(names[1]),
        NameLanguage::Kk => Some(names[2]),
    }
}

/// The name in `lang` of the DAC category a code belongs to: its first three digits ("12191"
/// → "121" → "Здравоохранение, общее"); a 3-digit code is its own category.
pub fn category_name(code: &str, lang: NameLanguage) -> Option<&'static str> {
    let category = code.trim().get(..3)?;
    let names = categories().get(category)?;
    Some(match lang {
        NameLanguage::En => names[0],
        NameLanguage::Ru => names[1],
        NameLanguage::Uk => names[2],
        NameLanguage::Kk => names[3],
    })
}

fn names() -> &'static HashMap<&'static str, &'static str> {
    static MAP: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| {
        crate::code_names::entries(SECTORS_CSV)
            .into_iter()
            .map(|e| (e.code, e.name))
            .collect()
    })
}

/// The purpose code a person means by `raw`: a code of the codelist ("12191"), a label as
/// the pages show it ("12191 Medical services"), or a name in any of the four languages, in any
/// case ("medical services", "Медицинские услуги"); `None` for a code the list lacks ("99999")
/// or a name that is no code's or more than one's.
pub fn lookup(raw: &str) -> Option<&'static str> {
    let raw = raw.trim();
    let first = raw.split_whitespace().next()?;
    if first.len() == 5 && first.bytes().all(|b| b.is_ascii_digit()) {
        return names().get_key_value(first).map(|(code, _)| *code);
    }
    let want = raw.to_lowercase();
    let mut found: Vec<&'static str> = names()
        .iter()
        .filter(|(_, n)| n.to_lowercase() == want)
        .map(|(code, _)| *code)
        .collect();
    found.extend(
        purposes()
            .iter()
            .filter(|(_, ns)| ns.iter().any(|n| n.to_lowercase() == want))
            .map(|(code, _)| *code),
    );
    found.sort_unstable();
    found.dedup();
    match found.as_slice() {
        [one] => Some(one),
        _ => None,
    }
}

/// The codelist name of a DAC purpose code ("12191" → "Medical services").
pub fn name(code: &str) -> Option<&'static str> {
    names().get(code.trim()).copied()
}

/// A code with its English name: "12191 Medical services", a 3-digit category with the
/// category's name ("121 Health, general"), any other code by number.
pub fn label(code: &str) -> String {
    let category = || {
        (code.trim().len() == 3)
            .then(|| category_name(code, NameLanguage::En))
            .flatten()
    };
    match name(code).or_else(category) {
        Some(n) => format!("{code} {n}"),
        None => code.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_category_is_labelled_with_its_name() {
        assert_eq!(label("121"), "121 Health, General");
        assert_eq!(label("12191"), "12191 Medical services");
        assert_eq!(label("999"), "999");
    }

    #[test]
    fn a_code_a_label_or_a_name_in_any_language_finds_the_code() {
        assert_eq!(lookup("12191"), Some("12191"));
        assert_eq!(lookup(" 12191 Medical services "), Some("12191"));
        assert_eq!(lookup("medical services"), Some("12191"));
        assert_eq!(lookup("Медицинские услуги"), Some("12191"));
        assert_eq!(lookup("99999"), None, "not in the codelist");
        assert_eq!(lookup("121"), None, "a category is not a purpose code");
        assert_eq!(lookup("health"), None);
        assert_eq!(lookup(""), None);
    }

    #[test]
    fn every_dac_code_of_the_codelist_has_its_name() {
        assert_eq!(name("12191"), Some("Medical services"));
        assert_eq!(name("12310"), Some("NCDs control, general"));
        assert_eq!(label("12230"), "12230 Basic health infrastructure");
        assert!(names().len() > 300, "{}", names().len());
    }

    #[test]
    fn every_purpose_code_has_a_category_named_in_each_language() {
        let mut missing = Vec::new();
        for code in names().keys() {
            for lang in NameLanguage::ALL {
                if category_name(code, lang).is_none_or(|n| n.trim().is_empty()) {
                    missing.push(format!("{code} {lang:?}"));
                }
            }
        }
        assert!(missing.is_empty(), "no category name: {missing:?}");
        assert_eq!(
            category_name("12191", NameLanguage::Ru),
            Some("Здравоохранение, общее")
        );
        assert_eq!(
            category_name("121", NameLanguage::En),
            Some("Health, General")
        );
        assert_eq!(category_name("1", NameLanguage::Uk), None);
    }

    /// Every translated purpose is a code of the codelist, named in all three languages, and
    /// no two codes share a name in one language (12220 and 12230 both read "basic health").
    #[test]
    fn translated_purposes_are_codes_of_the_list_with_distinct_names() {
        let purposes = purposes();
        assert!(purposes.len() >= 30, "{}", purposes.len());
        for lang in [NameLanguage::Ru, NameLanguage::Uk, NameLanguage::Kk] {
            let mut seen = HashMap::new();
            for code in purposes.keys() {
                assert!(name(code).is_some(), "{code} is not in the codelist");
                let n = purpose_name(code, lang).unwrap_or_default();
                assert!(!n.trim().is_empty(), "{code} {lang:?}");
                if let Some(other) = seen.insert(n, code) {
                    panic!("{code} and {other} are both «{n}» in {lang:?}");
                }
            }
        }
        assert_eq!(
            purpose_name("12191", NameLanguage::Ru),
            Some("Медицинские услуги")
        );
        assert_eq!(
            purpose_name("12191", NameLanguage::En),
            Some("Medical services")
        );
        assert_eq!(purpose_name("11110", NameLanguage::Kk), None);
    }

    #[test]
    fn an_unknown_code_is_shown_by_number() {
        assert_eq!(name("99999"), None);
        assert_eq!(label("99999"), "99999");
    }
}
