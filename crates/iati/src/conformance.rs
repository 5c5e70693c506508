//! Runs the IATI-Schemas test suite (`schema-tests/`) against the native schema layer.
//!
//! Folder semantics: files under a `should-pass` folder must be schema-valid; files under
//! `should-fail` must be invalid, and when the file name starts with an
//! `err-not-iati-xml-<kind>` prefix, one of the errors must be of that kind. The schema is
//! chosen from the path as upstream does: `activity-tests`/`iati-activities` → activities,
//! `organisation-tests`/`iati-organisations` → organisations. `registry-tests` are skipped
//! (they test the optional registry-record schema).

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::schema::{self, SchemaError, SchemaErrorKind};
use crate::xml::{Limits, parse_document};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Expectation {
    Pass,
    Fail,
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    pub path: String,
    pub schema: &'static str,
    pub expected: Expectation,
    /// Error kind the file name announces, if any.
    pub expected_kind: Option<SchemaErrorKind>,
    pub ok: bool,
    pub errors: Vec<SchemaError>,
    /// Set when the file is not well-formed XML.
    pub xml_error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConformanceReport {
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    pub cases: Vec<CaseResult>,
}

fn kind_from_name(file_name: &str) -> Option<SchemaErrorKind> {
    let prefix = file_name.split(['_', '.']).next()?;
    match prefix.strip_prefix("err-not-iati-xml-")? {
        "missing-required-element" => Some(SchemaErrorKind::MissingRequiredElement),
        "missing-attribute" => Some(SchemaErrorKind::MissingAttribute),
        "forbidden-attribute" => Some(SchemaErrorKind::ForbiddenAttribute),
        "incorrect-datatype" => Some(SchemaErrorKind::IncorrectDatatype),
        _ => None,
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let p = entry?.path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n == "registry-tests") {
                continue;
            }
            collect(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "xml") {
            out.push(p);
        }
    }
    Ok(())
}

/// Checks one test file; `None` when its path says neither pass nor fail or names no schema.
pub fn check_case(root: &Path, path: &Path) -> std::io::Result<Option<CaseResult>> {
    let rel = path
        .strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/");
    let expected = if rel.split('/').any(|c| c == "should-pass") {
        Expectation::Pass
    } else if rel.split('/').any(|c| c == "should-fail") {
        Expectation::Fail
    } else {
        return Ok(None);
    };
    let schema = if rel.contains("activity-tests") || rel.contains("iati-activities") {
        schema::activities()
    } else if rel.contains("organisation-tests") || rel.contains("iati-organisations") {
        schema::organisations()
    } else {
        return Ok(None);
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let expected_kind = kind_from_name(&file_name);
    let bytes = std::fs::read(path)?;
    let (errors, xml_error) = match parse_document(bytes.as_slice(), Limits::default()) {
        Ok(doc) => (schema::validate_document(schema, &doc), None),
        Err(e) => (Vec::new(), Some(e.to_string())),
    };
    let ok = match expected {
        Expectation::Pass => xml_error.is_none() && errors.is_empty(),
        Expectation::Fail => {
            xml_error.is_none()
                && !errors.is_empty()
                && expected_kind.is_none_or(|k| errors.iter().any(|e| e.kind == k))
        }
    };
    Ok(Some(CaseResult {
        path: rel,
        schema: schema.name,
        expected,
        expected_kind,
        ok,
        errors,
        xml_error,
    }))
}

/// Runs every `.xml` case under `dir` (the `schema-tests` folder).
pub fn run(dir: &Path) -> std::io::Result<ConformanceReport> {
    let mut files = Vec::new();
    collect(dir, &mut files)?;
    files.sort();
    let mut cases = Vec::new();
    for f in &files {
        if let Some(c) = check_case(dir, f)? {
            cases.push(c);
        }
    }
    let passed = cases.iter().filter(|c| c.ok).count();
    Ok(ConformanceReport {
        total: cases.len(),
        passed,
        failed: cases.len() - passed,
        cases,
    })
}
