//! The HR view (read-only, roles hr and admin): cohort dashboard with charts,
//! learner transcripts, and CSV exports streamed row by row.

use super::AppState;
use super::auth::{MaybeSession, Session};
use super::error::{ApiError, ApiPath, ApiQuery, ErrorBody};
use crate::app::reports::{self, CsvExport, Figures, Transcript};
use crate::app::views::hr::{self as views, FilterEcho};
use crate::store::{Filter, Role};
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(dashboard_api))
        .routes(routes!(transcript))
        .routes(routes!(export_learners_csv))
        .routes(routes!(export_certificates_csv))
        .route("/hr", get(dashboard_page))
        .route("/hr/learners/{id}", get(transcript_page))
        .route("/hr/attempts/{id}", get(attempt_page))
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FilterQuery {
    cohort: Option<String>,
    department: Option<String>,
    /// YYYY-MM-DD, inclusive.
    from: Option<String>,
    to: Option<String>,
}

fn day_ms(s: &str, end: bool) -> Result<i64, ApiError> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let d = time::Date::parse(s.trim(), &fmt).map_err(|_| ApiError::BadRequest(crate::msg!("hr-date-format", date = s)))?;
    let t = d.midnight().assume_utc().unix_timestamp() * 1000;
    Ok(if end { t + 86_400_000 - 1 } else { t })
}

impl FilterQuery {
    fn filter(&self) -> Result<Filter, ApiError> {
        let nonempty = |s: &Option<String>| s.as_ref().map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        Ok(Filter {
            cohort: nonempty(&self.cohort),
            department: nonempty(&self.department),
            from: nonempty(&self.from).map(|s| day_ms(&s, false)).transpose()?,
            to: nonempty(&self.to).map(|s| day_ms(&s, true)).transpose()?,
        })
    }
}

/// HR: cohort figures (learners per level, the funnel, results per quiz and scenario), filtered.
#[utoipa::path(get, path = "/api/hr/dashboard", tag = "hr", security(("session" = [])), params(FilterQuery),
    responses((status = 200, body = Figures),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn dashboard_api(
    State(state): State<AppState>,
    session: Session,
    ApiQuery(q): ApiQuery<FilterQuery>,
) -> Result<Json<Figures>, ApiError> {
    Ok(Json(reports::dashboard(&state.ctx(), &session.user, q.filter()?).await?))
}

async fn dashboard_page(
    State(state): State<AppState>,
    MaybeSession(session): MaybeSession,
    Query(q): Query<FilterQuery>,
) -> Result<Response, ApiError> {
    let why = state.pages().t("hr-dashboard-forbidden");
    let session = match super::pages::staff_session(&state, session, &[Role::Hr], "/hr", &why) {
        Ok(s) => s,
        Err(r) => return Ok(*r),
    };
    let filter = match q.filter() {
        Ok(f) => f,
        Err(e) => return Ok(state.pages().refusal(StatusCode::BAD_REQUEST, "hr-filter-invalid", &e.message())),
    };
    let echo = FilterEcho {
        cohort: q.cohort,
        department: q.department,
        from: q.from,
        to: q.to,
    };
    let page = views::dashboard(&state.ctx(), &session.user, filter, echo).await?;
    Ok(state
        .pages()
        .render("hr", &state.pages().t("hr-title"), Some(&session.user), Some(&session.csrf), &page))
}

async fn transcript_page(
    State(state): State<AppState>,
    MaybeSession(session): MaybeSession,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let next = format!("/hr/learners/{id}");
    let why = state.pages().t("hr-transcript-forbidden");
    let session = match super::pages::staff_session(&state, session, &[Role::Hr, Role::Instructor], &next, &why) {
        Ok(s) => s,
        Err(r) => return Ok(*r),
    };
    match views::transcript(&state.ctx(), &session.user, &session.csrf, id).await {
        Ok(page) => Ok(state.pages().render(
            "transcript",
            &state.pages().t("transcript-title"),
            Some(&session.user),
            Some(&session.csrf),
            &page,
        )),
        Err(crate::app::Error::NotFound(m)) => Ok(state.pages().refusal(StatusCode::NOT_FOUND, "hr-no-such-learner-title", &m)),
        Err(e) => Err(e.into()),
    }
}

/// One attempt's full review, linked from the transcript.
async fn attempt_page(
    State(state): State<AppState>,
    MaybeSession(session): MaybeSession,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let next = format!("/hr/attempts/{id}");
    let why = state.pages().t("hr-attempt-forbidden");
    let session = match super::pages::staff_session(&state, session, &[Role::Hr, Role::Instructor], &next, &why) {
        Ok(s) => s,
        Err(r) => return Ok(*r),
    };
    match views::attempt(&state.ctx(), &session.user, &id).await {
        Ok(page) => Ok(state.pages().render(
            "attempt",
            &state.pages().t("hr-attempt-title"),
            Some(&session.user),
            Some(&session.csrf),
            &page,
        )),
        Err(crate::app::Error::NotFound(m)) => Ok(state.pages().refusal(StatusCode::NOT_FOUND, "hr-no-such-attempt-title", &m)),
        Err(e) => Err(e.into()),
    }
}

/// HR and instructors: everything one learner has done.
#[utoipa::path(get, path = "/api/hr/learners/{id}/transcript", tag = "hr", security(("session" = [])),
    params(("id" = i64, Path, description = "user id")),
    responses((status = 200, body = Transcript),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn transcript(State(state): State<AppState>, session: Session, ApiPath(id): ApiPath<i64>) -> Result<Json<Transcript>, ApiError> {
    Ok(Json(reports::transcript(&state.ctx(), &session.user, id).await?))
}

/// The export as a streamed download.
fn csv_stream(state: &AppState, export: CsvExport) -> Response {
    let name = export.file_name();
    let stream = futures_util::stream::unfold(export.stream(state.store.clone()), |mut rx| async move {
        rx.recv().await.map(|b| (Ok::<_, std::convert::Infallible>(b), rx))
    });
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        Body::from_stream(stream),
    )
        .into_response()
}

/// HR: one row per learner with results and levels held (CSV, streamed).
#[utoipa::path(get, path = "/api/hr/export/learners.csv", tag = "hr", security(("session" = [])),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn export_learners_csv(State(state): State<AppState>, session: Session) -> Result<Response, ApiError> {
    let export = reports::learners_export(&state.ctx(), &session.user)?;
    Ok(csv_stream(&state, export))
}

/// HR: one row per certificate (CSV, streamed).
#[utoipa::path(get, path = "/api/hr/export/certificates.csv", tag = "hr", security(("session" = [])),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn export_certificates_csv(State(state): State<AppState>, session: Session) -> Result<Response, ApiError> {
    let export = reports::certificates_export(&session.user)?;
    Ok(csv_stream(&state, export))
}
