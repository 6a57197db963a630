//! Sessions, roles and CSRF. A session is a random token in an HttpOnly, SameSite
//! cookie; state-changing API calls must echo the session's CSRF token in the
//! `X-CSRF-Token` header (forms send it as a `csrf` field).

use super::AppState;
use super::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;

pub const SESSION_COOKIE: &str = "certbook_session";
pub const LOGIN_CSRF_COOKIE: &str = "certbook_login_csrf";
/// A random id per browser, so an exam attempt can be held to one device.
pub const DEVICE_COOKIE: &str = "certbook_device";
/// How long a browser keeps its device id (400 days, the most browsers allow).
const DEVICE_COOKIE_S: i64 = 400 * 24 * 3600;
pub use crate::app::random_token;
use crate::app::sessions;
pub use crate::app::sessions::{LoginLimiter, SESSION_MS, Session, SessionCache, same_token, token_hash};

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

async fn load_session(parts: &Parts, state: &AppState) -> Result<Option<Session>, ApiError> {
    let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    Ok(sessions::resume(&state.ctx(), &state.sessions, &token).await?)
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

/// The client's address: the connection's peer, or — when the peer is a trusted proxy
/// (`serve --trusted-proxy`) — the nearest address in `X-Forwarded-For` that is not a
/// trusted proxy. Exam address ranges and the per-address login limit use it.
pub struct ClientAddr(pub std::net::IpAddr);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip())
            .ok_or_else(|| ApiError::Internal("the connection's address is unknown".into()))?;
        let forwarded = parts.headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok());
        Ok(ClientAddr(client_addr(peer, forwarded, &state.trusted_proxies)))
    }
}

/// [`ClientAddr`]'s rule: hops are read right to left (each proxy appends the address
/// it saw), and the first that is not a trusted proxy is the client; a header from an
/// untrusted peer is ignored, so a client cannot choose its own address.
pub fn client_addr<'a>(peer: std::net::IpAddr, forwarded: impl Iterator<Item = &'a str>, trusted: &[ipnet::IpNet]) -> std::net::IpAddr {
    let is_trusted = |ip: &std::net::IpAddr| trusted.iter().any(|n| n.contains(&ip.to_canonical()));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops: Vec<std::net::IpAddr> = forwarded.flat_map(|h| h.split(',')).filter_map(|h| h.trim().parse().ok()).collect();
    hops.into_iter().rev().find(|ip| !is_trusted(ip)).unwrap_or(peer)
}

#[cfg(test)]
mod client_addr_tests {
    use super::client_addr;

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let trusted: Vec<ipnet::IpNet> = vec!["127.0.0.1/32".parse().unwrap(), "10.0.0.0/8".parse().unwrap()];
        let local = "127.0.0.1".parse().unwrap();
        let outside = "203.0.113.9".parse().unwrap();
        // Through nginx on loopback: the address nginx saw.
        assert_eq!(
            client_addr(local, ["198.51.100.7"].into_iter(), &trusted),
            "198.51.100.7".parse::<std::net::IpAddr>().unwrap()
        );
        // A client's own forged entry is left of the proxies' and is not taken.
        assert_eq!(
            client_addr(local, ["6.6.6.6, 198.51.100.7, 10.1.2.3"].into_iter(), &trusted),
            "198.51.100.7".parse::<std::net::IpAddr>().unwrap()
        );
        // From an untrusted peer the header means nothing.
        assert_eq!(client_addr(outside, ["198.51.100.7"].into_iter(), &trusted), outside);
        // No proxies trusted: always the peer.
        assert_eq!(client_addr(local, ["198.51.100.7"].into_iter(), &[]), local);
        // Nothing usable in the header: the proxy itself.
        assert_eq!(client_addr(local, ["garbage"].into_iter(), &trusted), local);
    }
}
