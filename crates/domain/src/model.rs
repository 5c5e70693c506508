//! The aidtrace model: who gives what to whom, through which agreement, for which facility and
//! equipment, and where each fact comes from. Unknown facts stay `None`; nothing is invented.

use chrono::NaiveDate;

use crate::codes::RecordId;
use crate::error::ValidationError;

mod activity;
mod drafts;
mod facilities;
mod flows;
mod orgs;
mod partnerships;
mod provenance;
mod record;

pub use activity::{
    Activity, ActivityStatus, CountryShare, Instrument, LeftOut, LegalStep, LegalStepKind,
    Participant, ParticipantRole, RegionShare, SectorShare, Signatory,
};
pub use drafts::{DraftFact, DraftStatus, IntakeDraft};
pub use facilities::{
    EquipmentCategory, EquipmentLine, Facility, FacilityKind, FacilityStatus, GeneratorFuel,
    GeneratorRating, GeoPoint, StatusChange,
};
pub use flows::{Budget, BudgetKind, BudgetStatus, Claim, ClaimKind, Flow, FlowKind, RecordedRate};
pub use orgs::{OrgAlias, OrgIdentifier, OrgKind, OrgRole, Organisation};
pub use partnerships::{MarketRegistration, Partnership, PartnershipArea, ProductKind};
pub use provenance::{Citation, Source, SourceKind};
pub use record::{Record, RecordKind};

/// Convenience for citing a source without a quote.
pub fn cite(source: &RecordId, quote: &str) -> Citation {
    Citation {
        source: source.clone(),
        quote: Some(quote.to_string()),
        field: None,
    }
}

pub(crate) fn non_empty(field: &str, value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        Err(ValidationError::new(field, value, "must not be empty")
            .because(crate::error::ProblemId::Empty))
    } else {
        Ok(())
    }
}

/// The years a date may fall in: aid records begin in the 20th century and the longest loans
/// (40 years and a grace period) end before 2100. A year outside is a typo (0, 10000, 2204).
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

/// Refuses a date whose year lies outside [`YEARS`], naming the field.
pub fn plausible_date(field: &str, date: NaiveDate) -> Result<(), ValidationError> {
    use chrono::Datelike;
    if YEARS.contains(&date.year()) {
        Ok(())
    } else {
        Err(ValidationError::new(
            field,
            date,
            format!(
                "the year must lie between {} and {}",
                YEARS.start(),
                YEARS.end()
            ),
        )
        .because(crate::error::ProblemId::YearOutOfRange)
        .with_text("from", YEARS.start())
        .with_text("to", YEARS.end()))
    }
}

/// The same for a list of optional dates, each with its field.
pub fn plausible_dates(dates: &[(&str, Option<NaiveDate>)]) -> Result<(), ValidationError> {
    for (field, date) in dates {
        if let Some(d) = date {
            plausible_date(field, *d)?;
        }
    }
    Ok(())
}
