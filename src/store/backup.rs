//! Online backups with SQLite's backup API. The copy is made in a single step, that
//! is inside one read transaction: in WAL mode that reader sees one consistent
//! snapshot and never blocks the server's writer. (Copying in several steps would
//! let each write restart the backup, which under steady load may never finish.)

use super::StoreError;
use rusqlite::Connection;
use std::path::Path;
use std::time::Duration;

/// What a backup or restore produced.
#[derive(Debug)]
pub struct Copied {
    pub pages: i32,
    /// `PRAGMA integrity_check` of the result.
    pub integrity: String,
}

fn copy(src: &Connection, dest: &mut Connection) -> Result<i32, StoreError> {
    use rusqlite::backup::StepResult;
    let b = rusqlite::backup::Backup::new(src, dest)?;
    // -1: every page in one step.
    loop {
        match b.step(-1)? {
            StepResult::Done => break,
            StepResult::More | StepResult::Busy | StepResult::Locked => std::thread::sleep(Duration::from_millis(10)),
            _ => std::thread::sleep(Duration::from_millis(10)),
        }
    }
    Ok(b.progress().pagecount)
}

fn check(conn: &Connection) -> Result<String, StoreError> {
    Ok(conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
}

/// Copies the database at `db` (which may be in use) to `dest`, which must not exist.
pub fn backup(db: &Path, dest: &Path) -> Result<Copied, StoreError> {
    if dest.exists() {
        return Err(StoreError::Invalid(format!("{} already exists: choose a new file", dest.display())));
    }
    let src = Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut out = Connection::open(dest)?;
    let pages = copy(&src, &mut out)?;
    Ok(Copied {
        pages,
        integrity: check(&out)?,
    })
}

/// Replaces the database at `db` with the backup at `from`, after checking the
/// backup's integrity. Stop the server first: a running server keeps its own
/// connections to the old file.
pub fn restore(from: &Path, db: &Path) -> Result<Copied, StoreError> {
    let src = Connection::open_with_flags(from, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let integrity = check(&src)?;
    if integrity != "ok" {
        return Err(StoreError::Invalid(format!("{} is damaged: {integrity}", from.display())));
    }
    let mut out = Connection::open(db)?;
    let pages = copy(&src, &mut out)?;
    Ok(Copied {
        pages,
        integrity: check(&out)?,
    })
}

/// The schema version the database file at `db` carries, read without opening it as
/// a store (which would migrate it): to check a backup against the live file.
pub fn schema_version(db: &Path) -> Result<i64, StoreError> {
    let conn = Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}
