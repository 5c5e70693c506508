//! A byte scan for the identifiers of a file and how often each occurs, without parsing it: an
//! import runs it before it writes the file, so that only the last copy of a repeated activity
//! is written, and an activity whose parent the file does not hold need not wait for the end of
//! the file (see `aidtrace_service::iati`).

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
use std::io::Read;

const OPEN: &[u8] = b"<iati-identifier";
const CLOSE: &[u8] = b"</iati-identifier";
/// Longer texts are not identifiers anyone publishes; they are skipped, not counted.
const MAX_IDENTIFIER: usize = 4096;
const BLOCK: usize = 1 << 20;

/// The key an identifier is counted under: a 64-bit hash, so a file of a million activities
/// costs a few megabytes. Two identifiers with one key count as repeats of each other, which
/// only makes an import hold one more copy back.
pub fn identifier_key(identifier: &str) -> u64 {
    BuildHasherDefault::<DefaultHasher>::default().hash_one(identifier)
}

/// How often each identifier occurs, keyed by [`identifier_key`] of the text the model reads
/// (unescaped, trimmed). An identifier written
/// with markup inside it (CDATA, a comment) or an entity the scan does not know is not
/// counted, nor is `iati-identifier` with a namespace prefix: the count may miss a repeat, and
/// may count one inside a comment, never more.
pub fn identifier_counts<R: Read>(mut input: R) -> std::io::Result<HashMap<u64, u32>> {
    let open = memchr::memmem::Finder::new(OPEN);
    let mut counts: HashMap<u64, u32> = HashMap::new();
    let mut buf: Vec<u8> = Vec::with_capacity(2 * BLOCK);
    let mut done = false;
    while !done {
        let read = input.by_ref().take(BLOCK as u64).read_to_end(&mut buf)?;
        done = read == 0;
        let mut at = 0;
        // Everything before `keep` has been scanned; what follows may be a tag cut in two.
        let mut keep = buf.len().saturating_sub(OPEN.len());
        while let Some(found) = open.find(&buf[at..]) {
            let start = at + found;
            let after_name = start + OPEN.len();
            let Some(&next) = buf.get(after_name) else {
                keep = start;
                break;
            };
            if !(next == b'>' || next.is_ascii_whitespace()) {
                at = after_name;
                continue;
            }
            let window = &buf[after_name..buf.len().min(after_name + MAX_IDENTIFIER)];
            let Some(gt) = tag_end(window) else {
                if buf.len() - after_name > MAX_IDENTIFIER || done {
                    at = after_name;
                    continue;
                }
                keep = start;
                break;
            };
            let text_start = after_name + gt + 1;
            if gt > 0 && window[gt - 1] == b'/' {
                // An empty element: no identifier.
                at = text_start;
                continue;
            }
            // The text runs to the next markup, which must be the closing tag.
            let text_window = &buf[text_start..buf.len().min(text_start + MAX_IDENTIFIER)];
            let Some(lt) = memchr::memchr(b'<', text_window) else {
                if buf.len() - text_start > MAX_IDENTIFIER || done {
                    at = text_start;
                    continue;
                }
                keep = start;
                break;
            };
            let close_at = text_start + lt;
            if buf.len() < close_at + CLOSE.len() && !done {
                keep = start;
                break;
            }
            if !buf[close_at..].starts_with(CLOSE) {
                // Markup inside the identifier (CDATA, a comment, an element): not counted.
                at = close_at;
                continue;
            }
            if let Some(identifier) = identifier_text(&buf[text_start..close_at]) {
                *counts.entry(identifier_key(&identifier)).or_default() += 1;
            }
            at = close_at + CLOSE.len();
            keep = keep.max(at);
        }
        let keep = if done { buf.len() } else { keep.min(buf.len()) };
        buf.drain(..keep);
    }
    Ok(counts)
}

/// Where a start tag's `>` is, outside quoted attribute values.
fn tag_end(tag: &[u8]) -> Option<usize> {
    let mut quote: Option<u8> = None;
    for (i, &b) in tag.iter().enumerate() {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'>') => return Some(i),
            (None, b'<') => return None,
            _ => {}
        }
    }
    None
}

/// The identifier as the model reads it, when the raw text is plain (no markup, known
/// entities only).
fn identifier_text(raw: &[u8]) -> Option<String> {
    if raw.len() > MAX_IDENTIFIER {
        return None;
    }
    let text = std::str::from_utf8(raw).ok()?;
    let unescaped = quick_xml::escape::unescape(text).ok()?;
    Some(unescaped.trim().to_owned())
}
