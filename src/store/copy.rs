//! Moving an installation from SQLite to PostgreSQL (`certbook db copy`): every table,
//! the issuer key and status lists included, copied in pages into an empty target,
//! then checked table by table: the same row count and the same digest of the rows.

use super::db::{Conn, Value};
use super::{Store, StoreError};
use sha2::{Digest, Sha256};

/// Tables in an order that satisfies the foreign keys; `quiz_tallies` last, since
/// inserting attempts builds tallies by trigger and the copy then makes them exact.
const TABLES: &[&str] = &[
    "users",
    "sessions",
    "secrets",
    "attempts",
    "runs",
    "submissions",
    "certificates",
    "lesson_reads",
    "best_scores",
    "item_hist",
    "question_seen",
    "quiz_overrides",
    "audit_log",
    "login_failures",
    "job_leases",
    "team_sessions",
    "session_teams",
    "session_members",
    "session_drafts",
    "session_rounds",
    "session_judging",
    "quiz_tallies",
];

/// Tables whose `id` PostgreSQL generates: its sequence must continue after the copy.
const IDENTITY: &[&str] = &["users", "quiz_overrides", "audit_log"];

/// Rows written per transaction.
const PAGE: usize = 2_000;

/// One table as copied and checked.
#[derive(Debug)]
pub struct CopiedTable {
    pub table: &'static str,
    pub rows: i64,
    /// The rows' digest, the same on both sides (order-independent).
    pub digest: String,
}

impl Store {
    /// Copies every table of this (SQLite) store into `target` (an empty PostgreSQL
    /// store), then compares row counts and digests; an error names the first table
    /// that differs. Refuses a target that already holds data.
    pub fn copy_to(&self, target: &Store) -> Result<Vec<CopiedTable>, StoreError> {
        if self.is_postgres() || !target.is_postgres() {
            return Err(StoreError::Invalid("db copy moves an SQLite database into PostgreSQL".into()));
        }
        let held: i64 = target.read_blocking(|c| {
            let mut n = 0;
            for t in TABLES {
                n += c.query_row(&format!("SELECT COUNT(*) FROM {t}"), (), |r| r.get::<_, i64>(0))?;
            }
            Ok(n)
        })?;
        if held > 0 {
            return Err(StoreError::Invalid(format!(
                "the target database is not empty ({held} rows): copy into a new, empty database"
            )));
        }
        for table in TABLES {
            let columns = self.read_blocking(|c| Ok(c.prepare(&format!("SELECT * FROM {table} LIMIT 0"))?.column_names()))?;
            let cols = columns.join(", ");
            let marks = (1..=columns.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
            let insert = format!("INSERT INTO {table} ({cols}) VALUES ({marks})");
            if *table == "quiz_tallies" {
                target.write_blocking(|c| Ok(c.execute("DELETE FROM quiz_tallies", ())?))?;
            }
            // One streaming read of the table; pages go to the target as they fill.
            let width = columns.len();
            let select = format!("SELECT {cols} FROM {table}");
            std::thread::scope(|scope| -> Result<(), StoreError> {
                let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Vec<Value>>>(4);
                let writer = scope.spawn(|| -> Result<(), StoreError> {
                    for page in rx {
                        let insert = insert.clone();
                        target.write_blocking(move |c| {
                            for row in page {
                                c.execute(&insert, row)?;
                            }
                            Ok(())
                        })?;
                    }
                    Ok(())
                });
                let read = self.read_blocking(move |c| {
                    let mut page = Vec::with_capacity(PAGE);
                    c.prepare(&select)?.for_each((), |r| {
                        page.push((0..width).map(|i| r.value(i)).collect::<super::db::Result<Vec<_>>>()?);
                        if page.len() == PAGE {
                            // A closed channel means the writer failed: stop reading.
                            return Ok(tx.send(std::mem::take(&mut page)).is_ok());
                        }
                        Ok(true)
                    })?;
                    if !page.is_empty() {
                        let _ = tx.send(page);
                    }
                    Ok(())
                });
                let wrote = writer.join().map_err(|_| StoreError::Join("the copy's writer panicked".into()))?;
                wrote.and(read)
            })?;
        }
        target.write_blocking(|c| {
            for t in IDENTITY {
                c.execute_batch(&format!(
                    "SELECT setval(pg_get_serial_sequence('{t}', 'id'), COALESCE((SELECT MAX(id) FROM {t}), 0) + 1, false)"
                ))?;
            }
            Ok(())
        })?;
        let mut report = Vec::new();
        for table in TABLES {
            let (from, to) = (
                self.read_blocking(|c| table_digest(c, table))?,
                target.read_blocking(|c| table_digest(c, table))?,
            );
            if from != to {
                return Err(StoreError::Invalid(format!(
                    "table {table} differs after the copy: {} rows ({}) in SQLite, {} rows ({}) in PostgreSQL",
                    from.0, from.1, to.0, to.1
                )));
            }
            report.push(CopiedTable {
                table,
                rows: from.0,
                digest: from.1,
            });
        }
        Ok(report)
    }
}

/// A table's row count and an order-independent digest of its rows (the sum of each
/// row's SHA-256, so both databases may return rows in any order).
fn table_digest(c: &Conn, table: &str) -> Result<(i64, String), StoreError> {
    let columns = c.prepare(&format!("SELECT * FROM {table} LIMIT 0"))?.column_names();
    let cols = {
        let mut sorted = columns.clone();
        sorted.sort();
        sorted
    };
    let mut sum = [0u64; 4];
    let mut rows = 0;
    c.prepare(&format!("SELECT {} FROM {table}", cols.join(", ")))?.for_each((), |r| {
        let mut h = Sha256::new();
        for i in 0..cols.len() {
            match r.value(i)? {
                Value::Null => h.update(b"N"),
                Value::Int(v) => {
                    h.update(b"I");
                    h.update(v.to_be_bytes());
                }
                Value::Real(v) => {
                    h.update(b"R");
                    h.update(v.to_bits().to_be_bytes());
                }
                Value::Text(t) => {
                    h.update(b"T");
                    h.update((t.len() as u64).to_be_bytes());
                    h.update(t.as_bytes());
                }
                Value::Blob(b) => {
                    h.update(b"B");
                    h.update((b.len() as u64).to_be_bytes());
                    h.update(&b);
                }
            }
        }
        let d = h.finalize();
        for (lane, chunk) in sum.iter_mut().zip(d.chunks(8)) {
            *lane = lane.wrapping_add(u64::from_be_bytes(chunk.try_into().expect("8 bytes")));
        }
        rows += 1;
        Ok(true)
    })?;
    let digest: String = sum.iter().map(|l| format!("{l:016x}")).collect();
    Ok((rows, digest))
}
