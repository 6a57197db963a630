//! Logging in and sessions: a session is a random token whose SHA-256 the store keeps,
//! with a CSRF token state-changing calls must echo. Failed logins are counted per
//! account and per address; recently seen sessions are cached.

use super::accounts::verify_password;
use super::{Ctx, Error, Result, random_token};
use crate::store::{Role, User};
use sha2::{Digest, Sha256};
use std::net::IpAddr;

/// How long a login lasts.
pub const SESSION_MS: i64 = 7 * 24 * 3600 * 1000;

pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Constant-time string equality for tokens.
pub fn same_token(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// A logged-in caller.
#[derive(Clone, Debug)]
pub struct Session {
    pub user: User,
    pub csrf: String,
    pub token_hash: String,
}

impl Session {
    /// Requires one of `roles` (admin passes every check).
    pub fn require(&self, roles: &[Role]) -> Result<()> {
        if self.user.role == Role::Admin || roles.contains(&self.user.role) {
            Ok(())
        } else {
            Err(Error::Forbidden)
        }
    }

    /// Staff may read any learner's records.
    pub fn is_staff(&self) -> bool {
        matches!(self.user.role, Role::Instructor | Role::Hr | Role::Admin)
    }

    /// Checks the CSRF token sent with a state-changing request.
    pub fn check_csrf(&self, sent: Option<&str>) -> Result<()> {
        match sent {
            Some(s) if same_token(s, &self.csrf) => Ok(()),
            _ => Err(Error::Csrf),
        }
    }
}

/// Recently seen sessions, so most requests skip the database. An entry lives at
/// most [`SessionCache::TTL_MS`]; logging out here removes it at once (another
/// server instance would see a logout within the TTL).
#[derive(Default)]
pub struct SessionCache {
    entries: std::sync::Mutex<std::collections::HashMap<String, (Session, i64, i64)>>,
}

impl SessionCache {
    pub const TTL_MS: i64 = 30_000;
    const MAX_ENTRIES: usize = 100_000;

    fn get(&self, hash: &str, now: i64) -> Option<Session> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let (session, cached_at, expires) = entries.get(hash)?;
        (now - cached_at < Self::TTL_MS && now < *expires).then(|| session.clone())
    }

    fn put(&self, session: Session, now: i64, expires: i64) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= Self::MAX_ENTRIES {
            entries.retain(|_, (_, at, _)| now - *at < Self::TTL_MS);
        }
        entries.insert(session.token_hash.clone(), (session, now, expires));
    }

    /// Forgets a session (at logout).
    pub fn remove(&self, hash: &str) {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).remove(hash);
    }

    /// Forgets every session of a user (their account was erased).
    pub fn forget_user(&self, user_id: i64) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|_, (s, _, _)| s.user.id != user_id);
    }
}

/// Failed logins remembered per account and per client address, so password
/// guessing gets a 429 long before it gets anywhere. Kept in memory like the session
/// cache: a restart forgets it, and each server instance counts on its own.
#[derive(Default)]
pub struct LoginLimiter {
    failures: std::sync::Mutex<std::collections::HashMap<String, Vec<i64>>>,
}

impl LoginLimiter {
    pub const WINDOW_MS: i64 = 15 * 60 * 1000;
    /// Failures allowed per account in the window.
    pub const PER_ACCOUNT: usize = 5;
    /// Failures allowed per address in the window (several people may share one).
    pub const PER_ADDRESS: usize = 20;

    fn keys(username: &str, addr: Option<std::net::IpAddr>) -> [(String, usize); 2] {
        [
            (format!("u:{}", username.trim().to_lowercase()), Self::PER_ACCOUNT),
            (format!("a:{}", addr.map(|a| a.to_string()).unwrap_or_default()), Self::PER_ADDRESS),
        ]
    }

    /// Seconds (at least 1) until neither key is over its limit, if one is now.
    pub fn blocked(&self, username: &str, addr: Option<std::net::IpAddr>, now: i64) -> Option<i64> {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let mut wait = None;
        for (key, limit) in Self::keys(username, addr) {
            if let Some(times) = map.get_mut(&key) {
                times.retain(|t| now - t < Self::WINDOW_MS);
                if times.len() >= limit {
                    let until = times[times.len() - limit] + Self::WINDOW_MS;
                    wait = Some(wait.unwrap_or(0).max((until - now + 999) / 1000));
                }
            }
        }
        if map.len() > 100_000 {
            map.retain(|_, v| v.last().is_some_and(|t| now - t < Self::WINDOW_MS));
        }
        wait
    }

    pub fn failed(&self, username: &str, addr: Option<std::net::IpAddr>, now: i64) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        for (key, _) in Self::keys(username, addr) {
            map.entry(key).or_default().push(now);
        }
    }

    /// A correct password clears the account's failures (not the address's).
    pub fn succeeded(&self, username: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(&format!("u:{}", username.trim().to_lowercase()));
    }
}

/// Checks a login, refusing once the account or address has failed too often.
pub async fn log_in(ctx: &Ctx<'_>, limiter: &LoginLimiter, username: &str, password: String, addr: Option<IpAddr>) -> Result<Option<User>> {
    let now = ctx.clock.now_ms();
    if let Some(wait) = limiter.blocked(username, addr, now) {
        return Err(Error::Throttled {
            message: format!("登录失败次数过多，请 {} 分钟后再试 (too many failed logins)", (wait + 59) / 60),
            retry_after_s: wait,
        });
    }
    let found = ctx.store.find_login(username.trim().to_string()).await?;
    // argon2 off the runtime.
    let user = tokio::task::spawn_blocking(move || {
        let ok = verify_password(&password, found.as_ref().map(|(_, h)| h.as_str()));
        if ok { found.map(|(u, _)| u) } else { None }
    })
    .await
    .map_err(|e| Error::Internal(e.to_string()))?;
    match &user {
        Some(_) => limiter.succeeded(username),
        None => limiter.failed(username, addr, now),
    }
    Ok(user)
}

/// Starts a session for `user`; returns the cookie token and the CSRF token.
pub async fn start(ctx: &Ctx<'_>, user: &User) -> Result<(String, String)> {
    let token = random_token();
    let csrf = random_token();
    let now = ctx.clock.now_ms();
    ctx.store
        .create_session(token_hash(&token), user.id, csrf.clone(), now, now + SESSION_MS)
        .await?;
    Ok((token, csrf))
}

/// The live session of cookie `token`, from the cache or the store.
pub async fn resume(ctx: &Ctx<'_>, cache: &SessionCache, token: &str) -> Result<Option<Session>> {
    let hash = token_hash(token);
    let now = ctx.clock.now_ms();
    if let Some(s) = cache.get(&hash, now) {
        return Ok(Some(s));
    }
    let Some((user, csrf, expires)) = ctx.store.session(hash.clone(), now).await? else {
        return Ok(None);
    };
    let session = Session {
        user,
        csrf,
        token_hash: hash,
    };
    cache.put(session.clone(), now, expires);
    Ok(Some(session))
}

/// Ends a session: the store first, then the cache, so no request re-caches a dead session.
pub async fn end(ctx: &Ctx<'_>, cache: &SessionCache, session: &Session) -> Result<()> {
    ctx.store.delete_session(session.token_hash.clone()).await?;
    cache.remove(&session.token_hash);
    Ok(())
}
