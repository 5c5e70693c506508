//! aidtrace domain core: the model, its validation, money and exchange rates, totals that never
//! double count, and data-quality rules. Pure: no files, no database, no clock.

pub mod assets;
pub mod checks;
pub mod claims_beside;
pub mod code_names;
pub mod coded;
pub mod codes;
pub mod country_names;
pub mod error;
pub mod filter;
pub mod fx;
pub mod ledger;
pub mod medicines;
pub mod model;
pub mod money;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod org_profile;
pub mod org_refs;
pub mod regions;
pub mod scoped_totals;
pub mod sectors;
pub mod sheet;
pub mod text;
pub mod totals;
pub mod validate;

pub use codes::{CountryCode, CurrencyCode, IatiOrgId, RecordId};
pub use error::ValidationError;
pub use ledger::Ledger;
pub use model::{Record, RecordKind};
pub use money::Money;
