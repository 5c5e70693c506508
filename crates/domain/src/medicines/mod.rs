//! Donated medicines and supplies, from the packing list to the shelf: products, consignments
//! with their packing lines, the arrival decision, and dated stock movements.
//!
//! Stock on hand is never stored: [`stock`] derives it from the movements, and refuses a movement
//! that would take any facility's lot below zero. The WHO donation-guideline checks at arrival are
//! in [`guidelines`]; scanned GS1 element strings are read by [`gs1`]; single-record rules are in
//! [`validate`].

pub mod gs1;
pub mod guidelines;
pub mod stock;
pub mod validate;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::codes::{CountryCode, RecordId};
use crate::model::Citation;
use crate::money::{Money, exact_decimal};

/// A medicine or medical supply as a catalogue entry. Packing lines and movements name a product
/// by id, so the same medicine from two donors is counted as one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MedicineProduct {
    pub id: RecordId,
    /// International non-proprietary name, or the generic name of a supply.
    pub inn: String,
    /// e.g. `500 mg`, `10 mg/ml`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strength: Option<String>,
    /// e.g. `tablet`, `injection`, `syringe`.
    pub dosage_form: String,
    /// Base units per pack (tablets per box, ampoules per carton).
    pub pack_size: u32,
    /// The unit every quantity of this product is counted in (`tablet`, `ampoule`, `piece`).
    pub base_unit: String,
    /// WHO ATC code where known (e.g. `J01CA04`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub atc: Option<String>,
    /// The manufacturer organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manufacturer: Option<RecordId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manufacturer_country: Option<CountryCode>,
    /// GS1 GTIN (14 digits, check digit verified) where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gtin: Option<String>,
    /// The market registration in the recipient country, when the product is registered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration: Option<RecordId>,
    /// A recorded waiver from the regulator for an unregistered product (its reference).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_waiver: Option<String>,
    /// Total shelf life under two years: the guideline then asks for one third of it to remain at
    /// arrival instead of twelve months.
    #[serde(default)]
    pub short_shelf_life: bool,
    /// Reference price per base unit (e.g. an international reference price), the yardstick of a
    /// declared value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_unit_price: Option<Money>,
    #[serde(default)]
    pub sources: Vec<Citation>,
}

/// How the consignment travelled from the donor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum ConsignmentMode {
    Direct,
    ThroughAgency,
}

/// What a declared value was priced at. The guidelines ask for the recipient country's wholesale
/// price or, failing that, the world-market wholesale price; a donor's retail price inflates it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum ValueBasis {
    RecipientWholesalePrice,
    WorldMarketPrice,
    DonorWholesalePrice,
    DonorRetailPrice,
    Unknown,
}

/// Where a consignment is delivered first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum DestinationKind {
    CentralWarehouse,
    Facility,
}

/// One line of a packing list: one lot of one product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackingLine {
    pub product: RecordId,
    pub lot: String,
    pub expiry: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manufactured: Option<NaiveDate>,
    /// In the product's base units; at least 1.
    pub quantity: u64,
    /// Declared value per base unit.
    #[serde(
        default,
        with = "exact_decimal::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub unit_value: Option<Decimal>,
    /// ISO 639-1 codes of the languages the label is printed in.
    #[serde(default)]
    pub label_languages: Vec<String>,
    /// Whether the label names the INN (not only a brand).
    #[serde(default)]
    pub inn_on_label: bool,
    /// GS1 serial (AI 21) when the line was scanned from a serialised pack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
}

/// A donated shipment of medicines and supplies with its packing list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Consignment {
    pub id: RecordId,
    /// The donor organisation.
    pub donor: RecordId,
    /// The activity that funds the consignment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity: Option<RecordId>,
    pub mode: ConsignmentMode,
    pub shipped: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arrived: Option<NaiveDate>,
    /// The facility (or central warehouse, itself a facility record) it is delivered to.
    pub destination: RecordId,
    pub destination_kind: DestinationKind,
    pub recipient_country: CountryCode,
    /// ISO 639-1 codes of the languages health workers at the recipient read.
    pub recipient_languages: Vec<String>,
    /// Total declared value; its currency prices every line's `unit_value`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared_value: Option<Money>,
    pub value_basis: ValueBasis,
    /// The flow that carries the consignment's value in the ledger: the in-kind disbursement the
    /// first accepting decision writes, or a flow already recorded for the same goods (then no
    /// other is written). The value is counted in totals only through this flow, so once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_flow: Option<RecordId>,
    /// The recipient's request or the agreement the consignment answers; `None` is an
    /// unannounced consignment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_reference: Option<String>,
    pub lines: Vec<PackingLine>,
    #[serde(default)]
    pub sources: Vec<Citation>,
}

/// What the recipient decided at arrival, after seeing the guideline findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum DecisionOutcome {
    Accept,
    AcceptInPart,
    Reject,
}

/// The arrival decision on a consignment. It is a record of its own, so the audit chain keeps who
/// decided what and when; lines accepted in part are named by their index in the packing list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsignmentDecision {
    pub id: RecordId,
    pub consignment: RecordId,
    pub decided_on: NaiveDate,
    pub outcome: DecisionOutcome,
    /// Indices (from 0) of the packing lines accepted, for `accept_in_part`.
    #[serde(default)]
    pub accepted_lines: Vec<usize>,
    /// Rule ids of the findings the decider saw.
    #[serde(default)]
    pub findings_seen: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// What happened to a quantity of one lot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum MovementKind {
    /// Into `to`, from the consignment.
    Receipt,
    /// From `from` to `to`.
    Distribution,
    /// Dispensed to patients at `from`.
    Use,
    Loss,
    Expiry,
    Destruction,
}

impl MovementKind {
    /// Whether stock leaves a facility (`from` is required).
    pub fn takes_from(self) -> bool {
        !matches!(self, Self::Receipt)
    }

    /// Whether stock arrives at a facility (`to` is required).
    pub fn puts_into(self) -> bool {
        matches!(self, Self::Receipt | Self::Distribution)
    }
}

/// A dated movement of one lot of one consignment. The consignment ties the lot to its donor and
/// activity, so the donor's "what became of it" view is a query, not a second ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StockMovement {
    pub id: RecordId,
    pub kind: MovementKind,
    pub date: NaiveDate,
    pub consignment: RecordId,
    pub product: RecordId,
    pub lot: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<RecordId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<RecordId>,
    /// In base units; at least 1.
    pub quantity: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One entry of an essential medicines list, imported from CSV with the list's source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EssentialMedicine {
    pub id: RecordId,
    /// The country whose list this is (`None`: the WHO Model List).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<CountryCode>,
    pub inn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dosage_form: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strength: Option<String>,
    pub sources: Vec<Citation>,
}

/// Largest quantity of one line or movement, in base units: 10^12 (a trillion tablets is more than
/// any donation), so sums over millions of movements stay far inside `u64`.
pub const MAX_QUANTITY: u64 = 1_000_000_000_000;

/// INNs compare without case or surrounding space ("Amoxicillin " is "amoxicillin").
pub fn same_inn(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim()) || a.trim().to_lowercase() == b.trim().to_lowercase()
}

type Reference<'a> = (&'static str, crate::model::RecordKind, &'a RecordId);

fn cited<'a>(out: &mut Vec<Reference<'a>>, sources: &'a [Citation]) {
    out.extend(sources.iter().map(|c| {
        (
            "sources.source",
            crate::model::RecordKind::Source,
            &c.source,
        )
    }));
}

impl MedicineProduct {
    pub fn references(&self) -> Vec<Reference<'_>> {
        use crate::model::RecordKind as K;
        let mut refs = Vec::new();
        cited(&mut refs, &self.sources);
        if let Some(m) = &self.manufacturer {
            refs.push(("manufacturer", K::Organisation, m));
        }
        if let Some(r) = &self.registration {
            refs.push(("registration", K::MarketRegistration, r));
        }
        refs
    }
}

impl EssentialMedicine {
    pub fn references(&self) -> Vec<Reference<'_>> {
        let mut refs = Vec::new();
        cited(&mut refs, &self.sources);
        refs
    }
}

impl Consignment {
    pub fn references(&self) -> Vec<Reference<'_>> {
        use crate::model::RecordKind as K;
        let mut refs = Vec::new();
        cited(&mut refs, &self.sources);
        refs.push(("donor", K::Organisation, &self.donor));
        if let Some(a) = &self.activity {
            refs.push(("activity", K::Activity, a));
        }
        refs.push(("destination", K::Facility, &self.destination));
        if let Some(f) = &self.value_flow {
            refs.push(("value_flow", K::Flow, f));
        }
        for line in &self.lines {
            refs.push(("lines.product", K::MedicineProduct, &line.product));
        }
        refs
    }
}

impl ConsignmentDecision {
    pub fn references(&self) -> Vec<Reference<'_>> {
        vec![(
            "consignment",
            crate::model::RecordKind::Consignment,
            &self.consignment,
        )]
    }
}

impl StockMovement {
    pub fn references(&self) -> Vec<Reference<'_>> {
        use crate::model::RecordKind as K;
        let mut refs = vec![
            ("consignment", K::Consignment, &self.consignment),
            ("product", K::MedicineProduct, &self.product),
        ];
        if let Some(f) = &self.from {
            refs.push(("from", K::Facility, f));
        }
        if let Some(t) = &self.to {
            refs.push(("to", K::Facility, t));
        }
        refs
    }
}
