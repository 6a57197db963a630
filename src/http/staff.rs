//! Routes for instructors and admins: quiz preview with keys, the user list.

use super::AppState;
use super::auth::MaybeSession;
use super::auth::Session;
use super::error::{ApiError, ApiPath, ErrorBody};
use crate::quiz::Grading;
use crate::quiz::analysis::{AttemptData, analyse};
use crate::store::Role;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(quiz_with_key))
        .routes(routes!(item_analysis))
        .routes(routes!(users))
        .route("/instructor/analysis", get(analysis_index))
        .route("/instructor/analysis/{id}", get(analysis_page))
        .route("/instructor/build", get(build_page))
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
        .curriculum()
        .quizzes
        .values()
        .map(|q| json!({ "id": q.id, "title": q.title, "attempts": counts.get(&q.id).copied().unwrap_or(0) }))
        .collect();
    Ok(state.pages().render(
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
    let Json(mut v) = item_analysis(State(state.clone()), session.clone(), ApiPath(id.clone())).await?;
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
    let mut sim = json!(crate::app::exams::similarity_of(&state.ctx(), &id, None).await?);
    sim["threshold_text"] = json!(chance(sim["threshold"].as_f64().unwrap_or(0.0)));
    for p in sim["pairs"].as_array_mut().into_iter().flatten() {
        p["probability_text"] = json!(chance(p["probability"].as_f64().unwrap_or(1.0)));
        p["questions_text"] = json!(
            p["questions"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|q| q.as_str())
                .collect::<Vec<_>>()
                .join("、")
        );
    }
    v["similarity"] = sim;
    Ok(state
        .pages()
        .render("analysis_quiz", "题目分析", Some(&session.user), Some(&session.csrf), v))
}

/// A probability for people: 0.042 → "4.2%", 0.0000031 → "3.1e-6".
fn chance(p: f64) -> String {
    if p >= 0.001 {
        format!("{:.1}%", p * 100.0)
    } else {
        format!("{p:.1e}")
    }
}

/// Instructors: facility, discrimination and option shares per question, from every graded attempt.
#[utoipa::path(get, path = "/api/instructor/quizzes/{id}/analysis", tag = "instructor", security(("session" = [])),
    params(("id" = String, Path, description = "quiz id")),
    responses((status = 200, description = "`quiz`, `title`, `attempts`, `min_attempts_for_flags` and per-question `questions`", body = Object),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn item_analysis(State(state): State<AppState>, session: Session, ApiPath(id): ApiPath<String>) -> Result<Json<Value>, ApiError> {
    session.require(&[Role::Instructor])?;
    let cur = state.curriculum();
    let quiz = cur
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

/// Instructors: the whole bank with keys and explanations, for authors checking their questions.
#[utoipa::path(get, path = "/api/instructor/quizzes/{id}", tag = "instructor", security(("session" = [])),
    params(("id" = String, Path, description = "quiz id")),
    responses((status = 200, description = "the quiz bank as loaded, keys included", body = Object),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn quiz_with_key(State(state): State<AppState>, session: Session, ApiPath(id): ApiPath<String>) -> Result<Json<Value>, ApiError> {
    session.require(&[Role::Instructor])?;
    let cur = state.curriculum();
    let quiz = cur
        .quizzes
        .get(&id)
        .ok_or_else(|| ApiError::NotFound(format!("没有这个测验：{id}")))?;
    Ok(Json(json!(quiz)))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
struct UserList {
    users: Vec<crate::store::User>,
}

/// Admins: every account.
#[utoipa::path(get, path = "/api/admin/users", tag = "admin", security(("session" = [])),
    responses((status = 200, body = UserList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn users(State(state): State<AppState>, session: Session) -> Result<Json<UserList>, ApiError> {
    session.require(&[])?;
    Ok(Json(UserList {
        users: state.store.list_users().await?,
    }))
}

/// Whether the newest edit of the course is live, and if not, why (`serve --watch`).
async fn build_page(State(state): State<AppState>, MaybeSession(session): MaybeSession) -> Result<Response, ApiError> {
    let session = match instructor_page(&state, session, "/instructor/build") {
        Ok(s) => s,
        Err(r) => return Ok(*r),
    };
    let failure = state.last_build_failure();
    let data = json!({
        "watching": state.watching,
        "live_built": super::certify::date_time(state.built_at()),
        "lessons": state.curriculum().pages().count(),
        "failure": failure.as_ref().map(|f| f.report.clone()),
        "failure_at": failure.as_ref().map(|f| super::certify::date_time(f.at)),
    });
    Ok(state
        .pages()
        .render("build", "课程构建", Some(&session.user), Some(&session.csrf), data))
}
