//! Routes for instructors and admins: quiz preview with keys, item analysis, the
//! user list, and the build page. The views are in [`crate::app::views::staff`].

use super::AppState;
use super::auth::{MaybeSession, Session};
use super::error::{ApiError, ApiPath, ErrorBody};
use crate::app::views::staff::{self as views, ItemAnalysis};
use crate::store::Role;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
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
    super::pages::staff_session(
        state,
        session,
        &[Role::Instructor],
        next,
        &state.pages().t("analysis-instructors-only"),
    )
}

/// Every quiz with how many graded attempts it has, linking to its analysis.
async fn analysis_index(State(state): State<AppState>, MaybeSession(session): MaybeSession) -> Result<Response, ApiError> {
    let session = match instructor_page(&state, session, "/instructor/analysis") {
        Ok(s) => s,
        Err(r) => return Ok(*r),
    };
    let page = views::analysis_index(&state.ctx(), &session.user).await?;
    let pages = state.pages();
    Ok(pages.render(
        "analysis",
        &pages.t("analysis-title"),
        Some(&session.user),
        Some(&session.csrf),
        &page,
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
    let page = views::analysis(&state.ctx(), &session.user, &id).await?;
    let pages = state.pages();
    Ok(pages.render(
        "analysis_quiz",
        &pages.t("analysis-title"),
        Some(&session.user),
        Some(&session.csrf),
        &page,
    ))
}

/// Instructors: facility, discrimination and option shares per question, from every graded attempt.
#[utoipa::path(get, path = "/api/instructor/quizzes/{id}/analysis", tag = "instructor", security(("session" = [])),
    params(("id" = String, Path, description = "quiz id")),
    responses((status = 200, body = ItemAnalysis),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn item_analysis(
    State(state): State<AppState>,
    session: Session,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ItemAnalysis>, ApiError> {
    Ok(Json(views::item_analysis(&state.ctx(), &session.user, &id).await?))
}

/// Instructors: the whole bank with keys and explanations, for authors checking their questions.
#[utoipa::path(get, path = "/api/instructor/quizzes/{id}", tag = "instructor", security(("session" = [])),
    params(("id" = String, Path, description = "quiz id")),
    responses((status = 200, description = "the quiz bank as loaded, keys included", body = Object),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn quiz_with_key(
    State(state): State<AppState>,
    session: Session,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<crate::quiz::Quiz>, ApiError> {
    session.require(&[Role::Instructor])?;
    let cur = state.curriculum();
    let quiz = cur
        .quizzes
        .get(&id)
        .ok_or_else(|| ApiError::NotFound(crate::msg!("quiz-not-found", quiz = &id)))?;
    Ok(Json(quiz.clone()))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
struct UserList {
    users: Vec<crate::store::User>,
}

/// Admins: every account.
#[utoipa::path(get, path = "/api/admin/users", tag = "admin", security(("session" = [])),
    responses((status = 200, body = UserList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn users(State(state): State<AppState>, session: Session) -> Result<Json<UserList>, ApiError> {
    Ok(Json(UserList {
        users: crate::app::accounts::list_users(&state.ctx(), &session.user).await?,
    }))
}

/// Whether the newest edit of the course is live, and if not, why (`serve --watch`).
async fn build_page(State(state): State<AppState>, MaybeSession(session): MaybeSession) -> Result<Response, ApiError> {
    let session = match instructor_page(&state, session, "/instructor/build") {
        Ok(s) => s,
        Err(r) => return Ok(*r),
    };
    let failure = state.last_build_failure().map(|f| (f.at, f.report));
    let page = views::build(&state.ctx(), state.watching, state.built_at(), failure);
    let pages = state.pages();
    Ok(pages.render("build", &pages.t("build-title"), Some(&session.user), Some(&session.csrf), &page))
}
