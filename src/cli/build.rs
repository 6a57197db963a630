//! `certbook build [DIR]`: validate, then write the static site.

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Course directory (holding course.toml).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Output directory (default: DIR/site).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let cur = super::load(&a.dir)?;
    let out = a.out.unwrap_or_else(|| a.dir.join("site"));
    let started = std::time::Instant::now();
    let report = crate::site::build(&cur, &out)?;
    println!(
        "built {} pages into {} in {:.2}s ({} search terms)",
        report.pages,
        report.dest.display(),
        started.elapsed().as_secs_f64(),
        report.search_terms
    );
    Ok(ExitCode::SUCCESS)
}
