//! Hostile input: every case ends in a clear error or a bounded, correct result, never a panic.

use std::io::{BufReader, Read};

use aidtrace_iati::reader::ActivityReader;
use aidtrace_iati::validate::{Layer, Options, validate_reader};
use proptest::prelude::*;

fn validate(bytes: &[u8]) -> aidtrace_iati::validate::Report {
    validate_reader("t.xml", BufReader::new(bytes), &Options::default())
}

fn xml_error(bytes: &[u8]) -> (String, u64, u64) {
    let r = validate(bytes);
    assert!(!r.summary.well_formed, "expected a refusal");
    let e = r
        .file_errors
        .iter()
        .find(|e| e.layer == Layer::Xml)
        .expect("an xml-layer error");
    (e.message.clone(), e.line, e.column)
}

#[test]
fn billion_laughs_is_refused() {
    let doc = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
]>
<iati-activities version="2.03"><iati-activity>&lol2;</iati-activity></iati-activities>"#;
    let (msg, line, _) = xml_error(doc.as_bytes());
    assert!(msg.contains("DOCTYPE"), "{msg}");
    assert_eq!(line, 2);
}

#[test]
fn external_entities_are_refused() {
    let doc = "<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n<iati-activities>&xxe;</iati-activities>";
    assert!(xml_error(doc.as_bytes()).0.contains("DOCTYPE"));
    // Without a DTD, an entity reference cannot resolve to anything.
    let doc =
        "<iati-activities version=\"2.03\"><iati-activity>&xxe;</iati-activity></iati-activities>";
    assert!(xml_error(doc.as_bytes()).0.contains("xxe"));
}

#[test]
fn depth_attribute_and_token_limits() {
    let deep = format!(
        "<iati-activities>{}{}</iati-activities>",
        "<a>".repeat(100_000),
        "</a>".repeat(100_000)
    );
    assert!(xml_error(deep.as_bytes()).0.contains("nesting"));
    let mut many = String::from("<iati-activities version=\"2.03\"><iati-activity");
    for i in 0..10_000 {
        many.push_str(&format!(" a{i}=\"x\""));
    }
    many.push_str("/></iati-activities>");
    assert!(xml_error(many.as_bytes()).0.contains("attributes"));
    // A 40 MB narrative, produced lazily so the test itself stays small.
    let head = b"<iati-activities version=\"2.03\"><iati-activity><title><narrative>".to_vec();
    let body = std::io::repeat(b'x').take(40 * 1024 * 1024);
    let input = BufReader::new(head.as_slice().chain(body));
    let r = validate_reader("big.xml", input, &Options::default());
    assert!(!r.summary.well_formed);
    assert!(
        r.file_errors[0].message.contains("limit"),
        "{:?}",
        r.file_errors
    );
}

#[test]
fn invalid_utf8_is_reported_with_position() {
    let doc = b"<iati-activities version=\"2.03\">\n<iati-activity>\n<iati-identifier>caf\xe9</iati-identifier></iati-activity></iati-activities>";
    let (msg, line, _) = xml_error(doc);
    assert!(msg.contains("UTF-8"), "{msg}");
    assert_eq!(line, 3);
}

#[test]
fn truncated_file_keeps_activities_before_the_cut() {
    let mut doc = String::from("<iati-activities version=\"2.03\">\n");
    for i in 0..5 {
        doc.push_str(&format!(
            "<iati-activity><iati-identifier>X-{i}</iati-identifier></iati-activity>\n"
        ));
    }
    doc.push_str("<iati-activity><iati-identifier>X-cut");
    let r = validate(doc.as_bytes());
    assert!(!r.summary.well_formed);
    assert_eq!(r.activities.len(), 5);
    assert_eq!(
        r.file_errors.len(),
        1,
        "exactly one error for a file that is not well-formed"
    );
    assert!(
        r.file_errors[0].message.contains("truncated"),
        "{:?}",
        r.file_errors
    );
    assert_eq!(r.file_errors[0].line, 7);
}

#[test]
fn reserved_xmlns_prefix_on_an_element_is_refused() {
    // Found by the fuzzer: such an element made the writer bind the reserved prefix.
    let doc = "<iati-activities version=\"2.03\">\n<iati-activity><xmlns:default-flow-type code=\"10\"/></iati-activity></iati-activities>";
    let (msg, line, column) = xml_error(doc.as_bytes());
    assert!(msg.contains("xmlns"), "{msg}");
    assert_eq!((line, column), (2, 16));
}

#[test]
fn garbage_and_empty_inputs() {
    for input in [
        &b""[..],
        b"   ",
        b"not xml at all",
        b"<",
        b"<a",
        b"</a>",
        b"<a></b>",
        b"<a/><b/>",
        b"\xff\xfe<\x00a\x00>",
    ] {
        let r = validate(input);
        assert!(
            !r.summary.well_formed,
            "{:?}",
            String::from_utf8_lossy(input)
        );
        assert_eq!(r.file_errors.len(), 1);
    }
}

/// Generates `n` tiny activities on the fly: the input is never held in memory.
struct Tiny {
    n: usize,
    i: usize,
    buf: Vec<u8>,
    pos: usize,
    done: bool,
}

impl Read for Tiny {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
            if self.i == 0 && !self.done {
                self.buf
                    .extend_from_slice(b"<iati-activities version=\"2.03\">\n");
            }
            let end = (self.i + 1000).min(self.n);
            while self.i < end {
                self.buf.extend_from_slice(
                    format!(
                        "<iati-activity><iati-identifier>T-{}</iati-identifier></iati-activity>\n",
                        self.i
                    )
                    .as_bytes(),
                );
                self.i += 1;
            }
            if self.i == self.n && !self.done {
                self.buf.extend_from_slice(b"</iati-activities>\n");
                self.done = true;
            }
        }
        let n = (self.buf.len() - self.pos).min(out.len());
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

fn peak_rss_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

#[test]
fn one_million_tiny_activities_stream_in_bounded_memory() {
    let n = 1_000_000;
    let mut r = ActivityReader::new(BufReader::with_capacity(
        64 * 1024,
        Tiny {
            n,
            i: 0,
            buf: Vec::new(),
            pos: 0,
            done: false,
        },
    ));
    let mut count = 0usize;
    let mut last = String::new();
    while let Some((a, line, _)) = r.next_activity().expect("well-formed") {
        count += 1;
        if count == n {
            last = a.identifier;
            assert_eq!(line, n as u64 + 1);
        }
    }
    assert_eq!(count, n);
    assert_eq!(last, format!("T-{}", n - 1));
    if let Some(peak) = peak_rss_kib() {
        assert!(peak < 300 * 1024, "peak RSS {peak} KiB");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn the_identifier_scan_never_panics_and_counts_plain_identifiers(
        ids in proptest::collection::vec("[A-Za-z0-9&<> -]{0,12}", 0..40),
        noise in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let mut xml = String::from("<iati-activities>");
        for id in &ids {
            xml += "<iati-activity><iati-identifier>";
            xml += &quick_xml::escape::escape(id.as_str());
            xml += "</iati-identifier></iati-activity>";
        }
        xml += "</iati-activities>";
        let mut expected = std::collections::HashMap::new();
        for id in &ids {
            *expected.entry(aidtrace_iati::scan::identifier_key(id.trim())).or_insert(0u32) += 1;
        }
        let counted = aidtrace_iati::scan::identifier_counts(xml.as_bytes()).expect("scan");
        prop_assert_eq!(counted, expected);
        // Markup the scan must step over without losing the identifiers after it.
        let tricky = format!(
            "<iati-identifier xml:lang=\"en\"/><!-- <iati-identifier> --><iati-identifier a=\"x>y\">{}</iati-identifier>",
            quick_xml::escape::escape(ids.first().map_or("", String::as_str))
        );
        let with_tricky = xml.replacen("<iati-activities>", &format!("<iati-activities>{tricky}"), 1);
        let mut expected_tricky = std::collections::HashMap::new();
        let tricky_id = ids.first().map_or("", String::as_str);
        for id in ids.iter().map(String::as_str).chain([tricky_id]) {
            *expected_tricky.entry(aidtrace_iati::scan::identifier_key(id.trim())).or_insert(0u32) += 1;
        }
        prop_assert_eq!(
            aidtrace_iati::scan::identifier_counts(with_tricky.as_bytes()).expect("scan"),
            expected_tricky
        );
        let mut hostile = xml.into_bytes();
        hostile.extend(&noise);
        let _ = aidtrace_iati::scan::identifier_counts(hostile.as_slice());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = validate(&bytes);
    }

    #[test]
    fn mutated_activity_never_panics(cut in 0usize..400, byte in any::<u8>(), at in 0usize..400) {
        let base = br#"<iati-activities version="2.03" xmlns:x="urn:x"><iati-activity default-currency="EUR" x:a="1"><iati-identifier>XM-DAC-7-1</iati-identifier><reporting-org ref="XM-DAC-7" type="10"><narrative xml:lang="en">R &amp; D</narrative></reporting-org><title><narrative>T</narrative></title><transaction><transaction-type code="3"/><transaction-date iso-date="2020-01-01"/><value value-date="2020-01-01">12.5</value></transaction></iati-activity></iati-activities>"#;
        let mut v = base.to_vec();
        let at = at.min(v.len() - 1);
        v[at] = byte;
        v.truncate(cut.max(1).min(v.len()));
        let _ = validate(&v);
        let mut r = ActivityReader::new(v.as_slice());
        while let Ok(Some(_)) = r.next_activity() {}
    }
}
