//! Uptime over contracted hours per asset (`domain::assets::coverage`): the window is an input
//! until contracts carry it.

use aidtrace_domain::assets::coverage::{ContractedUptime, Coverage};

use super::*;

/// Contracted uptime of each asset (of one facility, or all) over `period`, with the fleet's
/// ratio of sums under `all`.
pub fn contracted_uptime(
    app: &Aidtrace,
    period: Period,
    coverage: &Coverage,
    facility: Option<&RecordId>,
) -> ServiceResult<BTreeMap<String, ContractedUptime>> {
    let ledger = app.ledger()?;
    let fleet = Fleet::build(&ledger);
    let picked: Vec<usize> = match facility {
        Some(f) => fleet.facility_assets(f).to_vec(),
        None => (0..fleet.assets.len()).collect(),
    };
    let mut out = BTreeMap::new();
    for &i in &picked {
        out.insert(
            fleet.assets[i].id.to_string(),
            fleet.contracted_uptime([i], period, coverage),
        );
    }
    out.insert(
        "all".to_string(),
        fleet.contracted_uptime(picked, period, coverage),
    );
    Ok(out)
}
