//! The medicines cards of the dashboard: consignments received, lots expiring within 90 days,
//! expired stock and open guideline findings, each linking to the page that lists them. The
//! figures come from `service::medicine_cards`, counted from the stock the movements give.

use chrono::Utc;
use maud::{Markup, html};

use crate::i18n::tn;
use crate::state::Snapshot;

/// The cards, or nothing while no consignment is recorded.
pub fn cards(snap: &Snapshot) -> Markup {
    if snap.ledger.consignments.is_empty() {
        return html! {};
    }
    let Ok(c) = aidtrace_service::medicine_cards::counts(&snap.ledger, Utc::now().date_naive())
    else {
        return html! {};
    };
    html! {
        section class="cards" id="dash-medicines" {
            a class="card" href="/medicines" id="card-consignments-received" { b { (c.received) } " " (tn("card-consignments-received", c.received)) }
            a class="card" href="/medicines/stock#stock-bands" id="card-lots-expiring" { b { (c.expiring_90_days) } " " (tn("card-lots-expiring", c.expiring_90_days)) }
            a class=(if c.expired > 0 { "card warn" } else { "card" }) href="/medicines/stock#stock-bands" id="card-lots-expired" { b { (c.expired) } " " (tn("card-lots-expired", c.expired)) }
            a class=(if c.open_findings > 0 { "card warn" } else { "card" }) href="/medicines#medicine-consignments" id="card-medicine-findings" { b { (c.open_findings) } " " (tn("card-medicine-findings", c.open_findings)) }
        }
    }
}
