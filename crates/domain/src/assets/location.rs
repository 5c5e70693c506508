//! Dated location: indicators by facility or region attribute every period to the facility the
//! asset was at then (issue #17 item 2). Before, a transfer rewrote the asset's facility and with
//! it last year's failures, MTTR and gaps of both facilities.
//!
//! Flows (operating time, downtime, failures, repairs, PM due and done) are computed per stay, over
//! the part of the period the asset spent at each facility, and added to that facility. Stocks at
//! the period end (inventory, functional, backlog, age, COSR, which is annualised over the whole
//! period) go to the facility the asset was at when the period ended.

use chrono::{Duration, NaiveDateTime};

use super::history;
use super::kpi::{Converter, Fleet, GroupBy, Period, Sums};
use crate::codes::RecordId;

/// The flow part of `s` (what happens during a period), with the stock part zero.
fn flows(s: &Sums) -> Sums {
    Sums {
        operating_secs: s.operating_secs,
        unplanned_down_secs: s.unplanned_down_secs,
        planned_down_secs: s.planned_down_secs,
        failures: s.failures,
        failures_by_cause: s.failures_by_cause.clone(),
        device_failures: s.device_failures,
        repairs: s.repairs,
        repair_secs: s.repair_secs,
        pm_due: s.pm_due,
        pm_on_time: s.pm_on_time,
        pm_late: s.pm_late,
        pm_missed: s.pm_missed,
        pm_by_risk: s.pm_by_risk.clone(),
        ..Sums::default()
    }
}

/// The stock part of `s` (the state at the period end), with the flows zero.
fn stock(s: &Sums) -> Sums {
    Sums {
        operating_secs: 0,
        unplanned_down_secs: 0,
        planned_down_secs: 0,
        failures: 0,
        failures_by_cause: Default::default(),
        device_failures: 0,
        repairs: 0,
        repair_secs: 0,
        pm_due: 0,
        pm_on_time: 0,
        pm_late: 0,
        pm_missed: 0,
        pm_by_risk: Default::default(),
        ..s.clone()
    }
}

impl Fleet<'_> {
    /// The facility asset `i` was at, at `t`.
    pub fn facility_at(&self, i: usize, t: NaiveDateTime) -> RecordId {
        let places = history::locations(&self.assets[i].facility, &self.histories[i].events);
        let n = places.partition_point(|(since, _)| *since <= t);
        places
            .get(n.saturating_sub(1))
            .map_or_else(|| self.assets[i].facility.clone(), |(_, f)| f.clone())
    }

    /// Sums of asset `i` over `period`, split by the facility it was at: each stay's flows, and
    /// the stocks at the facility of the period end.
    pub fn sums_by_facility(
        &self,
        i: usize,
        period: Period,
        convert: Converter<'_>,
    ) -> Vec<(RecordId, Sums)> {
        let whole = self.sums(i, period, convert);
        let places = history::locations(&self.assets[i].facility, &self.histories[i].events);
        if places.len() == 1 {
            return vec![(self.assets[i].facility.clone(), whole)];
        }
        let last = period
            .to
            .checked_sub_signed(Duration::nanoseconds(1))
            .unwrap_or(period.to);
        let mut out = vec![(self.facility_at(i, last), stock(&whole))];
        for (k, (since, facility)) in places.iter().enumerate() {
            let until = places.get(k + 1).map_or(NaiveDateTime::MAX, |(t, _)| *t);
            let Some(stay) = Period::new((*since).max(period.from), until.min(period.to)) else {
                continue;
            };
            out.push((facility.clone(), flows(&self.sums(i, stay, convert))));
        }
        out
    }

    /// The group key of a facility: itself, or its country/region.
    pub fn facility_key(&self, facility: &RecordId, by: GroupBy) -> String {
        match by {
            GroupBy::Region => self.ledger.facilities.get(facility).map_or_else(
                || "unknown".to_string(),
                |f| {
                    format!(
                        "{}/{}",
                        f.country,
                        f.region.as_deref().unwrap_or("unknown region")
                    )
                },
            ),
            _ => facility.to_string(),
        }
    }
}
