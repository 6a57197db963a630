//! `certbook user add`: create an account or reset its password.

use crate::app::accounts;
use crate::clock::Clock;
use crate::store::Store;
use anyhow::Context;
use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Subcommand, Debug)]
pub enum UserCommand {
    /// Create an account (or reset the password, name and role of an existing one).
    Add(AddArgs),
    /// Import accounts from CSV: username, display_name, role, cohort, department[, password][, email].
    /// Every row is checked first; one bad row (reported with its line) imports nothing.
    Import(ImportArgs),
}

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// The CSV file (UTF-8, header row required).
    pub file: PathBuf,
    /// Database file (default: ./certbook.db).
    #[arg(long, default_value = "certbook.db")]
    pub db: PathBuf,
}

#[derive(clap::Args, Debug)]
pub struct AddArgs {
    /// Login name.
    pub username: String,
    /// learner, instructor, hr or admin.
    #[arg(long, default_value = "learner")]
    pub role: String,
    /// Name shown on pages and certificates (default: the login name).
    #[arg(long)]
    pub name: Option<String>,
    /// Email address for certificate expiry reminders.
    #[arg(long)]
    pub email: Option<String>,
    /// Read the password from the first line of standard input instead of generating one.
    #[arg(long)]
    pub password_stdin: bool,
    /// Database file (default: ./certbook.db).
    #[arg(long, default_value = "certbook.db")]
    pub db: PathBuf,
}

pub fn run(c: UserCommand) -> anyhow::Result<ExitCode> {
    match c {
        UserCommand::Add(a) => add(a),
        UserCommand::Import(a) => import(a),
    }
}

fn add(a: AddArgs) -> anyhow::Result<ExitCode> {
    let password = if a.password_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("reading the password")?;
        Some(line.trim_end_matches(['\r', '\n']).to_string())
    } else {
        None
    };
    let account = accounts::check_account(accounts::NewAccount {
        username: a.username,
        role: a.role,
        name: a.name,
        email: a.email,
        password,
    })?;
    let store = Store::open_spec(&a.db.to_string_lossy())
        .with_context(|| format!("opening {}", crate::store::describe_spec(&a.db.to_string_lossy())))?;
    let (user, generated) = accounts::save_account(&store, Clock::system().now_ms(), account)?;
    println!("account `{}` ({}) saved in {}", user.username, user.role.as_str(), a.db.display());
    if let Some(password) = generated {
        println!("password: {password}");
    }
    Ok(ExitCode::SUCCESS)
}

fn import(a: ImportArgs) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(&a.file).with_context(|| format!("cannot read {}", a.file.display()))?;
    let rows = match accounts::parse_import(&text) {
        Ok(r) => r,
        Err(errors) => {
            for e in &errors {
                eprintln!("{}:{e}", a.file.display());
            }
            eprintln!("{} error(s); nothing was imported", errors.len());
            return Ok(ExitCode::FAILURE);
        }
    };
    let store = Store::open_spec(&a.db.to_string_lossy())
        .with_context(|| format!("opening {}", crate::store::describe_spec(&a.db.to_string_lossy())))?;
    let (n, generated) = accounts::import_accounts(&store, Clock::system().now_ms(), rows)?;
    eprintln!("imported {n} account(s) into {}", a.db.display());
    if !generated.is_empty() {
        println!("username,password");
        for (u, p) in generated {
            println!("{u},{p}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
