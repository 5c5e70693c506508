//! The number and money parsers on arbitrary text: no panic, positive amounts, spans on
//! character boundaries.
#![no_main]

use aidtrace_intake::money::{CurrencyContext, find_money};
use aidtrace_intake::number::{parse_digits, parse_number_words, scale_factor};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = parse_digits(text);
    let _ = parse_number_words(text);
    let _ = scale_factor(text);
    for recipient in [None, Some("MW"), Some("LK")] {
        for m in find_money(
            text,
            CurrencyContext {
                recipient,
                donor_country: None,
            },
        ) {
            assert!(text.is_char_boundary(m.span.start) && text.is_char_boundary(m.span.end));
            assert!(m.amount.is_sign_positive() && !m.amount.is_zero());
        }
    }
});
