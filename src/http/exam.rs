//! Exam administration for staff: accommodations (overrides of a quiz's limits per
//! learner or cohort), releasing an attempt's device binding, and the similarity report.
//! The rules live in `crate::quiz::exam` and `crate::quiz::similarity`.

use super::AppState;
use super::auth::{CsrfSession, Session};
use super::error::{ApiError, ApiJson, ApiPath, ApiQuery, ErrorBody};
use crate::quiz::Grading;
use crate::quiz::similarity::{self, Sitting};
use crate::store::{AttemptRow, OverrideRow, Role};
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
        .routes(routes!(release_device))
        .routes(routes!(similarity_report))
}

/// Instructors (and admins) release devices and read the similarity report.
pub(super) const INTEGRITY_ROLES: &[Role] = &[Role::Instructor];

/// Instructors, HR and admins manage accommodations.
pub(super) const OVERRIDE_ROLES: &[Role] = &[Role::Instructor, Role::Hr];

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

/// Who an override is for: the API names a learner by id, the exam page by login name.
pub(super) enum Learner {
    Id(i64),
    Login(String),
}

/// An override as staff ask for it, before its rules are checked.
pub(super) struct OverrideRequest {
    pub learner: Option<Learner>,
    pub cohort: Option<String>,
    /// Seconds added to the time limit.
    pub extra_time: u32,
    pub extra_attempts: u32,
    /// Unix ms.
    pub opens: Option<i64>,
    pub closes: Option<i64>,
}

/// The one place an override is checked and saved, for the API and the exam page.
pub(super) async fn save_override(
    state: &AppState,
    session: &Session,
    quiz_id: &str,
    req: OverrideRequest,
) -> Result<OverrideRow, ApiError> {
    session.require(OVERRIDE_ROLES)?;
    known_quiz(state, quiz_id)?;
    let cohort = req.cohort.map(|c| c.trim().to_string());
    if req.learner.is_some() == cohort.is_some() || cohort.as_deref() == Some("") {
        return Err(ApiError::Unprocessable(
            "请指定一位学员或一个批次，只选其一 (give exactly one of learner/user_id or cohort)".into(),
        ));
    }
    if let (Some(o), Some(c)) = (req.opens, req.closes)
        && c <= o
    {
        return Err(ApiError::Unprocessable(
            "关闭时间须晚于开放时间 (closes must be after opens)".into(),
        ));
    }
    let user_id = match req.learner {
        Some(Learner::Id(id)) => Some(id),
        Some(Learner::Login(name)) => {
            let name = name.trim().to_string();
            let user = state.store.user_by_username(name.clone()).await?;
            Some(
                user.ok_or_else(|| ApiError::Unprocessable(format!("没有登录名为“{name}”的学员 (no such learner)")))?
                    .id,
            )
        }
        None => None,
    };
    let row = OverrideRow {
        id: 0,
        quiz_id: quiz_id.to_string(),
        user_id,
        cohort,
        extra_time: req.extra_time as i64,
        extra_attempts: req.extra_attempts,
        opens: req.opens,
        closes: req.closes,
    };
    state
        .store
        .put_override(row, session.user.id, state.clock.now_ms())
        .await?
        .ok_or_else(|| ApiError::NotFound("没有这个用户 (no such user)".into()))
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
    session.require(OVERRIDE_ROLES)?;
    let req = OverrideRequest {
        learner: body.user_id.map(Learner::Id),
        cohort: body.cohort,
        extra_time: body.extra_time,
        extra_attempts: body.extra_attempts,
        opens: instant("opens", body.opens.as_deref())?,
        closes: instant("closes", body.closes.as_deref())?,
    };
    Ok(Json(save_override(&state, &session, &id, req).await?))
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

/// Removes one override (the API and the exam page).
pub(super) async fn remove_override(state: &AppState, session: &Session, quiz_id: &str, override_id: i64) -> Result<(), ApiError> {
    session.require(OVERRIDE_ROLES)?;
    if state.store.delete_override(quiz_id.to_string(), override_id).await? {
        Ok(())
    } else {
        Err(ApiError::NotFound("没有这条调整 (no such override)".into()))
    }
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
    remove_override(&state, &session, &id, override_id).await?;
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

/// Releases an open attempt from its device (the API and the exam page); the attempt as it now stands.
pub(super) async fn release(state: &AppState, session: &Session, attempt_id: &str) -> Result<AttemptRow, ApiError> {
    session.require(INTEGRITY_ROLES)?;
    let row = state
        .store
        .release_device(attempt_id.to_string(), session.user.id, state.clock.now_ms())
        .await?
        .ok_or_else(|| ApiError::NotFound("没有这次作答记录 (no such attempt)".into()))?;
    if !row.status.is_open() {
        return Err(ApiError::Conflict("本次作答已结束，无需释放设备 (attempt already ended)".into()));
    }
    Ok(row)
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
    let row = release(&state, &session, &id).await?;
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

/// One side of a pair.
#[derive(Serialize, ToSchema)]
struct PairSide {
    attempt_id: String,
    user_id: i64,
    username: String,
    display_name: String,
    /// Unix ms.
    submitted_at: i64,
}

#[derive(Serialize, ToSchema)]
struct SimilarPair {
    first: PairSide,
    second: PairSide,
    /// Questions both were asked.
    compared: usize,
    /// How many of them both answered wrongly with the same answer.
    identical_wrong: usize,
    /// Those questions.
    questions: Vec<String>,
    /// Identical wrong answers expected if they worked independently.
    expected: f64,
    /// Chance of at least this many under independence.
    probability: f64,
    flagged: bool,
}

#[derive(Serialize, ToSchema)]
pub(super) struct SimilarityReport {
    quiz_id: String,
    /// Graded attempts considered.
    attempts: usize,
    span_minutes: u32,
    /// Pairs of attempts by different learners in the same sitting.
    pairs_compared: usize,
    /// A pair is flagged with at least this many identical wrong answers …
    min_identical_wrong: usize,
    /// … and a probability below this (1% divided by the pairs compared).
    threshold: f64,
    /// Pairs with at least one identical wrong answer, most improbable first (at most 200).
    pairs: Vec<SimilarPair>,
}

const DEFAULT_SPAN_MINUTES: u32 = 60;
const MAX_SPAN_MINUTES: u32 = 7 * 24 * 60;

/// The report (see [`similarity`] for the rule), for the API and the analysis page.
pub(super) async fn similarity_of(state: &AppState, id: &str, span_minutes: Option<u32>) -> Result<SimilarityReport, ApiError> {
    let span = span_minutes.unwrap_or(DEFAULT_SPAN_MINUTES);
    if span > MAX_SPAN_MINUTES {
        return Err(ApiError::BadRequest(format!(
            "span_minutes 最大为 {MAX_SPAN_MINUTES}（一周） (span_minutes must be at most {MAX_SPAN_MINUTES})"
        )));
    }
    let cur = state.curriculum();
    let quiz = cur
        .quizzes
        .get(id)
        .ok_or_else(|| ApiError::NotFound(format!("没有这个测验：{id}")))?;
    let rows = state.store.graded_attempts_detail(id.to_string()).await?;
    // Keep only attempts whose stored grading can be read, with their row for the names.
    let (rows, sittings): (Vec<_>, Vec<_>) = rows
        .into_iter()
        .filter_map(|r| {
            let grading: Grading = serde_json::from_str(&r.result).ok()?;
            let sitting = Sitting {
                learner: r.user_id,
                started_at: r.started_at,
                submitted_at: r.submitted_at,
                answers: serde_json::from_str(&r.answers).unwrap_or_default(),
                correct: grading.questions.iter().map(|q| (q.id.clone(), q.correct)).collect(),
            };
            Some((r, sitting))
        })
        .unzip();
    let report = similarity::report(quiz, &sittings, span as i64 * 60_000);
    let side = |i: usize| PairSide {
        attempt_id: rows[i].id.clone(),
        user_id: rows[i].user_id,
        username: rows[i].username.clone(),
        display_name: rows[i].display_name.clone(),
        submitted_at: rows[i].submitted_at,
    };
    Ok(SimilarityReport {
        quiz_id: quiz.id.clone(),
        attempts: sittings.len(),
        span_minutes: span,
        pairs_compared: report.pairs_compared,
        min_identical_wrong: similarity::MIN_IDENTICAL_WRONG,
        threshold: report.threshold,
        pairs: report
            .pairs
            .into_iter()
            .map(|p| SimilarPair {
                first: side(p.first),
                second: side(p.second),
                compared: p.compared,
                identical_wrong: p.identical_wrong.len(),
                questions: p.identical_wrong,
                expected: p.expected,
                probability: p.probability,
                flagged: p.flagged,
            })
            .collect(),
    })
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
    session.require(INTEGRITY_ROLES)?;
    Ok(Json(similarity_of(&state, &id, q.span_minutes).await?))
}
