//! Which language a pasted text is in, as far as intake needs to know: the extractor reads
//! English, and a release in another script must be refused by name ("this text is in Russian")
//! rather than answered with "no aid facts found".
//!
//! Detection is by script, then by the letters that only one language of that script uses:
//! Kazakh ә ғ қ ң ө ұ ү һ, Ukrainian ї є ґ (or і without Russian ы/э/ъ), else Russian; kana is
//! Japanese, hangul Korean, other Han text Chinese, Arabic script Arabic. A text counts as written
//! in a script when more than half its letters are in it, so an English article quoting a Russian
//! name or a Chinese programme title is still read.

/// The language of a text intake does not read, or `None` when the text is (mostly) in Latin
/// script and is read as English.
pub fn unread_language(text: &str) -> Option<&'static str> {
    let (mut letters, mut cyrillic, mut kana, mut hangul, mut han, mut arabic) = (0, 0, 0, 0, 0, 0);
    let (mut kazakh, mut ukrainian, mut russian) = (0, 0, 0);
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        letters += 1;
        match c {
            '\u{0400}'..='\u{04FF}' => {
                cyrillic += 1;
                match c.to_lowercase().next().unwrap_or(c) {
                    'ә' | 'ғ' | 'қ' | 'ң' | 'ө' | 'ұ' | 'ү' | 'һ' => kazakh += 1,
                    'ї' | 'є' | 'ґ' | 'і' => ukrainian += 1,
                    'ы' | 'э' | 'ъ' | 'ё' => russian += 1,
                    _ => {}
                }
            }
            '\u{3040}'..='\u{30FF}' => kana += 1,
            '\u{AC00}'..='\u{D7AF}' | '\u{1100}'..='\u{11FF}' => hangul += 1,
            '\u{4E00}'..='\u{9FFF}' => han += 1,
            '\u{0600}'..='\u{06FF}' => arabic += 1,
            _ => {}
        }
    }
    let majority = |n: usize| n * 2 > letters;
    if majority(cyrillic) {
        return Some(if kazakh > 0 {
            "Kazakh"
        } else if ukrainian > russian {
            "Ukrainian"
        } else {
            "Russian"
        });
    }
    if majority(kana + han) {
        return Some(if kana > 0 { "Japanese" } else { "Chinese" });
    }
    if majority(hangul) {
        return Some("Korean");
    }
    if majority(arabic) {
        return Some("Arabic");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::unread_language;

    #[test]
    fn a_russian_release_is_named_russian() {
        let text = "Правительство Японии передало больнице в Караганде аппараты УЗИ на сумму 50 млн тенге.";
        assert_eq!(unread_language(text), Some("Russian"));
    }

    #[test]
    fn a_ukrainian_release_is_named_ukrainian() {
        let text = "Уряд Японії передав лікарні в Житомирі генератори на суму 2 мільйони євро.";
        assert_eq!(unread_language(text), Some("Ukrainian"));
    }

    #[test]
    fn a_kazakh_release_is_named_kazakh() {
        let text = "Жапония үкіметі Қарағанды ауруханасына медициналық жабдық берді.";
        assert_eq!(unread_language(text), Some("Kazakh"));
    }

    #[test]
    fn an_english_release_quoting_a_russian_name_is_read() {
        let text = "Korea handed over $2 million of equipment to the hospital (Областная больница) in Karaganda, the ministry said on Monday.";
        assert_eq!(unread_language(text), None);
    }

    #[test]
    fn japanese_and_empty_text() {
        assert_eq!(
            unread_language("日本政府はカザフスタンに無償資金協力を行う。"),
            Some("Japanese")
        );
        assert_eq!(unread_language(""), None);
        assert_eq!(unread_language("12 345"), None);
    }
}
