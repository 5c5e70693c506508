//! Prints the facts extracted from a text given on the command line (development aid).
fn main() {
    let text = std::env::args().nth(1).unwrap_or_default();
    let e = aidtrace_intake::extract(&text, &aidtrace_intake::ExtractOptions::default());
    println!(
        "{}",
        serde_json::to_string_pretty(&e.map(|e| e.facts).map_err(|e| e.to_string()))
            .unwrap_or_default()
    );
}
