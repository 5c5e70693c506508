//! The signing date of a commitment: a date in a sentence about signing near the amount,
//! resolved against the publication date when it gives no year ("on Tuesday", "on the 29th").
//! Apart because date reading is self-contained.

use std::sync::LazyLock;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use regex::Regex;

use super::Extractor;
use crate::model::{Sourced, Span};

static DATE_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(
        r"(?i)\b(?:(?P<d1>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m1>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?(?:,?\s+(?P<y1>(?:19|20)\d\d))?|(?P<m2>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y2>(?:19|20)\d\d))?|(?P<iso>(?:19|20)\d\d-\d\d-\d\d)|on the (?P<d3>\d{1,2})(?:st|nd|rd|th)\b|\bon (?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|\b(?P<today>today|yesterday)\b)",
    )
});

static SIGN_RE: LazyLock<Regex> = LazyLock::new(|| {
    crate::compile_regex(
        r"(?i)\b(sign\w*|exchange of notes|exchanged notes|notes\s(?:[A-Za-z]+\s){0,6}exchanged|inked)\b",
    )
});

impl<'t> Extractor<'t> {
    pub(super) fn signing_date(&self, window: &[usize]) -> Option<Sourced<NaiveDate>> {
        let text = self.text;
        // From the sentence before the window to its last sentence, asides included: "Notes
        // were exchanged on Monday" often sits between the amount and its details.
        let (Some(&first), Some(&last)) = (window.iter().min(), window.iter().max()) else {
            return None;
        };
        let sentences = first.saturating_sub(1)..=last;
        for si in sentences {
            let s = &self.sentences[si];
            let st = &text[s.start..s.end];
            if !SIGN_RE.is_match(st) {
                continue;
            }
            for caps in DATE_RE.captures_iter(st) {
                let Some(whole) = caps.get(0) else { continue };
                if let Some(date) = self.resolve_date(&caps) {
                    let span = Span {
                        start: s.start + whole.start(),
                        end: s.start + whole.end(),
                    };
                    return Some(Sourced::new(date, text, span));
                }
            }
        }
        None
    }

    fn resolve_date(&self, caps: &regex::Captures<'_>) -> Option<NaiveDate> {
        let published = self.opts.published;
        let month_of = |m: &str| -> Option<u32> {
            let m = m.to_ascii_lowercase();
            let names = [
                "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
            ];
            names
                .iter()
                .position(|n| m.starts_with(n))
                .and_then(|p| u32::try_from(p + 1).ok())
        };
        let with_year = |month: u32, day: u32, year: Option<&str>| -> Option<NaiveDate> {
            let y = match year {
                Some(y) => y.parse().ok()?,
                None => {
                    let p = published?;
                    // A month after the publication month belongs to the previous year.
                    if month > p.month() {
                        p.year() - 1
                    } else {
                        p.year()
                    }
                }
            };
            NaiveDate::from_ymd_opt(y, month, day)
        };
        if let Some(iso) = caps.name("iso") {
            return NaiveDate::parse_from_str(iso.as_str(), "%Y-%m-%d").ok();
        }
        if let (Some(d), Some(m)) = (caps.name("d1"), caps.name("m1")) {
            return with_year(
                month_of(m.as_str())?,
                d.as_str().parse().ok()?,
                caps.name("y1").map(|y| y.as_str()),
            );
        }
        if let (Some(d), Some(m)) = (caps.name("d2"), caps.name("m2")) {
            return with_year(
                month_of(m.as_str())?,
                d.as_str().parse().ok()?,
                caps.name("y2").map(|y| y.as_str()),
            );
        }
        let p = published?;
        if let Some(d) = caps.name("d3") {
            let day: u32 = d.as_str().parse().ok()?;
            return if day <= p.day() {
                NaiveDate::from_ymd_opt(p.year(), p.month(), day)
            } else {
                let prev = p.with_day(1)?.pred_opt()?;
                NaiveDate::from_ymd_opt(prev.year(), prev.month(), day)
            };
        }
        if let Some(wd) = caps.name("wd") {
            let target = match wd.as_str().to_ascii_lowercase().as_str() {
                "monday" => Weekday::Mon,
                "tuesday" => Weekday::Tue,
                "wednesday" => Weekday::Wed,
                "thursday" => Weekday::Thu,
                "friday" => Weekday::Fri,
                "saturday" => Weekday::Sat,
                _ => Weekday::Sun,
            };
            let back = (7 + p.weekday().num_days_from_monday() - target.num_days_from_monday()) % 7;
            return p.checked_sub_signed(Duration::days(i64::from(back)));
        }
        if let Some(t) = caps.name("today") {
            return if t.as_str().eq_ignore_ascii_case("yesterday") {
                p.pred_opt()
            } else {
                Some(p)
            };
        }
        None
    }
}
