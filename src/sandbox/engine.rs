//! Plays a scenario: seeded draws, the learner's decisions, effects, events and the score.
//!
//! A run is fully described by (scenario id + version, seed, decisions); everything
//! else is recomputed. Determinism rests on three things: the random stream is
//! ChaCha8 keyed from the seed by a fixed rule and consumed in file order every
//! round; formulas use only IEEE arithmetic and `libm`; state is rounded to six
//! decimals after every assignment.

use super::expr::Env;
use super::schema::*;
use rand::RngCore;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::LazyLock;

use crate::i18n::{Lang, Messages, Msg};

impl SimError {
    /// Why a decision was refused, for the learner in the course's language.
    pub fn message(&self) -> Option<&Msg> {
        match self {
            SimError::Decision { message, .. } => Some(message),
            _ => None,
        }
    }
}

/// A refused decision as text for logs and the command line (in English, as they are);
/// a learner gets [`SimError::message`] in the course's language.
fn log_text(m: &Msg) -> String {
    static EN: LazyLock<Messages> = LazyLock::new(|| Messages::builtin(Lang::En));
    EN.text(m)
}

/// What the learner decided in one round, by decision id.
pub type Decisions = BTreeMap<String, DecisionValue>;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum DecisionValue {
    Choice(String),
    Allocation(BTreeMap<String, f64>),
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SimError {
    /// The learner's decision is not allowed: a 4xx, the run is unchanged. `message`
    /// (a `sandbox-…` message with the round among its arguments) says why.
    #[error("{}", log_text(.message))]
    Decision { round: u32, message: Msg },
    /// The model itself failed (NaN, a formula error): an authoring bug `check` should catch.
    #[error("round {round}: {message}")]
    Model { round: u32, message: String, span: Range<usize> },
    #[error("{0}")]
    Run(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageKind {
    Event,
    Choice,
    Note,
}

/// A line the learner reads: what happened and why, with the lesson that explains it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub kind: MessageKind,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lesson: Option<String>,
}

/// A round as the learner meets it, before deciding.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Opening {
    pub round: u32,
    pub title: String,
    pub text: String,
    /// Start-of-round events.
    pub messages: Vec<Message>,
    pub decisions: Vec<OpenDecision>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OpenDecision {
    pub id: String,
    pub label: String,
    pub help: String,
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<f64>,
    pub exact: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<f64>,
    pub unit: String,
    pub options: Vec<OpenOption>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OpenOption {
    pub id: String,
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
}

/// One played round.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RoundReport {
    pub round: u32,
    pub opening: Opening,
    pub decisions: Decisions,
    pub messages: Vec<Message>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ObjectiveResult {
    pub label: String,
    /// 0..1.
    pub score: f64,
    pub met: bool,
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub feedback: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub lesson: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScoreCard {
    /// 0..=100.
    pub score: u32,
    pub objectives: Vec<ObjectiveResult>,
    pub feedback: Vec<Message>,
}

/// A value pushed outside its bounds (and clamped back): a model bug `check` reports.
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    pub round: u32,
    pub var: String,
    pub value: f64,
    pub span: Range<usize>,
}

/// Everything a (seed, decisions) pair produces.
#[derive(Clone, Debug)]
pub struct Playthrough {
    /// State before round 1, then after each played round; every variable, in file order.
    pub states: Vec<Vec<f64>>,
    pub reports: Vec<RoundReport>,
    /// The next round to play, if any are left.
    pub next: Option<Opening>,
    /// After the last round.
    pub result: Option<ScoreCard>,
    pub violations: Vec<Violation>,
}

/// Plays `decisions` (one entry per round, in order) from `seed`. In a market
/// scenario the player meets the scenario's simulated rivals, who play the defaults.
pub fn simulate(sc: &Scenario, seed: u64, decisions: &[Decisions]) -> Result<Playthrough, SimError> {
    let rivals = sc.market.as_ref().map_or(0, |m| m.rivals as usize);
    let mut teams = vec![Team::Plays(decisions)];
    teams.extend(std::iter::repeat_n(Team::Defaults, rivals));
    let mut all = super::session::simulate_teams(sc, seed, &teams).map_err(|(_, e)| e)?;
    Ok(all.swap_remove(0))
}

/// Who decides for a team in [`super::session::simulate_teams`].
#[derive(Clone, Copy, Debug)]
pub enum Team<'d> {
    /// Its decisions, one entry per round played.
    Plays(&'d [Decisions]),
    /// The scenario's defaults every round: a simulated rival.
    Defaults,
}

/// The engine's working state for one run.
pub struct Sim<'a> {
    sc: &'a Scenario,
    rng: ChaCha8Rng,
    env: Env,
    pub state: Vec<f64>,
    fired: Vec<bool>,
    /// Rounds completed.
    pub round: u32,
    pub violations: Vec<Violation>,
    temps: Vec<String>,
    /// `decision.option` names, built once rather than every round.
    option_names: Vec<Vec<String>>,
    /// Each effect's target as a state index (None for per-round values).
    effect_targets: Vec<Option<usize>>,
    /// Effects from this index on run after the market is known.
    market_at: usize,
    /// The round between [`Sim::decide`] and [`Sim::settle`], with its messages so far.
    pending: Option<(u32, Vec<Message>)>,
}

/// Six decimals: enough for money and rates, and identical on every machine.
fn quantise(x: f64) -> f64 {
    let q = libm::round(x * 1e6) / 1e6;
    if q == 0.0 { 0.0 } else { q }
}

impl<'a> Sim<'a> {
    pub fn new(sc: &'a Scenario, seed: u64) -> Self {
        // The key is the seed's little-endian bytes repeated: a fixed, documented rule
        // (not `seed_from_u64`, whose expansion is not promised to stay the same).
        let mut key = [0u8; 32];
        for chunk in key.chunks_mut(8) {
            chunk.copy_from_slice(&seed.to_le_bytes());
        }
        let mut env = Env::default();
        env.set("rounds", sc.rounds as f64);
        if sc.market.is_some() {
            // A market of one until a session says how many teams meet.
            env.set("teams", 1.0);
        }
        for (k, v) in &sc.params {
            env.set(k, *v);
        }
        for s in &sc.state {
            env.set(&s.id, s.start);
        }
        let mut temps: Vec<String> = Vec::new();
        for e in &sc.effects {
            if sc.state_index(&e.target).is_none() && !temps.contains(&e.target) {
                temps.push(e.target.clone());
            }
        }
        let option_names = sc
            .decisions
            .iter()
            .map(|d| {
                let ids: Vec<&str> = match &d.kind {
                    DecisionKind::Allocate { options, .. } => options.iter().map(|o| o.id.as_str()).collect(),
                    DecisionKind::Choose { options } => options.iter().map(|o| o.id.as_str()).collect(),
                };
                ids.iter().map(|o| format!("{}.{o}", d.id)).collect()
            })
            .collect();
        let effect_targets = sc.effects.iter().map(|e| sc.state_index(&e.target)).collect();
        Sim {
            sc,
            market_at: sc.market.as_ref().map_or(sc.effects.len(), |m| m.at),
            pending: None,
            option_names,
            effect_targets,
            rng: ChaCha8Rng::from_seed(key),
            env,
            state: sc.state.iter().map(|s| s.start).collect(),
            fired: vec![false; sc.events.len()],
            round: 0,
            violations: Vec::new(),
            temps,
        }
    }

    /// A uniform draw in [0, 1) from the top 53 bits of one 64-bit output.
    fn unit(&mut self) -> f64 {
        (self.rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    fn draw(&mut self, d: Dist) -> f64 {
        match d {
            Dist::Uniform { low, high } => low + (high - low) * self.unit(),
            Dist::Normal { mean, sd, low, high } => {
                // Box–Muller with libm, always two draws.
                let u1 = 1.0 - self.unit();
                let u2 = self.unit();
                let z = libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * std::f64::consts::PI * u2);
                (mean + sd * z).max(low).min(high)
            }
        }
    }

    fn model_err(&self, message: String, span: &Range<usize>) -> SimError {
        SimError::Model {
            round: self.round + 1,
            message,
            span: span.clone(),
        }
    }

    fn number(&self, e: &Expr) -> Result<f64, SimError> {
        let v = e
            .formula
            .number(&self.env)
            .map_err(|m| self.model_err(format!("`{}` {m}", e.src), &e.span))?;
        if v.is_finite() {
            Ok(v)
        } else {
            Err(self.model_err(format!("`{}` gives {v}", e.src), &e.span))
        }
    }

    fn truth(&self, e: &Option<Expr>) -> Result<bool, SimError> {
        match e {
            None => Ok(true),
            Some(e) => e
                .formula
                .truth(&self.env)
                .map_err(|m| self.model_err(format!("`{}` {m}", e.src), &e.span)),
        }
    }

    fn in_scope(&self, s: &Scope) -> Result<bool, SimError> {
        Ok(s.covers(self.round + 1) && self.truth(&s.when)?)
    }

    /// Assigns a state variable or per-round value, clamping state to its bounds.
    fn assign(&mut self, target: &str, v: f64, span: &Range<usize>) {
        let index = self.sc.state_index(target);
        self.assign_at(index, target, v, span);
    }

    fn assign_at(&mut self, index: Option<usize>, target: &str, v: f64, span: &Range<usize>) {
        match index {
            Some(i) => {
                let s = &self.sc.state[i];
                let mut x = quantise(v);
                let (lo, hi) = (s.min.unwrap_or(f64::NEG_INFINITY), s.max.unwrap_or(f64::INFINITY));
                if x < lo || x > hi {
                    self.violations.push(Violation {
                        round: self.round + 1,
                        var: s.id.clone(),
                        value: x,
                        span: span.clone(),
                    });
                    x = x.max(lo).min(hi);
                }
                self.state[i] = x;
                self.env.set(target, x);
            }
            None => self.env.set(target, v),
        }
    }

    /// Applies simultaneous assignments: every right-hand side first, then every target.
    fn apply_set(&mut self, set: &[(String, Expr)]) -> Result<(), SimError> {
        let values = set.iter().map(|(_, e)| self.number(e)).collect::<Result<Vec<_>, _>>()?;
        for ((target, e), v) in set.iter().zip(values) {
            self.assign(target, v, &e.span);
        }
        Ok(())
    }

    /// Opens the next round: draws, start events, and the decisions on offer.
    pub fn open(&mut self) -> Result<Opening, SimError> {
        let sc = self.sc;
        let r = self.round + 1;
        self.env.set("round", r as f64);
        for rd in &sc.randoms {
            let v = self.draw(rd.dist);
            self.env.set(&rd.id, v);
        }
        for t in &self.temps {
            self.env.set(t, 0.0);
        }
        for i in 0..sc.decisions.len() {
            self.bind(i, None);
        }
        let mut messages = Vec::new();
        for (i, ev) in sc.events.iter().enumerate() {
            if ev.phase == Phase::Start && !(ev.once && self.fired[i]) && self.in_scope(&ev.scope)? {
                self.fired[i] = true;
                self.apply_set(&ev.set)?;
                push_text(&mut messages, MessageKind::Event, render(&ev.text, &self.env, sc), &ev.lesson);
            }
        }
        let mut decisions = Vec::new();
        for d in &sc.decisions {
            if !self.in_scope(&d.scope)? {
                continue;
            }
            decisions.push(match &d.kind {
                DecisionKind::Allocate {
                    total,
                    exact,
                    step,
                    unit,
                    options,
                } => {
                    let total = total.as_ref().map(|t| self.number(t).map(quantise)).transpose()?;
                    if let Some(t) = total {
                        let lo: f64 = options.iter().map(|o| o.min).sum();
                        if lo > t + 1e-9 {
                            return Err(self.model_err(
                                format!("decision `{}`: the minimums add up to {lo}, above the total {t}", d.id),
                                &d.span,
                            ));
                        }
                    }
                    OpenDecision {
                        id: d.id.clone(),
                        label: d.label.clone(),
                        help: d.help.clone(),
                        kind: "allocate",
                        total,
                        exact: *exact,
                        step: *step,
                        unit: unit.clone(),
                        options: options
                            .iter()
                            .map(|o| OpenOption {
                                id: o.id.clone(),
                                label: o.label.clone(),
                                min: Some(o.min),
                                max: Some(o.max),
                            })
                            .collect(),
                    }
                }
                DecisionKind::Choose { options } => {
                    let mut open = Vec::new();
                    for o in options {
                        if self.truth(&o.when)? {
                            open.push(OpenOption {
                                id: o.id.clone(),
                                label: o.label.clone(),
                                min: None,
                                max: None,
                            });
                        }
                    }
                    if open.is_empty() {
                        return Err(self.model_err(format!("decision `{}` has no option available", d.id), &d.span));
                    }
                    OpenDecision {
                        id: d.id.clone(),
                        label: d.label.clone(),
                        help: d.help.clone(),
                        kind: "choose",
                        total: None,
                        exact: false,
                        step: None,
                        unit: String::new(),
                        options: open,
                    }
                }
            });
        }
        let text = sc.round_texts.get(r as usize - 1).cloned().unwrap_or_default();
        Ok(Opening {
            round: r,
            title: text.title,
            text: render(&text.text, &self.env, sc),
            messages,
            decisions,
        })
    }

    /// Sets a decision's variables: the learner's value, or zeros when not on offer.
    fn bind(&mut self, i: usize, value: Option<&DecisionValue>) {
        let d = &self.sc.decisions[i];
        match (&d.kind, value) {
            (DecisionKind::Allocate { options, .. }, v) => {
                let mut sum = 0.0;
                for (o, name) in options.iter().zip(&self.option_names[i]) {
                    let x = match v {
                        Some(DecisionValue::Allocation(m)) => m.get(&o.id).copied().unwrap_or(0.0),
                        _ => 0.0,
                    };
                    sum += x;
                    self.env.set(name, x);
                }
                self.env.set(&d.id, sum);
            }
            (DecisionKind::Choose { options }, v) => {
                let pick = match v {
                    Some(DecisionValue::Choice(c)) => c.as_str(),
                    _ => "",
                };
                for (o, name) in options.iter().zip(&self.option_names[i]) {
                    self.env.set(name, if o.id == pick { 1.0 } else { 0.0 });
                }
                self.env.set_text(&d.id, pick);
            }
        }
    }

    /// Plays the opened round with the learner's decisions. In a market scenario this
    /// is a market of one (each aggregate over this team alone); a session plays the
    /// teams together through [`super::session::Table`].
    pub fn play(&mut self, opening: &Opening, decisions: &Decisions) -> Result<Vec<Message>, SimError> {
        self.decide(opening, decisions)?;
        let alone: Vec<f64> = match &self.sc.market {
            Some(m) => m
                .aggregates
                .iter()
                .zip(self.market_inputs()?)
                .map(|(a, v)| a.op.apply(&[v], 0))
                .collect(),
            None => Vec::new(),
        };
        self.settle(&alone)
    }

    /// The first half of a round: the decisions, their consequences, and the effects
    /// that run before the market is known.
    pub fn decide(&mut self, opening: &Opening, decisions: &Decisions) -> Result<(), SimError> {
        let sc = self.sc;
        let r = opening.round;
        opening.check(decisions)?;
        let mut messages = Vec::new();
        for (i, d) in sc.decisions.iter().enumerate() {
            if let Some(v) = decisions.get(&d.id) {
                self.bind(i, Some(v));
            }
        }
        for d in &sc.decisions {
            if let (DecisionKind::Choose { options }, Some(DecisionValue::Choice(pick))) = (&d.kind, decisions.get(&d.id)) {
                let o = options.iter().find(|o| &o.id == pick).expect("validated");
                self.apply_set(&o.set)?;
                push_text(&mut messages, MessageKind::Choice, render(&o.text, &self.env, sc), &o.lesson);
            }
        }
        self.effects(0..self.market_at)?;
        self.pending = Some((r, messages));
        Ok(())
    }

    /// Each aggregate's input from this team, after [`Sim::decide`].
    pub fn market_inputs(&self) -> Result<Vec<f64>, SimError> {
        let Some(m) = &self.sc.market else { return Ok(Vec::new()) };
        m.aggregates
            .iter()
            .map(|a| {
                self.env
                    .get(&a.of)
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| self.model_err(format!("aggregate `{}`: `{}` has no number", a.id, a.of), &a.span))
            })
            .collect()
    }

    /// The second half: the market's values (one per aggregate, for this team), the
    /// remaining effects, end events and notes.
    pub fn settle(&mut self, market: &[f64]) -> Result<Vec<Message>, SimError> {
        let sc = self.sc;
        let (r, mut messages) = self.pending.take().ok_or_else(|| SimError::Run("settle before decide".into()))?;
        if let Some(m) = &sc.market {
            for (a, v) in m.aggregates.iter().zip(market) {
                self.env.set(&a.id, *v);
            }
        }
        self.effects(self.market_at..sc.effects.len())?;
        for (i, ev) in sc.events.iter().enumerate() {
            if ev.phase == Phase::End && !(ev.once && self.fired[i]) && self.in_scope(&ev.scope)? {
                self.fired[i] = true;
                self.apply_set(&ev.set)?;
                push_text(&mut messages, MessageKind::Event, render(&ev.text, &self.env, sc), &ev.lesson);
            }
        }
        for n in &sc.notes {
            if self.in_scope(&n.scope)? {
                push_text(&mut messages, MessageKind::Note, render(&n.text, &self.env, sc), &n.lesson);
            }
        }
        self.round = r;
        Ok(messages)
    }

    fn effects(&mut self, range: Range<usize>) -> Result<(), SimError> {
        for i in range {
            let e = &self.sc.effects[i];
            if self.in_scope(&e.scope)? {
                let v = self.number(&e.to)?;
                self.assign_at(self.effect_targets[i], &e.target, v, &e.to.span);
            }
        }
        Ok(())
    }

    /// Sets the number of teams in the market (`teams` in formulas).
    pub fn set_teams(&mut self, n: usize) {
        self.env.set("teams", n as f64);
    }

    /// Objectives and feedback after the last round.
    pub fn score(&mut self) -> Result<ScoreCard, SimError> {
        let sc = self.sc;
        let mut objectives = Vec::new();
        let (mut got, mut total) = (0.0, 0.0);
        for o in &sc.objectives {
            let s = self.number(&o.score)?.clamp(0.0, 1.0);
            let met = match &o.met {
                Some(m) => self.truth(&Some(m.clone()))?,
                None => s >= 1.0,
            };
            got += s * o.weight;
            total += o.weight;
            objectives.push(ObjectiveResult {
                label: o.label.clone(),
                score: libm::round(s * 1e4) / 1e4,
                met,
                feedback: if met { String::new() } else { render(&o.feedback, &self.env, sc) },
                lesson: if met { None } else { o.lesson.clone() },
            });
        }
        let mut feedback = Vec::new();
        for f in &sc.feedback {
            if self.truth(&Some(f.when.clone()))? {
                push_text(&mut feedback, MessageKind::Note, render(&f.text, &self.env, sc), &f.lesson);
            }
        }
        let score = if total > 0.0 { libm::round(100.0 * got / total) as u32 } else { 0 };
        Ok(ScoreCard {
            score: score.min(100),
            objectives,
            feedback,
        })
    }
}

fn push_text(out: &mut Vec<Message>, kind: MessageKind, text: String, lesson: &Option<String>) {
    if !text.trim().is_empty() {
        out.push(Message {
            kind,
            text,
            lesson: lesson.clone(),
        });
    }
}

impl Opening {
    /// Whether `decisions` are a valid answer to this round.
    pub fn check(&self, decisions: &Decisions) -> Result<(), SimError> {
        validate(self, decisions).map_err(|message| SimError::Decision {
            round: self.round,
            message: message.arg("round", self.round),
        })
    }

    /// The scenario's defaults for the decisions on offer, made to fit this round: a
    /// choice not on offer falls to the first option that is; amounts are kept within
    /// each option's bounds and step and scaled down to the total. So a team that misses
    /// a deadline (or a simulated rival) always plays a valid round, even when its cash
    /// no longer covers the declared default.
    pub fn defaults(&self, sc: &Scenario) -> Decisions {
        self.decisions
            .iter()
            .map(|d| {
                let declared = sc.decisions.iter().find(|x| x.id == d.id).and_then(|x| x.default.clone());
                let v = match (d.kind, declared) {
                    ("choose", Some(DecisionValue::Choice(c))) if d.options.iter().any(|o| o.id == c) => DecisionValue::Choice(c),
                    ("choose", _) => DecisionValue::Choice(d.options[0].id.clone()),
                    (_, declared) => {
                        let given = match declared {
                            Some(DecisionValue::Allocation(m)) => m,
                            _ => BTreeMap::new(),
                        };
                        DecisionValue::Allocation(fit_allocation(d, &given))
                    }
                };
                (d.id.clone(), v)
            })
            .collect()
    }
}

/// `want` made valid for an allocation: each amount within its option's bounds and
/// on its step; if the sum passes the total, every amount above its minimum is scaled
/// down (rounded down to the step) until it fits; an exact total is topped up in order.
fn fit_allocation(d: &OpenDecision, want: &BTreeMap<String, f64>) -> BTreeMap<String, f64> {
    let snap = |x: f64, lo: f64| d.step.map_or(x, |s| lo + libm::floor((x - lo) / s + 1e-9) * s);
    let mut vals: Vec<(f64, f64, f64)> = d
        .options
        .iter()
        .map(|o| {
            let (lo, hi) = (o.min.unwrap_or(0.0), o.max.unwrap_or(f64::INFINITY));
            let x = want.get(&o.id).copied().unwrap_or(lo).clamp(lo, hi);
            (snap(x, lo), lo, hi)
        })
        .collect();
    if let Some(total) = d.total {
        let sum: f64 = vals.iter().map(|v| v.0).sum();
        let floor: f64 = vals.iter().map(|v| v.1).sum();
        if sum > total + 1e-9 && sum > floor {
            let k = ((total - floor) / (sum - floor)).max(0.0);
            for v in &mut vals {
                v.0 = snap(v.1 + (v.0 - v.1) * k, v.1);
            }
        }
        if d.exact {
            let mut left = total - vals.iter().map(|v| v.0).sum::<f64>();
            for v in &mut vals {
                let add = snap(v.0 + left.min(v.2 - v.0).max(0.0), v.1) - v.0;
                v.0 += add;
                left -= add;
            }
        }
    }
    d.options.iter().zip(vals).map(|(o, v)| (o.id.clone(), v.0)).collect()
}

/// Checks the learner's decisions against what the round offers; `Err` says why not
/// (the caller adds the round).
fn validate(opening: &Opening, decisions: &Decisions) -> Result<(), Msg> {
    for k in decisions.keys() {
        if !opening.decisions.iter().any(|d| &d.id == k) {
            return Err(crate::msg!("sandbox-no-such-decision", decision = k));
        }
    }
    for d in &opening.decisions {
        let Some(v) = decisions.get(&d.id) else {
            return Err(crate::msg!("sandbox-decision-missing", decision = &d.label));
        };
        match (d.kind, v) {
            ("choose", DecisionValue::Choice(c)) => {
                if !d.options.iter().any(|o| &o.id == c) {
                    return Err(crate::msg!("sandbox-not-an-option", choice = c, decision = &d.label));
                }
            }
            ("allocate", DecisionValue::Allocation(m)) => {
                for k in m.keys() {
                    if !d.options.iter().any(|o| &o.id == k) {
                        return Err(crate::msg!("sandbox-not-an-allocation-option", option = k, decision = &d.label));
                    }
                }
                let mut sum = 0.0;
                for o in &d.options {
                    let Some(&x) = m.get(&o.id) else {
                        return Err(crate::msg!("sandbox-amount-missing", decision = &d.label, option = &o.label));
                    };
                    let (lo, hi) = (o.min.unwrap_or(0.0), o.max.unwrap_or(f64::INFINITY));
                    if !x.is_finite() || x < lo || x > hi {
                        return Err(crate::msg!(
                            "sandbox-amount-out-of-range",
                            option = &o.label,
                            min = format_number(lo, 2),
                            max = format_number(hi, 2),
                            value = format_number(x, 2),
                        ));
                    }
                    if let Some(step) = d.step {
                        let k = (x - lo) / step;
                        if (k - k.round()).abs() > 1e-9 {
                            return Err(crate::msg!(
                                "sandbox-amount-not-a-multiple",
                                option = &o.label,
                                step = format_number(step, 4),
                                value = format_number(x, 4),
                            ));
                        }
                    }
                    sum += x;
                }
                if let Some(t) = d.total {
                    if d.exact && (sum - t).abs() > 1e-6 {
                        return Err(crate::msg!(
                            "sandbox-allocation-not-exact",
                            decision = &d.label,
                            total = format_number(t, 2),
                            sum = format_number(sum, 2),
                        ));
                    }
                    if sum > t + 1e-6 {
                        return Err(crate::msg!(
                            "sandbox-allocation-over-total",
                            decision = &d.label,
                            sum = format_number(sum, 2),
                            total = format_number(t, 2),
                        ));
                    }
                }
            }
            ("choose", _) => return Err(crate::msg!("sandbox-choose-one-option", decision = &d.label)),
            _ => return Err(crate::msg!("sandbox-amount-for-each-option", decision = &d.label)),
        }
    }
    Ok(())
}

/// How a `{name…}` placeholder is shown.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Fmt {
    Auto,
    Decimals(u32),
    Percent,
}

/// Splits the `{name}`, `{name:2}` and `{name:%}` placeholders out of a text;
/// `Err` carries a malformed one.
pub fn placeholders(text: &str) -> impl Iterator<Item = Result<(&str, Fmt), &str>> {
    text.split('{').skip(1).filter_map(|rest| {
        let inner = rest.split('}').next()?;
        if !rest.contains('}') {
            return Some(Err(inner));
        }
        let (name, fmt) = match inner.split_once(':') {
            None => (inner, Fmt::Auto),
            Some((n, "%")) => (n, Fmt::Percent),
            Some((n, d)) => match d.parse::<u32>() {
                Ok(d) if d <= 6 => (n, Fmt::Decimals(d)),
                _ => return Some(Err(inner)),
            },
        };
        let name_ok = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
        Some(if name_ok { Ok((name, fmt)) } else { Err(inner) })
    })
}

/// Fills a text's placeholders from the environment.
pub fn render(text: &str, env: &Env, sc: &Scenario) -> String {
    if !text.contains('{') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        let Some(close) = after.find('}') else {
            break;
        };
        let inner = &after[1..close];
        let (name, fmt) = match placeholders(&after[..=close]).next() {
            Some(Ok(p)) => p,
            _ => (inner, Fmt::Auto),
        };
        match env.get(name) {
            Some(v) => {
                let var = sc.state.iter().find(|s| s.id == name);
                let fmt = match fmt {
                    Fmt::Auto if var.is_some_and(|s| s.percent) => Fmt::Percent,
                    f => f,
                };
                let decimals = match fmt {
                    Fmt::Decimals(d) => Some(d),
                    Fmt::Percent => None,
                    Fmt::Auto => var.map(|s| s.decimals),
                };
                out.push_str(&match fmt {
                    Fmt::Percent => format!("{}%", format_number(v * 100.0, 1)),
                    _ => format_number(v, decimals.unwrap_or(if v.abs() >= 100.0 { 0 } else { 2 })),
                });
            }
            None => out.push_str(&after[..=close]),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// `12345.678` with 1 decimal → `12,345.7`; trailing zeros after the point are dropped.
pub fn format_number(v: f64, decimals: u32) -> String {
    let s = format!("{:.*}", decimals as usize, v);
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(a, b)| (a, b));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let frac = frac.trim_end_matches('0');
    let sign = if grouped.chars().all(|c| c == '0' || c == ',') && frac.is_empty() {
        ""
    } else {
        sign
    };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}
