//! The instructor's grading pages: a queue of ungraded exercise answers and a
//! rubric form per answer. Plain forms (no script needed); handlebars escapes the
//! learner's text, so it can never become markup. The rules are in [`crate::app::grading`].

use super::AppState;
use super::auth::MaybeSession;
use super::error::ApiError;
use crate::app::{Error, grading};
use crate::store::Role;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde_json::json;
use std::collections::{BTreeMap, HashMap};

pub fn router() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .route("/instructor/grading", get(queue_page))
        .route("/instructor/grading/{id}", get(grade_page).post(grade_form))
}

/// The signed-in instructor (or admin), or the response to send instead.
fn instructor(state: &AppState, session: Option<super::auth::Session>, next: &str) -> Result<super::auth::Session, Box<Response>> {
    super::pages::staff_session(state, session, &[Role::Instructor], next, "只有讲师可以评分。")
}

fn time(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms / 1000)
        .map(|t| {
            format!(
                "{}-{:02}-{:02} {:02}:{:02} UTC",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute()
            )
        })
        .unwrap_or_default()
}

async fn queue_page(State(state): State<AppState>, MaybeSession(session): MaybeSession) -> Result<Response, ApiError> {
    let session = match instructor(&state, session, "/instructor/grading") {
        Ok(s) => s,
        Err(r) => return Ok(*r),
    };
    let ctx = state.ctx();
    let rows = grading::queue(&ctx, &session.user).await?;
    let items: Vec<_> = rows
        .iter()
        .map(|(s, name)| {
            json!({
                "id": s.id, "learner": name, "revision": s.revision, "submitted": time(s.submitted_at),
                "exercise": ctx.cur.exercises.get(&s.exercise_id).map_or(s.exercise_id.clone(), |e| e.title.clone()),
                "chars": s.body.chars().count(),
            })
        })
        .collect();
    Ok(state.pages().render(
        "grading",
        "待评分",
        Some(&session.user),
        Some(&session.csrf),
        json!({ "items": items }),
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
    let ctx = state.ctx();
    let (s, learner) = match grading::submission_with_learner(&ctx, &session.user, &id).await {
        Ok(found) => found,
        Err(Error::NotFound(_)) => {
            return Ok(state
                .pages()
                .error(StatusCode::NOT_FOUND, "没有这份提交", "它可能已被删除，或编号有误。"));
        }
        Err(e) => return Err(e.into()),
    };
    let ex = ctx.cur.exercises.get(&s.exercise_id);
    let weights = ex.and_then(|e| e.weights);
    let dims: Vec<_> = ctx
        .cur
        .rubric
        .dimensions
        .iter()
        .enumerate()
        .map(|(i, d)| {
            json!({
                "id": d.id, "title": d.title, "weight": weights.map_or(d.weight, |w| w[i]),
                "score": s.scores.as_ref().and_then(|v| v.get(i)), "levels": d.levels,
            })
        })
        .collect();
    let data = json!({
        "id": s.id, "learner": learner, "body": s.body, "revision": s.revision, "submitted": time(s.submitted_at),
        "status": s.status, "graded": s.status == "graded", "total": s.total, "feedback": s.feedback,
        "exercise": ex.map(|e| json!({ "title": e.title, "prompt": e.prompt, "pass": e.pass })),
        "dimensions": dims, "csrf": session.csrf, "error": error,
    });
    Ok(state
        .pages()
        .render("grade", "评分", Some(&session.user), Some(&session.csrf), data))
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
    let mut scores = BTreeMap::new();
    for d in &state.curriculum().rubric.dimensions {
        if let Some(v) = f.get(&d.id).and_then(|v| v.trim().parse::<f64>().ok()) {
            scores.insert(d.id.clone(), v);
        }
    }
    let feedback = f.get("feedback").cloned().unwrap_or_default();
    match grading::grade(&state.ctx(), &session.user, &id, &scores, &feedback).await {
        Ok(_) => Ok(Redirect::to("/instructor/grading").into_response()),
        // Show the form again with the message; what the instructor typed is in the request, not lost.
        Err(Error::Unprocessable(msg)) => {
            let mut r = render_grade(&state, &session, id, Some(msg)).await?;
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}
