//! Every refusal of the equipment records' own rules (`assets::validate`) carries a message id,
//! so a page words it in the reader's language instead of "not accepted" and the English
//! sentence; figures of the sentence travel as the id's arguments.

use aidtrace_domain::error::ProblemId;
use aidtrace_domain::validate::validate;
use aidtrace_domain::{Record, ValidationError};
use serde_json::{Value, json};

/// `base` with the top-level fields of `patch` set (a `null` removes the field).
fn with(mut base: Value, patch: Value) -> Value {
    let (Some(b), Value::Object(p)) = (base.as_object_mut(), patch) else {
        panic!("records are objects");
    };
    for (k, v) in p {
        if v.is_null() {
            b.remove(&k);
        } else {
            b.insert(k, v);
        }
    }
    base
}

/// The refusal of the record written as `v`.
fn refusal(v: Value) -> ValidationError {
    let r: Record = serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{e}: {v}"));
    validate(&r).expect_err("refused")
}

fn device_model(patch: Value) -> Value {
    with(
        json!({"record": "device_model", "id": "dm-x", "manufacturer": "org-m",
            "model_name": "X-1", "generic_type": "ct_scanner"}),
        patch,
    )
}

fn power(patch: Value) -> Value {
    with(
        json!({"record": "facility_power", "id": "pw-x", "facility": "fac-x", "phases": 3,
            "voltage": 400, "frequency_hz": 50}),
        patch,
    )
}

fn density(patch: Value) -> Value {
    with(
        json!({"record": "density_reference", "id": "dr-x", "generic_type": "ct_scanner",
            "area": "Kazakhstan", "per_million": "10", "year": 2020,
            "sources": [{"source": "src-x"}]}),
        patch,
    )
}

fn population(patch: Value) -> Value {
    with(
        json!({"record": "population", "id": "pop-x", "country": "KZ", "population": 100,
            "year": 2025}),
        patch,
    )
}

fn asset(patch: Value) -> Value {
    with(
        json!({"record": "asset", "id": "as-x", "inventory_tag": "T-1", "model": "dm-x",
            "facility": "fac-x", "criticality": "high",
            "funding": {"acquisition": "donation", "condition": "new"}}),
        patch,
    )
}

fn event(state: &str, patch: Value) -> Value {
    with(
        json!({"record": "asset_event", "id": "ev-x", "asset": "as-x",
            "at": "2024-10-21T10:00:00", "state": state}),
        patch,
    )
}

fn downtime(patch: Value) -> Value {
    with(
        json!({"record": "downtime", "id": "down-x", "asset": "as-x",
            "start": "2025-03-10T08:00:00", "cause": "external_power"}),
        patch,
    )
}

fn order(patch: Value) -> Value {
    with(
        json!({"record": "work_order", "id": "wo-x", "asset": "as-x", "kind": "corrective",
            "status": "open", "priority": "normal", "opened": "2025-03-10T08:00:00"}),
        patch,
    )
}

fn plan(patch: Value) -> Value {
    with(
        json!({"record": "maintenance_plan", "id": "plan-x", "model": "dm-x",
            "kind": "preventive", "trigger": {"every_days": 91}, "window_days": 14,
            "description": "OEM preventive maintenance"}),
        patch,
    )
}

fn donation_check(patch: Value) -> Value {
    with(
        json!({"record": "donation_check", "id": "dc-x", "model": "dm-x", "facility": "fac-x",
            "checked_on": "2025-01-15"}),
        patch,
    )
}

/// One test per refusal: the record is refused with the id, and with each text argument given.
macro_rules! refusals {
    ($($name:ident: $record:expr => $id:ident $(, $arg:literal = $val:expr)*;)*) => {$(
        #[test]
        fn $name() {
            let err = refusal($record);
            assert_eq!(err.problem.as_ref().map(|p| p.id), Some(ProblemId::$id), "{err}");
            $(
                assert_eq!(
                    err.problem.as_ref().and_then(|p| p.text_arg($arg)),
                    Some($val),
                    "{err}"
                );
            )*
        }
    )*};
}

refusals! {
    an_implausible_cost:
        asset(json!({"cost": {"amount": "2000000000000000", "currency": "USD"}}))
        => ImplausibleAmount, "max" = "10^15";
    a_negative_power_figure: device_model(json!({"power": {"idle_kw": "-1"}})) => Negative;
    two_phases: power(json!({"phases": 2})) => PhasesOneOrThree;
    a_model_on_two_phases: device_model(json!({"power": {"phases": 2}})) => PhasesOneOrThree;
    a_frequency_of_55_hz: power(json!({"frequency_hz": 55})) => MainsFrequency;
    a_model_generic_type_in_capitals:
        device_model(json!({"generic_type": "CT Scanner"})) => GenericTypeFormat;
    a_density_generic_type_in_capitals:
        density(json!({"generic_type": "CT"})) => GenericTypeFormat;
    a_tier_override_generic_type_in_capitals:
        power(json!({"tier_overrides": [{"generic_type": "CT", "tier": "critical"}]}))
        => GenericTypeFormat;
    an_expected_life_of_zero: device_model(json!({"expected_life_years": 0})) => LifeAtLeastOneYear;
    a_model_average_above_its_peak:
        device_model(json!({"power": {"average_kw": "5", "peak_kw": "3"}}))
        => AverageAbovePeak, "peak" = "3";
    a_building_load_average_above_its_peak:
        power(json!({"building_loads": [{"kind": "medical_gases", "average_kw": "5",
            "peak_kw": "3"}]}))
        => AverageAbovePeak, "peak" = "3";
    a_maximum_voltage_below_the_minimum:
        device_model(json!({"power": {"voltage_min": 400, "voltage_max": 380}}))
        => VoltageMaxBelowMin, "min" = "400";
    an_implausible_backup:
        power(json!({"backup_kva": "200000"})) => LoadTooLarge, "max" = "100000";
    an_implausible_building_load:
        power(json!({"building_loads": [{"kind": "medical_gases", "peak_kw": "200000"}]}))
        => LoadTooLarge, "max" = "100000";
    a_negative_building_load:
        power(json!({"building_loads": [{"kind": "medical_gases", "average_kw": "-2"}]}))
        => Negative;
    another_load_without_description:
        power(json!({"building_loads": [{"kind": "other"}]})) => OtherLoadNeedsDescription;
    a_tier_override_naming_nothing:
        power(json!({"tier_overrides": [{"tier": "critical"}]})) => AssetOrGenericType;
    a_tier_override_naming_both:
        power(json!({"tier_overrides": [{"asset": "as-x", "generic_type": "ct_scanner",
            "tier": "critical"}]}))
        => AssetOrGenericType;
    outage_hours_beyond_a_day:
        power(json!({"typical_outage_hours_per_day": "25"})) => OutageHoursRange;
    negative_outage_hours: power(json!({"typical_outage_hours_per_day": "-1"})) => OutageHoursRange;
    an_implausible_tank:
        power(json!({"fuel": {"tank_litres": "20000000"}}))
        => FuelTooLarge, "max" = "10000000";
    more_fuel_than_the_tank:
        power(json!({"fuel": {"tank_litres": "100", "on_hand_litres": "200",
            "as_of": "2025-01-01"}}))
        => AboveTankSize, "tank" = "100";
    fuel_on_hand_without_a_date:
        power(json!({"fuel": {"on_hand_litres": "50"}})) => FuelDateNeeded;
    a_fuel_date_without_litres:
        power(json!({"fuel": {"as_of": "2025-01-01"}})) => FuelDateWithoutLitres;
    a_negative_density: density(json!({"per_million": "-1"})) => Negative;
    a_density_year_out_of_range:
        density(json!({"year": 1800})) => YearOutOfRange, "from" = "1900", "to" = "2100";
    a_density_last_year_before_its_first:
        density(json!({"year_to": 2019})) => YearToRange, "after" = "2020", "max" = "2100";
    a_density_last_year_beyond_the_range:
        density(json!({"year_to": 2200})) => YearToRange, "after" = "2020", "max" = "2100";
    a_density_without_source: density(json!({"sources": []})) => ReferenceNeedsSource;
    a_population_of_zero: population(json!({"population": 0})) => PopulationAtLeastOne;
    an_asset_its_own_parent: asset(json!({"parent": "as-x"})) => OwnParent;
    a_contract_ending_before_it_starts:
        asset(json!({"contracts": [{"kind": "warranty", "start": "2025-01-01",
            "end": "2024-01-01"}]}))
        => EndBeforeStart, "start" = "2025-01-01";
    commissioning_without_acceptance: event("commissioned", json!({})) => AcceptanceNeeded;
    a_transfer_without_receiver: event("transferred", json!({})) => ReceivingFacilityNeeded;
    disposal_without_its_record: event("disposed", json!({})) => DisposalRecordNeeded;
    a_disposal_record_on_another_state:
        event("decommissioned", json!({"disposal": {"method": "recycled",
            "data_wipe": "done"}}))
        => DisposalNotDisposed;
    an_event_correcting_itself: event("delivered", json!({"corrects": "ev-x"})) => CorrectsItself;
    a_downtime_ending_before_it_starts:
        downtime(json!({"end": "2025-03-09T08:00:00"}))
        => EndBeforeStart, "start" = "2025-03-10 08:00:00";
    a_done_order_without_closing_time: order(json!({"status": "done"})) => ClosedTimeNeeded;
    an_open_order_with_closing_time:
        order(json!({"closed": "2025-03-11T08:00:00"})) => OpenOrderHasCloseTime;
    an_order_closed_before_it_opened:
        order(json!({"status": "cancelled", "closed": "2025-03-09T08:00:00"}))
        => ClosedBeforeOpened, "opened" = "2025-03-10 08:00:00";
    implausibly_many_parts:
        order(json!({"parts": [{"description": "filter", "quantity": 2000000,
            "unit_cost": {"amount": "1", "currency": "USD"}}]}))
        => TooManyParts, "max" = "1000000";
    an_implausible_part_cost:
        order(json!({"parts": [{"description": "filter", "quantity": 1,
            "unit_cost": {"amount": "2000000000000000", "currency": "USD"}}]}))
        => ImplausibleAmount;
    a_plan_for_a_model_and_an_asset: plan(json!({"asset": "as-x"})) => PlanModelOrAsset;
    a_plan_for_nothing: plan(json!({"model": null})) => PlanModelOrAsset;
    an_interval_of_zero_days:
        plan(json!({"trigger": {"every_days": 0}})) => IntervalAtLeastOneDay;
    a_meter_interval_of_zero:
        plan(json!({"trigger": {"every_meter": {"meter": "hours", "every": 0}}}))
        => IntervalAtLeastOne;
    an_item_answered_twice:
        donation_check(json!({"answers": [{"item": "recipient_request", "answer": "yes"},
            {"item": "recipient_request", "answer": "no"}]}))
        => AnsweredTwice;
}

/// The English sentence stays as it was: the id is added beside it, never instead of it.
#[test]
fn the_english_sentence_is_kept_beside_the_id() {
    let err = refusal(power(json!({"typical_outage_hours_per_day": "25"})));
    assert_eq!(err.message, "must be between 0 and 24");
    let err = refusal(device_model(
        json!({"power": {"voltage_min": 400, "voltage_max": 380}}),
    ));
    assert_eq!(err.message, "below voltage_min 400");
}
