//! Exchange rates and conversion.
//!
//! Every rate is "national currency units per US dollar" for a period (a year, a month or a day),
//! as the IMF publishes it, or a day's pair of euro rates from the ECB (units per EUR and USD per
//! EUR, see [`ecb`]). A conversion from A to B goes through the dollar: B-per-USD ÷ A-per-USD,
//! each leg taken for the value date's period. Which rate a leg uses, in order of preference:
//! 1. a rate the user imported that covers the value date (daily, then monthly, then annual);
//! 2. the ECB daily reference rate of the value date, or of the last business day before it
//!    (at most [`ecb::DAILY_WINDOW_DAYS`] days back, and never past the table's last day);
//! 3. a built-in monthly, then annual rate (IMF) — the IMF is also what covers currencies the ECB
//!    does not quote (KZT, UAH, …);
//! 4. a value date after every rate available for the currency: the latest rate, and the
//!    conversion is **provisional** (`Conversion::provisional` holds that rate's date).
//!
//! A date before the first rate, or in a gap of the series, has no rate: "unconverted".
//!
//! Rounding rules:
//! - legs are used at full published precision; the cross rate is never rounded before use (an
//!   ECB leg is kept as its two published figures and divided only in the final computation);
//! - the converted amount is rounded once, half to even, to the target currency's minor unit
//!   (0 digits for JPY, 2 for USD, 3 for KWD);
//! - the effective rate shown next to a figure is rounded to 10 decimal places (display only).
//!
//! A missing rate is an error the caller must show as "unconverted", never as zero.

use std::collections::HashMap;
use std::fmt;

use chrono::{Datelike, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::codes::CurrencyCode;
use crate::error::{ProblemId, ValidationError};
use crate::money::Money;

pub mod coverage;
pub mod ecb;
mod memo;

pub use memo::{ConversionTerms, Conversions};

const IMF_ANNUAL_CSV: &str = include_str!("../data/imf_annual_usd.csv");

/// What every screen that shows a converted figure must credit (both built-in sources).
pub const IMF_ATTRIBUTION: &str = "Source: International Monetary Fund; European Central Bank";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Frequency {
    Annual,
    Monthly,
    Daily,
}

impl Frequency {
    fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "A" => Some(Self::Annual),
            "M" => Some(Self::Monthly),
            "D" => Some(Self::Daily),
            _ => None,
        }
    }

    fn code(self) -> &'static str {
        match self {
            Self::Annual => "A",
            Self::Monthly => "M",
            Self::Daily => "D",
        }
    }
}

/// Where a rate came from: shipped with aidtrace or imported by a user (`aidtrace fx import`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum RateOrigin {
    BuiltIn,
    Imported,
}

/// One published rate: `units_per_usd` units of `currency` buy one US dollar over the period that
/// `date` stands for (the year of an annual rate, the month of a monthly rate, the day of a daily rate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateEntry {
    pub currency: CurrencyCode,
    pub date: NaiveDate,
    pub frequency: Frequency,
    #[serde(with = "crate::money::exact_decimal")]
    pub units_per_usd: Decimal,
    pub source: String,
    pub origin: RateOrigin,
}

impl RateEntry {
    /// Whether the rate is the one of `day`'s period. A daily rate also stands in for the days
    /// after it within the window (weekends, holidays) up to `daily_last`, the last day of its series.
    fn covers(&self, day: NaiveDate, daily_last: NaiveDate) -> bool {
        match self.frequency {
            Frequency::Annual => self.date.year() == day.year(),
            Frequency::Monthly => {
                self.date.year() == day.year() && self.date.month() == day.month()
            }
            Frequency::Daily => {
                self.date <= day
                    && day <= daily_last
                    && (day - self.date).num_days() < ecb::DAILY_WINDOW_DAYS
            }
        }
    }

    /// The last day of the period the rate stands for.
    fn period_end(&self) -> NaiveDate {
        match self.frequency {
            Frequency::Annual => NaiveDate::from_ymd_opt(self.date.year(), 12, 31),
            Frequency::Monthly => self
                .date
                .with_day(1)
                .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
                .and_then(|d| d.pred_opt()),
            Frequency::Daily => None,
        }
        .unwrap_or(self.date)
    }

    fn leg(&self, provisional: bool) -> RateLeg {
        RateLeg {
            currency: self.currency.clone(),
            units_per_usd: self.units_per_usd,
            rate_date: self.date,
            period: self.period_label(),
            source: self.source.clone(),
            provisional,
            ratio: (self.units_per_usd, Decimal::ONE),
            frequency: Some(self.frequency),
        }
    }

    /// Human label of the period, e.g. "annual average 2024".
    pub fn period_label(&self) -> String {
        match self.frequency {
            Frequency::Annual => format!("annual average {}", self.date.year()),
            Frequency::Monthly => format!(
                "monthly average {}-{:02}",
                self.date.year(),
                self.date.month()
            ),
            Frequency::Daily => format!("daily rate {}", self.date),
        }
    }

    /// The CSV line for this entry, in the form `parse_csv` reads.
    pub fn to_csv_row(&self) -> [String; 5] {
        [
            self.date.to_string(),
            self.units_per_usd.to_string(),
            self.currency.to_string(),
            self.frequency.code().to_string(),
            self.source.clone(),
        ]
    }
}

/// Why a figure could not be converted. Shown to users as "unconverted: …".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
pub enum ConversionError {
    #[error("no value date, so no rate can be chosen")]
    NoValueDate,
    #[error("no {currency} rate for {date}")]
    MissingRate {
        currency: CurrencyCode,
        date: NaiveDate,
    },
    #[error("amount too large to convert")]
    Overflow,
}

/// One leg of a conversion: the rate used for one currency against the dollar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RateLeg {
    pub currency: CurrencyCode,
    #[serde(with = "crate::money::exact_decimal")]
    pub units_per_usd: Decimal,
    pub rate_date: NaiveDate,
    pub period: String,
    pub source: String,
    /// True when the value date is after every rate available and this is the latest one.
    pub provisional: bool,
    /// The leg as published: units per USD = `ratio.0 ÷ ratio.1` (an ECB leg is units per EUR ÷
    /// USD per EUR; any other is the rate ÷ 1). Kept apart so the division happens once, at the end.
    #[serde(skip)]
    ratio: (Decimal, Decimal),
    /// The published series' frequency (`None`: the dollar itself, rate 1), so a page words
    /// the period in its reader's language rather than showing `period`.
    #[serde(skip)]
    pub frequency: Option<Frequency>,
}

impl RateLeg {
    /// An ECB leg's two published figures (units per EUR, USD per EUR); `None` for any other.
    pub fn ecb_quote(&self) -> Option<(Decimal, Decimal)> {
        // By its source, not by a second figure other than 1: at parity the ECB's USD per EUR is 1.
        (self.source == ecb::ECB_SOURCE).then_some(self.ratio)
    }

    fn pivot(currency: &CurrencyCode, day: NaiveDate) -> Self {
        Self {
            currency: currency.clone(),
            units_per_usd: Decimal::ONE,
            rate_date: day,
            period: "pivot currency".to_string(),
            source: "US dollar (pivot, rate 1 by definition)".to_string(),
            provisional: false,
            ratio: (Decimal::ONE, Decimal::ONE),
            frequency: None,
        }
    }

    fn from_ecb(currency: &CurrencyCode, q: ecb::EcbQuote, provisional: bool) -> Option<Self> {
        Some(Self {
            currency: currency.clone(),
            units_per_usd: q.units_per_eur.checked_div(q.usd_per_eur)?,
            rate_date: q.date,
            period: format!(
                "daily reference rate {} ({} {currency} and {} USD per EUR)",
                q.date,
                q.units_per_eur.normalize(),
                q.usd_per_eur.normalize()
            ),
            source: ecb::ECB_SOURCE.to_string(),
            provisional,
            ratio: (q.units_per_eur, q.usd_per_eur),
            frequency: Some(Frequency::Daily),
        })
    }
}

/// A converted figure with everything needed to trace it: the rate, its date and its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conversion {
    pub from: Money,
    #[serde(with = "crate::money::exact_decimal")]
    pub amount: Decimal,
    pub currency: CurrencyCode,
    /// Units of the target currency per unit of the source currency, rounded for display.
    #[serde(with = "crate::money::exact_decimal")]
    pub rate: Decimal,
    pub rate_date: NaiveDate,
    pub source: String,
    pub legs: Vec<RateLeg>,
    /// `Some(date)` when the figure is provisional: the value date is after the rates available
    /// (or there is none), so the latest rate, of this date, was used. Shown wherever the figure is.
    pub provisional: Option<NaiveDate>,
}

impl fmt::Display for Conversion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} = {} {} at {} ({})",
            self.from.amount,
            self.from.currency,
            self.amount,
            self.currency,
            self.rate,
            self.source
        )?;
        if let Some(d) = self.provisional {
            write!(f, " [provisional: latest rate, of {d}]")?;
        }
        Ok(())
    }
}

/// All rates known: the built-in IMF annual table, the ECB daily table (when built with
/// [`RateTable::builtin`]) and whatever users imported.
#[derive(Debug, Clone, Default)]
pub struct RateTable {
    by_currency: HashMap<CurrencyCode, Vec<RateEntry>>,
    ecb: Option<&'static ecb::EcbTable>,
}

impl RateTable {
    /// Everything shipped: the IMF annual averages and the ECB daily reference rates.
    pub fn builtin() -> Self {
        let mut table = Self::imf_annual();
        table.ecb = Some(ecb::shipped());
        table
    }

    /// The same table without the ECB daily rates: for checks defined on annual averages (the
    /// intake's stated-equivalent check compares with "the IMF rate of the year").
    pub fn without_ecb(mut self) -> Self {
        self.ecb = None;
        self
    }

    /// The ECB table in use, if any.
    pub fn ecb(&self) -> Option<&'static ecb::EcbTable> {
        self.ecb
    }

    /// Every rate entry of the IMF form (built-in and imported), grouped by currency.
    pub fn entries(&self) -> impl Iterator<Item = &RateEntry> {
        self.by_currency.values().flatten()
    }

    /// The IMF annual averages shipped in `data/imf_annual_usd.csv`.
    pub fn imf_annual() -> Self {
        // Parsed once per process, as the ECB table is: every `rates()` call and every report
        // starts from it, and cloning the parsed table costs a fraction of parsing the CSV.
        static TABLE: std::sync::OnceLock<RateTable> = std::sync::OnceLock::new();
        TABLE
            .get_or_init(|| {
                let mut table = Self::default();
                // The shipped file is generated and checked by the tests below, so a parse
                // failure here would be a build defect, not user input.
                let entries = parse_csv(IMF_ANNUAL_CSV, RateOrigin::BuiltIn).unwrap_or_default();
                table.extend(entries);
                table
            })
            .clone()
    }

    pub fn extend(&mut self, entries: impl IntoIterator<Item = RateEntry>) {
        for entry in entries {
            self.by_currency
                .entry(entry.currency.clone())
                .or_default()
                .push(entry);
        }
    }

    pub fn len(&self) -> usize {
        self.by_currency.values().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The last date the table has a rate for; for the dollar (rate 1 always) the table's last date.
    pub fn latest_date(&self, currency: &CurrencyCode) -> Option<NaiveDate> {
        let ecb_last = self.ecb.and_then(|t| {
            if currency.as_str() == "USD" {
                t.last_date()
            } else {
                t.span(currency).map(|(_, last, _)| last.date)
            }
        });
        let entries_last = if currency.as_str() == "USD" {
            self.by_currency.values().flatten().map(|e| e.date).max()
        } else {
            self.by_currency
                .get(currency)
                .and_then(|list| list.iter().map(|e| e.date).max())
        };
        entries_last.max(ecb_last)
    }

    /// The rate for `currency` on `day`, in the order of preference of the module documentation:
    /// an imported rate (the most specific period first, then the one imported last), the ECB
    /// daily rate, then a built-in monthly or annual rate. `None` when nothing covers the day.
    pub fn lookup(&self, currency: &CurrencyCode, day: NaiveDate) -> Option<RateLeg> {
        if currency.as_str() == "USD" {
            return Some(RateLeg::pivot(currency, day));
        }
        let entries = self
            .by_currency
            .get(currency)
            .map_or(&[][..], Vec::as_slice);
        let best = |origin: RateOrigin| {
            let daily_last = entries
                .iter()
                .filter(|e| e.origin == origin && e.frequency == Frequency::Daily)
                .map(|e| e.date)
                .max()
                .unwrap_or(NaiveDate::MIN);
            let rank = |e: &RateEntry| (e.frequency, e.date);
            let mut best: Option<&RateEntry> = None;
            for entry in entries
                .iter()
                .filter(|e| e.origin == origin && e.covers(day, daily_last))
            {
                if best.is_none_or(|b| rank(entry) >= rank(b)) {
                    best = Some(entry);
                }
            }
            best
        };
        if let Some(e) = best(RateOrigin::Imported) {
            return Some(e.leg(false));
        }
        if let Some(leg) = self
            .ecb
            .and_then(|t| t.quote(currency, day))
            .and_then(|q| RateLeg::from_ecb(currency, q, false))
        {
            return Some(leg);
        }
        best(RateOrigin::BuiltIn).map(|e| e.leg(false))
    }

    /// The latest rate of any source for `currency`, with the last day of its period. At equal
    /// dates the order of preference holds: imported, then ECB, then built-in.
    fn latest_leg(&self, currency: &CurrencyCode) -> Option<(NaiveDate, RateLeg)> {
        let entries = self
            .by_currency
            .get(currency)
            .map_or(&[][..], Vec::as_slice);
        let newest = |origin: RateOrigin| {
            entries
                .iter()
                .filter(|e| e.origin == origin)
                .max_by_key(|e| (e.period_end(), e.frequency))
                .map(|e| (e.period_end(), e.leg(true)))
        };
        let ecb = self.ecb.and_then(|t| {
            let (_, last, _) = t.span(currency)?;
            Some((last.date, RateLeg::from_ecb(currency, last, true)?))
        });
        let mut best: Option<(NaiveDate, RateLeg)> = None;
        for candidate in [
            newest(RateOrigin::Imported),
            ecb,
            newest(RateOrigin::BuiltIn),
        ]
        .into_iter()
        .flatten()
        {
            if best.as_ref().is_none_or(|(d, _)| candidate.0 > *d) {
                best = Some(candidate);
            }
        }
        best
    }

    /// The leg used to convert on `day`: [`Self::lookup`], or, for a day after every rate for the
    /// currency, the latest rate marked provisional.
    pub fn leg_for(&self, currency: &CurrencyCode, day: NaiveDate) -> Option<RateLeg> {
        if let Some(leg) = self.lookup(currency, day) {
            return Some(leg);
        }
        let (end, leg) = self.latest_leg(currency)?;
        (day > end).then_some(leg)
    }

    pub fn convert(&self, money: &Money, to: &CurrencyCode) -> Result<Conversion, ConversionError> {
        let day = money.value_date.ok_or(ConversionError::NoValueDate)?;
        self.convert_on(money, to, day)
    }

    /// Converts at the rate of `day` (used when a document gives no value date but the caller knows
    /// which year's rate applies, e.g. a stated equivalent in an article of that year).
    pub fn convert_on(
        &self,
        money: &Money,
        to: &CurrencyCode,
        day: NaiveDate,
    ) -> Result<Conversion, ConversionError> {
        let (terms, legs) = self.terms_on(&money.currency, to, day)?;
        let amount = terms.amount_of(money.amount)?;
        Ok(Conversion {
            from: money.clone(),
            amount,
            currency: terms.currency,
            rate: terms.rate,
            rate_date: terms.rate_date,
            source: terms.source,
            legs,
            provisional: terms.provisional,
        })
    }

    /// What converting from `from` to `to` on `day` says beside the amount (the rate, its date
    /// and source, whether it is provisional), with the legs it goes through: the same for every
    /// amount, so [`Conversions`] works it out once per currency pair and day.
    pub(crate) fn terms_on(
        &self,
        from: &CurrencyCode,
        to: &CurrencyCode,
        day: NaiveDate,
    ) -> Result<(ConversionTerms, Vec<RateLeg>), ConversionError> {
        let missing = |currency: &CurrencyCode| ConversionError::MissingRate {
            currency: currency.clone(),
            date: day,
        };
        let from_leg = self.leg_for(from, day).ok_or_else(|| missing(from))?;
        let to_leg = self.leg_for(to, day).ok_or_else(|| missing(to))?;
        let ratios = (from_leg.ratio, to_leg.ratio);
        let rate = to_leg
            .ratio
            .0
            .checked_mul(from_leg.ratio.1)
            .and_then(|v| v.checked_div(to_leg.ratio.1.checked_mul(from_leg.ratio.0)?))
            .ok_or(ConversionError::Overflow)?
            .round_dp_with_strategy(10, RoundingStrategy::MidpointNearestEven)
            .normalize();
        let mut legs = vec![from_leg];
        if from != to {
            legs.push(to_leg);
        }
        let published = || legs.iter().filter(|l| l.currency.as_str() != "USD");
        // The pivot's "rate" is dated by the day asked for; the date of a conversion is its
        // published legs' date.
        let rate_date = published().map(|l| l.rate_date).max().unwrap_or(day);
        // The stalest provisional leg dates the conversion's provisional status; an amount
        // shown in its own currency uses no rate, so it is never provisional.
        let provisional = legs
            .iter()
            .filter(|l| l.provisional && from != to)
            .map(|l| l.rate_date)
            .min();
        let terms = ConversionTerms {
            currency: to.clone(),
            rate,
            rate_date,
            source: describe_source(&legs),
            provisional,
            uses_a_rate: from != to && published().next().is_some(),
            ratios,
            legs: legs.clone(),
        };
        Ok((terms, legs))
    }
}

/// `amount` converted between two legs given as their published ratios, rounded to the target
/// currency's minor unit: the arithmetic of every conversion ([`ConversionTerms::amount_of`]).
fn converted_amount(
    amount: Decimal,
    from: (Decimal, Decimal),
    to: (Decimal, Decimal),
    to_currency: &CurrencyCode,
) -> Result<Decimal, ConversionError> {
    // amount × (to per USD) ÷ (from per USD), each leg a published ratio: the products are
    // exact and the only division is the last step. When that intermediate overflows (a large
    // amount between two currencies with large rates) dividing first may still give a result
    // that fits; only a result beyond a decimal's range is an overflow.
    let exact = amount
        .checked_mul(to.0)
        .and_then(|v| v.checked_mul(from.1))
        .and_then(|v| v.checked_div(to.1.checked_mul(from.0)?))
        .or_else(|| {
            amount
                .checked_div(from.0)
                .and_then(|v| v.checked_mul(from.1))
                .and_then(|v| v.checked_mul(to.0))
                .and_then(|v| v.checked_div(to.1))
        })
        .ok_or(ConversionError::Overflow)?;
    Ok(exact.round_dp_with_strategy(
        to_currency.minor_unit_digits(),
        RoundingStrategy::MidpointNearestEven,
    ))
}

/// Significant digits a derived rate (a quotient of published figures) is shown with: within
/// a few parts in a million, few enough to read ("≈157.25", not "≈157.2502685285"). The
/// published figures it comes from stand beside it, so the exact rate can be redone; they are
/// always shown as published.
pub const RATE_DIGITS: u32 = 6;

/// `d` rounded to `digits` significant digits, trailing zeros dropped; the whole part is never
/// rounded away (12,345,678.91 to six digits is 12,345,679).
pub fn significant(d: Decimal, digits: u32) -> Decimal {
    if d.is_zero() {
        return Decimal::ZERO;
    }
    let abs = d.abs();
    let places = if abs >= Decimal::ONE {
        let whole = abs.trunc().to_string().len();
        digits.saturating_sub(u32::try_from(whole).unwrap_or(u32::MAX))
    } else {
        // Leading zeros after the point, then the significant digits.
        let frac = abs.to_string();
        let zeros = frac
            .split_once('.')
            .map_or(0, |(_, f)| f.bytes().take_while(|b| *b == b'0').count());
        u32::try_from(zeros).unwrap_or(0).saturating_add(digits)
    };
    d.round_dp_with_strategy(places.min(28), RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

fn describe_source(legs: &[RateLeg]) -> String {
    let parts: Vec<String> = legs
        .iter()
        .filter(|l| l.currency.as_str() != "USD")
        .map(|l| {
            // An ECB leg is a quotient of two published figures, both in its period label, so
            // the reader can redo it; its endless expansion is shown to RATE_DIGITS digits.
            let shown = if l.ratio.1 == Decimal::ONE {
                l.units_per_usd.normalize().to_string()
            } else {
                format!("≈{}", significant(l.units_per_usd, RATE_DIGITS))
            };
            format!("{} per USD {shown} ({})", l.currency, l.period)
        })
        .collect();
    let mut sources: Vec<&str> = legs
        .iter()
        .filter(|l| l.currency.as_str() != "USD")
        .map(|l| l.source.as_str())
        .collect();
    sources.dedup();
    if parts.is_empty() {
        return "same currency".to_string();
    }
    format!("{}; {}", sources.join(", "), parts.join("; "))
}

/// A CSV reader over `text` (rows may differ in length) and its header row.
pub(crate) fn csv_with_header(
    text: &str,
) -> Result<(csv::Reader<&[u8]>, csv::StringRecord), ValidationError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| {
            ValidationError::new("header", "", format!("unreadable CSV header: {e}"))
                .because(ProblemId::UnreadableCsv)
        })?
        .clone();
    Ok((reader, headers))
}

/// Reads rates in the IMF CSV form: `Date,Rate,Currency,Frequency,Source[,Country code,Country]`,
/// rate in national currency units per US dollar. A bad row is reported with its line number,
/// so an import is all or nothing; the first one is the error ([`parse_csv_rows`] gives them
/// all).
pub fn parse_csv(text: &str, origin: RateOrigin) -> Result<Vec<RateEntry>, ValidationError> {
    parse_csv_rows(text, origin).map_err(|mut errors| errors.swap_remove(0))
}

/// Bad rows reported at most, so a file of nonsense does not make a page of millions of lines.
pub const ROW_ERRORS_AT_MOST: usize = 100;

/// [`parse_csv`], with every bad row (up to [`ROW_ERRORS_AT_MOST`]) so the person fixing the
/// file sees them all at once; never an empty list.
pub fn parse_csv_rows(
    text: &str,
    origin: RateOrigin,
) -> Result<Vec<RateEntry>, Vec<ValidationError>> {
    let (mut reader, headers) = csv_with_header(text).map_err(|e| vec![e])?;
    let expected = ["Date", "Rate", "Currency", "Frequency", "Source"];
    for (i, name) in expected.iter().enumerate() {
        if headers.get(i).map(str::trim) != Some(*name) {
            return Err(vec![
                ValidationError::new(
                    format!("header column {}", i + 1),
                    headers.get(i).unwrap_or(""),
                    format!("expected columns {}", expected.join(",")),
                )
                .because(ProblemId::ExpectedColumns)
                .with_text("columns", expected.join(",")),
            ]);
        }
    }
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    // One rate per currency, frequency and date: a second one would make the file ambiguous.
    let mut seen: HashMap<(CurrencyCode, Frequency, NaiveDate), usize> = HashMap::new();
    for (index, record) in reader.records().enumerate() {
        if errors.len() >= ROW_ERRORS_AT_MOST {
            break;
        }
        match csv_row(index + 2, record, origin, &mut seen) {
            Ok(entry) => entries.push(entry),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(entries)
    } else {
        Err(errors)
    }
}

/// One row of a rate CSV at `line`.
fn csv_row(
    line: usize,
    record: Result<csv::StringRecord, csv::Error>,
    origin: RateOrigin,
    seen: &mut HashMap<(CurrencyCode, Frequency, NaiveDate), usize>,
) -> Result<RateEntry, ValidationError> {
    let at = |field: &str| format!("line {line}: {field}");
    let record = record.map_err(|e| {
        ValidationError::new(at("row"), "", format!("unreadable CSV row: {e}"))
            .because(ProblemId::UnreadableCsv)
    })?;
    let get = |i: usize| record.get(i).unwrap_or("").trim();
    let date = NaiveDate::parse_from_str(get(0), "%Y-%m-%d").map_err(|_| {
        ValidationError::new(at("Date"), get(0), "expected a date YYYY-MM-DD")
            .because(ProblemId::DateNotIso)
    })?;
    let rate: Decimal = get(1)
        .parse()
        .or_else(|_| Decimal::from_scientific(get(1)))
        .map_err(|_| {
            ValidationError::new(at("Rate"), get(1), "expected a decimal number")
                .because(ProblemId::NotADecimal)
        })?;
    if rate <= Decimal::ZERO {
        return Err(
            ValidationError::new(at("Rate"), get(1), "a rate must be greater than zero")
                .because(ProblemId::RateNotPositive),
        );
    }
    let currency = CurrencyCode::parse(get(2)).map_err(|e| e.within(&at("Currency")))?;
    let frequency = Frequency::parse(get(3)).ok_or_else(|| {
        ValidationError::new(
            at("Frequency"),
            get(3),
            "expected A (annual), M (monthly) or D (daily)",
        )
        .because(ProblemId::RateFrequency)
    })?;
    if let Some(first) = seen.insert((currency.clone(), frequency, date), line) {
        return Err(ValidationError::new(
            at("Date"),
            get(0),
            format!(
                "{currency} already has a {} rate for this date on line {first}",
                frequency.code()
            ),
        )
        .because(ProblemId::RateTwice)
        .with_text("currency", &currency)
        .with_text("frequency", frequency.code())
        .with_text("line", first));
    }
    let source = if get(4).is_empty() { "unknown" } else { get(4) };
    let source = if origin == RateOrigin::BuiltIn && source == "IMF" {
        "International Monetary Fund".to_string()
    } else {
        source.to_string()
    };
    Ok(RateEntry {
        currency,
        date,
        frequency,
        units_per_usd: rate,
        source,
        origin,
    })
}

/// Reads the monthly table in IATI.cloud's form, `[{"year", "month", "currency_id", "value"}]`
/// with `value` in SDR per unit of currency, and turns it into units per US dollar for each month
/// that has a dollar value too (units per USD = SDR per USD ÷ SDR per unit).
///
/// The values are JSON numbers; their shortest decimal form is the published text for the up-to-15
/// significant digits these tables carry, so nothing is lost by reading them through `f64`.
pub fn parse_sdr_monthly_json(text: &str, source: &str) -> Result<Vec<RateEntry>, ValidationError> {
    #[derive(Deserialize)]
    struct Row {
        year: i32,
        month: u32,
        currency_id: String,
        value: serde_json::Number,
    }
    let rows: Vec<Row> = serde_json::from_str(text).map_err(|e| {
        ValidationError::new(
            "json",
            "",
            format!("expected [{{year, month, currency_id, value}}]: {e}"),
        )
        .because(ProblemId::SdrJsonShape)
    })?;
    let mut usd: HashMap<(i32, u32), Decimal> = HashMap::new();
    let mut parsed = Vec::with_capacity(rows.len());
    let mut seen: HashMap<(&str, i32, u32), usize> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        let at = |f: &str| format!("[{i}].{f}");
        if let Some(first) = seen.insert((row.currency_id.as_str(), row.year, row.month), i) {
            return Err(ValidationError::new(
                at("month"),
                format!("{}-{:02}", row.year, row.month),
                format!(
                    "{} already has a rate for this month at [{first}]",
                    row.currency_id
                ),
            )
            .because(ProblemId::RateTwiceInMonth)
            .with_text("currency", &row.currency_id)
            .with_text("at", first));
        }
        let value: Decimal = row
            .value
            .to_string()
            .parse()
            .or_else(|_| Decimal::from_scientific(&row.value.to_string()))
            .map_err(|_| {
                ValidationError::new(at("value"), &row.value, "expected a decimal number")
                    .because(ProblemId::NotADecimal)
            })?;
        if value <= Decimal::ZERO {
            return Err(ValidationError::new(
                at("value"),
                value,
                "a rate must be greater than zero",
            )
            .because(ProblemId::RateNotPositive));
        }
        let date = NaiveDate::from_ymd_opt(row.year, row.month, 1).ok_or_else(|| {
            ValidationError::new(at("month"), row.month, "not a valid year and month")
                .because(ProblemId::NotAMonth)
        })?;
        if row.currency_id == "USD" {
            usd.insert((row.year, row.month), value);
            continue;
        }
        let currency =
            CurrencyCode::parse(&row.currency_id).map_err(|e| e.within(&at("currency_id")))?;
        parsed.push((row.year, row.month, currency, date, value));
    }
    let mut entries = Vec::with_capacity(parsed.len());
    for (year, month, currency, date, sdr_per_unit) in parsed {
        let Some(sdr_per_usd) = usd.get(&(year, month)) else {
            continue;
        };
        let Some(units_per_usd) = sdr_per_usd.checked_div(sdr_per_unit) else {
            continue;
        };
        entries.push(RateEntry {
            currency,
            date,
            frequency: Frequency::Monthly,
            units_per_usd,
            source: source.to_string(),
            origin: RateOrigin::Imported,
        });
    }
    Ok(entries)
}

#[cfg(test)]
mod tests;
