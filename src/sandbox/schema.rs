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
    /// Path relative to the course directory.
    pub source: PathBuf,
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
