//! Fuzzes the reader, the three validation layers and the writer round trip:
//! no input may panic, and whatever parses must survive write → parse unchanged.
#![no_main]

use aidtrace_iati::reader::ActivityReader;
use aidtrace_iati::validate::{Options, validate_reader};
use aidtrace_iati::writer::write_activities;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = validate_reader("fuzz.xml", data, &Options::default());
    let mut r = ActivityReader::new(data);
    let Ok(first) = r.by_ref().collect::<Result<Vec<_>, _>>() else { return };
    let mut out = Vec::new();
    write_activities(&mut out, r.header(), &first).expect("writing to a Vec cannot fail");
    let second: Vec<_> = ActivityReader::new(out.as_slice())
        .collect::<Result<_, _>>()
        .expect("the writer's output must be well-formed");
    assert_eq!(first, second, "round trip changed the model");
});
