//! A finding's message as an id and arguments, beside the English sentence the CLI and the API
//! print, so an interface can say it in its reader's language: the web app looks the id up as
//! `chk-<id>` in its catalogues and formats each argument as that language writes it.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::ledger::RateDateBasis;
use crate::model::FlowKind;

/// One argument, typed so an interface can format it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// Names, ids, codes and sources: shown as they are.
    Text(String),
    /// An amount, shown to two decimal places at most.
    Amount(Decimal),
    /// A ratio, shown to two decimal places.
    Ratio(Decimal),
    Date(NaiveDate),
    /// A whole number; catalogues may choose a plural form by it.
    Count(i64),
    Kind(FlowKind),
    Basis(RateDateBasis),
}

/// The message id (`fx-equiv`, …) and its named arguments.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Message {
    pub id: &'static str,
    pub args: Vec<(&'static str, Arg)>,
}

impl Message {
    pub fn new(id: &'static str) -> Self {
        Self {
            id,
            args: Vec::new(),
        }
    }

    pub fn text(mut self, name: &'static str, v: impl ToString) -> Self {
        self.args.push((name, Arg::Text(v.to_string())));
        self
    }

    pub fn amount(mut self, name: &'static str, v: Decimal) -> Self {
        self.args.push((name, Arg::Amount(v)));
        self
    }

    pub fn ratio(mut self, name: &'static str, v: Decimal) -> Self {
        self.args.push((name, Arg::Ratio(v)));
        self
    }

    pub fn date(mut self, name: &'static str, v: NaiveDate) -> Self {
        self.args.push((name, Arg::Date(v)));
        self
    }

    pub fn count(mut self, name: &'static str, v: i64) -> Self {
        self.args.push((name, Arg::Count(v)));
        self
    }

    pub fn kind(mut self, name: &'static str, v: FlowKind) -> Self {
        self.args.push((name, Arg::Kind(v)));
        self
    }

    pub fn basis(mut self, name: &'static str, v: RateDateBasis) -> Self {
        self.args.push((name, Arg::Basis(v)));
        self
    }
}

/// Every message id the checks use, for the interfaces' catalogue tests.
pub const MESSAGE_IDS: &[&str] = &[
    "fac-nolocation",
    "iati-left-out",
    "fx-withdrawn",
    "ledger-nosource",
    "fx-missing-rate",
    "fx-unconverted",
    "fx-nodate",
    "ledger-overflow-amount",
    "overflow-flow-usd",
    "overflow-children",
    "overflow-commitments",
    "overflow-disbursements",
    "overflow-equipment",
    "fx-provisional-undated",
    "fx-provisional",
    "fx-equiv",
    "fx-equiv-provisional",
    "ledger-overalloc",
    "ledger-envelope",
    "ledger-early-disbursement",
    "ledger-provider",
    "act-nosector",
    "ledger-pipeline",
    "ledger-overspent",
    "ledger-overspent-ratio",
    "eq-overcost",
    "ggp-window",
    "ggp-ceiling",
    "ggp-ceiling-principle",
    "ggp-ceiling-provisional",
    "ggp-ceiling-principle-provisional",
    "act-overdue",
    "ledger-undisbursed",
    "eq-sum",
];

#[cfg(test)]
mod tests {
    use super::MESSAGE_IDS;

    /// The ids the checks' sources name: every quoted text made only of lower-case letters and
    /// hyphens (with at least one hyphen), outside comments.
    fn ids_in(source: &str) -> Vec<String> {
        source
            .lines()
            .map(str::trim)
            .filter(|l| !l.starts_with("//"))
            .flat_map(|l| l.split('"').skip(1).step_by(2))
            .filter(|q| q.contains('-') && q.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'))
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn every_message_id_the_checks_use_is_listed() {
        let used: Vec<String> = [
            include_str!("../checks.rs"),
            include_str!("schedule.rs"),
            include_str!("equipment.rs"),
        ]
        .into_iter()
        .flat_map(ids_in)
        .collect();
        assert!(used.len() >= 20, "{used:?}");
        for id in &used {
            assert!(
                MESSAGE_IDS.contains(&id.as_str()),
                "{id} is not in MESSAGE_IDS"
            );
        }
        for id in MESSAGE_IDS {
            assert!(
                used.iter().any(|u| u == id),
                "{id} is listed but never used"
            );
        }
    }
}
