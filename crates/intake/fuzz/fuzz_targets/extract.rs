//! The whole extractor on arbitrary bytes: a clear error or a result, never a panic.
#![no_main]

use aidtrace_intake::{ExtractOptions, extract_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(e) = extract_bytes(data, &ExtractOptions::default()) {
        assert_eq!(e.text_bytes, data.len());
    }
});
