//! The dashboard's filter as command-line flags. The flags are put into the same `name=value`
//! pairs a web address carries and read by the one parser (`aidtrace_domain::filter::Filter`),
//! so `aidtrace report totals --donor org-japan --year-from 2024` and
//! `/api/v1/reports/totals?donor=org-japan&year_from=2024` mean the same and refuse the same.

use aidtrace_domain::filter::Filter;
use clap::Args;

use crate::error::CliError;

#[derive(Debug, Clone, Args)]
pub struct FilterArgs {
    /// First year of the flows' value date (inclusive)
    #[arg(long)]
    pub year_from: Option<String>,
    /// Last year of the flows' value date (inclusive)
    #[arg(long)]
    pub year_to: Option<String>,
    /// Donor organisation id (the provider of the money, or the activity's funding participant)
    #[arg(long)]
    pub donor: Option<String>,
    /// true (default): a donor includes the agencies under it and totals by donor are per top
    /// organisation; false: each agency apart
    #[arg(long)]
    pub agencies: Option<String>,
    /// Recipient country (ISO 3166-1 alpha-2); counts the country's percentage of split flows
    #[arg(long)]
    pub recipient: Option<String>,
    /// Region name, optionally after its country (KZ:Abai); counts the region's percentage
    #[arg(long)]
    pub region: Option<String>,
    /// DAC purpose code (12191) or category (121); counts the matching sectors' percentage
    #[arg(long)]
    pub sector: Option<String>,
    /// Facility id: flows of activities that name it
    #[arg(long)]
    pub facility: Option<String>,
    /// Flow kind (pledge, commitment, disbursement, expenditure, …)
    #[arg(long)]
    pub kind: Option<String>,
    /// Activity status (pipeline, implementation, finalisation, closed, cancelled, suspended)
    #[arg(long)]
    pub status: Option<String>,
    /// Activity instrument (grant_aid, grassroots_grant, technical_cooperation, …)
    #[arg(long)]
    pub instrument: Option<String>,
    /// Currency of the converted figures (any with rates)
    #[arg(long, default_value = "USD")]
    pub currency: String,
}

impl FilterArgs {
    /// The filter, or an input error naming the flag and the value (exit code 2).
    pub fn parse(&self) -> Result<Filter, CliError> {
        let given = [
            ("year_from", &self.year_from),
            ("year_to", &self.year_to),
            ("donor", &self.donor),
            ("agencies", &self.agencies),
            ("recipient", &self.recipient),
            ("region", &self.region),
            ("sector", &self.sector),
            ("facility", &self.facility),
            ("kind", &self.kind),
            ("status", &self.status),
            ("instrument", &self.instrument),
        ];
        let mut pairs: Vec<(&str, &str)> = given
            .iter()
            .filter_map(|(k, v)| v.as_deref().map(|v| (*k, v)))
            .collect();
        pairs.push(("currency", &self.currency));
        Filter::parse(pairs, &[]).map_err(|e| {
            CliError::input(format!(
                "--{} {:?}: {}",
                e.field.replace('_', "-"),
                e.value,
                e.problem.english()
            ))
        })
    }
}
