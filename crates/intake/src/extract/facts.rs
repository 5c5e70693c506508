//! Building a fact from an amount (or from a sentence that gives goods without a value): the
//! donor, recipient and kind put together with the items, facilities, region, programme,
//! recipient organisation and sector read from the amount's window. Apart as the assembly step.

use std::sync::LazyLock;

use regex::Regex;

use super::items::find_items;
use super::roles::alternation;
use super::{Candidate, Extractor};
use crate::lexicon::{DONORS, FACILITY_HEADS};
use crate::model::{AmountKind, Fact, Instrument, Money, Sector, Sourced, Span};

static FACILITY_RE: LazyLock<Regex> = LazyLock::new(|| {
    let heads = alternation(FACILITY_HEADS.iter().map(|s| (*s).to_string()).collect());
    crate::compile_regex(&format!(
        r"(?:\b(?:[A-Z][\w'’.-]*|No\.\s?\d+|\d+)\s+(?:(?:of|for|and|the|&)\s+)?){{0,7}}(?:{heads})s?\b(?:\s(?:of|for)\s(?:the\s)?(?:[A-Z][\w'’-]*\s?)+)?(?:\s+in\s+(?:the\s+)?[A-Z][\w'’-]+\s+(?:region|province|oblast|district))?"
    ))
});

static REGION_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(
        r"\b((?:[A-Z][\w'’-]+\s){1,2}(?:[Rr]egion|[Pp]rovince|[Oo]blast|[Dd]istrict|[Gg]overnorate|[Pp]refecture|State))\b",
    )
});

static PROGRAM_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(
        r#"["“]?\b((?:[A-Z][\w'’-]*["”]?\s+(?:(?:of|for|and|the|on|in)\s+)?){1,8})(Programme|Program|Project|Initiative|programme|program)\b"#,
    )
});

static ORG_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(
        r"\b(Ministry of (?:Public )?Health(?:(?:,| and) [A-Z][a-z]+(?: [A-Z][a-z]+)*)?|Health Ministry|Ministry of Health and Social Protection|(?:[A-Z][a-z]+ )?Red (?:Crescent|Cross)(?: Society)?|National [A-Z][a-z]+ (?:Service|Agency|Institute|Centre|Center)(?: [a-z]+ [A-Z][a-z]+)*)",
    )
});

static HEALTH_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(
        r"(?i)\b(health|hospital|medical|medicine|clinic|patient|vaccin|disease|maternal|nutrition|blood|surgery|surgical|diagnos|treatment|doctor|nurse|epidemic|pandemic|covid|malaria|tuberculosis|hiv|cancer|ambulance|ventilator|oxygen|laborator|pharmac|immuni|polio|cholera|dialysis)",
    )
});

static NONHEALTH_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(
        r"(?i)\b(road|bridge|railway|school|education|agricultur|irrigation|port|airport|budget support|energy sector|power plant|electricity grid|water supply|sewer|housing|food security|fisher|military|defen[cs]e|police|border)",
    )
});

static GIVING_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(
        r"(?i)\b(donat\w*|hand(?:ed|s|ing)? over|handover|deliver\w*|provid\w*|supplied|supply|gift\w*|received|receives|grant\w*|gave|give[sn]?|present\w*|equipped|will send|sent|dispatched|shipment|consignment|convoy|airlift\w*|arrived)\b",
    )
});

impl<'t> Extractor<'t> {
    pub(super) fn build_fact(&self, c: &Candidate, primary_sentences: &[usize]) -> Fact {
        let text = self.text;
        let sentence = c.sentence;
        let window = self.window(sentence, primary_sentences);
        let kind = self.classify(&c.mention, sentence);
        let (donor, agency, channel) =
            self.donor_for(sentence, c.mention.span.start, Some(c.region()));
        let recipient = self.recipient_for(sentence, donor.as_ref().map(|d| d.0), Some(c.region()));
        let mut fact = empty_fact(text, kind);
        fact.amount = Some(Sourced::new(
            Money {
                amount: c.mention.amount,
                currency: c.mention.currency.clone(),
            },
            text,
            c.mention.span,
        ));
        fact.amount_qualifier = c.mention.qualifier;
        fact.stated_equivalent = c.equivalent.as_ref().map(|e| {
            Sourced::new(
                Money {
                    amount: e.amount,
                    currency: e.currency.clone(),
                },
                text,
                e.span,
            )
        });
        fact.repeated_at = c.repeated.clone();
        self.fill_common(&mut fact, donor, agency, channel, recipient, &window);
        self.unknown_org_donor(&mut fact, sentence);
        if fact.amount_kind.value.is_flow() {
            fact.instrument = self.instrument(
                sentence,
                c.mention.span.start,
                c.mention.span.end - c.mention.span.start,
                !fact.items.is_empty(),
            );
        } else {
            fact.items.clear();
            fact.facilities.clear();
        }
        fact
    }

    #[allow(clippy::type_complexity)]
    fn fill_common(
        &self,
        fact: &mut Fact,
        donor: Option<(usize, Span)>,
        agency: Option<Span>,
        channel: Option<Span>,
        recipient: Option<(&'static str, Option<Span>)>,
        window: &[usize],
    ) {
        let text = self.text;
        let first = window.first().copied().unwrap_or(0);
        let anchor_span = fact.amount.as_ref().map(|a| a.span).unwrap_or_else(|| {
            let s = &self.sentences[first.min(self.sentences.len() - 1)];
            Span {
                start: s.start,
                end: s.start,
            }
        });
        if let Some((d, span)) = donor {
            if let Some(def) = DONORS.get(d) {
                fact.donor = Some(Sourced::new(def.canonical.to_string(), text, span));
            }
            if let Some(a) = agency {
                fact.donor_agency = Some(Sourced::new(text[a.start..a.end].to_string(), text, a));
            }
        }
        if let Some(ch) = channel {
            fact.channel = Some(Sourced::new(text[ch.start..ch.end].to_string(), text, ch));
        }
        if let Some((iso, span)) = recipient {
            fact.recipient_country = Some(Sourced::new(
                iso.to_string(),
                text,
                span.unwrap_or(anchor_span),
            ));
        }
        let mut health = false;
        let mut other = false;
        for &si in window {
            let s = &self.sentences[si];
            let st = &text[s.start..s.end];
            health |= HEALTH_RE.is_match(st);
            other |= NONHEALTH_RE.is_match(st);
            for item in find_items(text, s.start, s.end) {
                if !fact.items.iter().any(|i| i.name == item.name) {
                    fact.items.push(item);
                } else if let Some(existing) = fact.items.iter_mut().find(|i| i.name == item.name)
                    && existing.quantity.is_none()
                {
                    existing.quantity = item.quantity;
                }
            }
            for f in self.facilities_in(si) {
                if !fact.facilities.iter().any(|x| x.value == f.value) {
                    fact.facilities.push(f);
                }
            }
            if fact.region.is_none()
                && let Some(m) = REGION_RE.captures(st).and_then(|c| c.get(1))
            {
                let span = Span {
                    start: s.start + m.start(),
                    end: s.start + m.end(),
                };
                fact.region = Some(Sourced::new(m.as_str().to_string(), text, span));
            }
            if fact.program.is_none()
                && let Some(caps) = PROGRAM_RE.captures(st)
                && let Some(m) = caps.get(0)
            {
                let name = m
                    .as_str()
                    .trim_matches(|c: char| c == '"' || c == '“' || c.is_whitespace());
                let first_word = name.split_whitespace().next().unwrap_or("");
                if !matches!(first_word, "The" | "This" | "A" | "An")
                    || name.split_whitespace().count() > 2
                {
                    let name = name.strip_prefix("The ").unwrap_or(name);
                    let offset = m.as_str().find(name).unwrap_or(0);
                    let span = Span {
                        start: s.start + m.start() + offset,
                        end: s.start + m.start() + offset + name.len(),
                    };
                    let clean: String = name
                        .chars()
                        .filter(|c| !matches!(c, '"' | '“' | '”'))
                        .collect();
                    fact.program = Some(Sourced::new(clean, text, span));
                }
            }
            if fact.recipient_org.is_none()
                && let Some(m) = ORG_RE.find(st)
            {
                let span = Span {
                    start: s.start + m.start(),
                    end: s.start + m.end(),
                };
                fact.recipient_org = Some(Sourced::new(m.as_str().to_string(), text, span));
            }
        }
        fact.sector = match (health || !fact.items.is_empty(), other) {
            (true, true) => Sector::Mixed,
            (true, false) => Sector::Health,
            (false, true) => Sector::NonHealth,
            (false, false) => Sector::Unspecified,
        };
        if fact.amount_kind.value == AmountKind::Commitment {
            fact.date_signed = self.signing_date(window);
        }
    }

    /// Named health facilities in one sentence.
    pub(super) fn facilities_in(&self, sentence: usize) -> Vec<Sourced<String>> {
        let text = self.text;
        let s = &self.sentences[sentence];
        let st = &text[s.start..s.end];
        let mut out = Vec::new();
        for m in FACILITY_RE.find_iter(st) {
            let trimmed = m.as_str().trim();
            let lead = trimmed.split_whitespace().next().unwrap_or("");
            // "The hospital" alone or a sentence-initial "In" is not a facility name.
            let name = trimmed
                .strip_prefix("The ")
                .or_else(|| trimmed.strip_prefix("In "))
                .unwrap_or(trimmed);
            // "The Project for the Improvement of … Provincial Hospitals" names a project.
            let project_words = [
                "Project",
                "Programme",
                "Program",
                "Improvement",
                "Equipment",
                "Construction",
                "Rehabilitation",
                "Upgrading",
            ];
            if name.split_whitespace().count() < 2
                || lead.eq_ignore_ascii_case("this")
                || name.split_whitespace().any(|w| project_words.contains(&w))
            {
                continue;
            }
            let start = s.start
                + m.start()
                + (m.as_str().len() - m.as_str().trim_start().len())
                + (trimmed.len() - name.len());
            out.push(Sourced::new(
                name.to_string(),
                text,
                Span {
                    start,
                    end: start + name.len(),
                },
            ));
        }
        out
    }

    /// Articles about donated goods often give no value: one fact per donor for the sentences
    /// that give items.
    pub(super) fn amountless_facts(&self) -> Vec<Fact> {
        let text = self.text;
        let mut facts: Vec<Fact> = Vec::new();
        let mut used = vec![false; self.sentences.len()];
        for si in 0..self.sentences.len() {
            if used[si] {
                continue;
            }
            let s = &self.sentences[si];
            let st = &text[s.start..s.end];
            let items = find_items(text, s.start, s.end);
            if items.is_empty() || !GIVING_RE.is_match(st) {
                continue;
            }
            let (donor, agency, channel) = self.donor_for(si, s.start, None);
            if donor.is_none() {
                continue;
            }
            let recipient = self.recipient_for(si, donor.map(|d| d.0), None);
            let window = self.window(si, &[]);
            for &w in &window {
                if let Some(u) = used.get_mut(w) {
                    *u = true;
                }
            }
            let kind = self.classify_amountless(si);
            let donor_idx = donor.map(|d| d.0);
            if let Some(existing) = facts.iter_mut().find(|f| {
                f.donor.as_ref().map(|d| d.value.as_str())
                    == donor_idx.and_then(|d| DONORS.get(d)).map(|d| d.canonical)
                    && f.recipient_country.as_ref().map(|r| r.value.as_str())
                        == recipient.map(|r| r.0)
            }) {
                let mut extra = empty_fact(text, kind);
                self.fill_common(&mut extra, donor, agency, channel, recipient, &window);
                for item in extra.items {
                    match existing.items.iter_mut().find(|i| i.name == item.name) {
                        // A headline names the item, the body counts it.
                        Some(known) if known.quantity.is_none() => known.quantity = item.quantity,
                        Some(_) => {}
                        None => existing.items.push(item),
                    }
                }
                for f in extra.facilities {
                    if !existing.facilities.iter().any(|x| x.value == f.value) {
                        existing.facilities.push(f);
                    }
                }
                continue;
            }
            let mut fact = empty_fact(text, kind);
            self.fill_common(&mut fact, donor, agency, channel, recipient, &window);
            let sp = Span {
                start: s.start,
                end: s.end,
            };
            fact.instrument = Some(Sourced::new(Instrument::InKind, text, sp));
            facts.push(fact);
        }
        facts
    }
}

fn empty_fact(text: &str, kind: Sourced<AmountKind>) -> Fact {
    let _ = text;
    Fact {
        donor: None,
        donor_agency: None,
        channel: None,
        recipient_country: None,
        recipient_org: None,
        region: None,
        amount: None,
        stated_equivalent: None,
        amount_qualifier: None,
        amount_kind: kind,
        instrument: None,
        program: None,
        items: Vec::new(),
        facilities: Vec::new(),
        date_signed: None,
        sector: Sector::Unspecified,
        is_total: false,
        repeated_at: Vec::new(),
        checks: Vec::new(),
        flow_score: None,
        recipient_score: None,
        donor_score: None,
    }
}
