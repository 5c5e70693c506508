//! The kind of an amount (cumulative, not aid, pledge, commitment, disbursement) from the cue
//! words nearest to it, and its instrument (grant, loan, in kind, technical cooperation). Apart
//! because these are the extractor's word lists for what money is, not who gives it.

use std::sync::LazyLock;

use regex::Regex;

use super::Extractor;
use super::pipeline::BACKREF_START_RE;
use super::roles::{country_of, donor_of};
use crate::model::{AmountKind, Instrument, Sourced, Span};
use crate::money::MoneyMention;

/// Cue words for the kind of an amount. Strong cues outrank nearer weak ones.
struct Cue {
    re: Regex,
    kind: AmountKind,
    strong: bool,
}

static CUES: LazyLock<Vec<Cue>> = LazyLock::new(|| {
    let c = |p: &str, kind, strong| Cue {
        re: crate::compile_regex(p),
        kind,
        strong,
    };
    vec![
        c(
            r"(?i)\b(hand(?:ed|s|ing)? over|handover|delivered|disbursed|released|transferred|arrived|has received|have received|received|was used|were used|has been used|inaugurated|shipped|completed|has completed|handed|built with|constructed with)\b",
            AmountKind::Disbursement,
            true,
        ),
        c(
            r"(?i)\b(donated|provided|gave|has given|supplied|funded|financed|paid|distributed|has contributed|contributed|spent|purchased with|bought with|opened|built)\b",
            AmountKind::Disbursement,
            false,
        ),
        c(
            r"(?i)\b(signed|signing|exchange of notes|exchanged notes|approved|approval of|ratified|grant agreement|loan agreement|agreement|committed)\b",
            AmountKind::Commitment,
            true,
        ),
        c(
            r"(?i)\b((?:will|would|shall) (?:also |further |now |soon |additionally )?(?:provide|fund|finance|supply|donate|give|grant|deliver|extend|support|cover|allocate|contribute)|provides|is providing|extends|extended|granted|awarded|allocated|allocates|earmarked|grants)\b",
            AmountKind::Commitment,
            false,
        ),
        c(
            r"(?i)\b(pledg\w*|promis\w*|plans? to|planned|intends? to|will consider|considering|subject to|proposed|is expected to|are expected to|could|aims? to mobili[sz]e)\b",
            AmountKind::Pledge,
            true,
        ),
        c(
            r"(?i)\b(announced|announces|unveiled|offered|offers)\b",
            AmountKind::Pledge,
            false,
        ),
    ]
});

static CUMULATIVE_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(
        r"(?i)\b(since (?:(?:early|late|mid-?|the end of|the start of)\s)?(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s)?(?:19|20)\d\d|since the (?:start|beginning|outbreak|war|invasion|pandemic|establishment|launch|full-scale)|since (?:it|they) (?:began|started)|so far|to date|thus far|up to now|until now|till now|cumulative\w*|in total since|over the (?:past |last |more than |previous )*(?:\w+ )?(?:years|decades)|over the (?:past |last )?decade|in the past (?:\w+ )?(?:years|decades)|altogether since|(?:has|have) (?:already|so far) (?:provided|given|contributed|disbursed|spent|allocated)|already provided|in all,|brings? (?:the |its )?total|bringing (?:the |its )?total|portfolio)",
    )
});

/// Cumulative cues that name a time span: the amount adds up gifts over that time.
static TIMED_CUMULATIVE_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(
        r"(?i)\b(since|so far|to date|thus far|up to now|until now|till now|over the|in the past|already|cumulative)",
    )
});

/// What a project or a purchase costs, or a budget, in the same sentence as a total.
static COST_TOTAL_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(
        r"(?i)\b(total (?:project )?cost|project cost|cost of the (?:project|programme|program)|(?:local|regional|state|national|government) budget)\b",
    )
});

static NOT_AID_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(
        r"(?i)\b(budget|GDP|gross domestic|revenue|turnover|price[ds]?|costs? (?:about |around |roughly )?(?:\S+ )?(?:each|apiece|per)|each|apiece|per (?:unit|dose|patient|day|month|year|person|capita|head|bed|test)|salar(?:y|ies)|wages?|market|exports|imports|export earnings|trade|(?:external|public|national|foreign|total) debt|debt (?:stood|stands|reached|rose|of)|stood at|stands at|investors?|invest(?:ed|ment|ing)? by|profit|loss(?:es)?|damages?|debt service|taxes|tax|fees?|bonds?|fined|fine of|tender|procured|procurement|paid for (?:it|them) (?:itself|themselves)|own (?:funds|resources|budget)|valued at \S+ each|sold|sales|(?:a|one|each|per|every) (?:[\w-]+ ){0,4}costs?|needs?|appeal\w*|requires?|required|requirements?|shortfall|funding gap|seeks|seeking|calls? for)\b",
    )
});

static AID_NEAR_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(
        r"(?i)\b(grant|aid|donat\w*|assistance|loan|credit|fund(?:s|ing|ed)?|support|provide\w*|contribut\w*|gift|relief|financ\w*)\b",
    )
});

static INSTRUMENT_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(
        r"(?i)\b(grant aid|grant-in-aid|grants?|non-refundable|free of charge|gratis|loans?|credits?|concessional|lending|borrow\w*|EDCF|Economic Development Cooperation Fund|Exim\s?Bank|Export-Import Bank|in-kind|in kind|donations? of|donated|handed over|technical cooperation|technical assistance)\b",
    )
});

static CONVERT_VERB_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(r"(?i)\b(?:convert\w*|turn\w* (?:\w+ )?into|transform\w*)\b")
});

static LOAN_WORD_RE: LazyLock<Regex> =
    LazyLock::new(|| crate::compile_regex(r"(?i)\b(?:loans?|credits?)\b"));

static INTO_GRANT_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(r"(?i)\b(?:into|to)\s+(?:an?\s+)?(?:outright\s+)?grants?\b")
});

/// "convert a loan of $15 million … into a grant": the span of the conversion verb.
fn converted_to_grant(sentence: &str) -> Option<(usize, usize)> {
    let verb = CONVERT_VERB_RE.find(sentence)?;
    (LOAN_WORD_RE.is_match(sentence) && INTO_GRANT_RE.is_match(sentence))
        .then_some((verb.start(), verb.end()))
}

static WORTH_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(r"(?i)\b(worth|valued at|value of|donat\w*|handed over|delivered)\b")
});

static HANDOVER_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(
        r"(?i)\b(donat\w*|hand(?:ed|s|ing)? over|handover|deliver\w*|provided|supplied|gift\w*|arriv\w*|consignment|shipment)\b",
    )
});

static DOMESTIC_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(
        r"(?i)\b(?:plans? to spend|will spend|spends|spending|spent|financial year|fiscal year|national budget|state budget|government funds|public funds|own funds|domestic resources|domestic funding|state fund|will invest|co-invest\w*|counterpart (?:funding|funds|contribution)|side will (?:direct|allocate|invest|cover|contribute))\b",
    )
});

static GOODS_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(
        r"(?i)\b(supplies|medicines|drugs|consumables|equipment|vaccines|goods|devices|kits|commodities)\b",
    )
});

static YEAR_SCOPE_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(
        r"(?i)\b(?:in|during|for) (?:19|20)\d\d\b|\b(?:this|last|each|every|per) (?:financial |fiscal )?year\b|\bannually\b",
    )
});

static TOTAL_WORD_RE: LazyLock<Regex> =
    LazyLock::new(|| crate::compile_regex(r"(?i)\b(?:a total of|in total|totall?ing|part of)\b"));

/// "In 2023, the EU allocated a total of €118 million": a year's total of many flows.
fn annual_total(sentence: &str) -> Option<regex::Match<'_>> {
    let total = TOTAL_WORD_RE.find(sentence)?;
    YEAR_SCOPE_RE.is_match(sentence).then_some(total)
}

impl<'t> Extractor<'t> {
    pub(super) fn classify(&self, m: &MoneyMention, sentence: usize) -> Sourced<AmountKind> {
        let text = self.text;
        let s = &self.sentences[sentence];
        let st = &text[s.start..s.end];
        let rel = m.span.start - s.start;
        let rel_end = m.span.end - s.start;
        let found = |span: Span, kind| Sourced::new(kind, text, span);
        let abs = |a: usize, b: usize| Span {
            start: s.start + a,
            end: s.start + b,
        };
        if let Some(c) = CUMULATIVE_RE.find(st).or_else(|| annual_total(st)) {
            // "bringing the total cost to US$91 million", "in total, 6.2 bln tenge was allocated
            // from the regional budget": a total without a time span ("since", "so far") in a
            // sentence about a cost or a budget is what something costs, not aid given over time.
            let timeless = !TIMED_CUMULATIVE_RE.is_match(c.as_str());
            if timeless && let Some(cost) = COST_TOTAL_RE.find(st) {
                return found(abs(cost.start(), cost.end()), AmountKind::NotAid);
            }
            return found(abs(c.start(), c.end()), AmountKind::Cumulative);
        }
        // The recipient's own spending ("the ministry plans to spend", "bought with government
        // funds") is not aid when no donor is named in the sentence.
        if let Some(d) = DOMESTIC_RE.find(st) {
            let donor_named = self.mentions.iter().any(|x| {
                x.span.start >= s.start
                    && x.span.end <= s.end
                    && donor_of(x.entity).is_some()
                    && country_of(x.entity) != self.article_recipient
            });
            if !donor_named {
                return found(abs(d.start(), d.end()), AmountKind::NotAid);
            }
        }
        // Not-aid wins when its cue is closer to the amount than any aid word.
        let dist = |a: usize, b: usize| {
            if b <= rel {
                rel - b
            } else {
                a.saturating_sub(rel_end)
            }
        };
        let nearest = |re: &Regex| {
            re.find_iter(st)
                .map(|x| (dist(x.start(), x.end()), x.start(), x.end()))
                .min()
        };
        if let Some((nd, a, b)) = nearest(&NOT_AID_RE) {
            let aid = nearest(&AID_NEAR_RE).map_or(usize::MAX, |x| x.0);
            if nd < aid && nd < 80 {
                return found(abs(a, b), AmountKind::NotAid);
            }
        }
        let mut best: Option<(usize, AmountKind, usize, usize)> = None;
        for cue in CUES.iter() {
            for x in cue.re.find_iter(st) {
                let d = dist(x.start(), x.end());
                // Strong cues count as if four times nearer.
                let score = if cue.strong { d / 4 } else { d };
                if best.is_none_or(|b| score < b.0) {
                    best = Some((score, cue.kind, x.start(), x.end()));
                }
            }
        }
        if let Some((_, kind, a, b)) = best {
            return found(abs(a, b), kind);
        }
        // No cue in the sentence: the previous one often carries it ("signed an agreement.
        // Under it, Japan …").
        if sentence > 0 {
            let p = &self.sentences[sentence - 1];
            let pt = &text[p.start..p.end];
            // Strong cues first; a weak one counts too when this sentence points back to the
            // previous one ("TIKA opened a dialysis centre … The centre cost …").
            let points_back = BACKREF_START_RE.is_match(st);
            let strong_first = CUES
                .iter()
                .filter(|c| c.strong)
                .chain(CUES.iter().filter(|c| !c.strong && points_back));
            for cue in strong_first {
                if let Some(x) = cue.re.find(pt) {
                    return found(
                        Span {
                            start: p.start + x.start(),
                            end: p.start + x.end(),
                        },
                        cue.kind,
                    );
                }
            }
        }
        found(m.span, AmountKind::Commitment)
    }

    pub(super) fn instrument(
        &self,
        sentence: usize,
        pos: usize,
        amount_len: usize,
        has_items: bool,
    ) -> Option<Sourced<Instrument>> {
        let text = self.text;
        let s = &self.sentences[sentence];
        let st = &text[s.start..s.end];
        if let Some((a, b)) = converted_to_grant(st) {
            return Some(Sourced::new(
                Instrument::Grant,
                text,
                Span {
                    start: s.start + a,
                    end: s.start + b,
                },
            ));
        }
        let rel = pos - s.start;
        let rel_end = rel + amount_len;
        // Words after the amount count from its end: "$10 million credit" is a credit.
        let best = INSTRUMENT_RE.find_iter(st).min_by_key(|x| {
            if x.start() >= rel_end {
                x.start() - rel_end
            } else {
                rel.saturating_sub(x.end())
            }
        });
        if let Some(x) = best {
            let w = x.as_str().to_ascii_lowercase();
            let lender = w.starts_with("edcf")
                || w.starts_with("economic development")
                || w.starts_with("exim")
                || w.starts_with("export-import");
            let kind = if lender
                || w.starts_with("loan")
                || w.starts_with("credit")
                || w.starts_with("concessional")
                || w.starts_with("lending")
                || w.starts_with("borrow")
            {
                Instrument::Loan
            } else if w.starts_with("technical") {
                Instrument::TechnicalCooperation
            } else if w.contains("kind") || w.starts_with("donat") || w.starts_with("handed") {
                if (has_items || GOODS_RE.is_match(st))
                    && !st.to_ascii_lowercase().contains("grant")
                {
                    Instrument::InKind
                } else {
                    Instrument::Grant
                }
            } else {
                Instrument::Grant
            };
            return Some(Sourced::new(
                kind,
                text,
                Span {
                    start: s.start + x.start(),
                    end: s.start + x.end(),
                },
            ));
        }
        // No instrument word: goods "worth" an amount are in kind; other aid money is a grant
        // unless called a loan or credit, which press releases always do.
        let worth = WORTH_RE.find(st);
        // "… handed over 50 concentrators. The equipment, valued at $250,000, …"
        let handed_over = HANDOVER_RE.is_match(st)
            || (sentence > 0
                && BACKREF_START_RE.is_match(st)
                && HANDOVER_RE.is_match(self.sentence_text(sentence - 1)));
        let (kind, span) = match worth {
            Some(w) if (has_items || GOODS_RE.is_match(st)) && handed_over => (
                Instrument::InKind,
                Span {
                    start: s.start + w.start(),
                    end: s.start + w.end(),
                },
            ),
            _ => (
                Instrument::Grant,
                Span {
                    start: pos,
                    end: pos + amount_len,
                },
            ),
        };
        Some(Sourced::new(kind, text, span))
    }

    pub(super) fn classify_amountless(&self, sentence: usize) -> Sourced<AmountKind> {
        let s = &self.sentences[sentence];
        let st = &self.text[s.start..s.end];
        let mut best: Option<(usize, AmountKind, usize, usize)> = None;
        for cue in CUES.iter() {
            if let Some(x) = cue.re.find(st) {
                let score = if cue.strong { 0 } else { 1 };
                if best.is_none_or(|b| score < b.0) {
                    best = Some((score, cue.kind, x.start(), x.end()));
                }
            }
        }
        match best {
            Some((_, kind, a, b)) => Sourced::new(
                kind,
                self.text,
                Span {
                    start: s.start + a,
                    end: s.start + b,
                },
            ),
            None => Sourced::new(
                AmountKind::Disbursement,
                self.text,
                Span {
                    start: s.start,
                    end: s.end,
                },
            ),
        }
    }
}
