//! The team session API: the instructor creates and runs sessions; members draft,
//! submit and watch their team's round live (Server-Sent Events); staff debrief,
//! replay what-ifs and judge. Handlers are thin: the rules live in `app::teams`.

use super::AppState;
use super::auth::{CsrfSession, Session};
use super::error::{ApiError, ApiJson, ApiPath, ErrorBody};
use crate::app::teams::{self, Control, Formation, NewSession};
use crate::app::views::teams::{TeamSessionView, WhatIfView};
use crate::app::{Ctx, is_staff};
use crate::sandbox::{DecisionValue, Decisions, SessionRecord};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(view))
        .routes(routes!(control))
        .routes(routes!(draft))
        .routes(routes!(submit))
        .routes(routes!(confirm))
        .routes(routes!(pick_roles))
        .routes(routes!(assign))
        .routes(routes!(what_if))
        .routes(routes!(judge))
        .routes(routes!(record))
        .routes(routes!(events))
}

/// Wakes this server's live pages when a session changes here; pages of other
/// servers on the same database notice within a second by polling its revision.
#[derive(Default)]
pub struct LiveSessions(Mutex<HashMap<String, watch::Sender<()>>>);

impl LiveSessions {
    fn changed(&self, id: &str) {
        if let Some(tx) = self.0.lock().expect("live sessions").get(id) {
            tx.send_replace(());
        }
    }

    fn watch(&self, id: &str) -> watch::Receiver<()> {
        let mut map = self.0.lock().expect("live sessions");
        // Drop the senders nobody listens to any more, so the map stays as small as the live pages.
        map.retain(|_, tx| tx.receiver_count() > 0);
        map.entry(id.to_string()).or_insert_with(|| watch::channel(()).0).subscribe()
    }
}

fn view_of(ctx: &Ctx<'_>, l: &teams::Loaded, user: &crate::store::User) -> TeamSessionView {
    TeamSessionView::of(&ctx.cur, l, user.id, is_staff(user), ctx.clock.now_ms())
}

#[derive(Serialize, ToSchema)]
struct SessionItem {
    id: String,
    title: String,
    scenario_id: String,
    status: String,
    round: u32,
    created_at: i64,
}

/// Sessions the caller runs (staff: all) or plays in, newest first.
#[utoipa::path(get, path = "/api/team-sessions", tag = "teams", security(("session" = [])),
    responses((status = 200, body = Vec<SessionItem>), (status = 401, body = ErrorBody)))]
async fn list(State(state): State<AppState>, session: Session) -> Result<Json<Vec<SessionItem>>, ApiError> {
    let rows = teams::list(&state.ctx(), &session.user).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| SessionItem {
                id: r.id,
                title: r.title,
                scenario_id: r.scenario_id,
                status: r.status,
                round: r.round,
                created_at: r.created_at,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    scenario: String,
    #[serde(default)]
    title: String,
    /// Learners of this cohort (all learners when empty).
    #[serde(default)]
    cohort: String,
    /// `random` (into `teams` teams), `department` (one team per department) or `csv`.
    form: String,
    teams: Option<u32>,
    /// `username,team[,role;role][,captain]` lines, for `form = "csv"`.
    csv: Option<String>,
    /// Learners pick their roles themselves.
    #[serde(default)]
    pick_roles: bool,
}

/// Creates a session for a scenario and forms its teams (instructors).
#[utoipa::path(post, path = "/api/team-sessions", tag = "teams", security(("session" = [], "csrf" = [])), request_body = CreateBody,
    responses((status = 201, body = TeamSessionView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
    ApiJson(body): ApiJson<CreateBody>,
) -> Result<(StatusCode, Json<TeamSessionView>), ApiError> {
    let ctx = state.ctx();
    let formation = match (body.form.as_str(), body.teams, body.csv) {
        ("random", Some(n), _) => Formation::Random(n),
        ("department", _, _) => Formation::Department,
        ("csv", _, Some(csv)) => Formation::Csv(csv),
        _ => return Err(ApiError::Unprocessable(crate::msg!("team-form-bad"))),
    };
    let id = teams::create(
        &ctx,
        &session.user,
        NewSession {
            scenario: body.scenario,
            title: body.title,
            cohort: body.cohort,
            formation,
            pick_roles: body.pick_roles,
        },
    )
    .await?;
    let l = teams::visible(&ctx, &session.user, &id).await?;
    Ok((StatusCode::CREATED, Json(view_of(&ctx, &l, &session.user))))
}

/// A session as the caller may see it: a member their own team, staff every team.
#[utoipa::path(get, path = "/api/team-sessions/{id}", tag = "teams", security(("session" = [])),
    params(("id" = String, Path, description = "session id")),
    responses((status = 200, body = TeamSessionView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn view(State(state): State<AppState>, session: Session, ApiPath(id): ApiPath<String>) -> Result<Json<TeamSessionView>, ApiError> {
    let ctx = state.ctx();
    let l = teams::visible(&ctx, &session.user, &id).await?;
    Ok(Json(view_of(&ctx, &l, &session.user)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ControlBody {
    /// `open`, `extend`, `pause`, `resume` or `close`.
    action: String,
    /// For `open` and `extend` (1 to 1440).
    minutes: Option<u32>,
}

/// Runs the session's clock: open the next round with a deadline, extend, pause,
/// resume, or close the round now (late teams play the defaults). Instructors.
#[utoipa::path(post, path = "/api/team-sessions/{id}/control", tag = "teams", security(("session" = [], "csrf" = [])),
    params(("id" = String, Path, description = "session id")), request_body = ControlBody,
    responses((status = 200, body = TeamSessionView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn control(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<ControlBody>,
) -> Result<Json<TeamSessionView>, ApiError> {
    let ctx = state.ctx();
    let minutes = body.minutes.unwrap_or(10);
    let c = match body.action.as_str() {
        "open" => Control::Open(minutes),
        "extend" => Control::Extend(minutes),
        "pause" => Control::Pause,
        "resume" => Control::Resume,
        "close" => Control::Close,
        _ => return Err(ApiError::Unprocessable(crate::msg!("team-control-bad"))),
    };
    let l = teams::control(&ctx, &session.user, &id, c).await?;
    state.live_sessions.changed(&id);
    Ok(Json(view_of(&ctx, &l, &session.user)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct DraftBody {
    round: u32,
    decision: String,
    /// An option id (choose) or option id → amount (allocate).
    #[schema(value_type = Object)]
    value: DecisionValue,
}

/// Saves the caller's draft of a decision their role owns; teammates see it live.
#[utoipa::path(put, path = "/api/team-sessions/{id}/draft", tag = "teams", security(("session" = [], "csrf" = [])),
    params(("id" = String, Path, description = "session id")), request_body = DraftBody,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn draft(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<DraftBody>,
) -> Result<StatusCode, ApiError> {
    teams::draft(&state.ctx(), &session.user, &id, body.round, &body.decision, body.value).await?;
    state.live_sessions.changed(&id);
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct SubmitBody {
    round: u32,
    /// The decisions the caller's roles own.
    #[schema(value_type = Object)]
    decisions: Decisions,
}

/// Submits the decisions the caller's roles own; the team's round goes in when
/// every decision is in, and the round resolves when every team is in.
#[utoipa::path(post, path = "/api/team-sessions/{id}/submit", tag = "teams", security(("session" = [], "csrf" = [])),
    params(("id" = String, Path, description = "session id")), request_body = SubmitBody,
    responses((status = 200, body = TeamSessionView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn submit(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<SubmitBody>,
) -> Result<Json<TeamSessionView>, ApiError> {
    let ctx = state.ctx();
    let l = teams::submit(&ctx, &session.user, &id, body.round, body.decisions).await?;
    state.live_sessions.changed(&id);
    Ok(Json(view_of(&ctx, &l, &session.user)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct RoundOnly {
    round: u32,
}

/// The captain submits the team's round as drafted (undrafted decisions play the defaults).
#[utoipa::path(post, path = "/api/team-sessions/{id}/confirm", tag = "teams", security(("session" = [], "csrf" = [])),
    params(("id" = String, Path, description = "session id")), request_body = RoundOnly,
    responses((status = 200, body = TeamSessionView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn confirm(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<RoundOnly>,
) -> Result<Json<TeamSessionView>, ApiError> {
    let ctx = state.ctx();
    let l = teams::confirm(&ctx, &session.user, &id, body.round).await?;
    state.live_sessions.changed(&id);
    Ok(Json(view_of(&ctx, &l, &session.user)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct RolesBody {
    roles: Vec<String>,
}

/// A member picks their roles, when the session lets learners pick.
#[utoipa::path(post, path = "/api/team-sessions/{id}/roles", tag = "teams", security(("session" = [], "csrf" = [])),
    params(("id" = String, Path, description = "session id")), request_body = RolesBody,
    responses((status = 200, body = TeamSessionView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn pick_roles(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<RolesBody>,
) -> Result<Json<TeamSessionView>, ApiError> {
    let ctx = state.ctx();
    let l = teams::pick_roles(&ctx, &session.user, &id, body.roles).await?;
    state.live_sessions.changed(&id);
    Ok(Json(view_of(&ctx, &l, &session.user)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct AssignBody {
    user_id: i64,
    /// The team to put the learner in; none removes them from the session.
    team: Option<u32>,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    captain: bool,
}

/// Moves a learner between teams or sets their roles and captaincy (instructors).
#[utoipa::path(post, path = "/api/team-sessions/{id}/members", tag = "teams", security(("session" = [], "csrf" = [])),
    params(("id" = String, Path, description = "session id")), request_body = AssignBody,
    responses((status = 200, body = TeamSessionView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn assign(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<AssignBody>,
) -> Result<Json<TeamSessionView>, ApiError> {
    let ctx = state.ctx();
    let l = teams::assign(&ctx, &session.user, &id, body.user_id, body.team, body.roles, body.captain).await?;
    state.live_sessions.changed(&id);
    Ok(Json(view_of(&ctx, &l, &session.user)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct WhatIfBody {
    team: u32,
    round: u32,
    /// The decisions to change in that round (the others stay as played).
    #[schema(value_type = Object)]
    decisions: Decisions,
}

/// What-if: the session recomputed with one team's round changed, beside the real
/// one, the market's response included. Nothing is stored. Instructors.
#[utoipa::path(post, path = "/api/team-sessions/{id}/what-if", tag = "teams", security(("session" = [], "csrf" = [])),
    params(("id" = String, Path, description = "session id")), request_body = WhatIfBody,
    responses((status = 200, body = WhatIfView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn what_if(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<WhatIfBody>,
) -> Result<Json<WhatIfView>, ApiError> {
    let ctx = state.ctx();
    let (l, plays, standings) = teams::what_if(&ctx, &session.user, &id, body.team, body.round, body.decisions.clone()).await?;
    Ok(Json(WhatIfView::of(&l, body.team, body.round, body.decisions, &plays, &standings)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct JudgeBody {
    team: u32,
    /// One score from 1 to 5 per rubric dimension, in the rubric's order.
    scores: Vec<u32>,
    #[serde(default)]
    comment: String,
    /// This judge's pick of the best team.
    #[serde(default)]
    best: bool,
}

/// A judge scores a team's presentation on the rubric, with a comment (instructors).
#[utoipa::path(post, path = "/api/team-sessions/{id}/judging", tag = "teams", security(("session" = [], "csrf" = [])),
    params(("id" = String, Path, description = "session id")), request_body = JudgeBody,
    responses((status = 200, body = TeamSessionView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn judge(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<JudgeBody>,
) -> Result<Json<TeamSessionView>, ApiError> {
    let ctx = state.ctx();
    let l = teams::judge(&ctx, &session.user, &id, body.team, body.scores, body.comment, body.best).await?;
    state.live_sessions.changed(&id);
    Ok(Json(view_of(&ctx, &l, &session.user)))
}

/// The session's replayable record, which `certbook sandbox replay` checks.
#[utoipa::path(get, path = "/api/team-sessions/{id}/record", tag = "teams", security(("session" = [])),
    params(("id" = String, Path, description = "session id")),
    responses((status = 200, body = Object), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn record(State(state): State<AppState>, session: Session, ApiPath(id): ApiPath<String>) -> Result<Json<SessionRecord>, ApiError> {
    Ok(Json(teams::record(&state.ctx(), &session.user, &id).await?))
}

/// A live stream: an `update` event whenever the session changes (and once on
/// connecting), with its revision, rounds resolved and status as JSON; the page then
/// reads the session. A page reconnecting
/// (a reload, a second device) starts from the current revision.
#[utoipa::path(get, path = "/api/team-sessions/{id}/events", tag = "teams", security(("session" = [])),
    params(("id" = String, Path, description = "session id")),
    responses((status = 200, content_type = "text/event-stream", body = String), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn events(
    State(state): State<AppState>,
    session: Session,
    ApiPath(id): ApiPath<String>,
) -> Result<impl axum::response::IntoResponse, ApiError> {
    // Only members and staff may listen.
    teams::visible(&state.ctx(), &session.user, &id).await?;
    let rx = state.live_sessions.watch(&id);
    let start = (state, id, rx, None::<(i64, bool)>);
    let stream = futures_util::stream::unfold(start, |(state, id, mut rx, last)| async move {
        loop {
            if last.is_some() {
                // Woken by a change on this server, or after a second to catch changes
                // made on another server and deadlines passing.
                let _ = tokio::time::timeout(Duration::from_secs(1), rx.changed()).await;
            }
            let Ok(Some(pulse)) = state.store.team_session_pulse(id.clone(), state.clock.now_ms()).await else {
                return None;
            };
            let now = (pulse.revision, pulse.overdue);
            if last != Some(now) {
                // The page refetches at once when the round or status moved (a deadline
                // passing shows the round resolved), and at an easy pace for drafts.
                let data = serde_json::to_string(&pulse).unwrap_or_default();
                let ev = Event::default().event("update").data(data);
                return Some((Ok::<_, std::convert::Infallible>(ev), (state, id, rx, Some(now))));
            }
        }
    });
    // nginx would otherwise buffer the stream and deliver events late, in bursts.
    let headers = [(axum::http::HeaderName::from_static("x-accel-buffering"), "no")];
    Ok((
        headers,
        Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))),
    ))
}

/// Lets `AppState` hold the registry without this module's types leaking further.
pub fn live() -> Arc<LiveSessions> {
    Arc::default()
}
