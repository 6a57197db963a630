//! `certbook backup PATH` and `certbook restore BACKUP`: online copies of the database.

use crate::store::backup;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct BackupArgs {
    /// Where to write the copy (a new file).
    pub dest: PathBuf,
    /// The database (default: ./certbook.db); the server may keep running.
    #[arg(long, default_value = "certbook.db")]
    pub db: PathBuf,
}

#[derive(clap::Args, Debug)]
pub struct RestoreArgs {
    /// The backup to put back.
    pub from: PathBuf,
    /// The database to replace (default: ./certbook.db). Stop the server first.
    #[arg(long, default_value = "certbook.db")]
    pub db: PathBuf,
}

pub fn run_backup(a: BackupArgs) -> anyhow::Result<ExitCode> {
    let c = backup::backup(&a.db, &a.dest)?;
    println!(
        "backed up {} ({} pages) to {}: integrity {}",
        a.db.display(),
        c.pages,
        a.dest.display(),
        c.integrity
    );
    Ok(if c.integrity == "ok" {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

pub fn run_restore(a: RestoreArgs) -> anyhow::Result<ExitCode> {
    let c = backup::restore(&a.from, &a.db)?;
    println!(
        "restored {} ({} pages) into {}: integrity {}",
        a.from.display(),
        c.pages,
        a.db.display(),
        c.integrity
    );
    Ok(if c.integrity == "ok" {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
