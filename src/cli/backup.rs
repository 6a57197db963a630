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

/// `backup` and `restore` copy SQLite files; PostgreSQL has its own tools.
fn sqlite_only(db: &std::path::Path) -> anyhow::Result<()> {
    anyhow::ensure!(
        !crate::store::is_postgres_url(&db.to_string_lossy()),
        "certbook backup and restore copy SQLite files; for PostgreSQL use its own tools: \
         pg_dump --format=custom DATABASE > certbook.dump, and pg_restore (see docs/deploy.md)"
    );
    Ok(())
}

pub fn run_backup(a: BackupArgs) -> anyhow::Result<ExitCode> {
    sqlite_only(&a.db)?;
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
    sqlite_only(&a.db)?;
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
