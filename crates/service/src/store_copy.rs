//! Moving a whole store between backends (`aidtrace store copy`): the service names the rules
//! (the source must exist, the target must be empty, both chains must verify) and the store
//! crate does the copying.

use aidtrace_store::StoreUrl;
use aidtrace_store::copy::{CopyReport, copy_store};

use crate::{ServiceError, ServiceResult};

/// Copies everything `from` holds into the empty store `to`, and verifies both audit chains.
pub fn copy(from: &StoreUrl, to: &StoreUrl) -> ServiceResult<CopyReport> {
    if from == to {
        return Err(ServiceError::Parse(format!(
            "FROM and TO are the same store ({from}); copy into a new one"
        )));
    }
    if from.is_missing_file() {
        return Err(ServiceError::Parse(format!(
            "FROM {from} does not exist; name an existing store"
        )));
    }
    let source = from.open()?;
    let mut target = to.open()?;
    Ok(copy_store(source, target.as_mut())?)
}
