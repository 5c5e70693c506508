//! Names of the OECD DAC 5-digit purpose codes, from the IATI Sector codelist shipped in
//! `data/sectors.csv` (see `data/README.md` for its source and licence). Codes the list lacks are
//! shown by number.

use std::collections::HashMap;
use std::sync::OnceLock;

const SECTORS_CSV: &str = include_str!("../data/sectors.csv");

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
    fn an_unknown_code_is_shown_by_number() {
        assert_eq!(name("99999"), None);
        assert_eq!(label("99999"), "99999");
    }
}
