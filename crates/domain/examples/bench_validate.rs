//! Cost of single-record validation (including the control-character walk over every text
//! field) for one flow and one activity of IATI-import size. Run with `--release`.

use std::hint::black_box;
use std::time::Instant;

use aidtrace_domain::Record;
use aidtrace_domain::validate::validate;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let flow: Record = serde_json::from_str(
        r#"{"record":"flow","id":"iati-xm-dac-701-8-test1-t1","activity":"iati-xm-dac-701-8-test1","kind":"commitment","money":{"amount":"108700000","currency":"JPY","value_date":"2024-02-01"},"provider":"org-jica","sources":[{"source":"src-iati-file","quote":"transaction 1"}]}"#,
    )?;
    let activity: Record = serde_json::from_str(
        r#"{"record":"activity","id":"iati-xm-dac-701-8-test1","title":"Medical equipment for the regional hospital","instrument":"grant_aid","status":"implementation","iati_identifier":"XM-DAC-701-8-TEST1","description":"A description of some length that an IATI activity would carry, one paragraph or so.","sectors":[{"code":"12191","percentage":"100"}],"countries":[{"country":"KZ","percentage":"100"}],"sources":[{"source":"src-iati-file"}]}"#,
    )?;
    let n: u32 = 1_000_000;
    let start = Instant::now();
    for _ in 0..n {
        validate(black_box(&flow))?;
        validate(black_box(&activity))?;
    }
    println!(
        "validate: {:?} per flow + activity pair",
        start.elapsed() / n
    );
    Ok(())
}
