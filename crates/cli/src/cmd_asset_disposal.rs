//! The disposal record's options of `aidtrace asset event ID disposed`.

use aidtrace_domain::assets::disposal::Disposal;
use clap::Args;

use crate::cmd_asset::value;
use crate::error::CliError;

#[derive(Debug, Args)]
pub struct DisposalArgs {
    /// Disposal method (with `disposed`): recycled, returned_to_manufacturer, donated_onward,
    /// sold, incinerated, landfill, other
    #[arg(long)]
    pub method: Option<String>,
    /// A hazardous material the device held (lead shielding, lithium battery…); repeat
    #[arg(long)]
    pub hazardous: Vec<String>,
    /// Whether its stored data were wiped: done, not_applicable, not_done
    #[arg(long)]
    pub data_wipe: Option<String>,
    /// The disposal or wipe certificate's reference
    #[arg(long)]
    pub certificate: Option<String>,
}

impl DisposalArgs {
    /// The record, when any disposal option was given; a partial one names what is missing.
    pub fn record(self) -> Result<Option<Disposal>, CliError> {
        let any = self.method.is_some()
            || self.data_wipe.is_some()
            || !self.hazardous.is_empty()
            || self.certificate.is_some();
        if !any {
            return Ok(None);
        }
        let method = self.method.ok_or_else(|| {
            CliError::input("--method: a disposal record needs the method (recycled, sold, …)")
        })?;
        let wipe = self.data_wipe.ok_or_else(|| {
            CliError::input(
                "--data-wipe: a disposal record needs whether the data were wiped (done, not_applicable, not_done)",
            )
        })?;
        Ok(Some(Disposal {
            method: value("method", &method)?,
            hazardous: self.hazardous,
            data_wipe: value("data-wipe", &wipe)?,
            certificate: self.certificate,
        }))
    }
}
