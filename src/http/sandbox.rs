//! The sandbox API: a learner's standing on a scenario, starting (or resuming) a
//! run, playing a round, reading a run, downloading its replayable record. The
//! server recomputes the run from (seed, decisions) on every request: the page
//! never computes an outcome and never sees a formula.

use super::AppState;
use super::auth::{CsrfSession, Session, random_token};
use super::error::{ApiError, ApiJson, ApiPath, ErrorBody};
use crate::course::Curriculum;
use crate::sandbox::{Decisions, Message, Playthrough, RunRecord, Scenario, SimError, simulate};
use crate::store::{RecordRound, RunRow, StartRun};
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

fn find(state: &AppState, id: &str) -> Result<Scenario, ApiError> {
    state
        .curriculum()
        .scenarios
        .get(id)
        .cloned()
        .ok_or_else(|| ApiError::NotFound(format!("没有这个沙盘：{id}")))
}

fn not_found() -> ApiError {
    ApiError::NotFound("没有这次推演记录 (no such run)".into())
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
    let sc = find(&state, &id)?;
    let s = state.store.scenario_summary(session.user.id, sc.id.clone()).await?;
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

fn decisions_of(row: &RunRow) -> Vec<Decisions> {
    serde_json::from_str(&row.decisions).unwrap_or_default()
}

fn sim_error(e: SimError) -> ApiError {
    match e {
        SimError::Decision { .. } => ApiError::Unprocessable(e.to_string()),
        other => ApiError::Internal(format!("sandbox model failed: {other}")),
    }
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
fn view(state: &AppState, sc: &Scenario, row: &RunRow, p: &Playthrough) -> RunView {
    let cur = &state.curriculum();
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
        status: row.status.clone(),
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

/// Recomputes a stored run for display.
fn replayed(state: &AppState, row: &RunRow) -> Result<(Scenario, Playthrough), ApiError> {
    let sc = find(state, &row.scenario_id)?;
    if sc.version != row.version {
        return Err(ApiError::Conflict(format!(
            "沙盘已更新（本次推演为第 {} 版，当前为第 {} 版），请重新开始 (scenario changed)",
            row.version, sc.version
        )));
    }
    let p = simulate(&sc, row.seed, &decisions_of(row)).map_err(sim_error)?;
    Ok((sc, p))
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
    let sc = find(&state, &id)?;
    // 53 bits: the seed survives a trip through JavaScript numbers unchanged.
    let seed = rand::random::<u64>() >> 11;
    let outcome = state
        .store
        .start_run(
            session.user.id,
            sc.id.clone(),
            sc.version,
            sc.runs.unwrap_or(0),
            state.clock.now_ms(),
            random_token(),
            seed,
        )
        .await?;
    let (code, row) = match outcome {
        StartRun::Started(r) => (StatusCode::CREATED, r),
        StartRun::Resumed(r) => (StatusCode::OK, r),
        StartRun::NoRunsLeft { used } => return Err(ApiError::Conflict(format!("推演次数已用完（已推演 {used} 次）"))),
    };
    let (sc, p) = replayed(&state, &row)?;
    Ok((code, Json(view(&state, &sc, &row, &p))))
}

/// A run is visible to its learner and to staff; to anyone else it does not exist.
async fn visible_run(state: &AppState, session: &Session, id: String) -> Result<RunRow, ApiError> {
    state
        .store
        .run(id)
        .await?
        .filter(|r| r.user_id == session.user.id || session.is_staff())
        .ok_or_else(not_found)
}

/// A run, recomputed from its seed and decisions, for its learner or staff.
#[utoipa::path(get, path = "/api/runs/{id}", tag = "sandbox", security(("session" = [])),
    params(("id" = String, Path, description = "run id")),
    responses((status = 200, body = RunView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn run(State(state): State<AppState>, session: Session, ApiPath(id): ApiPath<String>) -> Result<Json<RunView>, ApiError> {
    let row = visible_run(&state, &session, id).await?;
    let (sc, p) = replayed(&state, &row)?;
    let mut v = view(&state, &sc, &row, &p);
    v.user_id = Some(row.user_id);
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
    let row = state
        .store
        .run(id.clone())
        .await?
        .filter(|r| r.user_id == session.user.id)
        .ok_or_else(not_found)?;
    let mut decisions = decisions_of(&row);
    // A retry of a round already recorded with the same decisions gets the same answer.
    let already = |row: &RunRow| decisions_of(row).get(body.round.wrapping_sub(1) as usize) == Some(&body.decisions);
    if body.round <= row.rounds_played {
        return if already(&row) {
            let (sc, p) = replayed(&state, &row)?;
            Ok(Json(view(&state, &sc, &row, &p)))
        } else {
            Err(ApiError::Conflict(format!("第 {} 轮已经提交过 (round already played)", body.round)))
        };
    }
    if row.status != "open" {
        return Err(ApiError::Conflict("这次推演已经结束 (run is over)".into()));
    }
    if body.round != row.rounds_played + 1 {
        return Err(ApiError::Conflict(format!(
            "现在应提交第 {} 轮 (expected round {})",
            row.rounds_played + 1,
            row.rounds_played + 1
        )));
    }
    let sc = find(&state, &row.scenario_id)?;
    if sc.version != row.version {
        return Err(ApiError::Conflict("沙盘已更新，请重新开始 (scenario changed)".into()));
    }
    decisions.push(body.decisions.clone());
    let p = simulate(&sc, row.seed, &decisions).map_err(sim_error)?;
    let finished = match &p.result {
        Some(score) => {
            let mut rec = RunRecord {
                scenario: sc.id.clone(),
                version: sc.version,
                seed: row.seed,
                decisions: decisions.clone(),
                result: None,
            };
            rec.result = Some(rec.compute(&sc).map_err(sim_error)?);
            Some((
                score.score,
                serde_json::to_string(&rec).map_err(|e| ApiError::Internal(e.to_string()))?,
            ))
        }
        None => None,
    };
    let decisions_json = serde_json::to_string(&decisions).map_err(|e| ApiError::Internal(e.to_string()))?;
    let now = state.clock.now_ms();
    match state
        .store
        .record_round(id, session.user.id, row.rounds_played, decisions_json, finished, now)
        .await?
    {
        RecordRound::Saved(row) => {
            let mut v = view(&state, &sc, &row, &p);
            if row.status == "finished" {
                let ctx = state.ctx();
                let (_, issued) = crate::app::certification::certify_user(&ctx, session.user.id).await?;
                v.certificates_issued = Some(super::certify::certificates_json(&ctx, &issued));
            }
            Ok(Json(v))
        }
        // A concurrent identical submit won the race: same decisions, same answer.
        RecordRound::Stale(row) if already(&row) => {
            let (sc, p) = replayed(&state, &row)?;
            Ok(Json(view(&state, &sc, &row, &p)))
        }
        RecordRound::Stale(_) => Err(ApiError::Conflict(format!("第 {} 轮已经提交过 (round already played)", body.round))),
        RecordRound::NotFound => Err(not_found()),
    }
}

/// The replayable record of a run, a download `certbook sandbox replay` checks.
#[utoipa::path(get, path = "/api/runs/{id}/record", tag = "sandbox", security(("session" = [])),
    params(("id" = String, Path, description = "run id")),
    responses((status = 200, description = "scenario, version, seed, decisions and result", content_type = "application/json", body = Object),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn record(State(state): State<AppState>, session: Session, ApiPath(id): ApiPath<String>) -> Result<impl IntoResponse, ApiError> {
    let row = visible_run(&state, &session, id).await?;
    let sc = find(&state, &row.scenario_id)?;
    let mut rec = RunRecord {
        scenario: row.scenario_id.clone(),
        version: row.version,
        seed: row.seed,
        decisions: decisions_of(&row),
        result: None,
    };
    // Finished runs carry the result stored when they finished; open ones get it computed now.
    rec.result = match row.result.as_deref().and_then(|r| serde_json::from_str::<RunRecord>(r).ok()) {
        Some(stored) => stored.result,
        None if sc.version == row.version => Some(rec.compute(&sc).map_err(sim_error)?),
        None => None,
    };
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
