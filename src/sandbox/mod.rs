//! Sandbox scenarios: seeded, replayable business simulations.
//!
//! A scenario file declares state, per-round random draws, decisions (allocate an
//! amount, or choose an option), effects as formulas, events, objectives and
//! feedback. The engine is pure: a run is (scenario id + version, seed,
//! decisions), and replaying those always gives the same numbers.

mod autoplay;
mod engine;
mod expr;
mod lifecycle;
mod parse;
mod run;
mod schema;
mod session;

pub use autoplay::{Finding, autoplay, random_decisions};
pub use engine::{
    DecisionValue, Decisions, Message, MessageKind, ObjectiveResult, OpenDecision, OpenOption, Opening, Playthrough, RoundReport,
    ScoreCard, Sim, SimError, Team, Violation, format_number, simulate,
};
pub use expr::{Env, FUNCTIONS, Formula};
pub use lifecycle::{RoundStep, RunStatus, Start, after_round, may_begin, may_record, on_start, round_step};
pub use parse::{parse_scenario, valid_name};
pub use run::{ReplayError, RunRecord, RunResult};
pub use schema::*;
pub use session::{SessionRecord, SessionReplayError, Table, TeamError, TeamRecord, simulate_teams, simulate_with_standings};
