//! One asset with its whole history (live and voided entries), for the detail page and
//! `aidtrace asset show`.

use super::*;

/// An asset with its history, for a detail page.
#[derive(Debug, Clone, Serialize)]
pub struct AssetDetail {
    pub asset: Asset,
    pub state: Option<LifecycleState>,
    pub events: Vec<AssetEvent>,
    pub downtimes: Vec<Downtime>,
    pub work_orders: Vec<WorkOrder>,
    pub meter_readings: Vec<MeterReading>,
    pub donation: Vec<FitnessReport>,
    /// Voided events and downtime: kept for the record, read by no figure above.
    pub voided_events: Vec<AssetEvent>,
    pub voided_downtimes: Vec<Downtime>,
}

pub fn asset_detail(app: &Aidtrace, asset: &RecordId) -> ServiceResult<AssetDetail> {
    require_asset(app, asset)?;
    asset_detail_in(&app.ledger()?, asset)
}

/// [`asset_detail`] over a ledger already read (a server's snapshot).
pub fn asset_detail_in(ledger: &Ledger, asset: &RecordId) -> ServiceResult<AssetDetail> {
    let a = ledger
        .assets
        .get(asset)
        .cloned()
        .ok_or_else(|| ServiceError::NotFound(format!("no asset with id {asset}")))?;
    let fleet = Fleet::build(ledger);
    let i = fleet
        .position(asset)
        .ok_or_else(|| ServiceError::NotFound(format!("no asset with id {asset}")))?;
    let h = &fleet.histories[i];
    let donation = all_fitness(ledger)
        .into_iter()
        .filter(|(c, _)| c.as_ref() == Some(asset))
        .map(|(_, r)| r)
        .collect();
    Ok(AssetDetail {
        state: h.events.last().map(|e| e.state),
        events: h.events.iter().map(|e| (*e).clone()).collect(),
        downtimes: h.downtimes.iter().map(|d| (*d).clone()).collect(),
        work_orders: h.work_orders.iter().map(|w| (*w).clone()).collect(),
        meter_readings: h.readings.iter().map(|r| (*r).clone()).collect(),
        donation,
        voided_events: ledger
            .asset_events
            .values()
            .filter(|e| &e.asset == asset && e.is_void())
            .cloned()
            .collect(),
        voided_downtimes: ledger
            .downtimes
            .values()
            .filter(|d| &d.asset == asset && d.is_void())
            .cloned()
            .collect(),
        asset: a,
    })
}
