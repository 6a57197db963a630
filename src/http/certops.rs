//! Running certification as a programme: HR's expiry list, the import of earlier
//! certificates, a zip of printable PDFs, expiry reminders (pages and email), and
//! personal information (个人信息保护法): a learner's own export, an admin's erasure,
//! the audit log.

use super::AppState;
use super::auth::{CsrfSession, MaybeSession, Session};
use super::error::{ApiError, ApiPath, ApiQuery, ErrorBody};
use crate::app::certification::{self, ReminderRun};
use crate::app::programme;
use crate::app::views::certops::{self as views, ExpiryEcho, ExpiryRow, ImportOutcome};
use crate::certify::import::RowError;
use crate::store::{AuditEntry, CertFilter, Erased, Role};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Form, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(expiries_api))
        .routes(routes!(import_api))
        .routes(routes!(pdf_zip))
        .routes(routes!(run_reminders))
        .routes(routes!(my_data))
        .routes(routes!(erase))
        .routes(routes!(audit_api))
        .route("/hr/certificates", get(certificates_page))
        .route("/hr/certificates/import", post(import_form))
        .route("/admin/users/{id}/erase", post(erase_form))
}

const DAY_MS: i64 = 86_400_000;

#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExpiryQuery {
    /// Days ahead to look (default 90, at most 3650).
    ahead: Option<u32>,
    /// Days back to include certificates that already expired (default 30, at most 3650).
    past: Option<u32>,
    /// Level id.
    level: Option<String>,
    cohort: Option<String>,
    department: Option<String>,
}

impl ExpiryQuery {
    fn filter(&self, now: i64) -> Result<CertFilter, ApiError> {
        let days = |v: Option<u32>, default: u32| match v.unwrap_or(default) {
            d if d <= 3650 => Ok(d as i64),
            _ => Err(ApiError::BadRequest(crate::msg!("certops-days-out-of-range", max = 3650))),
        };
        Ok(CertFilter {
            from: Some(now - days(self.past, 30)? * DAY_MS),
            to: Some(now + days(self.ahead, 90)? * DAY_MS),
            level: nonempty(&self.level),
            cohort: nonempty(&self.cohort),
            department: nonempty(&self.department),
        })
    }
}

fn nonempty(s: &Option<String>) -> Option<String> {
    s.as_ref().map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

#[derive(Serialize, ToSchema)]
struct Expiries {
    certificates: Vec<ExpiryRow>,
}

/// HR: certificates expiring soon and those that expired recently, filtered.
#[utoipa::path(get, path = "/api/hr/expiries", tag = "hr", security(("session" = [])), params(ExpiryQuery),
    responses((status = 200, body = Expiries), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn expiries_api(
    State(state): State<AppState>,
    session: Session,
    ApiQuery(q): ApiQuery<ExpiryQuery>,
) -> Result<Json<Expiries>, ApiError> {
    let f = q.filter(state.clock.now_ms())?;
    Ok(Json(Expiries {
        certificates: views::expiries(&state.ctx(), &session.user, f).await?,
    }))
}

#[derive(Serialize, ToSchema)]
struct Imported {
    imported: usize,
    /// The new certificates' ids, in the order of the file's rows.
    ids: Vec<String>,
}

/// What an import did: the ids, or every bad row with its line.
async fn import(state: &AppState, session: &Session, text: &str) -> Result<Result<Vec<String>, Vec<RowError>>, ApiError> {
    Ok(programme::import_certificates(&state.ctx(), &session.user, text).await?)
}

/// A refused import: every bad row with its line.
#[derive(Serialize)]
struct RowsError<'a> {
    error: String,
    code: String,
    rows: &'a [RowError],
}

fn rows_error(state: &AppState, errors: &[RowError]) -> Response {
    let m = crate::msg!("certops-import-refused", count = errors.len());
    let body = RowsError {
        error: state.pages().text(&m),
        code: m.code(),
        rows: errors,
    };
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

/// HR: imports earlier certifications from CSV (`learner,level,issued,expires,note`;
/// dates YYYY-MM-DD; an empty `expires` takes the level's validity). Every row is
/// checked first: one bad row imports nothing, and the 422 lists each bad row with its line.
#[utoipa::path(post, path = "/api/hr/certificates/import", tag = "hr", security(("session" = [], "csrf" = [])),
    request_body(content = String, content_type = "text/csv", description = "UTF-8 CSV with the header `learner,level,issued,expires,note`"),
    responses((status = 200, body = Imported), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, description = "bad rows: `error` and `rows` [{line, reason}]", body = ErrorBody)))]
async fn import_api(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    session.require(&[Role::Hr])?;
    let ctype = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !["text/csv", "text/plain"].iter().any(|t| ctype.starts_with(t)) {
        return Err(ApiError::UnsupportedMediaType(crate::msg!("certops-import-content-type")));
    }
    let text = std::str::from_utf8(&body).map_err(|_| ApiError::BadRequest(crate::msg!("certops-import-not-utf8")))?;
    Ok(match import(&state, &session, text).await? {
        Ok(ids) => Json(Imported { imported: ids.len(), ids }).into_response(),
        Err(errors) => rows_error(&state, &errors),
    })
}

#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ZipQuery {
    level: Option<String>,
    cohort: Option<String>,
    department: Option<String>,
    /// Only certificates expiring within this many days.
    expiring_within: Option<u32>,
}

impl ZipQuery {
    fn filter(&self, now: i64) -> Result<CertFilter, ApiError> {
        let to = match self.expiring_within {
            Some(d) if d > 3650 => {
                return Err(ApiError::BadRequest(crate::msg!(
                    "certops-expiring-within-out-of-range",
                    max = 3650
                )));
            }
            Some(d) => Some(now + d as i64 * DAY_MS),
            None => None,
        };
        Ok(CertFilter {
            from: to.map(|_| now),
            to,
            level: nonempty(&self.level),
            cohort: nonempty(&self.cohort),
            department: nonempty(&self.department),
        })
    }
}

/// HR: the printable PDFs of every certificate (not revoked) matching the filters, in one zip.
#[utoipa::path(get, path = "/api/hr/certificates.zip", tag = "hr", security(("session" = [])), params(ZipQuery),
    responses((status = 200, description = "a zip of PDFs, one per certificate, named by holder and id", content_type = "application/zip", body = Vec<u8>),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 503, body = ErrorBody)))]
async fn pdf_zip(State(state): State<AppState>, session: Session, ApiQuery(q): ApiQuery<ZipQuery>) -> Result<Response, ApiError> {
    session.require(&[Role::Hr])?;
    let now = state.clock.now_ms();
    let f = q.filter(now)?;
    let certs = programme::zip_selection(&state.ctx(), &session.user, f).await?;
    let st = state.clone();
    let zip = tokio::task::spawn_blocking(move || programme::certificates_zip(&st.ctx(), &certs, now))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))??;
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"certificates.zip\"".to_string()),
        ],
        zip,
    )
        .into_response())
}

/// Admins: sends the due expiry reminders now (the server also does so every hour).
#[utoipa::path(post, path = "/api/admin/reminders/run", tag = "admin", security(("session" = [], "csrf" = [])),
    responses((status = 200, body = ReminderRun), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn run_reminders(State(state): State<AppState>, CsrfSession(session): CsrfSession) -> Result<Json<ReminderRun>, ApiError> {
    Ok(Json(certification::run_reminders(&state.ctx(), &session.user).await?))
}

/// Anyone logged in: everything certbook stores about them, as one JSON download.
#[utoipa::path(get, path = "/api/me/export", tag = "account", security(("session" = [])),
    responses((status = 200, description = "`account`, `sessions`, `lesson_reads`, `attempts`, `runs`, `submissions`, `best_scores`, `certificates`, `quiz_overrides`", body = Object),
        (status = 401, body = ErrorBody)))]
async fn my_data(State(state): State<AppState>, session: Session) -> Result<Response, ApiError> {
    let data = programme::personal_data(&state.ctx(), &session.user).await?;
    let body = serde_json::to_vec_pretty(&data).map_err(|e| ApiError::Internal(e.to_string()))?;
    let disposition = format!(
        "attachment; filename=\"certbook-{}.json\"",
        session.user.username.replace(['"', '\\'], "_")
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}

async fn erase_user(state: &AppState, session: &Session, id: i64) -> Result<Erased, ApiError> {
    let e = programme::erase_learner(&state.ctx(), &session.user, id).await?;
    state.sessions.forget_user(id);
    Ok(e)
}

/// Admins: erases a learner's personal data on request. Results, work, reads and
/// sessions are deleted, the account is anonymised and cannot log in, certificates
/// keep only what verification needs; the action is written to the audit log.
#[utoipa::path(post, path = "/api/admin/users/{id}/erase", tag = "admin", security(("session" = [], "csrf" = [])),
    params(("id" = i64, Path, description = "user id")),
    responses((status = 200, body = Erased), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn erase(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Erased>, ApiError> {
    Ok(Json(erase_user(&state, &session, id).await?))
}

#[derive(Serialize, ToSchema)]
struct AuditLog {
    entries: Vec<AuditEntry>,
}

/// Admins: the newest 500 entries of the audit log (imports, revocations, exports, erasures, reminders).
#[utoipa::path(get, path = "/api/admin/audit", tag = "admin", security(("session" = [])),
    responses((status = 200, body = AuditLog), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn audit_api(State(state): State<AppState>, session: Session) -> Result<Json<AuditLog>, ApiError> {
    Ok(Json(AuditLog {
        entries: programme::audit_log(&state.ctx(), &session.user, 500).await?,
    }))
}

async fn page(state: &AppState, session: &Session, q: ExpiryQuery, import: (Option<ImportOutcome>, String)) -> Result<Response, ApiError> {
    let f = match q.filter(state.clock.now_ms()) {
        Ok(f) => f,
        Err(e) => return Ok(state.pages().refusal(StatusCode::BAD_REQUEST, "hr-filter-invalid", &e.message())),
    };
    let echo = ExpiryEcho {
        ahead: q.ahead.unwrap_or(90),
        past: q.past.unwrap_or(30),
        level: q.level,
        cohort: q.cohort,
        department: q.department,
    };
    let page = views::page(&state.ctx(), &session.user, &session.csrf, (f, echo), import).await?;
    Ok(state.pages().render(
        "certops",
        &state.pages().t("certops-title"),
        Some(&session.user),
        Some(&session.csrf),
        &page,
    ))
}

async fn certificates_page(
    State(state): State<AppState>,
    MaybeSession(session): MaybeSession,
    Query(q): Query<ExpiryQuery>,
) -> Result<Response, ApiError> {
    let why = state.pages().t("certops-forbidden");
    let session = match super::pages::staff_session(&state, session, &[Role::Hr], "/hr/certificates", &why) {
        Ok(s) => s,
        Err(r) => return Ok(*r),
    };
    page(&state, &session, q, (None, String::new())).await
}

#[derive(Deserialize)]
struct ImportForm {
    csrf: String,
    csv: String,
}

/// The page's import form (works without script): the result is shown on the page.
async fn import_form(
    State(state): State<AppState>,
    MaybeSession(session): MaybeSession,
    Form(f): Form<ImportForm>,
) -> Result<Response, ApiError> {
    let session = match super::pages::staff_session(
        &state,
        session,
        &[Role::Hr],
        "/hr/certificates",
        &state.pages().t("certops-import-forbidden"),
    ) {
        Ok(s) => s,
        Err(r) => return Ok(*r),
    };
    session.check_csrf(Some(&f.csrf))?;
    let outcome = ImportOutcome::of(
        &programme::import_certificates(&state.ctx(), &session.user, &f.csv).await,
        state.pages().messages(),
    );
    let refused = !outcome.ok;
    // A refused file comes back in the form, to correct and send again.
    let csv = if refused { f.csv } else { String::new() };
    let r = page(&state, &session, ExpiryQuery::default(), (Some(outcome), csv)).await?;
    Ok(if refused {
        super::pages::with_status(r, StatusCode::UNPROCESSABLE_ENTITY)
    } else {
        r
    })
}

#[derive(Deserialize)]
struct EraseForm {
    csrf: String,
    /// The learner's login name typed again, so a slip of the mouse erases nothing.
    confirm: String,
}

/// The transcript page's erase form (admins).
async fn erase_form(
    State(state): State<AppState>,
    MaybeSession(session): MaybeSession,
    ApiPath(id): ApiPath<i64>,
    Form(f): Form<EraseForm>,
) -> Result<Response, ApiError> {
    let next = format!("/hr/learners/{id}");
    let why = state.pages().t("certops-erase-forbidden");
    let session = match super::pages::staff_session(&state, session, &[], &next, &why) {
        Ok(s) => s,
        Err(r) => return Ok(*r),
    };
    session.check_csrf(Some(&f.csrf))?;
    match programme::erase_confirmed(&state.ctx(), &session.user, id, &f.confirm).await {
        Ok(_) => {
            state.sessions.forget_user(id);
            Ok(Redirect::to(&next).into_response())
        }
        Err(crate::app::Error::Unprocessable(m)) => {
            Ok(state
                .pages()
                .refusal(StatusCode::UNPROCESSABLE_ENTITY, "certops-not-erased-title", &m))
        }
        Err(e) => Err(e.into()),
    }
}
