//! Interface languages (English, Russian, Ukrainian, Kazakh) from Fluent catalogues compiled into
//! the binary, and numbers and dates formatted per language. The language of a request is chosen
//! by `?lang=`, then the `aidtrace_lang` cookie, then English, and is available to all rendering
//! code of that request through a task-local.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use chrono::NaiveDate;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use rust_decimal::Decimal;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Ru,
    Uk,
    Kk,
}

impl Lang {
    pub const ALL: [Lang; 4] = [Self::En, Self::Ru, Self::Uk, Self::Kk];

    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Ru => "ru",
            Self::Uk => "uk",
            Self::Kk => "kk",
        }
    }

    /// The language's own name, for the switch.
    pub fn name(self) -> &'static str {
        match self {
            Self::En => "English",
            Self::Ru => "Русский",
            Self::Uk => "Українська",
            Self::Kk => "Қазақша",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.code() == raw)
    }

    fn catalogue(self) -> &'static str {
        match self {
            Self::En => include_str!("../../assets/i18n/en.ftl"),
            Self::Ru => include_str!("../../assets/i18n/ru.ftl"),
            Self::Uk => include_str!("../../assets/i18n/uk.ftl"),
            Self::Kk => include_str!("../../assets/i18n/kk.ftl"),
        }
    }
}

/// The catalogues are constant data shipped in the binary, so they are parsed once.
static BUNDLES: LazyLock<HashMap<Lang, FluentBundle<FluentResource>>> = LazyLock::new(|| {
    Lang::ALL
        .into_iter()
        .map(|lang| {
            let id: unic_langid::LanguageIdentifier = lang.code().parse().unwrap_or_default();
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            // Isolation marks around placeables would show up in plain-text exports and titles.
            bundle.set_use_isolating(false);
            // A broken catalogue is a build defect caught by the tests; its valid entries still load.
            let resource = FluentResource::try_new(lang.catalogue().to_string())
                .unwrap_or_else(|(partial, _)| partial);
            let _ = bundle.add_resource(resource);
            (lang, bundle)
        })
        .collect()
});

tokio::task_local! {
    static LANG: Lang;
}

/// The language of the request being handled (English outside a request).
pub fn current() -> Lang {
    LANG.try_with(|l| *l).unwrap_or(Lang::En)
}

/// Runs `f` with `lang` as the current language: for work moved off the request's task (the
/// blocking pool), whose messages are still the reader's.
pub fn scope<R>(lang: Lang, f: impl FnOnce() -> R) -> R {
    LANG.sync_scope(lang, f)
}

fn lookup(lang: Lang, key: &str, args: Option<&FluentArgs<'_>>) -> Option<String> {
    let bundle = BUNDLES.get(&lang)?;
    let pattern = bundle.get_message(key)?.value()?;
    let mut errors = Vec::new();
    Some(
        bundle
            .format_pattern(pattern, args, &mut errors)
            .into_owned(),
    )
}

/// Whether `lang`'s catalogue has `key` (with or without a count for plural forms).
pub fn has_key(lang: Lang, key: &str) -> bool {
    BUNDLES
        .get(&lang)
        .is_some_and(|b| b.get_message(key).is_some_and(|m| m.value().is_some()))
}

/// The interface text for `key` in the current language, falling back to English, then the key.
pub fn t(key: &str) -> String {
    lookup(current(), key, None)
        .or_else(|| lookup(Lang::En, key, None))
        .unwrap_or_else(|| key.to_string())
}

/// As [`t`], with a count for plural forms.
pub fn tn(key: &str, count: usize) -> String {
    let mut args = FluentArgs::new();
    args.set("count", count);
    lookup(current(), key, Some(&args))
        .or_else(|| lookup(Lang::En, key, Some(&args)))
        .unwrap_or_else(|| key.to_string())
}

/// The text for `key` in the current language or English, if either catalogue has it.
pub fn t_opt(key: &str) -> Option<String> {
    lookup(current(), key, None).or_else(|| lookup(Lang::En, key, None))
}

/// As [`t`], with named arguments (`{ $name }` in the catalogue).
pub fn ta(key: &str, args: &[(&str, &str)]) -> String {
    let mut fa = FluentArgs::new();
    for (k, v) in args {
        fa.set(*k, *v);
    }
    lookup(current(), key, Some(&fa))
        .or_else(|| lookup(Lang::En, key, Some(&fa)))
        .unwrap_or_else(|| key.to_string())
}

/// An interface message as an id with its arguments, worded when it is shown (in the language of
/// the request showing it): code that refuses a value names the message, never an English
/// sentence a page would have to recognise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    pub id: &'static str,
    pub args: Vec<(&'static str, MsgArg)>,
}

/// An argument of a [`Msg`]: text shown as it is, or a catalogue key worded with the message
/// (a record kind's label), so the language is the one of the page showing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MsgArg {
    Text(String),
    Key(String),
}

impl Msg {
    pub fn new(id: &'static str) -> Self {
        Self {
            id,
            args: Vec::new(),
        }
    }

    #[must_use]
    pub fn arg(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.args.push((name, MsgArg::Text(value.into())));
        self
    }

    /// An argument worded from the catalogue entry `key`.
    #[must_use]
    pub fn arg_key(mut self, name: &'static str, key: impl Into<String>) -> Self {
        self.args.push((name, MsgArg::Key(key.into())));
        self
    }

    /// The message in the current language.
    pub fn text(&self) -> String {
        let worded: Vec<(&str, String)> = self
            .args
            .iter()
            .map(|(k, v)| match v {
                MsgArg::Text(s) => (*k, s.clone()),
                MsgArg::Key(key) => (*k, t(key)),
            })
            .collect();
        let args: Vec<(&str, &str)> = worded.iter().map(|(k, v)| (*k, v.as_str())).collect();
        ta(self.id, &args)
    }

    /// The message followed by the refused value, as field problems are shown.
    pub fn with_value(&self, value: &str) -> String {
        if value.is_empty() {
            self.text()
        } else {
            format!("{} — «{value}»", self.text())
        }
    }
}

/// An argument of [`tv`]: text, or a whole number the catalogue may pick plural forms by.
pub enum ArgValue {
    Text(String),
    Count(i64),
}

/// As [`ta`], with arguments that may be counts.
pub fn tv(key: &str, args: &[(&str, ArgValue)]) -> String {
    let mut fa = FluentArgs::new();
    for (k, v) in args {
        match v {
            ArgValue::Text(s) => fa.set(*k, s.as_str()),
            ArgValue::Count(n) => fa.set(*k, *n),
        }
    }
    lookup(current(), key, Some(&fa))
        .or_else(|| lookup(Lang::En, key, Some(&fa)))
        .unwrap_or_else(|| key.to_string())
}

/// The label of a data value such as `grant_aid` or `implementation` (catalogue key
/// `val-<value>`); values without an entry are shown as they are stored, so new enum variants
/// still render.
pub fn value(raw: &str) -> String {
    lookup(current(), &format!("val-{raw}"), None)
        .or_else(|| lookup(Lang::En, &format!("val-{raw}"), None))
        .unwrap_or_else(|| raw.to_string())
}

/// A field problem in the current language. The model's messages are English sentences shared
/// with the API and the CLI; the common ones have a catalogue entry (`err-…`), matched on the
/// sentence's start because some carry a figure at the end. Others are shown after a translated
/// lead so the reader still learns which value was refused.
pub fn field_problem(value: &str, message: &str) -> String {
    const KNOWN: &[(&str, &str)] = &[
        // A facility's power record and its building loads (the form shows every row's).
        ("above the peak", "form-err-avg-above-peak"),
        (
            "a building load of kind other needs a description",
            "form-err-other-description",
        ),
        ("implausibly large: one load", "form-err-load-too-large"),
        ("phases are 1 or 3", "form-err-phases"),
        ("mains frequency is 50 or 60", "form-err-frequency"),
        ("required", "err-required"),
        ("a whole number", "err-whole-number"),
        ("must not be empty", "err-not-empty"),
        ("must not be negative", "err-not-negative"),
        ("must be greater than zero", "err-positive"),
        ("not an ISO 4217 currency code", "err-currency"),
        ("not an ISO 3166-1 alpha-2 country code", "err-country"),
        ("an id is 1-200 characters", "err-id"),
        ("latitude must be between", "err-lat"),
        ("longitude must be between", "err-lon"),
        (
            "the end date is before the start date",
            "err-end-before-start",
        ),
        ("a quantity must be at least 1", "err-quantity"),
        ("an organisation cannot be its own parent", "err-own-parent"),
        ("an activity cannot be its own parent", "err-own-parent"),
        ("no organisation with this id exists", "err-no-organisation"),
        ("no activity with this id exists", "err-no-activity"),
        ("no facility with this id exists", "err-no-facility"),
        ("expected a date", "err-date"),
        ("input contains invalid characters", "err-date"),
        ("premature end of input", "err-date"),
        ("invalid decimal", "err-decimal"),
        ("not a decimal number", "err-decimal"),
    ];
    let known = KNOWN
        .iter()
        .find(|(start, _)| message.starts_with(start) || message.contains(start));
    let text = match known {
        Some((_, key)) => t(key),
        None => format!("{} ({message})", t("err-not-accepted")),
    };
    if value.is_empty() {
        text
    } else {
        format!("{text} — «{value}»")
    }
}

/// 1234567.5 → "1,234,567.5" (en) or "1 234 567,5" (ru, uk, kk; no-break spaces).
pub fn number(d: Decimal) -> String {
    let (group, point) = match current() {
        Lang::En => (",", "."),
        Lang::Ru | Lang::Uk | Lang::Kk => ("\u{a0}", ","),
    };
    let s = d.to_string();
    let (sign, s) = s.strip_prefix('-').map_or(("", s.as_str()), |r| ("-", r));
    let (int, frac) = s.split_once('.').map_or((s, None), |(i, f)| (i, Some(f)));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push_str(group);
        }
        out.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{out}{point}{f}"),
        None => format!("{sign}{out}"),
    }
}

/// ISO 8601 in English (unambiguous for an international readership), day.month.year otherwise.
pub fn date(d: NaiveDate) -> String {
    match current() {
        Lang::En => d.format("%Y-%m-%d").to_string(),
        Lang::Ru | Lang::Uk | Lang::Kk => d.format("%d.%m.%Y").to_string(),
    }
}

pub const LANG_COOKIE: &str = "aidtrace_lang";

/// The first language of the browser's `Accept-Language` (RFC 9110: by weight, then in the
/// order given) that the catalogues have, by its primary tag (`ru-RU` is Russian). A weight of 0
/// means "not this one"; an unreadable weight leaves the entry out. Read here rather than by a
/// crate: the one tried sorted by a float that `q=NaN` made inconsistent, which a sort may
/// answer with a panic, on any anonymous request.
fn browser_language(headers: &axum::http::HeaderMap) -> Option<Lang> {
    let raw = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    let mut wanted: Vec<(f32, &str)> = raw
        .split(',')
        .take(32)
        .filter_map(|entry| {
            let mut parts = entry.split(';');
            let tag = parts.next()?.trim();
            let weight = match parts.find_map(|p| p.trim().strip_prefix("q=")) {
                Some(q) => q.trim().parse::<f32>().ok()?,
                None => 1.0,
            };
            (weight.is_finite() && weight > 0.0 && weight <= 1.0).then_some((weight, tag))
        })
        .collect();
    // Stable, by weight only: equal weights keep the browser's order.
    wanted.sort_by(|a, b| b.0.total_cmp(&a.0));
    wanted
        .into_iter()
        .find_map(|(_, tag)| Lang::parse(&tag.split('-').next()?.to_ascii_lowercase()))
}

/// Picks the request's language (`?lang=`, else the cookie, else the browser's) and remembers a
/// `?lang=` choice in a cookie.
pub async fn middleware(req: Request, next: Next) -> Response {
    let from_query = req.uri().query().and_then(|q| {
        q.split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == "lang")
            .and_then(|(_, v)| Lang::parse(v))
    });
    let lang = from_query
        .or_else(|| super::links::cookie(req.headers(), LANG_COOKIE).and_then(Lang::parse))
        .or_else(|| browser_language(req.headers()))
        .unwrap_or(Lang::En);
    let mut resp = LANG.scope(lang, next.run(req)).await;
    // The same address answers in another language for another browser.
    resp.headers_mut()
        .append(header::VARY, HeaderValue::from_static("accept-language"));
    if let Some(l) = from_query
        && let Ok(v) = HeaderValue::from_str(&format!(
            "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000",
            l.code()
        ))
    {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepting(value: &str) -> Option<Lang> {
        let mut headers = axum::http::HeaderMap::new();
        headers.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_str(value).unwrap(),
        );
        browser_language(&headers)
    }

    #[test]
    fn the_browsers_first_language_the_catalogues_have_is_taken() {
        assert_eq!(accepting("ru-RU,ru;q=0.9,en;q=0.8"), Some(Lang::Ru));
        assert_eq!(accepting("de-DE, kk;q=0.5, en;q=0.4"), Some(Lang::Kk));
        assert_eq!(accepting("en;q=0.2, uk;q=0.9"), Some(Lang::Uk));
        assert_eq!(accepting("de, fr"), None);
        assert_eq!(accepting(";;;q=x"), None);
    }

    #[test]
    fn a_weight_of_zero_refuses_and_an_unreadable_one_is_left_out() {
        assert_eq!(accepting("de, ru;q=0"), None);
        assert_eq!(accepting("ru;q=NaN, uk;q=0.5"), Some(Lang::Uk));
        assert_eq!(accepting("ru;q=2, kk;q=0.1"), Some(Lang::Kk));
    }

    #[test]
    fn equal_weights_keep_the_browsers_order() {
        assert_eq!(accepting("uk;q=0.8, ru;q=0.8"), Some(Lang::Uk));
    }

    proptest::proptest! {
        #[test]
        fn any_header_is_read_without_a_panic(raw in "[a-zA-Z;=,.0-9 NnIf-]{0,400}") {
            if let Ok(v) = HeaderValue::from_str(&raw) {
                let mut headers = axum::http::HeaderMap::new();
                headers.insert(header::ACCEPT_LANGUAGE, v);
                let _ = browser_language(&headers);
            }
        }
    }

    #[test]
    fn every_catalogue_parses_and_has_every_english_key() {
        let keys: Vec<&str> = Lang::En
            .catalogue()
            .lines()
            .filter_map(|l| l.split_once(" = ").map(|(k, _)| k))
            .filter(|k| !k.starts_with('#') && !k.contains(' '))
            .collect();
        assert!(keys.len() > 30);
        for lang in Lang::ALL {
            if let Err((_, e)) = FluentResource::try_new(lang.catalogue().to_string()) {
                panic!("{}.ftl: {e:?}", lang.code());
            }
            for key in &keys {
                assert!(
                    lookup(lang, key, None).is_some()
                        || lookup(
                            lang,
                            key,
                            Some(&{
                                let mut a = FluentArgs::new();
                                a.set("count", 1);
                                a
                            })
                        )
                        .is_some(),
                    "{} lacks {key}",
                    lang.code()
                );
            }
        }
    }

    /// Message ids: lines that start an entry (`key =`, values on the same or the next lines).
    fn message_ids(lang: Lang) -> Vec<String> {
        lang.catalogue()
            .lines()
            .filter(|l| l.starts_with(|c: char| c.is_ascii_lowercase()))
            .filter_map(|l| l.split_once(" =").map(|(k, _)| k.to_string()))
            .filter(|k| !k.contains(' '))
            .collect()
    }

    /// Every catalogue has exactly the English keys (multi-line entries included), none twice.
    #[test]
    fn catalogues_have_the_same_keys_once() {
        let en = message_ids(Lang::En);
        assert!(en.len() > 300, "{} keys", en.len());
        let en_set: std::collections::BTreeSet<&String> = en.iter().collect();
        assert_eq!(en_set.len(), en.len(), "en.ftl has a key twice");
        for lang in [Lang::Ru, Lang::Uk, Lang::Kk] {
            let ids = message_ids(lang);
            let set: std::collections::BTreeSet<&String> = ids.iter().collect();
            assert_eq!(set.len(), ids.len(), "{}.ftl has a key twice", lang.code());
            let missing: Vec<_> = en_set.difference(&set).collect();
            let extra: Vec<_> = set.difference(&en_set).collect();
            assert!(missing.is_empty(), "{}.ftl lacks {missing:?}", lang.code());
            assert!(extra.is_empty(), "{}.ftl has extra {extra:?}", lang.code());
        }
    }

    /// A translated catalogue that repeats an English sentence is a forgotten translation; only
    /// codes, units and names that read the same in every language may be equal.
    #[test]
    fn translations_are_not_english_copies() {
        const SAME_EVERYWHERE: &[&str] =
            &["nav-api", "val-audit", "col-donor", "val-editor", "act-ref"];
        for key in message_ids(Lang::En) {
            let en = lookup(Lang::En, &key, None).unwrap_or_default();
            if SAME_EVERYWHERE.contains(&key.as_str())
                || !en.chars().any(|c| c.is_ascii_lowercase())
            {
                continue;
            }
            for lang in [Lang::Ru, Lang::Uk, Lang::Kk] {
                let other = lookup(lang, &key, None).unwrap_or_default();
                assert_ne!(other, en, "{}.ftl: {key} is still English", lang.code());
            }
        }
    }

    /// The catalogue's English rule texts are the checks' own, and every rule has one, so a rule
    /// added to the checks cannot go untranslated unnoticed.
    #[test]
    fn every_data_quality_rule_has_its_description() {
        for (rule, _, what) in aidtrace_domain::checks::RULES {
            assert_eq!(
                lookup(Lang::En, &format!("rule-{rule}"), None).as_deref(),
                Some(*what),
                "en.ftl rule-{rule}"
            );
        }
    }

    #[tokio::test]
    async fn field_problems_speak_the_language() {
        LANG.scope(Lang::Ru, async {
            let m = field_problem("four", "a whole number, e.g. 2");
            assert!(m.contains("целое число") && m.contains("four"), "{m}");
            let unknown = field_problem("x", "some new rule");
            assert!(
                unknown.starts_with("Это значение не принимается"),
                "{unknown}"
            );
        })
        .await;
        LANG.scope(Lang::Kk, async {
            assert!(field_problem("", "required").contains("Міндетті"));
        })
        .await;
    }

    #[tokio::test]
    async fn plurals_numbers_and_dates_follow_the_language() {
        let d = NaiveDate::from_ymd_opt(2024, 3, 9).expect("date");
        let n: Decimal = "1234567.5".parse().expect("decimal");
        LANG.scope(Lang::Ru, async {
            assert_eq!(tn("card-activities", 1), "проект");
            assert_eq!(tn("card-activities", 3), "проекта");
            assert_eq!(tn("card-activities", 5), "проектов");
            assert_eq!(number(n), "1\u{a0}234\u{a0}567,5");
            assert_eq!(date(d), "09.03.2024");
        })
        .await;
        LANG.scope(Lang::En, async {
            assert_eq!(tn("card-activities", 1), "activity");
            assert_eq!(number(n), "1,234,567.5");
            assert_eq!(date(d), "2024-03-09");
        })
        .await;
        assert_eq!(current(), Lang::En);
    }
}
