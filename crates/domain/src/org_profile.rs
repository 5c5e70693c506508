//! One organisation as the ledger knows it: as provider (with the agencies under it rolled up,
//! as totals "by donor" do), as receiver and as participant; its totals per flow kind and year;
//! its activities, the facilities it operates or supports, its partnerships, the agencies under
//! it and the parent above it, the sources that name it and the claims about it.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::claims_beside::{is_under, provider_of};
use crate::codes::{CurrencyCode, RecordId};
use crate::fx::RateTable;
use crate::ledger::Ledger;
use crate::model::{ActivityStatus, Flow, Organisation, ParticipantRole};
use crate::scoped_totals::{ScopedTotals, scoped_totals};

/// An organisation named on another's profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgRef {
    pub id: RecordId,
    pub name: String,
}

/// How an organisation (or an agency under it) takes part in an activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgActivity {
    pub id: RecordId,
    pub title: String,
    pub status: ActivityStatus,
    /// Participant roles, each with the organisation that holds it (itself or an agency).
    pub roles: Vec<HeldRole>,
    /// It (or an agency under it) provides flows of the activity.
    pub provider: bool,
    /// It (or an agency under it) receives flows of the activity.
    pub receiver: bool,
    /// It published the activity.
    pub reporting: bool,
}

/// A participant role and the organisation that holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HeldRole {
    pub role: ParticipantRole,
    pub org: RecordId,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FacilityLink {
    /// It operates the facility.
    Operator,
    /// An activity it takes part in supplies the facility.
    Supported,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgFacility {
    pub id: RecordId,
    pub name: String,
    pub link: FacilityLink,
    /// The activities through which it supports the facility.
    pub activities: Vec<RecordId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgPartnership {
    pub id: RecordId,
    pub lead: OrgRef,
    pub partners: Vec<OrgRef>,
    /// True when this organisation leads it.
    pub leads: bool,
}

/// `GET /api/v1/organisations/{id}/summary`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgProfile {
    pub organisation: Organisation,
    /// The parent above it, then its parent, up to the top.
    pub parents: Vec<OrgRef>,
    /// The agencies directly under it.
    pub agencies: Vec<OrgRef>,
    /// Flows it or an agency under it provides, per kind and year.
    pub as_provider: ScopedTotals,
    /// Flows it or an agency under it receives, per kind and year.
    pub as_receiver: ScopedTotals,
    pub activities: Vec<OrgActivity>,
    pub facilities: Vec<OrgFacility>,
    pub partnerships: Vec<OrgPartnership>,
    /// Sources cited by it and by the activities it takes part in, each once.
    pub sources: Vec<RecordId>,
    /// Claims about it or an agency under it.
    pub claims: Vec<RecordId>,
}

fn org_ref(ledger: &Ledger, id: &RecordId) -> OrgRef {
    OrgRef {
        id: id.clone(),
        name: ledger.org_name(id),
    }
}

/// The profile of organisation `id`, with totals in `currency`; `None` when there is none.
pub fn org_profile(
    ledger: &Ledger,
    rates: &RateTable,
    id: &RecordId,
    currency: &CurrencyCode,
) -> Option<OrgProfile> {
    let org = ledger.organisations.get(id)?;
    let mine = |o: &RecordId| is_under(ledger, o, id);
    let mut parents = Vec::new();
    let mut seen = BTreeSet::from([id.clone()]);
    let mut up = org.parent.as_ref();
    while let Some(p) = up {
        if !seen.insert(p.clone()) {
            break;
        }
        parents.push(org_ref(ledger, p));
        up = ledger.organisations.get(p).and_then(|o| o.parent.as_ref());
    }
    let agencies = ledger
        .organisations
        .values()
        .filter(|o| o.parent.as_ref() == Some(id))
        .map(|o| org_ref(ledger, &o.id))
        .collect();
    let provided: Vec<&Flow> = ledger
        .flows
        .values()
        .filter(|f| provider_of(ledger, f).is_some_and(&mine))
        .collect();
    let received: Vec<&Flow> = ledger
        .flows
        .values()
        .filter(|f| f.receiver.as_ref().is_some_and(&mine))
        .collect();
    let provider_acts: BTreeSet<&RecordId> = provided.iter().map(|f| &f.activity).collect();
    let receiver_acts: BTreeSet<&RecordId> = received.iter().map(|f| &f.activity).collect();
    let mut activities = Vec::new();
    for a in ledger.activities.values() {
        let roles: Vec<HeldRole> = a
            .participants
            .iter()
            .filter(|p| mine(&p.org))
            .map(|p| HeldRole {
                role: p.role,
                org: p.org.clone(),
            })
            .collect();
        let provider = provider_acts.contains(&a.id);
        let receiver = receiver_acts.contains(&a.id);
        let reporting = a.reporting_org.as_ref() == Some(id);
        if roles.is_empty() && !provider && !receiver && !reporting {
            continue;
        }
        activities.push(OrgActivity {
            id: a.id.clone(),
            title: a.title.clone(),
            status: a.status,
            roles,
            provider,
            receiver,
            reporting,
        });
    }
    let mut facilities: Vec<OrgFacility> = ledger
        .facilities
        .values()
        .filter(|f| f.operator.as_ref().is_some_and(&mine))
        .map(|f| OrgFacility {
            id: f.id.clone(),
            name: f.name.clone(),
            link: FacilityLink::Operator,
            activities: Vec::new(),
        })
        .collect();
    for a in &activities {
        let Some(act) = ledger.activities.get(&a.id) else {
            continue;
        };
        for fac in &act.facilities {
            match facilities.iter_mut().find(|f| &f.id == fac) {
                Some(f) => f.activities.push(a.id.clone()),
                None => facilities.push(OrgFacility {
                    id: fac.clone(),
                    name: ledger
                        .facilities
                        .get(fac)
                        .map_or_else(|| fac.to_string(), |f| f.name.clone()),
                    link: FacilityLink::Supported,
                    activities: vec![a.id.clone()],
                }),
            }
        }
    }
    let partnerships = ledger
        .partnerships
        .values()
        .filter(|p| &p.lead == id || p.partners.contains(id))
        .map(|p| OrgPartnership {
            id: p.id.clone(),
            lead: org_ref(ledger, &p.lead),
            partners: p.partners.iter().map(|o| org_ref(ledger, o)).collect(),
            leads: &p.lead == id,
        })
        .collect();
    let mut sources: Vec<RecordId> = Vec::new();
    let mut add_source = |s: &RecordId| {
        if !sources.contains(s) {
            sources.push(s.clone());
        }
    };
    org.sources.iter().for_each(|c| add_source(&c.source));
    for a in &activities {
        if let Some(act) = ledger.activities.get(&a.id) {
            act.sources.iter().for_each(|c| add_source(&c.source));
        }
    }
    let claims = crate::claims_beside::about_organisation(ledger, id)
        .into_iter()
        .map(|c| c.id.clone())
        .collect();
    let whole = |flows: Vec<&Flow>| {
        scoped_totals(
            ledger,
            rates,
            currency,
            flows.into_iter().map(|f| (f, Decimal::ONE)),
        )
    };
    Some(OrgProfile {
        organisation: org.clone(),
        parents,
        agencies,
        as_provider: whole(provided),
        as_receiver: whole(received),
        activities,
        facilities,
        partnerships,
        sources,
        claims,
    })
}
