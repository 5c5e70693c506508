//! Countries, donors and agencies: finding them in the text, the cue words that make one a
//! giver or a receiver, the article's main donor and recipient, and the donor and recipient of
//! each amount. Apart because it is the organisations-and-roles half of the extractor.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::sentences::{ceil_boundary, floor_boundary};
use super::{Entity, Extractor, Mention};
use crate::gazetteer::COUNTRY_NAMES;
use crate::lexicon::{DONORS, DonorKind};
use crate::model::{Fact, Sourced, Span};

pub(super) fn alternation(mut names: Vec<String>) -> String {
    names.sort_by_key(|s| std::cmp::Reverse(s.len()));
    names.dedup();
    names
        .iter()
        .map(|s| regex::escape(s))
        .collect::<Vec<_>>()
        .join("|")
}

static COUNTRY_RE: LazyLock<Regex> = LazyLock::new(|| {
    let names = COUNTRY_NAMES.iter().map(|(_, n)| n.clone()).collect();
    crate::compile_regex(&format!(r"\b(?:{})(?:'s|’s)?\b", alternation(names)))
});

pub(super) static COUNTRY_BY_NAME: LazyLock<HashMap<String, &'static str>> = LazyLock::new(|| {
    COUNTRY_NAMES
        .iter()
        .map(|(iso, n)| (n.clone(), *iso))
        .collect()
});

static AGENCY_RE: LazyLock<Regex> = LazyLock::new(|| {
    let names = DONORS
        .iter()
        .flat_map(|d| d.agencies.iter().map(|s| (*s).to_string()))
        .collect();
    crate::compile_regex(&format!(r"\b(?:{})\b", alternation(names)))
});

static AGENCY_BY_NAME: LazyLock<HashMap<&'static str, usize>> = LazyLock::new(|| {
    DONORS
        .iter()
        .enumerate()
        .flat_map(|(i, d)| d.agencies.iter().map(move |a| (*a, i)))
        .collect()
});

static FROM_GAP_RE: LazyLock<Regex> =
    LazyLock::new(|| crate::compile_regex(r"(?i)\b(?:from|by)\s+(?:the\s+)?$"));

/// Words between an amount and the country it goes to: "€6 million will go to Burkina Faso",
/// "$4 million to Mali", "€19 million for Colombia" (a list of amounts and countries).
static TO_COUNTRY_GAP_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(
        r"(?i)^\s*(?:\([^()]{0,60}\)\s*)?(?:in\s+(?:grants?|funding|aid|assistance)\s+)?(?:(?:will|would|is\s+to|are\s+to)\s+(?:go|be\s+allocated|be\s+directed)\s+|goes\s+|went\s+|is\s+allocated\s+|was\s+allocated\s+)?(?:to|for)\s+(?:the\s+)?$",
    )
});

/// An amount for a region or several countries has no single recipient: "$30 million to
/// countries hosting refugees", "€18 million for Central America", "a multi-country grant".
static REGIONAL_AFTER_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(
        r"(?i)^\s*(?:\([^()]{0,60}\)\s*)?(?:(?:in\s+(?:[\w-]+\s+){1,3})?(?:will\s+go\s+|goes\s+)?(?:to|for|across)\s+(?:the\s+)?(?:(?:neighbouring|neighboring|host|hosting|several|other|\w+\s+)?countries|(?:West|East|Central|Southern|North|South|Southeast|South-East|Latin|Central)\s+(?:Africa|Asia|America|Europe)|Sahel|Horn\s+of\s+Africa|Middle\s+East|Pacific\s+(?:region|island)|Caribbean|(?:the\s+)?region)\b|(?:multi-country|multicountry|regional)\b)",
    )
});

/// A named organisation by the head word that says it is one: "Debswana Diamond Company",
/// "Sarhad Chamber of Commerce and Industry", "M-PESA Foundation".
static GIVING_ORG_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(
        r"(?P<org>(?:[A-Z][A-Za-z0-9'’&.-]*\s+(?:(?:of|and|for|&)\s+)?){1,5}(?:Foundation|Trust|Company|Limited|Ltd|Plc|PLC|Inc|Corporation|Group|Association|Society|Charity|Industries|Industry))\b",
    )
});

/// Words before an organisation that make it the giver: "funded by the", "a grant from".
static BY_ORG_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(
        r"(?i)\b(?:(?:funded|donated|provided|financed|sponsored|supported|given|presented|paid\s+for|gifted)\s+by|from)\s+(?:the\s+)?$",
    )
});

/// Words after an organisation that make it the giver: "… Plc has handed over", "… donated".
static ORG_GIVES_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(
        r"(?i)^[\s,]*(?:\([^()]{0,30}\)\s*)?(?:has\s+|have\s+|on\s+\w+\s+|will\s+|also\s+|today\s+|yesterday\s+)*(?:donated|donates|donate|handed\s+over|hands\s+over|hand\s+over|committed|commits|commit|signed|provided|provides|provide|gave|gives|give|pledged|pledges|pledge|funded|funds|fund|presented|presents|contributed|contributes|sponsored|financed|delivered|delivers)\b",
    )
});

/// "NOK 40 million to the World Health Organization", "through PAHO": a UN agency after these
/// words receives or delivers the money; it is not who gives it.
static CHANNEL_GAP_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(
        r"(?i)\b(?:to|through|via|implemented\s+by|channelled\s+through|channeled\s+through|managed\s+by)\s+(?:the\s+)?$",
    )
});

static FOREIGN_AFTER_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(
        r"(?i)^(?:'s|’s)?\s*(?:ministry of foreign affairs|foreign ministry|foreign minister|minister of foreign affairs|ministry of foreign|development agency|aid agency|development minister|ministry for (?:economic )?(?:development|cooperation))\b",
    )
});

static OTHER_DONORS_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(
        r"(?i)\b(?:other|several|many|international|bilateral|multilateral) (?:donors|partners|governments|countries)\b|\bdonors (?:together|collectively|jointly)\b|\binternational community\b",
    )
});

static DONOR_ROLE_AFTER_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(
        r"(?i)^(?:'s|’s)?\s*(?:\(\w+\)\s*)?(?:government|embassy|ambassador|side|people|grant|aid|assistance|funding|donation|support|has|have|had|will|would|is|was|donat\w*|provid\w*|hand\w*|pledg\w*|sign\w*|approv\w*|grant\w*|gave|give\w*|fund\w*|financ\w*|deliver\w*|extend\w*|allocat\w*|announc\w*|contribut\w*|through|also|and its)\b",
    )
});

static DONOR_ROLE_BEFORE_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(
        r"(?i)\b(?:from|by|government of|embassy of|ambassador of|ambassadors of|envoy of|consulate of|thanks to|courtesy of|on behalf of|people of)\s+(?:the\s+)?$",
    )
});

static RECIPIENT_ROLE_BEFORE_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(r"(?i)\b(?:to|for|in|across|throughout|of|within|inside)\s+(?:the\s+)?$")
});

static RECIPIENT_ROLE_AFTER_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(
        r"(?i)^(?:'s|’s)?\s*(?:ministry|health ministry|minister|hospitals?|health|people|patients|government received|received|receives|national|public|capital|state|regional|province|region|citizens|population|children|mothers|authorities)\b",
    )
});

/// The first donor named in a free-form donor string ("Japan International Cooperation Agency
/// (JICA)", "the Government of Japan, through UNICEF"), by the extractor's dictionaries.
pub(crate) fn donor_named_in(name: &str) -> Option<&'static str> {
    let agencies = AGENCY_RE
        .find_iter(name)
        .filter_map(|m| AGENCY_BY_NAME.get(m.as_str()).map(|&i| (m.start(), i)));
    let countries = COUNTRY_RE.find_iter(name).filter_map(|m| {
        let n = m.as_str().trim_end_matches("'s").trim_end_matches("’s");
        let iso = COUNTRY_BY_NAME.get(n)?;
        donor_of(Entity::Country(iso)).map(|i| (m.start(), i))
    });
    // A government or bank named anywhere outranks a UN channel named first.
    agencies
        .chain(countries)
        .filter_map(|(pos, i)| {
            DONORS
                .get(i)
                .map(|d| (d.kind == DonorKind::Channel, pos, d.canonical))
        })
        .min()
        .map(|(_, _, canonical)| canonical)
}

/// The country of the first donor named in a free-form donor string, when it is a state's.
pub(crate) fn donor_country_in(name: &str) -> Option<&'static str> {
    let canonical = donor_named_in(name)?;
    DONORS
        .iter()
        .find(|d| d.canonical == canonical)
        .and_then(|d| d.country)
}

pub(super) fn donor_of(entity: Entity) -> Option<usize> {
    match entity {
        Entity::Agency(i) => Some(i),
        Entity::Country(iso) => DONORS
            .iter()
            .position(|d| d.kind == DonorKind::Bilateral && d.country == Some(iso)),
    }
}

pub(super) fn country_of(entity: Entity) -> Option<&'static str> {
    match entity {
        Entity::Country(iso) => Some(iso),
        Entity::Agency(i) => DONORS.get(i).and_then(|d| d.country),
    }
}

/// Bytes between two spans (0 when they touch or overlap).
fn gap(a: &Span, b: &Span) -> usize {
    if a.end <= b.start {
        b.start - a.end
    } else {
        a.start.saturating_sub(b.end)
    }
}

impl<'t> Extractor<'t> {
    pub(super) fn find_entities(&mut self) {
        let text = self.text;
        let mut mentions = Vec::new();
        let mut taken: Vec<Span> = Vec::new();
        for m in AGENCY_RE.find_iter(text) {
            if let Some(&i) = AGENCY_BY_NAME.get(m.as_str()) {
                mentions.push((
                    Entity::Agency(i),
                    Span {
                        start: m.start(),
                        end: m.end(),
                    },
                ));
                taken.push(Span {
                    start: m.start(),
                    end: m.end(),
                });
            }
        }
        // Agency spans are in text order, so one cursor finds any overlap in linear time.
        let mut cursor = 0;
        for m in COUNTRY_RE.find_iter(text) {
            while cursor < taken.len() && taken[cursor].end <= m.start() {
                cursor += 1;
            }
            if taken.get(cursor).is_some_and(|t| t.start < m.end()) {
                continue;
            }
            // "US dollars", "Hong Kong dollars": a currency, not a country in the story.
            let rest = text[m.end()..ceil_boundary(text, m.end() + 12)]
                .trim_start()
                .to_ascii_lowercase();
            if rest.starts_with("dollar") || text[m.end()..].starts_with('$') {
                continue;
            }
            let name = m.as_str().trim_end_matches("'s").trim_end_matches("’s");
            if let Some(&iso) = COUNTRY_BY_NAME.get(name) {
                mentions.push((
                    Entity::Country(iso),
                    Span {
                        start: m.start(),
                        end: m.end(),
                    },
                ));
            }
        }
        mentions.sort_by_key(|(_, s)| s.start);
        self.mentions = mentions
            .into_iter()
            .map(|(entity, span)| {
                let after_end = ceil_boundary(text, span.end + 60);
                let after = &text[span.end..after_end];
                let before_start = floor_boundary(text, span.start.saturating_sub(30));
                let before = &text[before_start..span.start];
                // The words between the name and the verb are usually short ("Japan will").
                // "Korea's foreign ministry said …" speaks for a donor, whereas "Nepal's
                // ministry of health" is a recipient's.
                let foreign = FOREIGN_AFTER_RE.is_match(after);
                let donor_cue = foreign
                    || DONOR_ROLE_AFTER_RE.is_match(after)
                    || DONOR_ROLE_BEFORE_RE.is_match(before);
                let recipient_cue = !foreign
                    && (RECIPIENT_ROLE_BEFORE_RE.is_match(before)
                        || RECIPIENT_ROLE_AFTER_RE.is_match(after));
                Mention {
                    entity,
                    span,
                    donor_cue,
                    recipient_cue,
                }
            })
            .collect();
    }

    pub(super) fn decide_roles(&mut self) {
        let mut donor_score: HashMap<usize, i32> = HashMap::new();
        let mut recipient_score: HashMap<&'static str, i32> = HashMap::new();
        for m in &self.mentions {
            if let Some(d) = donor_of(m.entity) {
                let weight = match DONORS.get(d).map(|d| d.kind) {
                    Some(DonorKind::Channel) => 1,
                    _ => 2,
                };
                *donor_score.entry(d).or_default() +=
                    weight * (1 + 2 * i32::from(m.donor_cue) - i32::from(m.recipient_cue));
            }
            if let Entity::Country(iso) = m.entity {
                // "the Lebanese government signed" is a donor cue only for a country that gives aid.
                let donor_capable = donor_of(m.entity).is_some();
                *recipient_score.entry(iso).or_default() +=
                    1 + 2 * i32::from(m.recipient_cue) - i32::from(m.donor_cue && donor_capable);
            }
        }
        let mut donors: Vec<(usize, i32)> =
            donor_score.into_iter().filter(|(_, s)| *s > 0).collect();
        donors.sort_by_key(|(d, s)| (std::cmp::Reverse(*s), *d));
        // A channel agency is the donor only when no government or bank is named.
        let best = donors
            .iter()
            .find(|(d, _)| DONORS.get(*d).is_some_and(|x| x.kind != DonorKind::Channel))
            .or(donors.first());
        self.article_donor = best.map(|(d, _)| *d);
        let donor_country = self
            .article_donor
            .and_then(|d| DONORS.get(d))
            .and_then(|d| d.country);
        let mut recipients: Vec<(&'static str, i32)> = recipient_score
            .into_iter()
            .filter(|(iso, s)| Some(*iso) != donor_country && *s > 0)
            .collect();
        recipients.sort_by_key(|(iso, s)| (std::cmp::Reverse(*s), *iso));
        self.article_recipient = recipients.first().map(|(iso, _)| *iso);
    }

    /// The donors named in a sentence (dictionary donors; the headline counts as a sentence).
    pub(super) fn donors_in_sentence(&self, sentence: usize) -> Vec<usize> {
        let Some(s) = self.sentences.get(sentence) else {
            return Vec::new();
        };
        // Mentions are in text order: find the sentence's slice by binary search, so a long
        // document with many equal amounts stays linear.
        let from = self.mentions.partition_point(|m| m.span.start < s.start);
        let to = self.mentions.partition_point(|m| m.span.start < s.end);
        self.mentions[from..to.max(from)]
            .iter()
            .filter(|m| m.span.end <= s.end)
            .filter_map(|m| donor_of(m.entity))
            .filter(|d| DONORS.get(*d).is_some_and(|x| x.kind != DonorKind::Channel))
            .collect()
    }

    /// "funded by the M-PESA Foundation", "Kansanshi Mining Plc handed over …": an organisation
    /// the dictionaries lack, in a donor position of the amount's sentence, is the donor (with
    /// its own words) rather than the article's donor or nobody. A known donor named in the
    /// sentence keeps precedence.
    pub(super) fn unknown_org_donor(&self, fact: &mut Fact, sentence: usize) {
        let s = &self.sentences[sentence];
        if fact.donor.as_ref().is_some_and(|d| {
            d.span.start >= s.start && d.span.end <= s.end && d.span.start < d.span.end
        }) {
            return;
        }
        let text = &self.text[s.start..s.end];
        for caps in GIVING_ORG_RE.captures_iter(text) {
            let Some(org) = caps.name("org") else {
                continue;
            };
            let name = org.as_str();
            let (lead, name) = ["The ", "the "]
                .iter()
                .find_map(|t| name.strip_prefix(t).map(|n| (t.len(), n)))
                .unwrap_or((0, name));
            let start = s.start + org.start() + lead;
            let end = s.start + org.end();
            // "the Japan Fund for …" belongs to a known donor: the dictionaries decide it.
            if self
                .mentions
                .iter()
                .any(|m| m.span.start >= start && m.span.end <= end && donor_of(m.entity).is_some())
            {
                continue;
            }
            let before = &text[..org.start()];
            let after = &text[org.end()..];
            if BY_ORG_RE.is_match(before) || ORG_GIVES_RE.is_match(after) {
                fact.donor = Some(Sourced::new(
                    name.to_string(),
                    self.text,
                    Span { start, end },
                ));
                fact.donor_agency = None;
                return;
            }
        }
    }

    /// The donor nearest before the amount in its sentence, else the article's donor. A channel
    /// (UNICEF, WHO) yields to a government or bank named in the same sentence.
    pub(super) fn donor_for(
        &self,
        sentence: usize,
        pos: usize,
        region: Option<Span>,
    ) -> (Option<(usize, Span)>, Option<Span>, Option<Span>) {
        let s = &self.sentences[sentence];
        let regions: Vec<&Span> = self
            .amount_spans
            .iter()
            .filter(|a| a.start >= s.start && a.end <= s.end)
            .collect();
        let in_sentence: Vec<&Mention> = self
            .mentions
            .iter()
            .filter(|m| m.span.start >= s.start && m.span.end <= s.end)
            .filter(|m| donor_of(m.entity).is_some())
            .filter(|m| {
                // The recipient's own name is not its donor.
                country_of(m.entity)
                    .is_none_or(|c| Some(c) != self.article_recipient || m.donor_cue)
            })
            .filter(|m| !m.recipient_cue || m.donor_cue)
            .filter(|m| {
                let is_channel = donor_of(m.entity)
                    .and_then(|d| DONORS.get(d))
                    .is_some_and(|d| d.kind == DonorKind::Channel);
                let before = &self.text
                    [floor_boundary(self.text, m.span.start.saturating_sub(40))..m.span.start];
                !(is_channel && CHANNEL_GAP_RE.is_match(before))
            })
            // "Japan provided $2 million, South Korea $1 million": each donor goes with the
            // amount nearest to it.
            .filter(|m| {
                let Some(r) = region else { return true };
                let own = gap(&m.span, &r);
                regions
                    .iter()
                    .all(|other| **other == r || gap(&m.span, other) >= own)
            })
            .collect();
        let rank = |m: &&&Mention| {
            let kind = donor_of(m.entity)
                .and_then(|d| DONORS.get(d))
                .map(|d| d.kind);
            let channel = i64::from(kind == Some(DonorKind::Channel));
            let article = i64::from(donor_of(m.entity) != self.article_donor);
            let before = if m.span.start <= pos { 0 } else { 1 };
            let distance = (pos as i64 - m.span.start as i64).abs();
            // "a $50 million grant from the Global Fund" names the donor right after the amount.
            let from_after = m.span.start > pos
                && m.span.start - pos <= 60
                && self
                    .text
                    .get(pos..m.span.start)
                    .is_some_and(|gap| !gap.contains(';') && FROM_GAP_RE.is_match(gap));
            (channel, i64::from(!from_after), before, article, distance)
        };
        let chosen = in_sentence.iter().min_by_key(rank).copied();
        // "Other donors pledged …" names no donor; it is not the article's donor either.
        if chosen.is_none() && OTHER_DONORS_RE.is_match(&self.text[s.start..s.end]) {
            return (None, None, None);
        }
        let donor_idx = chosen
            .and_then(|m| donor_of(m.entity))
            .or(self.article_donor);
        let Some(d) = donor_idx else {
            return (None, None, None);
        };
        let span = chosen.map(|m| m.span).or_else(|| {
            self.mentions
                .iter()
                .find(|m| donor_of(m.entity) == Some(d))
                .map(|m| m.span)
        });
        let agency = in_sentence
            .iter()
            .chain(self.mentions.iter().collect::<Vec<_>>().iter())
            .find(|m| {
                matches!(m.entity, Entity::Agency(i) if i == d)
                    && DONORS.get(d).is_some_and(|x| x.country.is_some())
            })
            .map(|m| m.span);
        let channel = in_sentence
            .iter()
            .find(|m| {
                donor_of(m.entity) != Some(d)
                    && donor_of(m.entity)
                        .and_then(|x| DONORS.get(x))
                        .is_some_and(|x| x.kind == DonorKind::Channel)
            })
            .map(|m| m.span);
        (span.map(|sp| (d, sp)), agency, channel)
    }

    /// The recipient of an amount: a country in its sentence that is not the donor and is nearer
    /// to this amount than to any other amount of the sentence ("Tonga will receive $30 million
    /// and Samoa $20 million"), else the article's recipient.
    pub(super) fn recipient_for(
        &self,
        sentence: usize,
        donor: Option<usize>,
        amount: Option<Span>,
    ) -> Option<(&'static str, Option<Span>)> {
        let s = &self.sentences[sentence];
        let donor_country = donor.and_then(|d| DONORS.get(d)).and_then(|d| d.country);
        if let Some(a) = amount {
            let after = &self.text[a.end.min(s.end)..s.end];
            if REGIONAL_AFTER_RE.is_match(after) {
                return None;
            }
            let named_after = self.mentions.iter().find(|m| {
                m.span.start >= a.end
                    && m.span.end <= s.end
                    && matches!(m.entity, Entity::Country(iso) if Some(iso) != donor_country)
                    && TO_COUNTRY_GAP_RE.is_match(&self.text[a.end..m.span.start])
            });
            if let Some(m) = named_after
                && let Entity::Country(iso) = m.entity
            {
                return Some((iso, Some(m.span)));
            }
        }
        let distance = |m: &Span, a: &Span| {
            if m.end <= a.start {
                a.start - m.end
            } else {
                m.start.saturating_sub(a.end)
            }
        };
        let in_sentence: Vec<&Span> = self
            .amount_spans
            .iter()
            .filter(|a| a.start >= s.start && a.end <= s.end)
            .collect();
        let local = self
            .mentions
            .iter()
            .filter(|m| m.span.start >= s.start && m.span.end <= s.end)
            .filter_map(|m| match m.entity {
                Entity::Country(iso) if Some(iso) != donor_country => Some((iso, m)),
                _ => None,
            })
            .filter(|(_, m)| {
                let Some(a) = amount else { return true };
                let own = distance(&m.span, &a);
                in_sentence
                    .iter()
                    .all(|other| **other == a || distance(&m.span, other) >= own)
            })
            .max_by_key(|(iso, m)| {
                (
                    m.recipient_cue,
                    Some(*iso) == self.article_recipient,
                    std::cmp::Reverse(amount.map_or(m.span.start, |a| distance(&m.span, &a))),
                )
            });
        if let Some((iso, m)) = local
            && (m.recipient_cue || Some(iso) == self.article_recipient || !m.donor_cue)
        {
            return Some((iso, Some(m.span)));
        }
        let iso = self
            .article_recipient
            .filter(|r| Some(*r) != donor_country)?;
        let span = self
            .mentions
            .iter()
            .find(|m| m.entity == Entity::Country(iso))
            .map(|m| m.span);
        Some((iso, span))
    }
}
