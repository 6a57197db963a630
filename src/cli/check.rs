//! `certbook check [DIR]`: report every authoring mistake without building.

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Course directory (holding course.toml).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

/// Random plays per scenario: enough to reach the corners (all-in, nothing, one channel).
pub const AUTOPLAY_RUNS: u64 = 300;

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let (cur, diags) = crate::course::check(&a.dir, AUTOPLAY_RUNS);
    if let Some(cur) = &cur {
        print!("{}", blueprints(cur));
    }
    for d in &diags.0 {
        eprintln!("{}", d.render(&a.dir));
    }
    println!("{}: {} error(s), {} warning(s)", a.dir.display(), diags.errors(), diags.warnings());
    Ok(if diags.has_errors() { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// Each drawn bank's blueprint: per cell, the questions drawn and the pool they come from.
pub fn blueprints(cur: &crate::course::Curriculum) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    for quiz in cur.quizzes.values() {
        let Some(draw) = &quiz.draw else { continue };
        let _ = writeln!(out, "{} ({}, {} questions per attempt):", quiz.id, quiz.mode.as_str(), draw.count());
        for c in &draw.cells {
            let difficulty: Vec<&str> = c.difficulty.iter().map(|d| d.label()).collect();
            let what = c.topic.clone().unwrap_or_else(|| {
                if c.banks.is_empty() {
                    "this bank".into()
                } else {
                    c.banks.join(", ")
                }
            });
            let _ = writeln!(
                out,
                "  draws {:>2} of {:>3}  {what}{}",
                c.count,
                c.pool.len(),
                if difficulty.is_empty() {
                    String::new()
                } else {
                    format!(" [{}]", difficulty.join(", "))
                }
            );
        }
    }
    out
}
