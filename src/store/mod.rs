//! The only module that speaks SQL. SQLite (bundled) in WAL mode: one writer thread
//! with its connection and a small pool of readers; PostgreSQL: several writer
//! threads, serialised per learner by advisory locks (see [`pg_batch_locks`]), and the
//! same readers. No call blocks the async runtime on disk, network or a lock.

mod attempts;
pub mod backup;
mod certops;
mod certs;
mod copy;
pub(crate) mod db;
mod digest;
mod hr;
mod inspect;
mod learner;
mod logins;
mod migrations;
mod migrations_pg;
mod overrides;
mod runs;
mod sessions;
mod setup;
mod teams;
mod users;

pub use attempts::{
    Admission, Admit, AttemptLine, AttemptRow, AttemptWithOverrides, Caller, GradeFailure, Graded, GradedAttempt, Grader, Marking,
    OpenAttempt, Prepare, QuizStanding, QuizSummaryRow, SaveOutcome, SeenScope, StartOutcome, StartPlan, StartTerms, SubmitOutcome,
    as_settled,
};
pub use certops::{AuditEntry, CertFilter, Erased, HeldCertificate};
pub use certs::{CertificateRow, Certifier, Decision, Evidence, NewCertificate, STATUS_LIST_ENTRIES, SaveSubmission, SubmissionRow};
pub use copy::CopiedTable;
pub use hr::{BestRow, Cohort, Filter, Groups, Histogram, NewLearner};
pub use inspect::{Snapshot, Table};
pub use learner::{LearnerFile, RECENT_PER_QUIZ};
pub use overrides::OverrideRow;
pub use runs::{RecordRound, RunRow, ScenarioSummaryRow, StartRun};
pub use setup::{SeededAttempt, SeededCertificate, SeededLearner, SeededRun};
pub use teams::{
    DraftRow, JudgingRow, MemberRow, NewMember, NewTeamSession, Pulse, SessionSnapshot, TeamRefusal, TeamRoundRow, TeamSessionRow,
};
#[cfg(test)]
pub(crate) use users::upsert_user;
pub use users::{Role, User};

use db::Conn;
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

impl From<db::Error> for StoreError {
    fn from(e: db::Error) -> Self {
        match e {
            db::Error::Sqlite(e) => e.into(),
            other => StoreError::Sql(SqlError(Box::new(other))),
        }
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
    location: Arc<Location>,
    /// The writer threads' queues: one on SQLite, [`pg_writers`] on PostgreSQL.
    lanes: Arc<[std::sync::mpsc::Sender<Queued>]>,
    readers: Arc<Readers>,
}

/// Where the data lives.
enum Location {
    /// An SQLite file (the embedded default).
    File(PathBuf),
    /// A PostgreSQL server, by connection URL (for several instances on one database).
    Postgres(String),
}

/// An open connection of either kind.
enum Link {
    Lite(Connection),
    Pg(Box<db::pg::PgConn>),
}

impl Link {
    fn with<R>(&mut self, f: impl FnOnce(&Conn) -> R) -> R {
        match self {
            Link::Lite(c) => f(&Conn::Lite(c)),
            Link::Pg(c) => f(&Conn::Pg(std::cell::RefCell::new(&mut **c))),
        }
    }
}

/// Whether `spec` names a PostgreSQL database rather than an SQLite file.
pub fn is_postgres_url(spec: &str) -> bool {
    spec.starts_with("postgres://") || spec.starts_with("postgresql://")
}

/// The database `spec` names, for messages: a PostgreSQL URL without its password.
pub fn describe_spec(spec: &str) -> String {
    if !is_postgres_url(spec) {
        return spec.to_string();
    }
    match (spec.find("://"), spec.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let user = spec[scheme + 3..at].split(':').next().unwrap_or_default();
            format!("{}://{user}{}", &spec[..scheme], &spec[at..])
        }
        _ => spec.to_string(),
    }
}

/// Opens a PostgreSQL connection; the error is one line that says what to do.
fn connect_pg(url: &str) -> Result<db::pg::PgConn, StoreError> {
    db::pg::PgConn::connect(url).map_err(|e| StoreError::Invalid(pg_connect_hint(url, &e)))
}

/// A connection failure in words an operator can act on (the URL without its password).
fn pg_connect_hint(url: &str, e: &postgres::Error) -> String {
    let shown = describe_spec(url);
    let cause = std::error::Error::source(e).map(|s| s.to_string()).unwrap_or_else(|| e.to_string());
    let hint = match e.code() {
        Some(c)
            if *c == postgres::error::SqlState::INVALID_PASSWORD
                || *c == postgres::error::SqlState::INVALID_AUTHORIZATION_SPECIFICATION =>
        {
            "check the user name and password in the URL"
        }
        Some(c) if *c == postgres::error::SqlState::INVALID_CATALOG_NAME => {
            "create the database first (createdb NAME) or fix its name in the URL"
        }
        _ if cause.contains("refused") || cause.contains("No such file") || cause.contains("timed out") => {
            "is the PostgreSQL server running and reachable at that host and port?"
        }
        _ => "check the URL (postgres://USER:PASSWORD@HOST:PORT/DATABASE)",
    };
    format!("cannot connect to PostgreSQL at {shown}: {cause} — {hint}")
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
    idle: Vec<Link>,
    open: usize,
}

impl Drop for ReaderPool {
    /// A PostgreSQL client blocks on its own runtime to say goodbye, which async code must
    /// not do: the last store handle may be dropped there, so close them on a plain thread.
    fn drop(&mut self) {
        let idle = std::mem::take(&mut self.idle);
        if idle.iter().any(|l| matches!(l, Link::Pg(_))) {
            let _ = std::thread::spawn(move || drop(idle)).join();
        }
    }
}

/// A write operation queued for the writer thread. It runs inside the batch's
/// transaction, in a savepoint of its own, and says whether it succeeded and what to do
/// once the batch has committed (or failed).
type Job = Box<dyn FnOnce(&Conn) -> Ran + Send>;

struct Ran {
    ok: bool,
    deliver: Box<dyn FnOnce(Result<(), String>) + Send>,
}

/// A job with the one learner whose records it writes, or `None` when it may write
/// anyone's (staff and admin work, sessions, jobs): see [`writer_loop`].
struct Queued {
    learner: Option<i64>,
    job: Job,
}

/// Most operations one transaction carries: enough to amortise a commit, few
/// enough that the first waiter is not kept long.
const MAX_BATCH: usize = 64;
/// Reader connections open at most (WAL readers run side by side with the writer).
const MAX_READERS: usize = 4;
/// How many writer threads (and connections) a server runs on PostgreSQL: several, so
/// that one learner's write overlaps another's round trips to the database; one per
/// core (at least two), or `CERTBOOK_PG_WRITERS`. More than the cores measured slower
/// on two cores (scripts/bench-serve): each batch costs its own BEGIN and COMMIT.
fn pg_writers() -> usize {
    std::env::var("CERTBOOK_PG_WRITERS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(2, 16))
        .clamp(1, 32)
}

/// The advisory locks a PostgreSQL batch takes before its first job, as one statement.
///
/// Every write in every server takes [`migrations_pg::MIGRATION_LOCK`]: a batch of
/// learners' own writes takes it shared, plus an exclusive lock per learner (in
/// ascending order, so two batches never wait on each other in a circle); a batch with
/// any other write takes it exclusive and runs alone. So one learner's writes take
/// turns across all servers, as they do in SQLite's single writer, and the exam rules
/// (attempt limits, one open attempt, a device's claim, a certificate issued once) hold
/// however many writers there are. Rows several learners share (score histograms,
/// status-list slots) are written under [`lock_shared_rows`].
fn pg_batch_locks(batch: &[Queued]) -> String {
    let global = migrations_pg::MIGRATION_LOCK;
    if batch.iter().any(|q| q.learner.is_none()) {
        return format!("BEGIN; SELECT pg_advisory_xact_lock({global})");
    }
    let mut keys: Vec<i32> = batch.iter().filter_map(|q| q.learner).map(learner_lock_key).collect();
    keys.sort_unstable();
    keys.dedup();
    let mut sql = format!("BEGIN; SELECT pg_advisory_xact_lock_shared({global})");
    for k in keys {
        sql.push_str(&format!("; SELECT pg_advisory_xact_lock({}, {k})", migrations_pg::LEARNER_LOCKS));
    }
    sql
}

/// A learner's advisory lock key (a collision only makes two learners take turns).
fn learner_lock_key(user_id: i64) -> i32 {
    user_id.rem_euclid(i32::MAX as i64) as i32
}

/// Takes the lock for rows that several learners' writes share, until the transaction
/// ends (PostgreSQL; SQLite's one writer needs none). Taken after the batch's locks
/// and never before another, it cannot close a circle of waits.
pub(super) fn lock_shared_rows(tx: &Conn) -> db::Result<()> {
    if tx.is_pg() {
        tx.execute_batch(&format!("SELECT pg_advisory_xact_lock({})", migrations_pg::SHARED_ROWS_LOCK))?;
    }
    Ok(())
}

/// A writer thread: takes the next job, then whatever else is already queued, and
/// runs them in one transaction, each inside its own savepoint so a failing job
/// rolls back alone. Callers hear back only after COMMIT: what is acknowledged is
/// on disk (group commit). SQLite has one such thread; PostgreSQL several, each with
/// its own connection, a learner's writes always on the same one (see [`pg_batch_locks`]).
fn writer_loop(mut link: Link, location: Arc<Location>, jobs: std::sync::mpsc::Receiver<Queued>) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        // A PostgreSQL server that restarted dropped the connection: take a new one.
        if let (Link::Pg(c), Location::Postgres(url)) = (&link, &*location)
            && c.is_closed()
            && let Ok(fresh) = connect_pg(url)
        {
            link = Link::Pg(Box::new(fresh));
        }
        link.with(|c| run_batch(c, batch));
    }
}

/// Runs a batch in one transaction, each job inside the savepoint `op`: a failing job
/// rolls back to it alone. The statements around the jobs travel together (BEGIN with the
/// first savepoint, each release with the next savepoint, the last with COMMIT), and on
/// PostgreSQL with the job's first statement too, so they cost no round trip of their
/// own except the COMMIT. If any of them fails,
/// the transaction is rolled back and every job hears so: PostgreSQL would otherwise
/// answer COMMIT on a failed transaction by rolling back without an error.
fn run_batch(c: &Conn, batch: Vec<Queued>) {
    let begin = if c.is_pg() {
        pg_batch_locks(&batch)
    } else {
        "BEGIN IMMEDIATE".to_string()
    };
    // A batch of one needs no savepoint: its transaction is the job's.
    let alone = batch.len() == 1;
    let mut control = if alone { begin } else { format!("{begin}; SAVEPOINT op") };
    let mut failed = None;
    let mut deliveries = Vec::with_capacity(batch.len());
    let last = batch.len() - 1;
    for (i, q) in batch.into_iter().enumerate() {
        // On PostgreSQL the control goes out with the job's first statement.
        if let Err(e) = c.defer_batch(&control) {
            // The jobs not run are dropped: their callers hear the writer dropped them.
            failed = Some(e.to_string());
            break;
        }
        c.begin_job(alone);
        let ran = (q.job)(c);
        if let Some(e) = c.deferred_failure() {
            deliveries.push(ran.deliver);
            failed = Some(e);
            break;
        }
        control = match (alone, ran.ok) {
            // Its last statement carried the COMMIT (see `Conn::commit_with_next`).
            (true, true) if c.committed() => String::new(),
            // The SELECT fails if a statement failed unnoticed (see above), so COMMIT never
            // runs on an aborted transaction.
            (true, true) => "SELECT 1; COMMIT".to_string(),
            (true, false) => "ROLLBACK".to_string(),
            (false, ok) => {
                let end = if ok { "RELEASE op" } else { "ROLLBACK TO op; RELEASE op" };
                format!("{end}; {}", if i == last { "COMMIT" } else { "SAVEPOINT op" })
            }
        };
        deliveries.push(ran.deliver);
    }
    let outcome = match failed {
        Some(e) => Err(e),
        None if control.is_empty() => Ok(()),
        None => c.execute_batch(&control).map_err(|e| e.to_string()),
    };
    if outcome.is_err() {
        let _ = c.execute_batch("ROLLBACK");
    }
    for deliver in deliveries {
        deliver(outcome.clone());
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
    /// Opens (creating if needed) the SQLite database at `path` and applies migrations.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let mut conn = Connection::open(path)?;
        configure(&conn)?;
        migrations::migrations().to_latest(&mut conn)?;
        Self::start(vec![Link::Lite(conn)], Location::File(path.to_path_buf()))
    }

    /// Opens the database `spec` names: a `postgres://` URL, else an SQLite file path.
    pub fn open_spec(spec: &str) -> Result<Store, StoreError> {
        if is_postgres_url(spec) {
            Self::open_postgres(spec)
        } else {
            Self::open(Path::new(spec))
        }
    }

    /// Connects to the PostgreSQL database at `url` and brings its schema up to date
    /// (once, under a lock, however many servers start together).
    pub fn open_postgres(url: &str) -> Result<Store, StoreError> {
        // The synchronous client runs its own small runtime: connect on a plain thread,
        // so opening works from async code too.
        let owned = url.to_string();
        let links = std::thread::spawn(move || -> Result<Vec<Link>, StoreError> {
            let mut conn = connect_pg(&owned)?;
            migrations_pg::migrate(&mut conn).map_err(StoreError::Invalid)?;
            let mut links = vec![Link::Pg(Box::new(conn))];
            for _ in 1..pg_writers() {
                links.push(Link::Pg(Box::new(connect_pg(&owned)?)));
            }
            Ok(links)
        })
        .join()
        .map_err(|_| StoreError::Join("connecting to PostgreSQL panicked".into()))??;
        Self::start(links, Location::Postgres(url.to_string()))
    }

    fn start(links: Vec<Link>, location: Location) -> Result<Store, StoreError> {
        let location = Arc::new(location);
        let mut lanes = Vec::with_capacity(links.len());
        for link in links {
            let (tx, rx) = std::sync::mpsc::channel::<Queued>();
            let at = location.clone();
            std::thread::Builder::new()
                .name("certbook-db-writer".into())
                .spawn(move || writer_loop(link, at, rx))
                .map_err(|e| StoreError::Join(e.to_string()))?;
            lanes.push(tx);
        }
        Ok(Store {
            location,
            lanes: lanes.into(),
            readers: Arc::new(Readers::default()),
        })
    }

    /// Whether the data lives in PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        matches!(*self.location, Location::Postgres(_))
    }

    /// Queues `f` for a writer thread (the learner's, when it writes only `learner`'s
    /// records); `done` receives its result after the commit.
    fn enqueue<R, F>(&self, learner: Option<i64>, f: F, done: impl FnOnce(Result<R, StoreError>) + Send + 'static) -> Result<(), StoreError>
    where
        F: FnOnce(&Conn) -> Result<R, StoreError> + Send + 'static,
        R: Send + 'static,
    {
        let job: Job = Box::new(move |conn: &Conn| {
            let result = f(conn);
            Ran {
                ok: result.is_ok(),
                deliver: Box::new(move |committed: Result<(), String>| {
                    done(committed.map_err(StoreError::Commit).and(result));
                }),
            }
        });
        let lane = learner.map_or(0, |u| u.rem_euclid(self.lanes.len() as i64) as usize);
        self.lanes[lane]
            .send(Queued { learner, job })
            .map_err(|_| StoreError::Join("the database writer has stopped".into()))
    }

    /// Runs `f` on a writer connection inside a transaction; returns once committed.
    pub(crate) async fn write<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        F: FnOnce(&Conn) -> Result<R, StoreError> + Send + 'static,
        R: Send + 'static,
    {
        self.write_as(None, f).await
    }

    /// Like [`Store::write`], for a write that touches only `learner`'s own records (and
    /// shared rows under [`lock_shared_rows`]): on PostgreSQL it runs beside other
    /// learners' writes instead of alone.
    pub(crate) async fn write_learner<R, F>(&self, learner: i64, f: F) -> Result<R, StoreError>
    where
        F: FnOnce(&Conn) -> Result<R, StoreError> + Send + 'static,
        R: Send + 'static,
    {
        self.write_as(Some(learner), f).await
    }

    async fn write_as<R, F>(&self, learner: Option<i64>, f: F) -> Result<R, StoreError>
    where
        F: FnOnce(&Conn) -> Result<R, StoreError> + Send + 'static,
        R: Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.enqueue(learner, f, move |r| {
            let _ = tx.send(r);
        })?;
        rx.await
            .map_err(|_| StoreError::Join("the database writer dropped the request".into()))?
    }

    /// Like [`Store::write`], for code outside the async runtime (CLI, tests).
    pub(crate) fn write_blocking<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        F: FnOnce(&Conn) -> Result<R, StoreError> + Send + 'static,
        R: Send + 'static,
    {
        let (tx, rx) = std::sync::mpsc::channel();
        self.enqueue(None, f, move |r| {
            let _ = tx.send(r);
        })?;
        rx.recv()
            .map_err(|_| StoreError::Join("the database writer dropped the request".into()))?
    }

    /// Runs `f` on a reader connection, on the blocking thread pool.
    pub(crate) async fn read<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        F: FnOnce(&Conn) -> Result<R, StoreError> + Send + 'static,
        R: Send + 'static,
    {
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.read_here(f))
            .await
            .map_err(|e| StoreError::Join(e.to_string()))?
    }

    /// Runs `f` on a reader connection, for code outside the async runtime (CLI, tests).
    /// PostgreSQL's client blocks on a runtime of its own, which a thread driving async
    /// tasks must not do: from such a thread the read runs on a scoped thread.
    pub(crate) fn read_blocking<R: Send>(&self, f: impl FnOnce(&Conn) -> Result<R, StoreError> + Send) -> Result<R, StoreError> {
        if self.is_postgres() && tokio::runtime::Handle::try_current().is_ok() {
            return std::thread::scope(|s| s.spawn(|| self.read_here(f)).join())
                .map_err(|_| StoreError::Join("a database read panicked".into()))?;
        }
        self.read_here(f)
    }

    /// Runs `f` on a reader connection in the calling thread.
    fn read_here<R>(&self, f: impl FnOnce(&Conn) -> Result<R, StoreError>) -> Result<R, StoreError> {
        let mut conn = self.take_reader()?;
        let r = conn.with(f);
        let mut pool = self.readers.pool.lock().unwrap_or_else(|p| p.into_inner());
        // A broken PostgreSQL connection is not put back: the next read opens another.
        if matches!(&conn, Link::Pg(c) if c.is_closed()) {
            pool.open -= 1;
        } else {
            pool.idle.push(conn);
        }
        drop(pool);
        self.readers.freed.notify_one();
        r
    }

    /// An idle reader, a new one while fewer than [`MAX_READERS`] are open, or the next freed.
    fn take_reader(&self) -> Result<Link, StoreError> {
        let mut pool = self.readers.pool.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(c) = pool.idle.pop() {
                return Ok(c);
            }
            if pool.open < MAX_READERS {
                pool.open += 1;
                drop(pool);
                let opened = match &*self.location {
                    Location::File(path) => Connection::open(path)
                        .map_err(StoreError::from)
                        .and_then(|c| configure(&c).map(|_| Link::Lite(c)).map_err(StoreError::from)),
                    Location::Postgres(url) => connect_pg(url).map(|c| Link::Pg(Box::new(c))),
                };
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
                        c.execute("INSERT INTO no_such_table VALUES (1)", ())?;
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
            .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM users", (), |r| r.get(0))?))
            .await
            .unwrap();
        assert_eq!(n, 40);
    }

    /// A fresh PostgreSQL database for a store test, or `None` (skipped with a note) when
    /// none is configured; CI configures one, so there the test cannot be skipped.
    fn pg_store(test: &str) -> Option<Store> {
        let Some(admin) = std::env::var("CERTBOOK_TEST_PG_ADMIN").ok().filter(|u| !u.is_empty()) else {
            assert!(
                std::env::var_os("CI").is_none(),
                "{test} needs PostgreSQL: set CERTBOOK_TEST_PG_ADMIN"
            );
            eprintln!("skipping {test}: no PostgreSQL (set CERTBOOK_TEST_PG_ADMIN)");
            return None;
        };
        let name = format!("u{}_{}", std::process::id(), rand::random::<u32>());
        let mut c = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
        c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
        Some(Store::open_postgres(&url).unwrap())
    }

    /// On PostgreSQL a statement error aborts the whole transaction and COMMIT then rolls
    /// back without an error. A job that swallows such an error must not make the batch
    /// report success: every job in it hears of the failure and nothing is stored.
    #[test]
    fn a_job_that_hides_a_failed_statement_fails_its_batch_on_postgres() {
        let Some(store) = pg_store("a_job_that_hides_a_failed_statement_fails_its_batch_on_postgres") else {
            return;
        };
        let (tx, rx) = std::sync::mpsc::channel::<(usize, Result<(), StoreError>)>();
        // The first job holds the writer, so the next three queue and run as one batch.
        let hold = tx.clone();
        store
            .enqueue(
                None,
                |c| Ok(c.execute_batch("SELECT pg_sleep(0.3)")?),
                move |r| hold.send((0, r)).unwrap(),
            )
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(100));
        for i in 1..=3 {
            let to = tx.clone();
            store
                .enqueue(
                    None,
                    move |c| {
                        upsert_user(c, &format!("u{i}"), "n", Role::Learner, "h", 0)?;
                        if i == 2 {
                            let _ = c.execute("INSERT INTO no_such_table VALUES (1)", ());
                        }
                        Ok(())
                    },
                    move |r| to.send((i, r)).unwrap(),
                )
                .unwrap();
        }
        drop(tx);
        // Job 3 hears the failure too, or (if the writer stopped before it) is dropped, and
        // its caller hears that instead of a result.
        let mut heard: Vec<(usize, bool)> = rx.iter().map(|(i, r)| (i, r.is_ok())).collect();
        heard.sort();
        assert_eq!(heard[..3], [(0, true), (1, false), (2, false)], "{heard:?}");
        assert!(heard[3..].iter().all(|(_, ok)| !ok), "{heard:?}");
        let users: i64 = store
            .read_blocking(|c| Ok(c.query_row("SELECT COUNT(*) FROM users", (), |r| r.get(0))?))
            .unwrap();
        assert_eq!(users, 0, "a batch reported failed must store nothing");
        // A job alone in its batch (no savepoint) is caught the same way.
        let alone = store.write_blocking(|c| {
            upsert_user(c, "alone", "n", Role::Learner, "h", 0)?;
            let _ = c.execute("INSERT INTO no_such_table VALUES (1)", ());
            Ok(())
        });
        assert!(alone.is_err(), "a job alone whose transaction aborted must not be acknowledged");
        let users: i64 = store
            .read_blocking(|c| Ok(c.query_row("SELECT COUNT(*) FROM users", (), |r| r.get(0))?))
            .unwrap();
        assert_eq!(users, 0);
    }

    /// A job that commits with its last statement stores what it wrote in that round trip;
    /// if that statement fails, nothing of the job is stored and its caller hears so; in a
    /// batch of several jobs the mark is ignored and the batch stays one transaction.
    #[test]
    fn a_job_that_commits_with_its_last_statement_on_postgres() {
        let Some(store) = pg_store("a_job_that_commits_with_its_last_statement_on_postgres") else {
            return;
        };
        let count = |store: &Store| -> i64 {
            store
                .read_blocking(|c| Ok(c.query_row("SELECT COUNT(*) FROM users", (), |r| r.get(0))?))
                .unwrap()
        };
        store
            .write_blocking(|c| {
                upsert_user(c, "first", "n", Role::Learner, "h", 0)?;
                c.commit_with_next();
                upsert_user(c, "second", "n", Role::Learner, "h", 0)?;
                Ok(())
            })
            .unwrap();
        assert_eq!(count(&store), 2, "both writes committed");
        // The last statement fails: the job's first write goes with it.
        let failed = store.write_blocking(|c| {
            upsert_user(c, "third", "n", Role::Learner, "h", 0)?;
            c.commit_with_next();
            c.execute("INSERT INTO no_such_table VALUES (1)", ())?;
            Ok(())
        });
        assert!(failed.is_err());
        assert_eq!(count(&store), 2, "a failed last statement commits nothing");
        // A last statement the connection has not prepared before: its preparation must
        // not carry the COMMIT (the statement would then run outside the transaction).
        let failed = store.write_blocking(|c| {
            upsert_user(c, "third", "n", Role::Learner, "h", 0)?;
            c.commit_with_next();
            c.execute("INSERT INTO users (id, username) VALUES (-1, NULL)", ())?;
            Ok(())
        });
        assert!(failed.is_err(), "the NOT NULL username refuses the row");
        assert_eq!(count(&store), 2, "nothing of the job is stored");
        // The writer goes on with a clean transaction afterwards.
        store
            .write_blocking(|c| upsert_user(c, "fourth", "n", Role::Learner, "h", 0).map(|_| ()))
            .unwrap();
        assert_eq!(count(&store), 3);
        // In a batch of several the mark is ignored: a later job's failure undoes only its own part.
        let (tx, rx) = std::sync::mpsc::channel::<(usize, bool)>();
        let hold = tx.clone();
        store
            .enqueue(
                None,
                |c| Ok(c.execute_batch("SELECT pg_sleep(0.3)")?),
                move |r| hold.send((0, r.is_ok())).unwrap(),
            )
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(100));
        for i in 1..=2 {
            let to = tx.clone();
            store
                .enqueue(
                    None,
                    move |c| {
                        c.commit_with_next();
                        upsert_user(c, &format!("batch{i}"), "n", Role::Learner, "h", 0)?;
                        Ok(())
                    },
                    move |r| to.send((i, r.is_ok())).unwrap(),
                )
                .unwrap();
        }
        drop(tx);
        let mut heard: Vec<(usize, bool)> = rx.iter().collect();
        heard.sort();
        assert_eq!(heard, [(0, true), (1, true), (2, true)]);
        assert_eq!(count(&store), 5);
    }
}
