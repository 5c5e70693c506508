//! Low-level XML layer: a hardened pull parser over any `BufRead`, with exact line/column
//! tracking, resource limits, and a small owned element tree used for one activity at a time.
//!
//! Memory stays bounded because callers only ever materialise one child of the root
//! (one `iati-activity` or `iati-organisation`) at a time, and because the token-size limit
//! is enforced inside the byte source, before quick-xml can grow its buffer without bound.

use std::io::{self, BufRead};

use compact_str::CompactString;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

/// Namespace of the `xml:` prefix, fixed by the XML Namespaces recommendation.
pub const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
/// Namespace quick-xml reports for `xmlns`/`xmlns:p` declarations.
pub const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";

/// Resource limits; the defaults are far above anything in published IATI data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Maximum element nesting depth (IATI itself needs about 10).
    pub max_depth: usize,
    /// Maximum attributes on one element.
    pub max_attributes: usize,
    /// Maximum size in bytes of one token (a tag, a text run, a comment).
    pub max_token_bytes: u64,
    /// Maximum number of elements inside one root child (one activity).
    pub max_unit_elements: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 256,
            max_attributes: 256,
            max_token_bytes: 16 * 1024 * 1024,
            max_unit_elements: 4_000_000,
        }
    }
}

/// A well-formedness, encoding, limit or I/O failure, with the position it was detected at.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct XmlError {
    pub message: String,
    pub line: u64,
    pub column: u64,
}

/// One attribute as written, with its prefix resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attr {
    /// Qualified name as written (`xml:lang`, `dstore:index`, `code`).
    pub name: CompactString,
    /// Namespace URI; `None` for unprefixed attributes.
    pub ns: Option<String>,
    /// Value with entity and character references expanded.
    pub value: CompactString,
}

impl Attr {
    /// Local part of the name (after the prefix).
    pub fn local(&self) -> &str {
        self.name.rsplit(':').next().unwrap_or(&self.name)
    }

    /// True for `xmlns` and `xmlns:p` declarations, which are not attributes for the schema.
    pub fn is_ns_decl(&self) -> bool {
        self.ns.as_deref() == Some(XMLNS_NS)
            || self.name == "xmlns"
            || self.name.starts_with("xmlns:")
    }
}

/// A child of an element: another element or a text run (entities already expanded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Element(Element),
    Text(CompactString),
}

/// An owned element with its source position (1-based line and column of its `<`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    /// Qualified name as written. Short strings stay inline: most IATI names and codes
    /// need no heap allocation, which is what makes the per-activity tree cheap.
    pub name: CompactString,
    pub ns: Option<String>,
    pub attrs: Vec<Attr>,
    pub children: Vec<Node>,
    pub line: u64,
    pub column: u64,
}

impl Element {
    /// A bare element in no namespace, for building trees in code.
    pub fn new(name: impl Into<CompactString>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }

    pub fn local(&self) -> &str {
        self.name.rsplit(':').next().unwrap_or(&self.name)
    }

    /// True when the element is in no namespace, i.e. an IATI element.
    pub fn is_iati(&self) -> bool {
        self.ns.is_none()
    }

    /// Value of an unprefixed attribute.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.ns.is_none() && a.name == name)
            .map(|a| a.value.as_str())
    }

    /// Value of `xml:lang` (also accepting the real-world `ns2:lang` malformation where a
    /// writer bound a prefix to the literal URI "xml").
    pub fn xml_lang(&self) -> Option<&str> {
        self.xml_lang_attr().map(|a| a.value.as_str())
    }

    /// The attribute [`Self::xml_lang`] reads: a real `xml:lang` first, else the malformation.
    pub fn xml_lang_attr(&self) -> Option<&Attr> {
        let lang = |ns: &str| {
            self.attrs
                .iter()
                .find(|a| a.ns.as_deref() == Some(ns) && a.local() == "lang")
        };
        lang(XML_NS).or_else(|| lang("xml"))
    }

    /// Child elements in document order.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// IATI (no-namespace) children with the given name.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.elements()
            .filter(move |e| e.ns.is_none() && e.name == name)
    }

    pub fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.ns.is_none() && e.name == name)
    }

    /// Concatenated text content of this element (not of descendants); borrowed in the
    /// usual case of a single text run.
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        let mut texts = self.children.iter().filter_map(|n| match n {
            Node::Text(t) => Some(t.as_str()),
            Node::Element(_) => None,
        });
        match (texts.next(), texts.next()) {
            (None, _) => std::borrow::Cow::Borrowed(""),
            (Some(t), None) => std::borrow::Cow::Borrowed(t),
            (Some(a), Some(b)) => {
                let mut s = String::from(a);
                s.push_str(b);
                texts.for_each(|t| s.push_str(t));
                std::borrow::Cow::Owned(s)
            }
        }
    }
}

/// Byte source wrapper: counts lines and columns of consumed bytes, remembers where the
/// last `<` was (the start of the tag quick-xml just read), and refuses oversized tokens.
struct Tracked<R> {
    inner: R,
    pos: Pos,
}

#[derive(Debug, Default)]
struct Pos {
    line: u64,
    /// Characters since the last newline, 0-based.
    col: u64,
    lt_line: u64,
    lt_col: u64,
    consumed: u64,
    token_start: u64,
    max_token: u64,
    /// Position of the first `<` consumed since the current token started.
    first_lt: Option<(u64, u64)>,
    /// Whether the last byte consumed was `<` (quick-xml eats it with the text before a tag).
    last_was_lt: bool,
}

/// Characters (not bytes) in UTF-8 text; columns count characters.
pub(crate) fn count_chars(b: &[u8]) -> u64 {
    // Nearly all markup is ASCII, and the ASCII test is much cheaper than the general count.
    if b.is_ascii() {
        return b.len() as u64;
    }
    b.iter().filter(|&&c| (c & 0xC0) != 0x80).count() as u64
}

pub(crate) fn count_newlines(b: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', b).count() as u64
}

impl Pos {
    fn position_in(&self, bytes: &[u8], i: usize) -> (u64, u64) {
        let before = &bytes[..i];
        match memchr::memrchr(b'\n', before) {
            Some(nl) => (
                self.line + count_newlines(before),
                count_chars(&before[nl + 1..]) + 1,
            ),
            None => (self.line, self.col + count_chars(before) + 1),
        }
    }

    fn advance(&mut self, bytes: &[u8]) {
        let Some(&last) = bytes.last() else { return };
        let first = if self.first_lt.is_none() {
            memchr::memchr(b'<', bytes)
        } else {
            None
        };
        // Positions are computed from what was already counted: a `<` at the start or at
        // the end of a chunk (the usual places) costs no extra scan.
        if let Some(i) = first
            && i + 1 != bytes.len()
        {
            self.first_lt = Some(self.position_in(bytes, i));
        }
        match memchr::memrchr(b'\n', bytes) {
            Some(nl) => {
                self.line += count_newlines(bytes);
                self.col = count_chars(&bytes[nl + 1..]);
            }
            None => self.col += count_chars(bytes),
        }
        self.consumed += bytes.len() as u64;
        self.last_was_lt = last == b'<';
        if self.last_was_lt {
            (self.lt_line, self.lt_col) = (self.line, self.col);
            if first == Some(bytes.len() - 1) {
                self.first_lt = Some((self.line, self.col));
            }
        }
    }
}

impl<R: BufRead> io::Read for Tracked<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(out.len());
        out[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Tracked<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let p = &self.pos;
        if p.consumed - p.token_start > p.max_token {
            return Err(io::Error::other(format!(
                "token larger than the limit of {} bytes",
                p.max_token
            )));
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        // Re-borrowing the buffer is free: fill_buf returns the data already buffered.
        let Self { inner, pos } = self;
        match inner.fill_buf() {
            Ok(b) if b.len() >= amt => pos.advance(&b[..amt]),
            _ => pos.consumed += amt as u64,
        }
        inner.consume(amt);
    }
}

/// What the pull parser hands out: start tags (with `empty` for `<a/>`), end tags, text.
#[derive(Debug)]
pub enum Token {
    Start(Element, bool),
    End,
    Text(CompactString),
    Eof,
}

/// Hardened pull parser. DTDs are refused outright, so no entity can ever be declared,
/// expanded or fetched: billion-laughs and external-entity attacks have nothing to act on.
pub struct Parser<R: BufRead> {
    reader: NsReader<Tracked<R>>,
    buf: Vec<u8>,
    limits: Limits,
    depth: usize,
    pending_text: Option<CompactString>,
    queued: Option<Token>,
    seen_root: bool,
    finished: bool,
    /// Where the markup of the current token starts (its `<`).
    tag_pos: (u64, u64),
}

impl<R: BufRead> Parser<R> {
    pub fn new(inner: R, limits: Limits) -> Self {
        let tracked = Tracked {
            inner,
            pos: Pos {
                line: 1,
                col: 0,
                lt_line: 1,
                lt_col: 1,
                consumed: 0,
                token_start: 0,
                max_token: limits.max_token_bytes,
                first_lt: None,
                last_was_lt: false,
            },
        };
        let mut reader = NsReader::from_reader(tracked);
        let cfg = reader.config_mut();
        cfg.check_end_names = true;
        cfg.check_comments = true;
        cfg.expand_empty_elements = false;
        cfg.trim_text_start = false;
        cfg.trim_text_end = false;
        Self {
            reader,
            buf: Vec::with_capacity(64 * 1024),
            limits,
            depth: 0,
            pending_text: None,
            queued: None,
            seen_root: false,
            finished: false,
            tag_pos: (1, 1),
        }
    }

    /// Declares that the bytes still to come start at `line` and 0-based character `column0`
    /// of the original file: used when one chunk of a file is parsed behind a copy of the
    /// file's root start tag, so positions stay those of the original file.
    pub(crate) fn rebase(&mut self, line: u64, column0: u64) {
        let pos = &mut self.reader.get_mut().pos;
        pos.line = line;
        pos.col = column0;
    }

    /// Bytes consumed so far (for progress reporting).
    pub fn bytes_read(&self) -> u64 {
        self.reader.get_ref().pos.consumed
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    fn err_here(&self, message: impl Into<String>) -> XmlError {
        let t = &self.reader.get_ref().pos;
        XmlError {
            message: message.into(),
            line: t.line,
            column: t.col + 1,
        }
    }

    fn err_at_tag(&self, message: impl Into<String>) -> XmlError {
        XmlError {
            message: message.into(),
            line: self.tag_pos.0,
            column: self.tag_pos.1,
        }
    }

    fn start_element(&self, e: &BytesStart<'_>) -> Result<Element, XmlError> {
        let (line, column) = self.tag_pos;
        let raw_name = CompactString::from(
            std::str::from_utf8(e.name().as_ref())
                .map_err(|_| self.err_at_tag("element name is not valid UTF-8"))?,
        );
        // Namespaces in XML 1.0: element names must not use the reserved prefix xmlns.
        if raw_name.starts_with("xmlns:") {
            return Err(self.err_at_tag(format!(
                "element <{raw_name}> uses the reserved prefix 'xmlns'"
            )));
        }
        let ns = match self.reader.resolve_element(e.name()).0 {
            ResolveResult::Unbound => None,
            ResolveResult::Bound(n) => Some(
                std::str::from_utf8(n.as_ref())
                    .map_err(|_| self.err_at_tag("namespace URI is not valid UTF-8"))?
                    .to_owned(),
            ),
            ResolveResult::Unknown(p) => {
                return Err(self.err_at_tag(format!(
                    "element <{raw_name}> uses undeclared namespace prefix '{}'",
                    String::from_utf8_lossy(&p)
                )));
            }
        };
        // Sized from the number of `=` (an upper bound), so pushing never reallocates.
        let raw = e.attributes_raw();
        let mut attrs = if raw.is_empty() {
            Vec::new()
        } else {
            Vec::with_capacity(memchr::memchr_iter(b'=', raw).count())
        };
        for a in e.attributes().with_checks(true) {
            let a = a.map_err(|err| self.err_at_tag(format!("in <{raw_name}>: {err}")))?;
            if attrs.len() >= self.limits.max_attributes {
                return Err(self.err_at_tag(format!(
                    "element <{raw_name}> has more than {} attributes",
                    self.limits.max_attributes
                )));
            }
            let name = CompactString::from(
                std::str::from_utf8(a.key.as_ref())
                    .map_err(|_| self.err_at_tag("attribute name is not valid UTF-8"))?,
            );
            let value = CompactString::from(
                a.unescape_value()
                    .map_err(|err| {
                        self.err_at_tag(format!("attribute '{name}' of <{raw_name}>: {err}"))
                    })?
                    .as_ref(),
            );
            let ans = if name == "xmlns" || name.starts_with("xmlns:") {
                Some(XMLNS_NS.to_owned())
            } else if name.contains(':') {
                match self.reader.resolve_attribute(a.key).0 {
                    ResolveResult::Bound(n) => {
                        Some(String::from_utf8_lossy(n.as_ref()).into_owned())
                    }
                    ResolveResult::Unbound => None,
                    ResolveResult::Unknown(p) => {
                        return Err(self.err_at_tag(format!(
                            "attribute '{name}' of <{raw_name}> uses undeclared namespace prefix '{}'",
                            String::from_utf8_lossy(&p)
                        )));
                    }
                }
            } else {
                None
            };
            attrs.push(Attr {
                name,
                ns: ans,
                value,
            });
        }
        Ok(Element {
            name: raw_name,
            ns,
            attrs,
            children: Vec::new(),
            line,
            column,
        })
    }

    /// Hands out pending text first, so a run of text always precedes the tag that ended it.
    fn emit(&mut self, tok: Token) -> Token {
        match self.pending_text.take() {
            Some(t) => {
                self.queued = Some(tok);
                Token::Text(t)
            }
            None => tok,
        }
    }

    /// Next token; consecutive text, CDATA and references are merged into one `Text`.
    pub fn next_token(&mut self) -> Result<Token, XmlError> {
        if let Some(t) = self.queued.take() {
            return Ok(t);
        }
        // The event borrows the buffer; taking it out lets the event be used in place
        // (no per-event copy) while the rest of `self` stays available.
        let mut buf = std::mem::take(&mut self.buf);
        let r = self.next_token_in(&mut buf);
        self.buf = buf;
        r
    }

    fn next_token_in(&mut self, buf: &mut Vec<u8>) -> Result<Token, XmlError> {
        loop {
            if self.finished {
                if let Some(t) = self.pending_text.take() {
                    return Ok(Token::Text(t));
                }
                return Ok(Token::Eof);
            }
            buf.clear();
            {
                let t = &mut self.reader.get_mut().pos;
                t.token_start = t.consumed;
                t.first_lt = None;
            }
            let carried = {
                let t = &self.reader.get_ref().pos;
                t.last_was_lt.then_some((t.lt_line, t.lt_col))
            };
            let read = self.reader.read_event_into(buf);
            {
                let t = &self.reader.get_ref().pos;
                self.tag_pos = carried.or(t.first_lt).unwrap_or((t.lt_line, t.lt_col));
            }
            let ev = match read {
                Ok(ev) => ev,
                Err(e) => {
                    let msg = match &e {
                        quick_xml::Error::Io(io) => io.to_string(),
                        other => other.to_string(),
                    };
                    return Err(if matches!(e, quick_xml::Error::Syntax(_)) {
                        self.err_here(msg)
                    } else {
                        self.err_at_tag(msg)
                    });
                }
            };
            match ev {
                Event::Start(ref s) | Event::Empty(ref s) => {
                    let empty = matches!(ev, Event::Empty(_));
                    if self.depth == 0 && self.seen_root {
                        return Err(self.err_at_tag("content after the root element"));
                    }
                    // Name, attribute names and values are each checked for UTF-8 below.
                    let el = self.start_element(s)?;
                    if empty {
                        if self.depth == 0 {
                            self.seen_root = true;
                        }
                    } else {
                        self.depth += 1;
                        if self.depth > self.limits.max_depth {
                            return Err(self.err_at_tag(format!(
                                "element nesting deeper than the limit of {}",
                                self.limits.max_depth
                            )));
                        }
                    }
                    self.seen_root = true;
                    return Ok(self.emit(Token::Start(el, empty)));
                }
                Event::End(_) => {
                    self.depth = self.depth.saturating_sub(1);
                    return Ok(self.emit(Token::End));
                }
                Event::Text(t) => {
                    let s = std::str::from_utf8(t.as_ref())
                        .map_err(|_| self.err_here("invalid UTF-8 in text"))?;
                    if self.depth == 0 {
                        if !s.trim().is_empty() {
                            return Err(self.err_here("text outside the root element"));
                        }
                        continue;
                    }
                    self.pending_text
                        .get_or_insert_with(CompactString::default)
                        .push_str(s);
                }
                Event::CData(t) => {
                    let s = std::str::from_utf8(t.as_ref())
                        .map_err(|_| self.err_here("invalid UTF-8 in CDATA"))?;
                    self.pending_text
                        .get_or_insert_with(CompactString::default)
                        .push_str(s);
                }
                Event::GeneralRef(r) => {
                    let c = match r.resolve_char_ref() {
                        Ok(Some(c)) => c,
                        Ok(None) => {
                            let name = String::from_utf8_lossy(r.as_ref()).into_owned();
                            match name.as_str() {
                                "amp" => '&',
                                "lt" => '<',
                                "gt" => '>',
                                "apos" => '\'',
                                "quot" => '"',
                                _ => {
                                    return Err(self.err_here(format!(
                                        "undeclared entity reference '&{name};' (DTDs and entities are not accepted)"
                                    )));
                                }
                            }
                        }
                        Err(e) => {
                            return Err(self.err_here(format!("bad character reference: {e}")));
                        }
                    };
                    self.pending_text
                        .get_or_insert_with(CompactString::default)
                        .push(c);
                }
                Event::DocType(_) => {
                    return Err(self.err_at_tag(
                        "DOCTYPE declarations are refused: IATI files need no DTD, and DTD entities enable billion-laughs and external-entity attacks",
                    ));
                }
                Event::Decl(d) => {
                    if let Some(Ok(enc)) = d.encoding() {
                        let enc = String::from_utf8_lossy(&enc).to_ascii_lowercase();
                        if enc != "utf-8" && enc != "utf8" && enc != "us-ascii" && enc != "ascii" {
                            return Err(self.err_at_tag(format!(
                                "unsupported encoding '{enc}': only UTF-8 is accepted"
                            )));
                        }
                    }
                }
                Event::Comment(c) => {
                    if std::str::from_utf8(c.as_ref()).is_err() {
                        return Err(self.err_at_tag("invalid UTF-8 in a comment"));
                    }
                }
                Event::PI(p) => {
                    if std::str::from_utf8(p.as_ref()).is_err() {
                        return Err(self.err_at_tag("invalid UTF-8 in a processing instruction"));
                    }
                }
                Event::Eof => {
                    if self.depth > 0 {
                        return Err(
                            self.err_here("unexpected end of file: the document is truncated")
                        );
                    }
                    if !self.seen_root {
                        return Err(self.err_here("no root element: the file is empty or not XML"));
                    }
                    self.finished = true;
                }
            }
        }
    }
}

impl<R: BufRead> Parser<R> {
    /// Reads the rest of an element whose start tag was just returned, into an owned tree.
    pub fn read_subtree(&mut self, mut root: Element, empty: bool) -> Result<Element, XmlError> {
        if empty {
            return Ok(root);
        }
        let mut stack: Vec<Element> = Vec::new();
        let mut count = 1usize;
        loop {
            match self.next_token()? {
                Token::Start(el, is_empty) => {
                    count += 1;
                    if count > self.limits.max_unit_elements {
                        return Err(XmlError {
                            message: format!(
                                "more than {} elements inside one <{}>",
                                self.limits.max_unit_elements, root.name
                            ),
                            line: el.line,
                            column: el.column,
                        });
                    }
                    let parent = stack.last_mut().unwrap_or(&mut root);
                    // Indentation before a child element carries no data; dropping it here
                    // saves an allocation per element (simple-content text is kept whole).
                    if let Some(Node::Text(t)) = parent.children.last()
                        && is_blank(t)
                    {
                        parent.children.pop();
                    }
                    if is_empty {
                        parent.children.push(Node::Element(el));
                    } else {
                        stack.push(el);
                    }
                }
                Token::End => match stack.pop() {
                    Some(done) => {
                        let parent = stack.last_mut().unwrap_or(&mut root);
                        parent.children.push(Node::Element(done));
                    }
                    None => return Ok(root),
                },
                Token::Text(t) => {
                    let parent = stack.last_mut().unwrap_or(&mut root);
                    if !(is_blank(&t) && matches!(parent.children.last(), Some(Node::Element(_)))) {
                        parent.children.push(Node::Text(t));
                    }
                }
                Token::Eof => {
                    return Err(self.err_here("unexpected end of file: the document is truncated"));
                }
            }
        }
    }
}

fn is_blank(t: &CompactString) -> bool {
    t.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
}

/// Parses a whole (small) document into a tree; for tests, tools and schema generation.
pub fn parse_document<R: BufRead>(reader: R, limits: Limits) -> Result<Element, XmlError> {
    let mut p = Parser::new(reader, limits);
    loop {
        match p.next_token()? {
            Token::Start(el, empty) => {
                let root = p.read_subtree(el, empty)?;
                // Drain trailing comments/whitespace and check nothing else follows.
                loop {
                    match p.next_token()? {
                        Token::Eof => return Ok(root),
                        Token::Text(_) => {}
                        Token::Start(e, _) => {
                            return Err(XmlError {
                                message: "content after the root element".into(),
                                line: e.line,
                                column: e.column,
                            });
                        }
                        Token::End => {}
                    }
                }
            }
            Token::Text(_) | Token::End => {}
            Token::Eof => return Err(p.err_here("no root element")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Element, XmlError> {
        parse_document(s.as_bytes(), Limits::default())
    }

    #[test]
    fn positions_are_one_based_and_point_at_the_tag() {
        let doc = parse("<a>\n  <b x='1'/>\n\t<c>t&amp;u</c></a>").expect("well-formed");
        let b = doc.child("b").expect("b");
        assert_eq!((b.line, b.column), (2, 3));
        let c = doc.child("c").expect("c");
        assert_eq!((c.line, c.column), (3, 2));
        assert_eq!(c.text(), "t&u");
    }

    #[test]
    fn line_numbers_beyond_65535() {
        let mut s = String::from("<a>");
        for _ in 0..70_000 {
            s.push_str("<x/>\n");
        }
        s.push_str("<last/></a>");
        let doc = parse(&s).expect("well-formed");
        let last = doc.child("last").expect("last");
        assert_eq!(last.line, 70_001);
        assert_eq!(last.column, 1);
    }

    #[test]
    fn doctype_is_refused() {
        let e = parse("<?xml version='1.0'?>\n<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>")
            .expect_err("refused");
        assert!(e.message.contains("DOCTYPE"), "{e}");
        assert_eq!(e.line, 2);
    }

    #[test]
    fn undeclared_entity_is_an_error() {
        let e = parse("<a>&lol;</a>").expect_err("refused");
        assert!(e.message.contains("lol"), "{e}");
    }

    #[test]
    fn truncated_and_mismatched() {
        assert!(
            parse("<a><b>")
                .expect_err("truncated")
                .message
                .contains("truncated")
        );
        let e = parse("<a>\n<b></c></a>").expect_err("mismatch");
        assert_eq!(e.line, 2);
    }

    #[test]
    fn invalid_utf8_is_an_error() {
        let bytes: &[u8] = b"<a>caf\xe9</a>";
        assert!(parse_document(bytes, Limits::default()).is_err());
    }

    #[test]
    fn limits_are_enforced() {
        let deep = "<a>".repeat(300) + &"</a>".repeat(300);
        assert!(parse(&deep).expect_err("deep").message.contains("nesting"));
        let mut attrs = String::from("<a");
        for i in 0..300 {
            attrs.push_str(&format!(" a{i}='1'"));
        }
        attrs.push_str("/>");
        assert!(
            parse(&attrs)
                .expect_err("attrs")
                .message
                .contains("attributes")
        );
        let limits = Limits {
            max_token_bytes: 1000,
            ..Limits::default()
        };
        let big = format!("<a>{}</a>", "x".repeat(100_000));
        let e = parse_document(
            std::io::BufReader::with_capacity(64, big.as_bytes()),
            limits,
        )
        .expect_err("token");
        assert!(e.message.contains("limit"), "{e}");
    }

    #[test]
    fn namespaces_resolve() {
        let doc = parse("<a xmlns:d='urn:d'><d:x d:y='1' xml:lang='en'/></a>").expect("ok");
        let x = doc.elements().next().expect("x");
        assert_eq!(x.ns.as_deref(), Some("urn:d"));
        assert_eq!(x.attrs[0].ns.as_deref(), Some("urn:d"));
        assert_eq!(x.xml_lang(), Some("en"));
        assert!(parse("<a><q:x/></a>").is_err());
    }
}
