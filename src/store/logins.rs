//! What server instances sharing a database must agree on: failed logins, per key
//! (an account or a client address), and leases on background jobs.

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

    /// Takes the lease on job `name` for `holder` until `now + ttl_ms`, unless another
    /// holder's lease is still running: true for exactly one of the servers asking at once.
    pub async fn take_lease(&self, name: &'static str, holder: String, now: i64, ttl_ms: i64) -> Result<bool, StoreError> {
        self.write(move |c| {
            c.execute(
                "INSERT INTO job_leases (name, holder, until) VALUES (?1, ?2, ?3)
                 ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until WHERE job_leases.until <= ?4",
                params![name, holder, now + ttl_ms, now],
            )?;
            let current: String = c.query_row("SELECT holder FROM job_leases WHERE name = ?1", [name], |r| r.get(0))?;
            Ok(current == holder)
        })
        .await
    }
}
