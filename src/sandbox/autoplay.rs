//! Plays a scenario with random decisions over many seeds, so `check` can report
//! formulas that blow up (NaN, infinity) or push state outside its bounds before
//! any learner meets them.

use super::engine::{DecisionValue, Decisions, Opening, SimError};
use super::schema::Scenario;
use super::session::Table;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

/// A problem found by automatic play, pointing at the formula responsible.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub span: Range<usize>,
    pub message: String,
    pub seed: u64,
}

/// Plays `plays` runs with random decisions; returns each distinct problem once.
pub fn autoplay(sc: &Scenario, plays: u64) -> Vec<Finding> {
    let mut found = Vec::new();
    let mut seen = HashSet::new();
    let has_defaults = sc.decisions.iter().any(|d| d.default.is_some());
    for seed in 0..plays {
        let mut chooser = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed);
        // A market meets every size of session it allows; some teams play the defaults,
        // as a team that misses a deadline (or a simulated rival) does.
        let teams = sc
            .market
            .as_ref()
            .map_or(1, |m| chooser.random_range(m.teams.0..=m.teams.1.max(m.teams.0)) as usize);
        let defaulting: Vec<bool> = (0..teams).map(|i| has_defaults && (seed + i as u64).is_multiple_of(4)).collect();
        let mut table = Table::new(sc, seed, teams);
        let mut problem = None;
        for _ in 0..sc.rounds {
            let played = table.open().and_then(|openings| {
                let d: Vec<Decisions> = openings
                    .iter()
                    .zip(&defaulting)
                    .map(|(o, def)| if *def { o.defaults(sc) } else { random_decisions(o, &mut chooser) })
                    .collect();
                table.play(openings, &d)
            });
            if let Err((_, e)) = played {
                problem = Some(e);
                break;
            }
        }
        let mut violations = Vec::new();
        match table.finish() {
            Ok(plays) => violations.extend(plays.into_iter().flat_map(|p| p.violations)),
            Err((_, e)) => {
                problem.get_or_insert(e);
            }
        }
        if let Some(SimError::Model { round, message, span }) = problem {
            if seen.insert((span.clone(), "model".to_string())) {
                found.push(Finding {
                    span,
                    message: format!("{message} (round {round}, automatic play with seed {seed})"),
                    seed,
                });
            }
        } else if let Some(e) = problem {
            // Random decisions are built to be valid; a refusal is a bug in the offer
            // itself, or a default the round does not allow.
            let what = if defaulting.iter().any(|d| *d) {
                "decision (or default)"
            } else {
                "decision"
            };
            found.push(Finding {
                span: 0..0,
                message: format!("automatic play could not make a valid {what}: {e} (seed {seed}, {teams} team(s))"),
                seed,
            });
        }
        for v in violations {
            if seen.insert((v.span.clone(), v.var.clone())) {
                let s = &sc.state[sc.state_index(&v.var).expect("a state variable")];
                let bound = if s.min.is_some_and(|m| v.value < m) {
                    format!("below its min {}", s.min.unwrap_or_default())
                } else {
                    format!("above its max {}", s.max.unwrap_or_default())
                };
                found.push(Finding {
                    span: v.span,
                    message: format!(
                        "this pushes `{}` to {} {bound} (round {}, automatic play with seed {seed})",
                        v.var, v.value, v.round
                    ),
                    seed,
                });
            }
        }
    }
    found
}

/// Valid decisions for an opened round, mixing random splits with the extremes
/// (nothing, everything, all on one option) where models tend to break.
pub fn random_decisions(o: &Opening, rng: &mut impl Rng) -> Decisions {
    let mut out = BTreeMap::new();
    for d in &o.decisions {
        let v = if d.kind == "choose" {
            DecisionValue::Choice(d.options[rng.random_range(0..d.options.len())].id.clone())
        } else {
            let mins: Vec<f64> = d.options.iter().map(|x| x.min.unwrap_or(0.0)).collect();
            let mut vals = mins.clone();
            let mut left = d.total.map_or(f64::INFINITY, |t| t - mins.iter().sum::<f64>());
            let snap = |x: f64| d.step.map_or(x, |s| (x / s).floor() * s);
            let mode = rng.random_range(0..4);
            let mut order: Vec<usize> = (0..vals.len()).collect();
            for i in (1..order.len()).rev() {
                order.swap(i, rng.random_range(0..=i));
            }
            for (n, &i) in order.iter().enumerate() {
                let room = (d.options[i].max.unwrap_or(0.0) - mins[i]).min(left).max(0.0);
                let share = match mode {
                    0 => 0.0,
                    1 => 1.0,
                    2 if n == 0 => 1.0,
                    2 => 0.0,
                    _ => rng.random_range(0.0..=1.0),
                };
                let add = snap(room * share);
                vals[i] += add;
                left -= add;
            }
            if d.exact {
                // Top up to the exact total where room allows.
                for (v, o) in vals.iter_mut().zip(&d.options) {
                    let room = (o.max.unwrap_or(0.0) - *v).min(left).max(0.0);
                    let add = snap(room);
                    *v += add;
                    left -= add;
                }
            }
            DecisionValue::Allocation(d.options.iter().zip(vals).map(|(x, v)| (x.id.clone(), v)).collect())
        };
        out.insert(d.id.clone(), v);
    }
    out
}
