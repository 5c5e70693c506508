//! Stock on hand derived from movements: receipts bounded by the accepted packing list,
//! distributions and uses bounded by what a facility holds, never negative.

mod medicines_fixture;

use aidtrace_domain::medicines::stock::{ExpiryBand, LotRef, Stock, StockError};
use aidtrace_domain::medicines::{DecisionOutcome, MovementKind as K};
use medicines_fixture::*;
use proptest::prelude::*;

fn lot(l: &str) -> LotRef {
    LotRef {
        consignment: id("con-1"),
        product: id("prod-amox"),
        lot: l.into(),
    }
}

fn accepted_stock() -> Stock {
    let c = consignment(
        "con-1",
        vec![line("prod-amox", "A1", 1000), line("prod-amox", "B2", 50)],
    );
    Stock::new([&c], [&accept("con-1")])
}

#[test]
fn receipt_then_distribution_moves_stock_between_facilities() {
    let mut s = accepted_stock();
    s.apply(&movement(
        "m1",
        K::Receipt,
        "con-1",
        "A1",
        None,
        Some("fac-warehouse"),
        1000,
    ))
    .expect("receipt");
    s.apply(&movement(
        "m2",
        K::Distribution,
        "con-1",
        "A1",
        Some("fac-warehouse"),
        Some("fac-a"),
        300,
    ))
    .expect("distribution");
    s.apply(&movement(
        "m3",
        K::Use,
        "con-1",
        "A1",
        Some("fac-a"),
        None,
        100,
    ))
    .expect("use");
    assert_eq!(s.on_hand(&id("fac-warehouse"), &lot("A1")), 700);
    assert_eq!(s.on_hand(&id("fac-a"), &lot("A1")), 200);
    assert_eq!(s.moved(&lot("A1"), K::Use), 100);
    assert_eq!(s.on_hand_anywhere(&lot("A1")), 900);
}

#[test]
fn distributing_beyond_what_was_received_is_refused_and_changes_nothing() {
    let mut s = accepted_stock();
    s.apply(&movement(
        "m1",
        K::Receipt,
        "con-1",
        "B2",
        None,
        Some("fac-warehouse"),
        50,
    ))
    .expect("receipt");
    let err = s
        .apply(&movement(
            "m2",
            K::Distribution,
            "con-1",
            "B2",
            Some("fac-warehouse"),
            Some("fac-a"),
            51,
        ))
        .expect_err("beyond stock");
    assert!(
        matches!(
            err,
            StockError::BeyondStock {
                on_hand: 50,
                quantity: 51,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(err.field(), "quantity");
    assert_eq!(s.on_hand(&id("fac-warehouse"), &lot("B2")), 50);
    assert_eq!(s.on_hand(&id("fac-a"), &lot("B2")), 0);
}

#[test]
fn receiving_more_than_the_packing_list_is_refused() {
    let mut s = accepted_stock();
    let err = s
        .apply(&movement(
            "m1",
            K::Receipt,
            "con-1",
            "B2",
            None,
            Some("fac-warehouse"),
            51,
        ))
        .expect_err("beyond packing list");
    assert!(matches!(
        err,
        StockError::BeyondPackingList { remaining: 50, .. }
    ));
}

#[test]
fn a_lot_not_on_the_packing_list_cannot_be_received() {
    let mut s = accepted_stock();
    let err = s
        .apply(&movement(
            "m1",
            K::Receipt,
            "con-1",
            "Z9",
            None,
            Some("fac-warehouse"),
            1,
        ))
        .expect_err("unknown lot");
    assert_eq!(err.field(), "lot");
}

#[test]
fn a_rejected_consignment_receives_nothing() {
    let c = consignment("con-1", vec![line("prod-amox", "A1", 10)]);
    let mut d = accept("con-1");
    d.outcome = DecisionOutcome::Reject;
    let mut s = Stock::new([&c], [&d]);
    assert!(
        s.apply(&movement(
            "m1",
            K::Receipt,
            "con-1",
            "A1",
            None,
            Some("fac-warehouse"),
            1
        ))
        .is_err()
    );
}

#[test]
fn accepted_in_part_receives_only_the_accepted_lines() {
    let c = consignment(
        "con-1",
        vec![line("prod-amox", "A1", 10), line("prod-amox", "B2", 10)],
    );
    let mut d = accept("con-1");
    d.outcome = DecisionOutcome::AcceptInPart;
    d.accepted_lines = vec![1];
    let s = Stock::new([&c], [&d]);
    assert_eq!(s.still_receivable(&lot("A1")), 0);
    assert_eq!(s.still_receivable(&lot("B2")), 10);
}

#[test]
fn replay_orders_by_date_and_names_the_refused_movement() {
    let mut late = movement("m1", K::Use, "con-1", "A1", Some("fac-warehouse"), None, 5);
    late.date = day(2026, 11, 30);
    let receipt = movement(
        "m2",
        K::Receipt,
        "con-1",
        "A1",
        None,
        Some("fac-warehouse"),
        10,
    );
    let s = accepted_stock()
        .replay([&late, &receipt])
        .expect("receipt is dated first");
    assert_eq!(s.on_hand(&id("fac-warehouse"), &lot("A1")), 5);

    let mut early = late.clone();
    early.date = day(2026, 11, 1);
    let (refused, _) = accepted_stock()
        .replay([&receipt, &early])
        .expect_err("use before receipt");
    assert_eq!(refused, id("m1"));
}

#[test]
fn expiry_bands() {
    let today = day(2026, 12, 6);
    assert_eq!(ExpiryBand::of(day(2026, 12, 5), today), ExpiryBand::Expired);
    assert_eq!(ExpiryBand::of(today, today), ExpiryBand::Within30Days);
    assert_eq!(
        ExpiryBand::of(day(2027, 1, 5), today),
        ExpiryBand::Within30Days
    );
    assert_eq!(
        ExpiryBand::of(day(2027, 3, 1), today),
        ExpiryBand::Within90Days
    );
    assert_eq!(
        ExpiryBand::of(day(2027, 5, 1), today),
        ExpiryBand::Within180Days
    );
    assert_eq!(ExpiryBand::of(day(2027, 7, 1), today), ExpiryBand::Later);
}

const FACILITIES: [&str; 3] = ["fac-warehouse", "fac-a", "fac-b"];
const KINDS: [K; 6] = [
    K::Receipt,
    K::Distribution,
    K::Use,
    K::Loss,
    K::Expiry,
    K::Destruction,
];

proptest! {
    /// Random movement sequences: every accepted movement keeps each facility's lot at or above
    /// zero, a refused one changes nothing, and stock always equals receipts minus what left.
    #[test]
    fn stock_never_goes_negative(ops in proptest::collection::vec((0usize..6, 0usize..3, 0usize..3, 0usize..2, 1u64..400), 0..80)) {
        let mut s = accepted_stock();
        for (n, (k, f, t, l, q)) in ops.into_iter().enumerate() {
            let kind = KINDS[k];
            let lot_name = ["A1", "B2"][l];
            let from = kind.takes_from().then_some(FACILITIES[f]);
            let to = if kind == K::Receipt { Some("fac-warehouse") } else if kind.puts_into() { Some(FACILITIES[t]) } else { None };
            if from.is_some() && from == to { continue; }
            let m = movement(&format!("m{n}"), kind, "con-1", lot_name, from, to, q);
            let before: Vec<u64> = FACILITIES.iter().map(|fac| s.on_hand(&id(fac), &lot(lot_name))).collect();
            let result = s.apply(&m);
            let after: Vec<u64> = FACILITIES.iter().map(|fac| s.on_hand(&id(fac), &lot(lot_name))).collect();
            match result {
                Ok(()) => {
                    if let Some(from) = from {
                        let i = FACILITIES.iter().position(|x| *x == from).unwrap_or(0);
                        prop_assert!(before[i] >= q);
                    }
                }
                Err(_) => prop_assert_eq!(before, after),
            }
            for l in ["A1", "B2"] {
                let lr = lot(l);
                let received = s.moved(&lr, K::Receipt);
                let left: u64 = [K::Use, K::Loss, K::Expiry, K::Destruction].iter().map(|k| s.moved(&lr, *k)).sum();
                prop_assert_eq!(s.on_hand_anywhere(&lr), received - left);
                let packed: u64 = if l == "A1" { 1000 } else { 50 };
                prop_assert!(received <= packed);
            }
        }
    }
    /// The replay interns lots and facilities on its own: over random dated sequences it must
    /// give the stock of applying each movement in (date, id) order, or refuse the same first
    /// movement with the same error.
    #[test]
    fn replay_matches_applying_each_movement_in_date_order(ops in proptest::collection::vec((0usize..6, 0usize..3, 0usize..3, 0usize..2, 1u64..400, 0u64..4), 0..60)) {
        let mut movements = Vec::new();
        for (n, (k, f, t, l, q, d)) in ops.into_iter().enumerate() {
            let kind = KINDS[k];
            let from = kind.takes_from().then_some(FACILITIES[f]);
            let to = if kind == K::Receipt { Some("fac-warehouse") } else if kind.puts_into() { Some(FACILITIES[t]) } else { None };
            let mut m = movement(&format!("m{n}"), kind, "con-1", ["A1", "B2"][l], from, to, q);
            m.date = day(2026, 11, 22) + chrono::Days::new(d);
            movements.push(m);
        }
        let mut in_order: Vec<_> = movements.iter().collect();
        in_order.sort_by(|a, b| (a.date, &a.id).cmp(&(b.date, &b.id)));
        let mut one_by_one = accepted_stock();
        let mut refused = None;
        for m in in_order {
            if let Err(e) = one_by_one.apply(m) {
                refused = Some((m.id.clone(), e));
                break;
            }
        }
        match accepted_stock().replay(&movements) {
            Ok(replayed) => {
                prop_assert_eq!(refused, None);
                for fac in FACILITIES {
                    for l in ["A1", "B2"] {
                        prop_assert_eq!(replayed.on_hand(&id(fac), &lot(l)), one_by_one.on_hand(&id(fac), &lot(l)));
                    }
                }
            }
            Err(e) => prop_assert_eq!(Some(e), refused),
        }
    }
}
