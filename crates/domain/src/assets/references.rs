//! The references each asset record makes (field, kind, id), for the service's reference check,
//! and a work order's costs. Moved out of `mod.rs` unchanged to keep that file under 1,000 lines.

use super::*;

/// A reference from one record to another: (field, kind, id).
pub type Reference<'a> = (&'static str, crate::model::RecordKind, &'a RecordId);

pub(crate) fn cite_refs<'a>(out: &mut Vec<Reference<'a>>, sources: &'a [Citation]) {
    use crate::model::RecordKind;
    out.extend(
        sources
            .iter()
            .map(|c| ("sources.source", RecordKind::Source, &c.source)),
    );
}

pub(crate) fn opt<'a>(
    out: &mut Vec<Reference<'a>>,
    field: &'static str,
    kind: crate::model::RecordKind,
    id: &'a Option<RecordId>,
) {
    if let Some(id) = id {
        out.push((field, kind, id));
    }
}

impl DeviceModel {
    pub fn references(&self) -> Vec<Reference<'_>> {
        use crate::model::RecordKind as K;
        let mut out = vec![("manufacturer", K::Organisation, &self.manufacturer)];
        cite_refs(&mut out, &self.sources);
        out
    }
}

impl FacilityPower {
    pub fn references(&self) -> Vec<Reference<'_>> {
        use crate::model::RecordKind as K;
        let mut out = vec![("facility", K::Facility, &self.facility)];
        for o in &self.tier_overrides {
            opt(&mut out, "tier_overrides.asset", K::Asset, &o.asset);
        }
        cite_refs(&mut out, &self.sources);
        out
    }
}

impl Population {
    pub fn references(&self) -> Vec<Reference<'_>> {
        let mut out = Vec::new();
        cite_refs(&mut out, &self.sources);
        out
    }
}

impl DensityReference {
    pub fn references(&self) -> Vec<Reference<'_>> {
        let mut out = Vec::new();
        cite_refs(&mut out, &self.sources);
        out
    }
}

impl EquipmentStandard {
    pub fn references(&self) -> Vec<Reference<'_>> {
        let mut out = Vec::new();
        cite_refs(&mut out, &self.sources);
        out
    }
}

impl Asset {
    pub fn references(&self) -> Vec<Reference<'_>> {
        use crate::model::RecordKind as K;
        let mut out = vec![
            ("model", K::DeviceModel, &self.model),
            ("facility", K::Facility, &self.facility),
        ];
        opt(&mut out, "parent", K::Asset, &self.parent);
        opt(&mut out, "owner", K::Organisation, &self.owner);
        opt(
            &mut out,
            "funding.activity",
            K::Activity,
            &self.funding.activity,
        );
        opt(
            &mut out,
            "funding.equipment_line",
            K::EquipmentLine,
            &self.funding.equipment_line,
        );
        opt(
            &mut out,
            "funding.donor",
            K::Organisation,
            &self.funding.donor,
        );
        opt(&mut out, "responsible", K::Organisation, &self.responsible);
        opt(&mut out, "om_payer", K::Organisation, &self.om_payer);
        for c in &self.contracts {
            opt(&mut out, "contracts.provider", K::Organisation, &c.provider);
        }
        cite_refs(&mut out, &self.sources);
        out
    }
}

impl MaintenancePlan {
    pub fn references(&self) -> Vec<Reference<'_>> {
        use crate::model::RecordKind as K;
        let mut out = Vec::new();
        opt(&mut out, "model", K::DeviceModel, &self.model);
        opt(&mut out, "asset", K::Asset, &self.asset);
        cite_refs(&mut out, &self.sources);
        out
    }
}

impl WorkOrder {
    pub fn references(&self) -> Vec<Reference<'_>> {
        use crate::model::RecordKind as K;
        let mut out = vec![("asset", K::Asset, &self.asset)];
        opt(&mut out, "plan", K::MaintenancePlan, &self.plan);
        opt(&mut out, "provider", K::Organisation, &self.provider);
        opt(&mut out, "notice", K::FieldSafetyNotice, &self.notice);
        out.extend(
            self.parts
                .iter()
                .filter_map(|p| p.part.as_ref().map(|id| ("parts.part", K::SparePart, id))),
        );
        out
    }

    /// Labour, parts and external costs, each in its own currency.
    pub fn costs(&self) -> Vec<Money> {
        let mut out: Vec<Money> = Vec::new();
        out.extend(workorder::labour_cost(self));
        for p in &self.parts {
            let mut m = p.unit_cost.clone();
            m.amount *= Decimal::from(p.quantity);
            out.push(m);
        }
        out.extend(self.external_cost.iter().cloned());
        out
    }
}

impl AssetEvent {
    pub fn references(&self) -> Vec<Reference<'_>> {
        use crate::model::RecordKind as K;
        let mut out = vec![("asset", K::Asset, &self.asset)];
        opt(&mut out, "acceptance", K::WorkOrder, &self.acceptance);
        opt(&mut out, "to_facility", K::Facility, &self.to_facility);
        opt(&mut out, "from_facility", K::Facility, &self.from_facility);
        opt(&mut out, "corrects", K::AssetEvent, &self.corrects);
        cite_refs(&mut out, &self.sources);
        out
    }
}

impl Downtime {
    pub fn references(&self) -> Vec<Reference<'_>> {
        use crate::model::RecordKind as K;
        let mut out = vec![("asset", K::Asset, &self.asset)];
        opt(&mut out, "work_order", K::WorkOrder, &self.work_order);
        out
    }
}

impl MeterReading {
    pub fn references(&self) -> Vec<Reference<'_>> {
        vec![("asset", crate::model::RecordKind::Asset, &self.asset)]
    }
}

impl DonationCheck {
    pub fn references(&self) -> Vec<Reference<'_>> {
        use crate::model::RecordKind as K;
        let mut out = vec![
            ("model", K::DeviceModel, &self.model),
            ("facility", K::Facility, &self.facility),
        ];
        opt(&mut out, "asset", K::Asset, &self.asset);
        opt(&mut out, "activity", K::Activity, &self.activity);
        out
    }
}
