//! Equipment from grant line to working machine: the catalogue of device models, assets, their
//! lifecycle as append-only events, downtime, work orders, maintenance plans, meter readings,
//! donation checklists, essential-equipment standards and population figures for densities.
//!
//! Records here are plain data with single-record rules ([`validate`]). Rules that look at several
//! records (transition order, overlapping downtime, meters going backwards) live in [`lifecycle`]
//! and are enforced by the service before anything is written. Indicators are in [`kpi`].

pub mod contract;
pub mod correction;
pub mod coverage;
pub mod disposal;
pub mod donation;
pub mod gaps;
pub mod history;
pub mod instant;
pub mod kpi;
pub mod lifecycle;
pub mod load;
pub mod location;
pub mod parts;
pub mod pm;
pub mod recall;
mod references;
pub mod synthetic;
pub mod validate;
pub mod workorder;

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::codes::{CountryCode, RecordId};
use crate::model::{Citation, FacilityKind};
use crate::money::{Money, exact_decimal};

/// Code systems a device model can be classified in. EMDN is free to ship; GMDN and UMDNS are
/// licensed, so aidtrace only stores codes users bring, never a copy of those lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum CodeSystem {
    Emdn,
    Gmdn,
    Umdns,
    Local,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceCode {
    pub system: CodeSystem,
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum RiskClass {
    I,
    // serde's snake_case writes "IIa" as "i_ia" and "III" as "i_i_i": these are the stored names.
    #[strum(serialize = "i_ia")]
    IIa,
    #[strum(serialize = "i_ib")]
    IIb,
    #[strum(serialize = "i_i_i")]
    III,
}

impl RiskClass {
    /// The class as EU MDR 2017/745 Annex VIII writes it (GHTF classes A–D correspond roughly).
    pub fn code(self) -> &'static str {
        match self {
            Self::I => "I",
            Self::IIa => "IIa",
            Self::IIb => "IIb",
            Self::III => "III",
        }
    }
}

/// Electrical needs of a model. kW and kVA are physical quantities but kept as exact decimals so
/// records compare and hash exactly (the audit chain stores them as text).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PowerNeeds {
    #[serde(
        default,
        with = "exact_decimal::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub idle_kw: Option<Decimal>,
    #[serde(
        default,
        with = "exact_decimal::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub active_kw: Option<Decimal>,
    #[serde(
        default,
        with = "exact_decimal::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub peak_kva: Option<Decimal>,
    /// Mean draw over an outage day of normal use (duty cycle included): what fuel and the
    /// allocation model count. `idle_kw`/`active_kw` alone do not give it (an MRI idles most of
    /// the day), so without this figure the device's load is unknown.
    #[serde(
        default,
        with = "exact_decimal::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub average_kw: Option<Decimal>,
    /// Highest sustained draw (default: `active_kw`).
    #[serde(
        default,
        with = "exact_decimal::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub peak_kw: Option<Decimal>,
    /// Apparent power drawn while starting (inrush): what a generator must pick up in one step.
    #[serde(
        default,
        with = "exact_decimal::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub starting_kva: Option<Decimal>,
    /// 1 or 3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phases: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voltage_min: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voltage_max: Option<u32>,
    /// 50 or 60; `None` when the device accepts both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency_hz: Option<u32>,
    #[serde(default)]
    pub needs_ups: bool,
}

/// A catalogue entry. Assets name a model by id: no free-text manufacturer or model on an asset,
/// because inconsistent free text is how recalls get missed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceModel {
    pub id: RecordId,
    /// The manufacturer organisation.
    pub manufacturer: RecordId,
    pub model_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_number: Option<String>,
    /// UDI device identifiers (GS1 GTIN or other issuer) of this model.
    #[serde(default)]
    pub udi_di: Vec<String>,
    /// aidtrace's generic device type (e.g. `ct_scanner`), the key of essential-equipment
    /// standards and densities.
    pub generic_type: String,
    #[serde(default)]
    pub codes: Vec<DeviceCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk_class: Option<RiskClass>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_life_years: Option<u32>,
    /// Last day the manufacturer supports the model (parts, service).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_until: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub power: Option<PowerNeeds>,
    #[serde(default)]
    pub consumables: Vec<String>,
    /// Languages (ISO 639-1) the operator and service manuals and the user interface come in.
    #[serde(default)]
    pub manual_languages: Vec<String>,
    #[serde(default)]
    pub sources: Vec<Citation>,
}

/// The electricity a facility can offer, to check a model's needs before it ships.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FacilityPower {
    pub id: RecordId,
    pub facility: RecordId,
    pub phases: u8,
    pub voltage: u32,
    pub frequency_hz: u32,
    /// Capacity left for new equipment at the connection point.
    #[serde(
        default,
        with = "exact_decimal::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub available_kva: Option<Decimal>,
    #[serde(
        default,
        with = "exact_decimal::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub backup_kva: Option<Decimal>,
    #[serde(
        default,
        with = "exact_decimal::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub typical_outage_hours_per_day: Option<Decimal>,
    /// Condition of the backup set; `None` when nobody recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_condition: Option<load::BackupCondition>,
    /// Loads of the building (medical gases, ventilation, …) for the load survey.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub building_loads: Vec<load::BuildingLoad>,
    /// This facility's tiers for its assets where the clinical-role rule is wrong for it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tier_overrides: Vec<load::TierOverride>,
    /// Tank size and fuel on hand of the backup sets (issue 16: the simulator's starting fuel).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fuel: Option<load::FuelStock>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default)]
    pub sources: Vec<Citation>,
}

/// Population of a country (no region) or of one of its regions, for equipment densities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Population {
    pub id: RecordId,
    pub country: CountryCode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub population: u64,
    pub year: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default)]
    pub sources: Vec<Citation>,
}

/// A published density of a device type (units per million population) in an area, supplied by
/// a user beside the figures shipped in `data/device_density_reference.csv`. It must cite the
/// source it was taken from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DensityReference {
    pub id: RecordId,
    pub generic_type: String,
    /// A country, a group of countries, an average ("Kazakhstan", "WHO European Region").
    pub area: String,
    #[serde(default = "gaps::Bound::equal")]
    pub bound: gaps::Bound,
    #[serde(with = "exact_decimal")]
    pub per_million: Decimal,
    pub year: u16,
    /// Last year when the figure covers several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year_to: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub sources: Vec<Citation>,
}

/// The minimum number of a generic device a facility of a kind should have (openMEDIS's
/// `essential_equipment`, by facility kind rather than facility).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EquipmentStandard {
    pub id: RecordId,
    pub facility_kind: FacilityKind,
    pub generic_type: String,
    pub min_quantity: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default)]
    pub sources: Vec<Citation>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Acquisition {
    Purchase,
    Donation,
    Loan,
    Lease,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum ReceiptCondition {
    New,
    Refurbished,
    Used,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Criticality {
    /// Life support or high risk: down time here harms patients first.
    High,
    Medium,
    Low,
}

/// Which grant bought the asset, through which equipment line, given by whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Funding {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity: Option<RecordId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equipment_line: Option<RecordId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub donor: Option<RecordId>,
    pub acquisition: Acquisition,
    pub condition: ReceiptCondition,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum ContractKind {
    Warranty,
    FullService,
    PreventiveOnly,
    TimeAndMaterials,
    /// The vendor supplies parts; labour is the hospital's or billed.
    PartsOnly,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceContract {
    pub kind: ContractKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<RecordId>,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// Yearly price; counted in the cost of service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annual_cost: Option<Money>,
}

/// One physical device at a facility.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Asset {
    pub id: RecordId,
    pub inventory_tag: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    /// UDI production identifier (lot, serial, dates) as printed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub udi_pi: Option<String>,
    pub model: RecordId,
    pub facility: RecordId,
    /// Room or ward within the facility.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The asset this one is an accessory or component of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<RecordId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<RecordId>,
    pub funding: Funding,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manufacture_date: Option<NaiveDate>,
    #[serde(default)]
    pub contracts: Vec<ServiceContract>,
    pub criticality: Criticality,
    /// Who looks after operation and maintenance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responsible: Option<RecordId>,
    /// Who pays for operation and maintenance (grants often pay for the machine only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub om_payer: Option<RecordId>,
    /// Says what is illustrative when the sources give no serial or dates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default)]
    pub sources: Vec<Citation>,
}

/// Lifecycle states. The current state of an asset is its latest event's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum LifecycleState {
    Planned,
    Procured,
    Shipped,
    Delivered,
    Installed,
    Commissioned,
    InService,
    Down,
    UnderRepair,
    InStorage,
    Transferred,
    Decommissioned,
    Disposed,
    /// Held at customs on the way in.
    CustomsHold,
    /// Arrived not working, before it was ever accepted.
    DeadOnArrival,
    /// Refused by the recipient (unrequested, unfit, failed acceptance).
    Rejected,
    /// Sent back to the donor or supplier: it leaves the recipient's books for good.
    ReturnedToDonor,
    /// Missing (lost in transit, stolen); it may be found again.
    Lost,
}

impl LifecycleState {
    pub const ALL: [LifecycleState; 18] = [
        Self::Planned,
        Self::Procured,
        Self::Shipped,
        Self::Delivered,
        Self::Installed,
        Self::Commissioned,
        Self::InService,
        Self::Down,
        Self::UnderRepair,
        Self::InStorage,
        Self::Transferred,
        Self::Decommissioned,
        Self::Disposed,
        Self::CustomsHold,
        Self::DeadOnArrival,
        Self::Rejected,
        Self::ReturnedToDonor,
        Self::Lost,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::Procured => "procured",
            Self::Shipped => "shipped",
            Self::Delivered => "delivered",
            Self::Installed => "installed",
            Self::Commissioned => "commissioned",
            Self::InService => "in_service",
            Self::Down => "down",
            Self::UnderRepair => "under_repair",
            Self::InStorage => "in_storage",
            Self::Transferred => "transferred",
            Self::Decommissioned => "decommissioned",
            Self::Disposed => "disposed",
            Self::CustomsHold => "customs_hold",
            Self::DeadOnArrival => "dead_on_arrival",
            Self::Rejected => "rejected",
            Self::ReturnedToDonor => "returned_to_donor",
            Self::Lost => "lost",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// States in which the asset is expected to serve patients: the time counted in uptime.
    pub fn is_operational(self) -> bool {
        matches!(
            self,
            Self::Commissioned | Self::InService | Self::Down | Self::UnderRepair
        )
    }

    /// States after which nothing can happen to the asset but disposal (or nothing at all, once
    /// it went back to the donor).
    pub fn is_retired(self) -> bool {
        matches!(
            self,
            Self::Decommissioned | Self::Disposed | Self::ReturnedToDonor
        )
    }
}

/// A lifecycle step. Append-only: a later fact is a new event, never an edit of an old one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssetEvent {
    pub id: RecordId,
    pub asset: RecordId,
    #[serde(deserialize_with = "instant::serde_utc::deserialize")]
    pub at: NaiveDateTime,
    pub state: LifecycleState,
    /// The passed acceptance work order, required to commission.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acceptance: Option<RecordId>,
    /// The receiving facility, required for a transfer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_facility: Option<RecordId>,
    /// The facility a transfer leaves, so the time before it stays attributed there (the asset
    /// record names only where the asset is now). Set by `record_event`; empty on transfers
    /// stored before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_facility: Option<RecordId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default)]
    pub sources: Vec<Citation>,
    /// When the event was entered into aidtrace (`at` is when it happened). Set by the service's
    /// writers from their clock; empty on events stored before it was kept or loaded from files
    /// that do not carry it.
    #[serde(
        default,
        deserialize_with = "instant::serde_utc::option::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub recorded_at: Option<NaiveDateTime>,
    /// The voided event this one replaces: a correction may lie before the asset's latest event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corrects: Option<RecordId>,
    /// Set when the event was found wrong: it stays stored, and no report or rule reads it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voided: Option<correction::Void>,
    /// The disposal record, required on `disposed`: method, hazardous materials, data wipe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disposal: Option<disposal::Disposal>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum DowntimeCause {
    Mechanical,
    Electrical,
    ExternalPower,
    UserError,
    Wear,
    ConsumablesOutOfStock,
    AwaitingParts,
    PlannedMaintenance,
    Other,
}

impl DowntimeCause {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mechanical => "mechanical",
            Self::Electrical => "electrical",
            Self::ExternalPower => "external_power",
            Self::UserError => "user_error",
            Self::Wear => "wear",
            Self::ConsumablesOutOfStock => "consumables_out_of_stock",
            Self::AwaitingParts => "awaiting_parts",
            Self::PlannedMaintenance => "planned_maintenance",
            Self::Other => "other",
        }
    }

    /// Whether the cause is a loss of the device's own ability (IEC 60050-192 "failure"): a power
    /// cut, a user error, a missing consumable, a wait for parts or planned work is downtime but
    /// not a failure of the item. An unstated cause counts as the device's, so that leaving the
    /// cause out never flatters MTBF.
    pub fn is_device_failure(self) -> bool {
        match self {
            Self::Mechanical | Self::Electrical | Self::Wear | Self::Other => true,
            Self::ExternalPower
            | Self::UserError
            | Self::ConsumablesOutOfStock
            | Self::AwaitingParts
            | Self::PlannedMaintenance => false,
        }
    }
}

/// A period an asset could not be used: the only source of uptime. `end` is empty while it lasts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Downtime {
    pub id: RecordId,
    pub asset: RecordId,
    #[serde(deserialize_with = "instant::serde_utc::deserialize")]
    pub start: NaiveDateTime,
    #[serde(
        default,
        deserialize_with = "instant::serde_utc::option::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub end: Option<NaiveDateTime>,
    pub cause: DowntimeCause,
    /// Planned downtime (scheduled maintenance) is reported apart and not counted against uptime.
    #[serde(default)]
    pub planned: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_order: Option<RecordId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reported_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Set when the episode was found wrong (e.g. reported for the wrong machine): it stays
    /// stored, and no report or rule reads it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voided: Option<correction::Void>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum WorkOrderKind {
    Corrective,
    Preventive,
    Inspection,
    Calibration,
    Installation,
    Acceptance,
    RecallAction,
    /// An electrical safety test (IEC 62353): only such an order meets an electrical-safety plan.
    ElectricalSafety,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum WorkOrderStatus {
    Open,
    Assigned,
    AwaitingParts,
    AwaitingApproval,
    AwaitingVendor,
    Done,
    Cancelled,
}

impl WorkOrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Assigned => "assigned",
            Self::AwaitingParts => "awaiting_parts",
            Self::AwaitingApproval => "awaiting_approval",
            Self::AwaitingVendor => "awaiting_vendor",
            Self::Done => "done",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn is_closed(self) -> bool {
        matches!(self, Self::Done | Self::Cancelled)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Priority {
    Routine,
    Normal,
    Urgent,
    Emergency,
    Safety,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartUse {
    /// The catalogued spare part (`spare_part` record) used, when it is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<RecordId>,
    pub description: String,
    pub quantity: u32,
    pub unit_cost: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkOrder {
    pub id: RecordId,
    pub asset: RecordId,
    pub kind: WorkOrderKind,
    pub status: WorkOrderStatus,
    pub priority: Priority,
    #[serde(deserialize_with = "instant::serde_utc::deserialize")]
    pub opened: NaiveDateTime,
    /// When the work was finished (or cancelled). Required once closed.
    #[serde(
        default,
        deserialize_with = "instant::serde_utc::option::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub closed: Option<NaiveDateTime>,
    /// When a technician took the request on (response time runs from `opened` to here).
    #[serde(
        default,
        deserialize_with = "instant::serde_utc::option::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub acknowledged: Option<NaiveDateTime>,
    /// When hands-on work began (repair time runs from here to `closed`).
    #[serde(
        default,
        deserialize_with = "instant::serde_utc::option::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub started: Option<NaiveDateTime>,
    /// Who does the work (a person's name or team as the hospital records it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    /// Pass or fail of a done order (of its acceptance test, PM checklist or safety test).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<workorder::WorkResult>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checklist: Vec<workorder::ChecklistItem>,
    /// Electrical-safety and calibration readings with tolerance and instrument.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub readings: Vec<workorder::Reading>,
    /// The maintenance plan a scheduled order carries out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<RecordId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_cause: Option<DowntimeCause>,
    #[serde(
        default,
        with = "exact_decimal::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub labour_hours: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labour_cost: Option<Money>,
    /// Cost of one labour hour, used when `labour_cost` is not given (in-house work).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labour_rate: Option<Money>,
    #[serde(default)]
    pub parts: Vec<PartUse>,
    /// Vendor invoices and other costs outside labour and parts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_cost: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<RecordId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The field safety notice a recall-action order carries out (`recall::`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<RecordId>,
    /// Set when the order was entered wrong (wrong asset, duplicate): it stays stored, and no
    /// report or rule reads it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voided: Option<correction::Void>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum PlanKind {
    Preventive,
    Inspection,
    Calibration,
    ElectricalSafety,
}

impl PlanKind {
    /// The work order kind that carries the plan out.
    pub fn work_order_kind(self) -> WorkOrderKind {
        match self {
            Self::Preventive => WorkOrderKind::Preventive,
            Self::ElectricalSafety => WorkOrderKind::ElectricalSafety,
            Self::Inspection => WorkOrderKind::Inspection,
            Self::Calibration => WorkOrderKind::Calibration,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum MeterKind {
    Hours,
    Exams,
}

/// When a plan falls due: every so many days from commissioning, or every so many meter units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum PlanTrigger {
    EveryDays(u32),
    EveryMeter { meter: MeterKind, every: u64 },
}

/// Scheduled maintenance for every asset of a model, or for one asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaintenancePlan {
    pub id: RecordId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<RecordId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset: Option<RecordId>,
    pub kind: PlanKind,
    pub trigger: PlanTrigger,
    /// Days either side of the due date in which the work counts as on time.
    pub window_days: u32,
    pub description: String,
    #[serde(default)]
    pub sources: Vec<Citation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeterReading {
    pub id: RecordId,
    pub asset: RecordId,
    #[serde(deserialize_with = "instant::serde_utc::deserialize")]
    pub at: NaiveDateTime,
    pub meter: MeterKind,
    pub value: u64,
    /// Set when the reading was entered wrong: it stays stored, and no report or rule reads it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voided: Option<correction::Void>,
}

/// The items of the WHO donation checklist (Medical device donations, 2011) aidtrace scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum DonationItem {
    RecipientRequest,
    RecipientAcceptance,
    PowerMatch,
    LocalLanguage,
    ConsumablesLocal,
    SparePartsLocal,
    ManufacturerSupport,
    TrainingPlan,
    InstallationPlan,
    ServiceProviderInCountry,
    MarketRegistration,
    /// The recipient needs it: on its list or standard list (the equipment-standard gaps of
    /// `assets gaps` are the evidence to look at).
    RecipientNeed,
    /// Site environment fits: temperature, dust, humidity, water, gases, shielding.
    Environment,
    /// Users and technicians at the recipient can operate and maintain it.
    StaffSkills,
    /// Used or refurbished equipment works and meets the same specifications as new (no double
    /// standard); answer yes for new equipment.
    UsedCondition,
    /// The recipient committed a budget for operation and maintenance.
    OmBudget,
    /// Who disposes of it at the end of its life is agreed.
    DisposalResponsibility,
}

impl DonationItem {
    pub const ALL: [DonationItem; 17] = [
        Self::RecipientRequest,
        Self::RecipientAcceptance,
        Self::PowerMatch,
        Self::LocalLanguage,
        Self::ConsumablesLocal,
        Self::SparePartsLocal,
        Self::ManufacturerSupport,
        Self::TrainingPlan,
        Self::InstallationPlan,
        Self::ServiceProviderInCountry,
        Self::MarketRegistration,
        Self::RecipientNeed,
        Self::Environment,
        Self::StaffSkills,
        Self::UsedCondition,
        Self::OmBudget,
        Self::DisposalResponsibility,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::RecipientRequest => "recipient_request",
            Self::RecipientAcceptance => "recipient_acceptance",
            Self::PowerMatch => "power_match",
            Self::LocalLanguage => "local_language",
            Self::ConsumablesLocal => "consumables_local",
            Self::SparePartsLocal => "spare_parts_local",
            Self::ManufacturerSupport => "manufacturer_support",
            Self::TrainingPlan => "training_plan",
            Self::InstallationPlan => "installation_plan",
            Self::ServiceProviderInCountry => "service_provider_in_country",
            Self::MarketRegistration => "market_registration",
            Self::RecipientNeed => "recipient_need",
            Self::Environment => "environment",
            Self::StaffSkills => "staff_skills",
            Self::UsedCondition => "used_condition",
            Self::OmBudget => "om_budget",
            Self::DisposalResponsibility => "disposal_responsibility",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Answer {
    Yes,
    No,
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistAnswer {
    pub item: DonationItem,
    pub answer: Answer,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A donation checklist filled in before shipment, for one asset or for an equipment line.
/// Power match, manufacturer support and market registration are also computed from the
/// records ([`donation::score`]); the answers here are what people attested.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DonationCheck {
    pub id: RecordId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset: Option<RecordId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity: Option<RecordId>,
    pub model: RecordId,
    pub facility: RecordId,
    pub checked_on: NaiveDate,
    /// Languages (ISO 639-1) the recipient needs manuals and interface in.
    #[serde(default)]
    pub local_languages: Vec<String>,
    #[serde(default)]
    pub answers: Vec<ChecklistAnswer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked_by: Option<String>,
}

pub use references::Reference;
pub(crate) use references::{cite_refs, opt};
