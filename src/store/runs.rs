//! Sandbox runs. Starting respects the run limit in one transaction; a round is
//! recorded only if no other request recorded one since the caller read the run
//! (compare-and-set on `rounds_played`), so a double submit cannot play a round twice.

use super::db::{Conn, FromCol, Optional, Row, ToParam, Value as DbValue, params};
use super::{Store, StoreError};
use crate::sandbox::{self, RunStatus, Start};

/// `runs.status` is TEXT: `open`, `finished` or `abandoned`.
impl ToParam for RunStatus {
    fn to_value(&self) -> DbValue {
        DbValue::Text(self.as_str().into())
    }
}

impl FromCol for RunStatus {
    fn from_value(v: DbValue) -> Result<Self, String> {
        let s = String::from_value(v)?;
        RunStatus::parse(&s).ok_or_else(|| format!("unknown run status {s:?}"))
    }
}

#[derive(Clone, Debug)]
pub struct RunRow {
    pub id: String,
    pub user_id: i64,
    pub scenario_id: String,
    pub version: u32,
    pub seed: u64,
    /// JSON array, one object of decisions per played round.
    pub decisions: String,
    pub rounds_played: u32,
    pub status: RunStatus,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub score: Option<u32>,
    /// The run record with its result, as JSON (finished runs).
    pub result: Option<String>,
}

const GET_RUN: &str = "SELECT id, user_id, scenario_id, version, seed, decisions, rounds_played, status, started_at, finished_at, score, result FROM runs WHERE id = ?1";

fn row_run(r: &Row) -> super::db::Result<RunRow> {
    Ok(RunRow {
        id: r.get(0)?,
        user_id: r.get(1)?,
        scenario_id: r.get(2)?,
        version: r.get(3)?,
        seed: r.get::<_, i64>(4)? as u64,
        decisions: r.get(5)?,
        rounds_played: r.get(6)?,
        status: r.get(7)?,
        started_at: r.get(8)?,
        finished_at: r.get(9)?,
        score: r.get(10)?,
        result: r.get(11)?,
    })
}

fn get(conn: &Conn, id: &str) -> super::db::Result<Option<RunRow>> {
    conn.prepare_cached(GET_RUN)?.query_row([id], row_run).optional()
}

pub enum StartRun {
    Started(RunRow),
    Resumed(RunRow),
    NoRunsLeft { used: u32 },
}

pub enum RecordRound {
    /// Recorded, with the certificates a finished run completed.
    Saved(RunRow, Vec<super::CertificateRow>),
    /// Someone recorded a round first (or the run finished): the run as it is now.
    Stale(RunRow),
    NotFound,
}

/// One learner's standing on one scenario.
#[derive(Clone, Debug, Default)]
pub struct ScenarioSummaryRow {
    pub scenario_id: String,
    /// Runs that count against the limit (open and finished).
    pub runs: u32,
    pub finished: u32,
    pub best_score: Option<u32>,
    pub open_run: Option<String>,
}

fn summary(conn: &Conn, user_id: i64, scenario_id: &str) -> super::db::Result<ScenarioSummaryRow> {
    conn.prepare_cached(
        "SELECT COUNT(*) FILTER (WHERE status != 'abandoned'), COUNT(*) FILTER (WHERE status = 'finished'),
                MAX(score) FILTER (WHERE status = 'finished'), MAX(id) FILTER (WHERE status = 'open')
         FROM runs WHERE user_id = ?1 AND scenario_id = ?2",
    )?
    .query_row(params![user_id, scenario_id], |r| {
        Ok(ScenarioSummaryRow {
            scenario_id: scenario_id.to_string(),
            runs: r.get::<_, i64>(0)? as u32,
            finished: r.get::<_, i64>(1)? as u32,
            best_score: r.get(2)?,
            open_run: r.get(3)?,
        })
    })
}

impl Store {
    /// Resumes the learner's open run of this version, or starts a new one if the
    /// limit (`None` or `0` = none) allows. An open run of an older version is abandoned.
    #[allow(clippy::too_many_arguments)]
    pub async fn start_run(
        &self,
        user_id: i64,
        scenario_id: String,
        version: u32,
        limit: Option<u32>,
        now: i64,
        new_id: String,
        seed: u64,
    ) -> Result<StartRun, StoreError> {
        self.write(move |tx| {
            let open: Option<(String, u32)> = tx
                .query_row(
                    "SELECT id, version FROM runs WHERE user_id = ?1 AND scenario_id = ?2 AND status = ?3",
                    params![user_id, scenario_id, RunStatus::Open],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            match (sandbox::on_start(open.as_ref().map(|o| o.1), version), open) {
                (Start::Resume, Some((id, _))) => {
                    return Ok(StartRun::Resumed(get(tx, &id)?.ok_or(super::db::Error::NoRows)?));
                }
                (Start::Begin { abandon: true }, Some((id, _))) => {
                    tx.execute(
                        "UPDATE runs SET status = ?3, updated_at = ?2 WHERE id = ?1",
                        params![id, now, RunStatus::Abandoned],
                    )?;
                }
                _ => {}
            }
            let used = summary(tx, user_id, &scenario_id)?.runs;
            if !sandbox::may_begin(limit, used) {
                return Ok(StartRun::NoRunsLeft { used });
            }
            tx.prepare_cached(
                "INSERT INTO runs (id, user_id, scenario_id, version, seed, started_at, updated_at, status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)",
            )?
            .execute(params![new_id, user_id, scenario_id, version, seed as i64, now, RunStatus::Open])?;
            Ok(StartRun::Started(get(tx, &new_id)?.ok_or(super::db::Error::NoRows)?))
        })
        .await
    }

    /// Records the decisions after round `played_before + 1`, if the run still stands
    /// where the caller read it. `finished` carries the score and the full record.
    pub async fn record_round(
        &self,
        run_id: String,
        user_id: i64,
        (played_before, decisions): (u32, String),
        finished: Option<(u32, String)>,
        now: i64,
        certify: Option<super::Certifier>,
    ) -> Result<RecordRound, StoreError> {
        self.write(move |tx| {
            let Some(row) = get(tx, &run_id)?.filter(|r| r.user_id == user_id) else {
                return Ok(RecordRound::NotFound);
            };
            if !sandbox::may_record(row.status, row.rounds_played, played_before) {
                return Ok(RecordRound::Stale(row));
            }
            let status = sandbox::after_round(finished.is_some());
            let (score, result, finished_at) = match &finished {
                Some((score, result)) => (Some(*score), Some(result.as_str()), Some(now)),
                None => (None, None, None),
            };
            tx.prepare_cached(
                "UPDATE runs SET decisions = ?2, rounds_played = ?3, status = ?4, score = ?5, result = ?6, finished_at = ?7, updated_at = ?8
                 WHERE id = ?1 AND rounds_played = ?9 AND status = ?10",
            )?
            .execute(params![
                run_id,
                decisions,
                played_before + 1,
                status,
                score,
                result,
                finished_at,
                now,
                played_before,
                RunStatus::Open
            ])?;
            let mut issued = Vec::new();
            if let Some(score) = score {
                super::hr::record_result(tx, user_id, "scenario", &row.scenario_id, score as f64, now)?;
                issued = super::certs::certify_opt(tx, user_id, certify.as_ref(), now)?;
            }
            Ok(RecordRound::Saved(get(tx, &run_id)?.ok_or(super::db::Error::NoRows)?, issued))
        })
        .await
    }

    pub async fn run(&self, id: String) -> Result<Option<RunRow>, StoreError> {
        self.read(move |c| Ok(get(c, &id)?)).await
    }

    pub async fn scenario_summary(&self, user_id: i64, scenario_id: String) -> Result<ScenarioSummaryRow, StoreError> {
        self.read(move |c| Ok(summary(c, user_id, &scenario_id)?)).await
    }

    /// A learner's runs, newest first.
    pub async fn runs_of(&self, user_id: i64) -> Result<Vec<RunRow>, StoreError> {
        self.read(move |c| Ok(runs_of(c, user_id)?)).await
    }
}

/// A learner's runs, newest first.
pub(super) fn runs_of(c: &Conn, user_id: i64) -> super::db::Result<Vec<RunRow>> {
    let mut stmt = c.prepare_cached(
        "SELECT id, user_id, scenario_id, version, seed, decisions, rounds_played, status, started_at, finished_at, score, result
         FROM runs WHERE user_id = ?1 ORDER BY started_at DESC, id",
    )?;
    stmt.query_map([user_id], row_run)?.collect()
}
