//! Hourly on/off group schedules, as Ukrainian distribution companies publish them per queue
//! ("черга"): for each day of a cycle, the intervals the group is off.
//!
//! CSV, one interval per line, header `day,off_from,off_to`:
//! ```text
//! day,off_from,off_to
//! 1,00:00,04:00
//! 1,08:00,12:00
//! 2,04:00,08:00
//! ```
//! `day` counts from 1 within the cycle (the schedule repeats after its last day; a day with no
//! line has power all day); times are `HH:MM`, `off_to` may be `24:00`. Lines must be sorted by
//! day and start, and must not overlap: a wrong line is refused with its line number. The
//! simulator steps by hours, so an interval with minutes is widened to whole hours (an hour that
//! is off for part of it counts as off), which is stated in the assumptions.

use serde::{Deserialize, Serialize};

use crate::error::{EnergyError, Result};

/// A repeating cycle of days; each day lists its off intervals `[from, to)` in whole hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    pub days: Vec<Vec<[u32; 2]>>,
}

fn parse_time(what: &str, line: usize, s: &str) -> Result<u32> {
    let bad = || {
        EnergyError::invalid(
            format!("schedule line {line}: {what}"),
            format!("{s:?}"),
            "must be a time HH:MM between 00:00 and 24:00",
        )
    };
    let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
    let h: u32 = h.parse().map_err(|_| bad())?;
    let m: u32 = m.parse().map_err(|_| bad())?;
    if m >= 60 || h > 24 || (h == 24 && m > 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

impl Schedule {
    /// Parses the CSV described in the module documentation.
    pub fn from_csv(text: &str) -> Result<Self> {
        let mut rdr = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let headers = rdr
            .headers()
            .map_err(|e| EnergyError::invalid("schedule header", e, "cannot read the CSV"))?
            .clone();
        let want = ["day", "off_from", "off_to"];
        if headers.iter().collect::<Vec<_>>() != want {
            return Err(EnergyError::invalid(
                "schedule header (line 1)",
                format!("{:?}", headers.iter().collect::<Vec<_>>().join(",")),
                "must be day,off_from,off_to",
            ));
        }
        // (day, from minute, to minute, line) as read.
        let mut rows: Vec<(usize, u32, u32, usize)> = Vec::new();
        for (i, rec) in rdr.records().enumerate() {
            let line = i + 2;
            let rec = rec.map_err(|e| {
                EnergyError::invalid(format!("schedule line {line}"), e, "cannot read the line")
            })?;
            if rec.len() != 3 {
                return Err(EnergyError::invalid(
                    format!("schedule line {line}"),
                    format!("{:?}", rec.iter().collect::<Vec<_>>().join(",")),
                    "needs exactly day,off_from,off_to",
                ));
            }
            let day: usize = rec[0]
                .parse()
                .ok()
                .filter(|&d| (1..=366).contains(&d))
                .ok_or_else(|| {
                    EnergyError::invalid(
                        format!("schedule line {line}: day"),
                        format!("{:?}", &rec[0]),
                        "must be a day number 1..=366 within the cycle",
                    )
                })?;
            let from = parse_time("off_from", line, &rec[1])?;
            let to = parse_time("off_to", line, &rec[2])?;
            if to <= from {
                return Err(EnergyError::invalid(
                    format!("schedule line {line}"),
                    format!("{}–{}", &rec[1], &rec[2]),
                    "off_to must be after off_from (split an interval across midnight into two days)",
                ));
            }
            if let Some(&(pd, pf, pt, pl)) = rows.last() {
                if (day, from) < (pd, pf) {
                    return Err(EnergyError::invalid(
                        format!("schedule line {line}"),
                        format!("day {day} {}", &rec[1]),
                        format!(
                            "unsorted: comes before line {pl} (day {pd}); sort by day and start"
                        ),
                    ));
                }
                if day == pd && from < pt {
                    return Err(EnergyError::invalid(
                        format!("schedule line {line}"),
                        format!("day {day} {}–{}", &rec[1], &rec[2]),
                        format!(
                            "overlaps line {pl} (off until {:02}:{:02})",
                            pt / 60,
                            pt % 60
                        ),
                    ));
                }
            }
            rows.push((day, from, to, line));
        }
        let Some(&(last_day, ..)) = rows.last() else {
            return Err(EnergyError::invalid(
                "schedule",
                "no lines",
                "list at least one off interval",
            ));
        };
        let mut days = vec![Vec::<[u32; 2]>::new(); last_day];
        for (day, from, to, _) in rows {
            // Widen to whole hours, then merge with the previous interval if they now touch.
            let (a, b) = (from / 60, to.div_ceil(60));
            let d = &mut days[day - 1];
            match d.last_mut() {
                Some(prev) if prev[1] >= a => prev[1] = prev[1].max(b),
                _ => d.push([a, b]),
            }
        }
        Ok(Schedule { days })
    }

    /// Checks a schedule given inline in a profile.
    pub fn validate(&self, field: &str) -> Result<()> {
        if self.days.is_empty() {
            return Err(EnergyError::invalid(
                format!("{field}.days"),
                "[]",
                "list at least one day",
            ));
        }
        for (i, d) in self.days.iter().enumerate() {
            let mut end = 0;
            for (j, iv) in d.iter().enumerate() {
                if iv[0] >= iv[1] || iv[1] > 24 || (j > 0 && iv[0] < end) {
                    return Err(EnergyError::invalid(
                        format!("{field}.days[{i}][{j}]"),
                        format!("{iv:?}"),
                        "intervals must be [from, to) hours within 0..=24, sorted, not overlapping",
                    ));
                }
                end = iv[1];
            }
        }
        Ok(())
    }

    /// Whether the grid is off in hour `h` counted from midnight of the cycle's first day.
    pub fn is_off(&self, h: usize) -> bool {
        let day = &self.days[(h / 24) % self.days.len()];
        let hod = (h % 24) as u32;
        day.iter().any(|iv| hod >= iv[0] && hod < iv[1])
    }

    /// Hours off per day on average over the cycle.
    pub fn mean_off_per_day(&self) -> f64 {
        let total: u32 = self.days.iter().flatten().map(|iv| iv[1] - iv[0]).sum();
        f64::from(total) / self.days.len() as f64
    }
}
