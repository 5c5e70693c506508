//! PostgreSQL query plans that matter at scale: a page of any record table is read through an
//! index in the order SQLite gives (`ORDER BY id COLLATE "C"`), not by sorting the whole table
//! (migration 0006). Runs when `AIDTRACE_TEST_PG` names a server (always under CI).

use aidtrace_store::{PgStore, pg_testing::TestDatabase};

#[test]
fn a_page_of_every_record_table_is_read_through_an_index_in_byte_order() {
    let Some(db) = TestDatabase::create() else {
        return;
    };
    PgStore::connect(db.url()).expect("migrate");
    let mut client = postgres::Client::connect(db.url(), postgres::NoTls).expect("connect");
    // Record tables are those holding a document beside a text id (the change queue's ids are
    // numbers); exchange rates are read in the order they were recorded, never paged by id.
    let tables: Vec<String> = client
        .query(
            "SELECT table_name::text FROM information_schema.columns \
             WHERE table_schema = 'public' AND column_name = 'doc' \
             AND table_name <> 'fx_rates' AND table_name IN (SELECT table_name FROM information_schema.columns \
                                WHERE table_schema = 'public' AND column_name = 'id' \
                                AND data_type = 'text') \
             ORDER BY 1",
            &[],
        )
        .expect("tables")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(tables.len() >= 30, "{tables:?}");
    // Forbid sorting: a plan that still sorts has no index in this order to use.
    client.batch_execute("SET enable_sort = off").expect("set");
    let mut sorted = Vec::new();
    for t in &tables {
        let plan: Vec<String> = client
            .query(
                &format!("EXPLAIN SELECT doc FROM {t} ORDER BY id COLLATE \"C\" LIMIT 50 OFFSET 0"),
                &[],
            )
            .expect("explain")
            .iter()
            .map(|r| r.get(0))
            .collect();
        if plan.iter().any(|line| line.contains("Sort")) {
            sorted.push(format!("{t}: {}", plan.join(" / ")));
        }
    }
    assert!(
        sorted.is_empty(),
        "pages sorted instead of indexed: {sorted:#?}"
    );
}
