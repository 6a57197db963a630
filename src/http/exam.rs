//! Exam administration for staff: accommodations (overrides of a quiz's limits per
//! learner or cohort), releasing an attempt's device binding, and the similarity report.

use super::AppState;
use super::auth::{CsrfSession, Session};
use super::error::{ApiError, ApiJson, ApiPath, ErrorBody};
use crate::store::{OverrideRow, Role};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(put_override, list_overrides))
        .routes(routes!(delete_override))
}

/// Instructors, HR and admins manage accommodations.
const OVERRIDE_ROLES: &[Role] = &[Role::Instructor, Role::Hr];

fn known_quiz(state: &AppState, id: &str) -> Result<(), ApiError> {
    if state.curriculum().quizzes.contains_key(id) {
        Ok(())
    } else {
        Err(ApiError::NotFound(format!("没有这个测验：{id}")))
    }
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
            .map_err(|_| {
                ApiError::Unprocessable(format!(
                    "`{name}` 不是带时区的 RFC 3339 时间 (expected e.g. 2026-03-01T09:00:00+08:00)"
                ))
            })
    })
    .transpose()
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
    session.require(OVERRIDE_ROLES)?;
    known_quiz(&state, &id)?;
    let cohort = body.cohort.map(|c| c.trim().to_string());
    if body.user_id.is_some() == cohort.is_some() || cohort.as_deref() == Some("") {
        return Err(ApiError::Unprocessable(
            "请指定 user_id 或 cohort 之一 (give exactly one of user_id or cohort)".into(),
        ));
    }
    let row = OverrideRow {
        id: 0,
        quiz_id: id,
        user_id: body.user_id,
        cohort,
        extra_time: body.extra_time as i64,
        extra_attempts: body.extra_attempts,
        opens: instant("opens", body.opens.as_deref())?,
        closes: instant("closes", body.closes.as_deref())?,
    };
    if let (Some(o), Some(c)) = (row.opens, row.closes)
        && c <= o
    {
        return Err(ApiError::Unprocessable(
            "关闭时间须晚于开放时间 (closes must be after opens)".into(),
        ));
    }
    let saved = state
        .store
        .put_override(row, session.user.id, state.clock.now_ms())
        .await?
        .ok_or_else(|| ApiError::NotFound("没有这个用户 (no such user)".into()))?;
    Ok(Json(saved))
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
    session.require(OVERRIDE_ROLES)?;
    known_quiz(&state, &id)?;
    Ok(Json(Overrides {
        overrides: state.store.overrides(id).await?,
    }))
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
    session.require(OVERRIDE_ROLES)?;
    if state.store.delete_override(id, override_id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound("没有这条调整 (no such override)".into()))
    }
}
