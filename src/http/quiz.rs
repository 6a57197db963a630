//! The quiz API: a learner's standing on a quiz, starting (or resuming) an attempt
//! with key-free questions, submitting for server-side grading, reading an attempt.

use super::AppState;
use super::auth::{CsrfSession, Session, random_token};
use super::error::{ApiError, ApiJson};
use crate::quiz::{self, Grading, Quiz};
use crate::store::{AttemptRow, NewAttempt, StartOutcome, SubmitOutcome};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/quizzes/{id}", get(status))
        .route("/api/quizzes/{id}/attempts", post(start))
        .route("/api/attempts/{id}", get(attempt))
        .route("/api/attempts/{id}/submit", post(submit))
}

/// Grace after the deadline for the time a submit spends on the network.
const DEADLINE_GRACE_MS: i64 = 3_000;

fn find_quiz(state: &AppState, id: &str) -> Result<Quiz, ApiError> {
    state
        .curriculum
        .quizzes
        .get(id)
        .cloned()
        .ok_or_else(|| ApiError::NotFound(format!("没有这个测验：{id}")))
}

async fn status_json(state: &AppState, quiz: &Quiz, user_id: i64) -> Result<Value, ApiError> {
    let s = state.store.quiz_summary(user_id, quiz.id.clone(), state.clock.now_ms()).await?;
    let allowed = (quiz.attempts > 0).then_some(quiz.attempts);
    Ok(json!({
        "id": quiz.id,
        "title": quiz.title,
        "question_count": quiz.draw.as_ref().map(|d| d.count).unwrap_or(quiz.questions.len()),
        "pass_mark": quiz.pass_mark,
        "time_limit": quiz.time_limit,
        "attempts_allowed": allowed,
        "attempts_used": s.attempts,
        "attempts_left": allowed.map(|a| a.saturating_sub(s.attempts)),
        "best_percent": s.best_percent,
        "passed": s.passed,
        "open_attempt": s.open_attempt,
    }))
}

async fn status(State(state): State<AppState>, session: Session, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let quiz = find_quiz(&state, &id)?;
    Ok(Json(status_json(&state, &quiz, session.user.id).await?))
}

fn attempt_json(state: &AppState, quiz: &Quiz, a: &AttemptRow) -> Value {
    json!({
        "id": a.id,
        "quiz_id": a.quiz_id,
        "started_at": a.started_at,
        "deadline_ms": a.deadline_at,
        "server_now_ms": state.clock.now_ms(),
        "questions": quiz::public_questions(quiz, &a.question_ids, a.seed),
    })
}

async fn start(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let quiz = find_quiz(&state, &id)?;
    let now = state.clock.now_ms();
    let seed = rand::random::<u64>() >> 1; // fits SQLite's signed integer
    let new = NewAttempt {
        id: random_token(),
        seed,
        question_ids: quiz::draw_questions(&quiz, seed),
        deadline_at: quiz.time_limit.map(|s| now + s as i64 * 1000),
    };
    match state
        .store
        .start_attempt(session.user.id, quiz.id.clone(), quiz.attempts, now, new)
        .await?
    {
        StartOutcome::Started(a) => Ok((StatusCode::CREATED, Json(attempt_json(&state, &quiz, &a)))),
        StartOutcome::Resumed(a) => Ok((StatusCode::OK, Json(attempt_json(&state, &quiz, &a)))),
        StartOutcome::NoAttemptsLeft { used } => Err(ApiError::Conflict(format!("作答次数已用完（已作答 {used} 次）"))),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SubmitBody {
    answers: BTreeMap<String, Value>,
}

/// The learner-facing outcome of a graded attempt.
fn result_json(quiz: &Quiz, a: &AttemptRow) -> Value {
    let grading: Option<Grading> = a.result.as_deref().and_then(|r| serde_json::from_str(r).ok());
    match grading {
        Some(g) => json!({
            "attempt_id": a.id, "quiz_id": a.quiz_id, "status": a.status, "pass_mark": quiz.pass_mark,
            "score": g.score, "max_score": g.max_score, "percent": g.percent, "passed": g.passed,
            "questions": g.questions, "submitted_at": a.submitted_at,
        }),
        None => {
            json!({ "attempt_id": a.id, "quiz_id": a.quiz_id, "status": a.status, "percent": a.percent, "passed": a.passed })
        }
    }
}

async fn submit(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SubmitBody>,
) -> Result<Json<Value>, ApiError> {
    let answers_json = serde_json::to_string(&body.answers).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let curriculum = Arc::clone(&state.curriculum);
    let answers = body.answers;
    let grade = move |row: &AttemptRow| {
        let quiz = curriculum
            .quizzes
            .get(&row.quiz_id)
            .ok_or_else(|| format!("quiz `{}` no longer exists", row.quiz_id))?;
        let g = quiz::grade(quiz, &row.question_ids, &answers)?;
        let result = serde_json::to_string(&g).map_err(|e| e.to_string())?;
        Ok((g.score, g.max_score, g.percent, g.passed, result))
    };
    // Deadline checks allow a little network latency.
    let now = state.clock.now_ms() - DEADLINE_GRACE_MS;
    let outcome = state
        .store
        .submit_attempt(id, session.user.id, answers_json, now, grade)
        .await?
        .map_err(ApiError::Unprocessable)?;
    match outcome {
        SubmitOutcome::Graded(a) | SubmitOutcome::AlreadySubmitted(a) if a.status == "graded" => {
            let quiz = find_quiz(&state, &a.quiz_id)?;
            let mut v = result_json(&quiz, &a);
            // A passing grade may complete a certification level: issue it now.
            let (_, issued) = super::certify::certify_user(&state, session.user.id).await?;
            v["certificates_issued"] = json!(
                issued
                    .iter()
                    .map(|c| super::certify::certificate_json(&state, c))
                    .collect::<Vec<_>>()
            );
            Ok(Json(v))
        }
        SubmitOutcome::Expired(_) | SubmitOutcome::AlreadySubmitted(_) => {
            Err(ApiError::Conflict("时间已到：本次作答已超时，不计分 (time limit exceeded)".into()))
        }
        SubmitOutcome::Graded(_) | SubmitOutcome::NotFound => Err(ApiError::NotFound("没有这次作答记录 (no such attempt)".into())),
    }
}

async fn attempt(State(state): State<AppState>, session: Session, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let not_found = || ApiError::NotFound("没有这次作答记录 (no such attempt)".into());
    // Another learner's attempt is "not found", so ids cannot be probed.
    let a = state
        .store
        .attempt(id)
        .await?
        .filter(|a| a.user_id == session.user.id || session.is_staff())
        .ok_or_else(not_found)?;
    let quiz = find_quiz(&state, &a.quiz_id)?;
    let mut v = result_json(&quiz, &a);
    v["user_id"] = json!(a.user_id);
    v["started_at"] = json!(a.started_at);
    Ok(Json(v))
}
