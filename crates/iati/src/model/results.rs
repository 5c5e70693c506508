//! Results with their indicators and period values. Apart because the result tree is the
//! deepest nesting of the model and nothing else uses it.

use serde::Serialize;

use super::elements::{B, Narrative, attr, child_attr, narr_el, opt_narratives};
use super::ext::{Ext, normalise};
use crate::xml::Element;

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
    pub(super) fn from_el(el: &Element) -> Self {
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
    pub(super) fn to_el(&self) -> Element {
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
