//! One file, all cores: the file is cut into chunks of whole activities, and each chunk is
//! parsed and checked on its own behind a copy of the root start tag (which carries the
//! namespace declarations), with positions re-based to the original file.
//!
//! The fast path only has to be right for the ordinary file. Anything unusual (a DOCTYPE, a
//! root that is not a list, text or extension elements between activities, an XML error, an
//! activity larger than [`MAX_CHUNK`]) makes the caller finish the file sequentially, from the
//! first unit not yet delivered; the sequential path gives the exact finding and position.
//! Reports from both paths are therefore identical, which the tests check on every real file.

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::sync::mpsc;

use crate::reader::{Unit, UnitReader};
use crate::schema::{self, Schema};
use crate::xml::{Limits, count_chars, count_newlines};

/// Chunks are cut at the first activity boundary after this many bytes: small enough to
/// keep both cores busy on a 1 MB file, large enough that the per-chunk set-up is noise.
pub const CHUNK_TARGET: usize = 256 * 1024;
/// A chunk that grows beyond this without an activity boundary ends the fast path, which
/// keeps memory bounded whatever the file holds.
pub const MAX_CHUNK: usize = 64 * 1024 * 1024;
const READ_BLOCK: usize = 1024 * 1024;
/// Chunks sent but not yet handed out, per worker: enough to keep every worker busy while
/// one chunk is slow, few enough that memory stays a few chunks' worth.
const MAX_IN_FLIGHT_PER_THREAD: usize = 3;

/// The file's prologue and root start tag, and what the root's children are called.
#[derive(Debug, Clone)]
pub(crate) struct Head {
    pub bytes: Vec<u8>,
    pub unit_open: &'static [u8],
    pub unit_close: &'static [u8],
    pub root_close: &'static [u8],
}

/// Finds the end of the root start tag in `buf`, if the prologue is the ordinary kind
/// (declaration, comments, processing instructions, whitespace) and the root is a list root.
pub(crate) fn find_head(buf: &[u8]) -> Option<Head> {
    let mut i = if buf.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    loop {
        while buf.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
            i += 1;
        }
        let rest = buf.get(i..)?;
        if rest.starts_with(b"<?") {
            i += memchr::memmem::find(rest, b"?>")? + 2;
        } else if rest.starts_with(b"<!--") {
            i += memchr::memmem::find(rest, b"-->")? + 3;
        } else if rest.starts_with(b"<") {
            break;
        } else {
            return None;
        }
    }
    let rest = &buf[i + 1..];
    let name_len = rest
        .iter()
        .position(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/')?;
    let (unit_open, unit_close, root_close): (&[u8], &[u8], &[u8]) = match &rest[..name_len] {
        b"iati-activities" => (
            b"<iati-activity",
            b"</iati-activity>",
            b"</iati-activities>",
        ),
        b"iati-organisations" => (
            b"<iati-organisation",
            b"</iati-organisation>",
            b"</iati-organisations>",
        ),
        _ => return None,
    };
    // The tag ends at the first `>` outside a quoted attribute value (values may hold `>`).
    let mut quote = None;
    let mut j = i + 1 + name_len;
    loop {
        let b = *buf.get(j)?;
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if q == b => quote = None,
            (None, b'>') => break,
            (None, b'<') => return None,
            _ => {}
        }
        j += 1;
    }
    if buf[j - 1] == b'/' {
        return None;
    }
    Some(Head {
        bytes: buf[..=j].to_vec(),
        unit_open,
        unit_close,
        root_close,
    })
}

/// Where the first activity boundary at or after `from` is: just before a unit start tag
/// that follows a unit end tag and only whitespace. `Err(resume)` when the buffer ends
/// before one is found: searching again from `resume` once more bytes are in loses nothing.
fn next_boundary(buf: &[u8], from: usize, head: &Head) -> Result<usize, usize> {
    let finder = memchr::memmem::Finder::new(head.unit_close);
    let mut at = from;
    while let Some(m) = finder.find(&buf[at..]) {
        let end = at + m + head.unit_close.len();
        let mut k = end;
        while buf.get(k).is_some_and(|b| b.is_ascii_whitespace()) {
            k += 1;
        }
        let open = head.unit_open;
        match buf.get(k..k + open.len() + 1) {
            Some(next)
                if next.starts_with(open)
                    && matches!(next[open.len()], b' ' | b'\t' | b'\r' | b'\n' | b'>' | b'/') =>
            {
                return Ok(k);
            }
            // Not enough bytes to tell: look at this end tag again when more have arrived.
            None => return Err(at + m),
            Some(_) => at = end,
        }
    }
    Err(buf.len().saturating_sub(head.unit_close.len()).max(from))
}

/// Line and 0-based column after a run of bytes, counted as the XML parser counts them.
#[derive(Debug, Clone, Copy)]
struct Origin {
    line: u64,
    column0: u64,
}

impl Origin {
    fn advance(&mut self, bytes: &[u8]) {
        let newlines = count_newlines(bytes);
        match memchr::memrchr(b'\n', bytes) {
            Some(nl) => {
                self.line += newlines;
                self.column0 = count_chars(&bytes[nl + 1..]);
            }
            None => self.column0 += count_chars(bytes),
        }
    }
}

struct Chunk {
    index: usize,
    /// The file's prologue and root start tag, the chunk, and (but for the last chunk) the
    /// root end tag: a document the sequential reader can parse on its own.
    doc: Vec<u8>,
    origin: Origin,
    /// Offset in the file just after this chunk, for progress reports.
    end_offset: u64,
}

/// Why the fast path stopped; the caller continues sequentially.
#[derive(Debug)]
pub(crate) struct Fallback;

/// A checked chunk: its results and the file offset after it, or the request to fall back.
type Done<T> = Result<(Vec<T>, u64), Fallback>;

/// Runs `work` on every unit of the file, in order, on `threads` threads, handing each result
/// to `each` with the number of file bytes read so far. Returns how many units were handed
/// to `each` and whether the rest must be done sequentially.
///
/// Units that are not the root's list element (extensions) are never handed out here: they
/// make the fast path stop, because the sequential reader's content model decides about them.
pub(crate) fn run_chunked<R, T, W, E>(
    mut input: R,
    limits: Limits,
    threads: usize,
    work: &W,
    each: &mut E,
) -> io::Result<(usize, Option<Fallback>, Option<Head>)>
where
    R: Read,
    T: Send,
    W: Fn(&'static Schema, Unit) -> T + Sync,
    E: FnMut(T, u64),
{
    let mut buf = Vec::with_capacity(READ_BLOCK * 2);
    let eof = fill(&mut input, &mut buf, READ_BLOCK)?;
    let Some(head) = find_head(&buf) else {
        return Ok((0, Some(Fallback), None));
    };
    let schema = if head.root_close == b"</iati-organisations>" {
        schema::organisations()
    } else {
        schema::activities()
    };
    let mut origin = Origin {
        line: 1,
        column0: 0,
    };
    origin.advance(&head.bytes);
    buf.drain(..head.bytes.len());
    let mut offset = head.bytes.len() as u64;

    let threads = threads.max(1);
    let (chunk_tx, chunk_rx) = mpsc::sync_channel::<Chunk>(threads * 2);
    let chunk_rx = std::sync::Mutex::new(chunk_rx);
    let (result_tx, result_rx) = mpsc::channel::<(usize, Done<T>)>();
    let mut delivered = 0usize;
    let mut fallback = None;
    let head_ref = &head;
    let read_error = std::thread::scope(|s| {
        for _ in 0..threads {
            let result_tx = result_tx.clone();
            let chunk_rx = &chunk_rx;
            s.spawn(move || {
                loop {
                    let next = match chunk_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok(chunk) = next else { return };
                    // A panic in one chunk must not leave the reader waiting for its result:
                    // the chunk goes to the sequential path, which panics in plain sight.
                    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        check_chunk(&chunk, &head_ref.unit_open[1..], limits, schema, work)
                    }))
                    .unwrap_or(Err(Fallback))
                    .map(|units| (units, chunk.end_offset));
                    if result_tx.send((chunk.index, out)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(result_tx);
        let mut delivery = Delivery::new();
        let mut sent = 0usize;
        // Bytes of `buf` already cut into chunks; moved out only before the next read.
        let mut cut_to = 0usize;
        let mut scan_from = 0usize;
        let mut eof = eof;
        let mut read_error = None;
        let mut stop = false;
        while !stop {
            // Cut as many chunks as the buffer holds, then read on.
            loop {
                let rest = &buf[cut_to..];
                if rest.len() < CHUNK_TARGET && !eof {
                    break;
                }
                let boundary = if eof && rest.len() < CHUNK_TARGET {
                    Err(rest.len())
                } else {
                    next_boundary(rest, scan_from.max(CHUNK_TARGET.min(rest.len())), head_ref)
                };
                let (cut, last) = match boundary {
                    Ok(k) => (k, false),
                    Err(_) if eof => (rest.len(), true),
                    Err(resume) => {
                        scan_from = resume;
                        break;
                    }
                };
                let bytes = &rest[..cut];
                let close: &[u8] = if last { b"" } else { head_ref.root_close };
                let mut doc = Vec::with_capacity(head_ref.bytes.len() + cut + close.len());
                doc.extend_from_slice(&head_ref.bytes);
                doc.extend_from_slice(bytes);
                doc.extend_from_slice(close);
                let chunk_origin = origin;
                origin.advance(bytes);
                offset += cut as u64;
                cut_to += cut;
                scan_from = 0;
                let chunk = Chunk {
                    index: sent,
                    doc,
                    origin: chunk_origin,
                    end_offset: offset,
                };
                // Finished results wait until the chunks before them are done; capping what
                // is in flight keeps that bounded behind one slow chunk.
                let in_flight = MAX_IN_FLIGHT_PER_THREAD * threads - 1;
                if let Err(f) = delivery.wait_until(&result_rx, sent, in_flight, each) {
                    fallback = Some(f);
                    stop = true;
                    break;
                }
                sent += 1;
                if chunk_tx.send(chunk).is_err() {
                    stop = true;
                    break;
                }
                while let Ok((i, r)) = result_rx.try_recv() {
                    if let Err(f) = delivery.take(i, r, each) {
                        fallback = Some(f);
                        stop = true;
                        break;
                    }
                }
                if stop {
                    break;
                }
                if last {
                    stop = true;
                    break;
                }
            }
            if stop {
                break;
            }
            buf.drain(..cut_to);
            cut_to = 0;
            if buf.len() > MAX_CHUNK {
                fallback = Some(Fallback);
                break;
            }
            match fill(&mut input, &mut buf, READ_BLOCK) {
                Ok(done) => eof = done,
                Err(e) => {
                    read_error = Some(e);
                    break;
                }
            }
        }
        drop(chunk_tx);
        if fallback.is_none()
            && read_error.is_none()
            && let Err(f) = delivery.wait_until(&result_rx, sent, 0, each)
        {
            fallback = Some(f);
        }
        delivered = delivery.delivered;
        // Workers finish the chunks already queued (at most a few per worker, see
        // MAX_IN_FLIGHT_PER_THREAD) and stop when the chunk channel closes; after a fallback
        // or a read error their results are dropped.
        read_error
    });
    if let Some(e) = read_error {
        return Err(e);
    }
    Ok((delivered, fallback, Some(head)))
}

/// Hands finished chunks to the caller in file order, whatever order the workers finish in.
struct Delivery<T> {
    pending: BTreeMap<usize, Done<T>>,
    next: usize,
    delivered: usize,
}

impl<T> Delivery<T> {
    fn new() -> Self {
        Delivery {
            pending: BTreeMap::new(),
            next: 0,
            delivered: 0,
        }
    }

    /// Takes chunk `index`'s result and delivers every chunk now in order; `Err` once a chunk
    /// asked for the sequential path (nothing of that chunk is delivered).
    fn take(
        &mut self,
        index: usize,
        result: Done<T>,
        each: &mut impl FnMut(T, u64),
    ) -> Result<(), Fallback> {
        self.pending.insert(index, result);
        while let Some(r) = self.pending.remove(&self.next) {
            let (units, end_offset) = r?;
            self.delivered += units.len();
            units.into_iter().for_each(|u| each(u, end_offset));
            self.next += 1;
        }
        Ok(())
    }

    /// Waits for results until at most `in_flight` of the `sent` chunks are undelivered. Workers
    /// that are all gone with results missing also mean the sequential path.
    fn wait_until(
        &mut self,
        results: &mpsc::Receiver<(usize, Done<T>)>,
        sent: usize,
        in_flight: usize,
        each: &mut impl FnMut(T, u64),
    ) -> Result<(), Fallback> {
        while sent - self.next > in_flight {
            let (index, result) = results.recv().map_err(|_| Fallback)?;
            self.take(index, result, each)?;
        }
        Ok(())
    }
}

/// Reads up to `block` more bytes; true at end of input. (`read_to_end` fills spare capacity
/// without zeroing it first, which showed in profiles as page clearing and memset.)
fn fill<R: Read>(input: &mut R, buf: &mut Vec<u8>, block: usize) -> io::Result<bool> {
    let wanted = block as u64;
    let got = input.by_ref().take(wanted).read_to_end(buf)?;
    Ok((got as u64) < wanted)
}

fn check_chunk<T, W>(
    chunk: &Chunk,
    unit_name: &[u8],
    limits: Limits,
    schema: &'static Schema,
    work: &W,
) -> Result<Vec<T>, Fallback>
where
    W: Fn(&'static Schema, Unit) -> T,
{
    let mut units = UnitReader::for_chunk(
        &chunk.doc[..],
        limits,
        (chunk.origin.line, chunk.origin.column0),
    );
    let mut out = Vec::new();
    loop {
        match units.next_unit() {
            Ok(Some(unit)) => {
                let el = &unit.element;
                if el.ns.is_some() || el.name.as_bytes() != unit_name || unit.ty.is_none() {
                    return Err(Fallback);
                }
                out.push(work(schema, unit));
            }
            Ok(None) => break,
            Err(_) => return Err(Fallback),
        }
    }
    if !units.root_errors().is_empty() || out.is_empty() {
        return Err(Fallback);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_is_found_past_declaration_comments_and_quoted_gt() {
        let doc = b"\xEF\xBB\xBF<?xml version='1.0'?>\n<!-- a > b -->\n<iati-activities version=\"2.03\" x='a>b'>\n<iati-activity>";
        let head = find_head(doc).expect("head");
        assert!(head.bytes.ends_with(b"x='a>b'>"));
        assert_eq!(head.unit_open, b"<iati-activity");
    }

    #[test]
    fn unusual_prologues_take_the_sequential_path() {
        assert!(find_head(b"<!DOCTYPE x><iati-activities>").is_none());
        assert!(find_head(b"<iati-activity>").is_none());
        assert!(find_head(b"<iati-activities/>").is_none());
        assert!(find_head(b"<iati-activities version='2.03'").is_none());
    }

    #[test]
    fn boundaries_need_an_end_tag_then_only_whitespace_then_a_start_tag() {
        let head = find_head(b"<iati-activities>").expect("head");
        let buf = b"<iati-activity>a</iati-activity>\n  <iati-activity>b</iati-activity><!-- c --><iati-activity/>";
        let first = next_boundary(buf, 0, &head).expect("one boundary");
        assert_eq!(&buf[first..first + 15], b"<iati-activity>");
        // After the second end tag comes a comment: no boundary there, and the buffer then
        // ends before anything decides, so the search asks for more bytes.
        assert!(next_boundary(buf, first + 1, &head).is_err());
        let lookalike = b"</iati-activity><iati-activityx>";
        assert!(next_boundary(lookalike, 0, &head).is_err());
    }

    fn many_activities(n: usize) -> Vec<u8> {
        let mut doc = String::from("<iati-activities version=\"2.03\">\n");
        for i in 0..n {
            doc.push_str(&format!(
                "<iati-activity><iati-identifier>X-{i}</iati-identifier></iati-activity>\n"
            ));
        }
        doc.push_str("</iati-activities>\n");
        doc.into_bytes()
    }

    #[test]
    fn every_unit_is_delivered_once_in_order() {
        let doc = many_activities(40_000);
        let mut seen = Vec::new();
        let (delivered, fallback, _) = run_chunked(
            &doc[..],
            Limits::default(),
            2,
            &|_, unit: Unit| unit.element.line,
            &mut |line, _| seen.push(line),
        )
        .expect("in memory");
        assert!(fallback.is_none());
        assert_eq!(delivered, 40_000);
        assert_eq!(seen, (2..40_002).collect::<Vec<u64>>());
    }

    #[test]
    fn a_panicking_chunk_becomes_a_fallback_not_a_hang() {
        let doc = many_activities(40_000);
        let (delivered, fallback, _) = run_chunked(
            &doc[..],
            Limits::default(),
            2,
            &|_, unit: Unit| {
                assert!(unit.element.line != 30_000, "deliberate");
                unit.element.line
            },
            &mut |_, _| {},
        )
        .expect("in memory");
        assert!(fallback.is_some());
        assert!(delivered < 30_000);
    }

    #[test]
    fn origin_counts_lines_and_characters_like_the_parser() {
        let mut o = Origin {
            line: 1,
            column0: 0,
        };
        o.advance("ab\ncdé".as_bytes());
        assert_eq!((o.line, o.column0), (2, 3));
        o.advance(b"xy");
        assert_eq!((o.line, o.column0), (2, 5));
    }
}
