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
/// most its TTL; logging out here removes it at once, and another server instance
/// sees a logout (an erasure, a password reset) within the TTL.
pub struct SessionCache {
    entries: std::sync::Mutex<std::collections::HashMap<String, (Session, i64, i64)>>,
    ttl_ms: i64,
}

impl Default for SessionCache {
    fn default() -> Self {
        SessionCache::new(Self::TTL_MS)
    }
}

impl SessionCache {
    /// One process alone on its database: nobody else can end a session behind its back.
    pub const TTL_MS: i64 = 30_000;
    /// Instances sharing a database (PostgreSQL): another's logout holds here within 1 s.
    pub const SHARED_TTL_MS: i64 = 1_000;
    const MAX_ENTRIES: usize = 100_000;

    pub fn new(ttl_ms: i64) -> SessionCache {
        SessionCache {
            entries: Default::default(),
            ttl_ms,
        }
    }

    fn get(&self, hash: &str, now: i64) -> Option<Session> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let (session, cached_at, expires) = entries.get(hash)?;
        (now - cached_at < self.ttl_ms && now < *expires).then(|| session.clone())
    }

    fn put(&self, session: Session, now: i64, expires: i64) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= Self::MAX_ENTRIES {
            let ttl = self.ttl_ms;
            entries.retain(|_, (_, at, _)| now - *at < ttl);
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

/// Failed logins counted per account and per client address, so password guessing
/// gets a 429 long before it gets anywhere. The counts live in the database: they hold
/// across server instances sharing it, and across restarts.
#[derive(Default)]
pub struct LoginLimiter;

impl LoginLimiter {
    pub const WINDOW_MS: i64 = 15 * 60 * 1000;
    /// Failures allowed per account in the window.
    pub const PER_ACCOUNT: usize = 5;
    /// Failures allowed per address in the window (several people may share one).
    pub const PER_ADDRESS: usize = 20;

    fn account_key(username: &str) -> String {
        format!("u:{}", username.trim().to_lowercase())
    }

    fn keys(username: &str, addr: Option<IpAddr>) -> [(String, usize); 2] {
        [
            (Self::account_key(username), Self::PER_ACCOUNT),
            (format!("a:{}", addr.map(|a| a.to_string()).unwrap_or_default()), Self::PER_ADDRESS),
        ]
    }

    /// Seconds (at least 1) until neither key is over its limit, if one is now; and
    /// whether the account has failures to clear after a right password.
    async fn blocked(ctx: &Ctx<'_>, username: &str, addr: Option<IpAddr>, now: i64) -> Result<(Option<i64>, bool)> {
        let keys = Self::keys(username, addr);
        let times = ctx
            .store
            .login_failures(keys.iter().map(|(k, _)| k.clone()).collect(), now - Self::WINDOW_MS)
            .await?;
        let mut wait = None;
        for ((_, limit), times) in keys.iter().zip(&times) {
            if times.len() >= *limit {
                let until = times[times.len() - limit] + Self::WINDOW_MS;
                wait = Some(wait.unwrap_or(0).max((until - now + 999) / 1000));
            }
        }
        Ok((wait, !times[0].is_empty()))
    }
}

/// Checks a login, refusing once the account or address has failed too often.
pub async fn log_in(ctx: &Ctx<'_>, username: &str, password: String, addr: Option<IpAddr>) -> Result<Option<User>> {
    let now = ctx.clock.now_ms();
    let (blocked, had_failures) = LoginLimiter::blocked(ctx, username, addr, now).await?;
    if let Some(wait) = blocked {
        return Err(Error::Throttled {
            message: crate::msg!("too-many-logins", minutes = (wait + 59) / 60),
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
        // A right password clears the account's failures (not the address's).
        Some(_) if had_failures => ctx.store.login_failures_cleared(LoginLimiter::account_key(username)).await?,
        Some(_) => {}
        None => {
            let keys = LoginLimiter::keys(username, addr).map(|(k, _)| k).to_vec();
            ctx.store.login_failed(keys, now, now - LoginLimiter::WINDOW_MS).await?;
        }
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
