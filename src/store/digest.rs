//! A content digest of every table, so tests can prove that reads write nothing
//! and operators can tell whether two databases hold the same data.

use super::{Store, StoreError};
use rusqlite::types::ValueRef;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

impl Store {
    /// SHA-256 (hex) of every table's rows, by table: lets tests prove GETs write nothing and ops compare two databases.
    pub fn digest_blocking(&self) -> Result<BTreeMap<String, String>, StoreError> {
        self.read_blocking(|c| {
            if c.is_pg() {
                return pg_digest(c);
            }
            let c = sqlite_only(c)?;
            let mut out = BTreeMap::new();
            for (name, without_rowid) in tables(c)? {
                out.insert(name.clone(), digest_table(c, &name, without_rowid)?);
            }
            Ok(out)
        })
    }
}

/// The SQLite connection of `c`, or an error naming what only SQLite can do here.
pub(super) fn sqlite_only<'c>(c: &'c super::db::Conn<'_>) -> Result<&'c rusqlite::Connection, StoreError> {
    c.lite()
        .ok_or_else(|| StoreError::Invalid("this works on an SQLite database only (it reads SQLite's rowid)".into()))
}

/// The database's own tables, by name, each with whether it is WITHOUT ROWID.
pub(super) fn tables(c: &rusqlite::Connection) -> rusqlite::Result<Vec<(String, bool)>> {
    c.prepare(
        "SELECT m.name, COALESCE(l.wr, 0) FROM sqlite_master m \
         LEFT JOIN pragma_table_list l ON l.schema = 'main' AND l.name = m.name \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY m.name",
    )?
    .query_map((), |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? != 0)))?
    .collect()
}

/// A table or column name as an SQL identifier.
pub(super) fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Hashes the column names, then every row in a stable order (rowid, or all
/// columns for a WITHOUT ROWID table), each value tagged with its storage class
/// and length-prefixed, so NULL, '', 0, 0.0 and x'' all differ.
fn digest_table(c: &rusqlite::Connection, name: &str, without_rowid: bool) -> Result<String, StoreError> {
    let quoted = quoted(name);
    let columns = c.prepare(&format!("SELECT * FROM {quoted} LIMIT 0"))?.column_count();
    let order = if without_rowid {
        (1..=columns).map(|i| i.to_string()).collect::<Vec<_>>().join(", ")
    } else {
        "rowid".to_string()
    };
    let mut stmt = c.prepare(&format!("SELECT * FROM {quoted} ORDER BY {order}"))?;
    let mut h = Sha256::new();
    for col in stmt.column_names() {
        put(&mut h, b'C', col.as_bytes());
    }
    let mut rows = stmt.query(())?;
    while let Some(row) = rows.next()? {
        h.update(b"\n");
        for i in 0..columns {
            match row.get_ref(i)? {
                ValueRef::Null => h.update(b"N"),
                ValueRef::Integer(v) => put(&mut h, b'I', &v.to_be_bytes()),
                ValueRef::Real(v) => put(&mut h, b'R', &v.to_bits().to_be_bytes()),
                ValueRef::Text(t) => put(&mut h, b'T', t),
                ValueRef::Blob(b) => put(&mut h, b'B', b),
            }
        }
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// The tables of the PostgreSQL schema, by name (the schema version table left out).
pub(super) fn pg_tables(c: &super::db::Conn) -> super::db::Result<Vec<String>> {
    c.prepare(
        "SELECT CAST(table_name AS TEXT) FROM information_schema.tables
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'certbook_schema' ORDER BY 1",
    )?
    .query_map((), |r| r.get(0))?
    .collect()
}

/// Every table's rows hashed as SQLite's are, ordered by all their columns.
fn pg_digest(c: &super::db::Conn) -> Result<BTreeMap<String, String>, StoreError> {
    use super::db::Value;
    let mut out = BTreeMap::new();
    for name in pg_tables(c)? {
        let q = quoted(&name);
        let columns = c.prepare(&format!("SELECT * FROM {q} LIMIT 0"))?.column_names();
        let order = (1..=columns.len()).map(|i| i.to_string()).collect::<Vec<_>>().join(", ");
        let mut h = Sha256::new();
        for col in &columns {
            put(&mut h, b'C', col.as_bytes());
        }
        c.prepare(&format!("SELECT * FROM {q} ORDER BY {order}"))?.for_each((), |row| {
            h.update(b"\n");
            for i in 0..columns.len() {
                match row.value(i)? {
                    Value::Null => h.update(b"N"),
                    Value::Int(v) => put(&mut h, b'I', &v.to_be_bytes()),
                    Value::Real(v) => put(&mut h, b'R', &v.to_bits().to_be_bytes()),
                    Value::Text(t) => put(&mut h, b'T', t.as_bytes()),
                    Value::Blob(b) => put(&mut h, b'B', &b),
                }
            }
            Ok(true)
        })?;
        out.insert(name, h.finalize().iter().map(|b| format!("{b:02x}")).collect());
    }
    Ok(out)
}

fn put(h: &mut Sha256, tag: u8, bytes: &[u8]) {
    h.update([tag]);
    h.update((bytes.len() as u64).to_be_bytes());
    h.update(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Role, upsert_user};

    #[test]
    fn the_digest_changes_with_a_row_and_only_then() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db")).unwrap();
        store
            .write_blocking(|c| upsert_user(c, "alice", "Alice", Role::Learner, "h", 0))
            .unwrap();
        let before = store.digest_blocking().unwrap();
        assert!(before.contains_key("users") && before.contains_key("lesson_reads"), "{before:?}");
        assert!(!before.keys().any(|t| t.starts_with("sqlite_")), "{before:?}");
        assert_eq!(store.digest_blocking().unwrap(), before, "nothing changed, same digest");

        store
            .write_blocking(|c| Ok(c.execute("UPDATE users SET display_name = 'Alicia' WHERE username = 'alice'", ())?))
            .unwrap();
        let renamed = store.digest_blocking().unwrap();
        let changed: Vec<_> = renamed.iter().filter(|(t, d)| before[*t] != **d).map(|(t, _)| t.as_str()).collect();
        assert_eq!(changed, ["users"]);

        // A WITHOUT ROWID table, and NULL vs '' vs 0 in the same column.
        let id: i64 = store
            .read_blocking(|c| Ok(c.query_row("SELECT id FROM users WHERE username = 'alice'", (), |r| r.get(0))?))
            .unwrap();
        store
            .write_blocking(move |c| Ok(c.execute("INSERT INTO lesson_reads VALUES (?1, 'l1', 5)", [id])?))
            .unwrap();
        let read = store.digest_blocking().unwrap();
        assert_ne!(read["lesson_reads"], renamed["lesson_reads"]);
        assert_eq!(read["users"], renamed["users"]);
        // NULL, '', 0, 0.0 and x'' in a column without affinity: five different digests.
        store
            .write_blocking(|c| Ok(c.execute_batch("CREATE TABLE kinds (v); INSERT INTO kinds VALUES (1);")?))
            .unwrap();
        let mut seen = std::collections::HashSet::new();
        for v in ["NULL", "''", "0", "0.0", "x''"] {
            store
                .write_blocking(move |c| Ok(c.execute(&format!("UPDATE kinds SET v = {v}"), ())?))
                .unwrap();
            seen.insert(store.digest_blocking().unwrap()["kinds"].clone());
        }
        assert_eq!(seen.len(), 5, "NULL, '', 0, 0.0 and x'' each hash differently");
    }
}
