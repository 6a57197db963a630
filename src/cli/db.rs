//! `certbook db copy --from PATH.db --to postgres://…`: moves an SQLite installation
//! into an empty PostgreSQL database and checks every table arrived whole.

use crate::store::Store;
use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Subcommand, Debug)]
pub enum DbCommand {
    /// Copy an SQLite database (every table, the issuer key and the status lists) into an
    /// empty PostgreSQL database, then compare row counts and a digest per table.
    Copy(CopyArgs),
}

#[derive(clap::Args, Debug)]
pub struct CopyArgs {
    /// The SQLite database to copy (stop the server first, or copy a `certbook backup`).
    #[arg(long)]
    pub from: PathBuf,
    /// The PostgreSQL database to fill: postgres://USER:PASSWORD@HOST:PORT/DATABASE (empty).
    #[arg(long)]
    pub to: String,
}

pub fn run(c: DbCommand) -> anyhow::Result<ExitCode> {
    match c {
        DbCommand::Copy(a) => copy(a),
    }
}

fn copy(a: CopyArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(a.from.is_file(), "{} is not an SQLite database file", a.from.display());
    anyhow::ensure!(
        crate::store::is_postgres_url(&a.to),
        "--to must be a PostgreSQL URL (postgres://USER:PASSWORD@HOST:PORT/DATABASE)"
    );
    let from = Store::open(&a.from).with_context(|| format!("opening {}", a.from.display()))?;
    let shown = crate::store::describe_spec(&a.to);
    let to = Store::open_postgres(&a.to).with_context(|| format!("opening {shown}"))?;
    let tables = from.copy_to(&to).map_err(|e| {
        let partial = !e.to_string().contains("not empty");
        let hint = if partial {
            " — the target may now hold part of the copy: drop and create it again (dropdb, createdb) before another try"
        } else {
            ""
        };
        anyhow::anyhow!("{e}{hint}")
    })?;
    for t in &tables {
        println!("{:<16} {:>10} rows  {}", t.table, t.rows, &t.digest[..16]);
    }
    println!(
        "copied {} into {shown}: {} tables, {} rows, each table's count and digest the same on both sides",
        a.from.display(),
        tables.len(),
        tables.iter().map(|t| t.rows).sum::<i64>()
    );
    Ok(ExitCode::SUCCESS)
}
