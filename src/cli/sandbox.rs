//! `certbook sandbox replay|play`: recompute stored runs, play scripted ones.

use crate::sandbox::{Decisions, RunRecord, format_number};
use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Subcommand, Debug)]
pub enum SandboxCommand {
    /// Recompute a stored run (JSON from the server or `play`) and confirm its result.
    Replay {
        /// The run file: {"scenario", "version", "seed", "decisions", "result"}.
        file: PathBuf,
        /// Course directory (holding course.toml).
        #[arg(long, default_value = ".")]
        dir: PathBuf,
    },
    /// Play a scenario with a scripted list of decisions and print the run as JSON.
    Play {
        /// Scenario id.
        scenario: String,
        /// A JSON array with one object of decisions per round.
        #[arg(long)]
        decisions: PathBuf,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Course directory (holding course.toml).
        #[arg(long, default_value = ".")]
        dir: PathBuf,
    },
}

pub fn run(c: SandboxCommand) -> anyhow::Result<ExitCode> {
    match c {
        SandboxCommand::Replay { file, dir } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let run: RunRecord = serde_json::from_str(&text).with_context(|| format!("{} is not a run file", file.display()))?;
            let cur = super::load(&dir)?;
            let sc = cur
                .scenarios
                .get(&run.scenario)
                .with_context(|| format!("the course has no scenario `{}`", run.scenario))?;
            match run.replay(sc) {
                Ok(r) => {
                    let score = r.score.as_ref().map_or("unfinished".to_string(), |s| format!("score {}", s.score));
                    println!(
                        "ok: {} v{} seed {}, {} round(s) replayed, {score}: identical to the stored result",
                        run.scenario,
                        run.version,
                        run.seed,
                        run.decisions.len()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        SandboxCommand::Play {
            scenario,
            decisions,
            seed,
            dir,
        } => {
            let cur = super::load(&dir)?;
            let sc = cur
                .scenarios
                .get(&scenario)
                .with_context(|| format!("the course has no scenario `{scenario}`"))?;
            let text = std::fs::read_to_string(&decisions).with_context(|| format!("cannot read {}", decisions.display()))?;
            let decisions: Vec<Decisions> = serde_json::from_str(&text).context("decisions must be a JSON array of objects")?;
            let mut run = RunRecord {
                scenario: sc.id.clone(),
                version: sc.version,
                seed,
                decisions,
                result: None,
            };
            // The texts each round produced, so an author can proofread them with real numbers.
            let played = crate::sandbox::simulate(sc, seed, &run.decisions)?;
            for r in &played.reports {
                eprintln!("— round {} {}", r.round, r.opening.title);
                for m in r.opening.messages.iter().chain(&r.messages) {
                    eprintln!("  [{:?}] {}", m.kind, m.text);
                }
            }
            let result = run.compute(sc)?;
            if let Some(s) = &result.score {
                eprintln!("score {}", s.score);
                for o in &s.objectives {
                    eprintln!("  {} {:>5}  {}", if o.met { "✓" } else { "✗" }, format_number(o.score, 2), o.label);
                }
            }
            if let Some(last) = result.states.last() {
                let line: Vec<String> = last.iter().map(|(k, v)| format!("{k}={}", format_number(*v, 3))).collect();
                eprintln!("final: {}", line.join(" "));
            }
            run.result = Some(result);
            // Written without println! so a closed pipe (`| head`) ends quietly instead of panicking.
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            match writeln!(out, "{}", serde_json::to_string_pretty(&run)?) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
                _ => Ok(ExitCode::SUCCESS),
            }
        }
    }
}
