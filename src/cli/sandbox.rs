//! `certbook sandbox replay|play`: recompute stored runs, play scripted ones.

use crate::sandbox::{Decisions, RunRecord, SessionRecord, TeamRecord, format_number};
use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Subcommand, Debug)]
pub enum SandboxCommand {
    /// Recompute a stored run or team session (JSON from the server, `play` or
    /// `session`) and confirm its result.
    Replay {
        /// A run file {"scenario", "version", "seed", "decisions", "result"}, or a
        /// session file {"scenario", "version", "seed", "teams", "results"}.
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
    /// Play a session of several teams (a market scenario) from scripted decisions
    /// and print the session as JSON, with a leaderboard on stderr.
    Session {
        /// Scenario id.
        scenario: String,
        /// A JSON array of teams: [{"name": "A", "decisions": [{…}, …]}, …].
        #[arg(long)]
        teams: PathBuf,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Course directory (holding course.toml).
        #[arg(long, default_value = ".")]
        dir: PathBuf,
    },
}

fn scenario_of<'c>(cur: &'c crate::course::Curriculum, id: &str) -> anyhow::Result<&'c crate::sandbox::Scenario> {
    cur.scenarios.get(id).with_context(|| format!("the course has no scenario `{id}`"))
}

fn read_json<T: serde::de::DeserializeOwned>(file: &std::path::Path, what: &'static str) -> anyhow::Result<T> {
    let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    serde_json::from_str(&text).context(what)
}

fn print_json(v: &impl serde::Serialize) -> anyhow::Result<ExitCode> {
    // Written without println! so a closed pipe (`| head`) ends quietly instead of panicking.
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{}", serde_json::to_string_pretty(v)?) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(ExitCode::SUCCESS),
    }
}

fn replay_session(file: &std::path::Path, text: &str, dir: &std::path::Path) -> anyhow::Result<ExitCode> {
    let session: SessionRecord = serde_json::from_str(text).with_context(|| format!("{} is not a session file", file.display()))?;
    let cur = super::load(dir)?;
    let sc = scenario_of(&cur, &session.scenario)?;
    match session.replay(sc) {
        Ok(results) => {
            let rounds = session.teams.first().map_or(0, |t| t.decisions.len());
            println!(
                "ok: {} v{} seed {}, {} team(s), {rounds} round(s) replayed: identical to the stored results",
                session.scenario,
                session.version,
                session.seed,
                results.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

pub fn run(c: SandboxCommand) -> anyhow::Result<ExitCode> {
    match c {
        SandboxCommand::Replay { file, dir } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let is_session = serde_json::from_str::<serde_json::Value>(&text).is_ok_and(|v| v.get("teams").is_some());
            if is_session {
                return replay_session(&file, &text, &dir);
            }
            let run: RunRecord = serde_json::from_str(&text).with_context(|| format!("{} is not a run file", file.display()))?;
            let cur = super::load(&dir)?;
            let sc = scenario_of(&cur, &run.scenario)?;
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
            let sc = scenario_of(&cur, &scenario)?;
            let decisions: Vec<Decisions> = read_json(&decisions, "decisions must be a JSON array of objects")?;
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
            print_json(&run)
        }
        SandboxCommand::Session {
            scenario,
            teams,
            seed,
            dir,
        } => {
            let cur = super::load(&dir)?;
            let sc = scenario_of(&cur, &scenario)?;
            let teams: Vec<TeamRecord> = read_json(
                &teams,
                "teams must be a JSON array of {\"name\", \"decisions\": [one object per round]}",
            )?;
            let mut session = SessionRecord {
                scenario: sc.id.clone(),
                version: sc.version,
                seed,
                teams,
                results: None,
            };
            let results = session.compute(sc).map_err(|(i, e)| anyhow::anyhow!("team {}: {e}", i + 1))?;
            let mut board: Vec<(u32, &str)> = results
                .iter()
                .zip(&session.teams)
                .map(|(r, t)| (r.score.as_ref().map_or(0, |s| s.score), t.name.as_str()))
                .collect();
            board.sort_by_key(|b| std::cmp::Reverse(b.0));
            for (score, name) in &board {
                eprintln!("{score:>4}  {name}");
            }
            for (r, t) in results.iter().zip(&session.teams) {
                if let Some(last) = r.states.last() {
                    let line: Vec<String> = last.iter().map(|(k, v)| format!("{k}={}", format_number(*v, 3))).collect();
                    eprintln!("{}: {}", t.name, line.join(" "));
                }
            }
            session.results = Some(results);
            print_json(&session)
        }
    }
}
