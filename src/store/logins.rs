//! Failed logins, per key (an account or a client address), kept in the database so
//! that every server instance sharing it counts the same failures.

use super::db::params;
use super::{Store, StoreError};

impl Store {
    /// The times of each key's failures after `since`, oldest first, in `keys` order.
    pub async fn login_failures(&self, keys: Vec<String>, since: i64) -> Result<Vec<Vec<i64>>, StoreError> {
        self.read(move |c| {
            let mut q = c.prepare_cached("SELECT at FROM login_failures WHERE key = ?1 AND at > ?2 ORDER BY at")?;
            let mut out = Vec::with_capacity(keys.len());
            for k in &keys {
                out.push(
                    q.query_map(params![k, since], |r| r.get(0))?
                        .collect::<super::db::Result<Vec<i64>>>()?,
                );
            }
            Ok(out)
        })
        .await
    }

    /// Records a failure for each key at `now`, and forgets every failure at or before
    /// `forget_before` (outside any window), so the table stays small.
    pub async fn login_failed(&self, keys: Vec<String>, now: i64, forget_before: i64) -> Result<(), StoreError> {
        self.write(move |c| {
            for k in &keys {
                c.execute("INSERT INTO login_failures (key, at) VALUES (?1, ?2)", params![k, now])?;
            }
            c.execute("DELETE FROM login_failures WHERE at <= ?1", [forget_before])?;
            Ok(())
        })
        .await
    }

    /// Forgets the failures of `key`.
    pub async fn login_failures_cleared(&self, key: String) -> Result<(), StoreError> {
        self.write(move |c| Ok(c.execute("DELETE FROM login_failures WHERE key = ?1", [key]).map(|_| ())?))
            .await
    }
}
