//! The sandbox API: a learner's standing on a scenario, starting (or resuming) a
//! run, playing a round, reading a run, downloading its replayable record. The
//! server recomputes the run from (seed, decisions) on every request: the page
//! never computes an outcome and never sees a formula.

use super::AppState;
use super::auth::{CsrfSession, Session};
use super::error::{ApiError, ApiJson, ApiPath, ErrorBody};
use crate::app::runs::{self, Shown};
use crate::course::Curriculum;
use crate::sandbox::{Decisions, Message};
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
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

/// A run as the page shows it.
#[derive(Serialize, ToSchema)]
struct RunView {
    id: String,
    scenario_id: String,
    version: u32,
    seed: u64,
    /// `open`, `finished` or `abandoned`.
    status: String,
    rounds: u32,
    rounds_played: u32,
    started_at: i64,
    finished_at: Option<i64>,
    /// Visible state variables, each with its value after every round.
    #[schema(value_type = Vec<Object>)]
    state: Vec<Value>,
    /// What happened in each round played.
    #[schema(value_type = Vec<Object>)]
    reports: Vec<Value>,
    /// The next round's situation and decisions, while open.
    #[schema(value_type = Option<Object>)]
    next: Option<Value>,
    /// Score, objectives and advice, once finished.
    #[schema(value_type = Option<Object>)]
    result: Option<Value>,
    /// Staff reading someone's run see whose it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    user_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    certificates_issued: Option<Vec<super::certify::CertificateView>>,
}

fn messages_json(cur: &Curriculum, ms: &[Message]) -> Value {
    Value::Array(
        ms.iter()
            .map(|m| json!({ "kind": m.kind, "text": m.text, "lesson_url": m.lesson.as_deref().and_then(|l| cur.page_url(l)) }))
            .collect(),
    )
}

/// The run as the page shows it: visible state across rounds, what happened in each
/// round, the next round's decisions, and the score at the end.
fn view(cur: &Curriculum, shown: &Shown) -> RunView {
    let Shown {
        scenario: sc,
        row,
        play: p,
    } = shown;
    let vars: Vec<Value> = sc
        .state
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.hidden)
        .map(|(i, s)| {
            json!({
                "id": s.id, "label": s.label, "unit": s.unit, "decimals": s.decimals, "percent": s.percent, "chart": s.chart,
                "values": p.states.iter().map(|row| row[i]).collect::<Vec<f64>>(),
            })
        })
        .collect();
    let reports: Vec<Value> = p
        .reports
        .iter()
        .map(|r| {
            json!({
                "round": r.round,
                "title": r.opening.title,
                "opening": messages_json(cur, &r.opening.messages),
                "decisions": r.decisions,
                "messages": messages_json(cur, &r.messages),
            })
        })
        .collect();
    let next = p.next.as_ref().map(|o| {
        let mut v = serde_json::to_value(o).unwrap_or(Value::Null);
        v["messages"] = messages_json(cur, &o.messages);
        v
    });
    let result = p.result.as_ref().map(|s| {
        json!({
            "score": s.score,
            "objectives": s.objectives.iter().map(|o| json!({
                "label": o.label, "score": o.score, "met": o.met, "feedback": o.feedback,
                "lesson_url": o.lesson.as_deref().and_then(|l| cur.page_url(l)),
            })).collect::<Vec<_>>(),
            "feedback": messages_json(cur, &s.feedback),
        })
    });
    RunView {
        id: row.id.clone(),
        scenario_id: row.scenario_id.clone(),
        version: row.version,
        seed: row.seed,
        status: row.status.to_string(),
        rounds: sc.rounds,
        rounds_played: row.rounds_played,
        started_at: row.started_at,
        finished_at: row.finished_at,
        state: vars,
        reports,
        next,
        result,
        user_id: None,
        certificates_issued: None,
    }
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
    Ok((code, Json(view(&ctx.cur, &shown))))
}

/// A run, recomputed from its seed and decisions, for its learner or staff.
#[utoipa::path(get, path = "/api/runs/{id}", tag = "sandbox", security(("session" = [])),
    params(("id" = String, Path, description = "run id")),
    responses((status = 200, body = RunView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn run(State(state): State<AppState>, session: Session, ApiPath(id): ApiPath<String>) -> Result<Json<RunView>, ApiError> {
    let ctx = state.ctx();
    let shown = runs::run(&ctx, &session.user, &id).await?;
    let mut v = view(&ctx.cur, &shown);
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
    let mut v = view(&ctx.cur, &shown);
    v.certificates_issued = issued.map(|c| super::certify::certificates_json(&ctx, &c));
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
