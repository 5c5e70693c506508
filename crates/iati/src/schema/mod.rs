//! Layer 1: the IATI 2.03 XML Schema, implemented natively.
//!
//! The content models of `iati-activities-schema.xsd`, `iati-organisations-schema.xsd` and
//! `iati-common.xsd` are encoded as Rust data in [`tables`] (generated from the XSDs by the
//! `schema_tables` test, which also fails when the tables drift from the XSDs). The XSD files
//! themselves are never read at run time. Error messages follow libxml2's wording so that
//! they read familiar to people used to the official Validator.

mod datatypes;
pub mod tables;

pub use datatypes::check as check_datatype;

use crate::xml::{Element, Node, XML_NS};

/// XSD built-in simple types used by the IATI schemas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Datatype {
    String,
    Decimal,
    Date,
    DateTime,
    AnyUri,
    Boolean,
    Int,
    PositiveInteger,
    NonNegativeInteger,
    NmToken,
    Language,
}

impl Datatype {
    /// The name libxml2 prints for the type.
    pub fn xsd_name(self) -> &'static str {
        match self {
            Datatype::String => "xs:string",
            Datatype::Decimal => "xs:decimal",
            Datatype::Date => "xs:date",
            Datatype::DateTime => "xs:dateTime",
            Datatype::AnyUri => "xs:anyURI",
            Datatype::Boolean => "xs:boolean",
            Datatype::Int => "xs:int",
            Datatype::PositiveInteger => "xs:positiveInteger",
            Datatype::NonNegativeInteger => "xs:nonNegativeInteger",
            Datatype::NmToken => "xs:NMTOKEN",
            Datatype::Language => "xs:language",
        }
    }
}

/// Element content of a type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    /// Only child elements (and whitespace) are allowed.
    Elements,
    /// Text of the given datatype, no child elements.
    Simple(Datatype),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttrDecl {
    /// `xml:lang` for the XML namespace attribute, otherwise the unprefixed name.
    pub name: &'static str,
    pub ty: Datatype,
    pub required: bool,
}

pub const UNBOUNDED: u32 = u32::MAX;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Particle {
    Element {
        name: &'static str,
        ty: u16,
        min: u32,
        max: u32,
    },
    /// `xsd:any namespace="##other" processContents="lax"`.
    Any { min: u32, max: u32 },
}

impl Particle {
    fn bounds(&self) -> (u32, u32) {
        match *self {
            Particle::Element { min, max, .. } | Particle::Any { min, max } => (min, max),
        }
    }

    fn label(&self) -> &'static str {
        match *self {
            Particle::Element { name, .. } => name,
            Particle::Any { .. } => "##other{*}*",
        }
    }

    fn matches(&self, el: &Element) -> bool {
        match *self {
            Particle::Element { name, .. } => el.ns.is_none() && el.name == name,
            Particle::Any { .. } => el.ns.is_some(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypeDef {
    pub particles: &'static [Particle],
    pub attrs: &'static [AttrDecl],
    /// `xsd:anyAttribute namespace="##other"`: namespaced attributes are allowed.
    pub any_attr: bool,
    pub content: Content,
}

/// A compiled schema: its types and its global elements (possible document roots).
#[derive(Debug)]
pub struct Schema {
    pub name: &'static str,
    pub types: &'static [TypeDef],
    pub globals: &'static [(&'static str, u16)],
}

impl Schema {
    pub fn global(&self, name: &str) -> Option<&'static TypeDef> {
        self.globals
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| &self.types[*t as usize])
    }

    pub fn ty(&self, id: u16) -> &'static TypeDef {
        &self.types[id as usize]
    }
}

pub fn activities() -> &'static Schema {
    &tables::ACTIVITIES
}

pub fn organisations() -> &'static Schema {
    &tables::ORGANISATIONS
}

/// The four kinds of schema error the IATI test-suite file names announce, plus the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SchemaErrorKind {
    /// A required child is missing or a child is not allowed where it stands.
    MissingRequiredElement,
    MissingAttribute,
    ForbiddenAttribute,
    IncorrectDatatype,
    /// Text in element-only content, an undeclared root, and similar.
    Other,
}

impl SchemaErrorKind {
    /// Every kind, for whoever names each one (a page's label per kind, a test that each has one).
    pub const ALL: [SchemaErrorKind; 5] = [
        SchemaErrorKind::MissingRequiredElement,
        SchemaErrorKind::MissingAttribute,
        SchemaErrorKind::ForbiddenAttribute,
        SchemaErrorKind::IncorrectDatatype,
        SchemaErrorKind::Other,
    ];

    /// The kind whose [`Self::code`] is `code`: reports carry the code as a finding's `rule`.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn code(self) -> &'static str {
        match self {
            SchemaErrorKind::MissingRequiredElement => "missing-required-element",
            SchemaErrorKind::MissingAttribute => "missing-attribute",
            SchemaErrorKind::ForbiddenAttribute => "forbidden-attribute",
            SchemaErrorKind::IncorrectDatatype => "incorrect-datatype",
            SchemaErrorKind::Other => "other",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SchemaError {
    pub kind: SchemaErrorKind,
    pub message: String,
    pub line: u64,
    pub column: u64,
}

fn err(kind: SchemaErrorKind, el: &Element, message: String) -> SchemaError {
    SchemaError {
        kind,
        message,
        line: el.line,
        column: el.column,
    }
}

/// Checks the attributes and text of an element against its type (not its children).
pub fn check_attributes_and_text(el: &Element, ty: &TypeDef, out: &mut Vec<SchemaError>) {
    check_attributes(el, ty, out);
    if let Content::Simple(dt) = ty.content {
        if let Some(child) = el.elements().next() {
            out.push(err(
                SchemaErrorKind::MissingRequiredElement,
                child,
                format!(
                    "Element '{}': This element is not expected. Element '{}' has simple content.",
                    child.name, el.name
                ),
            ));
        } else {
            let text = el.text();
            if !check_datatype(dt, &text) {
                out.push(err(
                    SchemaErrorKind::IncorrectDatatype,
                    el,
                    format!(
                        "Element '{}': '{}' is not a valid value of the atomic type '{}'.",
                        el.name,
                        text,
                        dt.xsd_name()
                    ),
                ));
            }
        }
    } else {
        for n in &el.children {
            if let Node::Text(t) = n
                && !t.trim().is_empty()
            {
                out.push(err(
                    SchemaErrorKind::Other,
                    el,
                    format!(
                        "Element '{}': Character content other than whitespace is not allowed because the content type is 'element-only'.",
                        el.name
                    ),
                ));
                break;
            }
        }
    }
}

fn check_attributes(el: &Element, ty: &TypeDef, out: &mut Vec<SchemaError>) {
    for a in &el.attrs {
        if a.is_ns_decl() {
            continue;
        }
        let decl = match a.ns.as_deref() {
            None => ty.attrs.iter().find(|d| d.name == a.name),
            Some(XML_NS) => {
                let local = a.local();
                ty.attrs
                    .iter()
                    .find(|d| d.name.strip_prefix("xml:") == Some(local))
            }
            Some(_) => None,
        };
        let dt = match (decl, a.ns.as_deref()) {
            (Some(d), _) => Some(d.ty),
            // Lax wildcard: the only namespaced attribute with a global declaration is xml:lang.
            (None, Some(XML_NS)) if ty.any_attr => {
                (a.local() == "lang").then_some(Datatype::Language)
            }
            (None, Some(_)) if ty.any_attr => None,
            (None, _) => {
                out.push(err(
                    SchemaErrorKind::ForbiddenAttribute,
                    el,
                    format!(
                        "Element '{}', attribute '{}': The attribute '{}' is not allowed.",
                        el.name, a.name, a.name
                    ),
                ));
                continue;
            }
        };
        if let Some(dt) = dt
            && !check_datatype(dt, &a.value)
        {
            out.push(err(
                SchemaErrorKind::IncorrectDatatype,
                el,
                format!(
                    "Element '{}', attribute '{}': '{}' is not a valid value of the atomic type '{}'.",
                    el.name,
                    a.name,
                    a.value,
                    dt.xsd_name()
                ),
            ));
        }
    }
    for d in ty.attrs.iter().filter(|d| d.required) {
        let present = match d.name.strip_prefix("xml:") {
            Some(local) => el
                .attrs
                .iter()
                .any(|a| a.ns.as_deref() == Some(XML_NS) && a.local() == local),
            None => el.attr(d.name).is_some(),
        };
        if !present {
            out.push(err(
                SchemaErrorKind::MissingAttribute,
                el,
                format!(
                    "Element '{}': The attribute '{}' is required but missing.",
                    el.name, d.name
                ),
            ));
        }
    }
}

/// Incremental matcher for an `xsd:sequence` of particles; fed child by child so the
/// root element can be checked while its children stream past.
#[derive(Debug, Clone)]
pub struct SequenceMatcher {
    ty: &'static TypeDef,
    index: usize,
    count: u32,
    failed: bool,
}

/// Outcome of offering one child to a [`SequenceMatcher`].
pub enum Step {
    /// The child matched an element particle of this type.
    Element(&'static TypeDef),
    /// The child matched the `##other` wildcard: skip it (lax, no declarations).
    Skip,
    /// The child is not allowed here (error already recorded).
    Rejected,
}

impl SequenceMatcher {
    pub fn new(ty: &'static TypeDef) -> Self {
        Self {
            ty,
            index: 0,
            count: 0,
            failed: false,
        }
    }

    fn expected(&self) -> String {
        let mut names = Vec::new();
        let mut i = self.index;
        let mut count = self.count;
        while let Some(p) = self.ty.particles.get(i) {
            let (min, max) = p.bounds();
            if count < max {
                names.push(p.label());
            }
            if count < min {
                break;
            }
            i += 1;
            count = 0;
        }
        match names.len() {
            0 => String::new(),
            1 => format!(" Expected is ( {} ).", names[0]),
            _ => format!(" Expected is one of ( {} ).", names.join(", ")),
        }
    }

    /// Offers the next child element; errors go to `out`. After the first content-model
    /// error the rest of the parent's children are not matched (as libxml2 does).
    pub fn step(&mut self, schema: &Schema, child: &Element, out: &mut Vec<SchemaError>) -> Step {
        if self.failed {
            return Step::Rejected;
        }
        loop {
            let Some(p) = self.ty.particles.get(self.index) else {
                out.push(err(
                    SchemaErrorKind::MissingRequiredElement,
                    child,
                    format!("Element '{}': This element is not expected.", child.name),
                ));
                self.failed = true;
                return Step::Rejected;
            };
            let (min, max) = p.bounds();
            if self.count < max && p.matches(child) {
                self.count += 1;
                return match *p {
                    Particle::Element { ty, .. } => Step::Element(schema.ty(ty)),
                    Particle::Any { .. } => Step::Skip,
                };
            }
            if self.count < min {
                out.push(err(
                    SchemaErrorKind::MissingRequiredElement,
                    child,
                    format!(
                        "Element '{}': This element is not expected.{}",
                        child.name,
                        self.expected()
                    ),
                ));
                self.failed = true;
                return Step::Rejected;
            }
            self.index += 1;
            self.count = 0;
        }
    }

    /// Called after the last child: reports required particles that never appeared.
    pub fn finish(&mut self, parent: &Element, out: &mut Vec<SchemaError>) {
        if self.failed {
            return;
        }
        while let Some(p) = self.ty.particles.get(self.index) {
            if self.count < p.bounds().0 {
                out.push(err(
                    SchemaErrorKind::MissingRequiredElement,
                    parent,
                    format!(
                        "Element '{}': Missing child element(s).{}",
                        parent.name,
                        self.expected()
                    ),
                ));
                return;
            }
            self.index += 1;
            self.count = 0;
        }
    }
}

/// Validates a whole subtree against a type.
pub fn validate_element(
    schema: &Schema,
    el: &Element,
    ty: &'static TypeDef,
    out: &mut Vec<SchemaError>,
) {
    check_attributes_and_text(el, ty, out);
    if let Content::Simple(_) = ty.content {
        return;
    }
    let mut m = SequenceMatcher::new(ty);
    for child in el.elements() {
        if let Step::Element(cty) = m.step(schema, child, out) {
            validate_element(schema, child, cty, out);
        }
    }
    m.finish(el, out);
}

/// Validates a complete document tree; the root must be a global element of the schema.
pub fn validate_document(schema: &Schema, root: &Element) -> Vec<SchemaError> {
    let mut out = Vec::new();
    match (root.ns.is_none(), schema.global(&root.name)) {
        (true, Some(ty)) => validate_element(schema, root, ty, &mut out),
        _ => out.push(err(
            SchemaErrorKind::Other,
            root,
            format!(
                "Element '{}': No matching global declaration available for the validation root.",
                root.name
            ),
        )),
    }
    out
}
