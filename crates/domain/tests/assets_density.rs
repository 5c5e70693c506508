//! Densities per region and nationally against hand-computed values, including a region without
//! devices, a region whose population is 0, facilities without a region and a missing national
//! population; and the shipped reference figures.

use aidtrace_domain::assets::gaps::{self, Bound, Density, Scope};
use aidtrace_domain::assets::kpi::Fleet;
use aidtrace_domain::{Ledger, Record};
use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde_json::json;

fn d(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

fn records(values: Vec<serde_json::Value>) -> Vec<Record> {
    values
        .into_iter()
        .map(|v| serde_json::from_value(v).expect("record"))
        .collect()
}

fn facility(id: &str, country: &str, region: Option<&str>) -> serde_json::Value {
    let mut f = json!({"record": "facility", "id": id, "name": id, "kind": "district_hospital",
        "country": country});
    if let Some(r) = region {
        f["region"] = json!(r);
    }
    f
}

fn asset(id: &str, model: &str, facility: &str, state: &str) -> Vec<serde_json::Value> {
    vec![
        json!({"record": "asset", "id": id, "inventory_tag": id, "model": model,
            "facility": facility, "criticality": "high",
            "funding": {"acquisition": "purchase", "condition": "new"}}),
        json!({"record": "asset_event", "id": format!("ev-{id}"), "asset": id,
            "at": "2025-01-10T00:00:00", "state": state}),
    ]
}

fn population(
    id: &str,
    country: &str,
    region: Option<&str>,
    n: u64,
    year: u16,
) -> serde_json::Value {
    let mut p = json!({"record": "population", "id": id, "country": country, "population": n,
        "year": year});
    if let Some(r) = region {
        p["region"] = json!(r);
    }
    p
}

fn ledger() -> Ledger {
    let mut v = vec![
        json!({"record": "organisation", "id": "org-m", "name": "Maker", "kind": "manufacturer"}),
        json!({"record": "device_model", "id": "dm-ct", "manufacturer": "org-m",
            "model_name": "CT", "generic_type": "ct_scanner"}),
        json!({"record": "device_model", "id": "dm-mri", "manufacturer": "org-m",
            "model_name": "MRI", "generic_type": "mri_scanner"}),
        facility("fac-a", "KZ", Some("A")),
        facility("fac-b", "KZ", Some("B")),
        facility("fac-c", "KZ", Some("C")),
        facility("fac-n", "KZ", None),
        facility("fac-ua", "UA", Some("Kyiv")),
        // A newer national figure than the date: the 2024 one applies in 2025.
        population("pop-kz-2024", "KZ", None, 20_000_000, 2024),
        population("pop-kz-2026", "KZ", None, 30_000_000, 2026),
        population("pop-a-2024", "KZ", Some("A"), 500_000, 2024),
        population("pop-a-2019", "KZ", Some("A"), 400_000, 2019),
        population("pop-b-2023", "KZ", Some("B"), 1_500_000, 2023),
        // Refused on write; read here to show the density never divides by it.
        population("pop-c-2024", "KZ", Some("C"), 0, 2024),
        population("pop-d-2024", "KZ", Some("D"), 100_000, 2024),
        // Only a later figure: it is used, with its year shown.
        population("pop-kyiv-2027", "UA", Some("Kyiv"), 3_000_000, 2027),
    ];
    for a in [
        asset("ct-1", "dm-ct", "fac-a", "in_service"),
        asset("ct-2", "dm-ct", "fac-a", "installed"),
        asset("ct-3", "dm-ct", "fac-a", "in_storage"),
        asset("ct-4", "dm-ct", "fac-n", "in_service"),
        asset("ct-5", "dm-ct", "fac-c", "in_service"),
        asset("mri-1", "dm-mri", "fac-b", "in_service"),
        asset("ct-ua-1", "dm-ct", "fac-ua", "in_service"),
    ] {
        v.extend(a);
    }
    Ledger::from_records(records(v))
}

fn at() -> NaiveDateTime {
    NaiveDateTime::parse_from_str("2025-06-01 00:00", "%Y-%m-%d %H:%M").expect("time")
}

fn row<'a>(
    rows: &'a [Density],
    country: &str,
    scope: Scope,
    region: Option<&str>,
    t: &str,
) -> &'a Density {
    rows.iter()
        .find(|r| {
            r.country == country
                && r.scope == scope
                && r.region.as_deref() == region
                && r.generic_type == t
        })
        .unwrap_or_else(|| panic!("no row {country} {scope:?} {region:?} {t}"))
}

#[test]
fn densities_per_region_and_nationally_by_hand() {
    let ledger = ledger();
    let rows = gaps::density(&Fleet::build(&ledger), at());

    // National CT: ct-1, ct-2, ct-4, ct-5 (ct-3 is in storage) = 4 per 20,000,000 = 0.20.
    let kz = row(&rows, "KZ", Scope::National, None, "ct_scanner");
    assert_eq!(kz.units, 4);
    assert_eq!(kz.population, Some(20_000_000));
    assert_eq!(kz.population_year, Some(2024));
    assert_eq!(
        kz.population_record.as_ref().map(|r| r.as_str()),
        Some("pop-kz-2024")
    );
    assert_eq!(kz.per_million, Some(d("0.20")));
    let mut ids: Vec<&str> = kz.assets.iter().map(|a| a.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["ct-1", "ct-2", "ct-4", "ct-5"]);

    // Region A: 2 per 500,000 (2024 rather than 2019) = 4.00.
    let a = row(&rows, "KZ", Scope::Region, Some("A"), "ct_scanner");
    assert_eq!(
        (a.units, a.population, a.per_million),
        (2, Some(500_000), Some(d("4.00")))
    );

    // Region B has no CT: 0 per 1,500,000 = 0, shown rather than left out.
    let b = row(&rows, "KZ", Scope::Region, Some("B"), "ct_scanner");
    assert_eq!(
        (b.units, b.per_million, b.no_density.as_deref()),
        (0, Some(d("0")), None)
    );
    // MRI: 1 per 1,500,000 = 0.666… → 0.67; nationally 1 per 20,000,000 = 0.05.
    let b_mri = row(&rows, "KZ", Scope::Region, Some("B"), "mri_scanner");
    assert_eq!(b_mri.per_million, Some(d("0.67")));
    let kz_mri = row(&rows, "KZ", Scope::National, None, "mri_scanner");
    assert_eq!(kz_mri.per_million, Some(d("0.05")));

    // Region C's population is 0: units counted, no density, a reason naming the record.
    let c = row(&rows, "KZ", Scope::Region, Some("C"), "ct_scanner");
    assert_eq!((c.units, c.per_million), (1, None));
    assert!(
        c.no_density
            .as_deref()
            .is_some_and(|m| m.contains("pop-c-2024")),
        "{c:?}"
    );

    // Region D has a population but no facility: zero units, density 0.
    let dd = row(&rows, "KZ", Scope::Region, Some("D"), "ct_scanner");
    assert_eq!((dd.units, dd.per_million), (0, Some(d("0"))));

    // ct-4's facility has no region: counted nationally, shown apart without a density.
    let n = row(&rows, "KZ", Scope::NoRegion, None, "ct_scanner");
    assert_eq!((n.units, n.per_million), (1, None));
    assert!(n.no_density.is_some());

    // Ukraine: no national population record, so no national density, and the reason says so;
    // Kyiv only has a later figure, which is used: 1 per 3,000,000 = 0.33.
    let ua = row(&rows, "UA", Scope::National, None, "ct_scanner");
    assert_eq!((ua.units, ua.per_million), (1, None));
    assert!(
        ua.no_density.as_deref().is_some_and(|m| m.contains("UA")),
        "{ua:?}"
    );
    let kyiv = row(&rows, "UA", Scope::Region, Some("Kyiv"), "ct_scanner");
    assert_eq!(
        (kyiv.per_million, kyiv.population_year),
        (Some(d("0.33")), Some(2027))
    );
    // Types are per country: Ukraine has no MRI registered, so no MRI rows.
    assert!(
        !rows
            .iter()
            .any(|r| r.country == "UA" && r.generic_type == "mri_scanner")
    );
}

#[test]
fn the_shipped_reference_figures_parse_with_their_sources() {
    let refs = gaps::shipped_references().expect("shipped CSV parses");
    assert_eq!(refs.len(), 12);
    let find = |t: &str, area: &str| {
        refs.iter()
            .find(|r| r.generic_type == t && r.area == area)
            .unwrap_or_else(|| panic!("{t} {area}"))
    };
    let japan = find("ct_scanner", "Japan");
    assert_eq!(
        (japan.per_million, japan.years()),
        (d("101.3"), "2011–2012".to_string())
    );
    assert!(japan.source_url.starts_with("https://"));
    assert_eq!(find("mri_scanner", "OECD average").per_million, d("13.3"));
    assert_eq!(find("mammograph", "OECD average").year, 2020);
    let high = find("ct_scanner", "WHO: high-income countries");
    assert_eq!(
        (high.bound, high.figure()),
        (Bound::MoreThan, "> 44".to_string())
    );
    let low = find("mammograph", "WHO: low and lower-middle income countries");
    assert_eq!(low.figure(), "< 1");
}

#[test]
fn bad_reference_rows_name_line_field_and_value() {
    let header = "generic_type,area,bound,per_million,year,source_url,source_title\n";
    let cases = [
        (
            "ct_scanner,Japan,equal,-1,2020,https://x.org,T\n",
            "line 2: per_million",
            "-1",
        ),
        (
            "ct_scanner,Japan,roughly,1,2020,https://x.org,T\n",
            "line 2: bound",
            "roughly",
        ),
        (
            "ct_scanner,Japan,equal,1,2012-2011,https://x.org,T\n",
            "line 2: year",
            "2012-2011",
        ),
        (
            "ct_scanner,Japan,equal,1,2020,ftp://x.org,T\n",
            "line 2: source_url",
            "ftp://x.org",
        ),
        (
            "CT Scanner,Japan,equal,1,2020,https://x.org,T\n",
            "line 2: generic_type",
            "CT Scanner",
        ),
    ];
    for (row, field, value) in cases {
        let e = gaps::parse_references(&format!("{header}{row}")).expect_err(row);
        assert_eq!((e.field.as_str(), e.value.as_str()), (field, value), "{e}");
    }
    let e = gaps::parse_references("type,area\n").expect_err("header");
    assert_eq!(e.field, "line 1");
}

#[test]
fn region_gaps_add_facility_gaps_without_netting_surpluses() {
    let g = |facility: &str, region: &str, required, functional| gaps::Gap {
        facility: aidtrace_domain::RecordId::parse(facility).expect("id"),
        region: region.into(),
        generic_type: "icu_ventilator".into(),
        required,
        present: functional,
        functional,
        gap: u32::saturating_sub(required, functional),
    };
    // Region A: one facility 2 short, one 3 over: the region is 2 short, not 1 over.
    let rows = gaps::region_gaps(&[
        g("f-1", "A", 4, 2),
        g("f-2", "A", 4, 7),
        g("f-3", "B", 6, 0),
    ]);
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (
            rows[0].region.as_str(),
            rows[0].facilities,
            rows[0].required,
            rows[0].functional,
            rows[0].gap
        ),
        ("A", 2, 8, 9, 2)
    );
    assert_eq!((rows[1].region.as_str(), rows[1].gap), ("B", 6));
}
