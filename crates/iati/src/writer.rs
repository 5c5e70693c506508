//! Writer: IATI 2.03 XML from the model, children in schema order.
//!
//! Namespaces are fixed up on the way out: any prefix an element or attribute uses that is
//! not declared in scope gets declared on that element, so extension content kept from
//! another file (d-portal's `dstore:`…) stays well-formed wherever it lands.

use std::io::{self, Write};

use crate::model::{AIDTRACE_NS, AIDTRACE_PREFIX, IatiActivity, IatiOrganisation};
use crate::reader::FileHeader;
use crate::xml::{Element, Node, XML_NS};

fn escape_text(s: &str, out: &mut Vec<u8>) {
    for b in s.bytes() {
        match b {
            b'&' => out.extend_from_slice(b"&amp;"),
            b'<' => out.extend_from_slice(b"&lt;"),
            b'>' => out.extend_from_slice(b"&gt;"),
            b'\r' => out.extend_from_slice(b"&#13;"),
            _ => out.push(b),
        }
    }
}

fn escape_attr(s: &str, out: &mut Vec<u8>) {
    for b in s.bytes() {
        match b {
            b'&' => out.extend_from_slice(b"&amp;"),
            b'<' => out.extend_from_slice(b"&lt;"),
            b'"' => out.extend_from_slice(b"&quot;"),
            b'\n' => out.extend_from_slice(b"&#10;"),
            b'\r' => out.extend_from_slice(b"&#13;"),
            b'\t' => out.extend_from_slice(b"&#9;"),
            _ => out.push(b),
        }
    }
}

fn prefix_of(name: &str) -> Option<&str> {
    name.split_once(':').map(|(p, _)| p)
}

fn need(
    scope: &[(String, String)],
    needed: &mut Vec<(String, String)>,
    p: Option<&str>,
    ns: Option<&str>,
) {
    let (Some(p), Some(ns)) = (p, ns) else { return };
    // Reserved prefixes are never declared (binding them is not well-formed).
    if p == "xmlns" || p == "xml" {
        return;
    }
    let bound = (p == "xml" && ns == XML_NS)
        || scope
            .iter()
            .rev()
            .find(|(q, _)| q == p)
            .is_some_and(|(_, u)| u == ns);
    if !bound && !needed.iter().any(|(q, _)| q == p) {
        needed.push((p.to_owned(), ns.to_owned()));
    }
}

/// Serialises elements with namespace fix-ups; `scope` holds (prefix, uri) in force.
struct Ser<'a> {
    out: &'a mut Vec<u8>,
    scope: Vec<(String, String)>,
}

impl Ser<'_> {
    /// `indent: None` writes compactly (no added whitespace): used inside mixed content,
    /// where added indentation would change the text.
    fn element(&mut self, el: &Element, indent: Option<usize>) {
        let mark = self.scope.len();
        self.out
            .extend(std::iter::repeat_n(b' ', indent.unwrap_or(0)));
        self.out.push(b'<');
        self.out.extend_from_slice(el.name.as_bytes());
        // Own declarations first (kept ones), then any missing ones.
        for a in el.attrs.iter().filter(|a| a.is_ns_decl()) {
            let p = a.name.strip_prefix("xmlns:").unwrap_or("").to_owned();
            self.scope.push((p, a.value.to_string()));
        }
        let mut needed: Vec<(String, String)> = Vec::new();
        need(
            &self.scope,
            &mut needed,
            prefix_of(&el.name),
            el.ns.as_deref(),
        );
        let default_ns = self
            .scope
            .iter()
            .rev()
            .find(|(p, _)| p.is_empty())
            .map(|(_, u)| u.as_str())
            .unwrap_or("");
        if prefix_of(&el.name).is_none() && el.ns.as_deref().unwrap_or("") != default_ns {
            // Unprefixed element whose namespace differs from the default in force.
            needed.push((String::new(), el.ns.clone().unwrap_or_default()));
        }
        for a in el.attrs.iter().filter(|a| !a.is_ns_decl()) {
            need(
                &self.scope,
                &mut needed,
                prefix_of(&a.name),
                a.ns.as_deref(),
            );
        }
        for a in &el.attrs {
            self.out.push(b' ');
            self.out.extend_from_slice(a.name.as_bytes());
            self.out.extend_from_slice(b"=\"");
            escape_attr(&a.value, self.out);
            self.out.push(b'"');
        }
        for (p, uri) in needed {
            self.out.extend_from_slice(if p.is_empty() {
                b" xmlns=\"".as_slice()
            } else {
                b" xmlns:".as_slice()
            });
            if !p.is_empty() {
                self.out.extend_from_slice(p.as_bytes());
                self.out.extend_from_slice(b"=\"");
            }
            escape_attr(&uri, self.out);
            self.out.push(b'"');
            self.scope.push((p, uri));
        }
        let newline = |out: &mut Vec<u8>| {
            if indent.is_some() {
                out.push(b'\n');
            }
        };
        let has_elements = el.elements().next().is_some();
        let mixed = has_elements
            && el
                .children
                .iter()
                .any(|n| matches!(n, Node::Text(t) if !t.trim().is_empty()));
        if el.children.is_empty() {
            self.out.extend_from_slice(b"/>");
            newline(self.out);
        } else if !has_elements || mixed || indent.is_none() {
            self.out.push(b'>');
            for n in &el.children {
                match n {
                    Node::Text(t) => escape_text(t, self.out),
                    Node::Element(c) => self.element(c, None),
                }
            }
            self.close(el, None);
            newline(self.out);
        } else {
            self.out.extend_from_slice(b">\n");
            for n in &el.children {
                if let Node::Element(c) = n {
                    self.element(c, indent.map(|i| i + 1));
                }
            }
            self.close(el, indent);
            self.out.push(b'\n');
        }
        self.scope.truncate(mark);
    }

    fn close(&mut self, el: &Element, indent: Option<usize>) {
        self.out
            .extend(std::iter::repeat_n(b' ', indent.unwrap_or(0)));
        self.out.extend_from_slice(b"</");
        self.out.extend_from_slice(el.name.as_bytes());
        self.out.push(b'>');
    }
}

/// Serialises one element tree (with a trailing newline), declaring prefixes as needed.
pub fn write_element<W: Write>(w: &mut W, el: &Element) -> io::Result<()> {
    let mut out = Vec::new();
    Ser {
        out: &mut out,
        scope: Vec::new(),
    }
    .element(el, Some(0));
    w.write_all(&out)
}

fn root_open(name: &str, header: Option<&FileHeader>) -> (Vec<u8>, Vec<(String, String)>) {
    let mut out = Vec::new();
    let mut scope = vec![(AIDTRACE_PREFIX.to_owned(), AIDTRACE_NS.to_owned())];
    out.extend_from_slice(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<");
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b" version=\"2.03\"");
    let mut has_generated = false;
    if let Some(h) = header {
        for a in &h.attrs {
            if a.name == "version"
                || (a.is_ns_decl()
                    && (a.name == "xmlns" || a.name == format!("xmlns:{AIDTRACE_PREFIX}")))
            {
                continue;
            }
            has_generated |= a.name == "generated-datetime";
            out.push(b' ');
            out.extend_from_slice(a.name.as_bytes());
            out.extend_from_slice(b"=\"");
            escape_attr(&a.value, &mut out);
            out.push(b'"');
            if a.is_ns_decl() {
                scope.push((
                    a.name.trim_start_matches("xmlns:").to_owned(),
                    a.value.to_string(),
                ));
            }
        }
    }
    if !has_generated {
        let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ");
        out.extend_from_slice(format!(" generated-datetime=\"{now}\"").as_bytes());
    }
    out.extend_from_slice(format!(" xmlns:{AIDTRACE_PREFIX}=\"{AIDTRACE_NS}\">\n").as_bytes());
    (out, scope)
}

/// Writes an `iati-activities` file (version 2.03). Root attributes and namespace
/// declarations of `header` are kept (its version is replaced by 2.03).
pub fn write_activities<'a, W: Write>(
    w: &mut W,
    header: Option<&FileHeader>,
    activities: impl IntoIterator<Item = &'a IatiActivity>,
) -> io::Result<()> {
    let (mut out, scope) = root_open("iati-activities", header);
    w.write_all(&out)?;
    for a in activities {
        out.clear();
        Ser {
            out: &mut out,
            scope: scope.clone(),
        }
        .element(&a.to_element(), Some(1));
        w.write_all(&out)?;
    }
    w.write_all(b"</iati-activities>\n")
}

/// Writes an `iati-organisations` file (version 2.03).
pub fn write_organisations<'a, W: Write>(
    w: &mut W,
    header: Option<&FileHeader>,
    organisations: impl IntoIterator<Item = &'a IatiOrganisation>,
) -> io::Result<()> {
    let (mut out, scope) = root_open("iati-organisations", header);
    w.write_all(&out)?;
    for o in organisations {
        out.clear();
        Ser {
            out: &mut out,
            scope: scope.clone(),
        }
        .element(&o.to_element(), Some(1));
        w.write_all(&out)?;
    }
    w.write_all(b"</iati-organisations>\n")
}
