//! Uptime over contracted hours (issue #17 item 3, "over contracted hours when a contract defines
//! them"). OEM service contracts guarantee uptime inside a coverage window — e.g. Monday to
//! Friday 08:00–17:00 local time — not over calendar time: a failure on Saturday night does not
//! count against the guarantee, and the denominator is the covered hours only.
//!
//! The contracted hours come from the asset's contract records ([`Fleet::contract_uptime`]):
//! the contract's span, inside its covered hours (all hours when it names none), for every
//! contract with an uptime guarantee or covered hours; the guarantee is checked against that
//! figure, the same one the contract's SLA check (`contract::check_sla`) measures. A window can
//! still be typed to ask "what if" ([`Coverage::parse`] reads `mon-fri 08:00-17:00 +05:00`:
//! weekdays, hours of the day, the offset of the local time the window is written in; `24x7` for
//! all hours).
//!
//! Definition: contracted hours = operating time (commissioned, in service, down, under repair)
//! inside the window; contracted downtime = unplanned downtime inside both; contracted uptime % =
//! (contracted hours − contracted downtime) / contracted hours × 100. Planned downtime is left
//! out as in `uptime_pct` (it is agreed with the vendor). Ratio of sums over assets.

use chrono::{Datelike, Duration, FixedOffset, NaiveDateTime, NaiveTime, Weekday};
use rust_decimal::Decimal;
use serde::Serialize;

use super::AssetEvent;
use super::contract::SlaStatus;
use super::history::Episode;
use super::kpi::{Fleet, Period, operating_intervals};
use crate::codes::RecordId;
use crate::error::{ProblemId, ValidationError};

/// The weekly window a contract covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// Days covered, Monday first.
    pub weekdays: Vec<Weekday>,
    /// Start of the covered hours, local time.
    pub from: NaiveTime,
    /// End of the covered hours, local time (after `from`; a window over midnight is two).
    pub to: NaiveTime,
    /// Offset of the local time from UTC, in seconds east.
    pub offset_secs: i32,
}

const DAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("sun", Weekday::Sun),
];

fn day(raw: &str) -> Option<usize> {
    DAYS.iter().position(|(n, _)| *n == raw)
}

impl Coverage {
    /// `DAYS HH:MM-HH:MM [±HH:MM]` with DAYS a range (`mon-fri`) or a list (`mon,wed,fri`), or
    /// `24x7`. Refusals name the field `coverage` and the value.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let bad = |why: &str, id: ProblemId| {
            ValidationError::new("coverage", raw, why.to_string()).because(id)
        };
        let text = raw.trim().to_ascii_lowercase();
        if text == "24x7" {
            return Ok(Self {
                weekdays: DAYS.iter().map(|(_, d)| *d).collect(),
                from: NaiveTime::MIN,
                to: NaiveTime::MIN,
                offset_secs: 0,
            });
        }
        let parts: Vec<&str> = text.split_whitespace().collect();
        let (days, hours, offset) = match parts[..] {
            [d, h] => (d, h, None),
            [d, h, o] => (d, h, Some(o)),
            _ => {
                return Err(bad(
                    "expected DAYS HH:MM-HH:MM [±HH:MM], e.g. mon-fri 08:00-17:00 +05:00, or 24x7",
                    ProblemId::CoverageForm,
                ));
            }
        };
        let mut weekdays = Vec::new();
        for item in days.split(',') {
            match item.split_once('-') {
                Some((a, b)) => {
                    let (Some(a), Some(b)) = (day(a), day(b)) else {
                        return Err(bad(
                            "days are mon, tue, wed, thu, fri, sat, sun",
                            ProblemId::CoverageDays,
                        ));
                    };
                    if a > b {
                        return Err(bad(
                            "a day range runs from Monday towards Sunday",
                            ProblemId::DayRangeOrder,
                        ));
                    }
                    weekdays.extend(DAYS[a..=b].iter().map(|(_, d)| *d));
                }
                None => match day(item) {
                    Some(a) => weekdays.push(DAYS[a].1),
                    None => {
                        return Err(bad(
                            "days are mon, tue, wed, thu, fri, sat, sun",
                            ProblemId::CoverageDays,
                        ));
                    }
                },
            }
        }
        weekdays.sort_by_key(Weekday::num_days_from_monday);
        weekdays.dedup();
        let time = |s: &str| NaiveTime::parse_from_str(s, "%H:%M").ok();
        let Some((from, to)) = hours
            .split_once('-')
            .and_then(|(a, b)| time(a).zip(time(b)))
        else {
            return Err(bad("hours are HH:MM-HH:MM", ProblemId::CoverageHoursForm));
        };
        if to <= from {
            return Err(bad(
                "the covered hours must end after they start (a window over midnight is two windows)",
                ProblemId::CoverageEndsBeforeStart,
            ));
        }
        let offset_secs = match offset {
            None => 0,
            Some(o) => {
                let sign = match o.chars().next() {
                    Some('+') => 1,
                    Some('-') => -1,
                    _ => return Err(bad("the offset is ±HH:MM", ProblemId::OffsetForm)),
                };
                let Some(t) = time(&o[1..]) else {
                    return Err(bad("the offset is ±HH:MM", ProblemId::OffsetForm));
                };
                let secs = i32::try_from(t.signed_duration_since(NaiveTime::MIN).num_seconds())
                    .unwrap_or(i32::MAX);
                if FixedOffset::east_opt(sign * secs).is_none() {
                    return Err(bad("the offset is at most ±23:59", ProblemId::OffsetRange));
                }
                sign * secs
            }
        };
        Ok(Self {
            weekdays,
            from,
            to,
            offset_secs,
        })
    }

    /// Covered windows `[start, end)` in UTC, clipped to the period, in time order.
    pub fn windows(&self, period: Period) -> Vec<(NaiveDateTime, NaiveDateTime)> {
        let offset = Duration::seconds(i64::from(self.offset_secs));
        let all_day = self.from == self.to;
        let mut out = Vec::new();
        let Some(mut local) = (period.from + offset).date().pred_opt() else {
            return out;
        };
        let last = (period.to + offset).date();
        while local <= last {
            if self.weekdays.contains(&local.weekday()) {
                let start = local.and_time(self.from) - offset;
                let end = if all_day {
                    local
                        .succ_opt()
                        .map_or(NaiveDateTime::MAX, |d| d.and_time(NaiveTime::MIN))
                        - offset
                } else {
                    local.and_time(self.to) - offset
                };
                let (s, e) = (start.max(period.from), end.min(period.to));
                if s < e {
                    out.push((s, e));
                }
            }
            let Some(next) = local.succ_opt() else { break };
            local = next;
        }
        out
    }
}

/// Uptime over the contracted hours of a group of assets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ContractedUptime {
    pub contracted_hours: Decimal,
    pub unplanned_downtime_hours: Decimal,
    /// Empty when no contracted hour fell in operating time.
    pub uptime_pct: Option<Decimal>,
    /// The contracts the hours were read from (empty for a typed window).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contracts: Vec<RecordId>,
    /// The highest uptime guarantee among those contracts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guaranteed_pct: Option<Decimal>,
    /// The guarantee against the measured figure; empty for a typed window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla: Option<SlaStatus>,
}

impl ContractedUptime {
    /// The figure of summed contracted and downtime seconds, with no contract or guarantee.
    fn of_seconds(covered: i64, down: i64) -> Self {
        Self {
            contracted_hours: hours(covered),
            unplanned_downtime_hours: hours(down),
            uptime_pct: pct(covered, down),
            ..Self::default()
        }
    }
}

/// Sorted, non-overlapping union of intervals.
fn union(mut v: Vec<(NaiveDateTime, NaiveDateTime)>) -> Vec<(NaiveDateTime, NaiveDateTime)> {
    v.sort();
    let mut out: Vec<(NaiveDateTime, NaiveDateTime)> = Vec::new();
    for (s, e) in v {
        match out.last_mut() {
            Some((_, last)) if s <= *last => *last = (*last).max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// Seconds of one asset's operating time inside `windows` (within `period`), and of its
/// unplanned downtime inside those: the contracted hours and contracted downtime of the module
/// definition. `kpi contracted` and the contract's SLA check both read this.
pub fn uptime_within(
    events: &[&AssetEvent],
    episodes: &[Episode],
    period: Period,
    windows: &[(NaiveDateTime, NaiveDateTime)],
) -> (i64, i64) {
    let operating = intersect(&operating_intervals(events, period), windows);
    let unplanned = union(
        episodes
            .iter()
            .filter(|e| !e.planned)
            .map(|e| (e.start, e.end.unwrap_or(NaiveDateTime::MAX)))
            .collect(),
    );
    (secs(&operating), secs(&intersect(&operating, &unplanned)))
}

fn hours(s: i64) -> Decimal {
    (Decimal::from(s) / Decimal::from(3600)).round_dp(2)
}

fn pct(covered: i64, down: i64) -> Option<Decimal> {
    (covered > 0).then(|| {
        (Decimal::from(covered - down) * Decimal::ONE_HUNDRED / Decimal::from(covered)).round_dp(2)
    })
}

fn intersect(
    a: &[(NaiveDateTime, NaiveDateTime)],
    b: &[(NaiveDateTime, NaiveDateTime)],
) -> Vec<(NaiveDateTime, NaiveDateTime)> {
    let mut out = Vec::new();
    for &(s1, e1) in a {
        for &(s2, e2) in b {
            let (s, e) = (s1.max(s2), e1.min(e2));
            if s < e {
                out.push((s, e));
            }
        }
    }
    out
}

fn secs(intervals: &[(NaiveDateTime, NaiveDateTime)]) -> i64 {
    intervals.iter().map(|(s, e)| (*e - *s).num_seconds()).sum()
}

impl Fleet<'_> {
    /// Uptime over the contracted hours of `coverage`, for the given assets, in `period`.
    pub fn contracted_uptime(
        &self,
        assets: impl IntoIterator<Item = usize>,
        period: Period,
        coverage: &Coverage,
    ) -> ContractedUptime {
        let windows = coverage.windows(period);
        let (mut covered, mut down) = (0i64, 0i64);
        for i in assets {
            let h = &self.histories[i];
            let (c, d) = uptime_within(&h.events, &h.episodes, period, &windows);
            covered += c;
            down += d;
        }
        ContractedUptime::of_seconds(covered, down)
    }

    /// Uptime over the contracted hours the asset's own contracts define, in `period`: the union
    /// of the contracted stretches of every contract covering it that has an uptime guarantee or
    /// covered hours, the highest guarantee among them checked against the figure. `None` when
    /// no contract of the asset defines contracted hours in the period.
    pub fn contract_uptime(&self, asset: usize, period: Period) -> Option<ContractedUptime> {
        let (covered, down, contracts, guaranteed) = self.contract_secs(asset, period)?;
        let figure = ContractedUptime::of_seconds(covered, down);
        Some(ContractedUptime {
            sla: Some(match (guaranteed, figure.uptime_pct) {
                (Some(g), Some(m)) if m >= g => SlaStatus::Met,
                (Some(_), Some(_)) => SlaStatus::Missed,
                _ => SlaStatus::NotMeasurable,
            }),
            contracts,
            guaranteed_pct: guaranteed,
            ..figure
        })
    }

    /// The ratio of sums of [`Fleet::contract_uptime`] over the given assets (those without a
    /// contract defining contracted hours add nothing); no guarantee is checked on a sum.
    pub fn contract_uptime_all(
        &self,
        assets: impl IntoIterator<Item = usize>,
        period: Period,
    ) -> ContractedUptime {
        let (mut covered, mut down) = (0i64, 0i64);
        for i in assets {
            if let Some((c, d, _, _)) = self.contract_secs(i, period) {
                covered += c;
                down += d;
            }
        }
        ContractedUptime::of_seconds(covered, down)
    }

    #[allow(clippy::type_complexity)]
    fn contract_secs(
        &self,
        asset: usize,
        period: Period,
    ) -> Option<(i64, i64, Vec<RecordId>, Option<Decimal>)> {
        let h = &self.histories[asset];
        let mut windows = Vec::new();
        let (mut contracts, mut guaranteed) = (Vec::new(), None::<Decimal>);
        for c in h.contracts.iter().map(|s| &s.contract) {
            if !c.defines_contracted_hours() {
                continue;
            }
            let w = c.contracted_windows(period.from, period.to);
            if w.is_empty() {
                continue;
            }
            windows.extend(w);
            contracts.push(c.id.clone());
            guaranteed = guaranteed.max(c.uptime_pct);
        }
        if contracts.is_empty() {
            return None;
        }
        let (covered, down) = uptime_within(&h.events, &h.episodes, period, &union(windows));
        Some((covered, down, contracts, guaranteed))
    }
}
