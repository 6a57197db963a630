//! Accounts. Passwords are stored only as argon2 hashes (hashed by the caller,
//! off the async runtime).

use super::StoreError;
use super::db::{Conn, Optional, Row, params};
use serde::Serialize;

/// What an account may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, PartialOrd, Ord, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Learner,
    Instructor,
    Hr,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Learner => "learner",
            Role::Instructor => "instructor",
            Role::Hr => "hr",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Some(match s {
            "learner" => Role::Learner,
            "instructor" => Role::Instructor,
            "hr" => Role::Hr,
            "admin" => Role::Admin,
            _ => return None,
        })
    }

    /// The id of the role's name in the interface messages (`role-learner`…).
    pub fn message_id(&self) -> &'static str {
        match self {
            Role::Learner => "role-learner",
            Role::Instructor => "role-instructor",
            Role::Hr => "role-hr",
            Role::Admin => "role-admin",
        }
    }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
}

fn row_user(r: &Row) -> super::db::Result<User> {
    let role: String = r.get(3)?;
    Ok(User {
        id: r.get(0)?,
        username: r.get(1)?,
        display_name: r.get(2)?,
        role: Role::parse(&role).unwrap_or(Role::Learner),
    })
}

/// Creates an account, or replaces the password, name and role of an existing one.
pub(crate) fn upsert_user(conn: &Conn, username: &str, display_name: &str, role: Role, hash: &str, now: i64) -> Result<User, StoreError> {
    conn.prepare_cached("INSERT INTO users (username, display_name, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (username) DO UPDATE SET display_name = excluded.display_name, role = excluded.role, password_hash = excluded.password_hash")?.execute(
        params![username, display_name, role.as_str(), hash, now],
    )?;
    Ok(conn
        .prepare_cached("SELECT id, username, display_name, role FROM users WHERE username = ?1")?
        .query_row([username], row_user)?)
}

/// The user and password hash for a login name.
pub(crate) fn find_login(conn: &Conn, username: &str) -> Result<Option<(User, String)>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT id, username, display_name, role, password_hash FROM users WHERE username = ?1",
            [username],
            |r| Ok((row_user(r)?, r.get(4)?)),
        )
        .optional()?)
}

pub(crate) fn list_users(conn: &Conn) -> Result<Vec<User>, StoreError> {
    let mut stmt = conn.prepare("SELECT id, username, display_name, role FROM users ORDER BY id")?;
    let rows = stmt.query_map((), row_user)?.collect::<super::db::Result<Vec<_>>>()?;
    Ok(rows)
}

impl super::Store {
    pub async fn upsert_user(
        &self,
        username: String,
        display_name: String,
        role: Role,
        hash: String,
        now: i64,
    ) -> Result<User, StoreError> {
        self.write(move |tx| upsert_user(tx, &username, &display_name, role, &hash, now))
            .await
    }

    /// [`Self::upsert_user`] and, when given, the account's email address, in one transaction
    /// (for code outside the async runtime: the CLI).
    pub fn save_account_blocking(
        &self,
        username: String,
        display_name: String,
        role: Role,
        hash: String,
        email: Option<String>,
        now: i64,
    ) -> Result<User, StoreError> {
        self.write_blocking(move |tx| {
            let user = upsert_user(tx, &username, &display_name, role, &hash, now)?;
            if let Some(e) = email {
                tx.execute("UPDATE users SET email = ?2 WHERE id = ?1", params![user.id, e])?;
            }
            Ok(user)
        })
    }

    /// Every login name, lower-cased (login names are unique regardless of case).
    pub fn usernames_lowercase_blocking(&self) -> Result<std::collections::HashSet<String>, StoreError> {
        self.read_blocking(|c| {
            let mut q = c.prepare("SELECT lower(username) FROM users")?;
            let names = q.query_map((), |r| r.get::<_, String>(0))?.collect::<super::db::Result<_>>()?;
            Ok(names)
        })
    }

    pub async fn find_login(&self, username: String) -> Result<Option<(User, String)>, StoreError> {
        self.read(move |c| find_login(c, &username)).await
    }

    pub async fn user_by_id(&self, id: i64) -> Result<Option<User>, StoreError> {
        self.read(move |c| {
            Ok(
                c.prepare_cached("SELECT id, username, display_name, role FROM users WHERE id = ?1")?
                    .query_row([id], row_user)
                    .optional()?,
            )
        })
        .await
    }

    /// The account with this login name (the exam page names learners by it).
    pub async fn user_by_username(&self, username: String) -> Result<Option<User>, StoreError> {
        self.read(move |c| {
            Ok(
                c.prepare_cached("SELECT id, username, display_name, role FROM users WHERE username = ?1")?
                    .query_row([username], row_user)
                    .optional()?,
            )
        })
        .await
    }

    pub async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        self.read(list_users).await
    }
}
