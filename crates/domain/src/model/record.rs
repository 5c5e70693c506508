//! [`Record`], the union of everything the store keeps, with its kind, id and the references
//! it makes to other records. Apart because it names every other record type.

use serde::{Deserialize, Serialize};

use super::activity::Activity;
use super::drafts::IntakeDraft;
use super::facilities::{EquipmentLine, Facility};
use super::flows::{Budget, Claim, Flow};
use super::orgs::Organisation;
use super::partnerships::{MarketRegistration, Partnership};
use super::provenance::{Citation, Source};
use crate::codes::RecordId;

/// Any record the store keeps. The `record` tag is the record kind as used in the audit log and
/// the CLI (`kind` is taken: several records have a kind of their own).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum Record {
    Source(Source),
    Organisation(Organisation),
    Facility(Facility),
    Activity(Activity),
    Flow(Flow),
    Budget(Budget),
    EquipmentLine(EquipmentLine),
    Partnership(Partnership),
    MarketRegistration(MarketRegistration),
    Claim(Claim),
    DeviceModel(crate::assets::DeviceModel),
    FacilityPower(crate::assets::FacilityPower),
    Population(crate::assets::Population),
    EquipmentStandard(crate::assets::EquipmentStandard),
    Asset(crate::assets::Asset),
    MaintenancePlan(crate::assets::MaintenancePlan),
    WorkOrder(crate::assets::WorkOrder),
    AssetEvent(crate::assets::AssetEvent),
    Downtime(crate::assets::Downtime),
    MeterReading(crate::assets::MeterReading),
    DonationCheck(crate::assets::DonationCheck),
    IntakeDraft(IntakeDraft),
    DensityReference(crate::assets::DensityReference),
    MedicineProduct(crate::medicines::MedicineProduct),
    EssentialMedicine(crate::medicines::EssentialMedicine),
    Consignment(crate::medicines::Consignment),
    ConsignmentDecision(crate::medicines::ConsignmentDecision),
    StockMovement(crate::medicines::StockMovement),
    Contract(crate::assets::contract::Contract),
    SparePart(crate::assets::parts::SparePart),
    PartMovement(crate::assets::parts::PartMovement),
    Incident(crate::assets::recall::Incident),
    FieldSafetyNotice(crate::assets::recall::FieldSafetyNotice),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum RecordKind {
    Source,
    Organisation,
    Facility,
    Activity,
    Flow,
    Budget,
    EquipmentLine,
    Partnership,
    MarketRegistration,
    Claim,
    DeviceModel,
    FacilityPower,
    Population,
    EquipmentStandard,
    Asset,
    MaintenancePlan,
    WorkOrder,
    AssetEvent,
    Downtime,
    MeterReading,
    DonationCheck,
    IntakeDraft,
    DensityReference,
    MedicineProduct,
    EssentialMedicine,
    Consignment,
    ConsignmentDecision,
    StockMovement,
    Contract,
    SparePart,
    PartMovement,
    Incident,
    FieldSafetyNotice,
}

impl RecordKind {
    /// In dependency order: a record only refers to kinds listed before it (activities refer to
    /// their parent activity too), so writing in this order never trips a foreign key.
    pub const ALL: [RecordKind; 33] = [
        Self::Source,
        Self::Organisation,
        Self::Facility,
        Self::Activity,
        Self::Flow,
        Self::Budget,
        Self::EquipmentLine,
        Self::Partnership,
        Self::MarketRegistration,
        Self::Claim,
        Self::DeviceModel,
        Self::FacilityPower,
        Self::Population,
        Self::EquipmentStandard,
        Self::Asset,
        Self::MaintenancePlan,
        Self::WorkOrder,
        Self::AssetEvent,
        Self::Downtime,
        Self::MeterReading,
        Self::DonationCheck,
        Self::IntakeDraft,
        Self::DensityReference,
        Self::MedicineProduct,
        Self::EssentialMedicine,
        Self::Consignment,
        Self::ConsignmentDecision,
        Self::StockMovement,
        Self::Contract,
        Self::SparePart,
        Self::PartMovement,
        Self::Incident,
        Self::FieldSafetyNotice,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Source => "source",
            Self::Organisation => "organisation",
            Self::Facility => "facility",
            Self::Activity => "activity",
            Self::Flow => "flow",
            Self::Budget => "budget",
            Self::EquipmentLine => "equipment_line",
            Self::Partnership => "partnership",
            Self::MarketRegistration => "market_registration",
            Self::Claim => "claim",
            Self::DeviceModel => "device_model",
            Self::FacilityPower => "facility_power",
            Self::Population => "population",
            Self::EquipmentStandard => "equipment_standard",
            Self::Asset => "asset",
            Self::MaintenancePlan => "maintenance_plan",
            Self::WorkOrder => "work_order",
            Self::AssetEvent => "asset_event",
            Self::Downtime => "downtime",
            Self::MeterReading => "meter_reading",
            Self::DonationCheck => "donation_check",
            Self::IntakeDraft => "intake_draft",
            Self::DensityReference => "density_reference",
            Self::MedicineProduct => "medicine_product",
            Self::EssentialMedicine => "essential_medicine",
            Self::Consignment => "consignment",
            Self::ConsignmentDecision => "consignment_decision",
            Self::StockMovement => "stock_movement",
            Self::Contract => "contract",
            Self::SparePart => "spare_part",
            Self::PartMovement => "part_movement",
            Self::Incident => "incident",
            Self::FieldSafetyNotice => "field_safety_notice",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

impl Record {
    pub fn kind(&self) -> RecordKind {
        match self {
            Self::Source(_) => RecordKind::Source,
            Self::Organisation(_) => RecordKind::Organisation,
            Self::Facility(_) => RecordKind::Facility,
            Self::Activity(_) => RecordKind::Activity,
            Self::Flow(_) => RecordKind::Flow,
            Self::Budget(_) => RecordKind::Budget,
            Self::EquipmentLine(_) => RecordKind::EquipmentLine,
            Self::Partnership(_) => RecordKind::Partnership,
            Self::MarketRegistration(_) => RecordKind::MarketRegistration,
            Self::Claim(_) => RecordKind::Claim,
            Self::DeviceModel(_) => RecordKind::DeviceModel,
            Self::FacilityPower(_) => RecordKind::FacilityPower,
            Self::Population(_) => RecordKind::Population,
            Self::EquipmentStandard(_) => RecordKind::EquipmentStandard,
            Self::Asset(_) => RecordKind::Asset,
            Self::MaintenancePlan(_) => RecordKind::MaintenancePlan,
            Self::WorkOrder(_) => RecordKind::WorkOrder,
            Self::AssetEvent(_) => RecordKind::AssetEvent,
            Self::Downtime(_) => RecordKind::Downtime,
            Self::MeterReading(_) => RecordKind::MeterReading,
            Self::DonationCheck(_) => RecordKind::DonationCheck,
            Self::IntakeDraft(_) => RecordKind::IntakeDraft,
            Self::DensityReference(_) => RecordKind::DensityReference,
            Self::MedicineProduct(_) => RecordKind::MedicineProduct,
            Self::EssentialMedicine(_) => RecordKind::EssentialMedicine,
            Self::Consignment(_) => RecordKind::Consignment,
            Self::ConsignmentDecision(_) => RecordKind::ConsignmentDecision,
            Self::StockMovement(_) => RecordKind::StockMovement,
            Self::Contract(_) => RecordKind::Contract,
            Self::SparePart(_) => RecordKind::SparePart,
            Self::PartMovement(_) => RecordKind::PartMovement,
            Self::Incident(_) => RecordKind::Incident,
            Self::FieldSafetyNotice(_) => RecordKind::FieldSafetyNotice,
        }
    }

    pub fn id(&self) -> &RecordId {
        match self {
            Self::Source(r) => &r.id,
            Self::Organisation(r) => &r.id,
            Self::Facility(r) => &r.id,
            Self::Activity(r) => &r.id,
            Self::Flow(r) => &r.id,
            Self::Budget(r) => &r.id,
            Self::EquipmentLine(r) => &r.id,
            Self::Partnership(r) => &r.id,
            Self::MarketRegistration(r) => &r.id,
            Self::Claim(r) => &r.id,
            Self::DeviceModel(r) => &r.id,
            Self::FacilityPower(r) => &r.id,
            Self::Population(r) => &r.id,
            Self::EquipmentStandard(r) => &r.id,
            Self::Asset(r) => &r.id,
            Self::MaintenancePlan(r) => &r.id,
            Self::WorkOrder(r) => &r.id,
            Self::AssetEvent(r) => &r.id,
            Self::Downtime(r) => &r.id,
            Self::MeterReading(r) => &r.id,
            Self::DonationCheck(r) => &r.id,
            Self::IntakeDraft(r) => &r.id,
            Self::DensityReference(r) => &r.id,
            Self::MedicineProduct(r) => &r.id,
            Self::EssentialMedicine(r) => &r.id,
            Self::Consignment(r) => &r.id,
            Self::ConsignmentDecision(r) => &r.id,
            Self::StockMovement(r) => &r.id,
            Self::Contract(r) => &r.id,
            Self::SparePart(r) => &r.id,
            Self::PartMovement(r) => &r.id,
            Self::Incident(r) => &r.id,
            Self::FieldSafetyNotice(r) => &r.id,
        }
    }

    /// Every (kind, id) this record refers to, with the field that holds the reference, so the
    /// service can refuse a record that points at nothing.
    pub fn references(&self) -> Vec<(&'static str, RecordKind, &RecordId)> {
        fn citations<'a>(
            out: &mut Vec<(&'static str, RecordKind, &'a RecordId)>,
            sources: &'a [Citation],
        ) {
            out.extend(
                sources
                    .iter()
                    .map(|c| ("sources.source", RecordKind::Source, &c.source)),
            );
        }
        let mut refs = Vec::new();
        match self {
            Self::Source(_) => {}
            Self::Organisation(o) => {
                citations(&mut refs, &o.sources);
                if let Some(p) = &o.parent {
                    refs.push(("parent", RecordKind::Organisation, p));
                }
            }
            Self::Facility(f) => {
                citations(&mut refs, &f.sources);
                for s in &f.status_history {
                    citations(&mut refs, &s.sources);
                }
                if let Some(o) = &f.operator {
                    refs.push(("operator", RecordKind::Organisation, o));
                }
            }
            Self::Activity(a) => {
                citations(&mut refs, &a.sources);
                if let Some(p) = &a.parent {
                    refs.push(("parent", RecordKind::Activity, p));
                }
                if let Some(r) = &a.reporting_org {
                    refs.push(("reporting_org", RecordKind::Organisation, r));
                }
                for p in &a.participants {
                    refs.push(("participants.org", RecordKind::Organisation, &p.org));
                }
                for step in &a.legal_steps {
                    citations(&mut refs, &step.sources);
                    for s in step.signatories.iter().filter_map(|s| s.org.as_ref()) {
                        refs.push(("legal_steps.signatories.org", RecordKind::Organisation, s));
                    }
                }
                for f in &a.facilities {
                    refs.push(("facilities", RecordKind::Facility, f));
                }
            }
            Self::Flow(f) => {
                citations(&mut refs, &f.sources);
                refs.push(("activity", RecordKind::Activity, &f.activity));
                if let Some(p) = &f.provider {
                    refs.push(("provider", RecordKind::Organisation, p));
                }
                if let Some(r) = &f.receiver {
                    refs.push(("receiver", RecordKind::Organisation, r));
                }
                if let Some(p) = &f.parent_flow {
                    refs.push(("parent_flow", RecordKind::Flow, p));
                }
            }
            Self::Budget(b) => {
                citations(&mut refs, &b.sources);
                refs.push(("activity", RecordKind::Activity, &b.activity));
                if let Some(p) = &b.provider {
                    refs.push(("provider", RecordKind::Organisation, p));
                }
                if let Some(r) = &b.receiver {
                    refs.push(("receiver", RecordKind::Organisation, r));
                }
            }
            Self::EquipmentLine(e) => {
                citations(&mut refs, &e.sources);
                refs.push(("activity", RecordKind::Activity, &e.activity));
                if let Some(f) = &e.facility {
                    refs.push(("facility", RecordKind::Facility, f));
                }
            }
            Self::Partnership(p) => {
                citations(&mut refs, &p.sources);
                refs.push(("lead", RecordKind::Organisation, &p.lead));
                for o in &p.partners {
                    refs.push(("partners", RecordKind::Organisation, o));
                }
                if let Some(a) = &p.activity {
                    refs.push(("activity", RecordKind::Activity, a));
                }
            }
            Self::MarketRegistration(m) => {
                citations(&mut refs, &m.sources);
                if let Some(o) = &m.manufacturer {
                    refs.push(("manufacturer", RecordKind::Organisation, o));
                }
            }
            Self::Claim(c) => {
                citations(&mut refs, &c.sources);
                if let Some(a) = &c.activity {
                    refs.push(("activity", RecordKind::Activity, a));
                }
                if let Some(o) = &c.organisation {
                    refs.push(("organisation", RecordKind::Organisation, o));
                }
                if let Some(f) = &c.flow {
                    refs.push(("flow", RecordKind::Flow, f));
                }
                if let Some(f) = &c.facility {
                    refs.push(("facility", RecordKind::Facility, f));
                }
            }
            Self::DeviceModel(r) => refs.extend(r.references()),
            Self::FacilityPower(r) => refs.extend(r.references()),
            Self::Population(r) => refs.extend(r.references()),
            Self::EquipmentStandard(r) => refs.extend(r.references()),
            Self::Asset(r) => refs.extend(r.references()),
            Self::MaintenancePlan(r) => refs.extend(r.references()),
            Self::WorkOrder(r) => refs.extend(r.references()),
            Self::AssetEvent(r) => refs.extend(r.references()),
            Self::Downtime(r) => refs.extend(r.references()),
            Self::MeterReading(r) => refs.extend(r.references()),
            Self::DonationCheck(r) => refs.extend(r.references()),
            Self::IntakeDraft(d) => {
                if let Some(s) = &d.source {
                    refs.push(("source", RecordKind::Source, s));
                }
            }
            Self::DensityReference(r) => refs.extend(r.references()),
            Self::MedicineProduct(r) => refs.extend(r.references()),
            Self::EssentialMedicine(r) => refs.extend(r.references()),
            Self::Consignment(r) => refs.extend(r.references()),
            Self::ConsignmentDecision(r) => refs.extend(r.references()),
            Self::StockMovement(r) => refs.extend(r.references()),
            Self::Contract(r) => refs.extend(r.references()),
            Self::SparePart(r) => refs.extend(r.references()),
            Self::PartMovement(r) => refs.extend(r.references()),
            Self::Incident(r) => refs.extend(r.references()),
            Self::FieldSafetyNotice(r) => refs.extend(r.references()),
        }
        refs
    }
}
