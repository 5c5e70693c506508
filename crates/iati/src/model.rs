//! IATI-shaped Rust model of activities and organisations.
//!
//! The typed part covers what tracing aid needs (identifiers, organisations, texts, dates,
//! classifications, money, geography, results, links). Everything else is kept as
//! normalised [`Element`] trees so that it survives a round trip untouched, and every typed
//! struct keeps attributes and child elements from other namespaces in [`Ext`].
//! Values are kept as published (codes and dates as strings) with typed accessors, except
//! money, which is a `rust_decimal::Decimal` with its currency and value date.

use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::xml::{Attr, Element, Node, XML_NS};

/// Namespace for aidtrace's own data (equipment lines, provenance) inside IATI files.
pub const AIDTRACE_NS: &str = "urn:x-aidtrace:iati:1";
/// Prefix the writer binds [`AIDTRACE_NS`] to.
pub const AIDTRACE_PREFIX: &str = "aidtrace";

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
    fn from_el_without_lang(el: &Element) -> Self {
        let mut e = Ext::from_el(el);
        if let Some(taken) = el.xml_lang_attr() {
            e.attrs.retain(|a| a.name != taken.name);
        }
        e
    }

    fn from_el(el: &Element) -> Self {
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

    fn apply(&self, el: &mut Element) {
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
fn diff_attrs(
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

fn apply_kept(root: &mut Element, kept: &[KeptAttrs]) {
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

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Narrative {
    pub lang: Option<String>,
    pub text: String,
}

fn narratives(el: &Element) -> Vec<Narrative> {
    el.children_named("narrative")
        .map(|n| Narrative {
            lang: n.xml_lang().map(str::to_owned),
            text: n.text().into_owned(),
        })
        .collect()
}

fn attr(el: &Element, name: &str) -> Option<String> {
    el.attr(name).map(str::to_owned)
}

fn child_attr(el: &Element, child: &str, name: &str) -> Option<String> {
    el.child(child)
        .and_then(|c| c.attr(name))
        .map(str::to_owned)
}

/// Small builder used by the writer side of every struct.
struct B(Element);

impl B {
    fn new(name: &str) -> Self {
        B(Element::new(name))
    }
    fn attr(mut self, name: &str, v: &Option<String>) -> Self {
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
    fn narratives(mut self, ns: &[Narrative]) -> Self {
        for n in ns {
            let mut e = B::new("narrative").attr("xml:lang", &n.lang).0;
            if !n.text.is_empty() {
                e.children.push(Node::Text(n.text.as_str().into()));
            }
            self.0.children.push(Node::Element(e));
        }
        self
    }
    fn text(mut self, t: &str) -> Self {
        if !t.is_empty() {
            self.0.children.push(Node::Text(t.into()));
        }
        self
    }
    fn child(mut self, c: Element) -> Self {
        self.0.children.push(Node::Element(c));
        self
    }
    fn child_opt(self, c: Option<Element>) -> Self {
        match c {
            Some(c) => self.child(c),
            None => self,
        }
    }
    fn children(mut self, cs: impl IntoIterator<Item = Element>) -> Self {
        self.0.children.extend(cs.into_iter().map(Node::Element));
        self
    }
    fn ext(mut self, ext: &Ext) -> Self {
        ext.apply(&mut self.0);
        self
    }
    fn done(self) -> Element {
        self.0
    }
}

/// `<name code="…"/>`-style element, or `None`.
fn code_el(name: &str, code: &Option<String>) -> Option<Element> {
    code.as_ref()
        .map(|c| B::new(name).attr("code", &Some(c.clone())).done())
}

/// Element holding only narratives (title, description, name…), or `None` if absent.
fn narr_el(name: &str, ns: &Option<Vec<Narrative>>) -> Option<Element> {
    ns.as_ref().map(|ns| B::new(name).narratives(ns).done())
}

fn opt_narratives(el: &Element, child: &str) -> Option<Vec<Narrative>> {
    el.child(child).map(narratives)
}

/// A monetary value: amount, currency (if given on the value) and value date.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Money {
    /// `None` when the published text is not a decimal; the text is then kept in `raw`.
    pub amount: Option<Decimal>,
    pub raw: Option<String>,
    pub currency: Option<String>,
    pub value_date: Option<String>,
    #[serde(skip)]
    pub ext: Ext,
}

impl Money {
    fn from_el(el: &Element) -> Self {
        let text = el.text();
        let trimmed = text.trim();
        // `from_str` rounds away digits beyond what a decimal holds (29 decimal places, or a long
        // integer part with many decimals); such a value is kept as text, not silently rounded.
        let written_places = trimmed
            .split_once('.')
            .map_or(0, |(_, f)| f.bytes().filter(u8::is_ascii_digit).count());
        let amount = Decimal::from_str(trimmed)
            .ok()
            .filter(|d| usize::try_from(d.scale()).is_ok_and(|s| s == written_places))
            .filter(|_| crate::schema::check_datatype(crate::schema::Datatype::Decimal, trimmed));
        Money {
            raw: if amount.is_none() {
                Some(text.into_owned())
            } else {
                None
            },
            amount,
            currency: attr(el, "currency"),
            value_date: attr(el, "value-date"),
            ext: Ext::from_el(el),
        }
    }

    fn to_el(&self) -> Element {
        let text = match (&self.amount, &self.raw) {
            (Some(a), _) => a.to_string(),
            (None, Some(r)) => r.clone(),
            (None, None) => String::new(),
        };
        B::new("value")
            .attr("currency", &self.currency)
            .attr("value-date", &self.value_date)
            .text(&text)
            .ext(&self.ext)
            .done()
    }

    /// Currency of this value: its own, else the activity's default.
    pub fn currency_or<'a>(&'a self, default: Option<&'a str>) -> Option<&'a str> {
        self.currency.as_deref().or(default)
    }

    pub fn value_date(&self) -> Option<NaiveDate> {
        parse_date(self.value_date.as_deref()?)
    }
}

/// Parses the date part of an xs:date (ignoring a timezone suffix).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let head = s.trim().get(..10)?;
    // The usual `YYYY-MM-DD` is read directly: chrono's format interpreter is a visible part
    // of validation time. Anything else keeps chrono's (more lenient) reading.
    let b = head.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    if b[4] == b'-'
        && b[7] == b'-'
        && let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10))
    {
        return NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d);
    }
    NaiveDate::parse_from_str(head, "%Y-%m-%d").ok()
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReportingOrg {
    pub r#ref: Option<String>,
    pub r#type: Option<String>,
    pub secondary_reporter: Option<String>,
    pub narratives: Vec<Narrative>,
    #[serde(skip)]
    pub ext: Ext,
}

impl ReportingOrg {
    fn from_el(el: &Element) -> Self {
        ReportingOrg {
            r#ref: attr(el, "ref"),
            r#type: attr(el, "type"),
            secondary_reporter: attr(el, "secondary-reporter"),
            narratives: narratives(el),
            ext: Ext::from_el(el),
        }
    }
    fn to_el(&self) -> Element {
        B::new("reporting-org")
            .attr("ref", &self.r#ref)
            .attr("type", &self.r#type)
            .attr("secondary-reporter", &self.secondary_reporter)
            .narratives(&self.narratives)
            .ext(&self.ext)
            .done()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ParticipatingOrg {
    pub r#ref: Option<String>,
    pub r#type: Option<String>,
    pub role: Option<String>,
    pub activity_id: Option<String>,
    pub crs_channel_code: Option<String>,
    pub narratives: Vec<Narrative>,
    #[serde(skip)]
    pub ext: Ext,
}

impl ParticipatingOrg {
    fn from_el(el: &Element) -> Self {
        ParticipatingOrg {
            r#ref: attr(el, "ref"),
            r#type: attr(el, "type"),
            role: attr(el, "role"),
            activity_id: attr(el, "activity-id"),
            crs_channel_code: attr(el, "crs-channel-code"),
            narratives: narratives(el),
            ext: Ext::from_el(el),
        }
    }
    fn to_el(&self) -> Element {
        B::new("participating-org")
            .attr("ref", &self.r#ref)
            .attr("type", &self.r#type)
            .attr("role", &self.role)
            .attr("activity-id", &self.activity_id)
            .attr("crs-channel-code", &self.crs_channel_code)
            .narratives(&self.narratives)
            .ext(&self.ext)
            .done()
    }
}

/// Provider or receiver organisation of a transaction or planned disbursement.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FlowOrg {
    pub r#ref: Option<String>,
    pub r#type: Option<String>,
    /// `provider-activity-id` or `receiver-activity-id`: the activity funds come from or go to.
    pub activity_id: Option<String>,
    pub narratives: Vec<Narrative>,
}

impl FlowOrg {
    fn from_el(el: &Element, id_attr: &str) -> Self {
        FlowOrg {
            r#ref: attr(el, "ref"),
            r#type: attr(el, "type"),
            activity_id: attr(el, id_attr),
            narratives: narratives(el),
        }
    }
    fn to_el(&self, name: &str, id_attr: &str) -> Element {
        B::new(name)
            .attr("ref", &self.r#ref)
            .attr(id_attr, &self.activity_id)
            .attr("type", &self.r#type)
            .narratives(&self.narratives)
            .done()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Description {
    pub r#type: Option<String>,
    pub narratives: Vec<Narrative>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ActivityDate {
    pub r#type: Option<String>,
    pub iso_date: Option<String>,
    pub narratives: Vec<Narrative>,
}

/// Sector, recipient country or recipient region: a coded share of the activity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Classification {
    pub code: Option<String>,
    pub vocabulary: Option<String>,
    pub vocabulary_uri: Option<String>,
    pub percentage: Option<String>,
    pub narratives: Vec<Narrative>,
}

impl Classification {
    fn from_el(el: &Element) -> Self {
        Classification {
            code: attr(el, "code"),
            vocabulary: attr(el, "vocabulary"),
            vocabulary_uri: attr(el, "vocabulary-uri"),
            percentage: attr(el, "percentage"),
            narratives: narratives(el),
        }
    }
    fn to_el(&self, name: &str) -> Element {
        B::new(name)
            .attr("code", &self.code)
            .attr("vocabulary", &self.vocabulary)
            .attr("vocabulary-uri", &self.vocabulary_uri)
            .attr("percentage", &self.percentage)
            .narratives(&self.narratives)
            .done()
    }

    /// The percentage as a decimal, if present and numeric.
    pub fn percentage(&self) -> Option<Decimal> {
        Decimal::from_str(self.percentage.as_deref()?.trim()).ok()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AidType {
    pub code: Option<String>,
    pub vocabulary: Option<String>,
}

impl AidType {
    fn from_el(el: &Element) -> Self {
        AidType {
            code: attr(el, "code"),
            vocabulary: attr(el, "vocabulary"),
        }
    }
    fn to_el(&self, name: &str) -> Element {
        B::new(name)
            .attr("code", &self.code)
            .attr("vocabulary", &self.vocabulary)
            .done()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Budget {
    pub r#type: Option<String>,
    pub status: Option<String>,
    pub period_start: Option<String>,
    pub period_end: Option<String>,
    pub value: Option<Money>,
    #[serde(skip)]
    pub ext: Ext,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PlannedDisbursement {
    pub r#type: Option<String>,
    pub period_start: Option<String>,
    pub period_end: Option<String>,
    pub value: Option<Money>,
    pub provider_org: Option<FlowOrg>,
    pub receiver_org: Option<FlowOrg>,
    #[serde(skip)]
    pub ext: Ext,
}

/// Maps an IATI 1.x transaction type letter code to its 2.x numeric code.
pub fn transaction_type_from_legacy(code: &str) -> Option<&'static str> {
    Some(match code.trim() {
        "IF" => "1",
        "C" => "2",
        "D" => "3",
        "E" => "4",
        "IR" => "5",
        "LR" => "6",
        "R" => "7",
        "QP" => "8",
        "QS" => "9",
        "CG" => "10",
        _ => return None,
    })
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Transaction {
    pub r#ref: Option<String>,
    pub humanitarian: Option<String>,
    /// 2.x numeric code; 1.x letter codes are mapped (the letter is kept in `legacy_type`).
    pub transaction_type: Option<String>,
    pub legacy_type: Option<String>,
    pub transaction_date: Option<String>,
    pub value: Option<Money>,
    pub description: Option<Vec<Narrative>>,
    pub provider_org: Option<FlowOrg>,
    pub receiver_org: Option<FlowOrg>,
    pub disbursement_channel: Option<String>,
    pub sectors: Vec<Classification>,
    pub recipient_country: Option<Classification>,
    pub recipient_region: Option<Classification>,
    pub flow_type: Option<String>,
    pub finance_type: Option<String>,
    pub aid_types: Vec<AidType>,
    pub tied_status: Option<String>,
    #[serde(skip)]
    pub ext: Ext,
}

impl Transaction {
    fn from_el(el: &Element) -> Self {
        let tt = el.child("transaction-type");
        let raw_type = tt.and_then(|t| t.attr("code")).map(str::to_owned);
        // A legacy letter either comes from 1.x data or from our own writer, which stores
        // the original letter in the aidtrace namespace next to the mapped numeric code.
        let stored_legacy = tt.and_then(|t| {
            t.attrs
                .iter()
                .find(|a| a.ns.as_deref() == Some(AIDTRACE_NS) && a.local() == "legacy-code")
                .map(|a| a.value.to_string())
        });
        let (transaction_type, legacy_type) =
            match raw_type.as_deref().and_then(transaction_type_from_legacy) {
                Some(mapped) => (Some(mapped.to_owned()), raw_type.clone()),
                None => (raw_type, stored_legacy),
            };
        Transaction {
            r#ref: attr(el, "ref"),
            humanitarian: attr(el, "humanitarian"),
            transaction_type,
            legacy_type,
            transaction_date: child_attr(el, "transaction-date", "iso-date"),
            value: el.child("value").map(Money::from_el),
            description: opt_narratives(el, "description"),
            provider_org: el
                .child("provider-org")
                .map(|o| FlowOrg::from_el(o, "provider-activity-id")),
            receiver_org: el
                .child("receiver-org")
                .map(|o| FlowOrg::from_el(o, "receiver-activity-id")),
            disbursement_channel: child_attr(el, "disbursement-channel", "code"),
            sectors: el
                .children_named("sector")
                .map(Classification::from_el)
                .collect(),
            recipient_country: el.child("recipient-country").map(Classification::from_el),
            recipient_region: el.child("recipient-region").map(Classification::from_el),
            flow_type: child_attr(el, "flow-type", "code"),
            finance_type: child_attr(el, "finance-type", "code"),
            aid_types: el
                .children_named("aid-type")
                .map(AidType::from_el)
                .collect(),
            tied_status: child_attr(el, "tied-status", "code"),
            ext: Ext::from_el(el),
        }
    }

    fn to_el(&self) -> Element {
        let tt = self.transaction_type.as_ref().map(|c| {
            let mut e = B::new("transaction-type")
                .attr("code", &Some(c.clone()))
                .done();
            if let Some(l) = &self.legacy_type {
                e.attrs.push(Attr {
                    name: compact_str::format_compact!("{AIDTRACE_PREFIX}:legacy-code"),
                    ns: Some(AIDTRACE_NS.to_owned()),
                    value: l.into(),
                });
            }
            e
        });
        B::new("transaction")
            .attr("ref", &self.r#ref)
            .attr("humanitarian", &self.humanitarian)
            .child_opt(tt)
            .child_opt(self.transaction_date.as_ref().map(|d| {
                B::new("transaction-date")
                    .attr("iso-date", &Some(d.clone()))
                    .done()
            }))
            .child_opt(self.value.as_ref().map(Money::to_el))
            .child_opt(narr_el("description", &self.description))
            .child_opt(
                self.provider_org
                    .as_ref()
                    .map(|o| o.to_el("provider-org", "provider-activity-id")),
            )
            .child_opt(
                self.receiver_org
                    .as_ref()
                    .map(|o| o.to_el("receiver-org", "receiver-activity-id")),
            )
            .child_opt(code_el("disbursement-channel", &self.disbursement_channel))
            .children(self.sectors.iter().map(|s| s.to_el("sector")))
            .child_opt(
                self.recipient_country
                    .as_ref()
                    .map(|c| c.to_el("recipient-country")),
            )
            .child_opt(
                self.recipient_region
                    .as_ref()
                    .map(|c| c.to_el("recipient-region")),
            )
            .child_opt(code_el("flow-type", &self.flow_type))
            .child_opt(code_el("finance-type", &self.finance_type))
            .children(self.aid_types.iter().map(|a| a.to_el("aid-type")))
            .child_opt(code_el("tied-status", &self.tied_status))
            .ext(&self.ext)
            .done()
    }

    /// Currency of the value: its own, else the activity default.
    pub fn currency<'a>(&'a self, activity: &'a IatiActivity) -> Option<&'a str> {
        self.value
            .as_ref()?
            .currency_or(activity.default_currency.as_deref())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DocumentLink {
    pub url: Option<String>,
    pub format: Option<String>,
    pub title: Option<Vec<Narrative>>,
    pub description: Option<Vec<Narrative>>,
    pub categories: Vec<String>,
    pub languages: Vec<String>,
    pub document_date: Option<String>,
    #[serde(skip)]
    pub ext: Ext,
}

impl DocumentLink {
    fn from_el(el: &Element) -> Self {
        DocumentLink {
            url: attr(el, "url"),
            format: attr(el, "format"),
            title: opt_narratives(el, "title"),
            description: opt_narratives(el, "description"),
            categories: el
                .children_named("category")
                .filter_map(|c| attr(c, "code"))
                .collect(),
            languages: el
                .children_named("language")
                .filter_map(|c| attr(c, "code"))
                .collect(),
            document_date: child_attr(el, "document-date", "iso-date"),
            ext: Ext::from_el(el),
        }
    }
    fn to_el(&self) -> Element {
        B::new("document-link")
            .attr("url", &self.url)
            .attr("format", &self.format)
            .child_opt(narr_el("title", &self.title))
            .child_opt(narr_el("description", &self.description))
            .children(
                self.categories
                    .iter()
                    .map(|c| B::new("category").attr("code", &Some(c.clone())).done()),
            )
            .children(
                self.languages
                    .iter()
                    .map(|c| B::new("language").attr("code", &Some(c.clone())).done()),
            )
            .child_opt(self.document_date.as_ref().map(|d| {
                B::new("document-date")
                    .attr("iso-date", &Some(d.clone()))
                    .done()
            }))
            .ext(&self.ext)
            .done()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RelatedActivity {
    pub r#ref: Option<String>,
    /// 1 parent, 2 child, 3 sibling, 4 co-funded, 5 third party.
    pub r#type: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Indicator {
    pub measure: Option<String>,
    pub ascending: Option<String>,
    pub aggregation_status: Option<String>,
    pub title: Option<Vec<Narrative>>,
    pub description: Option<Vec<Narrative>>,
    /// document-link, reference, baseline and period children, kept whole and in order.
    #[serde(skip)]
    pub rest: Vec<Element>,
}

/// Targets and actuals of one indicator period, as published.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PeriodValues {
    pub start: Option<String>,
    pub end: Option<String>,
    pub targets: Vec<String>,
    pub actuals: Vec<String>,
}

impl Indicator {
    /// Target and actual values of each period (delivered "15 beds" are unit targets/actuals).
    pub fn periods(&self) -> Vec<PeriodValues> {
        self.rest
            .iter()
            .filter(|e| e.is_iati() && e.name == "period")
            .map(|p| {
                let vals = |n: &str| {
                    p.children_named(n)
                        .filter_map(|c| attr(c, "value"))
                        .collect::<Vec<_>>()
                };
                PeriodValues {
                    start: child_attr(p, "period-start", "iso-date"),
                    end: child_attr(p, "period-end", "iso-date"),
                    targets: vals("target"),
                    actuals: vals("actual"),
                }
            })
            .collect()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IatiResult {
    pub r#type: Option<String>,
    pub aggregation_status: Option<String>,
    pub title: Option<Vec<Narrative>>,
    pub description: Option<Vec<Narrative>>,
    /// document-link and reference children, kept whole.
    #[serde(skip)]
    pub links: Vec<Element>,
    pub indicators: Vec<Indicator>,
    #[serde(skip)]
    pub ext: Ext,
}

impl IatiResult {
    fn from_el(el: &Element) -> Self {
        IatiResult {
            r#type: attr(el, "type"),
            aggregation_status: attr(el, "aggregation-status"),
            title: opt_narratives(el, "title"),
            description: opt_narratives(el, "description"),
            links: {
                let mut links: Vec<Element> = el
                    .elements()
                    .filter(|c| {
                        c.is_iati() && matches!(c.name.as_str(), "document-link" | "reference")
                    })
                    .map(normalise)
                    .collect();
                // Writer (schema) order: document links, then references.
                links.sort_by_key(|e| e.name == "reference");
                links
            },
            indicators: el
                .children_named("indicator")
                .map(|i| Indicator {
                    measure: attr(i, "measure"),
                    ascending: attr(i, "ascending"),
                    aggregation_status: attr(i, "aggregation-status"),
                    title: opt_narratives(i, "title"),
                    description: opt_narratives(i, "description"),
                    rest: {
                        let mut rest: Vec<Element> = i
                            .elements()
                            .filter(|c| {
                                !(c.is_iati() && matches!(c.name.as_str(), "title" | "description"))
                            })
                            .map(normalise)
                            .collect();
                        // Same order as the writer: IATI elements, then extensions (the
                        // schema puts the wildcard last). Found by fuzzing.
                        rest.sort_by_key(|e| !e.is_iati());
                        rest
                    },
                })
                .collect(),
            ext: Ext::from_el(el),
        }
    }
    fn to_el(&self) -> Element {
        let indicators = self.indicators.iter().map(|i| {
            let mut b = B::new("indicator")
                .attr("measure", &i.measure)
                .attr("ascending", &i.ascending)
                .attr("aggregation-status", &i.aggregation_status)
                .child_opt(narr_el("title", &i.title))
                .child_opt(narr_el("description", &i.description));
            // The schema puts extension elements last; keep the IATI ones in their order.
            let (iati, foreign): (Vec<_>, Vec<_>) =
                i.rest.iter().cloned().partition(|e| e.is_iati());
            b = b.children(iati).children(foreign);
            b.done()
        });
        B::new("result")
            .attr("type", &self.r#type)
            .attr("aggregation-status", &self.aggregation_status)
            .child_opt(narr_el("title", &self.title))
            .child_opt(narr_el("description", &self.description))
            .children(
                self.links
                    .iter()
                    .filter(|e| e.name == "document-link")
                    .cloned(),
            )
            .children(self.links.iter().filter(|e| e.name == "reference").cloned())
            .children(indicators)
            .ext(&self.ext)
            .done()
    }
}

/// One `iati-activity`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IatiActivity {
    pub identifier: String,
    pub last_updated_datetime: Option<String>,
    pub lang: Option<String>,
    pub default_currency: Option<String>,
    pub humanitarian: Option<String>,
    pub hierarchy: Option<String>,
    pub linked_data_uri: Option<String>,
    pub budget_not_provided: Option<String>,
    pub reporting_org: Option<ReportingOrg>,
    pub title: Option<Vec<Narrative>>,
    pub descriptions: Vec<Description>,
    pub participating_orgs: Vec<ParticipatingOrg>,
    #[serde(skip)]
    pub other_identifiers: Vec<Element>,
    pub activity_status: Option<String>,
    pub activity_dates: Vec<ActivityDate>,
    #[serde(skip)]
    pub contact_info: Vec<Element>,
    pub activity_scope: Option<String>,
    pub recipient_countries: Vec<Classification>,
    pub recipient_regions: Vec<Classification>,
    #[serde(skip)]
    pub locations: Vec<Element>,
    pub sectors: Vec<Classification>,
    #[serde(skip)]
    pub tags: Vec<Element>,
    #[serde(skip)]
    pub country_budget_items: Option<Element>,
    #[serde(skip)]
    pub humanitarian_scopes: Vec<Element>,
    #[serde(skip)]
    pub policy_markers: Vec<Element>,
    pub collaboration_type: Option<String>,
    pub default_flow_type: Option<String>,
    pub default_finance_type: Option<String>,
    pub default_aid_types: Vec<AidType>,
    pub default_tied_status: Option<String>,
    pub budgets: Vec<Budget>,
    pub planned_disbursements: Vec<PlannedDisbursement>,
    pub capital_spend: Option<String>,
    pub transactions: Vec<Transaction>,
    pub document_links: Vec<DocumentLink>,
    pub related_activities: Vec<RelatedActivity>,
    #[serde(skip)]
    pub legacy_data: Vec<Element>,
    #[serde(skip)]
    pub conditions: Option<Element>,
    pub results: Vec<IatiResult>,
    #[serde(skip)]
    pub crs_add: Option<Element>,
    #[serde(skip)]
    pub fss: Option<Element>,
    /// Attributes and trailing child elements from other namespaces (d-portal's `dstore:*`,
    /// aidtrace's own data…).
    #[serde(skip)]
    pub ext: Ext,
    /// Inner content the typed model does not hold (see [`KeptAttrs`]).
    #[serde(skip)]
    pub kept_attrs: Vec<KeptAttrs>,
}

fn date_pair(el: &Element) -> (Option<String>, Option<String>) {
    (
        child_attr(el, "period-start", "iso-date"),
        child_attr(el, "period-end", "iso-date"),
    )
}

fn period_els(start: &Option<String>, end: &Option<String>) -> [Option<Element>; 2] {
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

/// Whether an activity the schema layer accepted can hold nothing the typed model lacks: every
/// attribute below the activity element is unprefixed (so the schema knows it, and the model
/// has a field for every attribute the schema knows) or a narrative's `xml:lang`. Foreign
/// attributes and elements on the activity element itself are kept by its `Ext` either way.
/// `tests/roundtrip.rs` checks on every shared file that such an activity has nothing to keep.
fn only_modelled_content(el: &Element) -> bool {
    el.elements().all(|child| {
        child.attrs.iter().all(|a| {
            a.ns.is_none() || a.is_ns_decl() || (child.name == "narrative" && a.name == "xml:lang")
        }) && only_modelled_content(child)
    })
}

impl IatiActivity {
    /// Maps an `iati-activity` element (as produced by the reader) into the model.
    pub fn from_element(el: &Element) -> Self {
        Self::build(el, true)
    }

    /// Like [`IatiActivity::from_element`], for an element the schema layer found valid: the
    /// search for content the model has no room for (writing the activity back and comparing,
    /// a sixth of a parallel import's reading time) is skipped when the element cannot hold any.
    pub fn from_schema_valid_element(el: &Element) -> Self {
        Self::build(el, !only_modelled_content(el))
    }

    fn build(el: &Element, search_unmodelled: bool) -> Self {
        let all = |name: &'static str| el.children_named(name).map(normalise).collect::<Vec<_>>();
        let one = |name: &str| el.child(name).map(normalise);
        let mut a = IatiActivity {
            identifier: el
                .child("iati-identifier")
                .map(|e| e.text().trim().to_owned())
                .unwrap_or_default(),
            last_updated_datetime: attr(el, "last-updated-datetime"),
            lang: el.xml_lang().map(str::to_owned),
            default_currency: attr(el, "default-currency"),
            humanitarian: attr(el, "humanitarian"),
            hierarchy: attr(el, "hierarchy"),
            linked_data_uri: attr(el, "linked-data-uri"),
            budget_not_provided: attr(el, "budget-not-provided"),
            reporting_org: el.child("reporting-org").map(ReportingOrg::from_el),
            title: opt_narratives(el, "title"),
            descriptions: el
                .children_named("description")
                .map(|d| Description {
                    r#type: attr(d, "type"),
                    narratives: narratives(d),
                })
                .collect(),
            participating_orgs: el
                .children_named("participating-org")
                .map(ParticipatingOrg::from_el)
                .collect(),
            other_identifiers: all("other-identifier"),
            activity_status: child_attr(el, "activity-status", "code"),
            activity_dates: el
                .children_named("activity-date")
                .map(|d| ActivityDate {
                    r#type: attr(d, "type"),
                    iso_date: attr(d, "iso-date"),
                    narratives: narratives(d),
                })
                .collect(),
            contact_info: all("contact-info"),
            activity_scope: child_attr(el, "activity-scope", "code"),
            recipient_countries: el
                .children_named("recipient-country")
                .map(Classification::from_el)
                .collect(),
            recipient_regions: el
                .children_named("recipient-region")
                .map(Classification::from_el)
                .collect(),
            locations: all("location"),
            sectors: el
                .children_named("sector")
                .map(Classification::from_el)
                .collect(),
            tags: all("tag"),
            country_budget_items: one("country-budget-items"),
            humanitarian_scopes: all("humanitarian-scope"),
            policy_markers: all("policy-marker"),
            collaboration_type: child_attr(el, "collaboration-type", "code"),
            default_flow_type: child_attr(el, "default-flow-type", "code"),
            default_finance_type: child_attr(el, "default-finance-type", "code"),
            default_aid_types: el
                .children_named("default-aid-type")
                .map(AidType::from_el)
                .collect(),
            default_tied_status: child_attr(el, "default-tied-status", "code"),
            budgets: el
                .children_named("budget")
                .map(|b| {
                    let (period_start, period_end) = date_pair(b);
                    Budget {
                        r#type: attr(b, "type"),
                        status: attr(b, "status"),
                        period_start,
                        period_end,
                        value: b.child("value").map(Money::from_el),
                        ext: Ext::from_el(b),
                    }
                })
                .collect(),
            planned_disbursements: el
                .children_named("planned-disbursement")
                .map(|p| {
                    let (period_start, period_end) = date_pair(p);
                    PlannedDisbursement {
                        r#type: attr(p, "type"),
                        period_start,
                        period_end,
                        value: p.child("value").map(Money::from_el),
                        provider_org: p
                            .child("provider-org")
                            .map(|o| FlowOrg::from_el(o, "provider-activity-id")),
                        receiver_org: p
                            .child("receiver-org")
                            .map(|o| FlowOrg::from_el(o, "receiver-activity-id")),
                        ext: Ext::from_el(p),
                    }
                })
                .collect(),
            capital_spend: child_attr(el, "capital-spend", "percentage"),
            transactions: el
                .children_named("transaction")
                .map(Transaction::from_el)
                .collect(),
            document_links: el
                .children_named("document-link")
                .map(DocumentLink::from_el)
                .collect(),
            related_activities: el
                .children_named("related-activity")
                .map(|r| RelatedActivity {
                    r#ref: attr(r, "ref"),
                    r#type: attr(r, "type"),
                })
                .collect(),
            legacy_data: all("legacy-data"),
            conditions: one("conditions"),
            results: el
                .children_named("result")
                .map(IatiResult::from_el)
                .collect(),
            crs_add: one("crs-add"),
            fss: one("fss"),
            ext: Ext::from_el_without_lang(el),
            kept_attrs: Vec::new(),
        };
        if !search_unmodelled {
            return a;
        }
        // The written form is compared with the source so that nothing the typed model has
        // no room for is lost (invalid or 1.x-style content).
        let written = a.to_element();
        let mut kept = Vec::new();
        diff_attrs(el, &written, &mut Vec::new(), &mut kept);
        // Source order may differ from schema order (found by fuzzing); sort so that the
        // same content always gives the same list.
        kept.sort_by(|x, y| x.path.cmp(&y.path));
        a.kept_attrs = kept;
        a
    }

    /// Builds the `iati-activity` element, children in 2.03 schema order.
    pub fn to_element(&self) -> Element {
        let code = |name: &str, v: &Option<String>| code_el(name, v);
        let mut root = B::new("iati-activity")
            .attr("last-updated-datetime", &self.last_updated_datetime)
            .attr("xml:lang", &self.lang)
            .attr("default-currency", &self.default_currency)
            .attr("humanitarian", &self.humanitarian)
            .attr("hierarchy", &self.hierarchy)
            .attr("linked-data-uri", &self.linked_data_uri)
            .attr("budget-not-provided", &self.budget_not_provided)
            .child(B::new("iati-identifier").text(&self.identifier).done())
            .child_opt(self.reporting_org.as_ref().map(ReportingOrg::to_el))
            .child_opt(narr_el("title", &self.title))
            .children(self.descriptions.iter().map(|d| {
                B::new("description")
                    .attr("type", &d.r#type)
                    .narratives(&d.narratives)
                    .done()
            }))
            .children(self.participating_orgs.iter().map(ParticipatingOrg::to_el))
            .children(self.other_identifiers.iter().cloned())
            .child_opt(code("activity-status", &self.activity_status))
            .children(self.activity_dates.iter().map(|d| {
                B::new("activity-date")
                    .attr("type", &d.r#type)
                    .attr("iso-date", &d.iso_date)
                    .narratives(&d.narratives)
                    .done()
            }))
            .children(self.contact_info.iter().cloned())
            .child_opt(code("activity-scope", &self.activity_scope))
            .children(
                self.recipient_countries
                    .iter()
                    .map(|c| c.to_el("recipient-country")),
            )
            .children(
                self.recipient_regions
                    .iter()
                    .map(|c| c.to_el("recipient-region")),
            )
            .children(self.locations.iter().cloned())
            .children(self.sectors.iter().map(|c| c.to_el("sector")))
            .children(self.tags.iter().cloned())
            .child_opt(self.country_budget_items.clone())
            .children(self.humanitarian_scopes.iter().cloned())
            .children(self.policy_markers.iter().cloned())
            .child_opt(code("collaboration-type", &self.collaboration_type))
            .child_opt(code("default-flow-type", &self.default_flow_type))
            .child_opt(code("default-finance-type", &self.default_finance_type))
            .children(
                self.default_aid_types
                    .iter()
                    .map(|a| a.to_el("default-aid-type")),
            )
            .child_opt(code("default-tied-status", &self.default_tied_status))
            .children(self.budgets.iter().map(|b| {
                let [s, e] = period_els(&b.period_start, &b.period_end);
                B::new("budget")
                    .attr("type", &b.r#type)
                    .attr("status", &b.status)
                    .child_opt(s)
                    .child_opt(e)
                    .child_opt(b.value.as_ref().map(Money::to_el))
                    .ext(&b.ext)
                    .done()
            }))
            .children(self.planned_disbursements.iter().map(|p| {
                let [s, e] = period_els(&p.period_start, &p.period_end);
                B::new("planned-disbursement")
                    .attr("type", &p.r#type)
                    .child_opt(s)
                    .child_opt(e)
                    .child_opt(p.value.as_ref().map(Money::to_el))
                    .child_opt(
                        p.provider_org
                            .as_ref()
                            .map(|o| o.to_el("provider-org", "provider-activity-id")),
                    )
                    .child_opt(
                        p.receiver_org
                            .as_ref()
                            .map(|o| o.to_el("receiver-org", "receiver-activity-id")),
                    )
                    .ext(&p.ext)
                    .done()
            }))
            .child_opt(self.capital_spend.as_ref().map(|p| {
                B::new("capital-spend")
                    .attr("percentage", &Some(p.clone()))
                    .done()
            }))
            .children(self.transactions.iter().map(Transaction::to_el))
            .children(self.document_links.iter().map(DocumentLink::to_el))
            .children(self.related_activities.iter().map(|r| {
                B::new("related-activity")
                    .attr("ref", &r.r#ref)
                    .attr("type", &r.r#type)
                    .done()
            }))
            .children(self.legacy_data.iter().cloned())
            .child_opt(self.conditions.clone())
            .children(self.results.iter().map(IatiResult::to_el))
            .child_opt(self.crs_add.clone())
            .child_opt(self.fss.clone())
            .ext(&self.ext)
            .done();
        apply_kept(&mut root, &self.kept_attrs);
        root
    }

    /// Extension elements in the aidtrace namespace.
    pub fn aidtrace_elements(&self) -> impl Iterator<Item = &Element> {
        self.ext
            .elements
            .iter()
            .filter(|e| e.ns.as_deref() == Some(AIDTRACE_NS))
    }
}

/// One `iati-organisation`: identity typed, the rest (budgets, expenditure, documents) kept whole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IatiOrganisation {
    pub identifier: String,
    pub last_updated_datetime: Option<String>,
    pub lang: Option<String>,
    pub default_currency: Option<String>,
    pub name: Option<Vec<Narrative>>,
    pub reporting_org: Option<ReportingOrg>,
    /// All other IATI children, in document (= schema) order.
    #[serde(skip)]
    pub rest: Vec<Element>,
    #[serde(skip)]
    pub ext: Ext,
}

impl IatiOrganisation {
    pub fn from_element(el: &Element) -> Self {
        IatiOrganisation {
            identifier: el
                .child("organisation-identifier")
                .map(|e| e.text().trim().to_owned())
                .unwrap_or_default(),
            last_updated_datetime: attr(el, "last-updated-datetime"),
            lang: el.xml_lang().map(str::to_owned),
            default_currency: attr(el, "default-currency"),
            name: opt_narratives(el, "name"),
            reporting_org: el.child("reporting-org").map(ReportingOrg::from_el),
            rest: el
                .elements()
                .filter(|c| {
                    c.is_iati()
                        && !matches!(
                            c.name.as_str(),
                            "organisation-identifier" | "name" | "reporting-org"
                        )
                })
                .map(normalise)
                .collect(),
            ext: Ext::from_el_without_lang(el),
        }
    }

    pub fn to_element(&self) -> Element {
        B::new("iati-organisation")
            .attr("last-updated-datetime", &self.last_updated_datetime)
            .attr("xml:lang", &self.lang)
            .attr("default-currency", &self.default_currency)
            .child(
                B::new("organisation-identifier")
                    .text(&self.identifier)
                    .done(),
            )
            .child_opt(narr_el("name", &self.name))
            .child_opt(self.reporting_org.as_ref().map(ReportingOrg::to_el))
            .children(self.rest.iter().cloned())
            .ext(&self.ext)
            .done()
    }
}

#[cfg(test)]
mod date_tests {
    use super::{NaiveDate, parse_date};
    use proptest::prelude::*;

    fn chrono_reading(s: &str) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(s.trim().get(..10)?, "%Y-%m-%d").ok()
    }

    proptest! {
        // The direct reading of `YYYY-MM-DD` must agree with chrono's on every input.
        #[test]
        fn direct_date_reading_agrees_with_chrono(s in "[ 0-9-]{0,3}[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}[T0-9:Z+-]{0,8}") {
            prop_assert_eq!(parse_date(&s), chrono_reading(&s));
        }

        #[test]
        fn any_text_agrees_with_chrono(s in "\\PC{0,14}") {
            prop_assert_eq!(parse_date(&s), chrono_reading(&s));
        }
    }
}
