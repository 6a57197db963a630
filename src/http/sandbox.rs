//! The sandbox API: a learner's standing on a scenario, starting (or resuming) a
//! run, playing a round, reading a run, downloading its replayable record. The
//! server recomputes the run from (seed, decisions) on every request: the page
//! never computes an outcome and never sees a formula.

use super::AppState;
use super::auth::{CsrfSession, Session};
use super::error::{ApiError, ApiJson, ApiPath, ErrorBody};
use crate::app::runs;
use crate::app::views::run::RunView;
use crate::sandbox::Decisions;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(status))
        .routes(routes!(start))
        .routes(routes!(run))
        .routes(routes!(play))
        .routes(routes!(record))
}

#[derive(Serialize, ToSchema)]
struct ScenarioStatus {
    id: String,
    title: String,
    summary: String,
    intro: String,
    rounds: u32,
    runs_allowed: Option<u32>,
    runs_used: u32,
    runs_left: Option<u32>,
    best_score: Option<u32>,
    open_run: Option<String>,
}

/// The caller's standing on a scenario: runs used and left, best score, an open run.
#[utoipa::path(get, path = "/api/scenarios/{id}", tag = "sandbox", security(("session" = [])),
    params(("id" = String, Path, description = "scenario id")),
    responses((status = 200, body = ScenarioStatus), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn status(State(state): State<AppState>, session: Session, ApiPath(id): ApiPath<String>) -> Result<Json<ScenarioStatus>, ApiError> {
    let (sc, s) = runs::standing(&state.ctx(), &session.user, &id).await?;
    Ok(Json(ScenarioStatus {
        runs_left: sc.runs.map(|a| a.saturating_sub(s.runs)),
        id: sc.id,
        title: sc.title,
        summary: sc.summary,
        intro: sc.intro,
        rounds: sc.rounds,
        runs_allowed: sc.runs,
        runs_used: s.runs,
        best_score: s.best_score,
        open_run: s.open_run,
    }))
}

/// Starts a run (201), or resumes the open one (200).
#[utoipa::path(post, path = "/api/scenarios/{id}/runs", tag = "sandbox", security(("session" = [], "csrf" = [])),
    params(("id" = String, Path, description = "scenario id")),
    responses((status = 201, body = RunView), (status = 200, body = RunView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn start(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
    ApiPath(id): ApiPath<String>,
) -> Result<(StatusCode, Json<RunView>), ApiError> {
    let ctx = state.ctx();
    let (started, shown) = runs::start(&ctx, &session.user, &id).await?;
    let code = if started { StatusCode::CREATED } else { StatusCode::OK };
    Ok((code, Json(RunView::of(&ctx.cur, &shown))))
}

/// A run, recomputed from its seed and decisions, for its learner or staff.
#[utoipa::path(get, path = "/api/runs/{id}", tag = "sandbox", security(("session" = [])),
    params(("id" = String, Path, description = "run id")),
    responses((status = 200, body = RunView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn run(State(state): State<AppState>, session: Session, ApiPath(id): ApiPath<String>) -> Result<Json<RunView>, ApiError> {
    let ctx = state.ctx();
    let shown = runs::run(&ctx, &session.user, &id).await?;
    let mut v = RunView::of(&ctx.cur, &shown);
    v.user_id = Some(shown.row.user_id);
    Ok(Json(v))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct RoundBody {
    /// The round being played (1-based), so a retried request cannot play the next one.
    round: u32,
    /// Decision id → an option id (choose) or option id → amount (allocate).
    #[schema(value_type = std::collections::BTreeMap<String, crate::sandbox::DecisionValue>)]
    decisions: Decisions,
}

/// Plays the next round; a retry with the same decisions returns the same result.
#[utoipa::path(post, path = "/api/runs/{id}/rounds", tag = "sandbox", security(("session" = [], "csrf" = [])),
    params(("id" = String, Path, description = "run id")), request_body = RoundBody,
    responses((status = 200, body = RunView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)))]
async fn play(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<RoundBody>,
) -> Result<Json<RunView>, ApiError> {
    let ctx = state.ctx();
    let (shown, issued) = runs::play(&ctx, &session.user, &id, body.round, body.decisions).await?;
    let mut v = RunView::of(&ctx.cur, &shown);
    v.certificates_issued = issued.map(|c| crate::app::views::CertificateView::all(&ctx, &c));
    Ok(Json(v))
}

/// The replayable record of a run, a download `certbook sandbox replay` checks.
#[utoipa::path(get, path = "/api/runs/{id}/record", tag = "sandbox", security(("session" = [])),
    params(("id" = String, Path, description = "run id")),
    responses((status = 200, description = "scenario, version, seed, decisions and result", content_type = "application/json", body = Object),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn record(State(state): State<AppState>, session: Session, ApiPath(id): ApiPath<String>) -> Result<impl IntoResponse, ApiError> {
    let (row, rec) = runs::record(&state.ctx(), &session.user, &id).await?;
    let body = serde_json::to_string_pretty(&rec).map_err(|e| ApiError::Internal(e.to_string()))?;
    let name = format!("attachment; filename=\"run-{}-{}.json\"", row.scenario_id, row.id);
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            (header::CONTENT_DISPOSITION, name),
        ],
        body,
    ))
}
