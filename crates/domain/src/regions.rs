//! Regional equity: per region of a country, the aid it receives per person (each flow split by
//! its activity's region percentages, converted at the flow's rate), registered devices per
//! million people and its facilities' operating status, ranked, with the national figure
//! beside it. Populations come from `population` records, each with its year and source; a
//! region without one is listed unranked, never given an invented figure.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;
use serde::Serialize;

use crate::assets::Population;
use crate::codes::{CountryCode, CurrencyCode, RecordId};
use crate::fx::RateTable;
use crate::ledger::Ledger;
use crate::model::{Citation, FacilityStatus, Flow, FlowKind};
use crate::scoped_totals::{ScopedTotals, scoped_totals};
use crate::totals::Sum;

const HUNDRED: Decimal = Decimal::ONE_HUNDRED;
const MILLION: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);

/// The population figure a row is divided by, with where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PopulationFigure {
    pub record: RecordId,
    pub population: u64,
    pub year: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub sources: Vec<Citation>,
}

impl From<&Population> for PopulationFigure {
    fn from(p: &Population) -> Self {
        Self {
            record: p.id.clone(),
            population: p.population,
            year: p.year,
            note: p.note.clone(),
            sources: p.sources.clone(),
        }
    }
}

/// How many facilities are in one operating status (`None`: no status recorded).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusCount {
    pub status: Option<FacilityStatus>,
    pub facilities: usize,
}

/// One region (or the whole country, or the part no region is stated for).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegionRow {
    /// The region's name as the records write it; the country's name on the national row.
    pub region: String,
    /// 1 for the most aid per person of the ranking kind; absent without a population.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rank: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub population: Option<PopulationFigure>,
    /// Aid to the region per kind and year, converted.
    pub totals: ScopedTotals,
    /// Converted total of the ranking kind ÷ population (4 decimals); absent without a
    /// population or a converted sum.
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "crate::money::exact_decimal::option"
    )]
    pub per_person: Option<Decimal>,
    /// Per person for every kind the region receives, kinds apart.
    pub per_person_by_kind: Vec<KindPerPerson>,
    pub facilities: Vec<RecordId>,
    pub status: Vec<StatusCount>,
    /// Registered assets at the region's facilities that are not retired.
    pub devices: usize,
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "crate::money::exact_decimal::option"
    )]
    pub devices_per_million: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KindPerPerson {
    pub kind: FlowKind,
    #[serde(with = "crate::money::exact_decimal::option")]
    pub per_person: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegionalEquity {
    pub country: CountryCode,
    pub currency: CurrencyCode,
    /// The kind regions are ranked by.
    pub kind: FlowKind,
    pub national: RegionRow,
    /// Regions, ranked (those without a population last, by name).
    pub regions: Vec<RegionRow>,
    /// Aid to the country that no region is stated for.
    pub unspecified: RegionRow,
}

fn key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// The country share and the region shares of a flow for `country`, from the nearest activity
/// of its lineage that states each.
fn shares(
    ledger: &Ledger,
    flow: &Flow,
    country: &CountryCode,
) -> (Decimal, Vec<(String, Decimal)>) {
    let lineage = ledger.lineage(&flow.activity);
    let national = lineage
        .iter()
        .find(|a| !a.countries.is_empty())
        .map_or(Decimal::ZERO, |a| {
            a.countries
                .iter()
                .filter(|c| &c.country == country)
                .fold(Decimal::ZERO, |s, c| {
                    s.checked_add(c.percentage / HUNDRED).unwrap_or(s)
                })
        });
    let regions = lineage
        .iter()
        .find(|a| !a.regions.is_empty())
        .map(|a| {
            a.regions
                .iter()
                .filter(|r| &r.country == country)
                .map(|r| (r.name.trim().to_string(), r.percentage / HUNDRED))
                .collect()
        })
        .unwrap_or_default();
    (national, regions)
}

/// `value ÷ people × scale`, rounded; `None` without people.
fn per(value: Decimal, people: u64, scale: Decimal, dp: u32) -> Option<Decimal> {
    if people == 0 {
        return None;
    }
    value
        .checked_mul(scale)?
        .checked_div(Decimal::from(people))
        .map(|d| d.round_dp(dp).normalize())
}

struct Acc<'a> {
    name: String,
    parts: Vec<(&'a Flow, Decimal)>,
    facilities: Vec<RecordId>,
    population: Option<&'a Population>,
}

impl<'a> Acc<'a> {
    fn new(name: String) -> Self {
        Self {
            name,
            parts: Vec::new(),
            facilities: Vec::new(),
            population: None,
        }
    }
}

fn latest<'a>(current: Option<&'a Population>, p: &'a Population) -> Option<&'a Population> {
    match current {
        Some(c) if c.year >= p.year => Some(c),
        _ => Some(p),
    }
}

/// Regional equity of `country`, converted into `currency`, ranked by aid per person of `kind`.
pub fn regional_equity(
    ledger: &Ledger,
    rates: &RateTable,
    country: &CountryCode,
    currency: &CurrencyCode,
    kind: FlowKind,
) -> RegionalEquity {
    let mut regions: BTreeMap<String, Acc<'_>> = BTreeMap::new();
    let mut national = Acc::new(country.name().to_string());
    let mut unspecified = Acc::new(String::new());
    for flow in ledger.flows.values() {
        let (whole, parts) = shares(ledger, flow, country);
        let mut placed = Decimal::ZERO;
        for (name, share) in parts {
            placed = placed.checked_add(share).unwrap_or(placed);
            regions
                .entry(key(&name))
                .or_insert_with(|| Acc::new(name))
                .parts
                .push((flow, share));
        }
        if !whole.is_zero() {
            national.parts.push((flow, whole));
        }
        let rest = whole.checked_sub(placed).unwrap_or(Decimal::ZERO);
        if rest > Decimal::ZERO {
            unspecified.parts.push((flow, rest));
        }
    }
    for f in ledger.facilities.values().filter(|f| &f.country == country) {
        national.facilities.push(f.id.clone());
        match &f.region {
            Some(r) if !r.trim().is_empty() => regions
                .entry(key(r))
                .or_insert_with(|| Acc::new(r.trim().to_string()))
                .facilities
                .push(f.id.clone()),
            _ => unspecified.facilities.push(f.id.clone()),
        }
    }
    for p in ledger
        .populations
        .values()
        .filter(|p| &p.country == country)
    {
        match &p.region {
            Some(r) if !r.trim().is_empty() => {
                let acc = regions
                    .entry(key(r))
                    .or_insert_with(|| Acc::new(r.trim().to_string()));
                acc.population = latest(acc.population, p);
            }
            _ => national.population = latest(national.population, p),
        }
    }
    // Each asset's events once, so retired assets are found without a scan per asset.
    let mut retired: HashMap<&RecordId, bool> = HashMap::new();
    for e in ledger.asset_events.values().filter(|e| !e.is_void()) {
        *retired.entry(&e.asset).or_default() |= e.state.is_retired();
    }
    let mut devices: HashMap<&RecordId, usize> = HashMap::new();
    for a in ledger.assets.values() {
        if !retired.get(&a.id).copied().unwrap_or(false) {
            *devices.entry(&a.facility).or_default() += 1;
        }
    }
    let row = |acc: Acc<'_>| -> RegionRow {
        let totals = scoped_totals(ledger, rates, currency, acc.parts);
        let people = acc.population.map(|p| p.population);
        // A region with a population and no flow of the kind received nothing: zero, ranked
        // last rather than left out. A sum that could not be converted has no figure.
        let per_kind = |k: FlowKind| {
            let people = people?;
            match totals.of_kind(k) {
                None => Some(Decimal::ZERO),
                Some(t) => match t.converted? {
                    Sum::Exact(d) => per(d, people, Decimal::ONE, 4),
                    Sum::Overflow => None,
                },
            }
        };
        let per_person_by_kind = totals
            .by_kind
            .iter()
            .map(|t| KindPerPerson {
                kind: t.kind,
                per_person: per_kind(t.kind),
            })
            .collect();
        let mut status: BTreeMap<usize, StatusCount> = BTreeMap::new();
        let mut device_count = 0usize;
        for id in &acc.facilities {
            let Some(f) = ledger.facilities.get(id) else {
                continue;
            };
            let s = f.current_status().map(|c| c.status);
            // Ordered as the enum is, "no status" last.
            status
                .entry(s.map_or(usize::MAX, |s| s as usize))
                .or_insert(StatusCount {
                    status: s,
                    facilities: 0,
                })
                .facilities += 1;
            device_count += devices.get(id).copied().unwrap_or(0);
        }
        RegionRow {
            region: acc.name,
            rank: None,
            population: acc.population.map(PopulationFigure::from),
            per_person: per_kind(kind),
            per_person_by_kind,
            totals,
            facilities: acc.facilities,
            status: status.into_values().collect(),
            devices: device_count,
            devices_per_million: people
                .and_then(|p| per(Decimal::from(device_count), p, MILLION, 2)),
        }
    };
    let mut rows: Vec<RegionRow> = regions.into_values().map(row).collect();
    // Most aid per person first; ties and rows without a figure by name.
    rows.sort_by(|a, b| {
        b.per_person
            .is_some()
            .cmp(&a.per_person.is_some())
            .then(b.per_person.cmp(&a.per_person))
            .then(a.region.cmp(&b.region))
    });
    for (i, r) in rows
        .iter_mut()
        .filter(|r| r.per_person.is_some())
        .enumerate()
    {
        r.rank = Some(i + 1);
    }
    RegionalEquity {
        country: country.clone(),
        currency: currency.clone(),
        kind,
        national: row(national),
        regions: rows,
        unspecified: row(unspecified),
    }
}

/// Columns of the regional equity table, the same in the CLI's CSV and the web page's export.
pub const TABLE_HEADER: [&str; 12] = [
    "rank",
    "region",
    "population",
    "population_year",
    "population_record",
    "kind",
    "converted",
    "currency",
    "per_person",
    "devices",
    "devices_per_million",
    "facilities_by_status",
];

fn status_text(counts: &[StatusCount]) -> String {
    counts
        .iter()
        .map(|c| {
            let name = c.status.map_or("no status", |s| match s {
                FacilityStatus::Operational => "operational",
                FacilityStatus::Damaged => "damaged",
                FacilityStatus::Destroyed => "destroyed",
                FacilityStatus::UnderRepair => "under_repair",
                FacilityStatus::Restored => "restored",
                FacilityStatus::Closed => "closed",
            });
            format!("{name} {}", c.facilities)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

impl RegionalEquity {
    /// The rows: regions ranked, then the part without a region, then the national row.
    pub fn all_rows(&self) -> impl Iterator<Item = (&RegionRow, RowRole)> {
        self.regions
            .iter()
            .map(|r| (r, RowRole::Region))
            .chain(std::iter::once((&self.unspecified, RowRole::Unspecified)))
            .chain(std::iter::once((&self.national, RowRole::National)))
    }

    /// [`TABLE_HEADER`]'s cells for every row (plain, unformatted values).
    pub fn table_rows(&self) -> Vec<Vec<String>> {
        let opt = |d: Option<Decimal>| d.map(|d| d.to_string()).unwrap_or_default();
        self.all_rows()
            .map(|(r, role)| {
                let converted = r
                    .totals
                    .of_kind(self.kind)
                    .and_then(|t| t.converted)
                    .map(|s| s.to_string())
                    .unwrap_or_default();
                vec![
                    r.rank.map(|n| n.to_string()).unwrap_or_default(),
                    match role {
                        RowRole::Region => r.region.clone(),
                        RowRole::Unspecified => "(no region stated)".to_string(),
                        RowRole::National => format!("{} (national)", r.region),
                    },
                    r.population
                        .as_ref()
                        .map(|p| p.population.to_string())
                        .unwrap_or_default(),
                    r.population
                        .as_ref()
                        .map(|p| p.year.to_string())
                        .unwrap_or_default(),
                    r.population
                        .as_ref()
                        .map(|p| p.record.to_string())
                        .unwrap_or_default(),
                    self.kind.as_str().to_string(),
                    converted,
                    self.currency.to_string(),
                    opt(r.per_person),
                    r.devices.to_string(),
                    opt(r.devices_per_million),
                    status_text(&r.status),
                ]
            })
            .collect()
    }
}

/// Which kind of row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowRole {
    Region,
    Unspecified,
    National,
}
