//! What the typed model keeps verbatim: extension content from other namespaces ([`Ext`]), the
//! source line, and inner content the model has no field for ([`KeptAttrs`]) with how it is
//! found and put back. Apart because it is about round-tripping, not about IATI's meaning.

use serde::Serialize;

use crate::xml::{Attr, Element, Node};

/// Extension content from other namespaces, kept verbatim (positions cleared), and the line
/// the element was read at.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Ext {
    #[serde(skip)]
    pub attrs: Vec<Attr>,
    #[serde(skip)]
    pub elements: Vec<Element>,
    /// Where the element holding this was read, so an importer can say which budget or
    /// transaction it left out.
    #[serde(skip)]
    pub line: SourceLine,
}

/// The 1-based line an element was read at (0 when built in code). Not content: two models that
/// say the same are equal wherever they were read, so a write → read round trip compares equal.
#[derive(Debug, Clone, Copy, Default)]
pub struct SourceLine(pub u64);

impl PartialEq for SourceLine {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for SourceLine {}

impl Ext {
    /// Like `from_el`, without `xml:lang` (for elements whose model has a `lang` field).
    pub(super) fn from_el_without_lang(el: &Element) -> Self {
        let mut e = Ext::from_el(el);
        if let Some(taken) = el.xml_lang_attr() {
            e.attrs.retain(|a| a.name != taken.name);
        }
        e
    }

    pub(super) fn from_el(el: &Element) -> Self {
        Ext {
            attrs: foreign_attrs(el).cloned().collect(),
            elements: el
                .elements()
                .filter(|c| c.ns.is_some())
                .map(normalise)
                .collect(),
            line: SourceLine(el.line),
        }
    }

    pub(super) fn apply(&self, el: &mut Element) {
        el.attrs.extend(self.attrs.iter().cloned());
        el.children
            .extend(self.elements.iter().cloned().map(Node::Element));
    }

    /// No extension content (the line is not content).
    pub fn is_empty(&self) -> bool {
        self.attrs.is_empty() && self.elements.is_empty()
    }
}

/// Attributes in another namespace (`xml:lang`, `dstore:index`…), not namespace declarations.
fn foreign_attrs(el: &Element) -> impl Iterator<Item = &Attr> {
    el.attrs
        .iter()
        .filter(|a| a.ns.is_some() && !a.is_ns_decl())
}

/// Source content the typed model has no room for — foreign attributes on inner elements
/// (e.g. `xml:lang` on a description in 1.x-style data), attributes the schema does not know,
/// elements it cannot represent (a `transaction-type` without a code) — with the path to put
/// it back: (name, index among same-name siblings) from the activity down.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeptAttrs {
    pub path: Vec<(String, usize)>,
    pub attrs: Vec<Attr>,
    /// Whole child elements to append under the element at `path`.
    pub elements: Vec<Element>,
}

/// Finds what `orig` (recursively) has that `written` lacks at the same path.
pub(super) fn diff_attrs(
    orig: &Element,
    written: &Element,
    path: &mut Vec<(String, usize)>,
    out: &mut Vec<KeptAttrs>,
) {
    // Per child name: how many copies the source had so far, and where in `written` to look
    // for the next one (so a thousand transactions cost a thousand steps, not a million).
    let mut seen: Vec<(&str, usize, usize)> = Vec::new();
    let mut lost_elements = Vec::new();
    for c in orig.elements().filter(|c| c.is_iati()) {
        let slot = match seen.iter().position(|(n, ..)| *n == c.name.as_str()) {
            Some(slot) => slot,
            None => {
                seen.push((c.name.as_str(), 0, 0));
                seen.len() - 1
            }
        };
        let (_, copies, from) = &mut seen[slot];
        let idx = *copies;
        *copies += 1;
        let next = written.children[*from..]
            .iter()
            .enumerate()
            .find_map(|(k, n)| match n {
                Node::Element(e) if e.ns.is_none() && e.name == c.name => Some((k, e)),
                _ => None,
            });
        let Some((k, w)) = next else {
            *from = written.children.len();
            lost_elements.push(normalise(c));
            continue;
        };
        *from += k + 1;
        path.push((c.name.to_string(), idx));
        // Same name already written (even with another value): adding it would duplicate it.
        let missing: Vec<Attr> = c
            .attrs
            .iter()
            .filter(|a| !a.is_ns_decl() && !w.attrs.iter().any(|b| b.name == a.name))
            .cloned()
            .collect();
        if !missing.is_empty() {
            out.push(KeptAttrs {
                path: path.clone(),
                attrs: missing,
                elements: Vec::new(),
            });
        }
        diff_attrs(c, w, path, out);
        path.pop();
    }
    if !lost_elements.is_empty() {
        out.push(KeptAttrs {
            path: path.clone(),
            attrs: Vec::new(),
            elements: lost_elements,
        });
    }
}

fn find_mut<'a>(el: &'a mut Element, path: &[(String, usize)]) -> Option<&'a mut Element> {
    let Some(((name, idx), rest)) = path.split_first() else {
        return Some(el);
    };
    let child = el
        .children
        .iter_mut()
        .filter_map(|n| match n {
            Node::Element(e) if e.is_iati() && e.name == name.as_str() => Some(e),
            _ => None,
        })
        .nth(*idx)?;
    find_mut(child, rest)
}

pub(super) fn apply_kept(root: &mut Element, kept: &[KeptAttrs]) {
    for k in kept {
        if let Some(cur) = find_mut(root, &k.path) {
            cur.attrs.extend(k.attrs.iter().cloned());
            cur.children
                .extend(k.elements.iter().cloned().map(Node::Element));
        }
    }
}

/// Clears source positions and drops namespace declarations and indentation, so that a
/// kept element compares equal after being written and read back.
pub fn normalise(el: &Element) -> Element {
    let has_elements = el.elements().next().is_some();
    Element {
        name: el.name.clone(),
        ns: el.ns.clone(),
        attrs: el
            .attrs
            .iter()
            .filter(|a| !a.is_ns_decl())
            .cloned()
            .collect(),
        children: el
            .children
            .iter()
            .filter_map(|n| match n {
                Node::Element(c) => Some(Node::Element(normalise(c))),
                Node::Text(t) if has_elements && t.trim().is_empty() => None,
                Node::Text(t) => Some(Node::Text(t.clone())),
            })
            .collect(),
        line: 0,
        column: 0,
    }
}
