//! Sentence segmentation: where one sentence ends and the next begins (abbreviations and
//! numbered paragraphs included), and the char-boundary helpers the byte windows use. Apart
//! because every later stage works sentence by sentence and none of it knows about amounts.

use super::Sentence;

pub(super) fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

pub(super) fn ceil_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

const ABBREVIATIONS: &[&str] = &[
    "U.S", "U.K", "Rs", "Nu", "Tk", "Mr", "Mrs", "Ms", "Dr", "No", "approx", "St", "Inc", "Ltd",
    "Co", "vs", "e.g", "i.e", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept",
    "Oct", "Nov", "Dec", "Gov", "Prof", "Amb", "H.E", "Rep", "Sen", "Gen", "Col", "Lt", "etc",
    "Jr", "Sr", "U.N", "E.U",
];

pub(super) fn split_sentences(text: &str) -> Vec<Sentence> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let boundary_end = if b == b'\n' {
            Some(i + 1)
        } else if matches!(b, b'.' | b'!' | b'?') {
            let mut j = i + 1;
            while j < bytes.len() && matches!(bytes[j], b'"' | b'\'' | b')') {
                j += 1;
            }
            let followed_by_space = j >= bytes.len() || bytes[j] == b' ' || bytes[j] == b'\t';
            let next_starts = {
                let mut k = j;
                while k < bytes.len() && bytes[k] == b' ' {
                    k += 1;
                }
                k >= bytes.len()
                    || bytes[k].is_ascii_uppercase()
                    || bytes[k].is_ascii_digit()
                    || matches!(bytes[k], b'"' | b'\'' | b'(' | b'\n')
                    || bytes[k] >= 0x80
            };
            let word_start = text[..i]
                .rfind(|c: char| c.is_whitespace() || c == '(')
                .map_or(0, |p| p + 1);
            let word = text.get(word_start..i).unwrap_or("");
            // "1. On March 14 …": a list number at the start of a line opens a sentence.
            let list_number = (1..=2).contains(&word.len())
                && word.bytes().all(|c| c.is_ascii_digit())
                && (word_start == start
                    || text[..word_start]
                        .trim_end_matches([' ', '\t'])
                        .ends_with('\n'));
            let is_abbrev = b == b'.'
                && (list_number
                    || ABBREVIATIONS.iter().any(|a| a.eq_ignore_ascii_case(word))
                    || (word.len() == 1 && word.chars().all(|c| c.is_ascii_uppercase())));
            if followed_by_space && next_starts && !is_abbrev {
                Some(j)
            } else {
                None
            }
        } else {
            None
        };
        if let Some(end) = boundary_end {
            if text[start..end].trim().len() > 1 {
                out.push(Sentence { start, end });
            }
            start = end;
            i = end;
        } else {
            i += 1;
        }
    }
    if start < text.len() && !text[start..].trim().is_empty() {
        out.push(Sentence {
            start,
            end: text.len(),
        });
    }
    out
}
