//! The sandbox API: a learner's standing on a scenario, starting (or resuming) a
//! run, playing a round, reading a run, downloading its replayable record. The
//! server recomputes the run from (seed, decisions) on every request: the page
//! never computes an outcome and never sees a formula.

use super::AppState;
use super::auth::{CsrfSession, Session, random_token};
use super::error::{ApiError, ApiJson};
use crate::course::Curriculum;
use crate::sandbox::{Decisions, Message, Playthrough, RunRecord, Scenario, SimError, simulate};
use crate::store::{RecordRound, RunRow, StartRun};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/scenarios/{id}", get(status))
        .route("/api/scenarios/{id}/runs", post(start))
        .route("/api/runs/{id}", get(run))
        .route("/api/runs/{id}/rounds", post(play))
        .route("/api/runs/{id}/record", get(record))
}

fn find(state: &AppState, id: &str) -> Result<Scenario, ApiError> {
    state
        .curriculum
        .scenarios
        .get(id)
        .cloned()
        .ok_or_else(|| ApiError::NotFound(format!("没有这个沙盘：{id}")))
}

fn not_found() -> ApiError {
    ApiError::NotFound("没有这次推演记录 (no such run)".into())
}

async fn status(State(state): State<AppState>, session: Session, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let sc = find(&state, &id)?;
    let s = state.store.scenario_summary(session.user.id, sc.id.clone()).await?;
    Ok(Json(json!({
        "id": sc.id,
        "title": sc.title,
        "summary": sc.summary,
        "intro": sc.intro,
        "rounds": sc.rounds,
        "runs_allowed": sc.runs,
        "runs_used": s.runs,
        "runs_left": sc.runs.map(|a| a.saturating_sub(s.runs)),
        "best_score": s.best_score,
        "open_run": s.open_run,
    })))
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
fn view(state: &AppState, sc: &Scenario, row: &RunRow, p: &Playthrough) -> Value {
    let cur = &state.curriculum;
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
    json!({
        "id": row.id,
        "scenario_id": row.scenario_id,
        "version": row.version,
        "seed": row.seed,
        "status": row.status,
        "rounds": sc.rounds,
        "rounds_played": row.rounds_played,
        "started_at": row.started_at,
        "finished_at": row.finished_at,
        "state": vars,
        "reports": reports,
        "next": next,
        "result": result,
    })
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

async fn start(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
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

async fn run(State(state): State<AppState>, session: Session, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let row = visible_run(&state, &session, id).await?;
    let (sc, p) = replayed(&state, &row)?;
    let mut v = view(&state, &sc, &row, &p);
    v["user_id"] = json!(row.user_id);
    Ok(Json(v))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RoundBody {
    /// The round being played (1-based), so a retried request cannot play the next one.
    round: u32,
    decisions: Decisions,
}

async fn play(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RoundBody>,
) -> Result<Json<Value>, ApiError> {
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
                let (_, issued) = super::certify::certify_user(&state, session.user.id).await?;
                v["certificates_issued"] = json!(
                    issued
                        .iter()
                        .map(|c| super::certify::certificate_json(&state, c))
                        .collect::<Vec<_>>()
                );
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

/// The replayable record (`certbook sandbox replay` checks it).
async fn record(State(state): State<AppState>, session: Session, Path(id): Path<String>) -> Result<impl IntoResponse, ApiError> {
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
