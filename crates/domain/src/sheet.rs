//! Text cells written to CSV for spreadsheets. A spreadsheet runs a cell that starts with `=`,
//! `+`, `-`, `@`, a tab or a carriage return as a formula (OWASP "CSV injection"), even after
//! leading spaces; such a cell is prefixed with a quote so it stays text. Numbers, negative ones
//! included, are left as they are so a spreadsheet can still add them up.

use std::borrow::Cow;

use rust_decimal::Decimal;

/// `cell` as a CSV cell no spreadsheet will run.
pub fn formula_safe(cell: &str) -> Cow<'_, str> {
    let start = cell.trim_start_matches(' ');
    let risky = match start.chars().next() {
        Some('=' | '+' | '@' | '\t' | '\r' | '\n') => true,
        Some('-') => start.parse::<Decimal>().is_err(),
        _ => false,
    };
    if risky {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::formula_safe;

    #[test]
    fn formula_starts_are_quoted() {
        for cell in [
            "=1+1",
            "+1",
            "@SUM(A1)",
            "-2+3",
            "\t=1+1",
            "\r=1+1",
            "\n=1",
            "  =HYPERLINK(\"x\")",
        ] {
            assert!(formula_safe(cell).starts_with('\''), "{cell:?}");
        }
    }

    #[test]
    fn plain_text_and_numbers_are_kept() {
        for cell in ["Semey", "-12.5", "108700000", "", "a=b", "2024-05-29"] {
            assert_eq!(formula_safe(cell), cell);
        }
    }
}
