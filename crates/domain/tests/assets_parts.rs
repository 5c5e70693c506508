//! Spare parts: single-record rules, stock derived from movements and never negative (property
//! test over random movement sequences), minimum-level alerts.

use aidtrace_domain::RecordId;
use aidtrace_domain::assets::parts::{
    self, PartMinimum, PartMovement, PartMovementKind, SparePart, Stock,
};
use proptest::prelude::*;

mod asset_kit;
use asset_kit::{id, t};

fn part(minimum: Option<u64>) -> SparePart {
    SparePart {
        id: id("sp-filter"),
        model: id("dm-1"),
        part_number: "F-100".into(),
        name: "Air filter".into(),
        unit: "piece".into(),
        consumable: true,
        minimums: minimum
            .map(|q| PartMinimum {
                facility: id("fac-1"),
                quantity: q,
            })
            .into_iter()
            .collect(),
        note: None,
        sources: vec![],
    }
}

fn movement(n: u32, kind: PartMovementKind, quantity: i64) -> PartMovement {
    PartMovement {
        id: RecordId::parse(&format!("pm-{n:04}")).expect("id"),
        part: id("sp-filter"),
        facility: id("fac-1"),
        at: t("2025-01-01 08:00") + chrono::TimeDelta::hours(i64::from(n)),
        kind,
        quantity,
        work_order: (kind == PartMovementKind::Consumption).then(|| id("wo-1")),
        note: None,
    }
}

#[test]
fn a_part_needs_its_number_name_and_unit_and_one_minimum_per_facility() {
    assert!(parts::validate_part(&part(Some(2))).is_ok());
    for (field, p) in [
        (
            "part_number",
            SparePart {
                part_number: " ".into(),
                ..part(None)
            },
        ),
        (
            "name",
            SparePart {
                name: String::new(),
                ..part(None)
            },
        ),
        (
            "unit",
            SparePart {
                unit: String::new(),
                ..part(None)
            },
        ),
    ] {
        assert_eq!(parts::validate_part(&p).expect_err(field).field, field);
    }
    let mut twice = part(Some(2));
    twice.minimums.push(PartMinimum {
        facility: id("fac-1"),
        quantity: 5,
    });
    assert_eq!(
        parts::validate_part(&twice).expect_err("twice").field,
        "minimums.facility"
    );
}

#[test]
fn movement_quantities_and_work_orders_follow_the_kind() {
    use PartMovementKind as K;
    assert!(parts::validate_movement(&movement(1, K::Receipt, 5)).is_ok());
    assert!(parts::validate_movement(&movement(1, K::Adjustment, -2)).is_ok());
    for (m, field) in [
        (movement(1, K::Receipt, 0), "quantity"),
        (movement(1, K::Receipt, -3), "quantity"),
        (movement(1, K::Consumption, -1), "quantity"),
        (movement(1, K::Adjustment, 0), "quantity"),
        (movement(1, K::Receipt, 2_000_000_000), "quantity"),
        (
            PartMovement {
                work_order: None,
                ..movement(1, K::Consumption, 1)
            },
            "work_order",
        ),
        (
            PartMovement {
                work_order: Some(id("wo-1")),
                ..movement(1, K::Receipt, 1)
            },
            "work_order",
        ),
    ] {
        assert_eq!(
            parts::validate_movement(&m).expect_err("refused").field,
            field,
            "{m:?}"
        );
    }
}

#[test]
fn stock_is_the_sum_of_movements_and_a_consumption_beyond_it_is_refused() {
    use PartMovementKind as K;
    // Receive 10, use 3, count finds one missing (−1): 6 on hand.
    let ms = [
        movement(1, K::Receipt, 10),
        movement(2, K::Consumption, 3),
        movement(3, K::Adjustment, -1),
    ];
    let stock = Stock::replay(&ms).expect("stock");
    assert_eq!(stock.on_hand(&id("sp-filter"), &id("fac-1")), 6);
    // Taking 7 more would leave −1.
    let mut more = ms.to_vec();
    more.push(movement(4, K::Consumption, 7));
    let err = Stock::replay(&more).expect_err("below zero");
    assert_eq!((err.on_hand, err.quantity), (6, 7));
    assert_eq!(err.movement, id("pm-0004"));
    // A consumption dated before the receipt is refused too: time order, not list order.
    let early = PartMovement {
        at: t("2024-12-31 00:00"),
        ..movement(9, K::Consumption, 1)
    };
    assert!(Stock::replay([&ms[0], &early]).is_err());
}

#[test]
fn below_minimum_is_flagged_and_a_minimum_without_movements_shows_zero() {
    use PartMovementKind as K;
    let stock = Stock::replay(&[movement(1, K::Receipt, 3)]).expect("stock");
    let lines = parts::stock_lines([&part(Some(4))], &stock, None);
    assert_eq!(lines.len(), 1);
    assert_eq!(
        (lines[0].on_hand, lines[0].minimum, lines[0].below_minimum),
        (3, Some(4), true)
    );
    let lines = parts::stock_lines([&part(Some(3))], &stock, None);
    assert!(!lines[0].below_minimum, "at the minimum is not below it");
    let empty = Stock::default();
    let lines = parts::stock_lines([&part(Some(1))], &empty, None);
    assert_eq!((lines[0].on_hand, lines[0].below_minimum), (0, true));
    let other = id("fac-2");
    assert!(parts::stock_lines([&part(Some(1))], &empty, Some(&other)).is_empty());
}

proptest! {
    /// For any sequence of movements, applying each in turn (a refused one changes nothing):
    /// stock never goes below zero, equals the sum of the accepted changes, and a movement is
    /// refused exactly when it would take the stock below zero.
    #[test]
    fn stock_never_goes_negative(moves in prop::collection::vec((0u8..3, -50i64..50), 0..60)) {
        use PartMovementKind as K;
        let mut stock = Stock::default();
        let mut expected: i64 = 0;
        for (n, (k, q)) in moves.into_iter().enumerate() {
            let (kind, quantity) = match k {
                0 => (K::Receipt, q.abs() + 1),
                1 => (K::Consumption, q.abs() + 1),
                _ => (K::Adjustment, if q == 0 { 1 } else { q }),
            };
            let m = movement(u32::try_from(n).expect("n"), kind, quantity);
            prop_assert!(parts::validate_movement(&m).is_ok());
            let delta = m.delta();
            match stock.apply(&m) {
                Ok(()) => {
                    prop_assert!(expected + delta >= 0);
                    expected += delta;
                }
                Err(e) => {
                    prop_assert!(expected + delta < 0);
                    prop_assert_eq!(i64::try_from(e.on_hand).expect("fits"), expected);
                }
            }
            let on_hand = stock.on_hand(&id("sp-filter"), &id("fac-1"));
            prop_assert_eq!(i64::try_from(on_hand).expect("fits"), expected);
        }
    }
}
