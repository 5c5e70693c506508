use clap::ValueEnum;

/// Every reporting command takes `--format`; table is for people, csv and json for tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    #[default]
    Table,
    Csv,
    Json,
}

use serde::Serialize;

use crate::error::CliError;

/// Prints a line; a closed pipe (`| head`) ends the output quietly instead of panicking.
pub fn out(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{text}");
}

/// A table for people: long cells (rate sources, messages) wrap instead of running off the screen.
pub fn print_table(header: &[&str], rows: &[Vec<String>]) {
    let mut table = comfy_table::Table::new();
    table.load_preset(comfy_table::presets::UTF8_BORDERS_ONLY);
    table.set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
    if table.width().is_none() {
        table.set_width(160);
    }
    table.set_header(header.to_vec());
    for row in rows {
        table.add_row(row.clone());
    }
    out(&table.to_string());
}

/// A CSV row whose text cells no spreadsheet will run as formulas (names and titles come from
/// imported data).
pub fn sheet_row<S: AsRef<str>>(fields: impl IntoIterator<Item = S>) -> Vec<String> {
    fields
        .into_iter()
        .map(|c| aidtrace_domain::sheet::formula_safe(c.as_ref()).into_owned())
        .collect()
}

pub fn print_csv(header: &[&str], rows: &[Vec<String>]) -> Result<(), CliError> {
    let mut w = csv::Writer::from_writer(std::io::stdout());
    let fail = |e: csv::Error| CliError::failure(format!("cannot write CSV: {e}"));
    w.write_record(header).map_err(fail)?;
    for r in rows {
        w.write_record(sheet_row(r)).map_err(fail)?;
    }
    w.flush()?;
    Ok(())
}

pub fn print_json<T: Serialize + ?Sized>(v: &T) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(v)
        .map_err(|e| CliError::failure(format!("cannot write JSON: {e}")))?;
    out(&text);
    Ok(())
}
