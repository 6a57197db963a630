//! Sessions, roles and CSRF. A session is a random token in an HttpOnly, SameSite
//! cookie; state-changing API calls must echo the session's CSRF token in the
//! `X-CSRF-Token` header (forms send it as a `csrf` field).

use super::AppState;
use super::error::ApiError;
use crate::store::{Role, User};
use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use sha2::{Digest, Sha256};

pub const SESSION_COOKIE: &str = "certbook_session";
pub const LOGIN_CSRF_COOKIE: &str = "certbook_login_csrf";
/// A random id per browser, so an exam attempt can be held to one device.
pub const DEVICE_COOKIE: &str = "certbook_device";
/// How long a browser keeps its device id (400 days, the most browsers allow).
const DEVICE_COOKIE_S: i64 = 400 * 24 * 3600;
/// How long a login lasts.
pub const SESSION_MS: i64 = 7 * 24 * 3600 * 1000;

use crate::app::accounts::verify_password;
pub use crate::app::random_token;

pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Constant-time string equality for tokens.
pub fn same_token(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The `Set-Cookie` value for a cookie the page script cannot read.
pub fn set_cookie(name: &str, value: &str, max_age_s: i64, secure: bool) -> String {
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_s}{}",
        if secure { "; Secure" } else { "" }
    )
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
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if self.user.role == Role::Admin || roles.contains(&self.user.role) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }

    /// Staff may read any learner's records.
    pub fn is_staff(&self) -> bool {
        matches!(self.user.role, Role::Instructor | Role::Hr | Role::Admin)
    }

    /// Checks the CSRF token sent with a state-changing request.
    pub fn check_csrf(&self, sent: Option<&str>) -> Result<(), ApiError> {
        match sent {
            Some(s) if same_token(s, &self.csrf) => Ok(()),
            _ => Err(ApiError::Csrf),
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

async fn load_session(parts: &Parts, state: &AppState) -> Result<Option<Session>, ApiError> {
    let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let hash = token_hash(&token);
    let now = state.clock.now_ms();
    if let Some(s) = state.sessions.get(&hash, now) {
        return Ok(Some(s));
    }
    let Some((user, csrf, expires)) = state.store.session(hash.clone(), now).await? else {
        return Ok(None);
    };
    let session = Session {
        user,
        csrf,
        token_hash: hash,
    };
    state.sessions.put(session.clone(), now, expires);
    Ok(Some(session))
}

impl FromRequestParts<AppState> for Session {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        load_session(parts, state).await?.ok_or(ApiError::Unauthorized)
    }
}

/// A caller who may or may not be logged in.
pub struct MaybeSession(pub Option<Session>);

impl FromRequestParts<AppState> for MaybeSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(MaybeSession(load_session(parts, state).await?))
    }
}

/// A logged-in caller making a state-changing API call with a valid `X-CSRF-Token`.
pub struct CsrfSession(pub Session);

impl FromRequestParts<AppState> for CsrfSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let session = Session::from_request_parts(parts, state).await?;
        let sent = parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
        session.check_csrf(sent)?;
        Ok(CsrfSession(session))
    }
}

/// The browser a request comes from: its `certbook_device` cookie, or a new random id for
/// a browser without one. Returning it in a response sets the cookie when it is new, so a
/// browser keeps one id across logins and another browser is another device.
pub struct Device {
    token: String,
    fresh: bool,
    secure: bool,
}

impl Device {
    /// What attempts store: the SHA-256 of the id, never the id.
    pub fn hash(&self) -> String {
        token_hash(&self.token)
    }
}

impl FromRequestParts<AppState> for Device {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        // Only ids this server could have issued; anything else is a browser without one.
        let sent = cookie(&parts.headers, DEVICE_COOKIE)
            .filter(|t| (20..=64).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        Ok(Device {
            fresh: sent.is_none(),
            token: sent.unwrap_or_else(random_token),
            secure: state.secure_cookies,
        })
    }
}

impl axum::response::IntoResponseParts for Device {
    type Error = std::convert::Infallible;

    fn into_response_parts(self, mut res: axum::response::ResponseParts) -> Result<axum::response::ResponseParts, Self::Error> {
        if self.fresh
            && let Ok(v) = axum::http::HeaderValue::from_str(&set_cookie(DEVICE_COOKIE, &self.token, DEVICE_COOKIE_S, self.secure))
        {
            res.headers_mut().append(axum::http::header::SET_COOKIE, v);
        }
        Ok(res)
    }
}

/// Verifies a login off the runtime; returns the user on success.
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

/// Checks a login, refusing with 429 once the account or address has failed too often.
pub async fn authenticate(
    state: &AppState,
    username: &str,
    password: String,
    addr: Option<std::net::IpAddr>,
) -> Result<Option<User>, ApiError> {
    let now = state.clock.now_ms();
    if let Some(wait) = state.logins.blocked(username, addr, now) {
        return Err(ApiError::Throttled {
            message: format!("登录失败次数过多，请 {} 分钟后再试 (too many failed logins)", (wait + 59) / 60),
            retry_after_s: wait,
        });
    }
    let found = state.store.find_login(username.trim().to_string()).await?;
    let user = tokio::task::spawn_blocking(move || {
        let ok = verify_password(&password, found.as_ref().map(|(_, h)| h.as_str()));
        if ok { found.map(|(u, _)| u) } else { None }
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    match &user {
        Some(_) => state.logins.succeeded(username),
        None => state.logins.failed(username, addr, now),
    }
    Ok(user)
}

/// Starts a session for `user`; returns the cookie token and the CSRF token.
pub async fn start_session(state: &AppState, user: &User) -> Result<(String, String), ApiError> {
    let token = random_token();
    let csrf = random_token();
    let now = state.clock.now_ms();
    state
        .store
        .create_session(token_hash(&token), user.id, csrf.clone(), now, now + SESSION_MS)
        .await?;
    Ok((token, csrf))
}
