//! Shared helpers for integration tests: locating ../shared.
#![allow(dead_code)]

use std::path::PathBuf;

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
