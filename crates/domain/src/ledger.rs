//! A read-only view of all records, indexed for the rules that need to look across them:
//! totals, checks, and the rate basis of a flow.

use std::collections::{BTreeMap, BTreeSet, HashMap};

mod delta;
pub use delta::{FAMILY_KINDS, last_of_each};
mod map;

use chrono::NaiveDate;
use serde::Serialize;

use crate::codes::RecordId;
use crate::fx::RateTable;
use crate::model::{
    Activity, Budget, Claim, EquipmentLine, Facility, Flow, FlowKind, MarketRegistration, OrgRole,
    Organisation, Partnership, Record, RecordKind, Source,
};

/// The map of the kinds a ledger holds in the hundreds of thousands (activities, flows,
/// equipment lines): persistent, so cloning a ledger to apply a write shares every untouched
/// record instead of copying a million (issue #13).
pub use map::Map;

/// An index of the ledger, persistent for the same reason as [`Map`]; ordered, as a persistent
/// hash map's nodes sit mostly empty (about 230 bytes an entry against 80).
type Index<V> = imbl::OrdMap<RecordId, V>;

/// Points `id` at the allocation of the equal key `map` holds, if any: a million flows then
/// share their activity's and organisations' ids instead of each holding copies (records are
/// read kind by kind, organisations and activities before flows).
fn shared(map: &BTreeMap<RecordId, Organisation>, id: Option<&mut RecordId>) {
    if let Some(id) = id
        && let Some((key, _)) = map.get_key_value(id)
    {
        *id = key.clone();
    }
}

/// [`shared`] for the persistent maps.
fn shared_in<V: Clone>(map: &Map<V>, id: &mut RecordId) {
    if let Some((key, _)) = map.get_key_value(id) {
        *id = key.clone();
    }
}

#[derive(Debug, Clone, Default)]
pub struct Ledger {
    pub sources: BTreeMap<RecordId, Source>,
    pub organisations: BTreeMap<RecordId, Organisation>,
    pub facilities: BTreeMap<RecordId, Facility>,
    pub activities: Map<Activity>,
    pub flows: Map<Flow>,
    pub budgets: BTreeMap<RecordId, Budget>,
    pub equipment_lines: Map<EquipmentLine>,
    pub partnerships: BTreeMap<RecordId, Partnership>,
    pub registrations: BTreeMap<RecordId, MarketRegistration>,
    pub claims: BTreeMap<RecordId, Claim>,
    pub device_models: BTreeMap<RecordId, crate::assets::DeviceModel>,
    pub facility_power: BTreeMap<RecordId, crate::assets::FacilityPower>,
    pub populations: BTreeMap<RecordId, crate::assets::Population>,
    pub equipment_standards: BTreeMap<RecordId, crate::assets::EquipmentStandard>,
    pub assets: BTreeMap<RecordId, crate::assets::Asset>,
    pub maintenance_plans: BTreeMap<RecordId, crate::assets::MaintenancePlan>,
    pub work_orders: BTreeMap<RecordId, crate::assets::WorkOrder>,
    pub asset_events: BTreeMap<RecordId, crate::assets::AssetEvent>,
    pub downtimes: BTreeMap<RecordId, crate::assets::Downtime>,
    pub meter_readings: BTreeMap<RecordId, crate::assets::MeterReading>,
    pub donation_checks: BTreeMap<RecordId, crate::assets::DonationCheck>,
    pub density_references: BTreeMap<RecordId, crate::assets::DensityReference>,
    pub medicine_products: BTreeMap<RecordId, crate::medicines::MedicineProduct>,
    pub essential_medicines: BTreeMap<RecordId, crate::medicines::EssentialMedicine>,
    pub consignments: BTreeMap<RecordId, crate::medicines::Consignment>,
    pub consignment_decisions: BTreeMap<RecordId, crate::medicines::ConsignmentDecision>,
    pub stock_movements: BTreeMap<RecordId, crate::medicines::StockMovement>,
    pub contracts: BTreeMap<RecordId, crate::assets::contract::Contract>,
    pub spare_parts: BTreeMap<RecordId, crate::assets::parts::SparePart>,
    pub part_movements: BTreeMap<RecordId, crate::assets::parts::PartMovement>,
    pub incidents: BTreeMap<RecordId, crate::assets::recall::Incident>,
    pub field_safety_notices: BTreeMap<RecordId, crate::assets::recall::FieldSafetyNotice>,
    flow_children: Index<Vec<RecordId>>,
    activity_children: Index<Vec<RecordId>>,
    /// Indexes built once so rules stay linear in the size of the ledger; each list is in id
    /// order (the order rules meet the records in).
    flows_by_activity: Index<Vec<RecordId>>,
    equipment_by_activity: Index<Vec<RecordId>>,
    kinds_below: Index<BTreeSet<FlowKind>>,
}

/// Which date picked the exchange rate of a flow. Flows without a value date still get a rate so
/// totals are useful, but the basis is shown beside the figure so nobody mistakes it for a fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum RateDateBasis {
    ValueDate,
    /// No value date: the earliest dated legal step of the activity (signing, exchange of notes).
    LegalStep,
    /// No value date nor dated step: the publication date of the source the flow cites.
    SourcePublished,
    /// Nothing dated at all: the latest year the rate table has for the currency.
    LatestAvailableRate,
}

impl RateDateBasis {
    /// In English words, for the CLI's tables (pages word it in the reader's language).
    pub fn label(self) -> &'static str {
        match self {
            Self::ValueDate => "value date",
            Self::LegalStep => "date of a legal step",
            Self::SourcePublished => "source's publication date",
            Self::LatestAvailableRate => "latest available rate",
        }
    }
}

/// Builds a ledger one record at a time, indexing once at the end: a store streams its records
/// into it instead of holding them all in a list beside the ledger being built.
#[derive(Debug, Default)]
pub struct LedgerBuilder(Ledger);

impl LedgerBuilder {
    pub fn push(&mut self, record: Record) {
        self.0.insert(record);
    }

    pub fn finish(self) -> Ledger {
        self.0.reindexed()
    }
}

impl Ledger {
    pub fn from_records(records: impl IntoIterator<Item = Record>) -> Self {
        let mut ledger = Self::default();
        for record in records {
            ledger.insert(record);
        }
        ledger.reindexed()
    }

    /// This ledger after a committed write: `put` records replace their stored versions,
    /// `deleted` ones go, and the indexes are rebuilt once. Equal to [`Self::from_records`] over
    /// the records as they now stand, without reading or parsing them again.
    #[must_use]
    pub fn with_changes(
        mut self,
        put: impl IntoIterator<Item = Record>,
        deleted: &[(RecordKind, RecordId)],
    ) -> Self {
        for (kind, id) in deleted {
            self.remove(*kind, id);
        }
        for record in put {
            self.insert(record);
        }
        self.reindexed()
    }

    /// Takes one record out of its map (indexes are rebuilt by the caller, once).
    fn remove(&mut self, kind: RecordKind, id: &RecordId) {
        match kind {
            RecordKind::Source => drop(self.sources.remove(id)),
            RecordKind::Organisation => drop(self.organisations.remove(id)),
            RecordKind::Facility => drop(self.facilities.remove(id)),
            RecordKind::Activity => drop(self.activities.remove(id)),
            RecordKind::Flow => drop(self.flows.remove(id)),
            RecordKind::Budget => drop(self.budgets.remove(id)),
            RecordKind::EquipmentLine => drop(self.equipment_lines.remove(id)),
            RecordKind::Partnership => drop(self.partnerships.remove(id)),
            RecordKind::MarketRegistration => drop(self.registrations.remove(id)),
            RecordKind::Claim => drop(self.claims.remove(id)),
            RecordKind::DeviceModel => drop(self.device_models.remove(id)),
            RecordKind::FacilityPower => drop(self.facility_power.remove(id)),
            RecordKind::Population => drop(self.populations.remove(id)),
            RecordKind::EquipmentStandard => drop(self.equipment_standards.remove(id)),
            RecordKind::Asset => drop(self.assets.remove(id)),
            RecordKind::MaintenancePlan => drop(self.maintenance_plans.remove(id)),
            RecordKind::WorkOrder => drop(self.work_orders.remove(id)),
            RecordKind::AssetEvent => drop(self.asset_events.remove(id)),
            RecordKind::Downtime => drop(self.downtimes.remove(id)),
            RecordKind::MeterReading => drop(self.meter_readings.remove(id)),
            RecordKind::DonationCheck => drop(self.donation_checks.remove(id)),
            RecordKind::IntakeDraft => {}
            RecordKind::DensityReference => drop(self.density_references.remove(id)),
            RecordKind::MedicineProduct => drop(self.medicine_products.remove(id)),
            RecordKind::EssentialMedicine => drop(self.essential_medicines.remove(id)),
            RecordKind::Consignment => drop(self.consignments.remove(id)),
            RecordKind::ConsignmentDecision => drop(self.consignment_decisions.remove(id)),
            RecordKind::StockMovement => drop(self.stock_movements.remove(id)),
            RecordKind::Contract => drop(self.contracts.remove(id)),
            RecordKind::SparePart => drop(self.spare_parts.remove(id)),
            RecordKind::PartMovement => drop(self.part_movements.remove(id)),
            RecordKind::Incident => drop(self.incidents.remove(id)),
            RecordKind::FieldSafetyNotice => drop(self.field_safety_notices.remove(id)),
        }
    }

    /// Puts one record into its map, replacing the stored version (indexes are rebuilt by the
    /// caller, once).
    fn insert(&mut self, record: Record) {
        match record {
            Record::Source(r) => drop(self.sources.insert(r.id.clone(), r)),
            Record::Organisation(r) => drop(self.organisations.insert(r.id.clone(), r)),
            Record::Facility(r) => drop(self.facilities.insert(r.id.clone(), r)),
            Record::Activity(mut r) => {
                shared(&self.organisations, r.reporting_org.as_mut());
                if let Some(parent) = r.parent.as_mut() {
                    shared_in(&self.activities, parent);
                }
                drop(self.activities.insert(r.id.clone(), r))
            }
            Record::Flow(mut r) => {
                shared_in(&self.activities, &mut r.activity);
                shared(&self.organisations, r.provider.as_mut());
                shared(&self.organisations, r.receiver.as_mut());
                if let Some(parent) = r.parent_flow.as_mut() {
                    shared_in(&self.flows, parent);
                }
                drop(self.flows.insert(r.id.clone(), r))
            }
            Record::Budget(r) => drop(self.budgets.insert(r.id.clone(), r)),
            Record::EquipmentLine(mut r) => {
                shared_in(&self.activities, &mut r.activity);
                drop(self.equipment_lines.insert(r.id.clone(), r))
            }
            Record::Partnership(r) => drop(self.partnerships.insert(r.id.clone(), r)),
            Record::MarketRegistration(r) => drop(self.registrations.insert(r.id.clone(), r)),
            Record::Claim(r) => drop(self.claims.insert(r.id.clone(), r)),
            Record::DeviceModel(r) => drop(self.device_models.insert(r.id.clone(), r)),
            Record::FacilityPower(r) => drop(self.facility_power.insert(r.id.clone(), r)),
            Record::Population(r) => drop(self.populations.insert(r.id.clone(), r)),
            Record::EquipmentStandard(r) => drop(self.equipment_standards.insert(r.id.clone(), r)),
            Record::Asset(r) => drop(self.assets.insert(r.id.clone(), r)),
            Record::MaintenancePlan(r) => drop(self.maintenance_plans.insert(r.id.clone(), r)),
            Record::WorkOrder(r) => drop(self.work_orders.insert(r.id.clone(), r)),
            Record::AssetEvent(r) => drop(self.asset_events.insert(r.id.clone(), r)),
            Record::Downtime(r) => drop(self.downtimes.insert(r.id.clone(), r)),
            Record::MeterReading(r) => drop(self.meter_readings.insert(r.id.clone(), r)),
            Record::DonationCheck(r) => drop(self.donation_checks.insert(r.id.clone(), r)),
            // Review drafts are not ledger facts: only what a reviewer accepted is.
            Record::IntakeDraft(_) => {}
            Record::DensityReference(r) => drop(self.density_references.insert(r.id.clone(), r)),
            Record::MedicineProduct(r) => drop(self.medicine_products.insert(r.id.clone(), r)),
            Record::EssentialMedicine(r) => drop(self.essential_medicines.insert(r.id.clone(), r)),
            Record::Consignment(r) => drop(self.consignments.insert(r.id.clone(), r)),
            Record::ConsignmentDecision(r) => {
                drop(self.consignment_decisions.insert(r.id.clone(), r))
            }
            Record::StockMovement(r) => drop(self.stock_movements.insert(r.id.clone(), r)),
            Record::Contract(r) => drop(self.contracts.insert(r.id.clone(), r)),
            Record::SparePart(r) => drop(self.spare_parts.insert(r.id.clone(), r)),
            Record::PartMovement(r) => drop(self.part_movements.insert(r.id.clone(), r)),
            Record::Incident(r) => drop(self.incidents.insert(r.id.clone(), r)),
            Record::FieldSafetyNotice(r) => drop(self.field_safety_notices.insert(r.id.clone(), r)),
        }
    }

    /// Rebuilds the indexes from the record maps.
    fn reindexed(mut self) -> Self {
        // Built as plain maps, then each list cut to its length (a list grown by `push` keeps
        // up to twice the room it needs) and moved into the persistent index once.
        fn persistent(lists: BTreeMap<RecordId, Vec<RecordId>>) -> Index<Vec<RecordId>> {
            lists
                .into_iter()
                .map(|(key, mut list)| {
                    list.shrink_to_fit();
                    (key, list)
                })
                .collect()
        }
        let mut flow_children: BTreeMap<RecordId, Vec<RecordId>> = BTreeMap::new();
        let mut activity_children: BTreeMap<RecordId, Vec<RecordId>> = BTreeMap::new();
        let mut flows_by_activity: BTreeMap<RecordId, Vec<RecordId>> = BTreeMap::new();
        let mut equipment_by_activity: BTreeMap<RecordId, Vec<RecordId>> = BTreeMap::new();
        for flow in self.flows.values() {
            if let Some(parent) = &flow.parent_flow {
                flow_children
                    .entry(parent.clone())
                    .or_default()
                    .push(flow.id.clone());
            }
        }
        for activity in self.activities.values() {
            if let Some(parent) = &activity.parent {
                activity_children
                    .entry(parent.clone())
                    .or_default()
                    .push(activity.id.clone());
            }
        }
        for flow in self.flows.values() {
            flows_by_activity
                .entry(flow.activity.clone())
                .or_default()
                .push(flow.id.clone());
        }
        for line in self.equipment_lines.values() {
            equipment_by_activity
                .entry(line.activity.clone())
                .or_default()
                .push(line.id.clone());
        }
        self.flow_children = persistent(flow_children);
        self.activity_children = persistent(activity_children);
        self.flows_by_activity = persistent(flows_by_activity);
        self.equipment_by_activity = persistent(equipment_by_activity);
        // Each flow's kind is recorded on every ancestor of its activity (cycle-safe).
        let mut kinds_below: Index<BTreeSet<FlowKind>> = Index::new();
        for flow in self.flows.values() {
            let mut seen = BTreeSet::new();
            let mut current = self
                .activities
                .get(&flow.activity)
                .and_then(|a| a.parent.as_ref());
            while let Some(ancestor) = current {
                if !seen.insert(ancestor) {
                    break;
                }
                kinds_below
                    .entry(ancestor.clone())
                    .or_default()
                    .insert(flow.kind);
                current = self
                    .activities
                    .get(ancestor)
                    .and_then(|a| a.parent.as_ref());
            }
        }
        self.kinds_below = kinds_below;
        self
    }

    /// The flows of one activity (not of its sub-activities).
    /// Every record whose citations name `source`. It clones what it finds and walks every
    /// record, so it serves rare decisions (who may edit a source), not reports.
    pub fn records_citing(&self, source: &RecordId) -> Vec<Record> {
        let mut found = Vec::new();
        macro_rules! scan {
            ($($map:ident => $variant:ident),* $(,)?) => {$(
                for r in self.$map.values() {
                    let record = Record::$variant(r.clone());
                    if record
                        .references()
                        .iter()
                        .any(|(_, kind, id)| *kind == RecordKind::Source && *id == source)
                    {
                        found.push(record);
                    }
                }
            )*};
        }
        scan!(
            organisations => Organisation,
            facilities => Facility,
            activities => Activity,
            flows => Flow,
            budgets => Budget,
            equipment_lines => EquipmentLine,
            partnerships => Partnership,
            registrations => MarketRegistration,
            claims => Claim,
            device_models => DeviceModel,
            facility_power => FacilityPower,
            populations => Population,
            equipment_standards => EquipmentStandard,
            assets => Asset,
            maintenance_plans => MaintenancePlan,
            work_orders => WorkOrder,
            asset_events => AssetEvent,
            downtimes => Downtime,
            meter_readings => MeterReading,
            donation_checks => DonationCheck,
            density_references => DensityReference,
            medicine_products => MedicineProduct,
            essential_medicines => EssentialMedicine,
            consignments => Consignment,
            consignment_decisions => ConsignmentDecision,
            stock_movements => StockMovement,
            contracts => Contract,
            spare_parts => SparePart,
            part_movements => PartMovement,
            incidents => Incident,
            field_safety_notices => FieldSafetyNotice,
        );
        found
    }

    /// The stored version of one record, cloned (`None` for kinds the ledger does not hold,
    /// such as intake drafts).
    pub fn get(&self, kind: RecordKind, id: &RecordId) -> Option<Record> {
        macro_rules! pick {
            ($($map:ident => $variant:ident),* $(,)?) => {
                match kind {
                    $(RecordKind::$variant => self.$map.get(id).cloned().map(Record::$variant),)*
                    RecordKind::IntakeDraft => None,
                }
            };
        }
        pick!(
            sources => Source,
            organisations => Organisation,
            facilities => Facility,
            activities => Activity,
            flows => Flow,
            budgets => Budget,
            equipment_lines => EquipmentLine,
            partnerships => Partnership,
            registrations => MarketRegistration,
            claims => Claim,
            device_models => DeviceModel,
            facility_power => FacilityPower,
            populations => Population,
            equipment_standards => EquipmentStandard,
            assets => Asset,
            maintenance_plans => MaintenancePlan,
            work_orders => WorkOrder,
            asset_events => AssetEvent,
            downtimes => Downtime,
            meter_readings => MeterReading,
            donation_checks => DonationCheck,
            density_references => DensityReference,
            medicine_products => MedicineProduct,
            essential_medicines => EssentialMedicine,
            consignments => Consignment,
            consignment_decisions => ConsignmentDecision,
            stock_movements => StockMovement,
            contracts => Contract,
            spare_parts => SparePart,
            part_movements => PartMovement,
            incidents => Incident,
            field_safety_notices => FieldSafetyNotice,
        )
    }

    /// A copy of this ledger with `batch` written over it (each record created or replaced), the
    /// indexes rebuilt: what the ledger would be if a proposed change were approved. It clones
    /// every record, so it serves previews, not reports.
    #[must_use]
    pub fn with(&self, batch: &[Record]) -> Self {
        let mut copy = self.clone();
        for record in batch {
            copy.insert(record.clone());
        }
        copy.reindexed()
    }

    pub fn flows_of<'a>(&'a self, activity: &RecordId) -> impl Iterator<Item = &'a Flow> + 'a {
        self.flows_by_activity
            .get(activity)
            .into_iter()
            .flatten()
            .filter_map(|id| self.flows.get(id))
    }

    /// The equipment lines of one activity.
    pub fn equipment_of<'a>(
        &'a self,
        activity: &RecordId,
    ) -> impl Iterator<Item = &'a EquipmentLine> + 'a {
        self.equipment_by_activity
            .get(activity)
            .into_iter()
            .flatten()
            .filter_map(|id| self.equipment_lines.get(id))
    }

    pub fn flow_children(&self, flow: &RecordId) -> &[RecordId] {
        self.flow_children.get(flow).map_or(&[], Vec::as_slice)
    }

    /// The flows that have child flows, in id order, each with its children's ids: the few
    /// envelopes among a million flows, without a lookup per flow.
    pub fn flows_with_children(&self) -> impl Iterator<Item = (&Flow, &[RecordId])> + '_ {
        self.flow_children
            .iter()
            .filter_map(|(parent, children)| Some((self.flows.get(parent)?, children.as_slice())))
    }

    pub fn activity_children(&self, activity: &RecordId) -> &[RecordId] {
        self.activity_children
            .get(activity)
            .map_or(&[], Vec::as_slice)
    }

    /// All activities below `activity` (not itself). Guards against cycles in bad data.
    pub fn descendants(&self, activity: &RecordId) -> Vec<RecordId> {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<RecordId> = self.activity_children(activity).to_vec();
        while let Some(next) = stack.pop() {
            if seen.insert(next.clone()) {
                stack.extend(self.activity_children(&next).iter().cloned());
            }
        }
        seen.remove(activity);
        seen.into_iter().collect()
    }

    /// The activity and its ancestors, nearest first (cycle-safe).
    pub fn lineage(&self, activity: &RecordId) -> Vec<&Activity> {
        let mut out = Vec::new();
        let mut seen = BTreeSet::new();
        let mut current = self.activities.get(activity);
        while let Some(a) = current {
            if !seen.insert(&a.id) {
                break;
            }
            out.push(a);
            current = a.parent.as_ref().and_then(|p| self.activities.get(p));
        }
        out
    }

    /// Flow kinds recorded anywhere below an activity; `None` when nothing is below.
    pub fn kinds_below(&self, activity: &RecordId) -> Option<&BTreeSet<FlowKind>> {
        self.kinds_below.get(activity)
    }

    /// The top of an organisation's parent chain (JICA → Government of Japan).
    pub fn top_organisation<'a>(&'a self, org: &'a RecordId) -> &'a RecordId {
        let mut current = org;
        let mut seen = BTreeSet::new();
        while let Some(parent) = self
            .organisations
            .get(current)
            .and_then(|o| o.parent.as_ref())
        {
            if !seen.insert(current) {
                break;
            }
            current = parent;
        }
        current
    }

    /// The first flow of a chain of parent flows: the money's original provider.
    pub fn root_flow<'a>(&'a self, flow: &'a Flow) -> &'a Flow {
        let mut current = flow;
        let mut seen = BTreeSet::new();
        while let Some(parent) = current.parent_flow.as_ref().and_then(|p| self.flows.get(p)) {
            if !seen.insert(&current.id) {
                break;
            }
            current = parent;
        }
        current
    }

    pub fn org_name(&self, id: &RecordId) -> String {
        self.organisations
            .get(id)
            .map_or_else(|| id.to_string(), |o| o.name.clone())
    }

    /// The roles each organisation plays in the records, whether or not they are written on
    /// it: a funding participant or the provider of a flow is a donor (an agency when it has a
    /// parent), an extending participant a donor agency, an implementing one an implementer, a
    /// beneficiary or the receiver of a flow a recipient. Only flows that carry money from a
    /// funder to what it funds count (pledges, commitments, disbursements, reimbursements, and
    /// incoming funds for their provider): a loan repayment's provider is the borrower, an
    /// expenditure's the implementer. `/organisations?role=donor` listed only organisations
    /// with the role written on them, so an imported publisher that funds everything it reports
    /// was not a donor there. One pass over the flows: callers keep the result per snapshot.
    pub fn roles_in_records(&self) -> HashMap<RecordId, Vec<OrgRole>> {
        use crate::model::ParticipantRole as P;
        fn add(roles: &mut HashMap<RecordId, Vec<OrgRole>>, org: &RecordId, role: OrgRole) {
            let list = roles.entry(org.clone()).or_default();
            if !list.contains(&role) {
                list.push(role);
            }
        }
        let mut roles = HashMap::new();
        let donor = |org: &RecordId| {
            let agency = self
                .organisations
                .get(org)
                .is_some_and(|o| o.parent.is_some());
            if agency {
                OrgRole::DonorAgency
            } else {
                OrgRole::Donor
            }
        };
        for a in self.activities.values() {
            for p in &a.participants {
                let role = match p.role {
                    P::Funding => donor(&p.org),
                    P::Extending => OrgRole::DonorAgency,
                    P::Implementing => OrgRole::Implementer,
                    P::Beneficiary => OrgRole::Recipient,
                    P::Accountable => continue,
                };
                add(&mut roles, &p.org, role);
            }
        }
        for f in self.flows.values() {
            let (funds_from_provider, funds_the_receiver) = match f.kind {
                FlowKind::Pledge
                | FlowKind::Commitment
                | FlowKind::Disbursement
                | FlowKind::Reimbursement => (true, true),
                FlowKind::IncomingFunds
                | FlowKind::IncomingCommitment
                | FlowKind::IncomingPledge => (true, false),
                _ => (false, false),
            };
            if let Some(p) = f.provider.as_ref().filter(|_| funds_from_provider) {
                add(&mut roles, p, donor(p));
            }
            if let Some(r) = f.receiver.as_ref().filter(|_| funds_the_receiver) {
                add(&mut roles, r, OrgRole::Recipient);
            }
        }
        roles
    }

    /// Organisations to choose from, by name, with a name that several of them share followed
    /// by what tells them apart: the first IATI identifier, else the id. After an import,
    /// "Asian Development Bank" stood three times in the donor list with nothing to choose by.
    pub fn org_choices<'a>(
        &self,
        ids: impl IntoIterator<Item = &'a RecordId>,
    ) -> Vec<(RecordId, String)> {
        let mut choices: Vec<(RecordId, String)> = ids
            .into_iter()
            .map(|id| (id.clone(), self.org_name(id)))
            .collect();
        let mut count: BTreeMap<String, usize> = BTreeMap::new();
        for (_, name) in &choices {
            *count.entry(name.to_lowercase()).or_default() += 1;
        }
        for (id, name) in &mut choices {
            if count.get(&name.to_lowercase()).copied().unwrap_or(0) > 1 {
                let apart = self
                    .organisations
                    .get(id)
                    .and_then(|o| {
                        o.identifiers.iter().find_map(|i| match i {
                            crate::model::OrgIdentifier::Iati(r) => Some(r.to_string()),
                            crate::model::OrgIdentifier::IatiAsPublished(r) => Some(r.clone()),
                            _ => None,
                        })
                    })
                    .unwrap_or_else(|| id.to_string());
                *name = format!("{name} ({apart})");
            }
        }
        choices.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        choices
    }

    /// A facility's name, or its id when the ledger does not hold it.
    pub fn facility_name(&self, id: &RecordId) -> String {
        self.facilities
            .get(id)
            .map_or_else(|| id.to_string(), |f| f.name.clone())
    }

    /// The records of `kind` a person picks by name, each with that name (an organisation's or
    /// facility's name, an activity's or source's title), in id order; nothing for kinds that
    /// have no name.
    pub fn names_of_kind(
        &self,
        kind: RecordKind,
    ) -> Box<dyn Iterator<Item = (&RecordId, &str)> + '_> {
        match kind {
            RecordKind::Organisation => Box::new(
                self.organisations
                    .values()
                    .map(|o| (&o.id, o.name.as_str())),
            ),
            RecordKind::Activity => {
                Box::new(self.activities.values().map(|a| (&a.id, a.title.as_str())))
            }
            RecordKind::Facility => {
                Box::new(self.facilities.values().map(|f| (&f.id, f.name.as_str())))
            }
            RecordKind::Source => {
                Box::new(self.sources.values().map(|s| (&s.id, s.title.as_str())))
            }
            _ => Box::new(std::iter::empty()),
        }
    }

    /// What a person calls record `id` when it is one of the named kinds of
    /// [`Self::names_of_kind`], looked up in that order.
    pub fn record_name(&self, id: &RecordId) -> Option<&str> {
        self.organisations
            .get(id)
            .map(|o| o.name.as_str())
            .or_else(|| self.activities.get(id).map(|a| a.title.as_str()))
            .or_else(|| self.facilities.get(id).map(|f| f.name.as_str()))
            .or_else(|| self.sources.get(id).map(|s| s.title.as_str()))
    }

    /// The date whose rate converts a flow, and why that date.
    pub fn rate_date(&self, flow: &Flow, rates: &RateTable) -> Option<(NaiveDate, RateDateBasis)> {
        if let Some(d) = flow.money.value_date {
            return Some((d, RateDateBasis::ValueDate));
        }
        let step = self
            .lineage(&flow.activity)
            .into_iter()
            .flat_map(|a| a.legal_steps.iter().filter_map(|s| s.date))
            .min();
        if let Some(d) = step {
            return Some((d, RateDateBasis::LegalStep));
        }
        let published = flow
            .sources
            .iter()
            .filter_map(|c| self.sources.get(&c.source).and_then(|s| s.published))
            .max();
        if let Some(d) = published {
            return Some((d, RateDateBasis::SourcePublished));
        }
        latest_rate_year(rates, &flow.money.currency)
            .map(|d| (d, RateDateBasis::LatestAvailableRate))
    }
}

impl Ledger {
    /// Converts a flow at the rate of the date [`Self::rate_date`] picks. A flow with nothing
    /// dated (`LatestAvailableRate`) is provisional, like one dated after the rates available.
    pub fn convert_flow(
        &self,
        flow: &Flow,
        rates: &RateTable,
        to: &crate::codes::CurrencyCode,
    ) -> Result<(crate::fx::Conversion, NaiveDate, RateDateBasis), crate::fx::ConversionError> {
        let (day, basis) = self
            .rate_date(flow, rates)
            .ok_or(crate::fx::ConversionError::NoValueDate)?;
        let mut c = rates.convert_on(&flow.money, to, day)?;
        // Yen shown in yen uses no rate, so nothing about it is provisional.
        let uses_a_rate =
            flow.money.currency != *to && c.legs.iter().any(|l| l.currency.as_str() != "USD");
        c.provisional = flow_provisional(c.provisional, c.rate_date, uses_a_rate, basis);
        Ok((c, day, basis))
    }

    /// [`Self::convert_flow`] through `conversions`, which keeps each currency and day's terms:
    /// the amount and the terms it shares with every flow of that currency and day, for sums
    /// over many flows.
    pub fn convert_flow_with<'c>(
        &self,
        flow: &Flow,
        conversions: &'c mut crate::fx::Conversions<'_>,
        to: &crate::codes::CurrencyCode,
    ) -> Result<FlowConversion<'c>, crate::fx::ConversionError> {
        let (day, basis) = self
            .rate_date(flow, conversions.rates())
            .ok_or(crate::fx::ConversionError::NoValueDate)?;
        let terms = conversions.terms(&flow.money.currency, to, day)?;
        Ok(FlowConversion {
            amount: terms.amount_of(flow.money.amount)?,
            provisional: flow_provisional(
                terms.provisional,
                terms.rate_date,
                terms.uses_a_rate,
                basis,
            ),
            terms,
            day,
            basis,
        })
    }
}

/// A flow's conversion as sums over many flows use it ([`Ledger::convert_flow_with`]).
#[derive(Debug, Clone, Copy)]
pub struct FlowConversion<'c> {
    /// The flow's amount converted (not signed, not shared out).
    pub amount: rust_decimal::Decimal,
    /// The rate, its date and source.
    pub terms: &'c crate::fx::ConversionTerms,
    /// The flow's conversion's provisional date: the terms', or for a flow with nothing dated,
    /// the rate's date.
    pub provisional: Option<NaiveDate>,
    /// The day converted for, and which date it is.
    pub day: NaiveDate,
    pub basis: RateDateBasis,
}

/// A conversion that needs no rate (dollars to dollars) is exact whatever the date; one of a flow
/// with nothing dated is provisional at the rate's date.
fn flow_provisional(
    provisional: Option<NaiveDate>,
    rate_date: NaiveDate,
    uses_a_rate: bool,
    basis: RateDateBasis,
) -> Option<NaiveDate> {
    if basis == RateDateBasis::LatestAvailableRate && uses_a_rate && provisional.is_none() {
        Some(rate_date)
    } else {
        provisional
    }
}

fn latest_rate_year(rates: &RateTable, currency: &crate::codes::CurrencyCode) -> Option<NaiveDate> {
    rates.latest_date(currency)
}
