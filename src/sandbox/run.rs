//! The stored form of a run, and replaying it.

use super::engine::{Decisions, Playthrough, ScoreCard, SimError, simulate};
use super::schema::Scenario;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A run as stored and exported: the inputs, and the result they produced.
/// Replaying the inputs must reproduce `result` exactly.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub scenario: String,
    pub version: u32,
    pub seed: u64,
    pub decisions: Vec<Decisions>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub result: Option<RunResult>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    /// Visible and hidden state before round 1 and after every round.
    pub states: Vec<BTreeMap<String, f64>>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub score: Option<ScoreCard>,
}

impl RunResult {
    pub fn of(sc: &Scenario, p: &Playthrough) -> RunResult {
        let states = p
            .states
            .iter()
            .map(|row| sc.state.iter().zip(row).map(|(s, v)| (s.id.clone(), *v)).collect())
            .collect();
        RunResult {
            states,
            score: p.result.clone(),
        }
    }
}

impl RunRecord {
    /// Recomputes the result from the inputs.
    pub fn compute(&self, sc: &Scenario) -> Result<RunResult, SimError> {
        if sc.id != self.scenario || sc.version != self.version {
            return Err(SimError::Run(format!(
                "the run is of {} version {}, the scenario file is {} version {}",
                self.scenario, self.version, sc.id, sc.version
            )));
        }
        Ok(RunResult::of(sc, &simulate(sc, self.seed, &self.decisions)?))
    }

    /// Recomputes the run and compares with the stored result, to the byte.
    pub fn replay(&self, sc: &Scenario) -> Result<RunResult, ReplayError> {
        let got = self.compute(sc).map_err(ReplayError::Sim)?;
        let Some(stored) = &self.result else {
            return Err(ReplayError::NoResult(Box::new(got)));
        };
        let a = serde_json::to_string(stored).expect("serialisable");
        let b = serde_json::to_string(&got).expect("serialisable");
        if a == b {
            Ok(got)
        } else {
            Err(ReplayError::Mismatch {
                stored: Box::new(stored.clone()),
                got: Box::new(got),
            })
        }
    }
}

#[derive(Debug)]
pub enum ReplayError {
    Sim(SimError),
    /// The file holds no result to confirm; here is what the inputs produce.
    NoResult(Box<RunResult>),
    Mismatch {
        stored: Box<RunResult>,
        got: Box<RunResult>,
    },
}

impl std::fmt::Display for ReplayError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReplayError::Sim(e) => write!(f, "the run cannot be replayed: {e}"),
            ReplayError::NoResult(_) => write!(f, "the file has no `result` to confirm"),
            ReplayError::Mismatch { stored, got } => {
                let score = |r: &RunResult| r.score.as_ref().map_or("none".to_string(), |s| s.score.to_string());
                write!(
                    f,
                    "the replay differs from the stored result (stored score {}, replayed {})",
                    score(stored),
                    score(got)
                )?;
                for (i, (a, b)) in stored.states.iter().zip(&got.states).enumerate() {
                    for (k, v) in a {
                        if b.get(k) != Some(v) {
                            return write!(f, "; first difference: `{k}` after round {i}: stored {v}, replayed {:?}", b.get(k));
                        }
                    }
                }
                Ok(())
            }
        }
    }
}
