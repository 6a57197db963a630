//! One connection type over the two databases the store speaks: SQLite (embedded, the
//! default) and PostgreSQL (for several instances on one database). Store functions are
//! written once against [`Conn`]: `?N` placeholders, SQL both understand (`ON CONFLICT`,
//! `RETURNING`, `CAST(… AS BIGINT)`), and values typed as SQLite types them — integers,
//! reals, text, blobs — which PostgreSQL columns mirror (BIGINT, DOUBLE PRECISION, TEXT,
//! BYTEA; booleans are 0/1 BIGINTs as in SQLite). Where the dialects differ, the
//! function asks [`Conn::is_pg`].

use std::cell::RefCell;
use std::collections::HashMap;

pub type Result<T> = std::result::Result<T, Error>;

/// What a database reported.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error("{}", pg_message(.0))]
    Pg(#[from] postgres::Error),
    #[error("query returned no rows")]
    NoRows,
    #[error("{0}")]
    Conversion(String),
}

impl Error {
    /// A unique or primary-key constraint refused the write.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            Error::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => e.code == rusqlite::ErrorCode::ConstraintViolation,
            Error::Pg(e) => e.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION),
            _ => false,
        }
    }
}

/// PostgreSQL's own words (the client's `Display` says only "db error").
fn pg_message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!(
            "{}: {}{}",
            db.severity(),
            db.message(),
            db.detail().map(|d| format!(" ({d})")).unwrap_or_default()
        ),
        None => std::error::Error::source(e).map_or_else(|| e.to_string(), |s| format!("{e}: {s}")),
    }
}

/// `query_row(…).optional()`: no row is `None`, not an error.
pub trait Optional<T> {
    fn optional(self) -> Result<Option<T>>;
}

impl<T> Optional<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(Error::NoRows) | Err(Error::Sqlite(rusqlite::Error::QueryReturnedNoRows)) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// A value as SQLite types it.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// Anything bound to a statement.
pub trait ToParam {
    fn to_value(&self) -> Value;
}

macro_rules! int_param {
    ($($t:ty),*) => {$(
        impl ToParam for $t {
            fn to_value(&self) -> Value {
                Value::Int(*self as i64)
            }
        }
    )*};
}
int_param!(i64, i32, u32, u16, u8, usize, u64);

impl ToParam for f64 {
    fn to_value(&self) -> Value {
        Value::Real(*self)
    }
}
impl ToParam for bool {
    fn to_value(&self) -> Value {
        Value::Int(i64::from(*self))
    }
}
impl ToParam for str {
    fn to_value(&self) -> Value {
        Value::Text(self.to_string())
    }
}
impl ToParam for String {
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }
}
impl ToParam for [u8] {
    fn to_value(&self) -> Value {
        Value::Blob(self.to_vec())
    }
}
impl ToParam for Vec<u8> {
    fn to_value(&self) -> Value {
        Value::Blob(self.clone())
    }
}
impl ToParam for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
}
impl<T: ToParam + ?Sized> ToParam for &T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}
impl<T: ToParam> ToParam for Option<T> {
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToParam::to_value)
    }
}

/// A statement's parameters: `()`, an array, `params![…]` or a list of [`Value`]s.
pub trait Params {
    fn values(self) -> Vec<Value>;
}

impl Params for () {
    fn values(self) -> Vec<Value> {
        Vec::new()
    }
}
impl<T: ToParam, const N: usize> Params for [T; N] {
    fn values(self) -> Vec<Value> {
        self.iter().map(ToParam::to_value).collect()
    }
}
impl Params for &[&dyn ToParam] {
    fn values(self) -> Vec<Value> {
        self.iter().map(|p| p.to_value()).collect()
    }
}
impl Params for Vec<Value> {
    fn values(self) -> Vec<Value> {
        self
    }
}

/// `params![a, b, c]`: parameters of mixed types.
#[macro_export]
macro_rules! db_params {
    () => { &[] as &[&dyn $crate::store::db::ToParam] };
    ($($x:expr),+ $(,)?) => { &[$(&$x as &dyn $crate::store::db::ToParam),+] as &[&dyn $crate::store::db::ToParam] };
}
pub use crate::db_params as params;

/// A column read into a Rust type.
pub trait FromCol: Sized {
    fn from_value(v: Value) -> std::result::Result<Self, String>;
}

impl FromCol for Value {
    fn from_value(v: Value) -> std::result::Result<Self, String> {
        Ok(v)
    }
}
impl FromCol for i64 {
    fn from_value(v: Value) -> std::result::Result<Self, String> {
        match v {
            Value::Int(i) => Ok(i),
            other => Err(format!("expected an integer, found {other:?}")),
        }
    }
}
macro_rules! narrow_col {
    ($($t:ty),*) => {$(
        impl FromCol for $t {
            fn from_value(v: Value) -> std::result::Result<Self, String> {
                let i = i64::from_value(v)?;
                <$t>::try_from(i).map_err(|_| format!("{i} is out of range for {}", stringify!($t)))
            }
        }
    )*};
}
narrow_col!(i32, u32, usize);
impl FromCol for u64 {
    fn from_value(v: Value) -> std::result::Result<Self, String> {
        // Seeds are stored as i64 bit patterns.
        Ok(i64::from_value(v)? as u64)
    }
}
impl FromCol for f64 {
    fn from_value(v: Value) -> std::result::Result<Self, String> {
        match v {
            Value::Real(f) => Ok(f),
            Value::Int(i) => Ok(i as f64),
            other => Err(format!("expected a number, found {other:?}")),
        }
    }
}
impl FromCol for bool {
    fn from_value(v: Value) -> std::result::Result<Self, String> {
        Ok(i64::from_value(v)? != 0)
    }
}
impl FromCol for String {
    fn from_value(v: Value) -> std::result::Result<Self, String> {
        match v {
            Value::Text(s) => Ok(s),
            other => Err(format!("expected text, found {other:?}")),
        }
    }
}
impl FromCol for Vec<u8> {
    fn from_value(v: Value) -> std::result::Result<Self, String> {
        match v {
            Value::Blob(b) => Ok(b),
            other => Err(format!("expected bytes, found {other:?}")),
        }
    }
}
impl<T: FromCol> FromCol for Option<T> {
    fn from_value(v: Value) -> std::result::Result<Self, String> {
        match v {
            Value::Null => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }
}

/// A column by position or name.
pub trait RowIndex {
    fn position(&self, row: &Row<'_>) -> Result<usize>;
}
impl RowIndex for usize {
    fn position(&self, _: &Row<'_>) -> Result<usize> {
        Ok(*self)
    }
}
impl RowIndex for &str {
    fn position(&self, row: &Row<'_>) -> Result<usize> {
        let names = row.names();
        names
            .iter()
            .position(|n| n == self)
            .ok_or_else(|| Error::Conversion(format!("no column `{self}`")))
    }
}

/// One result row.
pub enum Row<'a> {
    Lite(&'a rusqlite::Row<'a>),
    Pg(&'a postgres::Row),
}

impl Row<'_> {
    /// The column `i` as `T`.
    pub fn get<I: RowIndex, T: FromCol>(&self, i: I) -> Result<T> {
        let at = i.position(self)?;
        T::from_value(self.value(at)?).map_err(|e| Error::Conversion(format!("column {at}: {e}")))
    }

    fn names(&self) -> Vec<String> {
        match self {
            Row::Lite(r) => r.as_ref().column_names().into_iter().map(str::to_string).collect(),
            Row::Pg(r) => r.columns().iter().map(|c| c.name().to_string()).collect(),
        }
    }

    /// The raw value of column `i`.
    pub fn value(&self, i: usize) -> Result<Value> {
        match self {
            Row::Lite(r) => Ok(match r.get_ref(i)? {
                rusqlite::types::ValueRef::Null => Value::Null,
                rusqlite::types::ValueRef::Integer(n) => Value::Int(n),
                rusqlite::types::ValueRef::Real(f) => Value::Real(f),
                rusqlite::types::ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                rusqlite::types::ValueRef::Blob(b) => Value::Blob(b.to_vec()),
            }),
            Row::Pg(r) => pg::value(r, i),
        }
    }
}

/// A connection (inside the store's transaction, or a read snapshot).
pub enum Conn<'a> {
    Lite(&'a rusqlite::Connection),
    Pg(RefCell<&'a mut pg::PgConn>),
}

impl<'a> Conn<'a> {
    /// The SQLite connection, for what only SQLite has (its file, `rowid`, backups).
    pub fn lite(&self) -> Option<&rusqlite::Connection> {
        match self {
            Conn::Lite(c) => Some(c),
            Conn::Pg(_) => None,
        }
    }

    /// Whether this is PostgreSQL (for the few statements the dialects spell differently).
    pub fn is_pg(&self) -> bool {
        matches!(self, Conn::Pg(_))
    }

    /// A subquery listing the texts of the JSON array bound to parameter `?n`
    /// (`… IN (<this>)`).
    pub fn json_texts(&self, n: usize) -> String {
        if self.is_pg() {
            format!("SELECT json_array_elements_text(CAST(CAST(?{n} AS TEXT) AS json))")
        } else {
            format!("SELECT value FROM json_each(?{n})")
        }
    }

    /// The texts of `expr` over a group joined by `sep` (SQLite's `group_concat`).
    pub fn group_concat(&self, expr: &str, sep: &str) -> String {
        if self.is_pg() {
            format!("string_agg(CAST({expr} AS TEXT), '{sep}')")
        } else {
            format!("group_concat({expr}, '{sep}')")
        }
    }

    pub fn execute<P: Params>(&self, sql: &str, params: P) -> Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }

    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        match self {
            Conn::Lite(c) => Ok(c.execute_batch(sql)?),
            Conn::Pg(c) => c.borrow_mut().batch_execute(sql),
        }
    }

    /// Runs `sql` (transaction control) before the next statement: at once on SQLite; on
    /// PostgreSQL it is sent together with the next statement, saving a round trip. Its
    /// failure is reported by [`Conn::deferred_failure`] (and fails that statement).
    pub fn defer_batch(&self, sql: &str) -> Result<()> {
        match self {
            Conn::Lite(c) => Ok(c.execute_batch(sql)?),
            Conn::Pg(c) => {
                c.borrow_mut().defer(sql);
                Ok(())
            }
        }
    }

    /// Marks the next statement as the job's last: on PostgreSQL, in a batch of one job,
    /// its COMMIT goes out in the same round trip. The job must not fail after it (what
    /// it wrote is committed); the writer then sends no COMMIT of its own. No-op on SQLite.
    pub fn commit_with_next(&self) {
        if let Conn::Pg(c) = self {
            c.borrow_mut().commit_next = true;
        }
    }

    /// Starts a writer job: whether it is alone in its batch (its transaction is its own).
    pub(crate) fn begin_job(&self, alone: bool) {
        if let Conn::Pg(c) = self {
            let mut c = c.borrow_mut();
            c.alone = alone;
            c.commit_next = false;
            c.committed = false;
        }
    }

    /// Whether the job's last statement carried its COMMIT (see [`Conn::commit_with_next`]).
    pub(crate) fn committed(&self) -> bool {
        match self {
            Conn::Lite(_) => false,
            Conn::Pg(c) => c.borrow().committed,
        }
    }

    /// The error of deferred control that has failed since the last call, if any.
    pub fn deferred_failure(&self) -> Option<String> {
        match self {
            Conn::Lite(_) => None,
            Conn::Pg(c) => c.borrow_mut().failed.take(),
        }
    }

    pub fn query_row<P: Params, T>(&self, sql: &str, params: P, f: impl FnOnce(&Row<'_>) -> Result<T>) -> Result<T> {
        self.prepare_cached(sql)?.query_row(params, f)
    }

    /// A statement, prepared once per connection.
    pub fn prepare_cached(&self, sql: &str) -> Result<Stmt<'_, 'a>> {
        Ok(match self {
            Conn::Lite(c) => Stmt::Lite(c.prepare_cached(sql)?),
            Conn::Pg(_) => Stmt::Pg {
                conn: self,
                sql: sql.to_string(),
            },
        })
    }

    /// A statement for one use (SQL made at run time).
    pub fn prepare(&self, sql: &str) -> Result<Stmt<'_, 'a>> {
        self.prepare_cached(sql)
    }

    /// Runs `f` in one read snapshot (a transaction that only reads), so the statements it
    /// runs all see the same data.
    pub fn snapshot<R>(&self, f: impl FnOnce() -> std::result::Result<R, super::StoreError>) -> std::result::Result<R, super::StoreError> {
        let begin = if self.is_pg() {
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
        } else {
            "BEGIN"
        };
        self.execute_batch(begin)?;
        let r = f();
        let end = self.execute_batch(if r.is_ok() { "COMMIT" } else { "ROLLBACK" });
        let r = r?;
        end?;
        Ok(r)
    }
}

/// A prepared statement.
pub enum Stmt<'c, 'a> {
    Lite(rusqlite::CachedStatement<'c>),
    Pg { conn: &'c Conn<'a>, sql: String },
}

impl Stmt<'_, '_> {
    pub fn execute<P: Params>(&mut self, params: P) -> Result<usize> {
        let values = params.values();
        match self {
            Stmt::Lite(s) => Ok(s.execute(rusqlite::params_from_iter(values.iter().map(lite_value)))?),
            Stmt::Pg { conn, sql } => pg::execute(conn, sql, &values),
        }
    }

    /// Every row mapped by `f` (read whole before returning).
    pub fn query_map<P: Params, T>(
        &mut self,
        params: P,
        mut f: impl FnMut(&Row<'_>) -> Result<T>,
    ) -> Result<std::vec::IntoIter<Result<T>>> {
        let values = params.values();
        let mut out = Vec::new();
        match self {
            Stmt::Lite(s) => {
                let mut rows = s.query(rusqlite::params_from_iter(values.iter().map(lite_value)))?;
                while let Some(r) = rows.next()? {
                    out.push(f(&Row::Lite(r)));
                }
            }
            Stmt::Pg { conn, sql } => {
                for r in pg::query(conn, sql, &values)? {
                    out.push(f(&Row::Pg(&r)));
                }
            }
        }
        Ok(out.into_iter())
    }

    /// The first row mapped by `f`; [`Error::NoRows`] when there is none.
    pub fn query_row<P: Params, T>(&mut self, params: P, f: impl FnOnce(&Row<'_>) -> Result<T>) -> Result<T> {
        let values = params.values();
        match self {
            Stmt::Lite(s) => {
                let mut rows = s.query(rusqlite::params_from_iter(values.iter().map(lite_value)))?;
                match rows.next()? {
                    Some(r) => f(&Row::Lite(r)),
                    None => Err(Error::NoRows),
                }
            }
            Stmt::Pg { conn, sql } => match pg::query(conn, sql, &values)?.first() {
                Some(r) => f(&Row::Pg(r)),
                None => Err(Error::NoRows),
            },
        }
    }

    /// Runs `f` on each row as it arrives, without holding the whole result (exports),
    /// while it returns true.
    pub fn for_each<P: Params>(&mut self, params: P, mut f: impl FnMut(&Row<'_>) -> Result<bool>) -> Result<()> {
        let values = params.values();
        match self {
            Stmt::Lite(s) => {
                let mut rows = s.query(rusqlite::params_from_iter(values.iter().map(lite_value)))?;
                while let Some(r) = rows.next()? {
                    if !f(&Row::Lite(r))? {
                        break;
                    }
                }
                Ok(())
            }
            Stmt::Pg { conn, sql } => pg::for_each(conn, sql, &values, |r| f(&Row::Pg(r))),
        }
    }

    /// The result's column names.
    pub fn column_names(&self) -> Vec<String> {
        match self {
            Stmt::Lite(s) => s.column_names().into_iter().map(str::to_string).collect(),
            Stmt::Pg { conn, sql } => pg::column_names(conn, sql).unwrap_or_default(),
        }
    }
}

fn lite_value(v: &Value) -> rusqlite::types::Value {
    match v {
        Value::Null => rusqlite::types::Value::Null,
        Value::Int(i) => rusqlite::types::Value::Integer(*i),
        Value::Real(f) => rusqlite::types::Value::Real(*f),
        Value::Text(s) => rusqlite::types::Value::Text(s.clone()),
        Value::Blob(b) => rusqlite::types::Value::Blob(b.clone()),
    }
}

/// The PostgreSQL side: `?N` placeholders become `$N`, statements are prepared once per
/// connection, and values convert to whatever type the server inferred for each
/// parameter (an integer bound to a DOUBLE PRECISION column is sent as a double).
pub mod pg {
    use super::{Conn, Error, HashMap, Result, Value};
    use postgres::types::{IsNull, ToSql, Type, to_sql_checked};

    /// A client with its statement cache. It drives its connection on a small runtime of
    /// its own, blocking the calling thread (a writer or reader thread, never async code),
    /// so that transaction control can be pipelined with the statement after it.
    pub struct PgConn {
        rt: tokio::runtime::Runtime,
        client: tokio_postgres::Client,
        cache: HashMap<String, tokio_postgres::Statement>,
        /// Transaction control to send ahead of the next statement, in the same round trip.
        pending: Option<String>,
        /// Why pending control failed, until the writer asks.
        pub(crate) failed: Option<String>,
        /// The writer's job is alone in its batch: it may commit with its last statement.
        pub(crate) alone: bool,
        /// The next statement is the job's last: COMMIT goes right after it.
        pub(crate) commit_next: bool,
        /// The job's last statement and its COMMIT both succeeded.
        pub(crate) committed: bool,
    }

    impl PgConn {
        /// Connects to `url`; the error is the driver's.
        pub fn connect(url: &str) -> std::result::Result<PgConn, postgres::Error> {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for the PostgreSQL connection");
            let (client, connection) = rt.block_on(tokio_postgres::connect(url, tokio_postgres::NoTls))?;
            rt.spawn(async move {
                if let Err(e) = connection.await {
                    tracing::debug!("PostgreSQL connection ended: {e}");
                }
            });
            Ok(PgConn {
                rt,
                client,
                cache: HashMap::new(),
                pending: None,
                failed: None,
                alone: false,
                commit_next: false,
                committed: false,
            })
        }

        /// Whether the server has closed the connection.
        pub fn is_closed(&self) -> bool {
            self.client.is_closed()
        }

        /// Runs `sql` (any number of statements, no parameters) after any pending control.
        pub fn batch_execute(&mut self, sql: &str) -> Result<()> {
            let sql = match self.pending.take() {
                Some(p) => format!("{p}; {sql}"),
                None => sql.to_string(),
            };
            Ok(self.rt.block_on(self.client.batch_execute(&sql))?)
        }

        /// Queues control to go out with the next statement (see [`super::Conn::defer_batch`]).
        pub fn defer(&mut self, sql: &str) {
            self.pending = Some(match self.pending.take() {
                Some(p) => format!("{p}; {sql}"),
                None => sql.to_string(),
            });
        }

        /// Runs `work` on the client, with pending control sent ahead of it in the same
        /// round trip: the server runs them in order, so the statement sees what the control
        /// did (a lock taken first, then the statement's snapshot). If the control fails, so
        /// does the statement, with the control's error.
        /// A statement marked as the job's last carries the COMMIT after it, in the same
        /// round trip: if the statement fails the transaction is aborted and COMMIT rolls it
        /// back; if COMMIT fails (a deferred constraint), so does the statement.
        fn run<R>(&mut self, work: impl AsyncFnOnce(&tokio_postgres::Client) -> std::result::Result<R, postgres::Error>) -> Result<R> {
            self.run_with(true, work)
        }

        /// [`PgConn::run`]; `may_commit` is false for what is not the statement itself (its
        /// preparation), which must never carry the COMMIT.
        fn run_with<R>(
            &mut self,
            may_commit: bool,
            work: impl AsyncFnOnce(&tokio_postgres::Client) -> std::result::Result<R, postgres::Error>,
        ) -> Result<R> {
            let commit = may_commit && self.alone && std::mem::take(&mut self.commit_next);
            let control = self.pending.take();
            if control.is_none() && !commit {
                return Ok(self.rt.block_on(work(&self.client))?);
            }
            let client = &self.client;
            let (ctl, out, end) = self.rt.block_on(async {
                futures_util::join!(
                    async {
                        match &control {
                            Some(c) => client.batch_execute(c).await,
                            None => Ok(()),
                        }
                    },
                    work(client),
                    async { if commit { client.batch_execute("COMMIT").await } else { Ok(()) } }
                )
            });
            if let Err(e) = ctl {
                self.failed = Some(super::pg_message(&e));
                return Err(e.into());
            }
            let out = out?;
            if let Err(e) = end {
                self.failed = Some(super::pg_message(&e));
                return Err(e.into());
            }
            self.committed = commit;
            Ok(out)
        }

        fn statement(&mut self, sql: &str) -> Result<tokio_postgres::Statement> {
            if let Some(s) = self.cache.get(sql) {
                return Ok(s.clone());
            }
            let text = placeholders(sql);
            let s = self.run_with(false, async |c| c.prepare(&text).await).inspect_err(|e| {
                tracing::error!(sql, "PostgreSQL refused a statement: {e}");
            })?;
            self.cache.insert(sql.to_string(), s.clone());
            Ok(s)
        }

        /// One row or none, for the migrations.
        pub fn query_opt(&mut self, sql: &str) -> Result<Option<postgres::Row>> {
            self.run(async |c| c.query_opt(sql, &[]).await)
        }

        /// A statement with parameters, for the migrations.
        pub fn execute_params(&mut self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<u64> {
            self.run(async |c| c.execute(sql, params).await)
        }
    }

    /// `?1` → `$1`, and a bare `?` → the next number, outside quoted text.
    pub fn placeholders(sql: &str) -> String {
        let mut out = String::with_capacity(sql.len() + 8);
        let mut next = 1;
        let mut quoted = false;
        let mut chars = sql.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\'' {
                quoted = !quoted;
                out.push(c);
            } else if c == '?' && !quoted {
                let mut n = String::new();
                while let Some(d) = chars.next_if(|d| d.is_ascii_digit()) {
                    n.push(d);
                }
                if n.is_empty() {
                    n = next.to_string();
                }
                next = n.parse::<usize>().unwrap_or(next) + 1;
                out.push('$');
                out.push_str(&n);
            } else {
                out.push(c);
            }
        }
        out
    }

    fn with<R>(conn: &Conn<'_>, f: impl FnOnce(&mut PgConn) -> Result<R>) -> Result<R> {
        match conn {
            Conn::Pg(c) => f(&mut c.borrow_mut()),
            Conn::Lite(_) => unreachable!("a PostgreSQL statement on SQLite"),
        }
    }

    pub fn execute(conn: &Conn<'_>, sql: &str, values: &[Value]) -> Result<usize> {
        with(conn, |c| {
            let st = c.statement(sql)?;
            let params: Vec<Param> = values.iter().map(|v| Param(v.clone())).collect();
            let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
            Ok(c.run(async |client| client.execute(&st, &refs).await)? as usize)
        })
    }

    pub fn query(conn: &Conn<'_>, sql: &str, values: &[Value]) -> Result<Vec<postgres::Row>> {
        with(conn, |c| {
            let st = c.statement(sql)?;
            let params: Vec<Param> = values.iter().map(|v| Param(v.clone())).collect();
            let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
            c.run(async |client| client.query(&st, &refs).await)
        })
    }

    pub fn for_each(conn: &Conn<'_>, sql: &str, values: &[Value], mut f: impl FnMut(&postgres::Row) -> Result<bool>) -> Result<()> {
        use futures_util::{StreamExt, pin_mut};
        with(conn, |c| {
            let st = c.statement(sql)?;
            if let Some(control) = c.pending.take() {
                c.rt.block_on(c.client.batch_execute(&control))?;
            }
            let params: Vec<Param> = values.iter().map(|v| Param(v.clone())).collect();
            let PgConn { rt, client, .. } = c;
            // Rows stream in as they come, so a large table never sits in memory whole.
            rt.block_on(async {
                let rows = client.query_raw(&st, params.iter()).await?;
                pin_mut!(rows);
                while let Some(r) = rows.next().await {
                    if !f(&r?)? {
                        break;
                    }
                }
                Ok(())
            })
        })
    }

    pub fn column_names(conn: &Conn<'_>, sql: &str) -> Result<Vec<String>> {
        with(conn, |c| {
            Ok(c.statement(sql)?.columns().iter().map(|c| c.name().to_string()).collect())
        })
    }

    /// Column `i` of a row as SQLite would type it.
    pub fn value(r: &postgres::Row, i: usize) -> Result<Value> {
        let ty = r
            .columns()
            .get(i)
            .ok_or_else(|| Error::Conversion(format!("no column {i}")))?
            .type_()
            .clone();
        let v = match ty {
            Type::INT8 => r.try_get::<_, Option<i64>>(i)?.map(Value::Int),
            Type::INT4 => r.try_get::<_, Option<i32>>(i)?.map(|n| Value::Int(n.into())),
            Type::INT2 => r.try_get::<_, Option<i16>>(i)?.map(|n| Value::Int(n.into())),
            Type::BOOL => r.try_get::<_, Option<bool>>(i)?.map(|b| Value::Int(b.into())),
            Type::FLOAT8 => r.try_get::<_, Option<f64>>(i)?.map(Value::Real),
            Type::FLOAT4 => r.try_get::<_, Option<f32>>(i)?.map(|f| Value::Real(f.into())),
            Type::BYTEA => r.try_get::<_, Option<Vec<u8>>>(i)?.map(Value::Blob),
            // SUM and AVG of integers, and integers divided by a decimal literal.
            Type::NUMERIC => r.try_get::<_, Option<Numeric>>(i)?.map(|n| match n {
                Numeric { value, integral: true } if value.abs() < 9.0e15 => Value::Int(value as i64),
                Numeric { value, .. } => Value::Real(value),
            }),
            Type::TEXT | Type::VARCHAR | Type::NAME | Type::BPCHAR => r.try_get::<_, Option<String>>(i)?.map(Value::Text),
            ref t if t.name() == "citext" => r.try_get::<_, Option<String>>(i)?.map(Value::Text),
            other => {
                return Err(Error::Conversion(format!(
                    "column {i} has type {other}, which the store does not read"
                )));
            }
        };
        Ok(v.unwrap_or(Value::Null))
    }

    /// A NUMERIC read as a double: the store never holds decimals, only sums, averages
    /// and quotients computed by queries.
    struct Numeric {
        value: f64,
        /// No digits after the point (a SUM of integers).
        integral: bool,
    }

    impl<'a> postgres::types::FromSql<'a> for Numeric {
        fn from_sql(_: &Type, raw: &'a [u8]) -> std::result::Result<Self, Box<dyn std::error::Error + Sync + Send>> {
            let word = |i: usize| -> std::result::Result<u16, Box<dyn std::error::Error + Sync + Send>> {
                raw.get(i..i + 2)
                    .map(|b| u16::from_be_bytes([b[0], b[1]]))
                    .ok_or_else(|| "a short NUMERIC".into())
            };
            // Binary NUMERIC: digit count, weight, sign, display scale, then base-10000 digits.
            let (n, weight, sign, scale) = (word(0)? as usize, word(2)? as i16, word(4)?, word(6)?);
            if sign == 0xC000 {
                return Ok(Numeric {
                    value: f64::NAN,
                    integral: false,
                });
            }
            let mut value = 0.0;
            for i in 0..n {
                value += f64::from(word(8 + 2 * i)?) * 10_000f64.powi(i32::from(weight) - i as i32);
            }
            if sign == 0x4000 {
                value = -value;
            }
            Ok(Numeric {
                value,
                integral: scale == 0,
            })
        }

        fn accepts(ty: &Type) -> bool {
            *ty == Type::NUMERIC
        }
    }

    /// A value sent as the type the server expects for its parameter.
    #[derive(Debug)]
    struct Param(Value);

    impl ToSql for Param {
        fn to_sql(&self, ty: &Type, out: &mut bytes::BytesMut) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
            let wrong = || -> Box<dyn std::error::Error + Sync + Send> { format!("cannot send {:?} as {ty}", self.0).into() };
            match (&self.0, ty) {
                (Value::Null, _) => Ok(IsNull::Yes),
                (Value::Int(i), &Type::INT8) => i.to_sql(ty, out),
                (Value::Int(i), &Type::INT4) => i32::try_from(*i).map_err(|_| wrong())?.to_sql(ty, out),
                (Value::Int(i), &Type::INT2) => i16::try_from(*i).map_err(|_| wrong())?.to_sql(ty, out),
                (Value::Int(i), &Type::FLOAT8) => (*i as f64).to_sql(ty, out),
                (Value::Int(i), &Type::BOOL) => (*i != 0).to_sql(ty, out),
                (Value::Int(i), &Type::TEXT | &Type::VARCHAR) => i.to_string().to_sql(ty, out),
                (Value::Real(f), &Type::FLOAT8) => f.to_sql(ty, out),
                (Value::Real(f), &Type::FLOAT4) => (*f as f32).to_sql(ty, out),
                (Value::Real(f), &Type::INT8) if f.fract() == 0.0 => (*f as i64).to_sql(ty, out),
                // Filters bind numbers as text (a LIMIT, say); SQLite converts, so do we.
                (Value::Text(s), &Type::INT8) => s.trim().parse::<i64>().map_err(|_| wrong())?.to_sql(ty, out),
                (Value::Text(s), &Type::INT4) => s.trim().parse::<i32>().map_err(|_| wrong())?.to_sql(ty, out),
                (Value::Text(s), &Type::FLOAT8) => s.trim().parse::<f64>().map_err(|_| wrong())?.to_sql(ty, out),
                (Value::Text(s), ty) if ty.name() == "citext" => s.to_sql(ty, out),
                (Value::Text(s), &Type::TEXT | &Type::VARCHAR | &Type::NAME | &Type::BPCHAR | &Type::UNKNOWN) => s.to_sql(ty, out),
                (Value::Blob(b), &Type::BYTEA) => b.to_sql(ty, out),
                _ => Err(wrong()),
            }
        }

        fn accepts(_: &Type) -> bool {
            true
        }

        to_sql_checked!();
    }
}

#[cfg(test)]
mod tests {
    use super::pg::placeholders;

    #[test]
    fn placeholders_are_numbered_for_postgres() {
        assert_eq!(placeholders("SELECT ?1, ?2 WHERE a = ?1"), "SELECT $1, $2 WHERE a = $1");
        assert_eq!(placeholders("VALUES (?, ?, '?')"), "VALUES ($1, $2, '?')");
        assert_eq!(placeholders("x = ?3 AND y = ?"), "x = $3 AND y = $4");
    }
}
