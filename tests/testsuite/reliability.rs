//! Backups: a copy taken while the server writes opens, passes the integrity check,
//! holds a consistent prefix of the acknowledged writes, and restores.

use certbook::store::{Role, Store, Table, backup};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

#[test]
fn a_backup_taken_while_writing_is_consistent_and_restores() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("live.db");
    let store = Store::open(&db).unwrap();
    store
        .save_account_blocking("alice".into(), "alice".into(), Role::Learner, "x".into(), None, 0)
        .unwrap();
    // Enough data that the copy takes a while, so writes land while it runs.
    store.add_padding_blocking(5000, 4000).unwrap();
    let acknowledged = Arc::new(AtomicI64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (store, acknowledged, stop) = (store.clone(), acknowledged.clone(), stop.clone());
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
            let mut n = 0i64;
            while !stop.load(Ordering::SeqCst) || n < 200 {
                // Each row is written and acknowledged before the next.
                rt.block_on(store.mark_read(1, format!("l{n}"), n, None)).unwrap();
                n += 1;
                acknowledged.store(n, Ordering::SeqCst);
            }
        })
    };
    while acknowledged.load(Ordering::SeqCst) < 50 {
        std::thread::yield_now();
    }
    let before = acknowledged.load(Ordering::SeqCst);
    let copy = dir.path().join("copy.db");
    let result = backup::backup(&db, &copy).unwrap();
    let after = acknowledged.load(Ordering::SeqCst);
    stop.store(true, Ordering::SeqCst);
    writer.join().unwrap();
    assert_eq!(result.integrity, "ok");
    assert!(backup::backup(&db, &copy).is_err(), "an existing file is never overwritten");

    // Read before the copy is opened as a store, which would migrate it.
    let version = backup::schema_version(&copy).unwrap();
    let live = backup::schema_version(&db).unwrap();
    assert_eq!(version, live, "the copy carries the schema version");
    let c = Store::open(&copy).unwrap();
    let rows = c.count_rows_blocking(Table::LessonReads).unwrap();
    assert!(
        rows >= before && rows <= after,
        "the copy holds {rows} rows; acknowledged {before} before and {after} after"
    );
    // A consistent prefix: rows 0..rows, none missing in between.
    let max = c.last_lesson_read_blocking().unwrap().expect("the copy holds lesson reads");
    assert_eq!(max, rows - 1);
    drop(c);

    // Restoring the copy gives back exactly its rows, and the store opens on it.
    let restored = dir.path().join("restored.db");
    assert_eq!(backup::restore(&copy, &restored).unwrap().integrity, "ok");
    let s2 = Store::open(&restored).unwrap();
    let n = s2.count_rows_blocking(Table::LessonReads).unwrap();
    assert_eq!(n, rows);
}

#[test]
fn restore_refuses_a_damaged_backup() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.db");
    std::fs::write(&bad, b"this is not a database").unwrap();
    assert!(backup::restore(&bad, &dir.path().join("x.db")).is_err());
}
