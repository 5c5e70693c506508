//! The descriptive parts of an activity: reporting, participating and flow organisations,
//! descriptions, dates, classifications, aid types, document links and related activities.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Serialize;

use super::elements::{B, Narrative, attr, child_attr, narr_el, narratives, opt_narratives};
use super::ext::Ext;
use crate::xml::Element;

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
    pub(super) fn from_el(el: &Element) -> Self {
        ReportingOrg {
            r#ref: attr(el, "ref"),
            r#type: attr(el, "type"),
            secondary_reporter: attr(el, "secondary-reporter"),
            narratives: narratives(el),
            ext: Ext::from_el(el),
        }
    }
    pub(super) fn to_el(&self) -> Element {
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
    pub(super) fn from_el(el: &Element) -> Self {
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
    pub(super) fn to_el(&self) -> Element {
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
    pub(super) fn from_el(el: &Element, id_attr: &str) -> Self {
        FlowOrg {
            r#ref: attr(el, "ref"),
            r#type: attr(el, "type"),
            activity_id: attr(el, id_attr),
            narratives: narratives(el),
        }
    }
    pub(super) fn to_el(&self, name: &str, id_attr: &str) -> Element {
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
    pub(super) fn from_el(el: &Element) -> Self {
        Classification {
            code: attr(el, "code"),
            vocabulary: attr(el, "vocabulary"),
            vocabulary_uri: attr(el, "vocabulary-uri"),
            percentage: attr(el, "percentage"),
            narratives: narratives(el),
        }
    }
    pub(super) fn to_el(&self, name: &str) -> Element {
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
    pub(super) fn from_el(el: &Element) -> Self {
        AidType {
            code: attr(el, "code"),
            vocabulary: attr(el, "vocabulary"),
        }
    }
    pub(super) fn to_el(&self, name: &str) -> Element {
        B::new(name)
            .attr("code", &self.code)
            .attr("vocabulary", &self.vocabulary)
            .done()
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
    pub(super) fn from_el(el: &Element) -> Self {
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
    pub(super) fn to_el(&self) -> Element {
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
