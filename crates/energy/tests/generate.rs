use aidtrace_energy::{GenOptions, Variant, generate};

#[test]
fn generator_is_deterministic_and_documented() {
    let o = GenOptions {
        facilities: 300,
        units: 120,
        seed: 42,
        variant: Variant::Normal,
    };
    let a = generate(&o);
    assert_eq!(a, generate(&o));
    assert_ne!(
        a,
        generate(&GenOptions {
            seed: 43,
            ..o.clone()
        })
    );
    a.validate().expect("valid");
    assert_eq!(a.facilities.len(), 300);
    assert_eq!(a.fleet.iter().map(|m| m.count).sum::<u32>(), 120);
    assert!(a.fleet.len() <= 10 && a.fleet.len() >= 3);
    assert!(
        a.facilities
            .iter()
            .all(|f| (15.0..=615.0).contains(&f.unmet_kw))
    );
    assert!(a.facilities.iter().all(|f| (1.0..=5.0).contains(&f.weight)));
    assert_eq!(a.max_units_per_facility, 2);
    let one = generate(&GenOptions {
        variant: Variant::OnePerSite,
        ..o.clone()
    });
    assert_eq!(one.max_units_per_facility, 1);
    let scarce = generate(&GenOptions {
        variant: Variant::FuelScarce,
        ..o
    });
    assert!(scarce.fuel_litres < 0.5 * a.fuel_litres);
}
