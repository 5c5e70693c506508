//! The real 98-file IATI set zipped at run time, for the upload tests (HTTP and browser).

#![allow(dead_code, clippy::unwrap_used)]

use std::path::PathBuf;

use zip::write::SimpleFileOptions;

/// Deflate at the fastest level: the test is about the upload, not the compression.
pub fn fast() -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1))
}

/// The real file of 1.78 MB, `dportal_0.xml`.
pub fn real_file() -> Option<PathBuf> {
    let path = super::common::shared()?.join("iati/real-data/dportal-covid-2021/dportal_0.xml");
    assert!(std::fs::metadata(&path).unwrap().len() > 1_700_000);
    Some(path)
}

/// The 98 files of `dportal-covid-2021` zipped (under a folder of that name) into a temporary
/// directory; `None` outside CI when `../shared` is missing (under `CI=true` that fails).
pub fn real_set_zip() -> Option<(tempfile::TempDir, PathBuf, usize)> {
    let dir = super::common::shared()?.join("iati/real-data/dportal-covid-2021");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 98, "the real set has 98 files");
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("dportal-covid-2021.zip");
    let mut w = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    for p in &names {
        let name = format!(
            "dportal-covid-2021/{}",
            p.file_name().unwrap().to_string_lossy()
        );
        w.start_file(name, fast()).unwrap();
        std::io::copy(&mut std::fs::File::open(p).unwrap(), &mut w).unwrap();
    }
    w.finish().unwrap();
    Some((tmp, path, names.len()))
}

/// The boundary of the `/import` form bodies [`import_form`] builds.
pub const BOUNDARY: &str = "aidtrace-upload-boundary";

/// An `/import` form body: the CSRF token, the action (validate or import) and one `file` part
/// per (name, bytes).
pub fn import_form(csrf: &str, action: &str, files: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut body = Vec::new();
    for (field, value) in [("csrf", csrf), ("action", action)] {
        write!(
            body,
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n"
        )
        .unwrap();
    }
    for (name, bytes) in files {
        write!(
            body,
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .unwrap();
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    write!(body, "--{BOUNDARY}--\r\n").unwrap();
    body
}

/// The content type of an [`import_form`] body.
pub fn import_form_type() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

/// A zip of `members` (name, bytes), deflated at the fastest level.
pub fn zip_of(members: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in members {
        w.start_file(*name, fast()).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}
