//! Coded values: the closed sets records store by name (flow kinds, roles, statuses, rate bases,
//! asset states …). Each enum owns its stored name and its order through two derives,
//! `strum::IntoStaticStr` (the name, the same as its serde name; a test holds them together) and
//! `strum::VariantArray` (every variant in declaration order, the order lists and menus show).
//! Interfaces look up a value's label by its name, so no page round-trips a value through serde
//! to learn what to call it.

pub use strum::VariantArray;

/// A unit enum with a stored name per variant and a fixed order.
pub trait Coded: Copy + VariantArray + Into<&'static str> + 'static {
    /// The stored name, e.g. `incoming_commitment`.
    fn code(self) -> &'static str {
        self.into()
    }

    /// Every variant, in the order interfaces list them.
    fn all() -> &'static [Self] {
        Self::VARIANTS
    }
}

impl<T: Copy + VariantArray + Into<&'static str> + 'static> Coded for T {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{assets, checks, fx, ledger, medicines, model, money, totals};

    /// The stored name is what serde writes, for every variant of every coded set.
    fn same_as_serde<T: Coded + serde::Serialize>() {
        for v in T::all() {
            let serde_name = serde_json::to_value(v).ok();
            assert_eq!(
                serde_name.as_ref().and_then(|j| j.as_str()),
                Some(v.code()),
                "{}",
                std::any::type_name::<T>()
            );
        }
    }

    macro_rules! each_coded {
        ($($t:ty),* $(,)?) => {
            #[test]
            fn names_are_the_serde_names() {
                $(same_as_serde::<$t>();)*
            }
        };
    }

    each_coded!(
        checks::Severity,
        ledger::RateDateBasis,
        model::SourceKind,
        model::OrgKind,
        model::OrgRole,
        model::Instrument,
        model::ActivityStatus,
        model::ParticipantRole,
        model::GeneratorFuel,
        model::LegalStepKind,
        model::FlowKind,
        model::BudgetKind,
        model::BudgetStatus,
        model::ClaimKind,
        model::FacilityKind,
        model::FacilityStatus,
        model::EquipmentCategory,
        model::PartnershipArea,
        model::ProductKind,
        model::DraftStatus,
        model::RecordKind,
        fx::Frequency,
        fx::RateOrigin,
        money::Qualifier,
        totals::GroupBy,
        crate::error::ProblemId,
        assets::donation::Outcome,
        assets::gaps::Scope,
        assets::gaps::Bound,
        assets::CodeSystem,
        assets::RiskClass,
        assets::Acquisition,
        assets::ReceiptCondition,
        assets::Criticality,
        assets::ContractKind,
        assets::contract::Day,
        assets::contract::Standing,
        assets::contract::SlaStatus,
        assets::parts::PartMovementKind,
        assets::LifecycleState,
        assets::disposal::DisposalMethod,
        assets::disposal::DataWipe,
        assets::DowntimeCause,
        assets::WorkOrderKind,
        assets::WorkOrderStatus,
        assets::Priority,
        assets::PlanKind,
        assets::MeterKind,
        assets::DonationItem,
        assets::Answer,
        assets::kpi::GroupBy,
        assets::kpi::PmStatus,
        medicines::ConsignmentMode,
        medicines::ValueBasis,
        medicines::DestinationKind,
        medicines::DecisionOutcome,
        medicines::MovementKind,
        medicines::stock::ExpiryBand,
        medicines::guidelines::GuidelineRule,
    );

    #[test]
    fn flow_kinds_list_in_declaration_order() {
        assert_eq!(model::FlowKind::all(), &model::FlowKind::ALL);
    }
}
