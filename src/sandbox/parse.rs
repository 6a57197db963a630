//! Reads a scenario file (`content/scenarios/*.toml`), compiling every formula and
//! checking every name, collecting all mistakes with their place.

use super::expr::Formula;
use super::schema::*;
use crate::diag::Diagnostic;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::ops::Range;
use std::path::Path;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    id: Option<Spanned<String>>,
    version: Option<Spanned<i64>>,
    title: Option<Spanned<String>>,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    intro: String,
    rounds: Option<Spanned<i64>>,
    runs: Option<Spanned<i64>>,
    #[serde(default)]
    params: BTreeMap<String, Spanned<f64>>,
    #[serde(default)]
    state: Vec<Spanned<RawState>>,
    #[serde(default)]
    random: Vec<Spanned<RawRandom>>,
    #[serde(default)]
    round: Vec<RawRoundText>,
    #[serde(default)]
    decision: Vec<Spanned<RawDecision>>,
    #[serde(default)]
    effect: Vec<Spanned<RawEffect>>,
    #[serde(default)]
    event: Vec<Spanned<RawEvent>>,
    #[serde(default)]
    note: Vec<Spanned<RawNote>>,
    #[serde(default)]
    objective: Vec<Spanned<RawObjective>>,
    #[serde(default)]
    feedback: Vec<Spanned<RawFeedback>>,
    market: Option<Spanned<bool>>,
    teams: Option<Spanned<[i64; 2]>>,
    rivals: Option<Spanned<i64>>,
    members: Option<Spanned<[i64; 2]>>,
    #[serde(default)]
    aggregate: Vec<Spanned<RawAggregate>>,
    #[serde(default)]
    role: Vec<Spanned<RawRole>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAggregate {
    id: Spanned<String>,
    of: Spanned<String>,
    op: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRole {
    id: Spanned<String>,
    label: Option<String>,
    decisions: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawState {
    id: Spanned<String>,
    label: Option<String>,
    #[serde(default)]
    unit: String,
    start: Spanned<f64>,
    min: Option<f64>,
    max: Option<f64>,
    #[serde(default)]
    decimals: u32,
    #[serde(default)]
    percent: bool,
    #[serde(default)]
    chart: bool,
    #[serde(default)]
    hidden: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRandom {
    id: Spanned<String>,
    uniform: Option<[f64; 2]>,
    normal: Option<[f64; 2]>,
    clamp: Option<[f64; 2]>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoundText {
    title: Option<Spanned<String>>,
    text: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDecision {
    id: Spanned<String>,
    kind: Spanned<String>,
    label: Option<String>,
    #[serde(default)]
    help: String,
    #[serde(default)]
    rounds: Vec<Spanned<i64>>,
    when: Option<Spanned<String>>,
    total: Option<Spanned<toml::Value>>,
    #[serde(default)]
    exact: bool,
    step: Option<Spanned<f64>>,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    option: Vec<Spanned<RawOption>>,
    default: Option<Spanned<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOption {
    id: Spanned<String>,
    label: Option<String>,
    min: Option<f64>,
    max: Option<f64>,
    #[serde(default)]
    text: String,
    when: Option<Spanned<String>>,
    #[serde(default)]
    set: BTreeMap<String, Spanned<String>>,
    lesson: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEffect {
    set: Spanned<String>,
    to: Spanned<String>,
    #[serde(default)]
    rounds: Vec<Spanned<i64>>,
    when: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvent {
    id: Spanned<String>,
    at: Option<Spanned<String>>,
    #[serde(default)]
    rounds: Vec<Spanned<i64>>,
    when: Option<Spanned<String>>,
    once: Option<bool>,
    #[serde(default)]
    text: String,
    #[serde(default)]
    set: BTreeMap<String, Spanned<String>>,
    lesson: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNote {
    #[serde(default)]
    rounds: Vec<Spanned<i64>>,
    when: Option<Spanned<String>>,
    text: String,
    lesson: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawObjective {
    label: String,
    score: Spanned<String>,
    met: Option<Spanned<String>>,
    weight: Option<f64>,
    #[serde(default)]
    feedback: String,
    lesson: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFeedback {
    when: Spanned<String>,
    text: String,
    lesson: Option<String>,
}

/// A name formulas may use: lowercase ASCII letters, digits and `_`, not starting with a digit.
pub fn valid_name(s: &str) -> bool {
    let mut cs = s.chars();
    matches!(cs.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
        && cs.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !matches!(s, "round" | "rounds" | "true" | "false")
}

const NAME_HELP: &str = "use lowercase letters, digits and `_` (e.g. `active_users`); `round` and `rounds` are built in";

/// Where a formula is evaluated decides which names it may read.
#[derive(Clone, Copy, PartialEq)]
enum Stage {
    /// Round opening: state, params, randoms.
    Opening,
    /// Choice consequences: as at opening plus the round's decisions.
    Decided,
    /// Effect number `n` (temps set by earlier effects are readable).
    Effect(usize),
    /// End events and notes: everything of the round.
    Closing,
    /// Objectives and feedback after the last round: state and params.
    Final,
}

/// Parses one scenario. Returns it when it has no errors, and every diagnostic found.
pub fn parse_scenario(file: &Path, text: &str) -> (Option<Scenario>, Vec<Diagnostic>) {
    let mut p = Parser {
        file,
        text,
        diags: Vec::new(),
        names: Names::default(),
    };
    let raw: RawScenario = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            p.error(
                e.span(),
                format!("TOML: {}", e.message().trim()),
                "fix the TOML at this place (quotes, brackets, `key = value`, field names)",
            );
            return (None, p.diags);
        }
    };
    let sc = p.scenario(raw);
    let ok = !p.diags.iter().any(Diagnostic::is_error);
    (sc.filter(|_| ok), p.diags)
}

#[derive(Default)]
struct Names {
    params: BTreeSet<String>,
    state: BTreeSet<String>,
    randoms: BTreeSet<String>,
    /// Decision names and `decision.option` names.
    decided: BTreeSet<String>,
    /// Temporaries in the order effects first set them: name → effect index.
    temps: BTreeMap<String, usize>,
    /// Aggregates over every team (`market = true` only).
    market: BTreeSet<String>,
    /// The first effect that reads an aggregate.
    market_at: usize,
    is_market: bool,
}

impl Names {
    fn taken(&self, n: &str) -> bool {
        self.params.contains(n)
            || self.state.contains(n)
            || self.randoms.contains(n)
            || self.decided.contains(n)
            || self.market.contains(n)
            || (self.is_market && n == "teams")
    }

    /// Whether `name` can be read at `stage`; `Err` says why not.
    fn readable(&self, name: &str, stage: Stage) -> Result<(), String> {
        if matches!(name, "rounds") || self.params.contains(name) || self.state.contains(name) {
            return Ok(());
        }
        if name == "teams" && self.is_market {
            return Ok(());
        }
        if self.market.contains(name) {
            return match stage {
                Stage::Effect(n) if n >= self.market_at => Ok(()),
                Stage::Closing => Ok(()),
                Stage::Final => Err(format!(
                    "`{name}` is a per-round market value; keep what you need in a state variable"
                )),
                _ => Err(format!(
                    "`{name}` is an aggregate over every team: it is known only once every team has decided, in effects"
                )),
            };
        }
        let final_stage = stage == Stage::Final;
        if name == "round" && !final_stage {
            return Ok(());
        }
        if self.randoms.contains(name) {
            return if final_stage {
                Err(format!(
                    "`{name}` is a per-round draw; after the last round only state and params exist"
                ))
            } else {
                Ok(())
            };
        }
        if self.decided.contains(name) {
            return match stage {
                Stage::Opening => Err(format!("`{name}` is a decision: it is not made yet when the round opens")),
                Stage::Final => Err(format!(
                    "`{name}` is a per-round decision; after the last round only state and params exist"
                )),
                _ => Ok(()),
            };
        }
        if let Some(&first) = self.temps.get(name) {
            return match stage {
                Stage::Effect(n) if n > first => Ok(()),
                Stage::Closing => Ok(()),
                Stage::Final => Err(format!("`{name}` is a per-round value; keep what you need in a state variable")),
                _ => Err(format!("`{name}` is used before the effect that sets it")),
            };
        }
        Err(format!("unknown variable `{name}`"))
    }
}

struct Parser<'a> {
    file: &'a Path,
    text: &'a str,
    diags: Vec<Diagnostic>,
    names: Names,
}

impl Parser<'_> {
    fn error(&mut self, span: Option<Range<usize>>, msg: impl Into<String>, help: &str) {
        self.diags.push(Diagnostic::error(self.file, self.text, span, msg).help(help));
    }

    fn scenario(&mut self, raw: RawScenario) -> Option<Scenario> {
        let id = match raw.id {
            Some(id) if crate::quiz::valid_id(id.get_ref()) => id.into_inner(),
            Some(id) => {
                self.error(
                    Some(id.span()),
                    format!("invalid scenario id `{}`", id.get_ref()),
                    "use lowercase letters, digits and `-`",
                );
                return None;
            }
            None => {
                self.error(
                    Some(0..0),
                    "the scenario has no `id`",
                    "add `id = \"...\"`; lessons embed it with {{#sandbox id}}",
                );
                return None;
            }
        };
        let version = match raw.version {
            None => 1,
            Some(v) if *v.get_ref() >= 1 => *v.get_ref() as u32,
            Some(v) => {
                self.error(
                    Some(v.span()),
                    "`version` must be 1 or more",
                    "bump it when a change would alter old runs' results",
                );
                1
            }
        };
        let title = raw.title.map(Spanned::into_inner).unwrap_or_else(|| {
            self.error(Some(0..0), "the scenario has no `title`", "add `title = \"...\"`");
            String::new()
        });
        let rounds = match raw.rounds {
            Some(r) if (1..=52).contains(r.get_ref()) => *r.get_ref() as u32,
            Some(r) => {
                self.error(
                    Some(r.span()),
                    "`rounds` must be from 1 to 52",
                    "the number of rounds the learner plays",
                );
                return None;
            }
            None => {
                self.error(
                    Some(0..0),
                    "the scenario has no `rounds`",
                    "add `rounds = 6` (the number of rounds the learner plays)",
                );
                return None;
            }
        };
        let runs = match raw.runs {
            None => None,
            Some(r) if *r.get_ref() == 0 => None,
            Some(r) if *r.get_ref() > 0 => Some(*r.get_ref() as u32),
            Some(r) => {
                self.error(
                    Some(r.span()),
                    "`runs` cannot be negative",
                    "use 0 (or leave it out) for unlimited scored runs",
                );
                None
            }
        };

        // Names first, so every formula can be checked against all of them.
        let mut params = Vec::new();
        for (name, v) in &raw.params {
            if self.declare(name, v.span(), "param") {
                self.names.params.insert(name.clone());
                params.push((name.clone(), *v.get_ref()));
            }
        }
        let mut state = Vec::new();
        for s in &raw.state {
            let sp = s.span();
            let s = s.get_ref();
            if !self.declare(s.id.get_ref(), s.id.span(), "state variable") {
                continue;
            }
            self.names.state.insert(s.id.get_ref().clone());
            let start = *s.start.get_ref();
            if s.min.is_some_and(|m| start < m) || s.max.is_some_and(|m| start > m) || s.min.zip(s.max).is_some_and(|(a, b)| a > b) {
                self.error(
                    Some(s.start.span()),
                    format!("`{}` starts outside its bounds", s.id.get_ref()),
                    "make min ≤ start ≤ max",
                );
            }
            state.push(StateVar {
                id: s.id.get_ref().clone(),
                label: s.label.clone().unwrap_or_else(|| s.id.get_ref().clone()),
                unit: s.unit.clone(),
                start,
                min: s.min,
                max: s.max,
                decimals: s.decimals.min(6),
                percent: s.percent,
                chart: s.chart,
                hidden: s.hidden,
                span: sp,
            });
        }
        if state.is_empty() {
            self.error(
                Some(0..0),
                "the scenario has no state",
                "add `[[state]]` tables: id, label, start, min, max",
            );
        }
        let mut randoms = Vec::new();
        for r in &raw.random {
            let span = r.span();
            let r = r.get_ref();
            if !self.declare(r.id.get_ref(), r.id.span(), "random") {
                continue;
            }
            self.names.randoms.insert(r.id.get_ref().clone());
            let (low, high) = r.clamp.map(|[a, b]| (a, b)).unwrap_or((f64::NEG_INFINITY, f64::INFINITY));
            let dist = match (r.uniform, r.normal) {
                (Some([a, b]), None) if a <= b && r.clamp.is_none() => Dist::Uniform { low: a, high: b },
                (None, Some([mean, sd])) if sd >= 0.0 && low <= high => Dist::Normal { mean, sd, low, high },
                _ => {
                    self.error(
                        Some(span),
                        format!("random `{}` needs exactly one distribution", r.id.get_ref()),
                        "write `uniform = [low, high]` (low ≤ high) or `normal = [mean, sd]` (sd ≥ 0) with an optional `clamp = [low, high]`",
                    );
                    continue;
                }
            };
            randoms.push(Random {
                id: r.id.get_ref().clone(),
                dist,
            });
        }
        for d in &raw.decision {
            let d = d.get_ref();
            if !self.declare(d.id.get_ref(), d.id.span(), "decision") {
                continue;
            }
            self.names.decided.insert(d.id.get_ref().clone());
            let mut seen = HashSet::new();
            for o in &d.option {
                let o = o.get_ref();
                let full = format!("{}.{}", d.id.get_ref(), o.id.get_ref());
                if !valid_name(o.id.get_ref()) {
                    self.error(Some(o.id.span()), format!("invalid option id `{}`", o.id.get_ref()), NAME_HELP);
                } else if !seen.insert(o.id.get_ref().clone()) {
                    self.error(
                        Some(o.id.span()),
                        format!("duplicate option `{}`", o.id.get_ref()),
                        "give every option of a decision its own id",
                    );
                }
                self.names.decided.insert(full);
            }
        }
        let is_market = raw.market.as_ref().is_some_and(|m| *m.get_ref());
        self.names.is_market = is_market;
        if !is_market {
            if let Some(a) = raw.aggregate.first() {
                self.error(
                    Some(a.span()),
                    "`[[aggregate]]` needs `market = true`",
                    "aggregates combine every team's values; add `market = true` at the top, or remove them",
                );
            }
            for (what, span) in [
                ("teams", raw.teams.as_ref().map(Spanned::span)),
                ("rivals", raw.rivals.as_ref().map(Spanned::span)),
            ] {
                if span.is_some() {
                    self.error(
                        span,
                        format!("`{what}` needs `market = true`"),
                        "only market scenarios have teams meeting in one market",
                    );
                }
            }
        }
        for a in &raw.aggregate {
            let a = a.get_ref();
            if self.declare(a.id.get_ref(), a.id.span(), "aggregate") {
                self.names.market.insert(a.id.get_ref().clone());
            }
        }
        for (i, e) in raw.effect.iter().enumerate() {
            let t = &e.get_ref().set;
            let name = t.get_ref();
            if self.names.state.contains(name) || self.names.temps.contains_key(name) {
                continue;
            }
            if !valid_name(name) {
                self.error(Some(t.span()), format!("invalid name `{name}`"), NAME_HELP);
            } else if self.names.taken(name) {
                self.error(
                    Some(t.span()),
                    format!("an effect cannot set `{name}`"),
                    "effects set state variables or new per-round values; params, randoms and decisions are read-only",
                );
            } else {
                self.names.temps.insert(name.clone(), i);
            }
        }

        // The market is computed before the first effect that reads it.
        let reads_market = |src: &str| Formula::compile(src).is_ok_and(|f| f.reads.iter().any(|n| self.names.market.contains(n)));
        let market_at = raw
            .effect
            .iter()
            .position(|e| {
                let e = e.get_ref();
                reads_market(e.to.get_ref()) || e.when.as_ref().is_some_and(|w| reads_market(w.get_ref()))
            })
            .unwrap_or(raw.effect.len());
        self.names.market_at = market_at;
        let mut aggregates = Vec::new();
        for a in &raw.aggregate {
            let (span, a) = (a.span(), a.get_ref());
            let of = a.of.get_ref();
            if self.names.market.contains(of) {
                self.error(
                    Some(a.of.span()),
                    format!("`{of}` is itself an aggregate"),
                    "aggregate a team's own value",
                );
            } else if let Err(why) = self.names.readable(of, Stage::Effect(market_at)) {
                let help = self.suggest(of);
                self.error(
                    Some(a.of.span()),
                    format!("{why} (an aggregate takes each team's value where the first effect reading the market runs)"),
                    &help,
                );
            }
            let Some(op) = AggOp::parse(a.op.get_ref()) else {
                self.error(
                    Some(a.op.span()),
                    format!("unknown aggregate `{}`", a.op.get_ref()),
                    &format!("use one of {}", AggOp::NAMES.join(", ")),
                );
                continue;
            };
            aggregates.push(Aggregate {
                id: a.id.get_ref().clone(),
                of: of.clone(),
                op,
                span,
            });
        }
        let pair = |p: &mut Self, v: &Option<Spanned<[i64; 2]>>, what: &str, lo: i64, default: (u32, u32)| match v {
            None => default,
            Some(v) => {
                let [a, b] = *v.get_ref();
                if a < lo || b < a || b > 60 {
                    p.error(
                        Some(v.span()),
                        format!("`{what}` must be [least, most] with {lo} ≤ least ≤ most ≤ 60"),
                        "e.g. `[2, 6]`",
                    );
                    default
                } else {
                    (a as u32, b as u32)
                }
            }
        };
        let teams = pair(self, &raw.teams, "teams", 1, (2, 8));
        let members = pair(self, &raw.members, "members", 1, (1, 6));
        let rivals = match &raw.rivals {
            None => teams.0.saturating_sub(1).max(1),
            Some(r) if (0..=20).contains(r.get_ref()) => *r.get_ref() as u32,
            Some(r) => {
                self.error(
                    Some(r.span()),
                    "`rivals` must be from 0 to 20",
                    "simulated rivals a single player meets",
                );
                0
            }
        };
        let market = is_market.then_some(Market {
            aggregates,
            at: market_at,
            teams,
            rivals,
        });

        for t in raw.round.iter().flat_map(|r| r.title.iter().chain(&r.text)) {
            self.text(t.get_ref(), Some(t.span()), Stage::Opening);
        }
        let round_texts = raw
            .round
            .into_iter()
            .map(|r| RoundText {
                title: r.title.map(Spanned::into_inner).unwrap_or_default(),
                text: r.text.map(Spanned::into_inner).unwrap_or_default(),
            })
            .collect::<Vec<_>>();
        if round_texts.len() > rounds as usize {
            self.error(
                Some(0..0),
                format!("{} `[[round]]` texts for {rounds} rounds", round_texts.len()),
                "write at most one `[[round]]` per round, in order",
            );
        }
        let mut decisions = Vec::new();
        for d in &raw.decision {
            if let Some(d) = self.decision(d, rounds) {
                decisions.push(d);
            }
        }
        let mut effects = Vec::new();
        for (i, e) in raw.effect.iter().enumerate() {
            let e = e.get_ref();
            let scope = self.scope(&e.rounds, e.when.as_ref(), rounds, Stage::Effect(i));
            if let Some(to) = self.expr(&e.to, Stage::Effect(i)) {
                effects.push(Effect {
                    target: e.set.get_ref().clone(),
                    to,
                    scope,
                });
            }
        }
        let mut events = Vec::new();
        let mut event_ids = HashSet::new();
        for e in &raw.event {
            let span = e.span();
            let e = e.get_ref();
            if !event_ids.insert(e.id.get_ref().clone()) {
                self.error(
                    Some(e.id.span()),
                    format!("duplicate event `{}`", e.id.get_ref()),
                    "give every event its own id",
                );
            }
            let phase = match e.at.as_ref().map(|a| a.get_ref().as_str()) {
                None | Some("end") => Phase::End,
                Some("start") => Phase::Start,
                Some(_) => {
                    let s = e.at.as_ref().map(Spanned::span);
                    self.error(
                        s,
                        "`at` must be \"start\" or \"end\"",
                        "start: announced before the learner decides; end: after the round's effects",
                    );
                    Phase::End
                }
            };
            let stage = if phase == Phase::Start { Stage::Opening } else { Stage::Closing };
            let scope = self.scope(&e.rounds, e.when.as_ref(), rounds, stage);
            if e.rounds.is_empty() && e.when.is_none() {
                self.error(
                    Some(span),
                    format!("event `{}` has neither `rounds` nor `when`", e.id.get_ref()),
                    "say when it fires: `rounds = [3]` and/or `when = \"heat > 60\"`",
                );
            }
            self.text(&e.text, Some(e.id.span()), stage);
            let set = self.sets(&e.set, stage);
            events.push(Event {
                id: e.id.get_ref().clone(),
                phase,
                scope,
                once: e.once.unwrap_or(true),
                text: e.text.clone(),
                set,
                lesson: e.lesson.clone(),
            });
        }
        let mut notes = Vec::new();
        for n in &raw.note {
            let span = n.span();
            let n = n.get_ref();
            let scope = self.scope(&n.rounds, n.when.as_ref(), rounds, Stage::Closing);
            self.text(&n.text, Some(span), Stage::Closing);
            notes.push(Note {
                scope,
                text: n.text.clone(),
                lesson: n.lesson.clone(),
            });
        }
        let mut objectives = Vec::new();
        for o in &raw.objective {
            let span = o.span();
            let o = o.get_ref();
            let score = self.expr(&o.score, Stage::Final);
            let met = o.met.as_ref().and_then(|m| self.expr(m, Stage::Final));
            self.text(&o.feedback, Some(span.clone()), Stage::Final);
            let weight = o.weight.unwrap_or(1.0);
            if !(weight.is_finite() && weight > 0.0) {
                self.error(
                    Some(span),
                    "an objective's `weight` must be above 0",
                    "weights are relative: 2 counts twice as much as 1",
                );
            }
            if let Some(score) = score {
                objectives.push(Objective {
                    label: o.label.clone(),
                    score,
                    met,
                    weight,
                    feedback: o.feedback.clone(),
                    lesson: o.lesson.clone(),
                });
            }
        }
        if raw.objective.is_empty() {
            self.error(
                Some(0..0),
                "the scenario has no objectives",
                "add `[[objective]]` tables: label, score (a 0–1 formula), weight",
            );
        }
        let mut feedback = Vec::new();
        for f in &raw.feedback {
            let span = f.span();
            let f = f.get_ref();
            self.text(&f.text, Some(span), Stage::Final);
            if let Some(when) = self.expr(&f.when, Stage::Final) {
                feedback.push(Feedback {
                    when,
                    text: f.text.clone(),
                    lesson: f.lesson.clone(),
                });
            }
        }
        let roles = self.roles(&raw.role, &decisions);
        if is_market || !roles.is_empty() {
            for d in decisions.iter().filter(|d| d.default.is_none()) {
                self.error(
                    Some(d.span.clone()),
                    format!("decision `{}` has no `default`", d.id),
                    "team scenarios play the default for a team that misses a deadline (and for simulated rivals): add `default = \"option\"` or `default = { option = amount, … }`",
                );
            }
        }
        Some(Scenario {
            id,
            version,
            title,
            summary: raw.summary,
            intro: raw.intro,
            rounds,
            runs,
            params,
            state,
            randoms,
            round_texts,
            decisions,
            effects,
            events,
            notes,
            objectives,
            feedback,
            market,
            roles,
            members,
            source: self.file.to_path_buf(),
        })
    }

    /// Claims a name in the one namespace formulas see.
    fn declare(&mut self, name: &str, span: Range<usize>, what: &str) -> bool {
        if !valid_name(name) {
            self.error(Some(span), format!("invalid {what} name `{name}`"), NAME_HELP);
            false
        } else if self.names.taken(name) {
            self.error(
                Some(span),
                format!("`{name}` is declared twice"),
                "params, state, randoms and decisions share one set of names",
            );
            false
        } else {
            true
        }
    }

    fn expr(&mut self, src: &Spanned<String>, stage: Stage) -> Option<Expr> {
        let formula = match Formula::compile(src.get_ref()) {
            Ok(f) => f,
            Err(e) => {
                self.error(
                    Some(src.span()),
                    e,
                    "formulas use + - * / %, comparisons, && || !, and functions like min(a, b), if(c, a, b), pow(x, y)",
                );
                return None;
            }
        };
        let mut ok = true;
        for name in &formula.reads {
            if let Err(why) = self.names.readable(name, stage) {
                let help = self.suggest(name);
                self.error(Some(src.span()), why, &help);
                ok = false;
            }
        }
        ok.then(|| Expr {
            src: src.get_ref().clone(),
            span: src.span(),
            formula,
        })
    }

    fn suggest(&self, name: &str) -> String {
        let n = &self.names;
        let all = n
            .params
            .iter()
            .chain(&n.state)
            .chain(&n.randoms)
            .chain(&n.decided)
            .chain(n.temps.keys());
        let close: Vec<&String> = all.filter(|k| crate::course::similar(k, name)).collect();
        if close.is_empty() {
            "declare it under [params], [[state]] or [[random]], or set it in an earlier [[effect]]".into()
        } else {
            format!(
                "did you mean `{}`?",
                close.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("`, `")
            )
        }
    }

    fn scope(&mut self, rounds: &[Spanned<i64>], when: Option<&Spanned<String>>, max: u32, stage: Stage) -> Scope {
        let mut out = Vec::new();
        for r in rounds {
            match u32::try_from(*r.get_ref()) {
                Ok(n) if (1..=max).contains(&n) => out.push(n),
                _ => self.error(
                    Some(r.span()),
                    format!("round {} does not exist: the scenario has {max} rounds", r.get_ref()),
                    "rounds are numbered from 1",
                ),
            }
        }
        Scope {
            rounds: out,
            when: when.and_then(|w| self.expr(w, stage)),
        }
    }

    /// Simultaneous assignments to state variables.
    fn sets(&mut self, set: &BTreeMap<String, Spanned<String>>, stage: Stage) -> Vec<(String, Expr)> {
        let mut out = Vec::new();
        for (target, src) in set {
            if !self.names.state.contains(target) {
                self.error(
                    Some(src.span()),
                    format!("`set` names `{target}`, which is not a state variable"),
                    "`set` changes state variables; declare it with [[state]]",
                );
                continue;
            }
            if let Some(e) = self.expr(src, stage) {
                out.push((target.clone(), e));
            }
        }
        out
    }

    /// Checks the `{name}` placeholders in a text.
    fn text(&mut self, text: &str, span: Option<Range<usize>>, stage: Stage) {
        for piece in super::engine::placeholders(text) {
            match piece {
                Ok((name, _)) => {
                    if let Err(why) = self.names.readable(name, stage) {
                        let help = self.suggest(name);
                        self.error(span.clone(), format!("in text: {why}"), &help);
                    }
                }
                Err(bad) => self.error(
                    span.clone(),
                    format!("bad placeholder `{{{bad}}}`"),
                    "write `{name}`, `{name:2}` (two decimals) or `{name:%}` (a percentage)",
                ),
            }
        }
    }

    fn decision(&mut self, d: &Spanned<RawDecision>, max_round: u32) -> Option<Decision> {
        let span = d.span();
        let d = d.get_ref();
        let id = d.id.get_ref().clone();
        let scope = self.scope(&d.rounds, d.when.as_ref(), max_round, Stage::Opening);
        if d.option.is_empty() {
            self.error(
                Some(span.clone()),
                format!("decision `{id}` has no options"),
                "add `[[decision.option]]` tables",
            );
            return None;
        }
        let kind = match d.kind.get_ref().as_str() {
            "allocate" => {
                let total = match &d.total {
                    None => None,
                    Some(t) => match t.get_ref() {
                        toml::Value::String(s) => self.expr(&Spanned::new(t.span(), s.clone()), Stage::Opening),
                        toml::Value::Integer(i) => Some(self.constant(*i as f64, t.span())),
                        toml::Value::Float(f) => Some(self.constant(*f, t.span())),
                        _ => {
                            self.error(
                                Some(t.span()),
                                "`total` must be a number or a formula",
                                "e.g. `total = 50000` or `total = \"budget\"`",
                            );
                            None
                        }
                    },
                };
                if d.exact && total.is_none() {
                    self.error(Some(span.clone()), "`exact` needs a `total`", "say what the options must add up to");
                }
                let step = d.step.as_ref().map(|s| {
                    if s.get_ref().partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
                        self.error(Some(s.span()), "`step` must be above 0", "e.g. `step = 1000`");
                    }
                    *s.get_ref()
                });
                let mut options = Vec::new();
                for o in &d.option {
                    let (osp, o) = (o.span(), o.get_ref());
                    let (Some(min), Some(max)) = (o.min.or(Some(0.0)), o.max) else {
                        self.error(
                            Some(osp.clone()),
                            format!("option `{}` has no `max`", o.id.get_ref()),
                            "allocation options need `max` (and `min`, default 0)",
                        );
                        continue;
                    };
                    if min > max {
                        self.error(
                            Some(osp.clone()),
                            format!("option `{}` has min above max", o.id.get_ref()),
                            "make min ≤ max",
                        );
                    }
                    if o.when.is_some() || !o.set.is_empty() || !o.text.is_empty() {
                        self.error(
                            Some(osp),
                            "allocation options take only id, label, min and max",
                            "`when`, `set` and `text` belong to `choose` options",
                        );
                    }
                    options.push(Slot {
                        id: o.id.get_ref().clone(),
                        label: o.label.clone().unwrap_or_else(|| o.id.get_ref().clone()),
                        min,
                        max,
                    });
                }
                // A constant total can be checked now; formulas are checked by automatic play.
                if let Some(t) = total.as_ref().filter(|t| t.formula.reads.is_empty()) {
                    let fixed = t.formula.number(&Default::default()).unwrap_or(f64::NAN);
                    let lo: f64 = options.iter().map(|o| o.min).sum();
                    let hi: f64 = options.iter().map(|o| o.max).sum();
                    if lo > fixed {
                        self.error(
                            Some(t.span.clone()),
                            format!("the options' minimums add up to {lo}, above the total {fixed}"),
                            "lower some `min` or raise `total`",
                        );
                    } else if d.exact && hi < fixed {
                        self.error(
                            Some(t.span.clone()),
                            format!("the options' maximums add up to {hi}, below the exact total {fixed}"),
                            "raise some `max`, lower `total`, or drop `exact`",
                        );
                    }
                }
                DecisionKind::Allocate {
                    total,
                    exact: d.exact,
                    step,
                    unit: d.unit.clone(),
                    options,
                }
            }
            "choose" => {
                if d.total.is_some() || d.step.is_some() || d.exact {
                    self.error(
                        Some(span.clone()),
                        "`total`, `step` and `exact` belong to `allocate` decisions",
                        "remove them or make the decision `kind = \"allocate\"`",
                    );
                }
                let mut options = Vec::new();
                for o in &d.option {
                    let (osp, o) = (o.span(), o.get_ref());
                    if o.min.is_some() || o.max.is_some() {
                        self.error(
                            Some(osp.clone()),
                            "`min`/`max` belong to `allocate` options",
                            "a choice is picked whole",
                        );
                    }
                    self.text(&o.text, Some(osp), Stage::Decided);
                    let when = o.when.as_ref().and_then(|w| self.expr(w, Stage::Opening));
                    let set = self.sets(&o.set, Stage::Decided);
                    options.push(Choice {
                        id: o.id.get_ref().clone(),
                        label: o.label.clone().unwrap_or_else(|| o.id.get_ref().clone()),
                        text: o.text.clone(),
                        when,
                        set,
                        lesson: o.lesson.clone(),
                    });
                }
                DecisionKind::Choose { options }
            }
            other => {
                self.error(
                    Some(d.kind.span()),
                    format!("unknown decision kind `{other}`"),
                    "use `allocate` (split an amount) or `choose` (pick one option)",
                );
                return None;
            }
        };
        let default = d.default.as_ref().and_then(|v| self.default_value(v, &kind));
        Some(Decision {
            id,
            label: d.label.clone().unwrap_or_else(|| d.id.get_ref().clone()),
            help: d.help.clone(),
            scope,
            kind,
            default,
            span,
        })
    }

    /// Roles, each owning decisions; with roles, every decision has exactly one owner.
    fn roles(&mut self, raw: &[Spanned<RawRole>], decisions: &[Decision]) -> Vec<Role> {
        let mut roles: Vec<Role> = Vec::new();
        let mut owner: BTreeMap<String, String> = BTreeMap::new();
        for r in raw {
            let (span, r) = (r.span(), r.get_ref());
            let id = r.id.get_ref();
            if !valid_name(id) {
                self.error(Some(r.id.span()), format!("invalid role id `{id}`"), NAME_HELP);
                continue;
            }
            if roles.iter().any(|x| &x.id == id) {
                self.error(Some(r.id.span()), format!("duplicate role `{id}`"), "give every role its own id");
                continue;
            }
            for d in &r.decisions {
                let name = d.get_ref();
                if !decisions.iter().any(|x| &x.id == name) {
                    let help = self.suggest(name);
                    self.error(Some(d.span()), format!("role `{id}` owns `{name}`, which is not a decision"), &help);
                } else if let Some(prev) = owner.insert(name.clone(), id.clone()) {
                    self.error(
                        Some(d.span()),
                        format!("decision `{name}` belongs to roles `{prev}` and `{id}`"),
                        "every decision is owned by exactly one role",
                    );
                }
            }
            if r.decisions.is_empty() {
                self.error(
                    Some(span),
                    format!("role `{id}` owns no decisions"),
                    "list them: `decisions = [\"price\"]`",
                );
            }
            roles.push(Role {
                id: id.clone(),
                label: r.label.clone().unwrap_or_else(|| id.clone()),
                decisions: r.decisions.iter().map(|d| d.get_ref().clone()).collect(),
            });
        }
        if let Some(first) = raw.first() {
            for d in decisions.iter().filter(|d| !owner.contains_key(&d.id)) {
                self.error(
                    Some(first.span()),
                    format!("no role owns decision `{}`", d.id),
                    "add it to one role's `decisions`",
                );
            }
        }
        roles
    }

    /// A decision's `default`: an option id, or an amount for every allocation option.
    fn default_value(&mut self, v: &Spanned<toml::Value>, kind: &DecisionKind) -> Option<crate::sandbox::DecisionValue> {
        use crate::sandbox::DecisionValue;
        match (kind, v.get_ref()) {
            (DecisionKind::Choose { options }, toml::Value::String(s)) if options.iter().any(|o| &o.id == s) => {
                Some(DecisionValue::Choice(s.clone()))
            }
            (DecisionKind::Choose { options }, _) => {
                let ids: Vec<&str> = options.iter().map(|o| o.id.as_str()).collect();
                self.error(
                    Some(v.span()),
                    "`default` of a `choose` decision must be one of its options",
                    &format!("one of \"{}\"", ids.join("\", \"")),
                );
                None
            }
            (DecisionKind::Allocate { options, step, .. }, toml::Value::Table(t)) => {
                let mut out = BTreeMap::new();
                for o in options {
                    let x = match t.get(&o.id) {
                        Some(toml::Value::Integer(i)) => *i as f64,
                        Some(toml::Value::Float(f)) => *f,
                        _ => {
                            self.error(
                                Some(v.span()),
                                format!("`default` gives no amount for option `{}`", o.id),
                                "give a number for every option",
                            );
                            return None;
                        }
                    };
                    let off_step = step.is_some_and(|s| {
                        let k = (x - o.min) / s;
                        (k - k.round()).abs() > 1e-9
                    });
                    if x < o.min || x > o.max || off_step {
                        self.error(
                            Some(v.span()),
                            format!("`default` puts {x} on `{}`, outside its min, max or step", o.id),
                            &format!("use {} to {}", o.min, o.max),
                        );
                        return None;
                    }
                    out.insert(o.id.clone(), x);
                }
                if let Some(k) = t.keys().find(|k| !options.iter().any(|o| &o.id == *k)) {
                    self.error(
                        Some(v.span()),
                        format!("`default` names `{k}`, which is not an option"),
                        "name the decision's options",
                    );
                    return None;
                }
                Some(DecisionValue::Allocation(out))
            }
            (DecisionKind::Allocate { .. }, _) => {
                self.error(
                    Some(v.span()),
                    "`default` of an `allocate` decision is a table of amounts",
                    "e.g. `default = { search = 20, social = 10 }`",
                );
                None
            }
        }
    }

    fn constant(&mut self, v: f64, span: Range<usize>) -> Expr {
        let src = format!("{v:?}");
        Expr {
            formula: Formula::compile(&src).expect("a float literal parses"),
            src,
            span,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_scenario;
    use std::path::Path;

    const BASE: &str = r#"
id = "t"
title = "t"
rounds = 2
[[state]]
id = "x"
start = 1
[[objective]]
label = "x"
score = "x"
"#;

    fn errors(extra: &str) -> Vec<String> {
        errors_with("", extra)
    }

    /// `top` goes before the base scenario: top-level keys such as `market = true`.
    fn errors_with(top: &str, extra: &str) -> Vec<String> {
        let text = format!("{top}{BASE}{extra}");
        parse_scenario(Path::new("t.toml"), &text)
            .1
            .into_iter()
            .map(|d| d.message)
            .collect()
    }

    #[test]
    fn placeholders_are_checked_in_every_text() {
        assert!(errors("[[round]]\ntext = \"现在 {x}\"\n").is_empty());
        assert!(errors("[[round]]\ntext = \"{x:x}\"\n")[0].contains("bad placeholder"));
        assert!(errors("[[round]]\ntitle = \"{nope}\"\n")[0].contains("unknown variable `nope`"));
        assert!(errors("[[note]]\ntext = \"{x:%}\"\n").is_empty());
        assert!(errors("[[note]]\ntext = \"{x:9}\"\n")[0].contains("bad placeholder"));
    }

    const DECISIONS: &str = r#"
[[decision]]
id = "spend"
kind = "allocate"
total = 10
default = { a = 5, b = 5 }
  [[decision.option]]
  id = "a"
  max = 10
  [[decision.option]]
  id = "b"
  max = 10
[[decision]]
id = "pick"
kind = "choose"
default = "p"
  [[decision.option]]
  id = "p"
  [[decision.option]]
  id = "q"
"#;

    #[test]
    fn roles_must_own_every_decision_exactly_once() {
        let ok = "[[role]]\nid = \"m\"\ndecisions = [\"spend\"]\n[[role]]\nid = \"p\"\ndecisions = [\"pick\"]\n";
        assert_eq!(errors(&format!("{DECISIONS}{ok}")), Vec::<String>::new());
        let twice = "[[role]]\nid = \"m\"\ndecisions = [\"spend\", \"pick\"]\n[[role]]\nid = \"p\"\ndecisions = [\"pick\"]\n";
        assert!(
            errors(&format!("{DECISIONS}{twice}"))
                .iter()
                .any(|e| e.contains("belongs to roles `m` and `p`"))
        );
        let none = "[[role]]\nid = \"m\"\ndecisions = [\"spend\"]\n";
        assert!(
            errors(&format!("{DECISIONS}{none}"))
                .iter()
                .any(|e| e.contains("no role owns decision `pick`"))
        );
        let unknown = "[[role]]\nid = \"m\"\ndecisions = [\"spend\", \"pik\"]\n[[role]]\nid = \"p\"\ndecisions = [\"pick\"]\n";
        assert!(
            errors(&format!("{DECISIONS}{unknown}"))
                .iter()
                .any(|e| e.contains("`pik`, which is not a decision"))
        );
    }

    #[test]
    fn team_scenarios_need_defaults_that_fit_their_decisions() {
        let roles = "[[role]]\nid = \"m\"\ndecisions = [\"spend\", \"pick\"]\n";
        let no_default = DECISIONS.replace("default = \"p\"\n", "");
        assert!(
            errors(&format!("{no_default}{roles}"))
                .iter()
                .any(|e| e.contains("decision `pick` has no `default`"))
        );
        let bad_choice = DECISIONS.replace("default = \"p\"", "default = \"z\"");
        assert!(
            errors(&format!("{bad_choice}{roles}"))
                .iter()
                .any(|e| e.contains("must be one of its options"))
        );
        let over = DECISIONS.replace("default = { a = 5, b = 5 }", "default = { a = 50, b = 5 }");
        assert!(
            errors(&format!("{over}{roles}"))
                .iter()
                .any(|e| e.contains("outside its min, max or step"))
        );
        // A single-player scenario may leave defaults out.
        assert_eq!(errors(&no_default), Vec::<String>::new());
    }

    /// As [`errors`], for a market scenario.
    fn market_errors(extra: &str) -> Vec<String> {
        errors_with("market = true\n", extra)
    }

    #[test]
    fn aggregates_need_a_market_and_are_read_only_after_every_team_decided() {
        let agg = "[[aggregate]]\nid = \"avg_a\"\nof = \"spend.a\"\nop = \"avg\"\n";
        assert!(
            errors(&format!("{DECISIONS}{agg}"))
                .iter()
                .any(|e| e.contains("`[[aggregate]]` needs `market = true`"))
        );
        let market = format!("{DECISIONS}{agg}");
        let read_late = "[[effect]]\nset = \"x\"\nto = \"x + avg_a\"\n";
        assert_eq!(market_errors(&format!("{market}{read_late}")), Vec::<String>::new());
        let read_at_opening = "[[round]]\ntext = \"{avg_a}\"\n";
        assert!(
            market_errors(&format!("{market}{read_at_opening}"))
                .iter()
                .any(|e| e.contains("aggregate over every team"))
        );
        let in_objective = "[[objective]]\nlabel = \"y\"\nscore = \"avg_a\"\n";
        assert!(
            market_errors(&format!("{market}{in_objective}"))
                .iter()
                .any(|e| e.contains("per-round market value"))
        );
        let bad_op = agg.replace("\"avg\"", "\"median\"");
        assert!(
            market_errors(&format!("{DECISIONS}{bad_op}"))
                .iter()
                .any(|e| e.contains("unknown aggregate `median`"))
        );
        // What an aggregate combines must be known where the market is computed.
        let late_of = "[[aggregate]]\nid = \"s\"\nof = \"later\"\nop = \"sum\"\n[[effect]]\nset = \"x\"\nto = \"s\"\n[[effect]]\nset = \"later\"\nto = \"1\"\n";
        assert!(
            market_errors(&format!("{DECISIONS}{late_of}"))
                .iter()
                .any(|e| e.contains("used before the effect that sets it"))
        );
    }
}
