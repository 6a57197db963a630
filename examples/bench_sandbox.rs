//! Sandbox benchmark: rounds evaluated per second for each bundled scenario, the
//! cost of replaying a whole run (what the server does per request), and the time
//! `certbook check` spends on automatic play. Run with scripts/bench-sandbox.

use certbook::sandbox::{Sim, random_decisions, simulate};
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
        // Decisions are drawn up front so only the engine is timed.
        let mut chooser = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let mut plans = Vec::with_capacity(runs as usize);
        for seed in 0..runs {
            let mut sim = Sim::new(sc, seed);
            let mut plan = Vec::new();
            for _ in 0..sc.rounds {
                let o = sim.open().unwrap();
                let d = random_decisions(&o, &mut chooser);
                sim.play(&o, &d).unwrap();
                plan.push(d);
            }
            plans.push(plan);
        }
        let started = Instant::now();
        let mut rounds = 0u64;
        for (seed, plan) in plans.iter().enumerate() {
            let mut sim = Sim::new(sc, seed as u64);
            for d in plan {
                let o = sim.open().unwrap();
                sim.play(&o, d).unwrap();
                rounds += 1;
            }
            std::hint::black_box(sim.score().unwrap());
        }
        let secs = started.elapsed().as_secs_f64();
        let started = Instant::now();
        for (seed, plan) in plans.iter().enumerate().take(500) {
            std::hint::black_box(simulate(sc, seed as u64, plan).unwrap());
        }
        let replay_us = started.elapsed().as_secs_f64() * 1e6 / plans.len().min(500) as f64;
        println!(
            "{:<16} {:>8} {:>14.0} {:>12.1} {:>16.1}",
            sc.id,
            rounds,
            rounds as f64 / secs,
            secs * 1e6 / rounds as f64,
            replay_us
        );
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
