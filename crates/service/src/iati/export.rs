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
use super::mapping::{
    BUDGET_ID_ATTR, PAYLOAD_RECORD, PAYLOAD_SOURCES, PAYLOAD_SUPPLIED, SUPPLIED_SECTOR,
    SUPPLIED_START_DATE,
};
use crate::Aidtrace;
use crate::error::{ServiceError, ServiceResult};

/// What an export wrote and what it could not.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ExportReport {
    /// Activities written (each passed the project's validator).
    pub activities: usize,
    pub flows: usize,
    pub budgets: usize,
    /// Records IATI cannot carry (e.g. a flow without any date: IATI requires one), with why.
    pub left_out: Vec<String>,
    /// What the export filled in to meet IATI's rules where the ledger has nothing (a planned
    /// start date, "sectors not specified"), per activity.
    pub supplied: Vec<String>,
    /// Activities not written because the file would then fail the IATI 2.03 schema, a
    /// codelist or a rule (`aidtrace iati validate`), each with the validator's findings.
    pub excluded: Vec<ExcludedActivity>,
}

/// An activity an export left out, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExcludedActivity {
    pub activity: RecordId,
    pub identifier: String,
    /// Nothing in the ledger dates the activity: no start date, and no dated legal step,
    /// budget, flow or cited source to give a planned start from. IATI requires one (rule
    /// 6.11.1, and the schema's `activity-date`); the validator's own words for it (an element
    /// "not expected" where `activity-date` is) are left out of `reasons`.
    pub undated: bool,
    /// The name of its reporting organisation when that one has no IATI organisation
    /// identifier, which the schema requires on `reporting-org` (the validator's words for it,
    /// a missing `ref` attribute, are left out of `reasons`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reporter_without_ref: Option<String>,
    /// The validator's other errors for it, as `[layer/rule] message`.
    pub reasons: Vec<String>,
}

impl ExcludedActivity {
    /// Every reason in English, the missing date first: for the command line and errors.
    pub fn explained(&self) -> Vec<String> {
        let undated = self.undated.then(|| UNDATED.to_string());
        let reporter = self.reporter_without_ref.as_ref().map(|name| {
            format!(
                "its reporting organisation ({name}) has no IATI organisation identifier, which IATI requires; add one to the organisation"
            )
        });
        undated
            .into_iter()
            .chain(reporter)
            .chain(self.reasons.clone())
            .collect()
    }
}

/// Why an undated activity is left out, in English (the web says it in the reader's language).
const UNDATED: &str = "nothing dates the activity: IATI requires a planned or actual start date (rule 6.11.1); record its start date, or a dated legal step, budget, flow or source";

/// Which activities an export covers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ActivityFilter {
    #[default]
    All,
    /// These activities (each must exist), in ledger order.
    Only(Vec<RecordId>),
}

impl ActivityFilter {
    fn covers(&self, id: &RecordId) -> bool {
        match self {
            Self::All => true,
            Self::Only(ids) => ids.contains(id),
        }
    }
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
    /// Writes activities (all, or those named; empty means all) as IATI 2.03: see
    /// [`Aidtrace::export_iati_checked`].
    pub fn export_iati<W: std::io::Write>(
        &self,
        only: &[RecordId],
        out: &mut W,
    ) -> ServiceResult<ExportReport> {
        let filter = if only.is_empty() {
            ActivityFilter::All
        } else {
            ActivityFilter::Only(only.to_vec())
        };
        self.export_iati_checked(&filter, out)
    }

    /// Writes the activities `filter` names as IATI 2.03, children in schema order, each one
    /// checked by the project's validator (schema, codelists, rules: what `aidtrace iati
    /// validate` runs) before it is written. An activity that would fail is left out and listed
    /// in [`ExportReport::excluded`] with the findings; what IATI cannot carry of a written
    /// activity is in [`ExportReport::left_out`]. So the output always validates clean.
    /// `NotFound` when the filter names an activity the ledger lacks, or when no activity would
    /// be valid (the schema needs at least one); nothing is written then.
    pub fn export_iati_checked<W: std::io::Write>(
        &self,
        filter: &ActivityFilter,
        out: &mut W,
    ) -> ServiceResult<ExportReport> {
        let report = self.export_iati_valid(filter, out)?;
        if report.activities == 0 {
            let why: Vec<String> = report
                .excluded
                .iter()
                .take(5)
                .map(|x| format!("{}: {}", x.activity, x.explained().join("; ")))
                .collect();
            return Err(ServiceError::NotFound(format!(
                "no activity can be exported as valid IATI 2.03{}{}",
                if why.is_empty() { "" } else { ": " },
                why.join(" | ")
            )));
        }
        Ok(report)
    }

    /// [`Self::export_iati_checked`], but when no activity would be valid it writes nothing and
    /// returns the report with `activities == 0` and every activity in `excluded` with its
    /// reasons, for a page that shows them (the web's export preview).
    pub fn export_iati_valid<W: std::io::Write>(
        &self,
        filter: &ActivityFilter,
        out: &mut W,
    ) -> ServiceResult<ExportReport> {
        use aidtrace_iati::model as m;
        let ledger = self.ledger()?;
        let only: &[RecordId] = match filter {
            ActivityFilter::All => &[],
            ActivityFilter::Only(ids) => ids,
        };
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
        // Budgets by activity, once (the ledger indexes flows, not budgets).
        let mut budgets_of: std::collections::HashMap<&RecordId, Vec<&Budget>> =
            std::collections::HashMap::new();
        for b in ledger.budgets.values() {
            budgets_of.entry(&b.activity).or_default().push(b);
        }
        // Flows that carry donated consignments' value: in-kind disbursements.
        let in_kind = crate::medicine_in_kind::carried_by(&ledger);
        let mut activities = Vec::new();
        for a in ledger.activities.values().filter(|a| filter.covers(&a.id)) {
            let identifier = a
                .iati_identifier
                .clone()
                .unwrap_or_else(|| format!("aidtrace-{}", a.id));
            // Rule 4.1.1 asks for the language of the narratives: the language of the source the
            // activity was recorded from when the ledger knows it, else English, in which the
            // ledger keeps imported text when the publisher gave it.
            let lang = a
                .sources
                .first()
                .and_then(|c| ledger.sources.get(&c.source))
                .and_then(|s| s.language.clone())
                .unwrap_or_else(|| "en".to_string());
            let mut x = m::IatiActivity {
                identifier,
                lang: Some(lang),
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
            // IATI requires a start date (rule 6.11.1, and the schema an activity-date): without
            // one recorded, the earliest date the ledger knows for the activity (a legal step, a
            // budget period, a flow) is given as the planned start, and said so.
            // What is filled in is named in aidtrace's namespace too, so another aidtrace importing
            // the file does not take it for recorded data.
            let mut supplied = Vec::new();
            // Reported only if the activity is written.
            let mut filled_in = Vec::new();
            let start = a.start_date.or_else(|| {
                let earliest = earliest_date(
                    &ledger,
                    a,
                    budgets_of.get(&a.id).map_or(&[], Vec::as_slice),
                )?;
                filled_in.push(format!(
                    "activity {}: no start date recorded; planned start {earliest} given, the earliest date of its legal steps, budgets, flows and cited sources",
                    a.id
                ));
                supplied.push(SUPPLIED_START_DATE);
                Some(earliest)
            });
            for (code, date) in [("1", start), ("3", a.end_date)] {
                if let Some(d) = date {
                    x.activity_dates.push(m::ActivityDate {
                        r#type: Some(code.to_string()),
                        iso_date: Some(d.to_string()),
                        narratives: vec![],
                    });
                }
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
            if a.sectors.is_empty() {
                // Rule 6.2.2 requires a sector; DAC 99810 is the code for "sectors not specified".
                x.sectors.push(m::Classification {
                    code: Some(SECTORS_NOT_SPECIFIED.to_string()),
                    vocabulary: Some("1".to_string()),
                    ..Default::default()
                });
                filled_in.push(format!(
                    "activity {}: no sector recorded; exported as {SECTORS_NOT_SPECIFIED} (sectors not specified)",
                    a.id
                ));
                supplied.push(SUPPLIED_SECTOR);
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
            let mut budgets: Vec<&Budget> = budgets_of.get(&a.id).cloned().unwrap_or_default();
            budgets.sort_by_key(|b| (suffix_index(&b.id, "-b"), b.id.clone()));
            let mut carried = Vec::new();
            for b in budgets {
                if b.kind != BudgetKind::PlannedDisbursement && longer_than_a_year(b) {
                    report.left_out.push(format!(
                        "budget {}: period {} to {} is longer than the one year IATI allows (rule 7.5.3); carried only as aidtrace data",
                        b.id, b.period_start, b.period_end
                    ));
                    carried.push(b);
                    continue;
                }
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
                        ext: id_attr(&b.id),
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
                        ext: id_attr(&b.id),
                    });
                }
            }
            let mut flows: Vec<&Flow> = ledger.flows_of(&a.id).collect();
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
                    disbursement_channel: in_kind
                        .get(&f.id)
                        .and_then(|cs| cs.first())
                        .map(|c| crate::medicine_in_kind::disbursement_channel(c.mode).to_string()),
                    finance_type: in_kind
                        .contains_key(&f.id)
                        .then(|| crate::medicine_in_kind::IN_KIND_FINANCE_TYPE.to_string()),
                    ..Default::default()
                });
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
            x.ext
                .elements
                .extend(payload(&ledger, a, &carried, &supplied)?);
            activities.push((a.id.clone(), x, filled_in));
        }
        let activities = keep_valid(activities, &mut report)?;
        // The schema requires at least one activity: an empty file would not be valid IATI.
        if activities.is_empty() {
            return Ok(report);
        }
        aidtrace_iati::writer::write_activities(out, None, activities.iter())
            .map_err(|e| ServiceError::Io(format!("writing IATI: {e}")))?;
        Ok(report)
    }
}

/// IATI rule 7.5.3: a budget period is at most one year.
fn longer_than_a_year(b: &Budget) -> bool {
    b.period_start
        .checked_add_months(chrono::Months::new(12))
        .is_some_and(|limit| b.period_end > limit)
}

/// The budget's record id in aidtrace's namespace, so that another aidtrace importing the file
/// keeps it even when a budget before it was carried only as aidtrace data (ids otherwise
/// follow the position in the file).
fn id_attr(id: &RecordId) -> aidtrace_iati::model::Ext {
    use aidtrace_iati::model::{AIDTRACE_NS, AIDTRACE_PREFIX};
    aidtrace_iati::model::Ext {
        attrs: vec![aidtrace_iati::xml::Attr {
            name: format!("{AIDTRACE_PREFIX}:{BUDGET_ID_ATTR}").into(),
            ns: Some(AIDTRACE_NS.to_string()),
            value: id.as_str().into(),
        }],
        ..Default::default()
    }
}

/// The DAC purpose code for "sectors not specified".
const SECTORS_NOT_SPECIFIED: &str = "99810";

/// The earliest date recorded for an activity: its legal steps, budget periods and flows, and
/// the publication of the sources it cites (an activity announced in a press release was known
/// by then; for an entry from an announcement it is the only date there is).
fn earliest_date(
    ledger: &aidtrace_domain::ledger::Ledger,
    a: &Activity,
    budgets: &[&Budget],
) -> Option<chrono::NaiveDate> {
    let steps = a.legal_steps.iter().filter_map(|s| s.date);
    let budgets = budgets.iter().map(|b| b.period_start);
    let flows = ledger.flows_of(&a.id).filter_map(|f| f.money.value_date);
    let published = a
        .sources
        .iter()
        .filter_map(|c| ledger.sources.get(&c.source)?.published);
    steps.chain(budgets).chain(flows).chain(published).min()
}

/// Runs the project's validator on each activity alone (its rules are per activity) and keeps
/// those without errors; the others go to `report.excluded` with the findings.
fn keep_valid(
    activities: Vec<(RecordId, aidtrace_iati::model::IatiActivity, Vec<String>)>,
    report: &mut ExportReport,
) -> ServiceResult<Vec<aidtrace_iati::model::IatiActivity>> {
    use aidtrace_iati::validate::{Options, Severity, validate_reader};
    let options = Options::default();
    let mut kept = Vec::with_capacity(activities.len());
    let mut doc = Vec::new();
    for (id, x, filled_in) in activities {
        // An activity nothing dates fails for that alone, in words (an element "not expected"
        // where the date belongs) that do not say so; it is checked with a stand-in start date
        // so that its other findings are the ones listed beside "undated".
        let undated = !x
            .activity_dates
            .iter()
            .any(|d| matches!(d.r#type.as_deref(), Some("1" | "2")));
        let probe;
        let checked_form = if undated {
            let mut dated = x.clone();
            let end = dated
                .activity_dates
                .iter()
                .find_map(|d| d.iso_date.clone())
                .unwrap_or_else(|| "2000-01-01".to_string());
            dated.activity_dates.insert(
                0,
                aidtrace_iati::model::ActivityDate {
                    r#type: Some("1".to_string()),
                    iso_date: Some(end),
                    narratives: vec![],
                },
            );
            probe = dated;
            &probe
        } else {
            &x
        };
        doc.clear();
        aidtrace_iati::writer::write_activities(&mut doc, None, [checked_form])
            .map_err(|e| ServiceError::Io(format!("writing IATI: {e}")))?;
        let checked = validate_reader(x.identifier.as_str(), doc.as_slice(), &options);
        let reporter_without_ref =
            x.reporting_org
                .as_ref()
                .filter(|r| r.r#ref.is_none())
                .map(|r| {
                    r.narratives
                        .first()
                        .map_or_else(String::new, |n| n.text.clone())
                });
        let reasons: Vec<String> = checked
            .file_errors
            .iter()
            .chain(checked.activities.iter().flat_map(|a| &a.errors))
            .filter(|e| e.severity == Severity::Error)
            .filter(|e| {
                reporter_without_ref.is_none()
                    || !(e.rule == "missing-attribute"
                        && e.message.starts_with("Element 'reporting-org'"))
            })
            .map(|e| {
                let layer = serde_json::to_value(e.layer)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                format!("[{layer}/{}] {}", e.rule, e.message)
            })
            .collect();
        if reasons.is_empty() && !undated && reporter_without_ref.is_none() {
            report.activities += 1;
            report.flows += x.transactions.len();
            report.budgets += x.budgets.len() + x.planned_disbursements.len();
            report.supplied.extend(filled_in);
            kept.push(x);
        } else {
            report.excluded.push(ExcludedActivity {
                activity: id,
                identifier: x.identifier,
                undated,
                reporter_without_ref,
                reasons,
            });
        }
    }
    Ok(kept)
}

/// aidtrace's own data on an activity, for another aidtrace to read back (IATI readers skip
/// it: the schema allows any other namespace at the end of an activity): the activity's
/// citations, its equipment lines, and every source record they cite, each as its JSON.
fn payload(
    ledger: &aidtrace_domain::ledger::Ledger,
    a: &Activity,
    budgets: &[&Budget],
    supplied: &[&str],
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
    if !supplied.is_empty() {
        out.push(element(PAYLOAD_SUPPLIED, json(&supplied, &a.id)?));
    }
    for budget in budgets {
        out.push(element(
            PAYLOAD_RECORD,
            json(&Record::Budget((*budget).clone()), &a.id)?,
        ));
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
