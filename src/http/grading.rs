//! The instructor's grading pages: a queue of ungraded exercise answers and a
//! rubric form per answer. Plain forms (no script needed); handlebars escapes the
//! learner's text, so it can never become markup. The rules are in [`crate::app::grading`].

use super::AppState;
use super::auth::MaybeSession;
use super::error::ApiError;
use crate::app::views::staff as views;
use crate::app::{Error, grading};
use crate::store::Role;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use std::collections::{BTreeMap, HashMap};

pub fn router() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .route("/instructor/grading", get(queue_page))
        .route("/instructor/grading/{id}", get(grade_page).post(grade_form))
}

/// The signed-in instructor (or admin), or the response to send instead.
fn instructor(state: &AppState, session: Option<super::auth::Session>, next: &str) -> Result<super::auth::Session, Box<Response>> {
    super::pages::staff_session(state, session, &[Role::Instructor], next, &state.pages().t("grading-forbidden"))
}

async fn queue_page(State(state): State<AppState>, MaybeSession(session): MaybeSession) -> Result<Response, ApiError> {
    let session = match instructor(&state, session, "/instructor/grading") {
        Ok(s) => s,
        Err(r) => return Ok(*r),
    };
    let page = views::queue(&state.ctx(), &session.user).await?;
    Ok(state.pages().render(
        "grading",
        &state.pages().t("grading-title"),
        Some(&session.user),
        Some(&session.csrf),
        &page,
    ))
}

async fn grade_page(
    State(state): State<AppState>,
    MaybeSession(session): MaybeSession,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let session = match instructor(&state, session, &format!("/instructor/grading/{id}")) {
        Ok(s) => s,
        Err(r) => return Ok(*r),
    };
    render_grade(&state, &session, id, None).await
}

async fn render_grade(state: &AppState, session: &super::auth::Session, id: String, error: Option<String>) -> Result<Response, ApiError> {
    match views::grade_form(&state.ctx(), &session.user, &session.csrf, &id, error).await {
        Ok(page) => Ok(state.pages().render(
            "grade",
            &state.pages().t("grade-title"),
            Some(&session.user),
            Some(&session.csrf),
            &page,
        )),
        Err(Error::NotFound(_)) => {
            let pages = state.pages();
            Ok(pages.error(
                StatusCode::NOT_FOUND,
                &pages.t("grading-no-such-submission-title"),
                &pages.t("grading-no-such-submission-text"),
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// The form's number per rubric dimension; a field left empty or not a number is left
/// out, and grading says which is missing.
fn scores_of(cur: &crate::course::Curriculum, f: &HashMap<String, String>) -> BTreeMap<String, f64> {
    cur.rubric
        .dimensions
        .iter()
        .filter_map(|d| Some((d.id.clone(), f.get(&d.id)?.trim().parse::<f64>().ok()?)))
        .collect()
}

async fn grade_form(
    State(state): State<AppState>,
    MaybeSession(session): MaybeSession,
    Path(id): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let session = match instructor(&state, session, &format!("/instructor/grading/{id}")) {
        Ok(s) => s,
        Err(r) => return Ok(*r),
    };
    session.check_csrf(f.get("csrf").map(String::as_str))?;
    let scores = scores_of(&state.curriculum(), &f);
    let feedback = f.get("feedback").cloned().unwrap_or_default();
    match grading::grade(&state.ctx(), &session.user, &id, &scores, &feedback).await {
        Ok(_) => Ok(Redirect::to("/instructor/grading").into_response()),
        // Show the form again with the message; what the instructor typed is in the request, not lost.
        Err(Error::Unprocessable(msg)) => {
            let r = render_grade(&state, &session, id, Some(state.pages().text(&msg))).await?;
            Ok(super::pages::with_status(r, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(e) => Err(e.into()),
    }
}
