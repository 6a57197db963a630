//! Sandbox benchmark: rounds evaluated per second for each bundled scenario, the
//! cost of replaying a whole run (what the server does per request), one market
//! round and a whole team session for 6 and 50 teams, and the time `certbook check`
//! spends on automatic play. Run with scripts/bench-sandbox.

use certbook::sandbox::{Decisions, SessionRecord, Table, TeamRecord, random_decisions, simulate};
use rand::SeedableRng;
use std::time::Instant;

fn main() {
    let root = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let runs: u64 = std::env::args().nth(2).and_then(|s| s.parse().ok()).unwrap_or(2000);
    let (cur, _) = certbook::course::load(std::path::Path::new(&root)).expect("course loads");
    println!(
        "{:<16} {:>8} {:>14} {:>12} {:>16}",
        "scenario", "rounds", "rounds/s", "µs/round", "replay µs/run"
    );
    for sc in cur.scenarios.values() {
        // Decisions are drawn up front so only the engine is timed. A market scenario
        // is played as a single learner plays it: against its simulated rivals.
        let mut chooser = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let rivals = sc.market.as_ref().map_or(0, |m| m.rivals as usize);
        let mut plans = Vec::with_capacity(runs as usize);
        for seed in 0..runs {
            let mut table = Table::new(sc, seed, 1 + rivals);
            let mut plan = Vec::new();
            for _ in 0..sc.rounds {
                let o = table.open().unwrap();
                let mut d: Vec<Decisions> = o.iter().skip(1).map(|o| o.defaults(sc)).collect();
                let mine = random_decisions(&o[0], &mut chooser);
                d.insert(0, mine.clone());
                table.play(o, &d).unwrap();
                plan.push(mine);
            }
            plans.push(plan);
        }
        let started = Instant::now();
        for (seed, plan) in plans.iter().enumerate() {
            std::hint::black_box(simulate(sc, seed as u64, plan).unwrap());
        }
        let secs = started.elapsed().as_secs_f64();
        let rounds = plans.len() as u64 * sc.rounds as u64;
        println!(
            "{:<16} {:>8} {:>14.0} {:>12.1} {:>16.1}",
            sc.id,
            rounds,
            rounds as f64 / secs,
            secs * 1e6 / rounds as f64,
            secs * 1e6 / plans.len() as f64
        );
    }
    // Team sessions: one market round for 6 and for 50 teams, and a whole session replayed.
    for sc in cur.scenarios.values().filter(|s| s.market.is_some()) {
        println!(
            "\n{} (market): {:>6} {:>16} {:>22}",
            sc.id, "teams", "ms/market round", "ms/session replay"
        );
        for n in [6usize, 50] {
            let mut chooser = rand_chacha::ChaCha8Rng::seed_from_u64(n as u64);
            let mut table = Table::new(sc, 7, n);
            let mut teams: Vec<TeamRecord> = (0..n)
                .map(|i| TeamRecord {
                    name: format!("T{i}"),
                    decisions: Vec::new(),
                    defaulted: Vec::new(),
                })
                .collect();
            for _ in 0..sc.rounds {
                let o = table.open().unwrap();
                let d: Vec<Decisions> = o.iter().map(|o| random_decisions(o, &mut chooser)).collect();
                for (t, d) in teams.iter_mut().zip(&d) {
                    t.decisions.push(d.clone());
                }
                table.play(o, &d).unwrap();
            }
            let record = SessionRecord {
                scenario: sc.id.clone(),
                version: sc.version,
                seed: 7,
                teams,
                results: None,
            };
            // A round on its own: open and play every team's decisions for round r.
            let reps = if n > 10 { 20 } else { 200 };
            let started = Instant::now();
            for _ in 0..reps {
                let mut table = Table::new(sc, 7, n);
                for r in 0..sc.rounds as usize {
                    let o = table.open().unwrap();
                    let d: Vec<Decisions> = record.teams.iter().map(|t| t.decisions[r].clone()).collect();
                    table.play(o, &d).unwrap();
                }
            }
            let per_round = started.elapsed().as_secs_f64() * 1e3 / (reps * sc.rounds as usize) as f64;
            let started = Instant::now();
            for _ in 0..reps {
                std::hint::black_box(record.compute(sc).unwrap());
            }
            let per_session = started.elapsed().as_secs_f64() * 1e3 / reps as f64;
            println!("{:>30} {:>16.3} {:>22.2}", n, per_round, per_session);
        }
    }
    let started = Instant::now();
    let diags = certbook::course::autoplay_scenarios(&cur, 300);
    println!(
        "check's automatic play: {} scenarios × 300 runs in {:.1} ms ({} findings)",
        cur.scenarios.len(),
        started.elapsed().as_secs_f64() * 1e3,
        diags.0.len()
    );
}
