//! Country and currency codes looked up by what a person types: the code in any case ("KZ",
//! "kz"), the codelist name ("Kazakhstan", "Yen"), the name without its parenthesised part
//! ("Korea (the Republic of)" is also "Korea", unless that names two codes) or a reviewed alias
//! (`data/name_aliases.csv`: common English names and the ru/uk/kk names of the countries and
//! currencies aidtrace's users meet most). Forms, imports and the CLI share it so "Kazakhstan" means
//! the same everywhere; the stored value is always the code.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::codes::{CountryCode, CurrencyCode};
use crate::error::ValidationError;

const CURRENCIES_CSV: &str = include_str!("../data/currencies.csv");
const COUNTRIES_CSV: &str = include_str!("../data/countries.csv");
const ALIASES_CSV: &str = include_str!("../data/name_aliases.csv");

/// One codelist entry: code, name, withdrawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub code: &'static str,
    pub name: &'static str,
    pub withdrawn: bool,
}

/// Splits one line of the shipped lists: `code,name,flag` where the name may be quoted because
/// it holds commas ("Palestine, State of").
fn entry(line: &'static str) -> Option<Entry> {
    let (code, rest) = line.split_once(',')?;
    let (name, flag) = rest.rsplit_once(',')?;
    let name = name
        .strip_prefix('"')
        .and_then(|n| n.strip_suffix('"'))
        .unwrap_or(name);
    (!code.is_empty()).then_some(Entry {
        code,
        name,
        withdrawn: flag == "1",
    })
}

pub(crate) fn entries(csv: &'static str) -> Vec<Entry> {
    csv.lines().skip(1).filter_map(entry).collect()
}

/// Every country of the codelist, in its order (by name).
pub fn countries() -> &'static [Entry] {
    static LIST: OnceLock<Vec<Entry>> = OnceLock::new();
    LIST.get_or_init(|| entries(COUNTRIES_CSV))
}

/// Every currency of the codelist, in its order (by code).
pub fn currencies() -> &'static [Entry] {
    static LIST: OnceLock<Vec<Entry>> = OnceLock::new();
    LIST.get_or_init(|| entries(CURRENCIES_CSV))
}

/// Lower case, punctuation as spaces, single spaces, without the filler word "the", so
/// "Russian Federation (the)" and "russian federation" meet.
pub fn normalise(text: &str) -> String {
    let spaced: String = text
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    spaced
        .split_whitespace()
        .filter(|w| *w != "the")
        .collect::<Vec<_>>()
        .join(" ")
}

/// Normalised name → code. A key two current codes share ("korea" of KP and KR) is dropped
/// rather than guessed; a withdrawn code yields to a current one of the same name (BYR to BYN);
/// a full name wins over another entry's shortened one ("US Dollar" is USD, not "US Dollar (Next
/// day)" shortened).
fn index(list: &'static [Entry], alias_list: &str) -> HashMap<String, &'static str> {
    let full = names(list.iter().map(|e| (normalise(e.name), e)));
    let short = names(list.iter().filter_map(|e| {
        let (short, _) = e.name.split_once(" (")?;
        Some((normalise(short), e))
    }));
    let mut map = short;
    map.extend(full);
    for line in ALIASES_CSV.lines().skip(1) {
        let mut cols = line.split(',');
        if let (Some(l), Some(alias), Some(code)) = (cols.next(), cols.next(), cols.next())
            && l == alias_list
            && let Some(e) = list.iter().find(|e| e.code == code)
        {
            map.insert(normalise(alias), e.code);
        }
    }
    map
}

fn names<'a>(keys: impl Iterator<Item = (String, &'a Entry)>) -> HashMap<String, &'static str> {
    let mut map: HashMap<String, (&'static str, bool)> = HashMap::new();
    let mut ambiguous: Vec<String> = Vec::new();
    for (key, e) in keys {
        if key.is_empty() {
            continue;
        }
        match map.get(&key) {
            None => {
                map.insert(key, (e.code, e.withdrawn));
            }
            Some((code, _)) if *code == e.code => {}
            Some((_, true)) if !e.withdrawn => {
                map.insert(key, (e.code, e.withdrawn));
            }
            Some((_, false)) if e.withdrawn => {}
            Some(_) => ambiguous.push(key),
        }
    }
    for key in ambiguous {
        map.remove(&key);
    }
    map.into_iter().map(|(k, (code, _))| (k, code)).collect()
}

fn country_names() -> &'static HashMap<String, &'static str> {
    static MAP: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| index(countries(), "country"))
}

fn currency_names() -> &'static HashMap<String, &'static str> {
    static MAP: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| index(currencies(), "currency"))
}

impl CountryCode {
    /// The country a person means by `raw`: its code in any case or its name (see the module).
    pub fn lookup(raw: &str) -> Result<Self, ValidationError> {
        let t = raw.trim();
        if let Ok(c) = Self::parse(&t.to_uppercase()) {
            return Ok(c);
        }
        match country_names().get(&normalise(t)) {
            Some(code) => Self::parse(code),
            None => Err(ValidationError::new(
                "country",
                raw,
                "not a country code or name (e.g. KZ or Kazakhstan)",
            )
            .because(crate::error::ProblemId::NotACountry)),
        }
    }

    /// The codelist name of this country ("Kazakhstan").
    pub fn name(&self) -> &'static str {
        countries()
            .iter()
            .find(|e| e.code == self.as_str())
            .map_or("", |e| e.name)
    }
}

impl CurrencyCode {
    /// The currency a person means by `raw`: its code in any case or its name ("yen", "Tenge").
    pub fn lookup(raw: &str) -> Result<Self, ValidationError> {
        let t = raw.trim();
        if let Ok(c) = Self::parse(&t.to_uppercase()) {
            return Ok(c);
        }
        match currency_names().get(&normalise(t)) {
            Some(code) => Self::parse(code),
            None => Err(ValidationError::new(
                "currency",
                raw,
                "not a currency code or name (e.g. JPY or yen)",
            )
            .because(crate::error::ProblemId::NotACurrency)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn kazakhstan_by_code_and_name_in_any_case() {
        for raw in [
            "KZ",
            "kz",
            " Kz ",
            "Kazakhstan",
            "kazakhstan",
            "KAZAKHSTAN",
            "Казахстан",
        ] {
            assert_eq!(CountryCode::lookup(raw).unwrap().as_str(), "KZ", "{raw}");
        }
    }

    #[test]
    fn names_with_a_parenthesised_part_match_with_and_without_it() {
        assert_eq!(
            CountryCode::lookup("Russian Federation").unwrap().as_str(),
            "RU"
        );
        assert_eq!(
            CountryCode::lookup("Russian Federation (the)")
                .unwrap()
                .as_str(),
            "RU"
        );
        assert_eq!(CountryCode::lookup("Bolivia").unwrap().as_str(), "BO");
        assert_eq!(CountryCode::lookup("South Korea").unwrap().as_str(), "KR");
    }

    #[test]
    fn an_ambiguous_short_name_is_refused_not_guessed() {
        let e = CountryCode::lookup("Korea").unwrap_err();
        assert_eq!(e.field, "country");
        assert_eq!(e.value, "Korea");
    }

    #[test]
    fn unknown_countries_are_refused_with_the_value() {
        let e = CountryCode::lookup("Atlantis").unwrap_err();
        assert_eq!(e.value, "Atlantis");
        assert!(e.message.contains("Kazakhstan"));
        assert!(CountryCode::lookup("").is_err());
    }

    #[test]
    fn currencies_by_code_or_name() {
        for (raw, code) in [
            ("JPY", "JPY"),
            ("jpy", "JPY"),
            ("yen", "JPY"),
            ("Yen", "JPY"),
            ("tenge", "KZT"),
            ("US Dollar", "USD"),
            ("euro", "EUR"),
            ("Belarussian Ruble", "BYN"),
            ("гривня", "UAH"),
        ] {
            assert_eq!(CurrencyCode::lookup(raw).unwrap().as_str(), code, "{raw}");
        }
        assert_eq!(
            CurrencyCode::lookup("doubloon").unwrap_err().field,
            "currency"
        );
    }

    #[test]
    fn every_alias_names_a_listed_code() {
        for line in ALIASES_CSV.lines().skip(1) {
            let cols: Vec<&str> = line.split(',').collect();
            assert_eq!(cols.len(), 3, "{line}");
            let ok = match cols[0] {
                "country" => CountryCode::lookup(cols[1]).map(|c| c.to_string()),
                "currency" => CurrencyCode::lookup(cols[1]).map(|c| c.to_string()),
                other => panic!("unknown list {other}"),
            };
            assert_eq!(ok.unwrap(), cols[2], "{line}");
        }
    }

    #[test]
    fn quoted_names_keep_their_commas() {
        assert_eq!(
            CountryCode::lookup("Palestine, State of").unwrap().as_str(),
            "PS"
        );
        assert_eq!(
            CountryCode::parse("PS").unwrap().name(),
            "Palestine, State of"
        );
    }

    proptest! {
        #[test]
        fn every_country_is_found_by_code_and_by_name(i in 0usize..1000, upper in any::<bool>()) {
            let list = countries();
            let e = list[i % list.len()];
            let code = if upper { e.code.to_string() } else { e.code.to_lowercase() };
            prop_assert_eq!(CountryCode::lookup(&code).unwrap().to_string(), e.code);
            let name = if upper { e.name.to_uppercase() } else { e.name.to_lowercase() };
            prop_assert_eq!(CountryCode::lookup(&name).unwrap().to_string(), e.code);
        }

        #[test]
        fn every_current_currency_is_found_by_code_and_by_name(i in 0usize..1000, upper in any::<bool>()) {
            let list = currencies();
            let e = list[i % list.len()];
            let code = if upper { e.code.to_string() } else { e.code.to_lowercase() };
            prop_assert_eq!(CurrencyCode::lookup(&code).unwrap().to_string(), e.code);
            // A withdrawn code shares its name with its successor (BYR, BYN): the name means the
            // current one.
            // Two current codes may share a name (SLL and SLE are both "Leone"): such a name is
            // refused as ambiguous rather than guessed.
            let twins = list.iter().filter(|o| !o.withdrawn && normalise(o.name) == normalise(e.name)).count();
            if !e.withdrawn && twins == 1 {
                let found = CurrencyCode::lookup(&e.name.to_lowercase()).unwrap();
                prop_assert_eq!(found.as_str(), e.code);
            }
        }

        #[test]
        fn any_text_gives_a_code_or_an_error_never_a_panic(s in "\\PC{0,40}") {
            if let Ok(c) = CountryCode::lookup(&s) {
                prop_assert!(CountryCode::parse(c.as_str()).is_ok());
            }
            if let Ok(c) = CurrencyCode::lookup(&s) {
                prop_assert!(CurrencyCode::parse(c.as_str()).is_ok());
            }
        }
    }
}
