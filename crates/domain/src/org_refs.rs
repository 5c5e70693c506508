//! The organisation references of a record, writable: what an organisation merge and the IATI
//! import's organisation matching rewrite. [`Record::references`] lists the same fields read
//! only; a test keeps the two in step for every kind, so a reference added to one and not the
//! other fails there instead of being left behind by a merge.

use crate::codes::RecordId;
use crate::model::{Record, RecordKind};

/// The kinds whose records can name an organisation (the rest never do: listing them for a
/// merge would read the asset history for nothing).
pub const REFERRING_KINDS: [RecordKind; 11] = [
    RecordKind::Organisation,
    RecordKind::Facility,
    RecordKind::Activity,
    RecordKind::Flow,
    RecordKind::Budget,
    RecordKind::Partnership,
    RecordKind::MarketRegistration,
    RecordKind::Claim,
    RecordKind::DeviceModel,
    RecordKind::Asset,
    RecordKind::WorkOrder,
];

impl Record {
    /// Every organisation id this record names, in the order of [`Record::references`].
    pub fn organisation_refs_mut(&mut self) -> Vec<&mut RecordId> {
        let mut out: Vec<&mut RecordId> = Vec::new();
        match self {
            Self::Organisation(o) => out.extend(o.parent.as_mut()),
            Self::Facility(f) => out.extend(f.operator.as_mut()),
            Self::Activity(a) => {
                out.extend(a.reporting_org.as_mut());
                out.extend(a.participants.iter_mut().map(|p| &mut p.org));
                for step in &mut a.legal_steps {
                    out.extend(step.signatories.iter_mut().filter_map(|s| s.org.as_mut()));
                }
            }
            Self::Flow(f) => {
                out.extend(f.provider.as_mut());
                out.extend(f.receiver.as_mut());
            }
            Self::Budget(b) => {
                out.extend(b.provider.as_mut());
                out.extend(b.receiver.as_mut());
            }
            Self::Partnership(p) => {
                out.push(&mut p.lead);
                out.extend(p.partners.iter_mut());
            }
            Self::MarketRegistration(m) => out.extend(m.manufacturer.as_mut()),
            Self::Claim(c) => out.extend(c.organisation.as_mut()),
            Self::DeviceModel(m) => out.push(&mut m.manufacturer),
            Self::Asset(a) => {
                out.extend(a.owner.as_mut());
                out.extend(a.funding.donor.as_mut());
                out.extend(a.responsible.as_mut());
                out.extend(a.om_payer.as_mut());
                out.extend(a.contracts.iter_mut().filter_map(|c| c.provider.as_mut()));
            }
            Self::WorkOrder(w) => out.extend(w.provider.as_mut()),
            Self::MedicineProduct(p) => out.extend(p.manufacturer.as_mut()),
            Self::Consignment(c) => out.push(&mut c.donor),
            Self::Contract(c) => out.extend(c.vendor.as_mut()),
            _ => {}
        }
        out
    }

    /// Replaces `from` by `into` wherever this record names it; whether anything changed. Lists
    /// that would then name `into` twice for the same thing (a participant in the same role, a
    /// partner) keep one entry.
    pub fn replace_organisation(&mut self, from: &RecordId, into: &RecordId) -> bool {
        let mut changed = false;
        for r in self.organisation_refs_mut() {
            if r == from {
                *r = into.clone();
                changed = true;
            }
        }
        if changed {
            self.dedupe_organisations();
        }
        changed
    }

    /// Keeps one entry where a list names the same organisation twice for the same thing (a
    /// participant in the same role, a partner, a lead among its partners), as it can after two
    /// organisations became one.
    pub fn dedupe_organisations(&mut self) {
        match self {
            Self::Activity(a) => {
                let mut seen = Vec::new();
                a.participants.retain(|p| {
                    let key = (p.org.clone(), p.role);
                    let first = !seen.contains(&key);
                    seen.push(key);
                    first
                });
            }
            Self::Partnership(p) => {
                // The lead is not its own partner (validation refuses that).
                let mut seen = vec![p.lead.clone()];
                p.partners.retain(|o| {
                    let first = !seen.contains(o);
                    seen.push(o.clone());
                    first
                });
            }
            _ => {}
        }
    }
}
