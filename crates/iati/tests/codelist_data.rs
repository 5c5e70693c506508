//! Regenerates `data/codelists.tsv` and `data/mapping.tsv` from the IATI codelist XML in
//! ../shared and fails when the checked-in copies differ.
//! Regenerate with `AIDTRACE_REGEN_CODELISTS=1 cargo test -p aidtrace-iati --test codelist_data`.

mod common;

use std::path::Path;

use aidtrace_iati::xml::{Limits, parse_document};

const HEADER: &str = "# IATI codelists, compact form: name<TAB>complete(1/0)<TAB>codes (comma-separated; ~code = withdrawn).\n\
# Source: IATI Standard (http://iatistandard.org/), licensed CC BY 4.0.\n\
# Embedded lists: IATI/IATI-Codelists branch version-2.03 commit 75e827bacd29f77356cb43defbc0b655705432f3;\n\
# non-embedded lists: IATI/IATI-Codelists-NonEmbedded master commit 7aeece773c60afa0265eb95e988d5e61e96d8482.\n";

const MAP_HEADER: &str = "# IATI codelist mapping (path<TAB>codelist<TAB>condition), from IATI/IATI-Codelists mapping.xml,\n\
# branch version-2.03 commit 75e827bacd29f77356cb43defbc0b655705432f3. IATI Standard (http://iatistandard.org/), CC BY 4.0.\n";

#[test]
fn codelist_data_matches_the_shared_codelists() {
    let Some(shared) = common::shared() else {
        return;
    };
    let dir = shared.join("iati/codelists");
    let mut names: Vec<_> = std::fs::read_dir(dir.join("xml"))
        .expect("codelist dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    names.sort();
    let mut out = String::from(HEADER);
    for p in &names {
        let root = parse_document(
            std::fs::read(p).expect("read").as_slice(),
            Limits::default(),
        )
        .expect("xml");
        let name = root.attr("name").expect("codelist name");
        let complete = root.attr("complete").unwrap_or("0");
        let mut codes = Vec::new();
        for item in root
            .child("codelist-items")
            .expect("items")
            .children_named("codelist-item")
        {
            let code = item
                .child("code")
                .map(|c| c.text().trim().to_owned())
                .expect("code");
            assert!(!code.contains([',', '\t', '\n']), "code {code:?} in {name}");
            let withdrawn = item.attr("status") == Some("withdrawn");
            codes.push(if withdrawn { format!("~{code}") } else { code });
        }
        out.push_str(&format!("{name}\t{complete}\t{}\n", codes.join(",")));
    }
    let map = parse_document(
        std::fs::read(dir.join("mapping.xml"))
            .expect("mapping")
            .as_slice(),
        Limits::default(),
    )
    .expect("xml");
    let mut mout = String::from(MAP_HEADER);
    for m in map.children_named("mapping") {
        let path = m.child("path").expect("path").text();
        let list = m
            .child("codelist")
            .and_then(|c| c.attr("ref"))
            .expect("ref");
        let cond = m.child("condition").map(|c| c.text()).unwrap_or_default();
        mout.push_str(&format!("{}\t{list}\t{}\n", path.trim(), cond.trim()));
    }
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    if std::env::var("AIDTRACE_REGEN_CODELISTS").is_ok() {
        std::fs::write(base.join("codelists.tsv"), &out).expect("write");
        std::fs::write(base.join("mapping.tsv"), &mout).expect("write");
        return;
    }
    assert!(
        std::fs::read_to_string(base.join("codelists.tsv")).expect("read") == out,
        "data/codelists.tsv is stale"
    );
    assert!(
        std::fs::read_to_string(base.join("mapping.tsv")).expect("read") == mout,
        "data/mapping.tsv is stale"
    );
}
