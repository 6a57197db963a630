//! The only module that speaks SQL. SQLite (bundled) in WAL mode: one writer
//! connection behind a mutex and a small pool of readers; every call runs on the
//! blocking thread pool so the async runtime never waits on disk or a lock.

mod attempts;
pub mod backup;
mod certops;
mod certs;
mod digest;
mod hr;
mod inspect;
mod learner;
mod migrations;
mod overrides;
mod runs;
mod sessions;
mod setup;
mod users;

pub use attempts::{
    Admission, Admit, AttemptLine, AttemptRow, AttemptWithOverrides, Caller, GradeFailure, Graded, GradedAttempt, Grader, Marking,
    OpenAttempt, Prepare, QuizStanding, QuizSummaryRow, SaveOutcome, StartOutcome, StartPlan, StartTerms, SubmitOutcome, as_settled,
};
pub use certops::{AuditEntry, CertFilter, Erased, HeldCertificate};
pub use certs::{CertificateRow, Certifier, Decision, Evidence, NewCertificate, STATUS_LIST_ENTRIES, SaveSubmission, SubmissionRow};
pub use hr::{BestRow, Cohort, Filter, Groups, Histogram, NewLearner};
pub use inspect::{Snapshot, Table};
pub use learner::{LearnerFile, RECENT_PER_QUIZ};
pub use overrides::OverrideRow;
pub use runs::{RecordRound, RunRow, ScenarioSummaryRow, StartRun};
pub use setup::{SeededAttempt, SeededCertificate, SeededLearner, SeededRun};
#[cfg(test)]
pub(crate) use users::upsert_user;
pub use users::{Role, User};

use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Errors from the store. `Busy`-type failures and IO surface as `Sql`.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sql(SqlError),
    #[error("database migration failed: {0}")]
    Migration(SqlError),
    #[error("commit failed: {0}")]
    Commit(String),
    #[error("database task failed: {0}")]
    Join(String),
    #[error("{0}")]
    Invalid(String),
}

/// What SQLite (or a migration) reported. Opaque, so that no SQLite type is part of
/// the store's interface; its message and `source()` are SQLite's.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct SqlError(Box<dyn std::error::Error + Send + Sync>);

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sql(SqlError(Box::new(e)))
    }
}

impl From<rusqlite_migration::Error> for StoreError {
    fn from(e: rusqlite_migration::Error) -> Self {
        StoreError::Migration(SqlError(Box::new(e)))
    }
}

/// Handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    path: PathBuf,
    writer: std::sync::mpsc::Sender<Job>,
    readers: Arc<Readers>,
}

/// The reader connections: at most [`MAX_READERS`] open, each with its own page cache;
/// a read that finds all of them busy waits for one instead of opening another.
#[derive(Default)]
struct Readers {
    pool: Mutex<ReaderPool>,
    freed: std::sync::Condvar,
}

#[derive(Default)]
struct ReaderPool {
    idle: Vec<Connection>,
    open: usize,
}

/// A write operation queued for the writer thread. It runs inside the batch's
/// transaction and returns what to do once the batch has committed (or failed).
type Job = Box<dyn FnOnce(&Connection) -> Box<dyn FnOnce(Result<(), String>) + Send> + Send>;

/// Most operations one transaction carries: enough to amortise a commit, few
/// enough that the first waiter is not kept long.
const MAX_BATCH: usize = 64;
/// Reader connections open at most (WAL readers run side by side with the writer).
const MAX_READERS: usize = 4;

/// The writer thread: takes the next job, then whatever else is already queued, and
/// runs them in one transaction, each inside its own savepoint so a failing job
/// rolls back alone. Callers hear back only after COMMIT: what is acknowledged is
/// on disk (group commit).
fn writer_loop(conn: Connection, jobs: std::sync::mpsc::Receiver<Job>) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        let began = conn.execute_batch("BEGIN IMMEDIATE");
        let mut deliveries = Vec::with_capacity(batch.len());
        for job in batch {
            deliveries.push(job(&conn));
        }
        let outcome = began.and_then(|_| conn.execute_batch("COMMIT")).map_err(|e| e.to_string());
        if outcome.is_err() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        for deliver in deliveries {
            deliver(outcome.clone());
        }
    }
}

/// Per-connection settings (not part of migrations: they do not persist in the file).
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    // WAL lets readers run beside the writer. synchronous=NORMAL in WAL mode makes a
    // commit durable against a crash of this process (the WAL is written before the
    // commit returns) and costs no fsync per commit; only an OS crash or power cut
    // can lose the last commits. That is the trade we make for thousands of graded
    // submissions per second; set CERTBOOK_SYNC_FULL=1 to fsync every commit.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    let sync = if std::env::var_os("CERTBOOK_SYNC_FULL").is_some() {
        "FULL"
    } else {
        "NORMAL"
    };
    conn.pragma_update(None, "synchronous", sync)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(())
}

impl Store {
    /// Opens (creating if needed) the database at `path` and applies migrations.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let mut conn = Connection::open(path)?;
        configure(&conn)?;
        migrations::migrations().to_latest(&mut conn)?;
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("certbook-db-writer".into())
            .spawn(move || writer_loop(conn, rx))
            .map_err(|e| StoreError::Join(e.to_string()))?;
        Ok(Store {
            path: path.to_path_buf(),
            writer: tx,
            readers: Arc::new(Readers::default()),
        })
    }

    /// Queues `f` for the writer thread; `done` receives its result after the commit.
    fn enqueue<R, F>(&self, f: F, done: impl FnOnce(Result<R, StoreError>) + Send + 'static) -> Result<(), StoreError>
    where
        F: FnOnce(&Connection) -> Result<R, StoreError> + Send + 'static,
        R: Send + 'static,
    {
        let job: Job = Box::new(move |conn: &Connection| {
            let result = match conn.execute_batch("SAVEPOINT op") {
                Ok(()) => {
                    let r = f(conn);
                    let end = if r.is_ok() { "RELEASE op" } else { "ROLLBACK TO op; RELEASE op" };
                    match conn.execute_batch(end) {
                        Ok(()) => r,
                        Err(e) => Err(e.into()),
                    }
                }
                Err(e) => Err(e.into()),
            };
            Box::new(move |committed: Result<(), String>| {
                done(committed.map_err(StoreError::Commit).and(result));
            })
        });
        self.writer
            .send(job)
            .map_err(|_| StoreError::Join("the database writer has stopped".into()))
    }

    /// Runs `f` on the writer connection inside a transaction; returns once committed.
    pub(crate) async fn write<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        F: FnOnce(&Connection) -> Result<R, StoreError> + Send + 'static,
        R: Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.enqueue(f, move |r| {
            let _ = tx.send(r);
        })?;
        rx.await
            .map_err(|_| StoreError::Join("the database writer dropped the request".into()))?
    }

    /// Like [`Store::write`], for code outside the async runtime (CLI, tests).
    pub(crate) fn write_blocking<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        F: FnOnce(&Connection) -> Result<R, StoreError> + Send + 'static,
        R: Send + 'static,
    {
        let (tx, rx) = std::sync::mpsc::channel();
        self.enqueue(f, move |r| {
            let _ = tx.send(r);
        })?;
        rx.recv()
            .map_err(|_| StoreError::Join("the database writer dropped the request".into()))?
    }

    /// Runs `f` on a reader connection, on the blocking thread pool.
    pub(crate) async fn read<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        F: FnOnce(&Connection) -> Result<R, StoreError> + Send + 'static,
        R: Send + 'static,
    {
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.read_blocking(f))
            .await
            .map_err(|e| StoreError::Join(e.to_string()))?
    }

    /// Runs `f` on a reader connection in the calling thread.
    pub(crate) fn read_blocking<R>(&self, f: impl FnOnce(&Connection) -> Result<R, StoreError>) -> Result<R, StoreError> {
        let conn = self.take_reader()?;
        let r = f(&conn);
        let mut pool = self.readers.pool.lock().unwrap_or_else(|p| p.into_inner());
        pool.idle.push(conn);
        drop(pool);
        self.readers.freed.notify_one();
        r
    }

    /// An idle reader, a new one while fewer than [`MAX_READERS`] are open, or the next freed.
    fn take_reader(&self) -> Result<Connection, StoreError> {
        let mut pool = self.readers.pool.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(c) = pool.idle.pop() {
                return Ok(c);
            }
            if pool.open < MAX_READERS {
                pool.open += 1;
                drop(pool);
                let opened = Connection::open(&self.path)
                    .map_err(StoreError::from)
                    .and_then(|c| configure(&c).map(|_| c).map_err(StoreError::from));
                if opened.is_err() {
                    self.readers.pool.lock().unwrap_or_else(|p| p.into_inner()).open -= 1;
                    self.readers.freed.notify_one();
                }
                return opened;
            }
            pool = self.readers.freed.wait(pool).unwrap_or_else(|p| p.into_inner());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Operations batched into one transaction fail alone: a failing one rolls back
    /// to its savepoint and the others still commit.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_write_in_a_batch_rolls_back_alone() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db")).unwrap();
        let mut tasks = Vec::new();
        for i in 0..50 {
            let s = store.clone();
            tasks.push(tokio::spawn(async move {
                s.write(move |c| {
                    upsert_user(c, &format!("u{i}"), "n", Role::Learner, "h", 0)?;
                    if i % 5 == 0 {
                        // Fails after writing: the row above must not survive.
                        c.execute("INSERT INTO no_such_table VALUES (1)", [])?;
                    }
                    Ok(i)
                })
                .await
            }));
        }
        let mut failed = 0;
        for t in tasks {
            if t.await.unwrap().is_err() {
                failed += 1;
            }
        }
        assert_eq!(failed, 10);
        let n: i64 = store
            .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))?))
            .await
            .unwrap();
        assert_eq!(n, 40);
    }
}
