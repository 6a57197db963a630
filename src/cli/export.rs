//! `certbook export learners|certificates`: the HR CSV exports from the command line.

use crate::app::reports::CsvExport;
use crate::store::Store;
use anyhow::Context;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// What to export: `learners` (one row per learner, with each level's certificate) or `certificates`.
    pub what: String,
    /// Course directory, for the levels of its certification track.
    #[arg(long, default_value = ".")]
    pub dir: PathBuf,
    /// Database file (default: DIR/certbook.db).
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// Output file (default: standard output).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let db = a.db.clone().unwrap_or_else(|| super::default_db(&a.dir));
    let store = Store::open_spec(&db.to_string_lossy()).with_context(|| format!("opening {}", db.display()))?;
    let mut out: Box<dyn Write + Send> = match &a.out {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout())),
    };
    let mut w = csv::Writer::from_writer(&mut out);
    let mut failed = None;
    let mut sink = |row: &[String]| match w.write_record(row) {
        Ok(()) => true,
        Err(e) => {
            failed = Some(e);
            false
        }
    };
    let export = match a.what.as_str() {
        "learners" => {
            let Ok((cur, _)) = crate::course::load(&a.dir) else {
                anyhow::bail!("{} does not load: run `certbook check` on it", a.dir.display());
            };
            CsvExport::learners(&cur)
        }
        "certificates" => CsvExport::Certificates,
        other => anyhow::bail!("unknown export `{other}`: use learners or certificates"),
    };
    export.write_blocking(&store, &mut sink)?;
    if let Some(e) = failed {
        return Err(e).context("writing the CSV");
    }
    w.flush()?;
    Ok(ExitCode::SUCCESS)
}
