//! Backups: a copy taken while the server writes opens, passes the integrity check,
//! holds a consistent prefix of the acknowledged writes, and restores.

use certbook::store::{Role, Store, backup};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

#[test]
fn a_backup_taken_while_writing_is_consistent_and_restores() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("live.db");
    let store = Store::open(&db).unwrap();
    store
        .write_blocking(|tx| certbook::store::upsert_user(tx, "alice", "alice", Role::Learner, "x", 0))
        .unwrap();
    // Enough data that the copy takes a while, so writes land while it runs.
    store
        .write_blocking(|tx| {
            let mut stmt = tx.prepare("INSERT INTO secrets (name, value, created_at) VALUES (?1, zeroblob(4000), 0)")?;
            for i in 0..5000 {
                stmt.execute([format!("padding-{i}")])?;
            }
            Ok(())
        })
        .unwrap();
    let acknowledged = Arc::new(AtomicI64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (store, acknowledged, stop) = (store.clone(), acknowledged.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut n = 0i64;
            while !stop.load(Ordering::SeqCst) || n < 200 {
                // Each row is written and acknowledged before the next.
                store
                    .write_blocking(move |tx| {
                        tx.execute(
                            "INSERT INTO lesson_reads (user_id, lesson_id, read_at) VALUES (1, ?1, ?2)",
                            rusqlite::params![format!("l{n}"), n],
                        )?;
                        Ok(())
                    })
                    .unwrap();
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

    let c = rusqlite::Connection::open(&copy).unwrap();
    let rows: i64 = c.query_row("SELECT COUNT(*) FROM lesson_reads", [], |r| r.get(0)).unwrap();
    assert!(
        rows >= before && rows <= after,
        "the copy holds {rows} rows; acknowledged {before} before and {after} after"
    );
    // A consistent prefix: rows 0..rows, none missing in between.
    let max: i64 = c.query_row("SELECT MAX(read_at) FROM lesson_reads", [], |r| r.get(0)).unwrap();
    assert_eq!(max, rows - 1);
    let version: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    let live: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, live, "the copy carries the schema version");

    // Restoring the copy gives back exactly its rows, and the store opens on it.
    let restored = dir.path().join("restored.db");
    assert_eq!(backup::restore(&copy, &restored).unwrap().integrity, "ok");
    let s2 = Store::open(&restored).unwrap();
    let n: i64 = s2
        .read_blocking(|c| Ok(c.query_row("SELECT COUNT(*) FROM lesson_reads", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(n, rows);
}

#[test]
fn restore_refuses_a_damaged_backup() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.db");
    std::fs::write(&bad, b"this is not a database").unwrap();
    assert!(backup::restore(&bad, &dir.path().join("x.db")).is_err());
}
