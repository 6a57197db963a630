//! Routes for instructors and admins: quiz preview with keys, the user list.

use super::AppState;
use super::auth::Session;
use super::error::ApiError;
use crate::store::Role;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/instructor/quizzes/{id}", get(quiz_with_key))
        .route("/api/admin/users", get(users))
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
