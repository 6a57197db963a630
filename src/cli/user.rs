//! `certbook user add`: create an account or reset its password.

use crate::store::{Role, Store};
use anyhow::{Context, bail};
use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Subcommand, Debug)]
pub enum UserCommand {
    /// Create an account (or reset the password, name and role of an existing one).
    Add(AddArgs),
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
    }
}

fn add(a: AddArgs) -> anyhow::Result<ExitCode> {
    let Some(role) = Role::parse(&a.role) else {
        bail!("unknown role `{}`: use learner, instructor, hr or admin", a.role);
    };
    if a.username.trim().is_empty() || a.username.len() > 64 {
        bail!("the user name must be 1 to 64 characters");
    }
    let (password, generated) = if a.password_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("reading the password")?;
        let p = line.trim_end_matches(['\r', '\n']).to_string();
        if p.chars().count() < 8 {
            bail!("the password must be at least 8 characters");
        }
        (p, false)
    } else {
        (crate::http::auth::random_token()[..16].to_string(), true)
    };
    let hash = crate::http::auth::hash_password(&password)?;
    let store = Store::open(&a.db).with_context(|| format!("opening {}", a.db.display()))?;
    let name = a.name.unwrap_or_else(|| a.username.clone());
    let now = crate::clock::Clock::system().now_ms();
    let login = a.username.trim().to_string();
    let user = store.write_blocking(move |tx| crate::store::upsert_user(tx, &login, &name, role, &hash, now))?;
    println!("account `{}` ({}) saved in {}", user.username, role.as_str(), a.db.display());
    if generated {
        println!("password: {password}");
    }
    Ok(ExitCode::SUCCESS)
}
