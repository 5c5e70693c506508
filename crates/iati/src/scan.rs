//! A byte scan for the identifiers that occur more than once in a file, without parsing it: an
//! import runs it before it writes the file, so that only the last copy of such an activity is
//! written, without holding the others (see `aidtrace_service::iati`).

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

/// How often each identifier occurs, for those that occur more than once, keyed by
/// [`identifier_key`] of the text the model reads (unescaped, trimmed). An identifier written
/// with markup inside it (CDATA, a comment) or an entity the scan does not know is not
/// counted, nor is `iati-identifier` with a namespace prefix: the count may miss a repeat, and
/// may count one inside a comment, never more.
pub fn repeated_identifiers<R: Read>(mut input: R) -> std::io::Result<HashMap<u64, u32>> {
    let open = memchr::memmem::Finder::new(OPEN);
    let close = memchr::memmem::Finder::new(CLOSE);
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
            let Some(gt) = memchr::memchr(b'>', window) else {
                if buf.len() - after_name > MAX_IDENTIFIER || done {
                    at = after_name;
                    continue;
                }
                keep = start;
                break;
            };
            let text_start = after_name + gt + 1;
            let Some(len) = close.find(&buf[text_start..]) else {
                if buf.len() - text_start > MAX_IDENTIFIER || done {
                    at = text_start;
                    continue;
                }
                keep = start;
                break;
            };
            let raw = &buf[text_start..text_start + len];
            if let Some(identifier) = identifier_text(raw) {
                *counts.entry(identifier_key(&identifier)).or_default() += 1;
            }
            at = text_start + len + CLOSE.len();
            keep = keep.max(at);
        }
        let keep = if done { buf.len() } else { keep.min(buf.len()) };
        buf.drain(..keep);
    }
    counts.retain(|_, n| *n > 1);
    Ok(counts)
}

/// The identifier as the model reads it, when the raw text is plain (no markup, known
/// entities only).
fn identifier_text(raw: &[u8]) -> Option<String> {
    if raw.len() > MAX_IDENTIFIER || raw.contains(&b'<') {
        return None;
    }
    let text = std::str::from_utf8(raw).ok()?;
    let unescaped = quick_xml::escape::unescape(text).ok()?;
    Some(unescaped.trim().to_owned())
}
