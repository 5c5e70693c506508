//! The write policy: who may write which records, and whose writes enter the ledger at once
//! rather than waiting for an approver. Pure rules over the ledger, shared by the web
//! application and the CLI.

use std::collections::BTreeSet;

use aidtrace_domain::{Ledger, Record, RecordId};

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    /// Edits the records of the organisations in its scope.
    Editor,
    Approver,
    /// Edits the facilities in its scope and their equipment lines.
    FacilityEngineer,
    Viewer,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Self::Admin,
        Self::Editor,
        Self::Approver,
        Self::FacilityEngineer,
        Self::Viewer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Editor => "editor",
            Self::Approver => "approver",
            Self::FacilityEngineer => "facility_engineer",
            Self::Viewer => "viewer",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.replace('-', "_");
        Self::ALL.into_iter().find(|r| r.as_str() == raw)
    }
}

/// Someone who writes or decides: a signed-in account, or the operator of the CLI.
#[derive(Debug, Clone)]
pub struct Actor {
    pub name: String,
    pub role: Role,
    pub organisations: BTreeSet<String>,
    pub facilities: BTreeSet<String>,
}

impl Actor {
    /// Whoever runs the CLI on the database file: it can write the ledger directly anyway, so it
    /// holds every power of the web's administrator.
    pub fn operator(name: &str) -> Self {
        Self {
            name: name.to_string(),
            role: Role::Admin,
            organisations: BTreeSet::new(),
            facilities: BTreeSet::new(),
        }
    }

    pub fn can_approve(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Approver)
    }

    /// Admins' edits enter the ledger at once; everyone else's wait for an approver.
    pub fn writes_directly(&self) -> bool {
        self.role == Role::Admin
    }

    /// Whether this actor's edits skip the approval step: admins always; editors when every
    /// organisation in their scope has chosen to skip approval.
    pub fn writes_directly_in(&self, ledger: &Ledger) -> bool {
        self.writes_directly()
            || (self.role == Role::Editor
                && !self.organisations.is_empty()
                && self.organisations.iter().all(|org| {
                    ledger
                        .organisations
                        .values()
                        .any(|o| o.id.as_str() == org && o.skip_approval)
                }))
    }

    pub fn can_edit_something(&self) -> bool {
        matches!(
            self.role,
            Role::Admin | Role::Editor | Role::FacilityEngineer
        )
    }

    /// Whether this actor runs `facility`: an engineer assigned to it, or an editor of its
    /// operator.
    fn runs(&self, ledger: &Ledger, facility: &RecordId) -> bool {
        match self.role {
            Role::FacilityEngineer => self.facilities.contains(facility.as_str()),
            Role::Editor => ledger
                .facilities
                .get(facility)
                .is_some_and(|f| self.owns_org(f.operator.as_ref())),
            _ => false,
        }
    }

    fn owns_org(&self, id: Option<&RecordId>) -> bool {
        id.is_some_and(|id| self.organisations.contains(id.as_str()))
    }

    /// Whether this actor may write `record` (the new version), given the ledger (for the
    /// stored version and for the activity a flow or equipment line belongs to) and the other
    /// records of the same batch. `Err` says why not.
    pub fn may_write(
        &self,
        record: &Record,
        ledger: &Ledger,
        batch: &[Record],
    ) -> Result<(), String> {
        if self.role == Role::Admin {
            return Ok(());
        }
        let activity_owned = |id: &RecordId| {
            let in_batch = batch.iter().find_map(|r| match r {
                Record::Activity(a) if &a.id == id => Some(a),
                _ => None,
            });
            in_batch
                .or_else(|| ledger.activities.get(id))
                .is_some_and(|a| a.participants.iter().any(|p| self.owns_org(Some(&p.org))))
                && ledger
                    .activities
                    .get(id)
                    .is_none_or(|a| a.participants.iter().any(|p| self.owns_org(Some(&p.org))))
        };
        let allowed = match (self.role, record) {
            (Role::Editor, Record::Organisation(o)) => {
                (self.owns_org(Some(&o.id)) || self.owns_org(o.parent.as_ref()))
                    && ledger.organisations.get(&o.id).is_none_or(|old| {
                        self.owns_org(Some(&old.id)) || self.owns_org(old.parent.as_ref())
                    })
            }
            (Role::Editor, Record::Activity(a)) => activity_owned(&a.id),
            (Role::Editor, Record::Flow(f)) => {
                activity_owned(&f.activity)
                    && ledger
                        .flows
                        .get(&f.id)
                        .is_none_or(|old| activity_owned(&old.activity))
            }
            (Role::Editor, Record::EquipmentLine(e)) => {
                activity_owned(&e.activity)
                    && ledger
                        .equipment_lines
                        .get(&e.id)
                        .is_none_or(|old| activity_owned(&old.activity))
            }
            (Role::Editor, Record::Facility(f)) => {
                self.owns_org(f.operator.as_ref())
                    && ledger
                        .facilities
                        .get(&f.id)
                        .is_none_or(|old| self.owns_org(old.operator.as_ref()))
            }
            // Editors add the sources they cite. A stored source is shared by whatever cites it,
            // so an editor may change it only when every record citing it is theirs to edit (and
            // something cites it): a rewritten title would otherwise reach other organisations'
            // records, at once with `skip_approval`.
            (Role::Editor, Record::Source(s)) => match ledger.sources.get(&s.id) {
                None => true,
                Some(_) => {
                    let citing = ledger.records_citing(&s.id);
                    !citing.is_empty()
                        && citing.iter().all(|r| {
                            !matches!(r, Record::Source(_))
                                && self.may_write(r, ledger, batch).is_ok()
                        })
                }
            },
            // Medicines: the donor's editors record its consignments; whoever runs the
            // destination decides on arrival; whoever runs a facility moves its stock.
            (Role::Editor | Role::FacilityEngineer, Record::Consignment(c)) => {
                let ours = |c: &aidtrace_domain::medicines::Consignment| {
                    self.owns_org(Some(&c.donor)) || self.runs(ledger, &c.destination)
                };
                ours(c) && ledger.consignments.get(&c.id).is_none_or(ours)
            }
            (Role::Editor | Role::FacilityEngineer, Record::ConsignmentDecision(d)) => {
                let destination = batch
                    .iter()
                    .find_map(|r| match r {
                        Record::Consignment(c) if c.id == d.consignment => Some(&c.destination),
                        _ => None,
                    })
                    .or_else(|| {
                        ledger
                            .consignments
                            .get(&d.consignment)
                            .map(|c| &c.destination)
                    });
                destination.is_some_and(|f| self.runs(ledger, f))
            }
            (Role::Editor | Role::FacilityEngineer, Record::StockMovement(m)) => {
                let held = if m.kind.takes_from() { &m.from } else { &m.to };
                held.as_ref().is_some_and(|f| self.runs(ledger, f))
                    && ledger.stock_movements.get(&m.id).is_none_or(|old| {
                        let held = if old.kind.takes_from() {
                            &old.from
                        } else {
                            &old.to
                        };
                        held.as_ref().is_some_and(|f| self.runs(ledger, f))
                    })
            }
            (Role::FacilityEngineer, Record::Facility(f)) => {
                self.facilities.contains(f.id.as_str())
            }
            (Role::FacilityEngineer, Record::EquipmentLine(e)) => {
                let here =
                    |f: Option<&RecordId>| f.is_some_and(|f| self.facilities.contains(f.as_str()));
                here(e.facility.as_ref())
                    && ledger
                        .equipment_lines
                        .get(&e.id)
                        .is_none_or(|old| here(old.facility.as_ref()))
            }
            // A facility's electricity and building loads are entered by its engineers, and by
            // editors of the organisation operating it (the load survey's inputs).
            (Role::FacilityEngineer, Record::FacilityPower(p)) => {
                let here = |f: &RecordId| self.facilities.contains(f.as_str());
                here(&p.facility)
                    && ledger
                        .facility_power
                        .get(&p.id)
                        .is_none_or(|old| here(&old.facility))
            }
            (Role::Editor, Record::FacilityPower(p)) => {
                let operated = |f: &RecordId| {
                    ledger
                        .facilities
                        .get(f)
                        .is_some_and(|f| self.owns_org(f.operator.as_ref()))
                };
                operated(&p.facility)
                    && ledger
                        .facility_power
                        .get(&p.id)
                        .is_none_or(|old| operated(&old.facility))
            }
            _ => false,
        };
        if allowed {
            Ok(())
        } else {
            Err(format!(
                "{} {} is outside what {} ({}) may edit",
                record.kind().as_str(),
                record.id(),
                self.name,
                self.role.as_str()
            ))
        }
    }
}
