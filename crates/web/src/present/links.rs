//! Addresses as pages write them: percent-encoding of values, the language switch's link, and
//! reading a cookie from request headers.

use axum::http::{HeaderMap, header};

/// Percent-encodes a value for a path segment or a query value. Letters, digits and `-_.:`
/// stay as they are (`:` is allowed in both places by RFC 3986 and keeps `KZ:Abai` and
/// `G30:30:2` readable); everything else, spaces and `&=?#/%` included, is encoded.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b':' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The link that shows the page of `query` in `lang`: a query-only reference (the browser keeps
/// the path, so the link can never lead to another site), with the other parameters kept as
/// they came and `lang` replaced.
pub fn lang_href(query: &str, lang: &str) -> String {
    let mut kept: Vec<&str> = query
        .split('&')
        .filter(|kv| !kv.is_empty() && kv.split('=').next() != Some("lang"))
        .collect();
    let own = format!("lang={lang}");
    kept.push(&own);
    format!("?{}", kept.join("&"))
}

/// The value of cookie `name` in the request's headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_characters_are_encoded_and_readable_ones_kept() {
        assert_eq!(urlencode("KZ:Abai region"), "KZ:Abai%20region");
        assert_eq!(urlencode("a&b=c?d#e/f%"), "a%26b%3Dc%3Fd%23e%2Ff%25");
        assert_eq!(
            urlencode("Қазақстан"),
            "%D2%9A%D0%B0%D0%B7%D0%B0%D2%9B%D1%81%D1%82%D0%B0%D0%BD"
        );
    }

    #[test]
    fn the_language_link_keeps_the_other_parameters() {
        assert_eq!(
            lang_href("country=KZ&lang=en&kind=commitment", "ru"),
            "?country=KZ&kind=commitment&lang=ru"
        );
        assert_eq!(lang_href("", "kk"), "?lang=kk");
        assert_eq!(lang_href("language=x&lang=uk", "en"), "?language=x&lang=en");
    }
}
