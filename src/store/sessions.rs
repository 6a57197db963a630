//! Login sessions. The cookie holds a random token; only its SHA-256 is stored, so a
//! copy of the database does not let anyone log in.

use super::users::{Role, User};
use super::{Store, StoreError};
use rusqlite::{OptionalExtension, params};

impl Store {
    pub async fn create_session(&self, token_hash: String, user_id: i64, csrf: String, now: i64, expires: i64) -> Result<(), StoreError> {
        self.write(move |tx| {
            tx.execute("DELETE FROM sessions WHERE expires_at < ?1", [now])?;
            tx.execute(
                "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![token_hash, user_id, csrf, now, expires],
            )?;
            Ok(())
        })
        .await
    }

    /// The session's user and CSRF token, if the session exists and has not expired.
    pub async fn session(&self, token_hash: String, now: i64) -> Result<Option<(User, String)>, StoreError> {
        self.read(move |c| {
            Ok(c.query_row(
                "SELECT u.id, u.username, u.display_name, u.role, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.token_hash = ?1 AND s.expires_at > ?2",
                params![token_hash, now],
                |r| {
                    let role: String = r.get(3)?;
                    Ok((
                        User {
                            id: r.get(0)?,
                            username: r.get(1)?,
                            display_name: r.get(2)?,
                            role: Role::parse(&role).unwrap_or(Role::Learner),
                        },
                        r.get(4)?,
                    ))
                },
            )
            .optional()?)
        })
        .await
    }

    pub async fn delete_session(&self, token_hash: String) -> Result<(), StoreError> {
        self.write(move |tx| {
            tx.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])?;
            Ok(())
        })
        .await
    }
}
