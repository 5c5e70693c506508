//! Every ISO 3166-1 country by the names news uses: the hand-kept table in `lexicon.rs` (names,
//! adjectives, capitals and large cities of common aid recipients) completed with the full
//! codelist the rest of aidtrace uses (`aidtrace_domain::code_names`, from
//! `crates/domain/data/countries.csv`), its reviewed English aliases, and the news forms and
//! adjectives below. A country missing here is a recipient the extractor cannot see, so the
//! codelist is the floor, not a hand list.

use std::collections::HashMap;
use std::sync::LazyLock;

use aidtrace_domain::code_names;

use crate::lexicon::COUNTRIES;

/// Names used in news that the codelist spells otherwise, and adjectives of countries the
/// hand-kept table lacks.
const NEWS_FORMS: &[(&str, &[&str])] = &[
    (
        "CI",
        &[
            "Côte d'Ivoire",
            "Cote d'Ivoire",
            "Côte d’Ivoire",
            "Ivory Coast",
            "Ivorian",
        ],
    ),
    ("SZ", &["Eswatini", "Swaziland", "Emaswati"]),
    ("MK", &["North Macedonia", "Macedonia", "Macedonian"]),
    ("GM", &["the Gambia", "The Gambia"]),
    ("CZ", &["Czech Republic", "Czechia", "Czech"]),
    ("RU", &["Russia", "Russian Federation"]),
    ("CV", &["Cabo Verde", "Cape Verde", "Cape Verdean"]),
    ("BS", &["the Bahamas", "Bahamas", "Bahamian"]),
    ("BN", &["Brunei", "Bruneian"]),
    ("FM", &["Micronesia", "Federated States of Micronesia"]),
    ("TW", &["Taiwan", "Taiwanese"]),
    ("AT", &["Austria", "Austrian"]),
    ("AR", &["Argentina", "Argentine", "Argentinian"]),
    ("BH", &["Bahrain", "Bahraini"]),
    ("BG", &["Bulgaria", "Bulgarian"]),
    ("CL", &["Chile", "Chilean"]),
    ("CR", &["Costa Rica", "Costa Rican"]),
    ("HR", &["Croatia", "Croatian"]),
    ("CY", &["Cyprus", "Cypriot"]),
    ("DO", &["Dominican Republic"]),
    ("EE", &["Estonia", "Estonian"]),
    ("GA", &["Gabon", "Gabonese", "Libreville"]),
    ("GR", &["Greece", "Greek"]),
    ("GW", &["Guinea-Bissau", "Bissau"]),
    ("GY", &["Guyana", "Guyanese"]),
    ("HU", &["Hungary", "Hungarian"]),
    ("IS", &["Iceland", "Icelandic"]),
    ("IL", &["Israel", "Israeli"]),
    ("XK", &["Kosovo", "Kosovar"]),
    ("LV", &["Latvia", "Latvian"]),
    ("LT", &["Lithuania", "Lithuanian"]),
    ("LU", &["Luxembourg"]),
    ("MT", &["Malta", "Maltese"]),
    ("MH", &["Marshall Islands", "Marshallese"]),
    ("ME", &["Montenegro", "Montenegrin"]),
    ("NR", &["Nauru", "Nauruan"]),
    ("PW", &["Palau", "Palauan"]),
    ("PT", &["Portugal", "Portuguese"]),
    ("RO", &["Romania", "Romanian"]),
    ("SC", &["Seychelles", "Seychellois"]),
    ("SG", &["Singapore", "Singaporean"]),
    ("SK", &["Slovakia", "Slovak Republic", "Slovak"]),
    ("SI", &["Slovenia", "Slovenian"]),
    ("SR", &["Suriname", "Surinamese"]),
    ("TT", &["Trinidad and Tobago"]),
    ("UY", &["Uruguay", "Uruguayan"]),
    ("GQ", &["Equatorial Guinea"]),
    ("KM", &["Comoros", "Comorian"]),
    ("ST", &["Sao Tome and Principe", "São Tomé and Príncipe"]),
    ("AG", &["Antigua and Barbuda"]),
    ("BB", &["Barbados", "Barbadian"]),
    ("BZ", &["Belize", "Belizean"]),
    ("DM", &["Dominica"]),
    ("GD", &["Grenada"]),
    ("LC", &["Saint Lucia"]),
    ("VC", &["Saint Vincent and the Grenadines"]),
    ("KN", &["Saint Kitts and Nevis"]),
    ("VG", &["British Virgin Islands"]),
    ("VI", &["US Virgin Islands", "U.S. Virgin Islands"]),
];

/// Codelist names that are also ordinary words or parts of other places ("New Jersey").
const SKIPPED: &[&str] = &["Jersey", "Guernsey"];

/// "Bahamas (the)" → "Bahamas"; "Palestine, State of" → "Palestine"; "Falkland Islands (the)
/// [Malvinas]" → "Falkland Islands".
fn plain_name(codelist_name: &str) -> String {
    let cut = codelist_name
        .find([',', '(', '['])
        .unwrap_or(codelist_name.len());
    codelist_name[..cut].trim().to_string()
}

/// Every (ISO code, name) pair, hand-kept table first. A codelist name that would name two
/// countries ("Korea", "Congo") is left out.
pub static COUNTRY_NAMES: LazyLock<Vec<(&'static str, String)>> = LazyLock::new(|| {
    let mut out: Vec<(&'static str, String)> = Vec::new();
    for (iso, names) in COUNTRIES {
        out.extend(names.iter().map(|n| (*iso, (*n).to_string())));
    }
    for (iso, names) in NEWS_FORMS {
        out.extend(names.iter().map(|n| (*iso, (*n).to_string())));
    }
    let mut by_codelist: HashMap<String, Vec<&'static str>> = HashMap::new();
    for e in code_names::countries().iter().filter(|e| !e.withdrawn) {
        let name = plain_name(e.name);
        if !name.is_empty() && !SKIPPED.contains(&name.as_str()) {
            by_codelist.entry(name).or_default().push(e.code);
        }
    }
    let mut extra: Vec<(&'static str, String)> = by_codelist
        .into_iter()
        .filter(|(_, codes)| codes.len() == 1)
        .map(|(name, codes)| (codes[0], name))
        .collect();
    extra.sort();
    let known: std::collections::HashSet<String> = out.iter().map(|(_, n)| n.clone()).collect();
    out.extend(extra.into_iter().filter(|(_, n)| !known.contains(n)));
    let mut seen = std::collections::HashSet::new();
    out.retain(|(_, n)| seen.insert(n.clone()));
    out
});

/// Whether `iso` is an ISO 3166-1 alpha-2 code of a country the gazetteer knows.
pub fn is_country(iso: &str) -> bool {
    static CODES: LazyLock<std::collections::HashSet<&'static str>> =
        LazyLock::new(|| COUNTRY_NAMES.iter().map(|(iso, _)| *iso).collect());
    CODES.contains(iso)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_of(name: &str) -> Option<&'static str> {
        COUNTRY_NAMES
            .iter()
            .find(|(_, n)| n == name)
            .map(|(c, _)| *c)
    }

    #[test]
    fn every_current_iso_country_has_a_name() {
        for e in code_names::countries().iter().filter(|e| !e.withdrawn) {
            if ["JE", "GG"].contains(&e.code) {
                continue;
            }
            assert!(
                COUNTRY_NAMES.iter().any(|(c, _)| *c == e.code),
                "{} ({}) has no name",
                e.code,
                e.name
            );
        }
    }

    #[test]
    fn news_forms_and_codelist_names() {
        assert_eq!(code_of("Côte d'Ivoire"), Some("CI"));
        assert_eq!(code_of("Eswatini"), Some("SZ"));
        assert_eq!(code_of("North Macedonia"), Some("MK"));
        assert_eq!(code_of("the Gambia"), Some("GM"));
        assert_eq!(code_of("Marshall Islands"), Some("MH"));
        assert_eq!(code_of("Korea"), Some("KR"), "the hand table decides Korea");
        assert_eq!(code_of("Jersey"), None);
    }
}
