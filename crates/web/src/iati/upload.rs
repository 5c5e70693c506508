//! What `/import` receives, made safe before anything reads it as IATI: the multipart body
//! streamed to temporary files (one or several files, each an XML file or a zip archive), and
//! zip archives unpacked into a temporary directory under limits. A refusal here happens before
//! the validator or the importer sees a byte, so nothing is written.
//!
//! Zip safety: a member whose path leaves the archive's root (`../`, an absolute path) refuses
//! the whole upload (a crafted archive is not half-trusted); a member that inflates more than
//! [`MAX_RATIO`] times its compressed size (past [`RATIO_GRACE`]), or members adding up to more
//! than the upload limit once unpacked, refuse it too (a zip bomb). The sizes an archive
//! declares are checked first and the bytes actually inflated are counted as they come, since a
//! declared size can lie. Members that are not XML are skipped and listed.
//!
//! Each refusal and each skip is a typed reason ([`crate::iati::refusals`]): the page words it in
//! its reader's language, the API keeps the English message.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use axum::extract::Multipart;
use axum::http::StatusCode;

use crate::error::ApiError;
use crate::i18n;
use crate::iati::refusals::{Refusal, Skip, ZipFault};
use crate::multipart::small_text;

/// A member may inflate at most this many times its compressed size. Real IATI XML compresses
/// 5 to 30 times; a run of zeros, the usual bomb, over 1,000 times.
pub const MAX_RATIO: u64 = 100;

/// The ratio applies once a member has inflated past this: a small, very repetitive member
/// (a few kilobytes of spaces) is harmless whatever its ratio.
pub const RATIO_GRACE: u64 = 1024 * 1024;

/// Members read from one archive, counting directories and skipped ones.
pub const MAX_MEMBERS: usize = 10_000;

/// The form as received: its plain fields and the uploaded files on disk (a 200 MB upload never
/// sits in memory).
pub struct Received {
    pub csrf: String,
    pub action: String,
    pub strict: bool,
    pub files: Vec<(String, tempfile::TempPath)>,
}

/// Files one upload may hold (the 98 pages of the real set fit many times over); more belong
/// in a zip archive.
pub const MAX_FILES: usize = 1_000;

/// One XML file to validate or import: the name shown (`set.zip/dportal_0.xml` for a member),
/// and where its bytes are.
pub struct XmlFile {
    pub name: String,
    pub path: PathBuf,
}

/// The XML files of an upload, with what was skipped and why; a temporary directory holds them
/// all and is removed when this is dropped.
pub struct Unpacked {
    pub files: Vec<XmlFile>,
    pub skipped: Vec<(String, Skip)>,
    _dir: tempfile::TempDir,
}

/// Where the `index`th file or member of an upload goes: `dir/index/` and the base name it
/// was sent or packed under. The importer names the file's source record after that base name, so uploading
/// `dportal_0.xml` (alone or in any archive) twice, or through the CLI, gives the same source
/// and writes nothing new; the folder keeps two `x.xml` of one upload apart.
fn place(dir: &std::path::Path, index: usize, name: &str) -> Result<PathBuf, ApiError> {
    let base = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>();
    let base = match base.trim() {
        "" | "." | ".." => "upload.xml".to_string(),
        b => b.to_string(),
    };
    let folder = dir.join(index.to_string());
    // A skipped member leaves its folder empty for the next one.
    std::fs::create_dir_all(&folder).map_err(ApiError::internal)?;
    Ok(folder.join(base))
}

/// Streams the form to disk. `limit` bounds the files together (what the page promises as the
/// upload limit); the body limit of the route ends a longer stream with 413 as well.
pub async fn receive(mut multipart: Multipart, limit: u64) -> Result<Received, ApiError> {
    let bad = |m: String| ApiError::bad_request("invalid_upload", m);
    let unreadable = |what: &str, e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Refusal::TooLarge { limit }.into()
        } else {
            crate::multipart::unreadable(what, &e)
        }
    };
    let mut r = Received {
        csrf: String::new(),
        action: "validate".into(),
        strict: false,
        files: Vec::new(),
    };
    let mut total: u64 = 0;
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| unreadable("upload", e))?
    {
        match field.name().unwrap_or_default() {
            "csrf" => r.csrf = small_text(field, "csrf").await?,
            "action" => r.action = small_text(field, "action").await?,
            "strict" => r.strict = !small_text(field, "strict").await?.is_empty(),
            "file" => {
                if r.files.len() >= MAX_FILES {
                    return Err(Refusal::TooManyFiles { max: MAX_FILES }.into());
                }
                let name = field.file_name().unwrap_or("upload.xml").to_string();
                let mut file = tempfile::NamedTempFile::new().map_err(ApiError::internal)?;
                let mut size: u64 = 0;
                while let Some(chunk) = field.chunk().await.map_err(|e| unreadable("file", e))? {
                    size = size.saturating_add(chunk.len() as u64);
                    total = total.saturating_add(chunk.len() as u64);
                    if total > limit {
                        return Err(Refusal::TooLarge { limit }.into());
                    }
                    // Chunks are small and land in the page cache; a blocking write here costs
                    // less than a hop to the blocking pool per chunk.
                    file.write_all(&chunk).map_err(ApiError::internal)?;
                }
                file.flush().map_err(ApiError::internal)?;
                // A browser sends an empty part for a file input left empty. The file is
                // closed once written (its path stays until the upload is done): an upload of
                // many parts must not hold a descriptor for each.
                if size > 0 {
                    r.files.push((name, file.into_temp_path()));
                }
            }
            other => return Err(bad(format!("unknown form field {other:?}"))),
        }
    }
    if r.files.is_empty() {
        return Err(Refusal::NoFile.into());
    }
    Ok(r)
}

#[derive(Debug, PartialEq, Eq)]
enum Kind {
    Xml,
    Zip,
    Other,
}

/// What the first bytes say: a zip's local header (or the end record of an empty one), or
/// markup after an optional byte-order mark and white space. The extension is not trusted.
fn sniff(head: &[u8]) -> Kind {
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Kind::Zip;
    }
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        // UTF-16: the reader says what it makes of it.
        return Kind::Xml;
    }
    let body = head.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(head);
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'<') => Kind::Xml,
        _ => Kind::Other,
    }
}

fn head_of(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(512);
    std::fs::File::open(path)?
        .take(512)
        .read_to_end(&mut head)?;
    Ok(head)
}

/// Sorts the received files into XML files and archives and unpacks the archives, within
/// `limit` bytes unpacked in all. Blocking: call it off the async workers.
pub fn unpack(
    received: Vec<(String, tempfile::TempPath)>,
    limit: u64,
) -> Result<Unpacked, ApiError> {
    let dir = tempfile::tempdir().map_err(ApiError::internal)?;
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let budget = Budget {
        left: AtomicU64::new(limit),
        limit,
    };
    // Each file and member gets a folder of its own (see [`place`]).
    let mut folders = 0;
    for (name, file) in received {
        let head = head_of(&file).map_err(ApiError::internal)?;
        match sniff(&head) {
            Kind::Xml => {
                budget.take(std::fs::metadata(&file).map_err(ApiError::internal)?.len())?;
                let path = place(dir.path(), folders, &name)?;
                folders += 1;
                file.persist(&path)
                    .map_err(|e| ApiError::internal(e.error))?;
                files.push(XmlFile { name, path });
            }
            Kind::Zip => {
                let mut into = Members {
                    files: &mut files,
                    skipped: &mut skipped,
                };
                let archive = Archive {
                    name: &name,
                    path: &file,
                    first_folder: folders,
                };
                folders += unzip(&archive, dir.path(), &budget, &mut into)?;
            }
            Kind::Other => {
                return Err(Refusal::NotXmlOrZip { file: name }.into());
            }
        }
    }
    if files.is_empty() {
        return Err(Refusal::NoXml { skipped }.into());
    }
    Ok(Unpacked {
        files,
        skipped,
        _dir: dir,
    })
}

/// Where [`unzip`] puts what it finds.
struct Members<'a> {
    files: &'a mut Vec<XmlFile>,
    skipped: &'a mut Vec<(String, Skip)>,
}

/// Bytes still allowed for the upload unpacked, shared by the threads that inflate.
struct Budget {
    left: AtomicU64,
    limit: u64,
}

impl Budget {
    fn take(&self, n: u64) -> Result<(), ApiError> {
        self.left
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                left.checked_sub(n)
            })
            .map(|_| ())
            .map_err(|_| Refusal::UnpackedTooLarge { limit: self.limit }.into())
    }
}

fn bomb(archive: &str, member: &str) -> ApiError {
    Refusal::ZipBomb {
        file: format!("{archive}/{member}"),
        ratio: MAX_RATIO,
    }
    .into()
}

/// A member whose bytes could not be inflated: the zip reader says why in an `io::Error`
/// (a wrong checksum, a broken deflate stream), so the member is damaged.
fn member_unreadable(shown: &str, e: &std::io::Error) -> ApiError {
    Refusal::ZipUnreadable {
        file: shown.to_string(),
        fault: ZipFault::Damaged,
        detail: e.to_string(),
    }
    .into()
}

/// A received zip archive: the name it was sent under, where it is, and the first of the
/// folders its members go to (one per member, numbered from there).
struct Archive<'a> {
    name: &'a str,
    path: &'a std::path::Path,
    first_folder: usize,
}

impl Archive<'_> {
    fn unreadable(&self, e: &zip::result::ZipError) -> ApiError {
        Refusal::ZipUnreadable {
            file: self.name.to_string(),
            fault: ZipFault::of(e),
            detail: e.to_string(),
        }
        .into()
    }

    fn open(&self) -> Result<zip::ZipArchive<std::fs::File>, ApiError> {
        let file = std::fs::File::open(self.path).map_err(ApiError::internal)?;
        zip::ZipArchive::new(file).map_err(|e| self.unreadable(&e))
    }
}

/// What one member of an archive turned out to be.
enum Member {
    Dir,
    Link(String),
    NotXml(String),
    Xml(XmlFile),
}

/// Checks an archive's paths and declared sizes, then inflates its members on every core (each
/// thread with its own handle on the archive; inflating was the upload's one single-threaded
/// step, ≈ 0.5 s for the 98 real pages), and lists them in the archive's order. Returns the
/// number of folders used.
fn unzip(
    archive: &Archive<'_>,
    dir: &std::path::Path,
    budget: &Budget,
    out: &mut Members<'_>,
) -> Result<usize, ApiError> {
    let mut zip = archive.open()?;
    let count = zip.len();
    if count > MAX_MEMBERS {
        return Err(Refusal::ZipMembers {
            file: archive.name.to_string(),
            max: MAX_MEMBERS,
        }
        .into());
    }
    // Every path and declared size is checked before anything is inflated: a refused archive
    // costs no unpacking.
    let mut declared: u64 = 0;
    for i in 0..count {
        let m = zip.by_index_raw(i).map_err(|e| archive.unreadable(&e))?;
        let name = m.name().map_err(|e| archive.unreadable(&e))?.into_owned();
        if m.enclosed_name().is_none() || is_absolute_member(&name) {
            return Err(Refusal::ZipPath {
                file: archive.name.to_string(),
                member: name,
            }
            .into());
        }
        if m.size() > RATIO_GRACE && m.size() / m.compressed_size().max(1) > MAX_RATIO {
            return Err(bomb(archive.name, &name));
        }
        declared = declared.saturating_add(m.size());
    }
    if declared > budget.left.load(Ordering::Relaxed) {
        return Err(Refusal::UnpackedTooLarge {
            limit: budget.limit,
        }
        .into());
    }
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .clamp(1, count.max(1));
    let next = AtomicUsize::new(0);
    // Set at the first refusal: the other threads stop (the upload is refused whatever else
    // they find).
    let stop = AtomicBool::new(false);
    let lang = i18n::current();
    let work = |zip: Option<zip::ZipArchive<std::fs::File>>| {
        i18n::scope(lang, || {
            let mut found = Vec::new();
            let mut zip = match zip.map_or_else(|| archive.open(), Ok) {
                Ok(zip) => zip,
                Err(e) => {
                    stop.store(true, Ordering::Relaxed);
                    found.push((0, Err(e)));
                    return found;
                }
            };
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count || stop.load(Ordering::Relaxed) {
                    return found;
                }
                let member = inflate(&mut zip, i, archive, dir, budget, &stop, &mut buf);
                if member.is_err() {
                    stop.store(true, Ordering::Relaxed);
                }
                if let Ok(None) = member {
                    return found;
                }
                found.push((i, member));
            }
        })
    };
    let mut found = std::thread::scope(|scope| {
        let others: Vec<_> = (1..threads).map(|_| scope.spawn(|| work(None))).collect();
        let mut found = work(Some(zip));
        for t in others {
            match t.join() {
                Ok(f) => found.extend(f),
                Err(_) => found.push((0, Err(ApiError::internal("unpacking failed")))),
            }
        }
        found
    });
    found.sort_by_key(|(i, _)| *i);
    for (_, member) in found {
        match member? {
            Some(Member::Dir) | None => {}
            Some(Member::Link(shown)) => out.skipped.push((shown, Skip::Link)),
            Some(Member::NotXml(shown)) => out.skipped.push((shown, Skip::NotXml)),
            Some(Member::Xml(file)) => out.files.push(file),
        }
    }
    Ok(count)
}

/// Inflates member `i` into its folder, counting the bytes actually inflated against the
/// budget and the member's compressed size (a declared size can lie). `None` when another
/// thread has refused the upload meanwhile.
fn inflate(
    zip: &mut zip::ZipArchive<std::fs::File>,
    i: usize,
    archive: &Archive<'_>,
    dir: &std::path::Path,
    budget: &Budget,
    stop: &AtomicBool,
    buf: &mut [u8],
) -> Result<Option<Member>, ApiError> {
    let mut m = zip.by_index(i).map_err(|e| archive.unreadable(&e))?;
    let name = m.name().map_err(|e| archive.unreadable(&e))?.into_owned();
    if m.is_dir() {
        return Ok(Some(Member::Dir));
    }
    let shown = format!("{}/{name}", archive.name);
    if m.is_symlink() {
        return Ok(Some(Member::Link(shown)));
    }
    let compressed = m.compressed_size().max(1);
    let path = place(dir, archive.first_folder + i, &name)?;
    let mut target = std::fs::File::create(&path).map_err(ApiError::internal)?;
    let mut head = Vec::new();
    let mut written: u64 = 0;
    loop {
        if stop.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let n = m.read(buf).map_err(|e| member_unreadable(&shown, &e))?;
        if n == 0 {
            break;
        }
        let chunk = &buf[..n];
        if head.len() < 512 {
            head.extend_from_slice(&chunk[..chunk.len().min(512 - head.len())]);
            if head.len() >= 64 && sniff(&head) != Kind::Xml {
                break;
            }
        }
        written = written.saturating_add(n as u64);
        budget.take(n as u64)?;
        if written > RATIO_GRACE && written / compressed > MAX_RATIO {
            return Err(bomb(archive.name, &name));
        }
        target.write_all(chunk).map_err(ApiError::internal)?;
    }
    if sniff(&head) != Kind::Xml {
        drop(target);
        // Its folder stays until the upload's directory goes.
        let _ = std::fs::remove_file(&path);
        return Ok(Some(Member::NotXml(shown)));
    }
    target.flush().map_err(ApiError::internal)?;
    Ok(Some(Member::Xml(XmlFile { name: shown, path })))
}

/// A member named from the root (`/etc/x.xml`, `\\share\\x.xml`, `C:/x.xml`): the zip crate's
/// `enclosed_name` takes such a name as relative to the archive, but an archive that says it
/// is not is a crafted one, refused like a `../` member.
fn is_absolute_member(name: &str) -> bool {
    let bytes = name.as_bytes();
    matches!(bytes.first(), Some(b'/' | b'\\'))
        || (bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':')
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn members_named_from_a_root_are_absolute() {
        for name in [
            "/etc/x.xml",
            "\\\\share\\x.xml",
            "\\x.xml",
            "C:/x.xml",
            "c:x.xml",
        ] {
            assert!(is_absolute_member(name), "{name}");
        }
        for name in ["x.xml", "set/x.xml", "2024:x.xml", "", "..x.xml"] {
            assert!(!is_absolute_member(name), "{name}");
        }
    }

    #[test]
    fn sniffing_goes_by_content() {
        assert_eq!(sniff(b"PK\x03\x04rest"), Kind::Zip);
        assert_eq!(sniff(b"\xEF\xBB\xBF  \n<?xml"), Kind::Xml);
        assert_eq!(sniff(b"<iati-activities/>"), Kind::Xml);
        assert_eq!(sniff(b"%PDF-1.7"), Kind::Other);
        assert_eq!(sniff(b""), Kind::Other);
    }

    #[test]
    fn files_keep_their_base_name_only() {
        let dir = tempfile::tempdir().unwrap();
        let at = |i, n| place(dir.path(), i, n).unwrap();
        assert_eq!(
            at(0, "set.zip/a/dportal_0.xml"),
            dir.path().join("0/dportal_0.xml")
        );
        assert_eq!(at(1, "../../etc/x.xml"), dir.path().join("1/x.xml"));
        assert_eq!(at(2, "C:\\data\\y.xml"), dir.path().join("2/y.xml"));
        assert_eq!(at(3, "a/.."), dir.path().join("3/upload.xml"));
        assert_eq!(at(4, "bell\u{7}.xml"), dir.path().join("4/bell.xml"));
    }

    /// A received zip of `members`, as `receive` leaves it on disk.
    fn received_zip(members: &[(String, Vec<u8>)]) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in members {
            if name.ends_with('/') {
                w.add_directory(name.as_str(), options).unwrap();
            } else {
                w.start_file(name.as_str(), options).unwrap();
                w.write_all(bytes).unwrap();
            }
        }
        file.write_all(&w.finish().unwrap().into_inner()).unwrap();
        file
    }

    #[test]
    fn members_inflated_on_several_threads_keep_the_archive_order() {
        // Enough members of unequal sizes that the threads finish them out of order.
        let mut members = Vec::new();
        for i in 0..60 {
            let name = match i % 10 {
                0 => format!("d{i}/"),
                7 => format!("notes-{i}.pdf"),
                _ => format!("d/page-{i}.xml"),
            };
            let body = match i % 10 {
                7 => format!("%PDF-1.7 {}", "x".repeat(100 * i)),
                _ => format!(
                    "<iati-activities>{}</iati-activities>",
                    " ".repeat(5000 * (i % 7))
                ),
            };
            members.push((name, body.into_bytes()));
        }
        let zip = received_zip(&members);
        let plain = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(plain.path(), b"<iati-activities/>").unwrap();
        let unpacked = unpack(
            vec![
                ("one.xml".into(), plain.into_temp_path()),
                ("set.zip".into(), zip.into_temp_path()),
            ],
            u64::MAX,
        )
        .unwrap();
        let names: Vec<_> = unpacked.files.iter().map(|f| f.name.clone()).collect();
        let mut expected = vec!["one.xml".to_string()];
        expected.extend(
            members
                .iter()
                .filter(|(n, _)| n.ends_with(".xml"))
                .map(|(n, _)| format!("set.zip/{n}")),
        );
        assert_eq!(names, expected);
        let skipped: Vec<_> = unpacked.skipped.iter().map(|(n, _)| n.clone()).collect();
        let pdfs: Vec<_> = members
            .iter()
            .filter(|(n, _)| n.ends_with(".pdf"))
            .map(|(n, _)| format!("set.zip/{n}"))
            .collect();
        assert_eq!(skipped, pdfs);
        // Each file holds its own member's bytes, in a folder of its own.
        let xml: Vec<_> = members
            .iter()
            .filter(|(n, _)| n.ends_with(".xml"))
            .collect();
        for (file, (_, bytes)) in unpacked.files[1..].iter().zip(xml) {
            assert_eq!(&std::fs::read(&file.path).unwrap(), bytes, "{}", file.name);
        }
        let folders: std::collections::HashSet<_> = unpacked
            .files
            .iter()
            .map(|f| f.path.parent().unwrap())
            .collect();
        assert_eq!(folders.len(), unpacked.files.len());
    }

    #[test]
    fn the_unpacked_limit_is_one_budget_for_all_threads() {
        let members: Vec<_> = (0..20)
            .map(|i| {
                let body = format!("<iati-activities>{}</iati-activities>", " ".repeat(10_000));
                (format!("p{i}.xml"), body.into_bytes())
            })
            .collect();
        let total: u64 = members.iter().map(|(_, b)| b.len() as u64).sum();
        let fits = unpack(
            vec![("a.zip".into(), received_zip(&members).into_temp_path())],
            total,
        )
        .unwrap();
        assert_eq!(fits.files.len(), 20);
        let Err(e) = unpack(
            vec![("a.zip".into(), received_zip(&members).into_temp_path())],
            total - 1,
        ) else {
            panic!("one byte over the limit was unpacked");
        };
        assert_eq!(e.status, StatusCode::PAYLOAD_TOO_LARGE);
        // The bytes actually inflated (a declared size can lie) are taken by several threads
        // at once: exactly the budget is granted.
        let budget = Budget {
            left: AtomicU64::new(2_500),
            limit: 2_500,
        };
        let granted = AtomicU64::new(0);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..1_000 {
                        if budget.take(1).is_ok() {
                            granted.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                });
            }
        });
        assert_eq!(granted.load(Ordering::Relaxed), 2_500);
        assert!(budget.take(1).is_err());
    }
}
