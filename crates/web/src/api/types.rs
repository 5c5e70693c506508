//! Response bodies of `/api/v1` that are not domain types, as Rust types deriving both
//! `Serialize` and `utoipa::ToSchema`, so the OpenAPI document is generated from what is sent.

use std::collections::BTreeMap;

use aidtrace_domain::checks::Severity;
use aidtrace_domain::model::FlowKind;
use aidtrace_domain::totals::Sum;
use aidtrace_domain::{CurrencyCode, Ledger, RecordId};
use serde::Serialize;
use utoipa::ToSchema;

use crate::summary::TotalsSummary;

/// `GET /api/v1/dashboard`: counts, findings by severity and USD totals by each grouping.
#[derive(Debug, Serialize, ToSchema)]
pub struct Dashboard {
    pub counts: Counts,
    pub findings: FindingCounts,
    /// By grouping (`donor`, `recipient`, `region`, `sector`, `year`, `facility`).
    pub totals: BTreeMap<String, DashboardTotals>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Counts {
    pub organisations: usize,
    pub activities: usize,
    pub facilities: usize,
    pub flows: usize,
    pub equipment_lines: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FindingCounts {
    pub errors: usize,
    pub warnings: usize,
    pub info: usize,
}

/// Sums only: the rates behind each figure are on the dashboard page and in
/// `/api/v1/reports/totals`, which keeps this, the most requested document, small.
#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardTotals {
    pub currency: CurrencyCode,
    pub attribution: String,
    pub rows: Vec<DashboardRow>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardRow {
    pub key: String,
    pub kind: FlowKind,
    /// Sum in each original currency (exact, or "overflow").
    pub original: BTreeMap<CurrencyCode, Sum>,
    pub converted: Option<Sum>,
    pub converted_complete: bool,
    pub flows: usize,
    pub rates_used: usize,
    /// Flows in this sum converted at the latest rate because none covers their date.
    pub provisional_flows: usize,
}

impl Dashboard {
    pub fn of(
        ledger: &Ledger,
        findings: &crate::findings::Findings,
        totals: &BTreeMap<&'static str, TotalsSummary>,
    ) -> Self {
        let count = |s: Severity| findings.count(s);
        Self {
            counts: Counts {
                organisations: ledger.organisations.len(),
                activities: ledger.activities.len(),
                facilities: ledger.facilities.len(),
                flows: ledger.flows.len(),
                equipment_lines: ledger.equipment_lines.len(),
            },
            findings: FindingCounts {
                errors: count(Severity::Error),
                warnings: count(Severity::Warning),
                info: count(Severity::Info),
            },
            totals: totals
                .iter()
                .map(|(by, t)| {
                    let rows = t
                        .rows
                        .iter()
                        .map(|r| DashboardRow {
                            key: r.key.clone(),
                            kind: r.kind,
                            original: r.original.clone(),
                            converted: r.converted,
                            converted_complete: r.converted_complete,
                            flows: r.flows,
                            rates_used: r.rates.len(),
                            provisional_flows: r
                                .rates
                                .iter()
                                .filter(|u| u.provisional.is_some())
                                .map(|u| u.flows)
                                .sum(),
                        })
                        .collect();
                    let t = DashboardTotals {
                        currency: t.currency.clone(),
                        attribution: t.attribution.to_string(),
                        rows,
                    };
                    ((*by).to_string(), t)
                })
                .collect(),
        }
    }
}

/// `POST /api/v1/changes/{id}/{action}`: the change and the state it is now in.
#[derive(Debug, Serialize, ToSchema)]
pub struct Decided {
    #[schema(example = 7)]
    pub change: i64,
    #[schema(example = "approved")]
    pub state: ChangeStateName,
}

/// The states of a proposed change (`aidtrace_store::ChangeState`'s names).
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeStateName {
    Draft,
    Submitted,
    Approved,
    Rejected,
}

impl From<aidtrace_store::ChangeState> for ChangeStateName {
    fn from(s: aidtrace_store::ChangeState) -> Self {
        use aidtrace_store::ChangeState as S;
        match s {
            S::Draft => Self::Draft,
            S::Submitted => Self::Submitted,
            S::Approved => Self::Approved,
            S::Rejected => Self::Rejected,
        }
    }
}

/// A proposed change as `GET /api/v1/changes` lists it: the schema of
/// `aidtrace_store::ChangeRow`'s JSON form (the store crate does not depend on utoipa; the test
/// `openapi_document` checks a real row against this schema's fields).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ChangeRow)]
pub struct ChangeRowSchema {
    pub id: i64,
    /// The record kind, e.g. `activity`.
    pub kind: String,
    pub record_id: RecordId,
    /// The proposed record(s) as JSON text.
    pub doc: String,
    /// The ETag of the record the change was made against.
    pub base_etag: Option<String>,
    pub state: ChangeStateName,
    pub author: String,
    pub created_at: String,
    pub updated_at: String,
    pub decided_by: Option<String>,
    pub note: Option<String>,
    /// Drafts and submitted changes only: `records`, each proposed record compared field by
    /// field with the stored one (typed values), and `findings` the approval would have
    /// `added` and `cleared`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub review: Option<serde_json::Value>,
}
