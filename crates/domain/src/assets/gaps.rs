//! Essential-equipment gaps per facility and region, and equipment density per million
//! population by region next to national and reference figures.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::LifecycleState;
use super::kpi::Fleet;
use super::lifecycle::state_at;
use crate::ValidationError;
use crate::codes::RecordId;
use crate::error::ProblemId;

/// An asset counts towards a standard while it is at the facility and usable or repairable.
fn present(state: Option<LifecycleState>) -> bool {
    matches!(
        state,
        Some(
            LifecycleState::Installed
                | LifecycleState::Commissioned
                | LifecycleState::InService
                | LifecycleState::Down
                | LifecycleState::UnderRepair
        )
    )
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gap {
    pub facility: RecordId,
    pub region: String,
    pub generic_type: String,
    pub required: u32,
    pub present: u32,
    pub functional: u32,
    /// required − functional, at least 0.
    pub gap: u32,
}

/// Every facility against the standards for its kind, at `at`.
pub fn gaps(fleet: &Fleet<'_>, at: NaiveDateTime) -> Vec<Gap> {
    let ledger = fleet.ledger;
    // Each asset counts where it was at `at` (dated location), not where it is now.
    let mut here: std::collections::HashMap<RecordId, Vec<usize>> = Default::default();
    for i in 0..fleet.assets.len() {
        here.entry(fleet.facility_at(i, at)).or_default().push(i);
    }
    let mut out = Vec::new();
    for facility in ledger.facilities.values() {
        for std in ledger
            .equipment_standards
            .values()
            .filter(|s| s.facility_kind == facility.kind)
        {
            let (mut have, mut working) = (0u32, 0u32);
            for &i in here.get(&facility.id).map_or(&[][..], Vec::as_slice) {
                let model = ledger.device_models.get(&fleet.assets[i].model);
                if model.is_none_or(|m| m.generic_type != std.generic_type) {
                    continue;
                }
                let state = state_at(&fleet.histories[i].events, at);
                if present(state) {
                    have += 1;
                }
                let h = &fleet.histories[i];
                if super::history::functional_at(&h.events, &h.episodes, at) {
                    working += 1;
                }
            }
            out.push(Gap {
                facility: facility.id.clone(),
                region: facility
                    .region
                    .clone()
                    .unwrap_or_else(|| "unknown region".to_string()),
                generic_type: std.generic_type.clone(),
                required: std.min_quantity,
                present: have,
                functional: working,
                gap: std.min_quantity.saturating_sub(working),
            });
        }
    }
    out
}

/// The facility gaps of one region and device type added up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegionGap {
    pub region: String,
    pub generic_type: String,
    /// Facilities with a standard for this type.
    pub facilities: u32,
    pub required: u32,
    pub present: u32,
    pub functional: u32,
    /// The sum of the facilities' gaps: a surplus at one facility does not fill another's gap.
    pub gap: u32,
}

/// Per region and generic type, ordered by region then type.
pub fn region_gaps(gaps: &[Gap]) -> Vec<RegionGap> {
    let mut out: BTreeMap<(&str, &str), RegionGap> = BTreeMap::new();
    for g in gaps {
        let r = out
            .entry((g.region.as_str(), g.generic_type.as_str()))
            .or_insert_with(|| RegionGap {
                region: g.region.clone(),
                generic_type: g.generic_type.clone(),
                facilities: 0,
                required: 0,
                present: 0,
                functional: 0,
                gap: 0,
            });
        r.facilities += 1;
        r.required = r.required.saturating_add(g.required);
        r.present = r.present.saturating_add(g.present);
        r.functional = r.functional.saturating_add(g.functional);
        r.gap = r.gap.saturating_add(g.gap);
    }
    out.into_values().collect()
}

/// What a density counts, shown beside every density table so nobody reads it as a census.
pub const DENSITY_COUNTS: &str = "Units = devices registered in aidtrace whose facility is in the \
area and whose state at the date is installed, commissioned, in service, down or under repair \
(in storage, planned, in transit and retired devices are not counted; devices missing from the \
register are not counted, so a figure is a floor where the register is incomplete). Population = \
the population record of the area for the latest year not after the date (else the earliest); the \
national figure uses the country's record without a region, never a sum of regions.";

/// Which area a density row covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Scope {
    National,
    Region,
    /// Devices at facilities that record no region: counted nationally, shown apart.
    NoRegion,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Density {
    pub country: String,
    pub scope: Scope,
    /// The region for `Scope::Region`, else `None`.
    pub region: Option<String>,
    pub generic_type: String,
    pub units: u64,
    /// The assets counted, so every figure leads back to its records.
    pub assets: Vec<RecordId>,
    pub population: Option<u64>,
    pub population_year: Option<u16>,
    pub population_record: Option<RecordId>,
    pub per_million: Option<Decimal>,
    /// Why `per_million` is empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_density: Option<String>,
}

/// Units present at `at` per million population, for every country with registered assets:
/// per generic type, the national figure, every region that has a population record or a
/// facility with assets (with zero units when it has none of that type), and the devices at
/// facilities without a region. Types are those of the country's registered assets in any state.
pub fn density(fleet: &Fleet<'_>, at: NaiveDateTime) -> Vec<Density> {
    let ledger = fleet.ledger;
    let mut types: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut regions: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut without_region: BTreeSet<String> = BTreeSet::new();
    let mut counted: BTreeMap<(String, Scope, Option<String>, String), Vec<RecordId>> =
        BTreeMap::new();
    for (i, asset) in fleet.assets.iter().enumerate() {
        let (Some(f), Some(m)) = (
            ledger.facilities.get(&fleet.facility_at(i, at)),
            ledger.device_models.get(&asset.model),
        ) else {
            continue;
        };
        let country = f.country.to_string();
        types
            .entry(country.clone())
            .or_default()
            .insert(m.generic_type.clone());
        match &f.region {
            Some(r) => drop(
                regions
                    .entry(country.clone())
                    .or_default()
                    .insert(r.clone()),
            ),
            None => drop(without_region.insert(country.clone())),
        }
        if !present(state_at(&fleet.histories[i].events, at)) {
            continue;
        }
        let scope = if f.region.is_some() {
            Scope::Region
        } else {
            Scope::NoRegion
        };
        for key in [
            (
                country.clone(),
                Scope::National,
                None,
                m.generic_type.clone(),
            ),
            (
                country.clone(),
                scope,
                f.region.clone(),
                m.generic_type.clone(),
            ),
        ] {
            counted.entry(key).or_default().push(asset.id.clone());
        }
    }
    for p in ledger.populations.values() {
        if let Some(r) = &p.region
            && types.contains_key(p.country.as_str())
        {
            regions
                .entry(p.country.to_string())
                .or_default()
                .insert(r.clone());
        }
    }
    let year = u16::try_from(chrono::Datelike::year(&at)).unwrap_or(u16::MAX);
    let mut out = Vec::new();
    for (country, kinds) in &types {
        let mut areas: Vec<(Scope, Option<String>)> = vec![(Scope::National, None)];
        areas.extend(
            regions
                .get(country)
                .into_iter()
                .flatten()
                .map(|r| (Scope::Region, Some(r.clone()))),
        );
        if without_region.contains(country) {
            areas.push((Scope::NoRegion, None));
        }
        for generic_type in kinds {
            for (scope, region) in &areas {
                let key = (
                    country.clone(),
                    *scope,
                    region.clone(),
                    generic_type.clone(),
                );
                let assets = counted.get(&key).cloned().unwrap_or_default();
                out.push(density_row(
                    ledger,
                    country,
                    *scope,
                    region.as_deref(),
                    generic_type,
                    assets,
                    year,
                ));
            }
        }
    }
    out
}

fn density_row(
    ledger: &crate::Ledger,
    country: &str,
    scope: Scope,
    region: Option<&str>,
    generic_type: &str,
    assets: Vec<RecordId>,
    year: u16,
) -> Density {
    let units = assets.len() as u64;
    let mut row = Density {
        country: country.to_string(),
        scope,
        region: region.map(str::to_string),
        generic_type: generic_type.to_string(),
        units,
        assets,
        population: None,
        population_year: None,
        population_record: None,
        per_million: None,
        no_density: None,
    };
    if scope == Scope::NoRegion {
        row.no_density = Some("the facilities record no region, so no population applies".into());
        return row;
    }
    let records: Vec<&super::Population> = ledger
        .populations
        .values()
        .filter(|p| p.country.as_str() == country && p.region.as_deref() == region)
        .collect();
    let chosen = records
        .iter()
        .filter(|p| p.year <= year)
        .max_by_key(|p| p.year)
        .or_else(|| records.iter().min_by_key(|p| p.year));
    let Some(p) = chosen else {
        row.no_density = Some(match region {
            Some(r) => format!("no population record for {country}, region {r:?}"),
            None => format!("no population record for {country} without a region (national)"),
        });
        return row;
    };
    row.population = Some(p.population);
    row.population_year = Some(p.year);
    row.population_record = Some(p.id.clone());
    // A zero population is refused on write, but a density must never divide by it.
    row.per_million = (Decimal::from(units) * Decimal::from(1_000_000))
        .checked_div(Decimal::from(p.population))
        .map(|d| d.round_dp(2));
    if row.per_million.is_none() {
        row.no_density = Some(format!("population record {} gives 0 people", p.id));
    }
    row
}

/// How a published figure relates to the value: the sources say "about 1", "more than 44".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Bound {
    Equal,
    About,
    MoreThan,
    LessThan,
}

impl Bound {
    /// The serde default of a user-supplied figure.
    pub fn equal() -> Self {
        Self::Equal
    }

    pub const ALL: [Bound; 4] = [Self::Equal, Self::About, Self::MoreThan, Self::LessThan];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Equal => "equal",
            Self::About => "about",
            Self::MoreThan => "more_than",
            Self::LessThan => "less_than",
        }
    }

    /// The sign written before the figure.
    pub fn sign(self) -> &'static str {
        match self {
            Self::Equal => "",
            Self::About => "≈ ",
            Self::MoreThan => "> ",
            Self::LessThan => "< ",
        }
    }
}

/// Years a published figure may carry.
pub const YEARS: std::ops::RangeInclusive<u16> = 1900..=2100;

/// aidtrace's generic device types are keys such as `ct_scanner`.
pub fn is_generic_type(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A published density (units per million population) of a device type in an area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReferenceDensity {
    pub generic_type: String,
    pub area: String,
    pub bound: Bound,
    pub per_million: Decimal,
    pub year: u16,
    /// Last year when the figure covers several.
    pub year_to: Option<u16>,
    /// Empty when a user-supplied figure cites a source without an address.
    pub source_url: String,
    pub source_title: String,
    /// The `density_reference` record of a user-supplied figure; `None` for shipped ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<RecordId>,
}

/// The user-supplied figures of the ledger, each with the title and address of the first source
/// it cites.
pub fn record_references(ledger: &crate::Ledger) -> Vec<ReferenceDensity> {
    ledger
        .density_references
        .values()
        .map(|r| {
            let source = r
                .sources
                .first()
                .and_then(|c| ledger.sources.get(&c.source));
            ReferenceDensity {
                generic_type: r.generic_type.clone(),
                area: r.area.clone(),
                bound: r.bound,
                per_million: r.per_million,
                year: r.year,
                year_to: r.year_to,
                source_url: source.and_then(|s| s.url.clone()).unwrap_or_default(),
                source_title: source.map_or_else(
                    || {
                        r.sources
                            .first()
                            .map(|c| c.source.to_string())
                            .unwrap_or_default()
                    },
                    |s| s.title.clone(),
                ),
                record: Some(r.id.clone()),
            }
        })
        .collect()
}

impl ReferenceDensity {
    /// `2020` or `2011–2012`.
    pub fn years(&self) -> String {
        match self.year_to {
            Some(to) => format!("{}–{to}", self.year),
            None => self.year.to_string(),
        }
    }

    /// `≈ 1`, `> 44`, `23.6`.
    pub fn figure(&self) -> String {
        format!("{}{}", self.bound.sign(), self.per_million)
    }
}

/// The figures shipped with aidtrace (`data/device_density_reference.csv`; sources in
/// `data/README.md`).
const SHIPPED_REFERENCES: &str = include_str!("../../data/device_density_reference.csv");

pub fn shipped_references() -> Result<Vec<ReferenceDensity>, ValidationError> {
    parse_references(SHIPPED_REFERENCES)
}

/// Reads reference figures from CSV with the header
/// `generic_type,area,bound,per_million,year,source_url,source_title`; `year` is `2020` or
/// `2011-2012`. Errors name the line, the field and the value.
pub fn parse_references(text: &str) -> Result<Vec<ReferenceDensity>, ValidationError> {
    const HEADER: [&str; 7] = [
        "generic_type",
        "area",
        "bound",
        "per_million",
        "year",
        "source_url",
        "source_title",
    ];
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| {
        ValidationError::new("line 1", "", format!("unreadable CSV header: {e}"))
            .because(ProblemId::UnreadableCsv)
    })?;
    if header.iter().collect::<Vec<_>>() != HEADER {
        return Err(ValidationError::new(
            "line 1",
            header.iter().collect::<Vec<_>>().join(","),
            format!("the header must be {}", HEADER.join(",")),
        )
        .because(ProblemId::ExpectedColumns)
        .with_text("columns", HEADER.join(",")));
    }
    let mut out = Vec::new();
    for (n, row) in reader.records().enumerate() {
        let line = n + 2;
        let row = row.map_err(|e| {
            ValidationError::new(
                format!("line {line}"),
                "",
                format!("unreadable CSV row: {e}"),
            )
            .because(ProblemId::UnreadableCsv)
        })?;
        let cell = |i: usize| row.get(i).unwrap_or("").trim();
        let bad = |i: usize, msg: &str, id: ProblemId| {
            ValidationError::new(format!("line {line}: {}", HEADER[i]), cell(i), msg).because(id)
        };
        let generic_type = cell(0);
        if !is_generic_type(generic_type) {
            return Err(bad(
                0,
                "a generic type is lower-case letters, digits and _",
                ProblemId::GenericTypeFormat,
            ));
        }
        if cell(1).is_empty() {
            return Err(bad(1, "the area is required", ProblemId::Empty));
        }
        let bound = Bound::ALL
            .into_iter()
            .find(|b| b.as_str() == cell(2))
            .ok_or_else(|| {
                bad(
                    2,
                    "must be one of equal, about, more_than, less_than",
                    ProblemId::UnknownChoice,
                )
                .with_text("expected", "equal, about, more_than, less_than")
            })?;
        let per_million: Decimal = cell(3)
            .parse()
            .ok()
            .filter(|d: &Decimal| !d.is_sign_negative())
            .ok_or_else(|| {
                bad(
                    3,
                    "must be a number of units per million, at least 0",
                    ProblemId::PerMillion,
                )
            })?;
        let year_of = |s: &str| s.parse::<u16>().ok().filter(|y| YEARS.contains(y));
        let (year, year_to) = match cell(4).split_once('-') {
            None => (year_of(cell(4)), None),
            Some((a, b)) => (year_of(a), Some(year_of(b))),
        };
        let (year, year_to) = match (year, year_to) {
            (Some(y), None) => (y, None),
            (Some(y), Some(Some(to))) if to > y => (y, Some(to)),
            _ => {
                return Err(bad(
                    4,
                    "must be a year (2020) or a range of years (2011-2012)",
                    ProblemId::YearOrRange,
                ));
            }
        };
        if !(cell(5).starts_with("https://") || cell(5).starts_with("http://")) {
            return Err(bad(
                5,
                "the source must be an http(s) address",
                ProblemId::NotAWebAddress,
            ));
        }
        if cell(6).is_empty() {
            return Err(bad(6, "the source title is required", ProblemId::Empty));
        }
        out.push(ReferenceDensity {
            generic_type: generic_type.to_string(),
            area: cell(1).to_string(),
            bound,
            per_million,
            year,
            year_to,
            source_url: cell(5).to_string(),
            source_title: cell(6).to_string(),
            record: None,
        });
    }
    Ok(out)
}
