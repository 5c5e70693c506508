//! What an IATI validation finding is called on a page, in the reader's language: its layer, its
//! schema error kind, its codelist problem and its ruleset rule. The single place these are
//! worded (catalogue keys `import-layer-*`, `iati-schema-*`, `iati-finding-*`, `iati-rule-*`).
//!
//! The finding's own message stays English beside the heading: schema messages are worded as
//! libxml2 words them (the validator is tested to agree with it byte for byte), and users search
//! for them. The heading is built only from what the report holds as fields (layer, kind code,
//! codelist name with the code and why it is refused, rule id), never from the message.

use aidtrace_iati::codelists::CodeFinding;
use aidtrace_iati::schema::SchemaErrorKind;
use aidtrace_iati::validate::Layer;

use crate::i18n::{t, t_opt, ta};

/// The layer's name, as the report's layer column shows it.
pub fn layer(l: Layer) -> String {
    match l {
        // The name of the format, the same in every language.
        Layer::Xml => "XML".to_string(),
        Layer::Schema => t("import-layer-schema"),
        Layer::Codelist => t("import-layer-codelist"),
        Layer::Rule => t("import-layer-rule"),
    }
}

/// What a schema error of this kind means, in a few words.
pub fn schema_kind(kind: SchemaErrorKind) -> String {
    t(&schema_kind_key(kind))
}

fn schema_kind_key(kind: SchemaErrorKind) -> String {
    format!("iati-schema-{}", kind.code())
}

/// The catalogue key of a ruleset rule's label: `iati-rule-6-11-1` for rule 6.11.1 (a Fluent
/// identifier holds no dots).
fn rule_key(id: &str) -> String {
    format!("iati-rule-{}", id.replace('.', "-"))
}

/// What a ruleset rule requires, for the rules the catalogues word (every rule of
/// `aidtrace_iati::rules::RULES`); `None` for an id they do not know.
pub fn rule(id: &str) -> Option<String> {
    t_opt(&rule_key(id))
}

/// A heading for a group of findings in the reader's language, built from the group's fields:
/// `layer`, `rule` (the schema error kind's code, the codelist name or the rule id, as
/// `IssueGroup::rule`) and, for a codelist finding, its code and why it is refused.
pub fn heading(layer: Layer, rule_name: &str, code: Option<&CodeFinding>) -> String {
    match layer {
        Layer::Xml => t("import-not-well-formed"),
        // A code no kind has (none today) is still a schema error: said as the general kind.
        Layer::Schema => {
            schema_kind(SchemaErrorKind::from_code(rule_name).unwrap_or(SchemaErrorKind::Other))
        }
        Layer::Codelist => match code {
            Some(c) => ta(
                if c.withdrawn {
                    "iati-finding-withdrawn-code"
                } else {
                    "iati-finding-not-a-code"
                },
                &[("code", &c.code), ("list", rule_name)],
            ),
            None => ta("iati-finding-codelist", &[("list", rule_name)]),
        },
        Layer::Rule => match rule(rule_name) {
            Some(label) => ta("iati-finding-rule", &[("id", rule_name), ("label", &label)]),
            None => ta("iati-finding-rule-unknown", &[("id", rule_name)]),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{self, Lang, has_key};

    /// Every schema error kind, every rule of the ruleset and every heading has its wording in
    /// all four catalogues, so a kind or rule added to the validator cannot reach a Russian,
    /// Ukrainian or Kazakh page as an English-only heading unnoticed.
    #[test]
    fn every_kind_and_rule_is_worded_in_all_four_catalogues() {
        let mut keys: Vec<String> = SchemaErrorKind::ALL
            .into_iter()
            .map(schema_kind_key)
            .collect();
        keys.extend(aidtrace_iati::rules::RULES.iter().map(|r| rule_key(r.id)));
        keys.extend(
            [
                "import-not-well-formed",
                "import-layer-schema",
                "import-layer-codelist",
                "import-layer-rule",
                "iati-finding-not-a-code",
                "iati-finding-withdrawn-code",
                "iati-finding-codelist",
                "iati-finding-rule",
                "iati-finding-rule-unknown",
            ]
            .map(String::from),
        );
        let missing: Vec<String> = Lang::ALL
            .into_iter()
            .flat_map(|lang| {
                keys.iter()
                    .filter(move |k| !has_key(lang, k))
                    .map(move |k| format!("{}.ftl: {k}", lang.code()))
            })
            .collect();
        assert!(missing.is_empty(), "no wording: {missing:#?}");
    }

    /// The English codelist heading is the validator's own sentence, so an English page can
    /// show it once; other languages word it with the code and list name as they are.
    #[test]
    fn a_codelist_heading_names_the_code_and_the_list() {
        let code = CodeFinding {
            code: "EN".into(),
            withdrawn: false,
        };
        let en = heading(Layer::Codelist, "Language", Some(&code));
        assert_eq!(en, "'EN' is not a code of the Language codelist");
        let uk = i18n::scope(Lang::Uk, || {
            heading(Layer::Codelist, "Language", Some(&code))
        });
        assert!(uk.contains("«EN»") && uk.contains("Language"), "{uk}");
        assert_ne!(uk, en);
        let withdrawn = CodeFinding {
            code: "BYR".into(),
            withdrawn: true,
        };
        let ru = i18n::scope(Lang::Ru, || {
            heading(Layer::Codelist, "Currency", Some(&withdrawn))
        });
        assert!(ru.contains("«BYR»") && ru.contains("Currency"), "{ru}");
    }

    #[test]
    fn a_rule_heading_has_its_id_and_label_and_an_unknown_rule_its_id() {
        let kk = i18n::scope(Lang::Kk, || heading(Layer::Rule, "6.11.1", None));
        assert!(kk.contains("6.11.1"), "{kk}");
        assert!(!kk.is_ascii(), "worded in Kazakh: {kk}");
        let unknown = i18n::scope(Lang::Ru, || heading(Layer::Rule, "99.9.9", None));
        assert!(
            unknown.contains("99.9.9") && !unknown.is_ascii(),
            "{unknown}"
        );
        let schema = i18n::scope(Lang::Uk, || {
            heading(Layer::Schema, "missing-required-element", None)
        });
        assert_eq!(
            schema,
            i18n::scope(Lang::Uk, || schema_kind(
                SchemaErrorKind::MissingRequiredElement
            ))
        );
        assert!(!schema.is_ascii(), "{schema}");
    }
}
