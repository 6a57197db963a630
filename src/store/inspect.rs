//! Reads the app itself never makes: row counts, ids and whole-table snapshots, for
//! tests, benches and operators' checks. Tables are named by [`Table`], never by SQL.

use super::db::Value as DbValue;
use super::digest::quoted;
use super::{Store, StoreError};
use rusqlite::types::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A table the inspection helpers may name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    Users,
    Attempts,
    Runs,
    Submissions,
    LessonReads,
    Certificates,
    BestScores,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Users => "users",
            Table::Attempts => "attempts",
            Table::Runs => "runs",
            Table::Submissions => "submissions",
            Table::LessonReads => "lesson_reads",
            Table::Certificates => "certificates",
            Table::BestScores => "best_scores",
        }
    }

    /// The column naming whose row it is.
    fn user_column(self) -> &'static str {
        match self {
            Table::Users => "id",
            _ => "user_id",
        }
    }

    /// The order rows were written in, where SQLite's rowid is not there to tell
    /// (PostgreSQL): attempt and run ids sort by creation time; certificates by issue.
    fn written_order(self) -> &'static str {
        match self {
            Table::Certificates => "issued_at, id",
            Table::Submissions => "submitted_at, id",
            _ => "id",
        }
    }

    /// Whether rows are known by a text `id`.
    fn has_text_id(self) -> bool {
        matches!(self, Table::Attempts | Table::Runs | Table::Submissions | Table::Certificates)
    }
}

/// One table's rows (each led by its rowid unless the table is WITHOUT ROWID).
struct TableRows {
    columns: Vec<String>,
    without_rowid: bool,
    rows: Vec<Vec<Value>>,
}

/// One PostgreSQL table's rows and its primary key's columns.
struct PgRows {
    columns: Vec<String>,
    key: Vec<String>,
    rows: Vec<Vec<DbValue>>,
}

/// Every table's rows at one moment, from [`Store::snapshot_blocking`], to put back
/// with [`Store::restore_blocking`].
#[derive(Clone)]
pub struct Snapshot {
    tables: Arc<BTreeMap<String, TableRows>>,
    pg: Arc<BTreeMap<String, PgRows>>,
}

impl Store {
    /// Rows in `table`, counted on the writer after every write already queued (for tests, benches and operators' checks).
    pub fn count_rows_blocking(&self, table: Table) -> Result<i64, StoreError> {
        self.write_blocking(move |c| Ok(c.query_row(&format!("SELECT COUNT(*) FROM {}", table.name()), (), |r| r.get(0))?))
    }

    /// Rows in `table` that are the user's, counted like [`Store::count_rows_blocking`] (for tests, benches and operators' checks).
    pub fn count_rows_of_blocking(&self, table: Table, user_id: i64) -> Result<i64, StoreError> {
        let sql = format!("SELECT COUNT(*) FROM {} WHERE {} = ?1", table.name(), table.user_column());
        self.write_blocking(move |c| Ok(c.query_row(&sql, [user_id], |r| r.get(0))?))
    }

    /// The ids of `table`'s rows in the order they were written (for tests, benches and operators' checks).
    pub fn ids_blocking(&self, table: Table) -> Result<Vec<String>, StoreError> {
        if !table.has_text_id() {
            return Err(StoreError::Invalid(format!("{} rows have no text id", table.name())));
        }
        self.read_blocking(move |c| {
            let order = if c.is_pg() { table.written_order() } else { "rowid" };
            let mut q = c.prepare(&format!("SELECT id FROM {} ORDER BY {order}", table.name()))?;
            Ok(q.query_map((), |r| r.get(0))?.collect::<super::db::Result<Vec<String>>>()?)
        })
    }

    /// Ids of the accounts whose login name starts with `prefix` (ignoring ASCII case), in id order (for tests, benches and operators' checks).
    pub fn user_ids_with_prefix_blocking(&self, prefix: &str) -> Result<Vec<i64>, StoreError> {
        let pattern = format!("{}%", prefix.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        self.read_blocking(move |c| {
            let mut q = c.prepare("SELECT id FROM users WHERE username LIKE ?1 ESCAPE '\\' ORDER BY id")?;
            Ok(q.query_map([pattern], |r| r.get(0))?.collect::<super::db::Result<Vec<i64>>>()?)
        })
    }

    /// When the newest lesson read was recorded (ms), if any (for tests, benches and operators' checks).
    pub fn last_lesson_read_blocking(&self) -> Result<Option<i64>, StoreError> {
        self.read_blocking(|c| Ok(c.query_row("SELECT MAX(read_at) FROM lesson_reads", (), |r| r.get(0))?))
    }

    /// Every table's rows, to put back later with [`Store::restore_blocking`] (for tests, benches and operators' checks).
    pub fn snapshot_blocking(&self) -> Result<Snapshot, StoreError> {
        self.read_blocking(|c| {
            if c.is_pg() {
                return pg_snapshot(c);
            }
            let c = super::digest::sqlite_only(c)?;
            let mut tables = BTreeMap::new();
            for (name, without_rowid) in super::digest::tables(c)? {
                let q = quoted(&name);
                let columns: Vec<String> = c
                    .prepare(&format!("SELECT * FROM {q} LIMIT 0"))?
                    .column_names()
                    .into_iter()
                    .map(String::from)
                    .collect();
                let sql = if without_rowid {
                    format!("SELECT * FROM {q}")
                } else {
                    format!("SELECT rowid, * FROM {q} ORDER BY rowid")
                };
                let width = columns.len() + usize::from(!without_rowid);
                let mut st = c.prepare(&sql)?;
                let rows = st
                    .query_map((), |r| (0..width).map(|i| r.get::<_, Value>(i)).collect::<Result<Vec<_>, _>>())?
                    .collect::<Result<Vec<_>, _>>()?;
                tables.insert(
                    name,
                    TableRows {
                        columns,
                        without_rowid,
                        rows,
                    },
                );
            }
            Ok(Snapshot {
                tables: Arc::new(tables),
                pg: Arc::default(),
            })
        })
    }

    /// Puts `tables` back as they were in `snap`, rowid by rowid (for tests, benches and operators' checks).
    pub fn restore_blocking(&self, snap: &Snapshot, tables: &[String]) -> Result<(), StoreError> {
        let snap = snap.clone();
        let tables = tables.to_vec();
        self.write_blocking(move |tx| {
            use rusqlite::params_from_iter;
            if tx.is_pg() {
                return pg_restore(tx, &snap, &tables);
            }
            let tx = super::digest::sqlite_only(tx)?;
            for name in &tables {
                let t = snap
                    .tables
                    .get(name)
                    .ok_or_else(|| StoreError::Invalid(format!("no table {name} in the snapshot")))?;
                let q = quoted(name);
                let cols = t.columns.iter().map(|c| quoted(c)).collect::<Vec<_>>().join(", ");
                let marks = (1..=t.columns.len()).map(|i| format!("?{}", i + 1)).collect::<Vec<_>>().join(", ");
                if t.without_rowid {
                    tx.execute(&format!("DELETE FROM {q}"), [])?;
                    let marks = (1..=t.columns.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
                    for row in &t.rows {
                        tx.execute(&format!("INSERT INTO {q} ({cols}) VALUES ({marks})"), params_from_iter(row))?;
                    }
                    continue;
                }
                let keep: std::collections::BTreeSet<i64> = t
                    .rows
                    .iter()
                    .filter_map(|r| match r[0] {
                        Value::Integer(i) => Some(i),
                        _ => None,
                    })
                    .collect();
                let now: Vec<i64> = tx
                    .prepare(&format!("SELECT rowid FROM {q}"))?
                    .query_map((), |r| r.get(0))?
                    .collect::<Result<_, _>>()?;
                for id in now.into_iter().filter(|id| !keep.contains(id)) {
                    tx.execute(&format!("DELETE FROM {q} WHERE rowid = ?1"), [id])?;
                }
                let set = t
                    .columns
                    .iter()
                    .enumerate()
                    .map(|(i, c)| format!("{} = ?{}", quoted(c), i + 2))
                    .collect::<Vec<_>>()
                    .join(", ");
                for row in &t.rows {
                    if tx.execute(&format!("UPDATE {q} SET {set} WHERE rowid = ?1"), params_from_iter(row))? == 0 {
                        tx.execute(
                            &format!("INSERT INTO {q} (rowid, {cols}) VALUES (?1, {marks})"),
                            params_from_iter(row),
                        )?;
                    }
                }
            }
            Ok(())
        })
    }
}

/// Every table's rows with its primary key, on PostgreSQL (no rowid there).
fn pg_snapshot(c: &super::db::Conn) -> Result<Snapshot, StoreError> {
    let mut pg = BTreeMap::new();
    for name in super::digest::pg_tables(c)? {
        let q = quoted(&name);
        let columns = c.prepare(&format!("SELECT * FROM {q} LIMIT 0"))?.column_names();
        let key: Vec<String> = c
            .prepare(
                "SELECT CAST(a.attname AS TEXT) FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
                 WHERE i.indrelid = CAST(CAST(?1 AS TEXT) AS regclass) AND i.indisprimary ORDER BY a.attnum",
            )?
            .query_map([name.clone()], |r| r.get(0))?
            .collect::<super::db::Result<_>>()?;
        let width = columns.len();
        let rows = c
            .prepare(&format!("SELECT * FROM {q}"))?
            .query_map((), |r| (0..width).map(|i| r.value(i)).collect::<super::db::Result<Vec<_>>>())?
            .collect::<super::db::Result<Vec<_>>>()?;
        pg.insert(name, PgRows { columns, key, rows });
    }
    Ok(Snapshot {
        tables: Arc::default(),
        pg: Arc::new(pg),
    })
}

/// Puts `tables` back as they were in `snap`, row by primary key, on PostgreSQL.
fn pg_restore(tx: &super::db::Conn, snap: &Snapshot, tables: &[String]) -> Result<(), StoreError> {
    for name in tables {
        let t = snap
            .pg
            .get(name)
            .ok_or_else(|| StoreError::Invalid(format!("no table {name} in the snapshot")))?;
        let q = quoted(name);
        let at = |col: &str| t.columns.iter().position(|c| c == col);
        let key_at: Vec<usize> = t.key.iter().filter_map(|k| at(k)).collect();
        if key_at.len() != t.key.len() || key_at.is_empty() {
            return Err(StoreError::Invalid(format!("table {name} has no primary key to restore by")));
        }
        let key_cols = t.key.iter().map(|k| quoted(k)).collect::<Vec<_>>().join(", ");
        let keep: std::collections::BTreeSet<String> = t
            .rows
            .iter()
            .map(|r| format!("{:?}", key_at.iter().map(|i| &r[*i]).collect::<Vec<_>>()))
            .collect();
        let now: Vec<Vec<DbValue>> = tx
            .prepare(&format!("SELECT {key_cols} FROM {q}"))?
            .query_map((), |r| (0..key_at.len()).map(|i| r.value(i)).collect::<super::db::Result<Vec<_>>>())?
            .collect::<super::db::Result<_>>()?;
        let key_match = t
            .key
            .iter()
            .enumerate()
            .map(|(i, k)| format!("{} = ?{}", quoted(k), i + 1))
            .collect::<Vec<_>>()
            .join(" AND ");
        for k in now {
            if !keep.contains(&format!("{:?}", k.iter().collect::<Vec<_>>())) {
                tx.execute(&format!("DELETE FROM {q} WHERE {key_match}"), k)?;
            }
        }
        let cols = t.columns.iter().map(|c| quoted(c)).collect::<Vec<_>>().join(", ");
        let marks = (1..=t.columns.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
        let set = t
            .columns
            .iter()
            .filter(|c| !t.key.contains(c))
            .map(|c| format!("{0} = excluded.{0}", quoted(c)))
            .collect::<Vec<_>>()
            .join(", ");
        let on_conflict = if set.is_empty() {
            "DO NOTHING".to_string()
        } else {
            format!("DO UPDATE SET {set}")
        };
        let sql = format!("INSERT INTO {q} ({cols}) VALUES ({marks}) ON CONFLICT ({key_cols}) {on_conflict}");
        for row in &t.rows {
            tx.execute(&sql, row.clone())?;
        }
    }
    Ok(())
}
