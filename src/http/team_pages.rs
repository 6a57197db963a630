//! The team session pages: `/sessions` lists a caller's sessions (and lets an
//! instructor create one with a plain form); `/sessions/{id}` is the live page a
//! member plays on and the instructor runs the session from. The live page draws
//! itself from the JSON API with `/static/teams.js`, woken by the session's events.

use super::AppState;
use super::auth::MaybeSession;
use super::error::ApiError;
use crate::app::teams::{self, Formation, NewSession};
use crate::app::{Error, is_staff};
use crate::store::Role;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Serialize;
use std::collections::HashMap;

pub fn router() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .route("/sessions", get(list_page).post(create_form))
        .route("/sessions/{id}", get(session_page))
        .route("/static/teams.js", get(script))
}

async fn script() -> impl IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("teams.js"),
    )
}

#[derive(Serialize)]
struct ListPage {
    staff: bool,
    csrf: String,
    sessions: Vec<Item>,
    scenarios: Vec<Choice>,
    error: Option<String>,
}

#[derive(Serialize)]
struct Item {
    id: String,
    title: String,
    scenario: String,
    status: String,
    round: u32,
}

#[derive(Serialize)]
struct Choice {
    id: String,
    title: String,
}

async fn list_page(State(state): State<AppState>, MaybeSession(session): MaybeSession) -> Result<Response, ApiError> {
    let Some(session) = session else {
        return Ok(Redirect::to("/login?next=/sessions").into_response());
    };
    render_list(&state, &session, None).await
}

async fn render_list(state: &AppState, session: &super::auth::Session, error: Option<String>) -> Result<Response, ApiError> {
    let ctx = state.ctx();
    let rows = teams::list(&ctx, &session.user).await?;
    let title = |id: &str| ctx.cur.scenarios.get(id).map_or_else(|| id.to_string(), |s| s.title.clone());
    let staff = session.require(&[Role::Instructor]).is_ok();
    let mut scenarios: Vec<Choice> = ctx
        .cur
        .scenarios
        .values()
        .map(|s| Choice {
            id: s.id.clone(),
            title: s.title.clone(),
        })
        .collect();
    scenarios.sort_by(|a, b| a.id.cmp(&b.id));
    let page = ListPage {
        staff,
        csrf: session.csrf.clone(),
        sessions: rows
            .iter()
            .map(|r| Item {
                id: r.id.clone(),
                title: r.title.clone(),
                scenario: title(&r.scenario_id),
                status: r.status.clone(),
                round: r.round,
            })
            .collect(),
        scenarios,
        error,
    };
    let status = if page.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let r = state.pages().render(
        "teams",
        &state.pages().t("teams-title"),
        Some(&session.user),
        Some(&session.csrf),
        &page,
    );
    Ok(super::pages::with_status(r, status))
}

async fn create_form(
    State(state): State<AppState>,
    MaybeSession(session): MaybeSession,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let Some(session) = session else {
        return Ok(Redirect::to("/login?next=/sessions").into_response());
    };
    session.check_csrf(f.get("csrf").map(String::as_str))?;
    let field = |k: &str| f.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let formation = match field("form").as_str() {
        "department" => Formation::Department,
        "csv" => Formation::Csv(field("csv")),
        _ => Formation::Random(field("teams").parse().unwrap_or(0)),
    };
    let new = NewSession {
        scenario: field("scenario"),
        title: field("title"),
        cohort: field("cohort"),
        formation,
        pick_roles: f.contains_key("pick_roles"),
    };
    match teams::create(&state.ctx(), &session.user, new).await {
        Ok(id) => Ok(Redirect::to(&format!("/sessions/{id}")).into_response()),
        Err(e @ (Error::Unprocessable(_) | Error::NotFound(_))) => {
            let why = state.pages().text(&e.message());
            render_list(&state, &session, Some(why)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Serialize)]
struct SessionPage {
    id: String,
    title: String,
    staff: bool,
    csrf: String,
    /// The page script's messages, as JSON (read from a data attribute: no inline script).
    messages: String,
}

async fn session_page(
    State(state): State<AppState>,
    MaybeSession(session): MaybeSession,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let Some(session) = session else {
        return Ok(Redirect::to(&format!("/login?next=/sessions/{id}")).into_response());
    };
    let l = match teams::visible(&state.ctx(), &session.user, &id).await {
        Ok(l) => l,
        Err(e @ (Error::NotFound(_) | Error::Conflict(_))) => {
            return Ok(state.pages().refusal(StatusCode::NOT_FOUND, "teams-not-found-title", &e.message()));
        }
        Err(e) => return Err(e.into()),
    };
    let messages: serde_json::Map<String, serde_json::Value> = state
        .pages()
        .messages()
        .with_prefix("teamjs-")
        .into_iter()
        .map(|(k, v)| (k, v.into()))
        .collect();
    let page = SessionPage {
        id: l.snap.session.id.clone(),
        title: l.snap.session.title.clone(),
        staff: is_staff(&session.user),
        csrf: session.csrf.clone(),
        messages: serde_json::Value::Object(messages).to_string(),
    };
    Ok(state
        .pages()
        .render("team", &l.snap.session.title, Some(&session.user), Some(&session.csrf), &page))
}
