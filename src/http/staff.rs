//! Routes for instructors and admins: quiz preview with keys, the user list.

use super::AppState;
use super::auth::MaybeSession;
use super::auth::Session;
use super::error::ApiError;
use crate::quiz::Grading;
use crate::quiz::analysis::{AttemptData, analyse};
use crate::store::Role;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/instructor/quizzes/{id}", get(quiz_with_key))
        .route("/api/instructor/quizzes/{id}/analysis", get(item_analysis))
        .route("/api/admin/users", get(users))
        .route("/instructor/analysis", get(analysis_index))
        .route("/instructor/analysis/{id}", get(analysis_page))
}

fn instructor_page(state: &AppState, session: Option<Session>, next: &str) -> Result<Session, Box<Response>> {
    super::pages::staff_session(state, session, &[Role::Instructor], next, "只有讲师可以查看题目分析。")
}

/// Every quiz with how many graded attempts it has, linking to its analysis.
async fn analysis_index(State(state): State<AppState>, MaybeSession(session): MaybeSession) -> Result<Response, ApiError> {
    let session = match instructor_page(&state, session, "/instructor/analysis") {
        Ok(s) => s,
        Err(r) => return Ok(*r),
    };
    let counts: std::collections::HashMap<String, i64> = state.store.graded_counts().await?.into_iter().collect();
    let quizzes: Vec<Value> = state
        .curriculum
        .quizzes
        .values()
        .map(|q| json!({ "id": q.id, "title": q.title, "attempts": counts.get(&q.id).copied().unwrap_or(0) }))
        .collect();
    Ok(state.pages.render(
        "analysis",
        "题目分析",
        Some(&session.user),
        Some(&session.csrf),
        json!({ "quizzes": quizzes }),
    ))
}

async fn analysis_page(
    State(state): State<AppState>,
    MaybeSession(session): MaybeSession,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let session = match instructor_page(&state, session, &format!("/instructor/analysis/{id}")) {
        Ok(s) => s,
        Err(r) => return Ok(*r),
    };
    let Json(mut v) = item_analysis(State(state.clone()), session.clone(), Path(id)).await?;
    for q in v["questions"].as_array_mut().into_iter().flatten() {
        let labels: Vec<&str> = q["flags"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| match f.as_str()? {
                "too_easy" => Some("太容易"),
                "too_hard" => Some("太难"),
                "negative_discrimination" => Some("区分度为负"),
                _ => None,
            })
            .collect();
        q["flag_labels"] = json!(labels.join("、"));
    }
    Ok(state
        .pages
        .render("analysis_quiz", "题目分析", Some(&session.user), Some(&session.csrf), v))
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
