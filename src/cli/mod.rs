//! Command-line interface: one file per verb, each a thin call into the library.

mod backup;
mod build;
pub mod check;
mod db;
mod export;
mod init;
mod messages;
mod sandbox;
mod serve;
pub mod user;
mod verify;

use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "certbook",
    version,
    about = "Training-and-certification courseware: check, build and serve a course"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Write a small starter course that shows every feature once.
    Init(init::Args),
    /// Print the interface's messages (Fluent) to translate or override in a course.
    Messages(messages::Args),
    /// Validate the course: every mistake with file, line and fix; non-zero exit on errors.
    Check(check::Args),
    /// Validate and write the static site.
    Build(build::Args),
    /// Build, then serve the site and the API with an embedded SQLite database.
    Serve(serve::Args),
    /// Replay or script sandbox runs.
    #[command(subcommand)]
    Sandbox(sandbox::SandboxCommand),
    /// Take a consistent copy of the database while the server runs.
    Backup(backup::BackupArgs),
    /// Put a backup back in place of the database (stop the server first).
    Restore(backup::RestoreArgs),
    /// Move the data between databases (SQLite to PostgreSQL).
    #[command(subcommand)]
    Db(db::DbCommand),
    /// Export HR data as CSV (learners, certificates).
    Export(export::Args),
    /// Check a signed certificate credential (Open Badges 3.0 JSON) offline.
    Verify(verify::Args),
    /// Manage accounts.
    #[command(subcommand)]
    User(user::UserCommand),
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Init(a) => init::run(a),
        Command::Check(a) => check::run(a),
        Command::Messages(a) => messages::run(a),
        Command::Build(a) => build::run(a),
        Command::Serve(a) => serve::run(a),
        Command::User(c) => user::run(c),
        Command::Sandbox(c) => sandbox::run(c),
        Command::Verify(a) => verify::run(a),
        Command::Export(a) => export::run(a),
        Command::Db(c) => db::run(c),
        Command::Backup(a) => backup::run_backup(a),
        Command::Restore(a) => backup::run_restore(a),
    }
}

/// Loads the course at `dir`, printing warnings; errors are printed with their
/// snippets and turned into one failure.
pub fn load(dir: &Path) -> anyhow::Result<crate::course::Curriculum> {
    match crate::course::load(dir) {
        Ok((cur, warnings)) => {
            for w in &warnings.0 {
                eprintln!("{}", w.render(dir));
            }
            Ok(cur)
        }
        Err(diags) => {
            for d in &diags.0 {
                eprintln!("{}", d.render(dir));
            }
            anyhow::bail!(
                "{} has {} error(s) and {} warning(s); fix them and try again",
                dir.display(),
                diags.errors(),
                diags.warnings()
            )
        }
    }
}

/// The default database file for a course directory.
pub fn default_db(dir: &Path) -> PathBuf {
    dir.join("certbook.db")
}

#[cfg(test)]
mod tests {
    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
