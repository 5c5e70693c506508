//! What each form asks: its single fields and its repeatable rows, named as the record's JSON
//! paths so one engine maps any of them (`money.amount`, `countries[0].percentage`).

use aidtrace_domain::RecordKind;

use crate::changes::edit::{
    ACTIVITY_STATUSES, EQUIPMENT_CATEGORIES, FACILITY_KINDS, INSTRUMENTS, ORG_KINDS,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum In {
    /// A record id: generated from the title when left empty, fixed once saved.
    Id,
    Text,
    Long,
    Date,
    /// An exact decimal, kept as text so no float touches it.
    Decimal,
    Integer,
    Check,
    /// One value of a short list (a `<select>`).
    Choice(&'static [&'static str]),
    /// Any number of values of a short list (checkboxes).
    Multi(&'static [&'static str]),
    /// An existing record of this kind, by id or by name (type-ahead list).
    Ref(RecordKind),
    /// A country by code or name (type-ahead list of the codelist).
    Country,
    /// A currency by code or name.
    Currency,
    /// A five-digit OECD DAC purpose code (type-ahead list of the named ones).
    Sector,
}

#[derive(Debug)]
pub struct Field {
    pub name: &'static str,
    /// Catalogue key of the label.
    pub label: &'static str,
    pub input: In,
    pub required: bool,
}

const fn f(name: &'static str, label: &'static str, input: In, required: bool) -> Field {
    Field {
        name,
        label,
        input,
        required,
    }
}

/// Repeatable rows. `record` rows become records of their own (an activity's flows), the others
/// an array inside the main record.
#[derive(Debug)]
pub struct Group {
    pub name: &'static str,
    pub label: &'static str,
    pub fields: &'static [Field],
    /// Rows carry a `percentage` that must add up to 100 (checked live and on submit).
    pub percent: bool,
    /// Rows shown on a new form.
    pub min_rows: usize,
    pub record: Option<RecordKind>,
}

pub struct Spec {
    pub kind: RecordKind,
    pub collection: &'static str,
    /// Generated ids start with this (`act-`).
    pub id_prefix: &'static str,
    /// The field a generated id is made from.
    pub title_field: &'static str,
    pub fields: &'static [Field],
    pub groups: &'static [Group],
}

pub const PARTICIPANT_ROLES: &[&str] = &[
    "funding",
    "accountable",
    "extending",
    "implementing",
    "beneficiary",
];
pub const LEGAL_STEP_KINDS: &[&str] = &[
    "intergovernmental_agreement",
    "exchange_of_notes",
    "grant_agreement",
    "grant_contract",
    "contract",
    "contract_verification",
    "banking_arrangement",
    "authorisation_to_pay",
    "payment",
    "audit",
    "other",
];
pub const ALL_FLOW_KINDS: &[&str] = &[
    "pledge",
    "commitment",
    "disbursement",
    "expenditure",
    "incoming_funds",
    "incoming_commitment",
    "incoming_pledge",
    "interest_payment",
    "loan_repayment",
    "reimbursement",
    "purchase_of_equity",
    "sale_of_equity",
    "credit_guarantee",
];
pub const SOURCE_KINDS: &[&str] = &[
    "news_article",
    "press_release",
    "official_document",
    "iati_file",
    "dataset",
    "other",
];
pub const ORG_ROLES: &[&str] = &[
    "donor",
    "donor_agency",
    "recipient",
    "implementer",
    "facility_operator",
    "academic",
    "manufacturer",
    "supplier",
];
pub const ID_SCHEMES: &[&str] = &["iati", "iati_as_published", "registration", "other"];
pub const FACILITY_STATUSES: &[&str] = &[
    "operational",
    "damaged",
    "destroyed",
    "under_repair",
    "restored",
    "closed",
];

use In::*;

/// The new source a form may create beside its record (`new_source.title`, …).
pub const NEW_SOURCE: &[Field] = &[
    f("new_source.title", "field-source-title", Text, false),
    f("new_source.id", "field-source-id", Id, false),
    f(
        "new_source.kind",
        "field-source-kind",
        Choice(SOURCE_KINDS),
        false,
    ),
    f("new_source.url", "field-url", Text, false),
    f("new_source.publisher", "field-publisher", Text, false),
    f("new_source.published", "field-published", Date, false),
];

const CITATIONS: Group = Group {
    name: "sources",
    label: "form-sources",
    fields: &[
        f("source", "field-source", Ref(RecordKind::Source), false),
        f("quote", "field-quote", Long, false),
    ],
    percent: false,
    min_rows: 1,
    record: None,
};

const FLOW_FIELDS: &[Field] = &[
    f("kind", "field-kind", Choice(ALL_FLOW_KINDS), true),
    f("money.amount", "field-amount", Decimal, true),
    f("money.currency", "field-currency-any", Currency, true),
    f("money.value_date", "field-value-date", Date, false),
    f(
        "provider",
        "field-provider",
        Ref(RecordKind::Organisation),
        false,
    ),
    f(
        "receiver",
        "field-receiver",
        Ref(RecordKind::Organisation),
        false,
    ),
    f(
        "parent_flow",
        "field-parent-flow",
        Ref(RecordKind::Flow),
        false,
    ),
    f("reversal", "field-reversal", Check, false),
    f("description", "field-description", Text, false),
    f("source", "field-source", Ref(RecordKind::Source), false),
    f("quote", "field-quote", Long, true),
    f("id", "field-id", Id, false),
];

const EQUIPMENT_FIELDS: &[Field] = &[
    f("description", "field-description", Text, true),
    f(
        "category",
        "field-category",
        Choice(EQUIPMENT_CATEGORIES),
        true,
    ),
    f("quantity", "field-quantity", Integer, false),
    f("unit_cost.amount", "field-unit-cost", Decimal, false),
    f(
        "unit_cost.currency",
        "field-unit-cost-currency",
        Currency,
        false,
    ),
    f(
        "facility",
        "field-facility",
        Ref(RecordKind::Facility),
        false,
    ),
    f("source", "field-source", Ref(RecordKind::Source), false),
    f("quote", "field-quote", Long, false),
    f("id", "field-id", Id, false),
];

pub const ACTIVITY: Spec = Spec {
    kind: RecordKind::Activity,
    collection: "activities",
    id_prefix: "act-",
    title_field: "title",
    fields: &[
        f("title", "field-title", Text, true),
        f("id", "field-id", Id, false),
        f("instrument", "field-instrument", Choice(INSTRUMENTS), true),
        f("status", "field-status", Choice(ACTIVITY_STATUSES), true),
        f(
            "parent",
            "field-parent-activity",
            Ref(RecordKind::Activity),
            false,
        ),
        f("start_date", "field-start-date", Date, false),
        f("end_date", "field-end-date", Date, false),
        f("description", "field-description", Long, false),
        f("purpose", "field-purpose", Long, false),
        f("target_population", "field-target-population", Text, false),
        f("ceiling.amount", "field-ceiling", Decimal, false),
        f(
            "ceiling.currency",
            "field-ceiling-currency",
            Currency,
            false,
        ),
        f("iati_identifier", "field-iati-identifier", Text, false),
    ],
    groups: &[
        Group {
            name: "countries",
            label: "form-countries",
            fields: &[
                f("country", "field-country-any", Country, true),
                f("percentage", "field-percentage", Decimal, true),
            ],
            percent: true,
            min_rows: 2,
            record: None,
        },
        Group {
            name: "regions",
            label: "form-regions",
            fields: &[
                f("country", "field-country-any", Country, true),
                f("name", "field-region", Text, true),
                f("percentage", "field-percentage", Decimal, true),
            ],
            percent: true,
            min_rows: 1,
            record: None,
        },
        Group {
            name: "sectors",
            label: "form-sectors",
            fields: &[
                f("code", "field-sector", Sector, true),
                f("percentage", "field-percentage", Decimal, true),
            ],
            percent: true,
            min_rows: 2,
            record: None,
        },
        Group {
            name: "participants",
            label: "form-participants",
            fields: &[
                f(
                    "org",
                    "field-organisation",
                    Ref(RecordKind::Organisation),
                    true,
                ),
                f("role", "field-role", Choice(PARTICIPANT_ROLES), true),
            ],
            percent: false,
            min_rows: 2,
            record: None,
        },
        Group {
            name: "legal_steps",
            label: "form-legal-steps",
            fields: &[
                f("kind", "field-kind", Choice(LEGAL_STEP_KINDS), true),
                f("date", "field-date", Date, false),
                f("reference", "field-reference", Text, false),
            ],
            percent: false,
            min_rows: 1,
            record: None,
        },
        Group {
            name: "facilities",
            label: "form-target-facilities",
            fields: &[f(
                "facility",
                "field-facility",
                Ref(RecordKind::Facility),
                true,
            )],
            percent: false,
            min_rows: 1,
            record: None,
        },
        CITATIONS,
        Group {
            name: "flows",
            label: "form-flows",
            fields: FLOW_FIELDS,
            percent: false,
            min_rows: 1,
            record: Some(RecordKind::Flow),
        },
        Group {
            name: "equipment",
            label: "form-equipment-lines",
            fields: EQUIPMENT_FIELDS,
            percent: false,
            min_rows: 1,
            record: Some(RecordKind::EquipmentLine),
        },
    ],
};

pub const FLOW: Spec = Spec {
    kind: RecordKind::Flow,
    collection: "flows",
    id_prefix: "flow-",
    title_field: "description",
    fields: &[
        f(
            "activity",
            "field-activity",
            Ref(RecordKind::Activity),
            true,
        ),
        f("kind", "field-kind", Choice(ALL_FLOW_KINDS), true),
        f("money.amount", "field-amount", Decimal, true),
        f("money.currency", "field-currency-any", Currency, true),
        f("money.value_date", "field-value-date", Date, false),
        f(
            "provider",
            "field-provider",
            Ref(RecordKind::Organisation),
            false,
        ),
        f(
            "receiver",
            "field-receiver",
            Ref(RecordKind::Organisation),
            false,
        ),
        f(
            "parent_flow",
            "field-parent-flow",
            Ref(RecordKind::Flow),
            false,
        ),
        f("reversal", "field-reversal", Check, false),
        f("description", "field-description", Long, false),
        f("id", "field-id", Id, false),
    ],
    groups: &[CITATIONS],
};

pub const EQUIPMENT: Spec = Spec {
    kind: RecordKind::EquipmentLine,
    collection: "equipment-lines",
    id_prefix: "eq-",
    title_field: "description",
    fields: &[
        f(
            "activity",
            "field-activity",
            Ref(RecordKind::Activity),
            true,
        ),
        f("description", "field-description", Text, true),
        f(
            "category",
            "field-category",
            Choice(EQUIPMENT_CATEGORIES),
            true,
        ),
        f("quantity", "field-quantity", Integer, false),
        f("unit_cost.amount", "field-unit-cost", Decimal, false),
        f(
            "unit_cost.currency",
            "field-unit-cost-currency",
            Currency,
            false,
        ),
        f(
            "facility",
            "field-facility",
            Ref(RecordKind::Facility),
            false,
        ),
        f("id", "field-id", Id, false),
    ],
    groups: &[CITATIONS],
};

pub const ORGANISATION: Spec = Spec {
    kind: RecordKind::Organisation,
    collection: "organisations",
    id_prefix: "org-",
    title_field: "name",
    fields: &[
        f("name", "field-name", Text, true),
        f("id", "field-id", Id, false),
        f("kind", "field-kind", Choice(ORG_KINDS), true),
        f("roles", "field-roles", Multi(ORG_ROLES), false),
        f("country", "field-country-any", Country, false),
        f(
            "parent",
            "field-parent",
            Ref(RecordKind::Organisation),
            false,
        ),
    ],
    groups: &[
        Group {
            name: "identifiers",
            label: "form-identifiers",
            fields: &[
                f("scheme", "field-scheme", Choice(ID_SCHEMES), true),
                f("value", "field-identifier", Text, true),
            ],
            percent: false,
            min_rows: 1,
            record: None,
        },
        CITATIONS,
    ],
};

pub const FACILITY: Spec = Spec {
    kind: RecordKind::Facility,
    collection: "facilities",
    id_prefix: "fac-",
    title_field: "name",
    fields: &[
        f("name", "field-name", Text, true),
        f("id", "field-id", Id, false),
        f("kind", "field-kind", Choice(FACILITY_KINDS), true),
        f("country", "field-country-any", Country, true),
        f("region", "field-region", Text, false),
        f("city", "field-city", Text, false),
        f(
            "operator",
            "field-operator",
            Ref(RecordKind::Organisation),
            false,
        ),
        f("location.lat", "field-lat", Decimal, false),
        f("location.lon", "field-lon", Decimal, false),
        f("location_note", "field-location-note", Text, false),
        f("beds", "field-beds", Integer, false),
        f(
            "population_served",
            "field-population-served",
            Integer,
            false,
        ),
        f("sensitive", "field-sensitive", Check, false),
    ],
    groups: &[
        Group {
            name: "status_history",
            label: "form-status-history",
            fields: &[
                f("status", "field-status", Choice(FACILITY_STATUSES), true),
                f("date", "field-date", Date, true),
                f("note", "field-note", Text, false),
            ],
            percent: false,
            min_rows: 1,
            record: None,
        },
        CITATIONS,
    ],
};

/// `BuildingLoadKind::ALL` by name, in the enum's order (a test keeps them equal).
pub const BUILDING_LOAD_KINDS: &[&str] = &[
    "medical_gases",
    "or_icu_ventilation",
    "icu_or_power",
    "sterilisation",
    "heating_pumps",
    "life_safety_lighting",
    "water_pumps",
    "refrigeration",
    "other",
];
/// `LoadTier::ALL` by name, in order.
pub const LOAD_TIERS: &[&str] = &["life_support", "critical", "essential"];
/// `BackupCondition` by name, in order.
pub const BACKUP_CONDITIONS: &[&str] = &["working", "needs_repair", "absent"];

/// A facility's electricity and its building loads (the load survey's entries). A load's kW
/// left empty is stored as unknown, which the survey reports as unknown, never as 0. Tier
/// overrides have no fields here and are kept as stored.
pub const FACILITY_POWER: Spec = Spec {
    kind: RecordKind::FacilityPower,
    collection: "facility-power",
    id_prefix: "power-",
    title_field: "facility",
    fields: &[
        f(
            "facility",
            "field-facility",
            Ref(RecordKind::Facility),
            true,
        ),
        f("id", "field-id", Id, false),
        f("phases", "field-phases", Integer, true),
        f("voltage", "field-voltage", Integer, true),
        f("frequency_hz", "field-frequency", Integer, true),
        f("available_kva", "field-available-kva", Decimal, false),
        f("backup_kva", "field-backup-kva", Decimal, false),
        f(
            "backup_condition",
            "field-backup-condition",
            Choice(BACKUP_CONDITIONS),
            false,
        ),
        f(
            "typical_outage_hours_per_day",
            "field-outage-hours",
            Decimal,
            false,
        ),
        f("note", "field-note", Text, false),
    ],
    groups: &[Group {
        name: "building_loads",
        label: "form-building-loads",
        fields: &[
            f("kind", "field-load-kind", Choice(BUILDING_LOAD_KINDS), true),
            f("description", "field-description", Text, false),
            f("tier", "field-load-tier", Choice(LOAD_TIERS), false),
            f("average_kw", "field-average-kw", Decimal, false),
            f("peak_kw", "field-peak-kw", Decimal, false),
            f("starting_kva", "field-starting-kva", Decimal, false),
        ],
        percent: false,
        min_rows: 3,
        record: None,
    }],
};

pub const SPECS: &[&Spec] = &[
    &ACTIVITY,
    &FLOW,
    &EQUIPMENT,
    &ORGANISATION,
    &FACILITY,
    &FACILITY_POWER,
];

pub fn spec(collection: &str) -> Option<&'static Spec> {
    SPECS.iter().copied().find(|s| s.collection == collection)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aidtrace_domain::assets::load::{BackupCondition, BuildingLoadKind, LoadTier};

    #[test]
    fn the_load_choices_are_the_enums_names_in_their_order() {
        let kinds: Vec<&str> = BuildingLoadKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(kinds, BUILDING_LOAD_KINDS);
        let tiers: Vec<&str> = LoadTier::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(tiers, LOAD_TIERS);
        let conditions: Vec<&str> = [
            BackupCondition::Working,
            BackupCondition::NeedsRepair,
            BackupCondition::Absent,
        ]
        .iter()
        .map(|c| c.as_str())
        .collect();
        assert_eq!(conditions, BACKUP_CONDITIONS);
    }
}
