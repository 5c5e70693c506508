//! The load survey of a facility by tier (life support, critical, essential): its powered
//! assets with the average and peak kW, kVA and starting kVA of their catalogue model, the
//! building loads entered on its `facility_power` record, and every figure nobody stated shown
//! as unknown. Unknown blocks "covered"; it is never summed as 0 (docs/energy.md, "Load
//! survey").

use std::collections::BTreeMap;

use aidtrace_domain::assets::load::{
    BackupCondition, LoadTier, tier_of_generic_type, ua_region_code,
};
use aidtrace_domain::model::{Facility, FacilityStatus};
use aidtrace_domain::{Ledger, RecordId};
use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::energy::{asset_views, powered, region_of};
use crate::{ServiceError, ServiceResult};

/// Where a line of the survey comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    Asset,
    Building,
}

/// Why a line is in its tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TierBasis {
    /// The clinical role of the device's generic type.
    ClinicalRole,
    /// The facility's override for this asset or its type.
    FacilityOverride,
    /// Stated on the building load.
    Stated,
    /// The default of the building load's kind.
    KindDefault,
}

/// One load: an asset or a building load.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoadLine {
    pub origin: Origin,
    /// Asset id, or the building load's kind.
    pub item: String,
    /// Model name, or the building load's description.
    pub what: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generic_type: Option<String>,
    pub tier: LoadTier,
    pub tier_basis: TierBasis,
    pub average_kw: Option<Decimal>,
    pub peak_kw: Option<Decimal>,
    pub kva: Option<Decimal>,
    pub starting_kva: Option<Decimal>,
}

impl LoadLine {
    /// What a set must pick up when this load starts: the inrush if stated, else the running
    /// kVA (a lower bound).
    pub fn step_kva(&self) -> Option<Decimal> {
        self.starting_kva.or(self.kva)
    }
}

/// Whether the existing backup carries the tiers up to and including this one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Coverage {
    Covered,
    /// The known loads alone exceed the usable backup: not covered, whatever the unknowns are.
    Short,
    /// A load or the backup is unknown, or nothing was surveyed.
    Unknown,
}

impl Coverage {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Covered => "covered",
            Self::Short => "short",
            Self::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierSummary {
    pub tier: LoadTier,
    pub lines: usize,
    /// Sum of the stated averages of this tier (a lower bound when `unknown` > 0).
    pub known_average_kw: Decimal,
    pub known_peak_kw: Decimal,
    /// Lines of this tier whose average kW nobody stated.
    pub unknown: usize,
    /// This tier and the more urgent ones on the usable backup.
    pub coverage: Coverage,
    /// kW missing when `coverage` is `short`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub short_kw: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Survey {
    pub facility: String,
    pub name: String,
    pub country: String,
    pub region: String,
    /// ISO 3166-2 code where the region is a known one (Ukraine's oblasts).
    pub region_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub illustrative: Option<String>,
    pub status: Option<FacilityStatus>,
    /// Any powered asset or building load recorded.
    pub surveyed: bool,
    pub lines: Vec<LoadLine>,
    pub tiers: Vec<TierSummary>,
    pub backup_kva: Option<Decimal>,
    pub backup_condition: Option<BackupCondition>,
    /// Backup kW the facility can count on: kVA × power factor × derate ([`generator_kw`])
    /// while working (or condition not recorded), 0 when it needs repair or is absent, unknown
    /// when no kVA is recorded.
    pub usable_backup_kw: Option<Decimal>,
    /// The same set's prime rating, kVA × power factor (not derated; its idle fuel), 0 or
    /// unknown as `usable_backup_kw`.
    pub rated_backup_kw: Option<Decimal>,
    /// The power factor and derate `usable_backup_kw` was counted with.
    pub power_factor: Decimal,
    pub derate: Decimal,
    pub outage_h_per_day: Option<Decimal>,
    /// Largest stated step (starting kVA, else running kVA) of any line.
    pub largest_step_kva: Option<Decimal>,
    /// Lines without any kVA figure (the largest step may be larger than shown).
    pub step_unknown: usize,
    /// Litres the backup's tanks hold (Σ over the supply records that state it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fuel_tank_litres: Option<Decimal>,
    /// Fuel on hand (Σ over the supply records that state it) and the earliest day measured:
    /// `None` is unknown, never 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fuel_on_hand_litres: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fuel_as_of: Option<chrono::NaiveDate>,
}

impl Survey {
    /// Lines whose average kW is unknown.
    pub fn unknown_lines(&self) -> impl Iterator<Item = &LoadLine> {
        self.lines.iter().filter(|l| l.average_kw.is_none())
    }

    /// The facility's coverage through the least urgent tier.
    pub fn coverage(&self) -> Coverage {
        self.tiers.last().map_or(Coverage::Unknown, |t| t.coverage)
    }

    pub fn tier(&self, tier: LoadTier) -> &TierSummary {
        &self.tiers[tier.index()]
    }
}

/// MODEL-v2's default derating: a prime-rated set should average at most 70–80 % of its prime
/// rating (ISO 8528-1), so it is counted at 0.75 × prime kW. The planners' own
/// [`aidtrace_energy::DEFAULT_DERATE`] in exact decimals (a test holds them equal).
pub const DEFAULT_DERATE: Decimal = Decimal::from_parts(75, 0, 0, false, 2);
/// kW per kVA when only an apparent power is known (a common diesel-set rating basis): the
/// planners' [`aidtrace_energy::DEFAULT_POWER_FACTOR`] in exact decimals.
pub const DEFAULT_POWER_FACTOR: Decimal = Decimal::from_parts(8, 0, 0, false, 1);

/// The kW of one generator: its prime rating and what it can carry continuously.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct GeneratorKw {
    /// kVA × power factor: the prime rating (idle fuel is that of this rating).
    pub rated_kw: Decimal,
    /// rated kW × derate: what it can carry continuously, the figure every page, the CLI and
    /// both planners count (MODEL-v2: U_s = derate · P_s).
    pub usable_kw: Decimal,
}

/// The one rule for a generator rated in kVA (docs/energy.md, "Usable kW of a generator"):
/// prime kW = kVA × power factor, usable kW = prime kW × derate. The survey, `energy autonomy`,
/// `/energy` (version 1 from the store) and version 2's `existing_kw` all take the own backup
/// from here; donated units rated in kW use [`usable_of_prime`].
pub fn generator_kw(kva: Decimal, power_factor: Decimal, derate: Decimal) -> GeneratorKw {
    let rated_kw = kva.saturating_mul(power_factor);
    GeneratorKw {
        rated_kw,
        usable_kw: usable_of_prime(rated_kw, derate),
    }
}

/// Usable kW of a unit rated in prime kW: prime kW × derate (the same rule as [`generator_kw`]).
pub fn usable_of_prime(prime_kw: Decimal, derate: Decimal) -> Decimal {
    prime_kw.saturating_mul(derate)
}

/// Asset states at `at`; backup kVA to kW at `power_factor`, derated by `derate`.
#[derive(Debug, Clone, Copy)]
pub struct SurveyOptions {
    pub at: NaiveDateTime,
    pub power_factor: Decimal,
    pub derate: Decimal,
}

impl SurveyOptions {
    pub fn new(at: NaiveDateTime) -> Self {
        SurveyOptions {
            at,
            power_factor: DEFAULT_POWER_FACTOR,
            derate: DEFAULT_DERATE,
        }
    }
}

fn check_power_factor(pf: Decimal, derate: Decimal) -> ServiceResult<()> {
    if !(pf > Decimal::ZERO && pf <= Decimal::ONE) {
        return Err(ServiceError::Parse(format!(
            "power_factor = {pf}: must be in (0, 1]"
        )));
    }
    if !(derate > Decimal::ZERO && derate <= Decimal::ONE) {
        return Err(ServiceError::Parse(format!(
            "derate = {derate}: must be in (0, 1]"
        )));
    }
    Ok(())
}

/// The survey of every facility in the ledger, in id order.
pub fn surveys(ledger: &Ledger, opts: SurveyOptions) -> ServiceResult<Vec<Survey>> {
    check_power_factor(opts.power_factor, opts.derate)?;
    let mut assets: BTreeMap<RecordId, Vec<LoadLine>> = BTreeMap::new();
    for v in asset_views(ledger, opts.at) {
        let model = ledger.device_models.get(&v.asset.model);
        // A generator is a source of power, not a load (units recorded from a plan).
        if !powered(v.state)
            || model.is_some_and(|m| m.generic_type == crate::energy_commit::GENERATOR_TYPE)
        {
            continue;
        }
        let power = model.and_then(|m| m.power.as_ref());
        let generic_type = model.map(|m| m.generic_type.clone());
        let (tier, tier_basis) = asset_tier(ledger, &v.facility, v.asset, generic_type.as_deref());
        assets
            .entry(v.facility.clone())
            .or_default()
            .push(LoadLine {
                origin: Origin::Asset,
                item: v.asset.id.to_string(),
                what: model.map_or_else(|| v.asset.model.to_string(), |m| m.model_name.clone()),
                generic_type,
                tier,
                tier_basis,
                average_kw: power.and_then(|p| p.average_kw),
                peak_kw: power.and_then(|p| p.peak_kw.or(p.active_kw)),
                kva: power.and_then(|p| p.peak_kva),
                starting_kva: power.and_then(|p| p.starting_kva),
            });
    }
    Ok(ledger
        .facilities
        .values()
        .map(|f| survey_of(ledger, f, assets.remove(&f.id).unwrap_or_default(), opts))
        .collect())
}

/// The survey of one facility.
pub fn survey(ledger: &Ledger, facility: &str, opts: SurveyOptions) -> ServiceResult<Survey> {
    let fid = RecordId::parse(facility)
        .map_err(|e| ServiceError::Parse(format!("facility {facility:?}: {e}")))?;
    if !ledger.facilities.contains_key(&fid) {
        return Err(ServiceError::NotFound(format!(
            "facility {facility:?} is not in the store"
        )));
    }
    surveys(ledger, opts)?
        .into_iter()
        .find(|s| s.facility == fid.as_str())
        .ok_or_else(|| ServiceError::NotFound(format!("facility {facility:?} is not in the store")))
}

/// The facility's override for the asset, else for its type, else the clinical role.
fn asset_tier(
    ledger: &Ledger,
    facility: &RecordId,
    asset: &aidtrace_domain::assets::Asset,
    generic_type: Option<&str>,
) -> (LoadTier, TierBasis) {
    let overrides: Vec<_> = ledger
        .facility_power
        .values()
        .filter(|p| &p.facility == facility)
        .flat_map(|p| p.tier_overrides.iter())
        .collect();
    if let Some(o) = overrides
        .iter()
        .find(|o| o.asset.as_ref() == Some(&asset.id))
    {
        return (o.tier, TierBasis::FacilityOverride);
    }
    if let Some(g) = generic_type
        && let Some(o) = overrides
            .iter()
            .find(|o| o.asset.is_none() && o.generic_type.as_deref() == Some(g))
    {
        return (o.tier, TierBasis::FacilityOverride);
    }
    (
        generic_type.map_or(LoadTier::Essential, tier_of_generic_type),
        TierBasis::ClinicalRole,
    )
}

fn survey_of(
    ledger: &Ledger,
    f: &Facility,
    mut lines: Vec<LoadLine>,
    opts: SurveyOptions,
) -> Survey {
    let power: Vec<_> = ledger
        .facility_power
        .values()
        .filter(|p| p.facility == f.id)
        .collect();
    for p in &power {
        for b in &p.building_loads {
            lines.push(LoadLine {
                origin: Origin::Building,
                item: b.kind.as_str().to_string(),
                what: b
                    .description
                    .clone()
                    .unwrap_or_else(|| b.kind.as_str().to_string()),
                generic_type: None,
                tier: b.tier(),
                tier_basis: if b.tier.is_some() {
                    TierBasis::Stated
                } else {
                    TierBasis::KindDefault
                },
                average_kw: b.average_kw,
                peak_kw: b.peak_kw,
                kva: None,
                starting_kva: b.starting_kva,
            });
        }
    }
    lines.sort_by(|a, b| a.tier.cmp(&b.tier).then_with(|| a.item.cmp(&b.item)));
    // Several supply records may exist for one facility (two connections): their backups add.
    let backup_kva = power
        .iter()
        .filter_map(|p| p.backup_kva)
        .fold(None, |acc: Option<Decimal>, v| {
            Some(acc.unwrap_or_default().saturating_add(v))
        });
    // The worst recorded condition decides (a set that needs repair is not counted on).
    let backup_condition =
        power
            .iter()
            .filter_map(|p| p.backup_condition)
            .max_by_key(|c| match c {
                BackupCondition::Working => 0,
                BackupCondition::NeedsRepair => 1,
                BackupCondition::Absent => 2,
            });
    let backup_kw = match backup_condition {
        Some(BackupCondition::NeedsRepair | BackupCondition::Absent) => Some(GeneratorKw {
            rated_kw: Decimal::ZERO,
            usable_kw: Decimal::ZERO,
        }),
        Some(BackupCondition::Working) | None => {
            backup_kva.map(|k| generator_kw(k, opts.power_factor, opts.derate))
        }
    };
    let usable_backup_kw = backup_kw.map(|g| g.usable_kw);
    let rated_backup_kw = backup_kw.map(|g| g.rated_kw);
    let outage_h_per_day = power
        .iter()
        .filter_map(|p| p.typical_outage_hours_per_day)
        .max();
    let fuel: Vec<_> = power.iter().filter_map(|p| p.fuel.as_ref()).collect();
    let add = |acc: Option<Decimal>, v: Decimal| Some(acc.unwrap_or_default().saturating_add(v));
    let fuel_tank_litres = fuel.iter().filter_map(|f| f.tank_litres).fold(None, add);
    let fuel_on_hand_litres = fuel.iter().filter_map(|f| f.on_hand_litres).fold(None, add);
    let fuel_as_of = fuel.iter().filter_map(|f| f.as_of).min();
    let surveyed = !lines.is_empty();
    let tiers = tier_summaries(&lines, usable_backup_kw, surveyed);
    let largest_step_kva = lines.iter().filter_map(LoadLine::step_kva).max();
    let step_unknown = lines.iter().filter(|l| l.step_kva().is_none()).count();
    let region = region_of(f);
    Survey {
        facility: f.id.to_string(),
        name: f.name.clone(),
        country: f.country.to_string(),
        region_code: f
            .region
            .as_deref()
            .and_then(|r| ua_region_code(f.country.as_str(), r))
            .map(str::to_string),
        region,
        illustrative: f.illustrative.clone(),
        status: f.current_status().map(|s| s.status),
        surveyed,
        lines,
        tiers,
        backup_kva,
        backup_condition,
        usable_backup_kw,
        rated_backup_kw,
        power_factor: opts.power_factor,
        derate: opts.derate,
        outage_h_per_day,
        largest_step_kva,
        step_unknown,
        fuel_tank_litres,
        fuel_on_hand_litres,
        fuel_as_of,
    }
}

fn tier_summaries(lines: &[LoadLine], backup: Option<Decimal>, surveyed: bool) -> Vec<TierSummary> {
    let mut cumulative = Decimal::ZERO;
    let mut unknown_so_far = 0;
    LoadTier::ALL
        .into_iter()
        .map(|tier| {
            let mine: Vec<&LoadLine> = lines.iter().filter(|l| l.tier == tier).collect();
            let sum = |pick: fn(&LoadLine) -> Option<Decimal>| {
                mine.iter()
                    .filter_map(|l| pick(l))
                    .fold(Decimal::ZERO, Decimal::saturating_add)
            };
            let known_average_kw = sum(|l| l.average_kw);
            let known_peak_kw = sum(|l| l.peak_kw);
            let unknown = mine.iter().filter(|l| l.average_kw.is_none()).count();
            cumulative = cumulative.saturating_add(known_average_kw);
            unknown_so_far += unknown;
            let (coverage, short_kw) = match backup {
                Some(b) if cumulative > b => (Coverage::Short, Some(cumulative.saturating_sub(b))),
                Some(_) if surveyed && unknown_so_far == 0 => (Coverage::Covered, None),
                _ => (Coverage::Unknown, None),
            };
            TierSummary {
                tier,
                lines: mine.len(),
                known_average_kw,
                known_peak_kw,
                unknown,
                coverage,
                short_kw,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The survey counts in decimals, the planners in floats: one default each way.
    #[test]
    fn the_survey_defaults_are_the_planners() {
        assert_eq!(
            DEFAULT_DERATE.to_string(),
            aidtrace_energy::DEFAULT_DERATE.to_string()
        );
        assert_eq!(
            DEFAULT_POWER_FACTOR.to_string(),
            aidtrace_energy::DEFAULT_POWER_FACTOR.to_string()
        );
    }
}
