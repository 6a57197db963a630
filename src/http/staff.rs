//! Routes for instructors and admins: quiz preview with keys, the user list.

use super::AppState;
use super::auth::Session;
use super::error::ApiError;
use crate::quiz::Grading;
use crate::quiz::analysis::{AttemptData, analyse};
use crate::store::Role;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/instructor/quizzes/{id}", get(quiz_with_key))
        .route("/api/instructor/quizzes/{id}/analysis", get(item_analysis))
        .route("/api/admin/users", get(users))
}

/// Facility, discrimination and option shares per question, from every graded attempt.
async fn item_analysis(State(state): State<AppState>, session: Session, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    session.require(&[Role::Instructor])?;
    let quiz = state
        .curriculum
        .quizzes
        .get(&id)
        .ok_or_else(|| ApiError::NotFound(format!("没有这个测验：{id}")))?;
    let rows = state.store.graded_attempts(id.clone()).await?;
    let attempts: Vec<AttemptData> = rows
        .into_iter()
        .filter_map(|(percent, answers, result)| {
            let grading: Grading = serde_json::from_str(&result).ok()?;
            Some(AttemptData {
                percent,
                answers: serde_json::from_str(&answers).unwrap_or_default(),
                correct: grading.questions.iter().map(|q| (q.id.clone(), q.correct)).collect(),
            })
        })
        .collect();
    let items = analyse(quiz, &attempts);
    Ok(Json(json!({
        "quiz": quiz.id, "title": quiz.title, "attempts": attempts.len(),
        "min_attempts_for_flags": crate::quiz::analysis::MIN_ATTEMPTS_FOR_FLAGS, "questions": items,
    })))
}

/// The whole bank with keys and explanations, for authors checking their questions.
async fn quiz_with_key(State(state): State<AppState>, session: Session, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    session.require(&[Role::Instructor])?;
    let quiz = state
        .curriculum
        .quizzes
        .get(&id)
        .ok_or_else(|| ApiError::NotFound(format!("没有这个测验：{id}")))?;
    Ok(Json(json!(quiz)))
}

async fn users(State(state): State<AppState>, session: Session) -> Result<Json<Value>, ApiError> {
    session.require(&[])?;
    Ok(Json(json!({ "users": state.store.list_users().await? })))
}
