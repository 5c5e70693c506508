//! The disposal record: how a retired device left the world, what hazardous materials it held and
//! whether its patient data were wiped. WHO (2011), *Medical equipment maintenance programme
//! overview*, and the WHO *Decommissioning medical devices* (2019) technical series ask for all
//! three: a device may hold lead, mercury, batteries or radioactive sources, and its storage may
//! hold patient records.

use serde::{Deserialize, Serialize};

use crate::error::{ProblemId, ValidationError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum DisposalMethod {
    Recycled,
    ReturnedToManufacturer,
    DonatedOnward,
    Sold,
    Incinerated,
    Landfill,
    Other,
}

/// Whether the device's stored data (patient images, logs, accounts) were erased.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum DataWipe {
    Done,
    /// The device stores no data.
    NotApplicable,
    NotDone,
}

impl DisposalMethod {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl DataWipe {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// Kept on the `disposed` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disposal {
    pub method: DisposalMethod,
    /// Hazardous materials the device held and were handled (e.g. "lead shielding",
    /// "lithium battery"); empty when it held none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hazardous: Vec<String>,
    pub data_wipe: DataWipe,
    /// The disposal or wipe certificate's reference, when one was issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
}

pub fn check(d: &Disposal) -> Result<(), ValidationError> {
    for (i, h) in d.hazardous.iter().enumerate() {
        if h.trim().is_empty() {
            return Err(ValidationError::new(
                format!("disposal.hazardous[{i}]"),
                h,
                "a hazardous material needs a name",
            )
            .because(ProblemId::Empty));
        }
    }
    if d.certificate.as_ref().is_some_and(|c| c.trim().is_empty()) {
        return Err(ValidationError::new(
            "disposal.certificate",
            "",
            "leave the certificate out rather than empty",
        )
        .because(ProblemId::LeaveOutNotEmpty));
    }
    Ok(())
}
