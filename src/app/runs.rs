//! Sandbox runs: a learner's standing on a scenario, starting (or resuming) a run,
//! playing a round, reading a run and its replayable record. A run is recomputed from
//! (seed, decisions) on every call; the life cycle's rules live in [`crate::sandbox`].

use super::certification::certifier;
use super::{Ctx, Error, Result, is_staff};
use crate::sandbox::{self, Decisions, Playthrough, RoundStep, RunRecord, RunStatus, Scenario, SimError, simulate};
use crate::store::{CertificateRow, RecordRound, RunRow, ScenarioSummaryRow, StartRun, User};

/// A run with its scenario and what replaying it gives.
pub struct Shown {
    pub scenario: Scenario,
    pub row: RunRow,
    pub play: Playthrough,
}

/// A scenario of the live course.
pub fn scenario(ctx: &Ctx<'_>, id: &str) -> Result<Scenario> {
    ctx.cur
        .scenarios
        .get(id)
        .cloned()
        .ok_or_else(|| Error::NotFound(crate::msg!("run-scenario-not-found", scenario = id)))
}

fn not_found() -> Error {
    Error::NotFound(crate::msg!("run-not-found"))
}

fn sim_error(e: SimError) -> Error {
    match e {
        // The message names the round.
        SimError::Decision { message, .. } => Error::Unprocessable(message),
        other => Error::Internal(format!("sandbox model failed: {other}")),
    }
}

fn decisions_of(row: &RunRow) -> Vec<Decisions> {
    serde_json::from_str(&row.decisions).unwrap_or_default()
}

fn already_played(round: u32) -> Error {
    Error::Conflict(crate::msg!("run-round-already-played", round = round))
}

/// Recomputes a stored run for display.
fn replayed(ctx: &Ctx<'_>, row: RunRow) -> Result<Shown> {
    let sc = scenario(ctx, &row.scenario_id)?;
    if sc.version != row.version {
        return Err(Error::Conflict(crate::msg!(
            "run-scenario-changed-version",
            run_version = row.version,
            current_version = sc.version
        )));
    }
    let play = simulate(&sc, row.seed, &decisions_of(&row)).map_err(sim_error)?;
    Ok(Shown { scenario: sc, row, play })
}

/// The caller's standing on a scenario: runs used, best score, an open run.
pub async fn standing(ctx: &Ctx<'_>, actor: &User, id: &str) -> Result<(Scenario, ScenarioSummaryRow)> {
    let sc = scenario(ctx, id)?;
    let s = ctx.store.scenario_summary(actor.id, sc.id.clone()).await?;
    Ok((sc, s))
}

/// Starts a run (`true`), or resumes the open one (`false`).
pub async fn start(ctx: &Ctx<'_>, actor: &User, id: &str) -> Result<(bool, Shown)> {
    let sc = scenario(ctx, id)?;
    // 53 bits: the seed survives a trip through JavaScript numbers unchanged.
    let seed = rand::random::<u64>() >> 11;
    let outcome = ctx
        .store
        .start_run(
            actor.id,
            sc.id.clone(),
            sc.version,
            sc.runs,
            ctx.clock.now_ms(),
            super::ordered_id(ctx.clock.now_ms()),
            seed,
        )
        .await?;
    let (started, row) = match outcome {
        StartRun::Started(r) => (true, r),
        StartRun::Resumed(r) => (false, r),
        StartRun::NoRunsLeft { used } => {
            return Err(Error::Conflict(crate::msg!("run-no-runs-left", used = used)));
        }
    };
    Ok((started, replayed(ctx, row)?))
}

/// A run is visible to its learner and to staff; to anyone else it does not exist.
async fn visible_run(ctx: &Ctx<'_>, actor: &User, id: &str) -> Result<RunRow> {
    ctx.store
        .run(id.to_string())
        .await?
        .filter(|r| r.user_id == actor.id || is_staff(actor))
        .ok_or_else(not_found)
}

/// A run, recomputed from its seed and decisions, for its learner or staff.
pub async fn run(ctx: &Ctx<'_>, actor: &User, id: &str) -> Result<Shown> {
    let row = visible_run(ctx, actor, id).await?;
    replayed(ctx, row)
}

/// Plays round `round` (1-based) of the learner's own run; a retry with the same
/// decisions returns the same result. Returns the run and, when this round finished
/// it, the certificates that issued.
pub async fn play(ctx: &Ctx<'_>, actor: &User, id: &str, round: u32, given: Decisions) -> Result<(Shown, Option<Vec<CertificateRow>>)> {
    let row = ctx
        .store
        .run(id.to_string())
        .await?
        .filter(|r| r.user_id == actor.id)
        .ok_or_else(not_found)?;
    // A retry of a round already recorded with the same decisions gets the same answer.
    let already = |row: &RunRow| decisions_of(row).get(round.wrapping_sub(1) as usize) == Some(&given);
    match sandbox::round_step(row.status, row.rounds_played, round) {
        RoundStep::AlreadyPlayed if already(&row) => return Ok((replayed(ctx, row)?, None)),
        RoundStep::AlreadyPlayed => return Err(already_played(round)),
        RoundStep::Over => return Err(Error::Conflict(crate::msg!("run-over"))),
        RoundStep::OutOfOrder { expected } => {
            return Err(Error::Conflict(crate::msg!("run-round-out-of-order", expected = expected)));
        }
        RoundStep::Play => {}
    }
    let sc = scenario(ctx, &row.scenario_id)?;
    if sc.version != row.version {
        return Err(Error::Conflict(crate::msg!("run-scenario-changed")));
    }
    let mut decisions = decisions_of(&row);
    decisions.push(given.clone());
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
                serde_json::to_string(&rec).map_err(|e| Error::Internal(e.to_string()))?,
            ))
        }
        None => None,
    };
    let decisions_json = serde_json::to_string(&decisions).map_err(|e| Error::Internal(e.to_string()))?;
    let now = ctx.clock.now_ms();
    match ctx
        .store
        .record_round(
            id.to_string(),
            actor.id,
            (row.rounds_played, decisions_json),
            finished,
            now,
            certifier(ctx),
        )
        .await?
    {
        RecordRound::Saved(row, issued) => {
            let issued = (row.status == RunStatus::Finished).then_some(issued);
            Ok((
                Shown {
                    scenario: sc,
                    row,
                    play: p,
                },
                issued,
            ))
        }
        // A concurrent identical submit won the race: same decisions, same answer.
        RecordRound::Stale(row) if already(&row) => Ok((replayed(ctx, row)?, None)),
        RecordRound::Stale(_) => Err(already_played(round)),
        RecordRound::NotFound => Err(not_found()),
    }
}

/// The replayable record of a run (what `certbook sandbox replay` checks), and the run.
pub async fn record(ctx: &Ctx<'_>, actor: &User, id: &str) -> Result<(RunRow, RunRecord)> {
    let row = visible_run(ctx, actor, id).await?;
    let sc = scenario(ctx, &row.scenario_id)?;
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
    Ok((row, rec))
}
