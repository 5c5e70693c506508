//! Reading and writing helpers every typed struct shares: narratives, attribute getters and the
//! small element builder [`B`]. Apart so the structs read as their IATI fields only.

use serde::Serialize;

use super::ext::Ext;
use crate::xml::{Attr, Element, Node, XML_NS};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Narrative {
    pub lang: Option<String>,
    pub text: String,
}

pub(super) fn narratives(el: &Element) -> Vec<Narrative> {
    el.children_named("narrative")
        .map(|n| Narrative {
            lang: n.xml_lang().map(str::to_owned),
            text: n.text().into_owned(),
        })
        .collect()
}

pub(super) fn attr(el: &Element, name: &str) -> Option<String> {
    el.attr(name).map(str::to_owned)
}

pub(super) fn child_attr(el: &Element, child: &str, name: &str) -> Option<String> {
    el.child(child)
        .and_then(|c| c.attr(name))
        .map(str::to_owned)
}

/// Small builder used by the writer side of every struct.
pub(super) struct B(Element);

impl B {
    pub(super) fn new(name: &str) -> Self {
        B(Element::new(name))
    }
    pub(super) fn attr(mut self, name: &str, v: &Option<String>) -> Self {
        if let Some(v) = v {
            let ns = name.starts_with("xml:").then(|| XML_NS.to_owned());
            self.0.attrs.push(Attr {
                name: name.into(),
                ns,
                value: v.into(),
            });
        }
        self
    }
    pub(super) fn narratives(mut self, ns: &[Narrative]) -> Self {
        for n in ns {
            let mut e = B::new("narrative").attr("xml:lang", &n.lang).0;
            if !n.text.is_empty() {
                e.children.push(Node::Text(n.text.as_str().into()));
            }
            self.0.children.push(Node::Element(e));
        }
        self
    }
    pub(super) fn text(mut self, t: &str) -> Self {
        if !t.is_empty() {
            self.0.children.push(Node::Text(t.into()));
        }
        self
    }
    pub(super) fn child(mut self, c: Element) -> Self {
        self.0.children.push(Node::Element(c));
        self
    }
    pub(super) fn child_opt(self, c: Option<Element>) -> Self {
        match c {
            Some(c) => self.child(c),
            None => self,
        }
    }
    pub(super) fn children(mut self, cs: impl IntoIterator<Item = Element>) -> Self {
        self.0.children.extend(cs.into_iter().map(Node::Element));
        self
    }
    pub(super) fn ext(mut self, ext: &Ext) -> Self {
        ext.apply(&mut self.0);
        self
    }
    pub(super) fn done(self) -> Element {
        self.0
    }
}

/// `<name code="…"/>`-style element, or `None`.
pub(super) fn code_el(name: &str, code: &Option<String>) -> Option<Element> {
    code.as_ref()
        .map(|c| B::new(name).attr("code", &Some(c.clone())).done())
}

/// Element holding only narratives (title, description, name…), or `None` if absent.
pub(super) fn narr_el(name: &str, ns: &Option<Vec<Narrative>>) -> Option<Element> {
    ns.as_ref().map(|ns| B::new(name).narratives(ns).done())
}

pub(super) fn opt_narratives(el: &Element, child: &str) -> Option<Vec<Narrative>> {
    el.child(child).map(narratives)
}

pub(super) fn date_pair(el: &Element) -> (Option<String>, Option<String>) {
    (
        child_attr(el, "period-start", "iso-date"),
        child_attr(el, "period-end", "iso-date"),
    )
}

pub(super) fn period_els(start: &Option<String>, end: &Option<String>) -> [Option<Element>; 2] {
    [
        start.as_ref().map(|d| {
            B::new("period-start")
                .attr("iso-date", &Some(d.clone()))
                .done()
        }),
        end.as_ref().map(|d| {
            B::new("period-end")
                .attr("iso-date", &Some(d.clone()))
                .done()
        }),
    ]
}
