//! Packing lists from CSV or XLSX: one reader for the CLI and the web, so both refuse the same
//! files with the same messages. Each format is turned into a header and rows of cell text, then
//! one parser reads every row and reports every error by line and field, so one pass fixes the
//! file.
//!
//! XLSX is read with `calamine` from the first sheet; its header row names the same columns as
//! the CSV. A spreadsheet's cells are typed, so a cell of the wrong type (a date where the
//! quantity belongs, a number where the expiry belongs, an error such as `#N/A`) is refused with
//! the line and field rather than guessed at.

use std::io::Cursor;

use aidtrace_domain::error::{Problem, ProblemId};
use aidtrace_domain::medicines::{PackingLine, gs1, validate};
use aidtrace_domain::{RecordId, ValidationError};
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

/// Packing lists longer than this are refused whole: a donation of more distinct lots is not a
/// packing list but a mistake (or a file of something else), and previews must stay readable.
/// A 100,000-row file is refused with this limit named, after reading at most this many rows.
pub const MAX_PACKING_LINES: usize = 5_000;

/// The columns a packing list may have. `gs1` fills GTIN, expiry, lot and serial from a scanned
/// element string; typed columns win where both are given.
pub const PACKING_COLUMNS: [&str; 10] = [
    "product",
    "lot",
    "expiry",
    "manufactured",
    "quantity",
    "unit_value",
    "label_languages",
    "inn_on_label",
    "serial",
    "gs1",
];

/// The file formats a packing list arrives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PackingFormat {
    Csv,
    Xlsx,
}

impl PackingFormat {
    /// The format of a file by its name, or by its first bytes when the name says nothing (an
    /// XLSX workbook is a zip archive, which starts `PK\x03\x04`).
    pub fn detect(name: &str, bytes: &[u8]) -> Self {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".xlsx")
            || (!lower.ends_with(".csv") && bytes.starts_with(b"PK\x03\x04"))
        {
            Self::Xlsx
        } else {
            Self::Csv
        }
    }
}

/// One refused cell of a packing list: the line (1 = first data row, 0 = the file or its header)
/// and the field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineError {
    pub line: usize,
    pub field: String,
    pub value: String,
    /// What is wrong, as a stable code (pages say it in the reader's language; see [`CODES`]).
    pub code: &'static str,
    /// What is wrong, in English (the CLI's message).
    pub message: String,
    /// What is wrong as a message id with its figures, where a rule of the line gave one (a
    /// page may word it more precisely than by [`Self::code`]).
    #[serde(skip)]
    pub problem: Option<Box<Problem>>,
}

/// Every [`LineError::code`].
pub const CODES: [&str; 20] = [
    "unknown_column",
    "required_column",
    "too_many_lines",
    "no_lines",
    "empty",
    "not_csv",
    "not_xlsx",
    "too_large",
    "too_wide",
    "cell_type",
    "date",
    "quantity",
    "number",
    "yes_no",
    "lot_missing",
    "expiry_missing",
    "product",
    "gs1",
    "expiry_order",
    "line_rule",
];

/// A refused cell while reading a row: its code and the field, value and English message.
type CellError = (&'static str, ValidationError);

impl LineError {
    fn whole(field: &str, value: &str, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            line: 0,
            field: field.into(),
            value: value.into(),
            code,
            message: message.into(),
            problem: None,
        }
    }

    fn at(line: usize, (code, e): CellError) -> Self {
        Self {
            line,
            field: e.field,
            value: e.value,
            code,
            message: e.message,
            problem: e.problem,
        }
    }
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}, {} = {:?}: {}",
            self.line, self.field, self.value, self.message
        )
    }
}

/// Every error of a refused packing list, one per line of text.
pub fn describe(errors: &[LineError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// A row of cell text, or the first cell of it that cannot be read.
type Row = Result<Vec<String>, CellError>;

/// A file read as its header and its rows.
type Table<'a> = (Vec<String>, Box<dyn Iterator<Item = Row> + 'a>);

/// Reads a packing list (CSV with a header row). `today` resolves the century of scanned GS1
/// dates. Lines are checked on their own (quantity at least 1, expiry after manufacture); the
/// check against the shipment date needs the consignment and is [`read_packing`]'s.
pub fn parse_packing_list(
    text: &str,
    today: NaiveDate,
) -> Result<Vec<PackingLine>, Vec<LineError>> {
    read_packing(text.as_bytes(), PackingFormat::Csv, today, None)
}

/// Reads a packing list in either format; with `shipped`, each line is also checked against the
/// shipment date (a lot already expired when shipped is refused).
pub fn read_packing(
    bytes: &[u8],
    format: PackingFormat,
    today: NaiveDate,
    shipped: Option<NaiveDate>,
) -> Result<Vec<PackingLine>, Vec<LineError>> {
    let (header, rows) = match format {
        PackingFormat::Csv => csv_rows(bytes),
        PackingFormat::Xlsx => xlsx_rows(bytes),
    }
    .map_err(|e| vec![e])?;
    parse_rows(&header, rows, today, shipped)
}

fn csv_rows(bytes: &[u8]) -> Result<Table<'_>, LineError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(bytes);
    let header: Vec<String> = match reader.headers() {
        Ok(h) if h.iter().any(|c| !c.is_empty()) => h.iter().map(str::to_string).collect(),
        Ok(_) => return Err(LineError::whole("header", "", "empty", "the file is empty")),
        Err(e) => {
            return Err(LineError::whole(
                "header",
                "",
                "not_csv",
                format!("not a CSV file: {e}"),
            ));
        }
    };
    let rows = reader.into_records().map(|r| {
        r.map(|row| row.iter().map(str::to_string).collect())
            .map_err(|e| {
                (
                    "not_csv",
                    ValidationError::new("row", "", format!("unreadable row: {e}"))
                        .because(ProblemId::UnreadableCsv),
                )
            })
    });
    Ok((header, Box::new(rows)))
}

/// What a column holds, for refusing XLSX cells of the wrong type.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Expect {
    Date,
    Number,
    Text,
}

fn expect(column: &str) -> Expect {
    match column {
        "expiry" | "manufactured" => Expect::Date,
        "quantity" | "unit_value" => Expect::Number,
        _ => Expect::Text,
    }
}

/// Columns a packing list's sheet may use: its own are ten, and a sheet with a cell far to the
/// right is not a packing list. Cells are read one by one within these bounds, never as the box
/// between the outermost cells: a 1.6 KB sheet holding A1 and XFD1048576 spans 1.7 × 10^10
/// cells, which calamine's whole-sheet range would allocate (a viewer's preview once took the
/// server's memory that way).
const MAX_PACKING_COLUMNS: u32 = 64;

/// The longest text a packing list's cell holds (a product id, a lot, a GS1 string).
const MAX_CELL_BYTES: usize = 4096;

/// The text a packing list's sheet may hold in all, once its shared strings are copied into
/// their cells (5,002 rows of a dozen short cells are well under a megabyte).
const MAX_SHEET_TEXT_BYTES: usize = 16 * 1024 * 1024;

/// How much a packing list's workbook may hold once unpacked. A real packing list of the
/// largest size is a few MB; a zip bomb would inflate to gigabytes inside the XLSX reader.
const MAX_XLSX_UNPACKED: u64 = 64 * 1024 * 1024;

/// Refuses a workbook whose members unpack to more than [`MAX_XLSX_UNPACKED`], counting the
/// bytes actually inflated (a member's declared size can lie).
fn xlsx_within_bounds(bytes: &[u8]) -> Result<(), LineError> {
    let not_xlsx = |e: &dyn std::fmt::Display| {
        LineError::whole("file", "", "not_xlsx", format!("not an XLSX workbook: {e}"))
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| not_xlsx(&e))?;
    let mut left = MAX_XLSX_UNPACKED;
    for i in 0..archive.len() {
        let member = archive.by_index(i).map_err(|e| not_xlsx(&e))?;
        let mut limited = std::io::Read::take(member, left + 1);
        let read = std::io::copy(&mut limited, &mut std::io::sink()).map_err(|e| not_xlsx(&e))?;
        if read > left {
            return Err(LineError::whole(
                "file",
                "",
                "too_large",
                format!(
                    "the workbook unpacks to more than {} MB; a packing list is far smaller",
                    MAX_XLSX_UNPACKED / 1024 / 1024
                ),
            ));
        }
        left -= read;
    }
    Ok(())
}

/// The first sheet's non-empty cells by row, then column (the first [`MAX_PACKING_LINES`] + 2
/// rows with content: the header, the limit and one more for the parser to refuse on).
fn first_sheet_cells(
    bytes: &[u8],
) -> Result<std::collections::BTreeMap<u32, std::collections::BTreeMap<u32, Data>>, LineError> {
    xlsx_within_bounds(bytes)?;
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| {
        LineError::whole("file", "", "not_xlsx", format!("not an XLSX workbook: {e}"))
    })?;
    let unreadable = |e: &dyn std::fmt::Display| {
        LineError::whole(
            "sheet",
            "",
            "not_xlsx",
            format!("the first sheet cannot be read: {e}"),
        )
    };
    let Some(name) = book.sheet_names().first().cloned() else {
        return Err(LineError::whole(
            "sheet",
            "",
            "empty",
            "the workbook has no sheet",
        ));
    };
    let mut reader = book
        .worksheet_cells_reader(&name)
        .map_err(|e| unreadable(&e))?;
    let mut rows: std::collections::BTreeMap<u32, std::collections::BTreeMap<u32, Data>> =
        std::collections::BTreeMap::new();
    let keep = MAX_PACKING_LINES + 2;
    // Text kept so far: a shared string is copied into every cell that names it, so one 1 MB
    // string named by every cell of the window would grow far past what the file unpacks to.
    let mut text_bytes = 0usize;
    while let Some(cell) = reader.next_cell().map_err(|e| unreadable(&e))? {
        let (row, column) = cell.get_position();
        let text_len = match cell.get_value() {
            calamine::DataRef::String(s) => Some(s.len()),
            calamine::DataRef::SharedString(s) => Some(s.len()),
            _ => None,
        };
        if let Some(len) = text_len {
            text_bytes = text_bytes.saturating_add(len);
            if len > MAX_CELL_BYTES || text_bytes > MAX_SHEET_TEXT_BYTES {
                return Err(LineError::whole(
                    "sheet",
                    "",
                    "too_large",
                    format!(
                        "the sheet's text (a cell of {len} bytes in row {}) is more than a packing list holds: at most {MAX_CELL_BYTES} bytes a cell and {} MB in all",
                        row + 1,
                        MAX_SHEET_TEXT_BYTES / 1024 / 1024
                    ),
                ));
            }
        }
        let value = Data::from(cell.get_value().clone());
        // A formula giving "" is no content: it neither starts a line nor takes a line's place.
        if value == Data::Empty || matches!(&value, Data::String(s) if s.trim().is_empty()) {
            continue;
        }
        if column >= MAX_PACKING_COLUMNS {
            return Err(LineError::whole(
                "sheet",
                "",
                "too_wide",
                format!(
                    "a cell in column {} of row {} lies beyond the {MAX_PACKING_COLUMNS} columns a packing list may use",
                    column + 1,
                    row + 1
                ),
            ));
        }
        if rows.len() >= keep && !rows.contains_key(&row) {
            // Past the limit: one row more than allowed is kept, which the parser refuses.
            if rows.last_key_value().is_some_and(|(last, _)| row > *last) {
                continue;
            }
            rows.pop_last();
        }
        rows.entry(row).or_default().insert(column, value);
    }
    Ok(rows)
}

fn xlsx_rows(bytes: &[u8]) -> Result<Table<'static>, LineError> {
    let sheet = first_sheet_cells(bytes)?;
    let empty_sheet = || {
        LineError::whole(
            "sheet",
            "",
            "empty",
            "the first sheet is empty; its first row names the columns",
        )
    };
    // The table spans the columns used, from the leftmost, as the sheet shows them.
    let first_column = sheet
        .values()
        .filter_map(|cells| cells.keys().next().copied())
        .min()
        .unwrap_or(0);
    let width = sheet
        .values()
        .filter_map(|cells| cells.keys().next_back().copied())
        .max()
        .map_or(0, |last| (last - first_column + 1) as usize);
    let dense = |cells: &std::collections::BTreeMap<u32, Data>| -> Vec<Data> {
        let mut row = vec![Data::Empty; width];
        for (column, value) in cells {
            if let Some(slot) = row.get_mut((column - first_column) as usize) {
                *slot = value.clone();
            }
        }
        row
    };
    let mut rows = sheet.values();
    let Some(first) = rows.next() else {
        return Err(empty_sheet());
    };
    let header: Vec<String> = dense(first).iter().map(header_text).collect();
    if header.iter().all(String::is_empty) {
        return Err(empty_sheet());
    }
    let columns: Vec<String> = header.iter().map(|h| h.to_ascii_lowercase()).collect();
    let mut out: Vec<Row> = Vec::new();
    // Rows past the limit are not converted: the parser refuses the file on the first one.
    for cells in rows.take(MAX_PACKING_LINES + 1) {
        let row: Row = dense(cells)
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                let column = columns.get(i).map_or("", String::as_str);
                cell_text(column, cell)
            })
            .collect();
        // Spreadsheets often end in formatted but blank rows; they are not lines.
        if matches!(&row, Ok(c) if c.iter().all(String::is_empty)) {
            continue;
        }
        out.push(row);
    }
    Ok((header, Box::new(out.into_iter())))
}

fn header_text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.trim().to_string(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

/// The text of one XLSX cell for `column`, or why its type does not belong there.
fn cell_text(column: &str, cell: &Data) -> Result<String, CellError> {
    let want = expect(column);
    let wrong = |found: &str, value: String| {
        let needs = match want {
            Expect::Date => "a date (a date cell or text YYYY-MM-DD)",
            Expect::Number => "a number",
            Expect::Text => "text",
        };
        (
            "cell_type",
            ValidationError::new(
                column,
                value,
                format!("the cell holds {found}; this column holds {needs}"),
            )
            .because(ProblemId::CellTypeMismatch),
        )
    };
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Bool(b) => match column {
            "inn_on_label" => if *b { "yes" } else { "no" }.to_string(),
            _ => return Err(wrong("true/false", b.to_string())),
        },
        Data::Int(i) => match want {
            Expect::Date => return Err(wrong("a number", i.to_string())),
            _ => i.to_string(),
        },
        Data::Float(f) => match want {
            Expect::Date => return Err(wrong("a number", f.to_string())),
            // A whole number prints without a fraction; any other keeps the shortest text that
            // reads back as the same float (0.04 stays "0.04"), which becomes a Decimal.
            _ if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
            _ => f.to_string(),
        },
        Data::DateTime(dt) => {
            if want != Expect::Date || !dt.is_datetime() {
                return Err(wrong("a date", dt.as_f64().to_string()));
            }
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{d:02}")
        }
        Data::DateTimeIso(s) => {
            if want != Expect::Date {
                return Err(wrong("a date", s.clone()));
            }
            s.chars().take(10).collect()
        }
        Data::DurationIso(s) => return Err(wrong("a duration", s.clone())),
        Data::Error(e) => return Err(wrong("a spreadsheet error", e.to_string())),
    })
}

fn parse_rows(
    header: &[String],
    rows: impl Iterator<Item = Row>,
    today: NaiveDate,
    shipped: Option<NaiveDate>,
) -> Result<Vec<PackingLine>, Vec<LineError>> {
    let header: Vec<String> = header.iter().map(|h| h.to_ascii_lowercase()).collect();
    let mut errors = Vec::new();
    for h in &header {
        if !PACKING_COLUMNS.contains(&h.as_str()) {
            errors.push(LineError::whole(
                "header",
                h,
                "unknown_column",
                format!(
                    "unknown column; the columns are {}",
                    PACKING_COLUMNS.join(", ")
                ),
            ));
        }
    }
    for needed in ["product", "quantity"] {
        if !header.iter().any(|h| h == needed) {
            errors.push(LineError::whole(
                "header",
                needed,
                "required_column",
                "this column is required",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let col = |name: &str| header.iter().position(|h| h == name);
    let mut lines = Vec::new();
    for (n, row) in rows.enumerate() {
        let line_no = n + 1;
        if line_no > MAX_PACKING_LINES {
            return Err(vec![LineError::whole(
                "lines",
                &line_no.to_string(),
                "too_many_lines",
                format!("a packing list has at most {MAX_PACKING_LINES} lines; split the file"),
            )]);
        }
        let parsed = row.and_then(|row| {
            let line = packing_row(&row, &col, today)?;
            // The line's own rules, so the preview names them by line as it names parse errors.
            validate::packing_line(&line, shipped.unwrap_or(NaiveDate::MIN)).map_err(|e| {
                let code = match e.field.as_str() {
                    "quantity" => "quantity",
                    "expiry" | "manufactured" => "expiry_order",
                    _ => "line_rule",
                };
                (code, e)
            })?;
            Ok(line)
        });
        match parsed {
            Ok(l) => lines.push(l),
            Err(e) => errors.push(LineError::at(line_no, e)),
        }
    }
    if lines.is_empty() && errors.is_empty() {
        return Err(vec![LineError::whole(
            "lines",
            "0",
            "no_lines",
            "the packing list has no lines",
        )]);
    }
    if errors.is_empty() {
        Ok(lines)
    } else {
        Err(errors)
    }
}

fn packing_row(
    row: &[String],
    col: &dyn Fn(&str) -> Option<usize>,
    today: NaiveDate,
) -> Result<PackingLine, CellError> {
    let cell = |name: &str| {
        col(name)
            .and_then(|i| row.get(i))
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    };
    let scanned = match cell("gs1") {
        Some(s) => {
            gs1::parse(s, today).map_err(|e| ("gs1", validate::gs1_refusal(e.field(), s, &e)))?
        }
        None => gs1::Gs1Fields::default(),
    };
    let date = |name: &str| -> Result<Option<NaiveDate>, CellError> {
        cell(name)
            .map(|v| {
                NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| {
                    (
                        "date",
                        ValidationError::new(name, v, "a date is YYYY-MM-DD")
                            .because(ProblemId::DateNotIso),
                    )
                })
            })
            .transpose()
    };
    let product_raw = cell("product").unwrap_or("");
    let product = RecordId::parse(product_raw).map_err(|e| {
        (
            "product",
            ValidationError {
                field: "product".into(),
                ..e
            },
        )
    })?;
    let lot = cell("lot")
        .map(str::to_string)
        .or(scanned.lot)
        .ok_or_else(|| {
            (
                "lot_missing",
                ValidationError::new("lot", "", "type the lot or scan a GS1 string with (10)")
                    .because(ProblemId::LotNeeded),
            )
        })?;
    let expiry = date("expiry")?.or(scanned.expiry).ok_or_else(|| {
        (
            "expiry_missing",
            ValidationError::new(
                "expiry",
                "",
                "type the expiry or scan a GS1 string with (17)",
            )
            .because(ProblemId::ExpiryNeeded),
        )
    })?;
    let quantity_raw = cell("quantity").unwrap_or("");
    let quantity = quantity_raw.parse::<u64>().map_err(|_| {
        (
            "quantity",
            ValidationError::new(
                "quantity",
                quantity_raw,
                "a quantity is a whole number of base units, at least 1",
            )
            .because(ProblemId::QuantityWholeBaseUnits),
        )
    })?;
    let unit_value = cell("unit_value")
        .map(|v| {
            v.parse::<Decimal>().map_err(|_| {
                (
                    "number",
                    ValidationError::new("unit_value", v, "not a number")
                        .because(ProblemId::NotADecimal),
                )
            })
        })
        .transpose()?;
    let inn_on_label = match cell("inn_on_label").map(str::to_ascii_lowercase).as_deref() {
        None | Some("yes" | "true" | "1") => true,
        Some("no" | "false" | "0") => false,
        Some(other) => {
            return Err((
                "yes_no",
                ValidationError::new("inn_on_label", other, "write yes or no")
                    .because(ProblemId::YesOrNo),
            ));
        }
    };
    Ok(PackingLine {
        product,
        lot,
        expiry,
        manufactured: date("manufactured")?,
        quantity,
        unit_value,
        label_languages: cell("label_languages")
            .map(|v| {
                v.split([';', ' ', '|'])
                    .filter(|s| !s.is_empty())
                    .map(str::to_ascii_lowercase)
                    .collect()
            })
            .unwrap_or_default(),
        inn_on_label,
        serial: cell("serial").map(str::to_string).or(scanned.serial),
    })
}
