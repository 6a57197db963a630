//! A scenario as the engine uses it: validated, with compiled formulas.

use super::expr::Formula;
use std::ops::Range;
use std::path::PathBuf;

#[derive(Clone, Debug)]
pub struct Scenario {
    pub id: String,
    /// Bumped by the author when a change would alter old runs' results.
    pub version: u32,
    pub title: String,
    pub summary: String,
    /// Shown before the first round (markdown-free plain text, paragraphs split on blank lines).
    pub intro: String,
    pub rounds: u32,
    /// Scored runs a learner may start; `None` for unlimited.
    pub runs: Option<u32>,
    pub params: Vec<(String, f64)>,
    pub state: Vec<StateVar>,
    pub randoms: Vec<Random>,
    pub round_texts: Vec<RoundText>,
    pub decisions: Vec<Decision>,
    pub effects: Vec<Effect>,
    pub events: Vec<Event>,
    pub notes: Vec<Note>,
    pub objectives: Vec<Objective>,
    pub feedback: Vec<Feedback>,
    /// Present when teams compete in one market (`market = true`).
    pub market: Option<Market>,
    /// Who owns which decisions when a team plays together; empty: anyone decides all.
    pub roles: Vec<Role>,
    /// Members a team may have in a team session.
    pub members: (u32, u32),
    /// Path relative to the course directory.
    pub source: PathBuf,
}

/// How teams in one session meet: values every team computes are combined across
/// teams (`[[market]]`) and read back by the later effects.
#[derive(Clone, Debug)]
pub struct Market {
    pub aggregates: Vec<Aggregate>,
    /// The first effect that reads an aggregate. Effects before it run on each team's
    /// own numbers; the market is computed there; the rest run with it known.
    pub at: usize,
    /// Teams a session may have.
    pub teams: (u32, u32),
    /// Simulated rivals a single player meets; they play the decisions' defaults.
    pub rivals: u32,
}

#[derive(Clone, Debug)]
pub struct Aggregate {
    pub id: String,
    /// The name whose value is taken from every team.
    pub of: String,
    pub op: AggOp,
    pub span: Range<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AggOp {
    Sum,
    Avg,
    Min,
    Max,
    /// The team's own value over the sum of all (an equal split when the sum is 0).
    Share,
    /// 1 for the largest value; ties share the better rank.
    Rank,
}

impl AggOp {
    pub const NAMES: [&'static str; 6] = ["sum", "avg", "min", "max", "share", "rank"];

    pub fn parse(s: &str) -> Option<AggOp> {
        Some(match s {
            "sum" => AggOp::Sum,
            "avg" => AggOp::Avg,
            "min" => AggOp::Min,
            "max" => AggOp::Max,
            "share" => AggOp::Share,
            "rank" => AggOp::Rank,
            _ => return None,
        })
    }

    /// What team `i` reads, given every team's value.
    pub fn apply(self, values: &[f64], i: usize) -> f64 {
        let n = values.len().max(1) as f64;
        let sum: f64 = values.iter().sum();
        match self {
            AggOp::Sum => sum,
            AggOp::Avg => sum / n,
            AggOp::Min => values.iter().copied().fold(f64::INFINITY, f64::min),
            AggOp::Max => values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            AggOp::Share if sum == 0.0 => 1.0 / n,
            AggOp::Share => values[i] / sum,
            AggOp::Rank => 1.0 + values.iter().filter(|v| **v > values[i]).count() as f64,
        }
    }
}

/// A part a team member plays, owning some of the round's decisions.
#[derive(Clone, Debug)]
pub struct Role {
    pub id: String,
    pub label: String,
    pub decisions: Vec<String>,
}

/// A formula with where it was written, so errors found while playing point back to it.
#[derive(Clone, Debug)]
pub struct Expr {
    pub src: String,
    pub span: Range<usize>,
    pub formula: Formula,
}

#[derive(Clone, Debug)]
pub struct StateVar {
    pub id: String,
    pub label: String,
    pub unit: String,
    pub start: f64,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// Digits after the point when shown.
    pub decimals: u32,
    /// Shown as a percentage (0.4 → 40%).
    pub percent: bool,
    /// Drawn as a chart across rounds.
    pub chart: bool,
    /// Bookkeeping the learner does not see (counters, pipelines).
    pub hidden: bool,
    pub span: Range<usize>,
}

#[derive(Clone, Debug)]
pub struct Random {
    pub id: String,
    pub dist: Dist,
}

/// A seeded draw, made every round in the order the randoms are written.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Dist {
    Uniform {
        low: f64,
        high: f64,
    },
    /// Normal, cut to `[low, high]` when given.
    Normal {
        mean: f64,
        sd: f64,
        low: f64,
        high: f64,
    },
}

#[derive(Clone, Debug, Default)]
pub struct RoundText {
    pub title: String,
    pub text: String,
}

/// Which rounds something applies to and under what condition.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    /// 1-based; empty means every round.
    pub rounds: Vec<u32>,
    pub when: Option<Expr>,
}

impl Scope {
    pub fn covers(&self, round: u32) -> bool {
        self.rounds.is_empty() || self.rounds.contains(&round)
    }
}

#[derive(Clone, Debug)]
pub struct Decision {
    pub id: String,
    pub label: String,
    pub help: String,
    pub scope: Scope,
    pub kind: DecisionKind,
    /// Played for a team that misses a deadline, and by simulated rivals.
    pub default: Option<crate::sandbox::DecisionValue>,
    pub span: Range<usize>,
}

#[derive(Clone, Debug)]
pub enum DecisionKind {
    /// Split an amount across options; each option's value is `<decision>.<option>`,
    /// the sum is `<decision>`.
    Allocate {
        total: Option<Expr>,
        /// The sum must equal the total, not merely stay within it.
        exact: bool,
        step: Option<f64>,
        unit: String,
        options: Vec<Slot>,
    },
    /// Pick one option; `<decision>.<option>` is 1 for the pick and 0 otherwise.
    Choose { options: Vec<Choice> },
}

#[derive(Clone, Debug)]
pub struct Slot {
    pub id: String,
    pub label: String,
    pub min: f64,
    pub max: f64,
}

#[derive(Clone, Debug)]
pub struct Choice {
    pub id: String,
    pub label: String,
    /// Shown after the round when this option was picked.
    pub text: String,
    pub when: Option<Expr>,
    /// Applied together (every right-hand side sees the state before any of them).
    pub set: Vec<(String, Expr)>,
    pub lesson: Option<String>,
}

/// One assignment, applied in file order after the decisions.
#[derive(Clone, Debug)]
pub struct Effect {
    pub target: String,
    pub to: Expr,
    pub scope: Scope,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Before the learner decides: announced with the round.
    Start,
    /// After the round's effects.
    End,
}

#[derive(Clone, Debug)]
pub struct Event {
    pub id: String,
    pub phase: Phase,
    pub scope: Scope,
    pub once: bool,
    pub text: String,
    pub set: Vec<(String, Expr)>,
    pub lesson: Option<String>,
}

/// A line explaining the round's outcome, shown when its condition holds.
#[derive(Clone, Debug)]
pub struct Note {
    pub scope: Scope,
    pub text: String,
    pub lesson: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Objective {
    pub label: String,
    /// 0..1, partial credit; clamped.
    pub score: Expr,
    /// Whether the target is met; defaults to `score >= 1`.
    pub met: Option<Expr>,
    pub weight: f64,
    pub feedback: String,
    pub lesson: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Feedback {
    pub when: Expr,
    pub text: String,
    pub lesson: Option<String>,
}

impl Scenario {
    pub fn state_index(&self, id: &str) -> Option<usize> {
        self.state.iter().position(|s| s.id == id)
    }

    /// The role that owns a decision, when the scenario has roles.
    pub fn role_of(&self, decision: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.decisions.iter().any(|d| d == decision))
    }

    /// Every lesson id the scenario links to, with the place of the link.
    pub fn lesson_links(&self) -> impl Iterator<Item = &str> {
        let choices = self.decisions.iter().flat_map(|d| match &d.kind {
            DecisionKind::Choose { options } => options.iter().filter_map(|o| o.lesson.as_deref()).collect::<Vec<_>>(),
            DecisionKind::Allocate { .. } => Vec::new(),
        });
        choices
            .chain(self.events.iter().filter_map(|e| e.lesson.as_deref()))
            .chain(self.notes.iter().filter_map(|n| n.lesson.as_deref()))
            .chain(self.objectives.iter().filter_map(|o| o.lesson.as_deref()))
            .chain(self.feedback.iter().filter_map(|f| f.lesson.as_deref()))
    }
}
