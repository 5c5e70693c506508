//! What a coded value is called on a page. Each coded set (`aidtrace_domain::coded::Coded`: its
//! stored names and order) gets the prefix of its catalogue keys here, so a page asks for
//! `label(flow.kind)` and never prints a stored name, a serde round-trip or Rust debug text. A
//! test checks that every variant of every set has its key in all four catalogues.
//!
//! Imports nothing from the crate but `i18n` and `format`, so any page module may use it.

use aidtrace_domain::assets;
use aidtrace_domain::coded::Coded;
use aidtrace_domain::{checks, fx, ledger, model, money, totals};

use crate::i18n;

/// A coded value with a label in the catalogues.
pub trait Label: Coded {
    /// Catalogue key prefix of the set, e.g. `val-` or `asset-state-`.
    const PREFIX: &'static str;
    /// Whether the key spells the name's `_` as `-` (the asset pages' keys do).
    const DASHED: bool = false;

    /// The catalogue key of this value's label.
    fn label_key(self) -> String {
        let code = self.code();
        if Self::DASHED {
            format!("{}{}", Self::PREFIX, code.replace('_', "-"))
        } else {
            format!("{}{code}", Self::PREFIX)
        }
    }
}

/// The value's label in the reader's language.
pub fn label<T: Label>(v: T) -> String {
    i18n::t(&v.label_key())
}

/// A data-quality finding's message in the reader's language (`chk-<id>` in the catalogues), its
/// amounts, dates and kinds formatted for that language; the English sentence of the checks when
/// a message has no id.
pub fn finding_message(f: &checks::Finding) -> String {
    use checks::Arg;
    use i18n::ArgValue;
    let key = format!("chk-{}", f.detail.id);
    if f.detail.id.is_empty() || !i18n::has_key(i18n::Lang::En, &key) {
        return f.message.clone();
    }
    let args: Vec<(&str, ArgValue)> = f
        .detail
        .args
        .iter()
        .map(|(name, arg)| {
            let v = match arg {
                Arg::Text(s) => ArgValue::Text(s.clone()),
                Arg::Amount(d) => ArgValue::Text(i18n::number(d.round_dp(2).normalize())),
                Arg::Ratio(d) => ArgValue::Text(i18n::number(d.round_dp(2))),
                Arg::Date(d) => ArgValue::Text(i18n::date(*d)),
                Arg::Count(n) => ArgValue::Count(*n),
                Arg::Kind(k) => ArgValue::Text(label(*k)),
                Arg::Basis(b) => ArgValue::Text(label(*b)),
            };
            (*name, v)
        })
        .collect();
    i18n::tv(&key, &args)
}

/// An amount with its qualifier ("more than 12 000 000 USD"), worded as each language places
/// it: Kazakh qualifiers are postpositions ("12 000 000 USD-дан астам"), so the amount goes into
/// the message (`amount-<qualifier>`).
pub fn qualified(q: Option<money::Qualifier>, amount: &str) -> String {
    match q {
        Some(q) => i18n::ta(&format!("amount-{}", q.code()), &[("amount", amount)]),
        None => amount.to_string(),
    }
}

/// A country's name in the reader's language (catalogue key `country-<code>` for the countries
/// the catalogues name), else its codelist name, else the code.
pub fn country(code: &str) -> String {
    if let Some(name) = i18n::t_opt(&format!("country-{code}")) {
        return name;
    }
    aidtrace_domain::CountryCode::parse(code)
        .ok()
        .map(|c| c.name())
        .filter(|n| !n.is_empty())
        .map_or_else(|| code.to_string(), str::to_string)
}

/// A totals row's key as a page shows it: countries by name, the undated year in words.
pub fn group_key(by: &str, key: &str) -> String {
    match by {
        "recipient" => country(key),
        "year" if key == aidtrace_domain::totals::UNDATED_KEY => i18n::t("orgp-undated"),
        _ => key.to_string(),
    }
}

/// A list cell as a page shows it (lists are plain tables shared with the CSV and XLSX files,
/// which keep stored codes and ISO dates): coded columns show labels, countries their names,
/// dates and amounts the reader's formats.
pub fn cell(header: &str, raw: &str) -> String {
    let each = |f: fn(&str) -> String| raw.split_whitespace().map(f).collect::<Vec<_>>().join(", ");
    match header {
        "instrument" | "status" | "kind" | "severity" | "record_kind" => i18n::value(raw),
        "roles" => each(i18n::value),
        "country" | "countries" => each(country),
        "rate_basis" => i18n::value(raw),
        "start" | "end" | "value_date" | "rate_date" | "provisional_rate_of" => {
            crate::format::date_text(raw)
        }
        "amount" | "converted" | "converted_usd" | "committed_usd" | "disbursed_usd" | "lat"
        | "lon" => crate::format::number_text(raw),
        "rate" => raw
            .parse::<rust_decimal::Decimal>()
            .map_or_else(|_| raw.to_string(), crate::format::rate),
        _ => raw.to_string(),
    }
}

macro_rules! labelled {
    ($prefix:literal, dashed: $dashed:literal, [$($t:ty),* $(,)?]) => {
        $(impl Label for $t {
            const PREFIX: &'static str = $prefix;
            const DASHED: bool = $dashed;
        })*
    };
}

labelled!(
    "val-",
    dashed: false,
    [
        checks::Severity,
        ledger::RateDateBasis,
        model::SourceKind,
        model::OrgKind,
        model::OrgRole,
        model::Instrument,
        model::ActivityStatus,
        model::ParticipantRole,
        model::LegalStepKind,
        model::FlowKind,
        model::BudgetKind,
        model::BudgetStatus,
        model::ClaimKind,
        model::FacilityKind,
        model::FacilityStatus,
        model::EquipmentCategory,
        model::PartnershipArea,
        model::ProductKind,
        model::DraftStatus,
        model::RecordKind,
        fx::Frequency,
        fx::RateOrigin,
        money::Qualifier,
    ]
);
labelled!("by-", dashed: false, [totals::GroupBy]);
labelled!("val-", dashed: false, [aidtrace_service::intake::aidtrace_intake::model::AmountKind]);
labelled!("asset-state-", dashed: true, [assets::LifecycleState]);
labelled!("asset-wo-kind-", dashed: true, [assets::WorkOrderKind]);
labelled!("asset-wo-status-", dashed: true, [assets::WorkOrderStatus]);
labelled!("asset-priority-", dashed: true, [assets::Priority]);
labelled!("asset-criticality-", dashed: true, [assets::Criticality]);
labelled!("asset-acquisition-", dashed: true, [assets::Acquisition]);
labelled!("asset-condition-", dashed: true, [assets::ReceiptCondition]);
labelled!("assets-cause-", dashed: true, [assets::DowntimeCause]);
labelled!("donation-item-", dashed: true, [assets::DonationItem]);
labelled!("medicine-mode-", dashed: true, [aidtrace_domain::medicines::ConsignmentMode]);
labelled!("medicine-basis-", dashed: true, [aidtrace_domain::medicines::ValueBasis]);
labelled!("medicine-destination-", dashed: true, [aidtrace_domain::medicines::DestinationKind]);
labelled!("medicine-decision-", dashed: true, [aidtrace_domain::medicines::DecisionOutcome]);
labelled!("medicine-movement-", dashed: true, [aidtrace_domain::medicines::MovementKind]);
labelled!("medicine-band-", dashed: true, [aidtrace_domain::medicines::stock::ExpiryBand]);

// Sets no page shows by name yet keep their keys unchecked: donation::Outcome, gaps::Scope,
// gaps::Bound, kpi::GroupBy, kpi::PmStatus, the asset code systems, risk classes, contract,
// plan and meter kinds and answers. Give one a prefix above (and keys in all four catalogues)
// before a page prints it.

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    /// Every variant's key, in every language, with its label differing from the key.
    fn every_variant_has_a_label<T: Label>(missing: &mut Vec<String>) {
        for lang in Lang::ALL {
            for v in T::all() {
                let key = v.label_key();
                if !i18n::has_key(lang, &key) {
                    missing.push(format!("{}.ftl: {key}", lang.code()));
                }
            }
        }
    }

    macro_rules! all_labelled {
        ($($t:ty),* $(,)?) => {{
            let mut missing = Vec::new();
            $(every_variant_has_a_label::<$t>(&mut missing);)*
            missing
        }};
    }

    #[test]
    fn every_coded_value_has_a_label_in_all_four_catalogues() {
        let missing = all_labelled!(
            checks::Severity,
            ledger::RateDateBasis,
            model::SourceKind,
            model::OrgKind,
            model::OrgRole,
            model::Instrument,
            model::ActivityStatus,
            model::ParticipantRole,
            model::LegalStepKind,
            model::FlowKind,
            model::BudgetKind,
            model::BudgetStatus,
            model::ClaimKind,
            model::FacilityKind,
            model::FacilityStatus,
            model::EquipmentCategory,
            model::PartnershipArea,
            model::ProductKind,
            model::DraftStatus,
            model::RecordKind,
            fx::Frequency,
            fx::RateOrigin,
            money::Qualifier,
            totals::GroupBy,
            aidtrace_service::intake::aidtrace_intake::model::AmountKind,
            assets::LifecycleState,
            assets::WorkOrderKind,
            assets::WorkOrderStatus,
            assets::Priority,
            assets::Criticality,
            assets::Acquisition,
            assets::ReceiptCondition,
            assets::DowntimeCause,
            assets::DonationItem,
            aidtrace_domain::medicines::ConsignmentMode,
            aidtrace_domain::medicines::ValueBasis,
            aidtrace_domain::medicines::DestinationKind,
            aidtrace_domain::medicines::DecisionOutcome,
            aidtrace_domain::medicines::MovementKind,
            aidtrace_domain::medicines::stock::ExpiryBand,
        );
        assert!(missing.is_empty(), "no label: {missing:#?}");
    }

    #[test]
    fn every_qualifier_places_the_amount_in_all_four_catalogues() {
        for lang in Lang::ALL {
            for q in money::Qualifier::all() {
                let text = i18n::scope(lang, || qualified(Some(*q), "7 000 000 USD"));
                assert!(text.contains("7 000 000 USD"), "{}: {text}", lang.code());
            }
        }
        let kk = i18n::scope(Lang::Kk, || {
            qualified(Some(money::Qualifier::MoreThan), "1 000 000 JPY")
        });
        assert!(
            kk.starts_with("1 000 000 JPY"),
            "a Kazakh postposition: {kk}"
        );
    }

    #[test]
    fn every_check_message_is_in_all_four_catalogues() {
        let mut missing = Vec::new();
        for lang in Lang::ALL {
            for id in checks::MESSAGE_IDS {
                if !i18n::has_key(lang, &format!("chk-{id}")) {
                    missing.push(format!("{}.ftl: chk-{id}", lang.code()));
                }
            }
        }
        assert!(missing.is_empty(), "no message: {missing:#?}");
    }

    #[test]
    fn labels_speak_the_language() {
        i18n::scope(Lang::Ru, || {
            assert_eq!(
                label(model::FlowKind::IncomingCommitment),
                "входящее обязательство"
            );
            assert_ne!(
                label(ledger::RateDateBasis::LatestAvailableRate),
                "latest_available_rate"
            );
        });
        assert_eq!(label(model::OrgRole::DonorAgency), "donor agency");
        assert_eq!(label(assets::LifecycleState::InService), "in service");
    }
}
