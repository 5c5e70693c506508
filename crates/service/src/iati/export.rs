//! Export: the ledger's activities as IATI 2.03, with aidtrace's own data (citations, equipment
//! lines, sources) in its namespace at the end of each activity.

use aidtrace_domain::model::{
    Activity, ActivityStatus, Budget, BudgetKind, BudgetStatus, Flow, Instrument, OrgIdentifier,
    OrgKind, Organisation, ParticipantRole, Record,
};
use aidtrace_domain::{Money, RecordId};
use aidtrace_iati::model::Narrative;
use serde::Serialize;

use super::NO_DESCRIPTION;
use super::mapping::{PAYLOAD_RECORD, PAYLOAD_SOURCES};
use crate::Aidtrace;
use crate::error::{ServiceError, ServiceResult};

/// What an export wrote and what it could not.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ExportReport {
    pub activities: usize,
    pub flows: usize,
    pub budgets: usize,
    /// Records IATI cannot carry (e.g. a flow without any date: IATI requires one), with why.
    pub left_out: Vec<String>,
}

fn narratives_of(text: &str) -> Vec<Narrative> {
    vec![Narrative {
        lang: None,
        text: text.to_string(),
    }]
}

fn org_type_code(kind: OrgKind) -> Option<String> {
    Some(
        match kind {
            OrgKind::Government | OrgKind::Ministry | OrgKind::Embassy => "10",
            OrgKind::GovernmentAgency => "15",
            OrgKind::Ngo => "21",
            OrgKind::Multilateral => "40",
            OrgKind::University => "80",
            OrgKind::Supplier | OrgKind::Manufacturer => "70",
            // "Other": the schema requires a type on reporting-org, and a facility's operator
            // or an unclassified organisation has no closer code.
            OrgKind::FacilityOperator | OrgKind::Other => "90",
        }
        .to_string(),
    )
}

fn iati_ref(org: &Organisation) -> Option<String> {
    org.identifiers.iter().find_map(|i| match i {
        OrgIdentifier::Iati(id) => Some(id.to_string()),
        OrgIdentifier::IatiAsPublished(id) => Some(id.clone()),
        _ => None,
    })
}

fn iati_money(money: &Money, negative: bool) -> aidtrace_iati::model::Money {
    aidtrace_iati::model::Money {
        amount: Some(if negative {
            -money.amount
        } else {
            money.amount
        }),
        raw: None,
        currency: Some(money.currency.to_string()),
        value_date: money.value_date.map(|d| d.to_string()),
        ext: Default::default(),
    }
}

impl Aidtrace {
    /// Writes activities (all, or those named) as IATI 2.03, children in schema order.
    pub fn export_iati<W: std::io::Write>(
        &self,
        only: &[RecordId],
        out: &mut W,
    ) -> ServiceResult<ExportReport> {
        use aidtrace_iati::model as m;
        let ledger = self.ledger()?;
        for id in only {
            if !ledger.activities.contains_key(id) {
                return Err(ServiceError::NotFound(format!(
                    "activity {id} does not exist"
                )));
            }
        }
        let mut report = ExportReport::default();
        let org = |id: &RecordId| ledger.organisations.get(id);
        let flow_org = |id: &Option<RecordId>| {
            id.as_ref().and_then(org).map(|o| m::FlowOrg {
                r#ref: iati_ref(o),
                r#type: org_type_code(o.kind),
                activity_id: None,
                narratives: narratives_of(&o.name),
            })
        };
        let mut activities = Vec::new();
        for a in ledger
            .activities
            .values()
            .filter(|a| only.is_empty() || only.contains(&a.id))
        {
            let identifier = a
                .iati_identifier
                .clone()
                .unwrap_or_else(|| format!("aidtrace-{}", a.id));
            let mut x = m::IatiActivity {
                identifier,
                last_updated_datetime: a.iati_last_updated.clone(),
                ..Default::default()
            };
            x.reporting_org = Some(match a.reporting_org.as_ref().and_then(org) {
                Some(o) => m::ReportingOrg {
                    r#ref: iati_ref(o),
                    r#type: org_type_code(o.kind),
                    secondary_reporter: None,
                    narratives: narratives_of(&o.name),
                    ext: Default::default(),
                },
                None => m::ReportingOrg {
                    r#ref: Some("XX-AIDTRACE".to_string()),
                    r#type: Some("90".to_string()),
                    secondary_reporter: None,
                    narratives: narratives_of("aidtrace ledger"),
                    ext: Default::default(),
                },
            });
            x.title = Some(narratives_of(&a.title));
            // The 2.03 schema requires a description; say plainly when none was published.
            x.descriptions.push(m::Description {
                r#type: Some("1".to_string()),
                narratives: narratives_of(a.description.as_deref().unwrap_or(NO_DESCRIPTION)),
            });
            for p in &a.participants {
                let Some(o) = org(&p.org) else { continue };
                let role = match p.role {
                    ParticipantRole::Funding => "1",
                    ParticipantRole::Accountable => "2",
                    ParticipantRole::Extending => "3",
                    ParticipantRole::Implementing => "4",
                    ParticipantRole::Beneficiary => {
                        report.left_out.push(format!(
                            "activity {}: beneficiary {} (no IATI role)",
                            a.id, o.id
                        ));
                        continue;
                    }
                };
                x.participating_orgs.push(m::ParticipatingOrg {
                    r#ref: iati_ref(o),
                    r#type: org_type_code(o.kind),
                    role: Some(role.to_string()),
                    narratives: narratives_of(&o.name),
                    ..Default::default()
                });
            }
            x.activity_status = Some(
                match a.status {
                    ActivityStatus::Pipeline => "1",
                    ActivityStatus::Implementation => "2",
                    ActivityStatus::Finalisation => "3",
                    ActivityStatus::Closed => "4",
                    ActivityStatus::Cancelled => "5",
                    ActivityStatus::Suspended => "6",
                }
                .to_string(),
            );
            for (code, date) in [("1", a.start_date), ("3", a.end_date)] {
                if let Some(d) = date {
                    x.activity_dates.push(m::ActivityDate {
                        r#type: Some(code.to_string()),
                        iso_date: Some(d.to_string()),
                        narratives: vec![],
                    });
                }
            }
            if x.activity_dates.is_empty() {
                report.left_out.push(format!(
                    "activity {}: no dates known (IATI expects a start date)",
                    a.id
                ));
            }
            for c in &a.countries {
                x.recipient_countries.push(m::Classification {
                    code: Some(c.country.to_string()),
                    percentage: Some(c.percentage.normalize().to_string()),
                    ..Default::default()
                });
            }
            for s in &a.sectors {
                x.sectors.push(m::Classification {
                    code: Some(s.code.clone()),
                    vocabulary: Some("1".to_string()),
                    percentage: Some(s.percentage.normalize().to_string()),
                    ..Default::default()
                });
            }
            if !a.regions.is_empty() {
                report.left_out.push(format!(
                    "activity {}: subnational regions (IATI carries them as locations)",
                    a.id
                ));
            }
            match a.instrument {
                Instrument::GrantAid => x.default_finance_type = Some("110".to_string()),
                Instrument::Loan => x.default_finance_type = Some("410".to_string()),
                Instrument::BudgetSupport => x.default_aid_types.push(m::AidType {
                    code: Some("A01".into()),
                    vocabulary: None,
                }),
                Instrument::TechnicalCooperation => x.default_aid_types.push(m::AidType {
                    code: Some("D02".into()),
                    vocabulary: None,
                }),
                Instrument::TrainingExchange => x.default_aid_types.push(m::AidType {
                    code: Some("E01".into()),
                    vocabulary: None,
                }),
                Instrument::GrassrootsGrant | Instrument::InKind | Instrument::Other => {}
            }
            let mut budgets: Vec<&Budget> = ledger
                .budgets
                .values()
                .filter(|b| b.activity == a.id)
                .collect();
            budgets.sort_by_key(|b| (suffix_index(&b.id, "-b"), b.id.clone()));
            for b in budgets {
                let period = (
                    Some(b.period_start.to_string()),
                    Some(b.period_end.to_string()),
                );
                if b.kind == BudgetKind::PlannedDisbursement {
                    x.planned_disbursements.push(m::PlannedDisbursement {
                        r#type: None,
                        period_start: period.0,
                        period_end: period.1,
                        value: Some(iati_money(&b.money, false)),
                        provider_org: flow_org(&b.provider),
                        receiver_org: flow_org(&b.receiver),
                        ext: Default::default(),
                    });
                } else {
                    x.budgets.push(m::Budget {
                        r#type: Some(
                            if b.kind == BudgetKind::Revised {
                                "2"
                            } else {
                                "1"
                            }
                            .to_string(),
                        ),
                        status: b.status.map(|s| {
                            if s == BudgetStatus::Committed {
                                "2"
                            } else {
                                "1"
                            }
                            .to_string()
                        }),
                        period_start: period.0,
                        period_end: period.1,
                        value: Some(iati_money(&b.money, false)),
                        ext: Default::default(),
                    });
                }
                report.budgets += 1;
            }
            let mut flows: Vec<&Flow> = ledger
                .flows
                .values()
                .filter(|f| f.activity == a.id)
                .collect();
            // Imported transactions keep their order (their ids end in -t1, -t2, …).
            flows.sort_by_key(|f| (suffix_index(&f.id, "-t"), f.id.clone()));
            for f in flows {
                let Some(date) = f.money.value_date else {
                    report
                        .left_out
                        .push(format!("flow {}: no date, and IATI requires one", f.id));
                    continue;
                };
                x.transactions.push(m::Transaction {
                    transaction_type: Some(f.kind.iati_code().to_string()),
                    transaction_date: Some(date.to_string()),
                    value: Some(iati_money(&f.money, f.reversal)),
                    description: f.description.as_deref().map(narratives_of),
                    provider_org: flow_org(&f.provider),
                    receiver_org: flow_org(&f.receiver),
                    ..Default::default()
                });
                report.flows += 1;
            }
            if let Some(parent) = a.parent.as_ref().and_then(|p| ledger.activities.get(p)) {
                x.related_activities.push(m::RelatedActivity {
                    r#ref: Some(
                        parent
                            .iati_identifier
                            .clone()
                            .unwrap_or_else(|| format!("aidtrace-{}", parent.id)),
                    ),
                    r#type: Some("1".to_string()),
                });
            }
            x.ext.elements.extend(payload(&ledger, a)?);
            activities.push(x);
            report.activities += 1;
        }
        aidtrace_iati::writer::write_activities(out, None, activities.iter())
            .map_err(|e| ServiceError::Io(format!("writing IATI: {e}")))?;
        Ok(report)
    }
}

/// aidtrace's own data on an activity, for another aidtrace to read back (IATI readers skip
/// it: the schema allows any other namespace at the end of an activity): the activity's
/// citations, its equipment lines, and every source record they cite, each as its JSON.
fn payload(
    ledger: &aidtrace_domain::ledger::Ledger,
    a: &Activity,
) -> ServiceResult<Vec<aidtrace_iati::xml::Element>> {
    use aidtrace_iati::model::{AIDTRACE_NS, AIDTRACE_PREFIX};
    use aidtrace_iati::xml::{Element, Node};
    let element = |local: &str, json: String| Element {
        name: format!("{AIDTRACE_PREFIX}:{local}").into(),
        ns: Some(AIDTRACE_NS.to_string()),
        children: vec![Node::Text(json.into())],
        ..Element::default()
    };
    fn json<T: Serialize>(value: &T, activity: &RecordId) -> ServiceResult<String> {
        serde_json::to_string(value)
            .map_err(|e| ServiceError::Io(format!("writing aidtrace data of {activity}: {e}")))
    }
    let lines: Vec<&aidtrace_domain::model::EquipmentLine> = ledger.equipment_of(&a.id).collect();
    let mut cited: Vec<&RecordId> = a.sources.iter().map(|c| &c.source).collect();
    cited.extend(
        lines
            .iter()
            .flat_map(|l| l.sources.iter().map(|c| &c.source)),
    );
    cited.sort();
    cited.dedup();
    let mut out = Vec::new();
    if !a.sources.is_empty() {
        out.push(element(PAYLOAD_SOURCES, json(&a.sources, &a.id)?));
    }
    for id in cited {
        if let Some(src) = ledger.sources.get(id) {
            out.push(element(
                PAYLOAD_RECORD,
                json(&Record::Source(src.clone()), &a.id)?,
            ));
        }
    }
    for line in lines {
        out.push(element(
            PAYLOAD_RECORD,
            json(&Record::EquipmentLine(line.clone()), &a.id)?,
        ));
    }
    Ok(out)
}

/// The position an imported record had in its activity (`…-t3` is the third transaction).
fn suffix_index(id: &RecordId, marker: &str) -> u64 {
    id.as_str()
        .rsplit_once(marker)
        .and_then(|(_, n)| n.parse().ok())
        .unwrap_or(u64::MAX)
}
