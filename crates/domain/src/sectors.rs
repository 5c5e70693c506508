//! Names of the OECD DAC 5-digit purpose codes, from the IATI Sector codelist shipped in
//! `data/sectors.csv` (see `data/README.md` for its source and licence). Codes the list lacks are
//! shown by number. The 3-digit DAC categories have names in the four interface languages
//! (`data/sector_categories.tsv`, written by hand): the purpose codes themselves are English only,
//! so another language names a code by its category ([`category_name`]).

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::country_names::NameLanguage;

const SECTORS_CSV: &str = include_str!("../data/sectors.csv");
const CATEGORIES_TSV: &str = include_str!("../data/sector_categories.tsv");

/// Category code ("121") → its names in `NameLanguage` order; comment lines and the header
/// skipped.
fn categories() -> &'static HashMap<&'static str, [&'static str; 4]> {
    static MAP: OnceLock<HashMap<&'static str, [&'static str; 4]>> = OnceLock::new();
    MAP.get_or_init(|| {
        CATEGORIES_TSV
            .lines()
            .filter(|l| !l.starts_with('#'))
            .skip(1)
            .filter_map(|line| {
                let mut cols = line.split('\t');
                let code = cols.next()?;
                let names = [cols.next()?, cols.next()?, cols.next()?, cols.next()?];
                Some((code, names))
            })
            .collect()
    })
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

/// The codelist name of a DAC purpose code ("12191" → "Medical services").
pub fn name(code: &str) -> Option<&'static str> {
    names().get(code.trim()).copied()
}

pub fn label(code: &str) -> String {
    match name(code) {
        Some(n) => format!("{code} {n}"),
        None => code.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn an_unknown_code_is_shown_by_number() {
        assert_eq!(name("99999"), None);
        assert_eq!(label("99999"), "99999");
    }
}
