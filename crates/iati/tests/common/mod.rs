//! Shared helpers for integration tests: locating ../shared.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The shared reference folder, or `None` (with a note) when it is absent outside CI.
/// In CI (`CI=true`) a missing folder is a test failure, never a silent skip.
pub fn shared() -> Option<PathBuf> {
    let dir = std::env::var("AIDTRACE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared")));
    if dir.join("iati").is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "shared reference data not found at {} (CI=true)",
            dir.display()
        );
    }
    eprintln!(
        "note: skipping, shared reference data not found at {}",
        dir.display()
    );
    None
}

fn xml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("readable dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            xml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "xml") {
            out.push(p);
        }
    }
}

/// The XML files under `../shared/iati/<dir>` (at least `min` of them), or `None` when the
/// shared data is absent outside CI.
pub fn shared_files(dirs: &[&str], min: usize) -> Option<Vec<PathBuf>> {
    let shared = shared()?;
    let mut files = Vec::new();
    for dir in dirs {
        xml_files(&shared.join("iati").join(dir), &mut files);
    }
    assert!(files.len() >= min, "{dirs:?}: only {} files", files.len());
    Some(files)
}
