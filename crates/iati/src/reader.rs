//! Streaming reader: one root child (activity or organisation) at a time, over any `BufRead`.
//!
//! The root element is checked against the schema as its children stream past (its
//! attributes at once, its content model child by child), so a file of any size needs
//! only the memory of its largest activity.

use std::io::BufRead;

use crate::model::{IatiActivity, IatiOrganisation};
use crate::schema::{self, Schema, SchemaError, SchemaErrorKind, SequenceMatcher, Step, TypeDef};
use crate::xml::{Attr, Element, Limits, Parser, Token, XmlError};

/// The root element of a file, without its children.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FileHeader {
    /// `iati-activities` or `iati-organisations` (or whatever the root was).
    pub root: String,
    pub version: Option<String>,
    pub generated_datetime: Option<String>,
    /// All attributes of the root, including namespace declarations.
    pub attrs: Vec<Attr>,
    pub line: u64,
    pub column: u64,
}

impl FileHeader {
    /// Namespace declarations on the root as (prefix, URI); the default namespace has prefix "".
    pub fn namespaces(&self) -> Vec<(String, String)> {
        self.attrs
            .iter()
            .filter(|a| a.is_ns_decl())
            .map(|a| {
                (
                    a.name.strip_prefix("xmlns:").unwrap_or("").to_owned(),
                    a.value.to_string(),
                )
            })
            .collect()
    }
}

/// A child of the root, read whole, with the schema type the root's content model gave it.
#[derive(Debug, Clone)]
pub struct Unit {
    pub element: Element,
    /// `None` when the root's content model rejected the child or it is an extension.
    pub ty: Option<&'static TypeDef>,
    /// Content-model errors of the root raised by this child (e.g. unexpected element).
    pub errors: Vec<SchemaError>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    BeforeRoot,
    InRoot,
    Done,
}

/// Reads the units (root children) of an IATI file one by one.
pub struct UnitReader<R: BufRead> {
    parser: Parser<R>,
    state: State,
    header: Option<FileHeader>,
    schema: &'static Schema,
    matcher: Option<SequenceMatcher>,
    root_el: Element,
    root_errors: Vec<SchemaError>,
    /// When the root is not a list element, the root itself is the single unit.
    single: Option<Unit>,
    failed: bool,
    /// Set when this reader parses one chunk of a file behind a copy of the root start tag:
    /// where the chunk starts in the original file (line, 0-based column).
    chunk_origin: Option<(u64, u64)>,
}

impl<R: BufRead> UnitReader<R> {
    pub fn new(inner: R) -> Self {
        Self::with_limits(inner, Limits::default())
    }

    pub fn with_limits(inner: R, limits: Limits) -> Self {
        UnitReader {
            parser: Parser::new(inner, limits),
            state: State::BeforeRoot,
            header: None,
            schema: schema::activities(),
            matcher: None,
            root_el: Element::default(),
            root_errors: Vec::new(),
            single: None,
            failed: false,
            chunk_origin: None,
        }
    }

    /// A reader over `root start tag + chunk + closing tag` whose positions are those of the
    /// chunk in the original file. The root's own checks belong to the whole file, so they
    /// are not repeated here; any other root-level finding shows in [`Self::root_errors`].
    pub(crate) fn for_chunk(inner: R, limits: Limits, origin: (u64, u64)) -> Self {
        let mut r = Self::with_limits(inner, limits);
        r.chunk_origin = Some(origin);
        r
    }

    /// The root element; available after the first call to [`Self::next_unit`].
    pub fn header(&self) -> Option<&FileHeader> {
        self.header.as_ref()
    }

    /// Schema chosen from the root element name.
    pub fn schema(&self) -> &'static Schema {
        self.schema
    }

    /// Schema errors on the root element itself (attributes, text, missing children).
    /// Complete once [`Self::next_unit`] has returned `Ok(None)`.
    pub fn root_errors(&self) -> &[SchemaError] {
        &self.root_errors
    }

    pub fn bytes_read(&self) -> u64 {
        self.parser.bytes_read()
    }

    fn open_root(&mut self, el: Element, empty: bool) -> Result<Option<Unit>, XmlError> {
        self.schema = if el.name.starts_with("iati-organisation") {
            schema::organisations()
        } else {
            schema::activities()
        };
        self.header = Some(FileHeader {
            root: el.name.to_string(),
            version: el.attr("version").map(str::to_owned),
            generated_datetime: el.attr("generated-datetime").map(str::to_owned),
            attrs: el.attrs.clone(),
            line: el.line,
            column: el.column,
        });
        let is_list =
            el.ns.is_none() && matches!(el.name.as_str(), "iati-activities" | "iati-organisations");
        if !is_list {
            // A lone activity, or something else: validate the whole tree as one unit.
            let element = self.parser.read_subtree(el, empty)?;
            let ty = if element.ns.is_none() {
                self.schema.global(&element.name)
            } else {
                None
            };
            let mut errors = Vec::new();
            if ty.is_none() {
                errors.push(SchemaError {
                    kind: SchemaErrorKind::Other,
                    message: format!(
                        "Element '{}': No matching global declaration available for the validation root.",
                        element.name
                    ),
                    line: element.line,
                    column: element.column,
                });
            }
            self.state = State::Done;
            return Ok(Some(Unit {
                element,
                ty,
                errors,
            }));
        }
        let ty = self
            .schema
            .global(&el.name)
            .expect("list roots are global elements of their schema");
        match self.chunk_origin {
            Some((line, column0)) => self.parser.rebase(line, column0),
            None => schema::check_attributes_and_text(&el, ty, &mut self.root_errors),
        }
        self.matcher = Some(SequenceMatcher::new(ty));
        self.root_el = el;
        self.state = State::InRoot;
        if empty {
            self.close_root();
        }
        Ok(None)
    }

    /// Reads up to and including the root start tag, so that [`Self::header`] and the root's
    /// attribute findings in [`Self::root_errors`] are known without reading any unit.
    pub(crate) fn open(&mut self) -> Result<(), XmlError> {
        while self.state == State::BeforeRoot {
            match self.parser.next_token()? {
                Token::Start(el, empty) => {
                    if let Some(u) = self.open_root(el, empty)? {
                        self.single = Some(u);
                    }
                }
                Token::Eof => {
                    return Err(XmlError {
                        message: "no root element".into(),
                        line: 1,
                        column: 1,
                    });
                }
                Token::Text(_) | Token::End => {}
            }
        }
        Ok(())
    }

    fn close_root(&mut self) {
        if let Some(m) = self.matcher.as_mut() {
            m.finish(&self.root_el, &mut self.root_errors);
        }
        self.state = State::Done;
    }

    /// The next unit, `Ok(None)` at the end of the file. After an error, always `Ok(None)`.
    pub fn next_unit(&mut self) -> Result<Option<Unit>, XmlError> {
        if self.failed {
            return Ok(None);
        }
        let r = self.next_unit_inner();
        if r.is_err() {
            self.failed = true;
        }
        r
    }

    fn next_unit_inner(&mut self) -> Result<Option<Unit>, XmlError> {
        if let Some(u) = self.single.take() {
            return Ok(Some(u));
        }
        loop {
            match self.state {
                State::Done => {
                    return match self.parser.next_token()? {
                        Token::Eof => Ok(None),
                        Token::Text(_) | Token::End => Ok(None),
                        Token::Start(e, _) => Err(XmlError {
                            message: "content after the root element".into(),
                            line: e.line,
                            column: e.column,
                        }),
                    };
                }
                State::BeforeRoot => {
                    self.open()?;
                    if let Some(u) = self.single.take() {
                        return Ok(Some(u));
                    }
                }
                State::InRoot => match self.parser.next_token()? {
                    Token::Start(el, empty) => {
                        let element = self.parser.read_subtree(el, empty)?;
                        let mut errors = Vec::new();
                        let ty = match self.matcher.as_mut() {
                            Some(m) => match m.step(self.schema, &element, &mut errors) {
                                Step::Element(t) => Some(t),
                                Step::Skip | Step::Rejected => None,
                            },
                            None => None,
                        };
                        return Ok(Some(Unit {
                            element,
                            ty,
                            errors,
                        }));
                    }
                    Token::Text(t) => {
                        if !t.trim().is_empty() {
                            self.root_errors.push(SchemaError {
                                kind: SchemaErrorKind::Other,
                                message: format!(
                                    "Element '{}': Character content other than whitespace is not allowed because the content type is 'element-only'.",
                                    self.root_el.name
                                ),
                                line: self.root_el.line,
                                column: self.root_el.column,
                            });
                        }
                    }
                    Token::End => self.close_root(),
                    Token::Eof => {
                        return Err(XmlError {
                            message: "unexpected end of file".into(),
                            line: 0,
                            column: 0,
                        });
                    }
                },
            }
        }
    }
}

/// Streams `iati-activity` elements as model values; other root children are skipped.
pub struct ActivityReader<R: BufRead> {
    units: UnitReader<R>,
}

impl<R: BufRead> ActivityReader<R> {
    pub fn new(inner: R) -> Self {
        ActivityReader {
            units: UnitReader::new(inner),
        }
    }

    pub fn with_limits(inner: R, limits: Limits) -> Self {
        ActivityReader {
            units: UnitReader::with_limits(inner, limits),
        }
    }

    pub fn header(&self) -> Option<&FileHeader> {
        self.units.header()
    }

    pub fn bytes_read(&self) -> u64 {
        self.units.bytes_read()
    }

    /// Next activity with the (line, column) of its start tag.
    pub fn next_activity(&mut self) -> Result<Option<(IatiActivity, u64, u64)>, XmlError> {
        while let Some(u) = self.units.next_unit()? {
            if u.element.ns.is_none() && u.element.name == "iati-activity" {
                return Ok(Some((
                    IatiActivity::from_element(&u.element),
                    u.element.line,
                    u.element.column,
                )));
            }
        }
        Ok(None)
    }
}

impl<R: BufRead> Iterator for ActivityReader<R> {
    type Item = Result<IatiActivity, XmlError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_activity()
            .map(|o| o.map(|(a, _, _)| a))
            .transpose()
    }
}

/// Streams `iati-organisation` elements as model values.
pub struct OrganisationReader<R: BufRead> {
    units: UnitReader<R>,
}

impl<R: BufRead> OrganisationReader<R> {
    pub fn new(inner: R) -> Self {
        OrganisationReader {
            units: UnitReader::new(inner),
        }
    }

    pub fn header(&self) -> Option<&FileHeader> {
        self.units.header()
    }
}

impl<R: BufRead> Iterator for OrganisationReader<R> {
    type Item = Result<IatiOrganisation, XmlError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.units.next_unit() {
                Err(e) => return Some(Err(e)),
                Ok(None) => return None,
                Ok(Some(u)) if u.element.ns.is_none() && u.element.name == "iati-organisation" => {
                    return Some(Ok(IatiOrganisation::from_element(&u.element)));
                }
                Ok(Some(_)) => {}
            }
        }
    }
}
