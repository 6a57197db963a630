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
    let diags = match crate::course::load(&a.dir) {
        Ok((cur, mut warnings)) => {
            warnings.0.extend(crate::course::autoplay_scenarios(&cur, AUTOPLAY_RUNS).0);
            warnings
        }
        Err(diags) => diags,
    };
    for d in &diags.0 {
        eprintln!("{}", d.render(&a.dir));
    }
    println!("{}: {} error(s), {} warning(s)", a.dir.display(), diags.errors(), diags.warnings());
    Ok(if diags.has_errors() { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}
