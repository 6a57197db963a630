//! Exam administration for staff: accommodations (overrides of a quiz's limits per
//! learner or cohort), releasing an attempt's device binding, and the similarity report.
//! The rules live in [`crate::app::exams`], `crate::quiz::exam` and `crate::quiz::similarity`.

use super::AppState;
use super::auth::{CsrfSession, Session};
use super::error::{ApiError, ApiJson, ApiPath, ApiQuery, ErrorBody};
use crate::app::exams::{self, Learner, OverrideRequest, SimilarityReport};
use crate::store::OverrideRow;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) use crate::app::exams::{INTEGRITY_ROLES, OVERRIDE_ROLES};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(put_override, list_overrides))
        .routes(routes!(delete_override))
        .routes(routes!(release_device))
        .routes(routes!(similarity_report))
}

/// One override: for `user_id` or for `cohort` (exactly one of them).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct OverrideBody {
    user_id: Option<i64>,
    cohort: Option<String>,
    /// Seconds added to the time limit.
    #[serde(default)]
    extra_time: u32,
    /// Attempts added to a limited quiz.
    #[serde(default)]
    extra_attempts: u32,
    /// RFC 3339 date-time replacing the bank's `opens`.
    opens: Option<String>,
    /// RFC 3339 date-time replacing the bank's `closes`.
    closes: Option<String>,
}

fn instant(name: &str, v: Option<&str>) -> Result<Option<i64>, ApiError> {
    v.map(|s| {
        time::OffsetDateTime::parse(s.trim(), &time::format_description::well_known::Rfc3339)
            .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
            .map_err(|_| ApiError::Unprocessable(crate::msg!("quiz-override-time-invalid", field = name)))
    })
    .transpose()
}

impl OverrideBody {
    fn request(self) -> Result<OverrideRequest, ApiError> {
        Ok(OverrideRequest {
            opens: instant("opens", self.opens.as_deref())?,
            closes: instant("closes", self.closes.as_deref())?,
            learner: self.user_id.map(Learner::Id),
            cohort: self.cohort,
            extra_time: self.extra_time,
            extra_attempts: self.extra_attempts,
        })
    }
}

#[derive(Serialize, ToSchema)]
struct Overrides {
    overrides: Vec<OverrideRow>,
}

/// Creates or replaces the override for a learner or a cohort at the quiz.
#[utoipa::path(put, path = "/api/instructor/quizzes/{id}/overrides", tag = "exam", security(("session" = [], "csrf" = [])),
    params(("id" = String, Path, description = "quiz id")), request_body = OverrideBody,
    responses((status = 200, body = OverrideRow), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_override(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<OverrideBody>,
) -> Result<Json<OverrideRow>, ApiError> {
    // Refused callers learn nothing about their input (save_override checks the role too).
    crate::app::require(&session.user, OVERRIDE_ROLES)?;
    let req = body.request()?;
    Ok(Json(exams::save_override(&state.ctx(), &session.user, &id, req).await?))
}

/// The quiz's overrides.
#[utoipa::path(get, path = "/api/instructor/quizzes/{id}/overrides", tag = "exam", security(("session" = [])),
    params(("id" = String, Path, description = "quiz id")),
    responses((status = 200, body = Overrides), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_overrides(
    State(state): State<AppState>,
    session: Session,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Overrides>, ApiError> {
    let overrides = exams::overrides(&state.ctx(), &session.user, &id).await?;
    Ok(Json(Overrides { overrides }))
}

/// Removes one override.
#[utoipa::path(delete, path = "/api/instructor/quizzes/{id}/overrides/{override_id}", tag = "exam", security(("session" = [], "csrf" = [])),
    params(("id" = String, Path, description = "quiz id"), ("override_id" = i64, Path, description = "override id")),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_override(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
    ApiPath((id, override_id)): ApiPath<(String, i64)>,
) -> Result<StatusCode, ApiError> {
    exams::remove_override(&state.ctx(), &session.user, &id, override_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An attempt after its device binding was released.
#[derive(Serialize, ToSchema)]
struct Released {
    attempt_id: String,
    user_id: i64,
    /// The attempt is bound to no device: the next device to write to it takes it.
    released: bool,
}

/// Releases an open attempt from the device it is bound to (a learner whose computer
/// failed), so the next device that writes to it takes it over. Recorded in the audit log.
#[utoipa::path(post, path = "/api/instructor/attempts/{id}/release-device", tag = "exam", security(("session" = [], "csrf" = [])),
    params(("id" = String, Path, description = "attempt id")),
    responses((status = 200, body = Released), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn release_device(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Released>, ApiError> {
    let row = exams::release(&state.ctx(), &session.user, &id).await?;
    Ok(Json(Released {
        attempt_id: row.id,
        user_id: row.user_id,
        released: row.device_hash.is_none(),
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct SimilarityQuery {
    /// Attempts at most this many minutes apart count as the same sitting (default 60, at most 10080).
    span_minutes: Option<u32>,
}

/// Pairs of graded attempts from the same sitting with improbably many identical wrong
/// answers, judged by how common each wrong answer is among all attempts; flagged pairs
/// are worth a look, not proof.
#[utoipa::path(get, path = "/api/instructor/quizzes/{id}/similarity", tag = "exam", security(("session" = [])),
    params(("id" = String, Path, description = "quiz id"), SimilarityQuery),
    responses((status = 200, body = SimilarityReport), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn similarity_report(
    State(state): State<AppState>,
    session: Session,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<SimilarityQuery>,
) -> Result<Json<SimilarityReport>, ApiError> {
    Ok(Json(
        exams::similarity_report(&state.ctx(), &session.user, &id, q.span_minutes).await?,
    ))
}
