//! Uptime over contracted hours per asset (`domain::assets::coverage`): read from each asset's
//! contract records (their span and covered hours, the guarantee checked against the figure), or
//! over a typed window when one is given ("what if the cover were Mon–Fri 08–17?").

use aidtrace_domain::assets::coverage::{ContractedUptime, Coverage};

use super::*;

/// Contracted uptime of each asset (of one facility, or all) over `period`, with the fleet's
/// ratio of sums under `all`. Without `coverage`, only the assets whose contracts define
/// contracted hours in the period are listed, each with its contracts and guarantee.
pub fn contracted_uptime(
    app: &Aidtrace,
    period: Period,
    coverage: Option<&Coverage>,
    facility: Option<&RecordId>,
) -> ServiceResult<BTreeMap<String, ContractedUptime>> {
    // Hours still to come are neither up nor down (see `lived_period`).
    let period = super::lived_period(app, period)?;
    let ledger = app.ledger()?;
    let fleet = Fleet::build(&ledger);
    let picked: Vec<usize> = match facility {
        Some(f) => fleet.facility_assets(f).to_vec(),
        None => (0..fleet.assets.len()).collect(),
    };
    let mut out = BTreeMap::new();
    for &i in &picked {
        let row = match coverage {
            Some(c) => Some(fleet.contracted_uptime([i], period, c)),
            None => fleet.contract_uptime(i, period),
        };
        if let Some(row) = row {
            out.insert(fleet.assets[i].id.to_string(), row);
        }
    }
    let all = match coverage {
        Some(c) => fleet.contracted_uptime(picked, period, c),
        None => fleet.contract_uptime_all(picked, period),
    };
    out.insert("all".to_string(), all);
    Ok(out)
}
