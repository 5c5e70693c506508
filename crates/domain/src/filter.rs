//! One filter for every view of the money: the dashboard, the totals report, the activity and
//! flow lists, their exports, `/api/v1/reports/totals` and `aidtrace report totals`. It is parsed
//! once from `name=value` pairs (a query string, or the CLI's flags put in the same form), each
//! refused value named with its field, and applied by [`crate::totals`] so a filtered figure
//! follows the same rules as an unfiltered one.
//!
//! Flow-level conditions (years, donor, facility, flow kind, activity status, instrument) keep or
//! drop a whole flow. Recipient country, region and sector are percentages of an activity, so they
//! keep the matching part of a flow: a flow split 60 % Kazakhstan / 40 % Ukraine counts for 60 %
//! of its amount under `recipient=KZ`, and each grouping still adds up to the filtered whole.

use chrono::Datelike;
use rust_decimal::Decimal;
use serde::Serialize;
use serde::de::IntoDeserializer;

use crate::codes::{CountryCode, CurrencyCode, RecordId};
use crate::fx::RateTable;
use crate::ledger::Ledger;
use crate::model::{Activity, ActivityStatus, Flow, FlowKind, Instrument, ParticipantRole};

/// A sector condition: one DAC purpose code (5 digits, `12191`) or a DAC category (3 digits,
/// `121`, every code that starts with it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SectorFilter(String);

impl SectorFilter {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn matches(&self, code: &str) -> bool {
        code.starts_with(&self.0)
    }
}

/// A region condition: the region's name, optionally after its country (`KZ:Abai`, or `Abai`
/// in any country). Names compare without regard to case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegionFilter {
    pub country: Option<CountryCode>,
    pub name: String,
}

impl RegionFilter {
    pub fn matches(&self, country: &CountryCode, name: &str) -> bool {
        self.country.as_ref().is_none_or(|c| c == country)
            && name.trim().to_lowercase() == self.name
    }
}

/// The conditions applied to flows, and the currency totals are shown in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Filter {
    /// First year of the value date (inclusive).
    pub year_from: Option<i32>,
    /// Last year of the value date (inclusive).
    pub year_to: Option<i32>,
    /// The donor: the provider of the money (of the first flow of a chain), or the activity's
    /// funding participant.
    pub donor: Option<RecordId>,
    /// Whether a donor includes the agencies under it (JICA under the Government of Japan), and
    /// whether totals by donor are given per top organisation (true) or per agency (false).
    pub agencies: bool,
    pub recipient: Option<CountryCode>,
    pub region: Option<RegionFilter>,
    pub sector: Option<SectorFilter>,
    pub facility: Option<RecordId>,
    pub kind: Option<FlowKind>,
    pub status: Option<ActivityStatus>,
    pub instrument: Option<Instrument>,
    /// Currency of the converted figures.
    pub currency: CurrencyCode,
}

impl Default for Filter {
    fn default() -> Self {
        Self {
            year_from: None,
            year_to: None,
            donor: None,
            agencies: true,
            recipient: None,
            region: None,
            sector: None,
            facility: None,
            kind: None,
            status: None,
            instrument: None,
            currency: CurrencyCode::usd(),
        }
    }
}

/// What is wrong with a filter value. Each has a message id, so pages say it in the reader's
/// language, and an English sentence for the API and the CLI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterProblem {
    NotAYear,
    YearsReversed,
    NotAnId,
    NotYesOrNo,
    NotACountry,
    NotARegion,
    NotASector,
    NotACurrency,
    NoRates,
    /// Not one of the values the field takes (listed).
    NotOneOf(Vec<&'static str>),
    NoSuchDonor,
    NoSuchFacility,
    Repeated,
    UnknownParameter,
}

impl FilterProblem {
    /// The message catalogue key of the problem.
    pub fn message_id(&self) -> &'static str {
        match self {
            Self::NotAYear => "filter-err-year",
            Self::YearsReversed => "filter-err-years-reversed",
            Self::NotAnId => "filter-err-id",
            Self::NotYesOrNo => "filter-err-yes-no",
            Self::NotACountry => "filter-err-country",
            Self::NotARegion => "filter-err-region",
            Self::NotASector => "filter-err-sector",
            Self::NotACurrency => "filter-err-currency",
            Self::NoRates => "filter-err-no-rates",
            Self::NotOneOf(_) => "filter-err-not-one-of",
            Self::NoSuchDonor => "filter-err-no-donor",
            Self::NoSuchFacility => "filter-err-no-facility",
            Self::Repeated => "filter-err-repeated",
            Self::UnknownParameter => "filter-err-unknown",
        }
    }

    pub fn english(&self) -> String {
        match self {
            Self::NotAYear => "not a year from 1900 to 2200".into(),
            Self::YearsReversed => "the first year is after the last year".into(),
            Self::NotAnId => "not a record id (1-200 letters, digits, '-', '_', '.', ':')".into(),
            Self::NotYesOrNo => "not yes or no (true, false, 1, 0)".into(),
            Self::NotACountry => "not an ISO 3166-1 alpha-2 country code (e.g. KZ, UA)".into(),
            Self::NotARegion => "not a region name (e.g. Abai, or KZ:Abai)".into(),
            Self::NotASector => {
                "not a DAC sector: a 5-digit purpose code (12191) or a 3-digit category (121)"
                    .into()
            }
            Self::NotACurrency => "not an ISO 4217 currency code (e.g. USD, EUR, JPY)".into(),
            Self::NoRates => "no exchange rates for this currency".into(),
            Self::NotOneOf(list) => format!("not one of {}", list.join(", ")),
            Self::NoSuchDonor => "no organisation with this id".into(),
            Self::NoSuchFacility => "no facility with this id".into(),
            Self::Repeated => "given more than once".into(),
            Self::UnknownParameter => "not a parameter of this page".into(),
        }
    }

    /// The values a `NotOneOf` field takes, for messages in other languages.
    pub fn allowed(&self) -> String {
        match self {
            Self::NotOneOf(list) => list.join(", "),
            _ => String::new(),
        }
    }
}

/// A refused filter value: which parameter, what was given, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}={value:?}: {}", problem.english())]
pub struct FilterError {
    pub field: String,
    pub value: String,
    pub problem: FilterProblem,
}

impl FilterError {
    fn new(field: &str, value: &str, problem: FilterProblem) -> Self {
        Self {
            field: field.to_string(),
            value: value.to_string(),
            problem,
        }
    }
}

impl From<FilterError> for crate::ValidationError {
    fn from(e: FilterError) -> Self {
        Self::new(e.field, e.value, e.problem.english())
    }
}

/// The parameter names the filter reads, in the order forms and links list them.
pub const PARAMS: [&str; 12] = [
    "year_from",
    "year_to",
    "donor",
    "agencies",
    "recipient",
    "region",
    "sector",
    "facility",
    "kind",
    "status",
    "instrument",
    "currency",
];

/// The stored names of a unit enum's variants, read through serde so they are the names the
/// JSON and the forms use.
fn parse_enum<T: serde::de::DeserializeOwned>(raw: &str) -> Option<T> {
    T::deserialize(raw.into_deserializer())
        .map_err(|_: serde::de::value::Error| ())
        .ok()
}

pub const STATUSES: [&str; 6] = [
    "pipeline",
    "implementation",
    "finalisation",
    "closed",
    "cancelled",
    "suspended",
];

pub const INSTRUMENTS: [&str; 8] = [
    "grant_aid",
    "grassroots_grant",
    "technical_cooperation",
    "training_exchange",
    "loan",
    "in_kind",
    "budget_support",
    "other",
];

fn year(field: &str, raw: &str) -> Result<i32, FilterError> {
    raw.parse::<i32>()
        .ok()
        .filter(|y| (1900..=2200).contains(y))
        .ok_or_else(|| FilterError::new(field, raw, FilterProblem::NotAYear))
}

impl Filter {
    /// Reads the filter from `name=value` pairs. Empty values mean "any" (a form's blank choice);
    /// names in `other` belong to the page (paging, sorting, language) and are skipped; any other
    /// name is refused, so a misspelt parameter is never silently ignored.
    pub fn parse<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
        other: &[&str],
    ) -> Result<Self, FilterError> {
        let mut f = Self::default();
        let mut seen: Vec<&str> = Vec::new();
        for (name, raw) in pairs {
            if other.contains(&name) {
                continue;
            }
            let Some(param) = PARAMS.iter().find(|p| **p == name) else {
                return Err(FilterError::new(name, raw, FilterProblem::UnknownParameter));
            };
            if seen.contains(param) {
                return Err(FilterError::new(name, raw, FilterProblem::Repeated));
            }
            seen.push(param);
            let v = raw.trim();
            if v.is_empty() {
                continue;
            }
            let bad = |p: FilterProblem| FilterError::new(name, raw, p);
            match name {
                "year_from" => f.year_from = Some(year(name, v)?),
                "year_to" => f.year_to = Some(year(name, v)?),
                "donor" => {
                    f.donor = Some(RecordId::parse(v).map_err(|_| bad(FilterProblem::NotAnId))?);
                }
                "agencies" => {
                    f.agencies = match v {
                        "true" | "1" | "yes" | "on" => true,
                        "false" | "0" | "no" | "off" => false,
                        _ => return Err(bad(FilterProblem::NotYesOrNo)),
                    };
                }
                // By code or name, as the entry forms take them ("KZ", "kazakhstan",
                // "Казахстан"); links carry the code.
                "recipient" => {
                    f.recipient =
                        Some(CountryCode::lookup(v).map_err(|_| bad(FilterProblem::NotACountry))?);
                }
                "region" => {
                    f.region = Some(region(v).ok_or_else(|| bad(FilterProblem::NotARegion))?)
                }
                "sector" => {
                    let ok =
                        (v.len() == 3 || v.len() == 5) && v.bytes().all(|b| b.is_ascii_digit());
                    if !ok {
                        return Err(bad(FilterProblem::NotASector));
                    }
                    f.sector = Some(SectorFilter(v.to_string()));
                }
                "facility" => {
                    f.facility = Some(RecordId::parse(v).map_err(|_| bad(FilterProblem::NotAnId))?);
                }
                "kind" => {
                    f.kind = Some(
                        FlowKind::ALL
                            .into_iter()
                            .find(|k| k.as_str() == v)
                            .ok_or_else(|| {
                                bad(FilterProblem::NotOneOf(
                                    FlowKind::ALL.map(FlowKind::as_str).to_vec(),
                                ))
                            })?,
                    );
                }
                "status" => {
                    f.status = Some(
                        parse_enum(v)
                            .ok_or_else(|| bad(FilterProblem::NotOneOf(STATUSES.to_vec())))?,
                    );
                }
                "instrument" => {
                    f.instrument = Some(
                        parse_enum(v)
                            .ok_or_else(|| bad(FilterProblem::NotOneOf(INSTRUMENTS.to_vec())))?,
                    );
                }
                "currency" => {
                    f.currency =
                        CurrencyCode::lookup(v).map_err(|_| bad(FilterProblem::NotACurrency))?;
                }
                _ => {}
            }
        }
        if let (Some(a), Some(b)) = (f.year_from, f.year_to)
            && a > b
        {
            return Err(FilterError::new(
                "year_from",
                &a.to_string(),
                FilterProblem::YearsReversed,
            ));
        }
        Ok(f)
    }

    /// Checks what the ledger and the rates must hold: the donor and the facility exist, and the
    /// currency has rates (dollars always do).
    pub fn check(&self, ledger: &Ledger, rates: &RateTable) -> Result<(), FilterError> {
        if let Some(d) = &self.donor
            && !ledger.organisations.contains_key(d)
        {
            return Err(FilterError::new(
                "donor",
                d.as_str(),
                FilterProblem::NoSuchDonor,
            ));
        }
        if let Some(d) = &self.facility
            && !ledger.facilities.contains_key(d)
        {
            return Err(FilterError::new(
                "facility",
                d.as_str(),
                FilterProblem::NoSuchFacility,
            ));
        }
        if self.currency != CurrencyCode::usd() && rates.latest_date(&self.currency).is_none() {
            return Err(FilterError::new(
                "currency",
                self.currency.as_str(),
                FilterProblem::NoRates,
            ));
        }
        Ok(())
    }

    /// The filter as `name=value` pairs, only those that differ from the default (what a link
    /// or a form carries, so a shared address is short).
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let mut put = |k: &'static str, v: Option<String>| {
            if let Some(v) = v {
                out.push((k, v));
            }
        };
        put("year_from", self.year_from.map(|y| y.to_string()));
        put("year_to", self.year_to.map(|y| y.to_string()));
        put("donor", self.donor.as_ref().map(ToString::to_string));
        put("agencies", (!self.agencies).then(|| "false".to_string()));
        put(
            "recipient",
            self.recipient.as_ref().map(ToString::to_string),
        );
        put(
            "region",
            self.region.as_ref().map(|r| match &r.country {
                Some(c) => format!("{c}:{}", r.name),
                None => r.name.clone(),
            }),
        );
        put("sector", self.sector.as_ref().map(|s| s.0.clone()));
        put("facility", self.facility.as_ref().map(ToString::to_string));
        put("kind", self.kind.map(|k| k.as_str().to_string()));
        put("status", self.status.map(|s| enum_text(&s)));
        put("instrument", self.instrument.map(|s| enum_text(&s)));
        put(
            "currency",
            (self.currency != CurrencyCode::usd()).then(|| self.currency.to_string()),
        );
        out
    }

    /// True when nothing but the currency is set.
    pub fn is_everything(&self) -> bool {
        Self {
            currency: self.currency.clone(),
            ..Self::default()
        } == *self
    }

    /// The organisation a flow's money comes from: the provider of the first flow of its chain,
    /// or the funding participant of its activity (or the nearest ancestor that names one).
    pub fn donor_of<'a>(ledger: &'a Ledger, flow: &'a Flow) -> Option<&'a RecordId> {
        ledger.root_flow(flow).provider.as_ref().or_else(|| {
            ledger.lineage(&flow.activity).into_iter().find_map(|a| {
                a.participants
                    .iter()
                    .find(|p| p.role == ParticipantRole::Funding)
                    .map(|p| &p.org)
            })
        })
    }

    fn donor_matches(&self, ledger: &Ledger, flow: &Flow) -> bool {
        match Self::donor_of(ledger, flow) {
            Some(org) => self.is_the_donor(ledger, org),
            None => self.donor.is_none(),
        }
    }

    /// Whether `org` is the filter's donor, or (with agencies) one of its agencies at any depth;
    /// true when the filter names no donor.
    fn is_the_donor<'a>(&self, ledger: &'a Ledger, mut org: &'a RecordId) -> bool {
        let Some(want) = &self.donor else {
            return true;
        };
        if !self.agencies {
            return org == want;
        }
        // The donor or any organisation above it (cycle-safe: the chain is walked at most once
        // per organisation).
        for _ in 0..=ledger.organisations.len() {
            if org == want {
                return true;
            }
            match ledger
                .organisations
                .get(org)
                .and_then(|o| o.parent.as_ref())
            {
                Some(parent) => org = parent,
                None => return false,
            }
        }
        false
    }

    /// Whether the conditions that keep or drop a whole flow hold (years, donor, facility, kind,
    /// activity status, instrument).
    pub fn keeps_flow(&self, ledger: &Ledger, flow: &Flow) -> bool {
        if self.kind.is_some_and(|k| k != flow.kind) {
            return false;
        }
        if self.year_from.is_some() || self.year_to.is_some() {
            let Some(y) = flow.money.value_date.map(|d| d.year()) else {
                return false;
            };
            if self.year_from.is_some_and(|f| y < f) || self.year_to.is_some_and(|t| y > t) {
                return false;
            }
        }
        if self.status.is_some() || self.instrument.is_some() {
            let Some(a) = ledger.activities.get(&flow.activity) else {
                return false;
            };
            if self.status.is_some_and(|s| s != a.status)
                || self.instrument.is_some_and(|i| i != a.instrument)
            {
                return false;
            }
        }
        if let Some(want) = &self.facility {
            let lineage = ledger.lineage(&flow.activity);
            let listed = lineage
                .iter()
                .find(|a| !a.facilities.is_empty())
                .is_some_and(|a| a.facilities.contains(want));
            if !listed {
                return false;
            }
        }
        self.donor_matches(ledger, flow)
    }

    /// The part of a flow the percentage conditions keep (recipient, region, sector), as a
    /// fraction; `skip` leaves one dimension out because the grouping applies it itself. `None`
    /// when the fractions overflow (percentages far beyond 100 in bad data).
    pub fn fraction(&self, ledger: &Ledger, flow: &Flow, skip: Option<Split>) -> Option<Decimal> {
        let lineage = ledger.lineage(&flow.activity);
        let mut part = Decimal::ONE;
        for split in [Split::Recipient, Split::Region, Split::Sector] {
            if skip == Some(split) || !self.restricts(split) {
                continue;
            }
            let kept = split_shares(&lineage, split)
                .into_iter()
                .filter(|s| self.keeps_share(s))
                .try_fold(Decimal::ZERO, |acc, s| acc.checked_add(s.fraction()?))?;
            part = part.checked_mul(kept)?;
        }
        Some(part)
    }

    /// Whether a percentage dimension is restricted.
    pub fn restricts(&self, split: Split) -> bool {
        match split {
            Split::Recipient => self.recipient.is_some(),
            Split::Region => self.region.is_some(),
            Split::Sector => self.sector.is_some(),
        }
    }

    /// Whether one percentage entry of an activity passes the condition on its dimension.
    pub fn keeps_share(&self, share: &Share<'_>) -> bool {
        match share {
            Share::Country(c, _) => self.recipient.as_ref().is_none_or(|r| r == *c),
            Share::Region(c, n, _) => self.region.as_ref().is_none_or(|r| r.matches(c, n)),
            Share::Sector(code, _) => self.sector.as_ref().is_none_or(|s| s.matches(code)),
        }
    }

    /// Whether an activity has anything the filter keeps: its own conditions hold, and at least
    /// one of its flows passes the flow conditions when any are set (years, kind, donor,
    /// facility). An activity without such a flow is kept when no such condition is set, or
    /// when the donor is the only one and funds the activity (a funding participant).
    pub fn keeps_activity(&self, ledger: &Ledger, a: &Activity) -> bool {
        if self.status.is_some_and(|s| s != a.status)
            || self.instrument.is_some_and(|i| i != a.instrument)
        {
            return false;
        }
        let lineage = ledger.lineage(&a.id);
        for split in [Split::Recipient, Split::Region, Split::Sector] {
            if self.restricts(split)
                && !split_shares(&lineage, split)
                    .iter()
                    .any(|s| self.keeps_share(s))
            {
                return false;
            }
        }
        let flow_conditions = self.year_from.is_some()
            || self.year_to.is_some()
            || self.kind.is_some()
            || self.donor.is_some()
            || self.facility.is_some();
        if !flow_conditions || ledger.flows_of(&a.id).any(|f| self.keeps_flow(ledger, f)) {
            return true;
        }
        // Under a donor alone, an activity the donor funds (a funding participant of it or of
        // an activity above it) is the donor's too before any flow of it is recorded: Japan's
        // list held 2 of the 7 activities its organisation page lists.
        let donor_alone = self.donor.is_some()
            && self.year_from.is_none()
            && self.year_to.is_none()
            && self.kind.is_none()
            && self.facility.is_none();
        donor_alone
            && lineage.iter().any(|x| {
                x.participants.iter().any(|p| {
                    p.role == ParticipantRole::Funding && self.is_the_donor(ledger, &p.org)
                })
            })
    }
}

fn region(v: &str) -> Option<RegionFilter> {
    let (country, name) = match v.split_once(':') {
        Some((c, n)) => (Some(CountryCode::parse(&c.trim().to_uppercase()).ok()?), n),
        None => (None, v),
    };
    let name = name.trim().to_lowercase();
    // What a stored text may not hold, a filter echoed on every page and link may not either:
    // a control character or one that turns the text's direction ("official notice" written
    // backwards after U+202E).
    let plain = |c: char| !c.is_control() && crate::text::allowed_char(c);
    (!name.is_empty() && name.chars().count() <= 200 && name.chars().all(plain))
        .then_some(RegionFilter { country, name })
}

fn enum_text<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

/// The dimensions an activity splits its money over by percentages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    Recipient,
    Region,
    Sector,
}

/// One percentage entry of an activity.
#[derive(Debug, Clone, Copy)]
pub enum Share<'a> {
    Country(&'a CountryCode, Decimal),
    Region(&'a CountryCode, &'a str, Decimal),
    Sector(&'a str, Decimal),
}

impl Share<'_> {
    /// The percentage as a fraction of one; `None` if dividing overflows (it cannot for a
    /// decimal divided by 100, but the arithmetic stays checked).
    pub fn fraction(&self) -> Option<Decimal> {
        let pct = match self {
            Self::Country(_, p) | Self::Region(_, _, p) | Self::Sector(_, p) => *p,
        };
        pct.checked_div(Decimal::ONE_HUNDRED)
    }
}

/// The entries of one dimension, from the nearest activity of the lineage that states any (a
/// project inherits its programme's split); empty when none does.
pub fn split_shares<'a>(lineage: &[&'a Activity], split: Split) -> Vec<Share<'a>> {
    match split {
        Split::Recipient => lineage
            .iter()
            .find(|a| !a.countries.is_empty())
            .map(|a| {
                a.countries
                    .iter()
                    .map(|c| Share::Country(&c.country, c.percentage))
                    .collect()
            })
            .unwrap_or_default(),
        Split::Region => lineage
            .iter()
            .find(|a| !a.regions.is_empty())
            .map(|a| {
                a.regions
                    .iter()
                    .map(|r| Share::Region(&r.country, r.name.as_str(), r.percentage))
                    .collect()
            })
            .unwrap_or_default(),
        Split::Sector => lineage
            .iter()
            .find(|a| !a.sectors.is_empty())
            .map(|a| {
                a.sectors
                    .iter()
                    .map(|s| Share::Sector(s.code.as_str(), s.percentage))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(q: &[(&str, &str)]) -> Result<Filter, FilterError> {
        Filter::parse(q.iter().copied(), &["by", "lang"])
    }

    #[test]
    fn empty_values_mean_any() {
        let f = parse(&[("donor", ""), ("year_from", " "), ("by", "donor")]).unwrap();
        assert!(f.is_everything());
    }

    #[test]
    fn a_bad_year_names_the_field_and_value() {
        let e = parse(&[("year_from", "20x4")]).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.value.as_str(), e.problem),
            ("year_from", "20x4", FilterProblem::NotAYear)
        );
    }

    #[test]
    fn reversed_years_are_refused() {
        let e = parse(&[("year_from", "2025"), ("year_to", "2024")]).unwrap_err();
        assert_eq!(e.problem, FilterProblem::YearsReversed);
    }

    #[test]
    fn an_unknown_parameter_is_refused() {
        let e = parse(&[("doner", "org-jp")]).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.problem),
            ("doner", FilterProblem::UnknownParameter)
        );
    }

    #[test]
    fn a_repeated_parameter_is_refused() {
        let e = parse(&[("kind", "pledge"), ("kind", "commitment")]).unwrap_err();
        assert_eq!(e.problem, FilterProblem::Repeated);
    }

    #[test]
    fn an_unknown_status_lists_the_statuses() {
        let e = parse(&[("status", "ongoing")]).unwrap_err();
        assert!(e.to_string().contains("implementation"), "{e}");
    }

    #[test]
    fn a_sector_is_a_code_or_a_category() {
        assert!(parse(&[("sector", "121")]).is_ok());
        assert!(parse(&[("sector", "12191")]).is_ok());
        assert_eq!(
            parse(&[("sector", "1219")]).unwrap_err().problem,
            FilterProblem::NotASector
        );
    }

    #[test]
    fn a_filter_reads_back_from_its_pairs() {
        let f = parse(&[
            ("year_from", "2023"),
            ("year_to", "2025"),
            ("donor", "org-japan"),
            ("agencies", "false"),
            ("recipient", "kz"),
            ("region", "KZ:Abai"),
            ("sector", "121"),
            ("facility", "fac-1"),
            ("kind", "disbursement"),
            ("status", "implementation"),
            ("instrument", "grant_aid"),
            ("currency", "jpy"),
        ])
        .unwrap();
        let pairs = f.pairs();
        let back = Filter::parse(pairs.iter().map(|(k, v)| (*k, v.as_str())), &[]).unwrap();
        assert_eq!(back, f);
        assert_eq!(pairs.len(), PARAMS.len());
    }

    /// The filter takes a country or currency as the entry forms do, by code or by name.
    #[test]
    fn countries_and_currencies_are_taken_by_name() {
        let f = parse(&[("recipient", "Kazakhstan"), ("currency", "yen")]).unwrap();
        assert_eq!(f.recipient.as_ref().map(|c| c.as_str()), Some("KZ"));
        assert_eq!(f.currency.as_str(), "JPY");
        let pairs = f.pairs();
        assert!(
            pairs.contains(&("recipient", "KZ".to_string())),
            "{pairs:?}"
        );
        assert_eq!(
            parse(&[("recipient", "Narnia")]).unwrap_err().problem,
            FilterProblem::NotACountry
        );
    }

    #[test]
    fn a_currency_without_rates_is_refused_by_the_check() {
        let f = parse(&[("currency", "EUR")]).unwrap();
        let e = f
            .check(&Ledger::default(), &RateTable::default())
            .unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.problem),
            ("currency", FilterProblem::NoRates)
        );
    }
}
