//! Login sessions. The cookie holds a random token; only its SHA-256 is stored, so a
//! copy of the database does not let anyone log in.

use super::db::{Optional, params};
use super::users::{Role, User};
use super::{Store, StoreError};

impl Store {
    pub async fn create_session(&self, token_hash: String, user_id: i64, csrf: String, now: i64, expires: i64) -> Result<(), StoreError> {
        self.write(move |tx| {
            tx.prepare_cached("DELETE FROM sessions WHERE expires_at < ?1")?.execute([now])?;
            tx.prepare_cached("INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)")?
                .execute(params![token_hash, user_id, csrf, now, expires])?;
            Ok(())
        })
        .await
    }

    /// The session's user, CSRF token and expiry time, if it exists and has not expired.
    pub async fn session(&self, token_hash: String, now: i64) -> Result<Option<(User, String, i64)>, StoreError> {
        self.read(move |c| {
            Ok(c.prepare_cached(
                "SELECT u.id, u.username, u.display_name, u.role, s.csrf, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.token_hash = ?1 AND s.expires_at > ?2",
            )?
            .query_row(params![token_hash, now], |r| {
                let role: String = r.get(3)?;
                Ok((
                    User {
                        id: r.get(0)?,
                        username: r.get(1)?,
                        display_name: r.get(2)?,
                        role: Role::parse(&role).unwrap_or(Role::Learner),
                    },
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
            .optional()?)
        })
        .await
    }

    pub async fn delete_session(&self, token_hash: String) -> Result<(), StoreError> {
        self.write(move |tx| {
            tx.prepare_cached("DELETE FROM sessions WHERE token_hash = ?1")?
                .execute([token_hash])?;
            Ok(())
        })
        .await
    }
}
