//! Logging in and out (form and JSON), who am I, and the learner's own results page.

use super::AppState;
use super::auth::{self, ClientAddr, CsrfSession, LOGIN_CSRF_COOKIE, MaybeSession, SESSION_COOKIE, SESSION_MS, Session};
use super::error::{ApiError, ApiJson, ErrorBody};
use crate::app::{certification, sessions};
use crate::store::User;
use axum::Json;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/login", get(login_page).post(login_form))
        .route("/logout", post(logout_form))
        .route("/account", get(account_page))
        .routes(routes!(login_api))
        .routes(routes!(logout_api))
        .routes(routes!(me))
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Only same-site paths: never redirect a login to another host. URL parsers drop
/// tabs and newlines and read `\` as `/`, so `/\t/evil.com` is `//evil.com`: any
/// control character, whitespace or backslash refuses the whole path (a CR/LF would
/// also make the `Location` header unsendable).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\') => {
            // Non-ASCII (a Chinese page name) is percent-encoded: the header stays plain ASCII.
            n.bytes()
                .map(|b| {
                    if b.is_ascii() {
                        char::from(b).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect()
        }
        _ => "/index.html".to_string(),
    }
}

async fn login_page(State(state): State<AppState>, Query(q): Query<NextQuery>) -> Response {
    render_login(&state, &safe_next(q.next.as_deref()), "", None, StatusCode::OK)
}

fn render_login(state: &AppState, next: &str, username: &str, error: Option<&str>, status: StatusCode) -> Response {
    let csrf = auth::random_token();
    let r = state.pages().render(
        "login",
        &state.pages().t("login-title"),
        None,
        None,
        &LoginPage {
            csrf: &csrf,
            next,
            username,
            error,
        },
    );
    let mut r = super::pages::with_status(r, status);
    if let Ok(v) = auth::set_cookie(LOGIN_CSRF_COOKIE, &csrf, 3600, state.secure_cookies).parse() {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

#[derive(Serialize)]
struct LoginPage<'a> {
    csrf: &'a str,
    next: &'a str,
    username: &'a str,
    error: Option<&'a str>,
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    csrf: String,
    next: Option<String>,
}

async fn login_form(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, ApiError> {
    let next = safe_next(f.next.as_deref());
    let refuse = |status, message: &str| render_login(&state, &next, &f.username, Some(message), status);
    // Double-submit check: the form's token must match the cookie set with the form.
    let cookie = auth::cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if cookie.is_empty() || !auth::same_token(&cookie, &f.csrf) {
        return Ok(refuse(StatusCode::FORBIDDEN, &state.pages().t("login-form-expired")));
    }
    match sessions::log_in(&state.ctx(), &f.username, f.password, Some(client)).await {
        Ok(Some(user)) => {
            let (token, _) = sessions::start(&state.ctx(), &user).await?;
            let mut r = Redirect::to(&next).into_response();
            add_session_cookie(&mut r, &state, &token);
            Ok(r)
        }
        Ok(None) => Ok(refuse(StatusCode::UNAUTHORIZED, &state.pages().t("wrong-credentials"))),
        Err(crate::app::Error::Throttled { message, retry_after_s }) => {
            let mut r = refuse(StatusCode::TOO_MANY_REQUESTS, &state.pages().text(&message));
            r.headers_mut().insert(header::RETRY_AFTER, retry_after_s.max(1).into());
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

fn add_session_cookie(r: &mut Response, state: &AppState, token: &str) {
    if let Ok(v) = auth::set_cookie(SESSION_COOKIE, token, SESSION_MS / 1000, state.secure_cookies).parse() {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
}

fn clear_session_cookie(r: &mut Response, state: &AppState) {
    if let Ok(v) = auth::set_cookie(SESSION_COOKIE, "", 0, state.secure_cookies).parse() {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
}

#[derive(Deserialize)]
struct LogoutForm {
    csrf: String,
}

async fn logout_form(State(state): State<AppState>, session: Session, Form(f): Form<LogoutForm>) -> Result<Response, ApiError> {
    session.check_csrf(Some(&f.csrf))?;
    sessions::end(&state.ctx(), &state.sessions, &session).await?;
    let mut r = Redirect::to("/index.html").into_response();
    clear_session_cookie(&mut r, &state);
    Ok(r)
}

#[derive(Deserialize, ToSchema)]
struct LoginBody {
    username: String,
    password: String,
}

/// Who is logged in, and the token state-changing calls must echo in `X-CSRF-Token`.
#[derive(Serialize, ToSchema)]
struct SessionInfo {
    user: User,
    csrf: String,
    /// Certificates of this user that expire soon or expired recently (every page shows a notice).
    reminders: Vec<crate::certify::remind::Reminder>,
}

/// Logs in and sets the session cookie.
#[utoipa::path(post, path = "/api/login", tag = "account", request_body = LoginBody,
    responses((status = 200, body = SessionInfo), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody), (status = 400, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn login_api(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(b): ApiJson<LoginBody>,
) -> Result<Response, ApiError> {
    let ip = Some(client);
    let Some(user) = sessions::log_in(&state.ctx(), &b.username, b.password, ip).await? else {
        return Err(ApiError::BadCredentials);
    };
    let (token, csrf) = sessions::start(&state.ctx(), &user).await?;
    let reminders = certification::reminders_for(&state.ctx(), user.id).await?;
    let mut r = Json(SessionInfo { user, csrf, reminders }).into_response();
    add_session_cookie(&mut r, &state, &token);
    Ok(r)
}

/// Ends the session on the server and clears the cookie.
#[utoipa::path(post, path = "/api/logout", tag = "account", security(("session" = [], "csrf" = [])),
    responses((status = 204, description = "logged out"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn logout_api(State(state): State<AppState>, CsrfSession(session): CsrfSession) -> Result<Response, ApiError> {
    sessions::end(&state.ctx(), &state.sessions, &session).await?;
    let mut r = StatusCode::NO_CONTENT.into_response();
    clear_session_cookie(&mut r, &state);
    Ok(r)
}

/// The logged-in account.
#[utoipa::path(get, path = "/api/me", tag = "account", security(("session" = [])),
    responses((status = 200, body = SessionInfo), (status = 401, body = ErrorBody)))]
async fn me(State(state): State<AppState>, session: Session) -> Result<Json<SessionInfo>, ApiError> {
    let reminders = certification::reminders_for(&state.ctx(), session.user.id).await?;
    Ok(Json(SessionInfo {
        user: session.user,
        csrf: session.csrf,
        reminders,
    }))
}

async fn account_page(State(state): State<AppState>, MaybeSession(session): MaybeSession) -> Result<Response, ApiError> {
    let Some(session) = session else {
        return Ok(Redirect::to("/login?next=/account").into_response());
    };
    let page = crate::app::views::account::account(&state.ctx(), &session.user).await?;
    Ok(state.pages().render(
        "account",
        &state.pages().t("account-title"),
        Some(&session.user),
        Some(&session.csrf),
        &page,
    ))
}
