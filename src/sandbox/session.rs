//! Several teams playing one scenario together. Every team runs its own [`Sim`] from
//! the same seed, so all meet the same draws; in a market scenario each round pauses
//! after each team's own effects, the aggregates are computed over every team, and
//! the round settles with them known. A session is fully described by (scenario id +
//! version, seed, every team's decisions), as a single run is.

use super::engine::{Decisions, Opening, Playthrough, RoundReport, Sim, SimError, Team};
use super::run::RunResult;
use super::schema::Scenario;
use serde::{Deserialize, Serialize};

/// A session's teams between rounds: open a round, play it for everyone, repeat.
pub struct Table<'a> {
    sc: &'a Scenario,
    sims: Vec<Sim<'a>>,
    states: Vec<Vec<Vec<f64>>>,
    reports: Vec<Vec<RoundReport>>,
}

/// A failure with the team (0-based) it belongs to.
pub type TeamError = (usize, SimError);

impl<'a> Table<'a> {
    pub fn new(sc: &'a Scenario, seed: u64, teams: usize) -> Self {
        let sims: Vec<Sim<'a>> = (0..teams)
            .map(|_| {
                let mut sim = Sim::new(sc, seed);
                sim.set_teams(teams);
                sim
            })
            .collect();
        let states = sims.iter().map(|s| vec![s.state.clone()]).collect();
        Table {
            sc,
            sims,
            states,
            reports: vec![Vec::new(); teams],
        }
    }

    /// Rounds every team has played.
    pub fn round(&self) -> u32 {
        self.sims.first().map_or(0, |s| s.round)
    }

    /// Opens the next round for every team.
    pub fn open(&mut self) -> Result<Vec<Opening>, TeamError> {
        self.sims
            .iter_mut()
            .enumerate()
            .map(|(i, s)| s.open().map_err(|e| (i, e)))
            .collect()
    }

    /// Plays the opened round: every team's decisions, then the market, then the rest.
    pub fn play(&mut self, openings: Vec<Opening>, decisions: &[Decisions]) -> Result<(), TeamError> {
        let n = self.sims.len();
        if openings.len() != n || decisions.len() != n {
            return Err((0, SimError::Run(format!("{n} teams, {} decisions", decisions.len()))));
        }
        let mut inputs = Vec::with_capacity(n);
        for (i, (sim, (o, d))) in self.sims.iter_mut().zip(openings.iter().zip(decisions)).enumerate() {
            sim.decide(o, d).map_err(|e| (i, e))?;
            inputs.push(sim.market_inputs().map_err(|e| (i, e))?);
        }
        let aggregates = self.sc.market.as_ref().map_or(&[][..], |m| &m.aggregates[..]);
        // Each aggregate's input from every team, in team order.
        let columns: Vec<Vec<f64>> = (0..aggregates.len()).map(|k| inputs.iter().map(|row| row[k]).collect()).collect();
        for (i, (sim, (o, d))) in self.sims.iter_mut().zip(openings.into_iter().zip(decisions)).enumerate() {
            let market: Vec<f64> = aggregates.iter().zip(&columns).map(|(a, c)| a.op.apply(c, i)).collect();
            let messages = sim.settle(&market).map_err(|e| (i, e))?;
            self.states[i].push(sim.state.clone());
            self.reports[i].push(RoundReport {
                round: o.round,
                opening: o,
                decisions: d.clone(),
                messages,
            });
        }
        Ok(())
    }

    /// Each team's score were the session to end now (objectives on the state so far).
    pub fn scores(&mut self) -> Result<Vec<u32>, TeamError> {
        self.sims
            .iter_mut()
            .enumerate()
            .map(|(i, s)| s.score().map(|c| c.score).map_err(|e| (i, e)))
            .collect()
    }

    /// Each team's playthrough: the next round's opening, or the score after the last.
    pub fn finish(mut self) -> Result<Vec<Playthrough>, TeamError> {
        let last = self.round() >= self.sc.rounds;
        let mut out = Vec::with_capacity(self.sims.len());
        for (i, mut sim) in self.sims.into_iter().enumerate() {
            let (next, result) = if last {
                (None, Some(sim.score().map_err(|e| (i, e))?))
            } else {
                (Some(sim.open().map_err(|e| (i, e))?), None)
            };
            out.push(Playthrough {
                states: std::mem::take(&mut self.states[i]),
                reports: std::mem::take(&mut self.reports[i]),
                next,
                result,
                violations: sim.violations,
            });
        }
        Ok(out)
    }
}

/// Plays every team's decisions from `seed`. Teams that play (rather than default)
/// must all have played the same number of rounds.
pub fn simulate_teams(sc: &Scenario, seed: u64, teams: &[Team]) -> Result<Vec<Playthrough>, TeamError> {
    play_teams(sc, seed, teams, false).map(|(p, _)| p)
}

/// As [`simulate_teams`], with every team's score after each round (a leaderboard
/// per round: `standings[r][team]`).
pub fn simulate_with_standings(sc: &Scenario, seed: u64, teams: &[Team]) -> Result<(Vec<Playthrough>, Vec<Vec<u32>>), TeamError> {
    play_teams(sc, seed, teams, true)
}

fn play_teams(sc: &Scenario, seed: u64, teams: &[Team], standings: bool) -> Result<(Vec<Playthrough>, Vec<Vec<u32>>), TeamError> {
    let played = teams
        .iter()
        .filter_map(|t| match t {
            Team::Plays(d) => Some(d.len()),
            Team::Defaults => None,
        })
        .max()
        .unwrap_or(0);
    if played > sc.rounds as usize {
        return Err((
            0,
            SimError::Run(format!("{played} rounds of decisions for a {}-round scenario", sc.rounds)),
        ));
    }
    if let Some(i) = teams.iter().position(|t| matches!(t, Team::Plays(d) if d.len() != played)) {
        return Err((i, SimError::Run(format!("team {} has not played round {played} yet", i + 1))));
    }
    let mut table = Table::new(sc, seed, teams.len());
    let mut board = Vec::new();
    for r in 0..played {
        let openings = table.open()?;
        let decisions: Vec<Decisions> = teams
            .iter()
            .zip(&openings)
            .map(|(t, o)| match t {
                Team::Plays(d) => d[r].clone(),
                Team::Defaults => o.defaults(sc),
            })
            .collect();
        table.play(openings, &decisions)?;
        if standings {
            board.push(table.scores()?);
        }
    }
    Ok((table.finish()?, board))
}

/// A team session as stored and exported: the inputs, and the results they produced.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionRecord {
    pub scenario: String,
    pub version: u32,
    pub seed: u64,
    pub teams: Vec<TeamRecord>,
    /// One per team, in order.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub results: Option<Vec<RunResult>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TeamRecord {
    pub name: String,
    pub decisions: Vec<Decisions>,
    /// Rounds (1-based) the team missed, so the scenario's defaults were played.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub defaulted: Vec<u32>,
}

impl SessionRecord {
    pub fn compute(&self, sc: &Scenario) -> Result<Vec<RunResult>, TeamError> {
        if sc.id != self.scenario || sc.version != self.version {
            return Err((
                0,
                SimError::Run(format!(
                    "the session is of {} version {}, the scenario file is {} version {}",
                    self.scenario, self.version, sc.id, sc.version
                )),
            ));
        }
        let teams: Vec<Team> = self.teams.iter().map(|t| Team::Plays(&t.decisions)).collect();
        let plays = simulate_teams(sc, self.seed, &teams)?;
        Ok(plays.iter().map(|p| RunResult::of(sc, p)).collect())
    }

    /// Recomputes the session and compares every team's result with the stored one, to the byte.
    pub fn replay(&self, sc: &Scenario) -> Result<Vec<RunResult>, SessionReplayError> {
        let got = self.compute(sc).map_err(|(i, e)| SessionReplayError::Sim(i, e))?;
        let Some(stored) = &self.results else {
            return Err(SessionReplayError::NoResult);
        };
        if stored.len() != got.len() {
            return Err(SessionReplayError::Mismatch(0));
        }
        for (i, (a, b)) in stored.iter().zip(&got).enumerate() {
            if serde_json::to_string(a).expect("serialisable") != serde_json::to_string(b).expect("serialisable") {
                return Err(SessionReplayError::Mismatch(i));
            }
        }
        Ok(got)
    }
}

#[derive(Debug)]
pub enum SessionReplayError {
    Sim(usize, SimError),
    NoResult,
    /// The first team whose replay differs.
    Mismatch(usize),
}

impl std::fmt::Display for SessionReplayError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SessionReplayError::Sim(i, e) => write!(f, "team {}: the session cannot be replayed: {e}", i + 1),
            SessionReplayError::NoResult => write!(f, "the file has no `results` to confirm"),
            SessionReplayError::Mismatch(i) => write!(f, "team {}: the replay differs from the stored result", i + 1),
        }
    }
}
