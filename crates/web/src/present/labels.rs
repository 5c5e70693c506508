//! What a coded value is called on a page. Each coded set (`aidtrace_domain::coded::Coded`: its
//! stored names and order) gets the prefix of its catalogue keys here, so a page asks for
//! `label(flow.kind)` and never prints a stored name, a serde round-trip or Rust debug text. A
//! test checks that every variant of every set has its key in all four catalogues.
//!
//! Imports nothing from the crate but `i18n` and `format`, so any page module may use it.

use aidtrace_domain::assets;
use aidtrace_domain::assets::donation;
use aidtrace_domain::coded::Coded;
use aidtrace_domain::country_names::NameLanguage;
use aidtrace_domain::error::{Problem, ProblemArg, ProblemId};
use aidtrace_domain::sectors;
use aidtrace_domain::{checks, fx, ledger, model, money, totals};

use super::i18n;

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
    let key = format!("chk-{}", f.detail().id);
    if f.detail().id.is_empty() || !i18n::has_key(i18n::Lang::En, &key) {
        return f.message().to_string();
    }
    let args: Vec<(&str, ArgValue)> = f
        .detail()
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

/// A country's name in the reader's language: the catalogue's `country-<code>` where the
/// catalogues word a name themselves, else the ISO name of `domain/data/country_names.tsv`
/// (every codelist country in all four languages); a code outside the codelist as it is.
pub fn country(code: &str) -> String {
    if let Some(name) = i18n::t_opt(&format!("country-{code}")) {
        return name;
    }
    aidtrace_domain::country_names::country_name(code, name_language())
        .map_or_else(|| code.to_string(), str::to_string)
}

/// The reader's language as the domain's name tables spell it.
fn name_language() -> NameLanguage {
    match i18n::current() {
        i18n::Lang::En => NameLanguage::En,
        i18n::Lang::Ru => NameLanguage::Ru,
        i18n::Lang::Uk => NameLanguage::Uk,
        i18n::Lang::Kk => NameLanguage::Kk,
    }
}

/// A DAC sector code as a page shows it, and the English purpose name for its `title` where the
/// text is not that name. English: "12191 Medical services". Other languages: the purpose in the
/// reader's language where it is translated (health and emergencies), "Медицинские услуги —
/// 12191"; else the code's DAC category, "Образование, общее — 11110", with the English purpose
/// as the title; a code of no known category falls back to the English label.
pub fn sector(code: &str) -> (String, Option<&'static str>) {
    let code = code.trim();
    let lang = name_language();
    if lang == NameLanguage::En {
        return (sectors::label(code), None);
    }
    if let Some(purpose) = sectors::purpose_name(code, lang) {
        return (format!("{purpose} — {code}"), sectors::name(code));
    }
    match sectors::category_name(code, lang) {
        Some(category) => (format!("{category} — {code}"), sectors::name(code)),
        None => (sectors::label(code), None),
    }
}

/// [`sector`] as markup: the text, with the English purpose name on hover.
pub fn sector_markup(code: &str) -> maud::Markup {
    let (text, title) = sector(code);
    maud::html! { span title=[title] { (text) } }
}

/// The text of [`sector`] alone, for places that cannot hold a title (a CSV cell, a chart key).
pub fn sector_text(code: &str) -> String {
    sector(code).0
}

/// A refusal of the service's rules in the reader's language (`verr-<id>`), its record kinds by
/// their labels, with the refused value after it as [`i18n::field_problem`] shows it.
pub fn problem_text(problem: &Problem, value: &str) -> String {
    let args: Vec<(&str, String)> = problem
        .args
        .iter()
        .map(|(name, arg)| {
            let v = match arg {
                ProblemArg::Text(s) => s.clone(),
                ProblemArg::Kind(k) => label(*k),
                ProblemArg::States(states) => states
                    .iter()
                    .map(|s| label(*s))
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            (*name, v)
        })
        .collect();
    let args: Vec<(&str, &str)> = args.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let text = i18n::ta(&problem.id.label_key(), &args);
    if value.is_empty() {
        text
    } else {
        format!("{text} — «{value}»")
    }
}

/// Where a conversion's rates come from, in the reader's language: the publishers, then each
/// published leg ("JPY per USD ≈157,25 (daily reference rate of 30.10.2026: 175,68 JPY and
/// 1,1172 USD per EUR)"), figures in the reader's number format. `english` (the service's
/// sentence) stands when no leg was kept.
pub fn rate_source(legs: &[fx::RateLeg], english: &str) -> String {
    let published: Vec<&fx::RateLeg> = legs
        .iter()
        .filter(|l| l.frequency.is_some() && l.currency.as_str() != "USD")
        .collect();
    if published.is_empty() {
        return english.to_string();
    }
    let mut sources: Vec<&str> = published.iter().map(|l| l.source.as_str()).collect();
    sources.dedup();
    let parts: Vec<String> = published
        .iter()
        .map(|l| {
            let currency = l.currency.as_str();
            let (rate, period) = match (l.ecb_quote(), l.frequency) {
                (Some((units, usd)), _) => (
                    format!("≈{}", super::format::rate(l.units_per_usd)),
                    i18n::ta(
                        "conv-leg-ecb",
                        &[
                            ("date", &i18n::date(l.rate_date)),
                            ("units", &i18n::number(units.normalize())),
                            ("currency", currency),
                            ("usd", &i18n::number(usd.normalize())),
                        ],
                    ),
                ),
                (None, Some(fx::Frequency::Annual)) => (
                    i18n::number(l.units_per_usd.normalize()),
                    i18n::ta(
                        "conv-leg-annual",
                        &[("year", &chrono::Datelike::year(&l.rate_date).to_string())],
                    ),
                ),
                (None, Some(fx::Frequency::Monthly)) => (
                    i18n::number(l.units_per_usd.normalize()),
                    i18n::ta(
                        "conv-leg-monthly",
                        &[("month", &l.rate_date.format("%m.%Y").to_string())],
                    ),
                ),
                (None, _) => (
                    i18n::number(l.units_per_usd.normalize()),
                    i18n::ta("conv-leg-daily", &[("date", &i18n::date(l.rate_date))]),
                ),
            };
            i18n::ta(
                "conv-leg",
                &[("currency", currency), ("rate", &rate), ("period", &period)],
            )
        })
        .collect();
    format!("{}; {}", sources.join(", "), parts.join("; "))
}

/// Why a figure could not be converted, in the reader's language (the currency by its code, the
/// date in the reader's format).
pub fn conversion_error(e: &fx::ConversionError) -> String {
    match e {
        fx::ConversionError::NoValueDate => i18n::t("conv-err-no-value-date"),
        fx::ConversionError::MissingRate { currency, date } => i18n::ta(
            "conv-err-missing-rate",
            &[
                ("currency", currency.as_str()),
                ("date", &i18n::date(*date)),
            ],
        ),
        fx::ConversionError::Overflow => i18n::t("conv-err-overflow"),
    }
}

/// Why a donation-check item came out as it did, in the reader's language (`donation-why-*`,
/// countries by name, figures in the reader's format); an attested note, or a reason not
/// structured yet, as written.
pub fn donation_reason(item: &donation::ItemResult) -> String {
    use donation::{PowerProblem, Reason, Seen};
    let n = |v: u32| v.to_string();
    let seen = |s: &Seen| match s {
        Seen::Volts(v) => format!("{v} V"),
        Seen::PhaseToNeutral { phase, line } => i18n::ta(
            "donation-why-seen-phase",
            &[("phase", &n(*phase)), ("line", &n(*line))],
        ),
        Seen::RootThree { line } => i18n::ta("donation-why-seen-root", &[("line", &n(*line))]),
    };
    let problem = |p: &PowerProblem| match p {
        PowerProblem::NeedsThreePhase { has } => {
            i18n::ta("donation-why-three-phase", &[("has", &has.to_string())])
        }
        PowerProblem::Frequency { needs, has } => i18n::ta(
            "donation-why-frequency",
            &[("needs", &n(*needs)), ("has", &n(*has))],
        ),
        PowerProblem::Voltage { lo, hi, seen: s } => i18n::ta(
            "donation-why-voltage",
            &[("lo", &n(*lo)), ("hi", &n(*hi)), ("seen", &seen(s))],
        ),
        PowerProblem::Peak { peak, available } => i18n::ta(
            "donation-why-peak",
            &[
                ("peak", &i18n::number(*peak)),
                ("available", &i18n::number(*available)),
            ],
        ),
        PowerProblem::NoBackup => i18n::t("donation-why-no-backup"),
    };
    let Some(why) = &item.why else {
        return item.reason.clone();
    };
    match why {
        Reason::PowerFits {
            phases,
            voltage,
            frequency_hz,
        } => i18n::ta(
            "donation-why-power-fits",
            &[
                ("phases", &phases.to_string()),
                ("voltage", &n(*voltage)),
                ("hz", &n(*frequency_hz)),
            ],
        ),
        Reason::PowerProblems(problems) => {
            problems.iter().map(problem).collect::<Vec<_>>().join("; ")
        }
        Reason::Support {
            until,
            years_left,
            min_years,
        } => i18n::ta(
            "donation-why-support",
            &[
                ("until", &i18n::date(*until)),
                ("years", &i18n::number(*years_left)),
                ("min", &min_years.to_string()),
            ],
        ),
        Reason::LanguageFound { language } => {
            i18n::ta("donation-why-language-found", &[("language", language)])
        }
        Reason::LanguageMissing { manuals, needed } => i18n::ta(
            "donation-why-language-missing",
            &[
                ("manuals", &manuals.join(", ")),
                ("needed", &needed.join(", ")),
            ],
        ),
        Reason::Registered {
            country: c,
            registration,
        } => i18n::ta(
            "donation-why-registered",
            &[("country", &country(c)), ("registration", registration)],
        ),
        Reason::RegistrationsDoNotName {
            country: c,
            registrations,
            model,
        } => {
            let counted = registrations
                .iter()
                .map(|r| {
                    let count = r
                        .count
                        .map_or_else(|| i18n::t("donation-why-some"), |c| c.to_string());
                    i18n::ta(
                        "donation-why-registration-count",
                        &[
                            ("id", &r.id),
                            ("count", &count),
                            ("origin", &country(&r.origin)),
                        ],
                    )
                })
                .collect::<Vec<_>>()
                .join("; ");
            i18n::ta(
                "donation-why-registrations",
                &[
                    ("country", &country(c)),
                    ("registrations", &counted),
                    ("model", model),
                ],
            )
        }
        Reason::NotAnswered => i18n::t("donation-why-not-answered"),
        Reason::Attested => i18n::t("donation-why-attested"),
    }
}

/// A totals row's key as a page shows it: countries by name, the undated year in words.
pub fn group_key(by: &str, key: &str) -> String {
    use aidtrace_domain::totals::{UNKNOWN_DONOR_KEY, UNSPECIFIED_KEY};
    if key == UNSPECIFIED_KEY {
        return i18n::t("totals-unspecified");
    }
    if key == UNKNOWN_DONOR_KEY {
        return i18n::t("totals-unknown-donor");
    }
    match by {
        "recipient" => country(key),
        // The totals key of a sector is its English label ("12191 Medical services").
        "sector" => sector_text(key.split_whitespace().next().unwrap_or(key)),
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
        "sectors" => sectors_cell(raw),
        "rate_basis" => i18n::value(raw),
        "start" | "end" | "value_date" | "rate_date" | "provisional_rate_of" => {
            super::format::date_text(raw)
        }
        "amount" | "converted" | "converted_usd" | "committed" | "disbursed" | "lat" | "lon" => {
            super::format::number_text(raw)
        }
        "rate" => raw
            .parse::<rust_decimal::Decimal>()
            .map_or_else(|_| raw.to_string(), super::format::rate),
        _ => raw.to_string(),
    }
}

/// An activities-list sectors cell, "12191 Medical services (100%); 12230 … (50%)" as the
/// export writes it, with each sector named in the reader's language.
fn sectors_cell(raw: &str) -> String {
    raw.split("; ")
        .map(|part| {
            let code = part.split_whitespace().next().unwrap_or_default();
            let share = part.rsplit_once(" (").map(|(_, p)| p.trim_end_matches(')'));
            match share {
                Some(p) if !code.is_empty() => format!("{} ({p})", sector_text(code)),
                _ => part.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Gives each coded set its catalogue prefix, and lists every set once for the test that checks
/// all four catalogues hold a label for each of its values.
macro_rules! labelled {
    ($($prefix:literal, dashed: $dashed:literal => [$($t:ty),* $(,)?];)*) => {
        $($(impl Label for $t {
            const PREFIX: &'static str = $prefix;
            const DASHED: bool = $dashed;
        })*)*

        /// Keys missing from a catalogue, for every labelled set.
        #[cfg(test)]
        fn missing_labels() -> Vec<String> {
            let mut missing = Vec::new();
            $($(tests::every_variant_has_a_label::<$t>(&mut missing);)*)*
            missing
        }
    };
}

labelled! {
    "val-", dashed: false => [
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
    ];
    "by-", dashed: false => [
        totals::GroupBy,
    ];
    "val-", dashed: false => [
        aidtrace_service::intake::aidtrace_intake::model::AmountKind,
    ];
    "asset-state-", dashed: true => [
        assets::LifecycleState,
    ];
    "asset-wo-kind-", dashed: true => [
        assets::WorkOrderKind,
    ];
    "asset-wo-status-", dashed: true => [
        assets::WorkOrderStatus,
    ];
    "asset-priority-", dashed: true => [
        assets::Priority,
    ];
    "asset-criticality-", dashed: true => [
        assets::Criticality,
    ];
    "asset-acquisition-", dashed: true => [
        assets::Acquisition,
    ];
    "asset-condition-", dashed: true => [
        assets::ReceiptCondition,
    ];
    "assets-cause-", dashed: true => [
        assets::DowntimeCause,
    ];
    "asset-disposal-", dashed: true => [
        assets::disposal::DisposalMethod,
    ];
    "asset-data-wipe-", dashed: true => [
        assets::disposal::DataWipe,
    ];
    "donation-item-", dashed: true => [
        assets::DonationItem,
    ];
    "asset-severity-", dashed: true => [
        assets::recall::Severity,
    ];
    "recall-match-", dashed: true => [
        assets::recall::Match,
    ];
    "medicine-mode-", dashed: true => [
        aidtrace_domain::medicines::ConsignmentMode,
    ];
    "medicine-basis-", dashed: true => [
        aidtrace_domain::medicines::ValueBasis,
    ];
    "medicine-destination-", dashed: true => [
        aidtrace_domain::medicines::DestinationKind,
    ];
    "medicine-decision-", dashed: true => [
        aidtrace_domain::medicines::DecisionOutcome,
    ];
    "medicine-movement-", dashed: true => [
        aidtrace_domain::medicines::MovementKind,
    ];
    "medicine-band-", dashed: true => [
        aidtrace_domain::medicines::stock::ExpiryBand,
    ];
    "verr-", dashed: true => [
        ProblemId,
    ];
    "asset-contract-kind-", dashed: true => [
        assets::ContractKind,
    ];
    "asset-contract-standing-", dashed: true => [
        assets::contract::Standing,
    ];
    "asset-sla-", dashed: true => [
        assets::contract::SlaStatus,
    ];
    "asset-day-", dashed: true => [
        assets::contract::Day,
    ];
    "asset-part-movement-", dashed: true => [
        assets::parts::PartMovementKind,
    ];
}

// Sets no page shows by name yet keep their keys unchecked: donation::Outcome, gaps::Scope,
// gaps::Bound, kpi::GroupBy, kpi::PmStatus, the asset code systems, risk classes, contract,
// plan and meter kinds and answers. Give one a prefix above (and keys in all four catalogues)
// before a page prints it.

/// A record field's label in the reader's language (catalogue key `cf-<field>`, the last part
/// of a dotted path: `money.amount` is "Amount"), or its name with spaces.
pub fn record_field(field: &str) -> String {
    let last = field.rsplit('.').next().unwrap_or(field);
    i18n::t_opt(&format!("cf-{}", last.replace('_', "-"))).unwrap_or_else(|| last.replace('_', " "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::present::i18n::Lang;

    /// Every variant's key, in every language, with its label differing from the key.
    pub(super) fn every_variant_has_a_label<T: Label>(missing: &mut Vec<String>) {
        for lang in Lang::ALL {
            for v in T::all() {
                let key = v.label_key();
                if !i18n::has_key(lang, &key) {
                    missing.push(format!("{}.ftl: {key}", lang.code()));
                }
            }
        }
    }

    #[test]
    fn every_coded_value_has_a_label_in_all_four_catalogues() {
        let missing = missing_labels();
        assert!(missing.is_empty(), "no label: {missing:#?}");
    }

    #[test]
    fn the_totals_placeholder_keys_are_worded_in_the_readers_language() {
        use aidtrace_domain::totals::{UNKNOWN_DONOR_KEY, UNSPECIFIED_KEY};
        let uk = i18n::scope(Lang::Uk, || group_key("recipient", UNSPECIFIED_KEY));
        assert_eq!(uk, "не зазначено");
        let kk = i18n::scope(Lang::Kk, || group_key("donor", UNKNOWN_DONOR_KEY));
        assert_eq!(kk, "донор белгісіз");
    }

    #[test]
    fn lifecycle_states_in_a_refusal_are_worded_by_their_labels() {
        use aidtrace_domain::assets::LifecycleState as S;
        use aidtrace_domain::error::{Problem, ProblemId};
        let p = Problem::new(ProblemId::StateNotAllowedNext)
            .text("event", "e2")
            .arg_states("from", vec![S::InService])
            .arg_states("allowed", vec![S::Down, S::InStorage]);
        let text = i18n::scope(Lang::En, || problem_text(&p, ""));
        assert!(
            text.contains("from in service to this state; allowed next: down, in storage"),
            "{text}"
        );
        assert!(!text.contains("in_service"), "{text}");
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
    }

    #[test]
    fn every_codelist_country_is_named_in_each_language() {
        for lang in Lang::ALL {
            for e in aidtrace_domain::code_names::countries() {
                let name = i18n::scope(lang, || country(e.code));
                assert_ne!(name, e.code, "{}: {} has no name", lang.code(), e.code);
            }
        }
        assert_eq!(i18n::scope(Lang::Ru, || country("BR")), "Бразилия");
        assert_eq!(i18n::scope(Lang::Kk, || country("KZ")), "Қазақстан");
    }

    #[test]
    fn a_service_refusal_is_worded_in_the_language_with_its_kind_labelled() {
        let e = aidtrace_domain::ValidationError::no_such_record(
            "organisation",
            "org-x",
            model::RecordKind::Organisation,
        );
        let problem = e.problem.as_ref().map(|p| p.id);
        assert_eq!(problem, Some(ProblemId::NoSuchRecord));
        let Some(p) = &e.problem else { return };
        let ru = i18n::scope(Lang::Ru, || problem_text(p, "org-x"));
        assert!(ru.starts_with("запись вида «"), "{ru}");
        assert!(ru.ends_with("— «org-x»"), "{ru}");
        assert!(!ru.contains("organisation"), "a raw kind: {ru}");
        let en = problem_text(p, "");
        assert_eq!(en, "no organisation with this id exists");
        assert_eq!(e.message, "no organisation with this id exists");
    }

    #[test]
    fn a_donation_reason_is_worded_in_the_language_with_countries_named() {
        use donation::{ItemResult, Outcome, PowerProblem, Reason, RegistrationCount};
        let item = |why: Reason| ItemResult {
            item: assets::DonationItem::PowerMatch,
            outcome: Outcome::Fail,
            computed: true,
            reason: why.english(),
            why: Some(why),
            attested: None,
            disagreement: None,
        };
        let power = item(Reason::PowerProblems(vec![
            PowerProblem::Frequency { needs: 50, has: 60 },
            PowerProblem::NoBackup,
        ]));
        let ru = i18n::scope(Lang::Ru, || donation_reason(&power));
        assert_eq!(
            ru,
            "модель работает при 50 Гц, сеть медицинской организации даёт 60 Гц; модели нужен ИБП \
             или резервное питание, у медицинской организации их нет"
        );
        let reg = item(Reason::RegistrationsDoNotName {
            country: "KZ".into(),
            registrations: vec![RegistrationCount {
                id: "reg-1".into(),
                count: Some(3),
                origin: "JP".into(),
            }],
            model: "S3K".into(),
        });
        let kk = i18n::scope(Lang::Kk, || donation_reason(&reg));
        assert!(kk.contains("Қазақстан") && kk.contains("Жапония"), "{kk}");
        assert!(!kk.contains("KZ") && !kk.contains("origin"), "{kk}");
        let noted = ItemResult {
            why: None,
            reason: "checked on site".into(),
            ..power
        };
        assert_eq!(donation_reason(&noted), "checked on site");
    }

    #[test]
    fn a_sector_is_named_in_other_languages_with_the_english_title() {
        assert_eq!(
            sector("12191"),
            ("12191 Medical services".to_string(), None)
        );
        let ru = i18n::scope(Lang::Ru, || sector("12191"));
        assert_eq!(
            ru,
            (
                "Медицинские услуги — 12191".to_string(),
                Some("Medical services")
            )
        );
        let kk = i18n::scope(Lang::Kk, || sector("12230"));
        assert_eq!(kk.0, "Денсаулық сақтаудың базалық инфрақұрылымы — 12230");
        // A purpose not translated is named by its category.
        let ru = i18n::scope(Lang::Ru, || sector("11110"));
        assert_eq!(ru.1, Some("Education policy and administrative management"));
        assert!(ru.0.ends_with(" — 11110"), "{ru:?}");
        let uk = i18n::scope(Lang::Uk, || {
            cell(
                "sectors",
                "12191 Medical services (60%); 12230 Basic health infrastructure (40%)",
            )
        });
        assert_eq!(
            uk,
            "Медичні послуги — 12191 (60%); Базова інфраструктура охорони здоров’я — 12230 (40%)"
        );
        assert_eq!(label(assets::LifecycleState::InService), "in service");
    }
}
