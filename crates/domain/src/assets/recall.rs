//! Incidents (adverse events) and field safety notices (recalls), issue #17 item 7.
//!
//! An **incident** is what happened with one device: when, how severe, whether a patient was
//! harmed, whether it was reported to the regulator, and the work order that followed. Medical
//! device vigilance (EU MDR 2017/745 art. 87, the IMDRF adverse event terminology, WHO *Medical
//! device regulations*, 2003) asks a user facility to keep exactly these facts.
//!
//! A **field safety notice** (FSN) is the manufacturer's or regulator's notice that some units of
//! a model must be acted on. Which units is said by model, UDI device identifiers, lots and serial
//! numbers or ranges (MDR art. 89, MEDDEV 2.12/1 rev. 8 annex: "affected devices: model, lot,
//! serial numbers"). [`affects`] tells, for one asset, whether the notice names it; an asset
//! whose serial or lot is not recorded, under a notice that restricts by them, is `unverified`:
//! somebody must look at the device, it is neither in nor out.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::{Asset, DeviceModel, Reference, instant};
use crate::codes::RecordId;
use crate::error::{ProblemId, ValidationError};
use crate::model::{non_empty, plausible_date};

/// How bad the outcome was (IMDRF health-effect terms, coarsened to what a hospital engineer can
/// judge).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Severity {
    /// Could have led to harm, did not (caught in time).
    NearMiss,
    /// No or minor, temporary harm.
    Minor,
    /// Serious deterioration of health (MDR art. 2(58) "serious incident").
    Serious,
    /// A death.
    Death,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// An adverse event or incident with one device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Incident {
    pub id: RecordId,
    pub asset: RecordId,
    /// When it happened.
    #[serde(deserialize_with = "instant::serde_utc::deserialize")]
    pub at: NaiveDateTime,
    pub severity: Severity,
    pub description: String,
    pub patient_harm: bool,
    pub reported_to_regulator: bool,
    /// The work order that investigated or repaired the device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_order: Option<RecordId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reported_by: Option<String>,
}

/// Serial numbers `from` to `to`, both included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SerialRange {
    pub from: String,
    pub to: String,
}

impl SerialRange {
    /// Whether `serial` lies in the range. Serials are compared character by character, and only
    /// against bounds of the same length: that is numeric order for fixed-width serials
    /// (`SN0100`–`SN0199`) and never guesses for others (`SN99` is not inside `SN0100`–`SN0199`).
    pub fn contains(&self, serial: &str) -> bool {
        let s = serial.trim();
        s.len() == self.from.len()
            && s.len() == self.to.len()
            && self.from.as_str() <= s
            && s <= self.to.as_str()
    }
}

/// A field safety notice: which units, what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSafetyNotice {
    pub id: RecordId,
    /// The manufacturer or regulator that issued it (an organisation).
    pub issuer: RecordId,
    /// The issuer's reference (e.g. `FSN-2026-014`).
    pub reference: String,
    pub date: NaiveDate,
    /// The affected model in the catalogue, when it is there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<RecordId>,
    /// Affected UDI device identifiers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub udi_di: Vec<String>,
    /// Affected lots (batches); empty = not restricted by lot.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lots: Vec<String>,
    /// Affected serial numbers; with `serial_ranges` empty = not restricted by serial.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub serials: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub serial_ranges: Vec<SerialRange>,
    /// What the user must do (inspect, update software, stop using, return).
    pub action: String,
}

/// Whether a notice names an asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Match {
    /// Model or UDI-DI match, and the serial or lot is in the notice (or it names none).
    Affected,
    /// Model or UDI-DI match, the notice restricts by serial or lot, and the asset's is not
    /// recorded: check the device.
    Unverified,
}

impl Match {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// The lot of an asset, read from its UDI production identifier in GS1 human-readable form
/// (`(10)LOT(21)SERIAL`: application identifier 10 is the batch or lot). `None` when the UDI-PI
/// is not recorded or carries no lot.
pub fn lot_of(asset: &Asset) -> Option<String> {
    let pi = asset.udi_pi.as_deref()?;
    let start = pi.find("(10)")? + 4;
    let rest = &pi[start..];
    let lot = rest.split('(').next().unwrap_or("").trim();
    (!lot.is_empty()).then(|| lot.to_string())
}

fn same(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

impl FieldSafetyNotice {
    fn restricts_units(&self) -> bool {
        !self.lots.is_empty() || !self.serials.is_empty() || !self.serial_ranges.is_empty()
    }

    /// Whether the notice names this serial (in its list or a range).
    pub fn names_serial(&self, serial: &str) -> bool {
        self.serials.iter().any(|s| same(s, serial))
            || self.serial_ranges.iter().any(|r| r.contains(serial))
    }

    /// Whether the notice names this model: by catalogue id, or by one of its UDI-DIs.
    pub fn names_model(&self, model: &DeviceModel) -> bool {
        self.model.as_ref() == Some(&model.id)
            || model
                .udi_di
                .iter()
                .any(|d| self.udi_di.iter().any(|n| same(n, d)))
    }

    /// Whether a search term (a model id, UDI-DI, lot or serial) matches the notice.
    pub fn matches_term(&self, term: &str) -> bool {
        let term = term.trim();
        !term.is_empty()
            && (self.model.as_ref().is_some_and(|m| same(m.as_str(), term))
                || self.udi_di.iter().any(|d| same(d, term))
                || self.lots.iter().any(|l| same(l, term))
                || self.names_serial(term)
                || same(&self.reference, term))
    }

    pub fn references(&self) -> Vec<Reference<'_>> {
        use crate::model::RecordKind as K;
        let mut out = vec![("issuer", K::Organisation, &self.issuer)];
        if let Some(m) = &self.model {
            out.push(("model", K::DeviceModel, m));
        }
        out
    }
}

/// Whether `notice` names `asset` (of model `model`); `None` when it does not.
///
/// The model must match (catalogue id or a UDI-DI of the model). Then a notice without lots or
/// serials covers every unit; otherwise the asset is affected when its serial is listed or in a
/// range, or its lot (from the UDI-PI) is listed, and unverified when it has neither recorded.
pub fn affects(notice: &FieldSafetyNotice, asset: &Asset, model: &DeviceModel) -> Option<Match> {
    if asset.model != model.id || !notice.names_model(model) {
        return None;
    }
    if !notice.restricts_units() {
        return Some(Match::Affected);
    }
    let serial = asset.serial.as_deref().filter(|s| !s.trim().is_empty());
    let lot = lot_of(asset);
    let by_serial = serial.is_some_and(|s| notice.names_serial(s));
    let by_lot = lot
        .as_deref()
        .is_some_and(|l| notice.lots.iter().any(|n| same(n, l)));
    if by_serial || by_lot {
        return Some(Match::Affected);
    }
    // What the notice restricts by and the asset does not record leaves the question open.
    let serial_open =
        (!notice.serials.is_empty() || !notice.serial_ranges.is_empty()) && serial.is_none();
    let lot_open = !notice.lots.is_empty() && lot.is_none();
    (serial_open || lot_open).then_some(Match::Unverified)
}

impl Incident {
    pub fn references(&self) -> Vec<Reference<'_>> {
        use crate::model::RecordKind as K;
        let mut out = vec![("asset", K::Asset, &self.asset)];
        if let Some(w) = &self.work_order {
            out.push(("work_order", K::WorkOrder, w));
        }
        out
    }
}

pub fn validate_incident(i: &Incident) -> Result<(), ValidationError> {
    plausible_date("at", i.at.date())?;
    non_empty("description", &i.description)?;
    if i.reported_by.as_ref().is_some_and(|r| r.trim().is_empty()) {
        return Err(
            ValidationError::new("reported_by", "", "leave it out rather than empty")
                .because(ProblemId::LeaveOutNotEmpty),
        );
    }
    Ok(())
}

pub fn validate_notice(n: &FieldSafetyNotice) -> Result<(), ValidationError> {
    non_empty("reference", &n.reference)?;
    non_empty("action", &n.action)?;
    plausible_date("date", n.date)?;
    if n.model.is_none() && n.udi_di.is_empty() {
        return Err(ValidationError::new(
            "model",
            "",
            "a field safety notice names the affected model or at least one UDI-DI",
        )
        .because(ProblemId::NoticeNamesNothing));
    }
    for (field, list) in [
        ("udi_di", &n.udi_di),
        ("lots", &n.lots),
        ("serials", &n.serials),
    ] {
        if let Some((i, v)) = list.iter().enumerate().find(|(_, v)| v.trim().is_empty()) {
            return Err(
                ValidationError::new(format!("{field}[{i}]"), v, "must not be empty")
                    .because(ProblemId::Empty),
            );
        }
    }
    for (i, r) in n.serial_ranges.iter().enumerate() {
        let field = format!("serial_ranges[{i}]");
        if r.from.trim().is_empty() || r.to.trim().is_empty() {
            return Err(ValidationError::new(
                field,
                format!("{}..{}", r.from, r.to),
                "a range needs both ends",
            )
            .because(ProblemId::RangeNeedsBothEnds));
        }
        if r.from.len() != r.to.len() {
            return Err(ValidationError::new(
                field,
                format!("{}..{}", r.from, r.to),
                "both ends of a serial range must have the same length (serials are compared \
                 character by character)",
            )
            .because(ProblemId::RangeEndsDiffer));
        }
        if r.from > r.to {
            return Err(ValidationError::new(
                field,
                format!("{}..{}", r.from, r.to),
                "the range ends before it starts",
            )
            .because(ProblemId::RangeBackwards));
        }
    }
    Ok(())
}
