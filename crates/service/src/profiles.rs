//! Reports that read one snapshot of the ledger and its rates: an organisation's profile,
//! claims beside the records of their scope, and regional equity. The computations are the
//! domain's (`org_profile`, `claims_beside`, `regions`); the service opens the ledger and says
//! what was not found.

use aidtrace_domain::claims_beside::{self, ClaimBeside, EquivalentCheck};
use aidtrace_domain::model::FlowKind;
use aidtrace_domain::org_profile::{self, OrgProfile};
use aidtrace_domain::regions::{self, RegionalEquity};
use aidtrace_domain::{CountryCode, CurrencyCode, RecordId};

use crate::{Aidtrace, ServiceError, ServiceResult};

impl Aidtrace {
    /// Organisation `id` as provider, receiver and participant, with totals in `currency`.
    pub fn organisation_profile(
        &self,
        id: &RecordId,
        currency: &CurrencyCode,
    ) -> ServiceResult<OrgProfile> {
        org_profile::org_profile(&self.ledger()?, &self.rates()?, id, currency)
            .ok_or_else(|| ServiceError::NotFound(format!("no organisation {id}")))
    }

    /// Every claim beside what the ledger records for its scope (never added to any total).
    pub fn claims_beside(&self) -> ServiceResult<Vec<ClaimBeside>> {
        Ok(claims_beside::claims_beside(
            &self.ledger()?,
            &self.rates()?,
        ))
    }

    /// The stated equivalents of an activity's flows against the recorded and claimed amounts.
    pub fn equivalent_checks(&self, activity: &RecordId) -> ServiceResult<Vec<EquivalentCheck>> {
        let ledger = self.ledger()?;
        if !ledger.activities.contains_key(activity) {
            return Err(ServiceError::NotFound(format!("no activity {activity}")));
        }
        Ok(claims_beside::equivalent_checks(
            &ledger,
            &self.rates()?,
            activity,
        ))
    }

    /// Aid per person, devices per million and facilities' status per region of `country`,
    /// ranked by aid per person of `kind`, converted into `currency`.
    pub fn regional_equity(
        &self,
        country: &CountryCode,
        kind: FlowKind,
        currency: &CurrencyCode,
    ) -> ServiceResult<RegionalEquity> {
        Ok(regions::regional_equity(
            &self.ledger()?,
            &self.rates()?,
            country,
            currency,
            kind,
        ))
    }
}
