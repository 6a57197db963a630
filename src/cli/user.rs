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
    if let Some(e) = a.email.as_deref().filter(|e| !valid_email(e)) {
        bail!("`{e}` is not an email address");
    }
    let email = a.email.clone();
    let user = store.write_blocking(move |tx| {
        let user = crate::store::upsert_user(tx, &login, &name, role, &hash, now)?;
        if let Some(e) = email {
            tx.execute("UPDATE users SET email = ?2 WHERE id = ?1", rusqlite::params![user.id, e.trim()])?;
        }
        Ok(user)
    })?;
    println!("account `{}` ({}) saved in {}", user.username, role.as_str(), a.db.display());
    if generated {
        println!("password: {password}");
    }
    Ok(ExitCode::SUCCESS)
}

/// A checked import row, before its password is hashed.
struct Row {
    username: String,
    display_name: String,
    role: Role,
    cohort: String,
    department: String,
    password: Option<String>,
    email: String,
}

/// Good enough to catch a column mix-up; the mail server decides the rest.
fn valid_email(e: &str) -> bool {
    let e = e.trim();
    matches!(e.split_once('@'), Some((user, host)) if !user.is_empty() && host.contains('.') && !e.contains(char::is_whitespace))
}

/// Parses and checks every row; the errors name the CSV line.
/// A checked CSV row: (line, username, display name, role, cohort, department, password, email).
pub type ImportRow = (u64, String, String, Role, String, String, Option<String>, String);

pub fn parse_import(text: &str) -> Result<Vec<ImportRow>, Vec<String>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // The csv crate counts a CRLF file's lines wrongly (Excel writes CRLF).
    let text = text.replace("\r\n", "\n");
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(vec![format!("line 1: {e}")]),
    };
    let col = |name: &str| headers.iter().position(|h| h == name);
    let Some(user_col) = col("username") else {
        return Err(vec![
            "line 1: the header needs a `username` column (and display_name, role, cohort, department; password optional)".into(),
        ]);
    };
    let (name_col, role_col, cohort_col, dept_col, pw_col, email_col) = (
        col("display_name"),
        col("role"),
        col("cohort"),
        col("department"),
        col("password"),
        col("email"),
    );
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(format!("line {line}: {e}"));
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line());
        let get = |c: Option<usize>| c.and_then(|i| rec.get(i)).unwrap_or("").to_string();
        let username = get(Some(user_col));
        if username.is_empty() || username.chars().count() > 64 || username.chars().any(char::is_whitespace) {
            errors.push(format!("line {line}: username `{username}` must be 1–64 characters without spaces"));
            continue;
        }
        if let Some(first) = seen.insert(username.to_lowercase(), line) {
            errors.push(format!("line {line}: username `{username}` already appears on line {first}"));
            continue;
        }
        let role_text = get(role_col);
        let role = if role_text.is_empty() {
            Some(Role::Learner)
        } else {
            Role::parse(&role_text)
        };
        let Some(role) = role else {
            errors.push(format!(
                "line {line}: unknown role `{role_text}` (use learner, instructor, hr or admin)"
            ));
            continue;
        };
        let password = Some(get(pw_col)).filter(|p| !p.is_empty());
        if password.as_ref().is_some_and(|p| p.chars().count() < 8) {
            errors.push(format!("line {line}: the password of `{username}` is shorter than 8 characters"));
            continue;
        }
        let email = get(email_col);
        if !email.is_empty() && !valid_email(&email) {
            errors.push(format!("line {line}: `{email}` is not an email address"));
            continue;
        }
        let display = Some(get(name_col)).filter(|n| !n.is_empty()).unwrap_or_else(|| username.clone());
        rows.push((line, username, display, role, get(cohort_col), get(dept_col), password, email));
    }
    if errors.is_empty() { Ok(rows) } else { Err(errors) }
}

fn import(a: ImportArgs) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(&a.file).with_context(|| format!("cannot read {}", a.file.display()))?;
    let rows = match parse_import(&text) {
        Ok(r) => r,
        Err(errors) => {
            for e in &errors {
                eprintln!("{}:{e}", a.file.display());
            }
            eprintln!("{} error(s); nothing was imported", errors.len());
            return Ok(ExitCode::FAILURE);
        }
    };
    let mut new = Vec::with_capacity(rows.len());
    let mut generated = Vec::new();
    for (_, username, display_name, role, cohort, department, password, email) in rows {
        let r = Row {
            username,
            display_name,
            role,
            cohort,
            department,
            password,
            email,
        };
        // New accounts without a password get one (printed below); existing ones keep theirs.
        let hash = match &r.password {
            Some(p) => crate::http::auth::hash_password(p)?,
            None => String::new(),
        };
        new.push((r, hash));
    }
    let store = Store::open(&a.db).with_context(|| format!("opening {}", a.db.display()))?;
    let existing: std::collections::HashSet<String> = store.read_blocking(|c| {
        let mut q = c.prepare("SELECT lower(username) FROM users")?;
        let names = q.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<_>>()?;
        Ok(names)
    })?;
    let mut learners = Vec::with_capacity(new.len());
    for (r, mut hash) in new {
        if hash.is_empty() && !existing.contains(&r.username.to_lowercase()) {
            let pw = crate::http::auth::random_token()[..16].to_string();
            hash = crate::http::auth::hash_password(&pw)?;
            generated.push((r.username.clone(), pw));
        }
        learners.push(crate::store::NewLearner {
            username: r.username,
            display_name: r.display_name,
            role: r.role,
            cohort: r.cohort,
            department: r.department,
            password_hash: hash,
            email: r.email,
        });
    }
    let n = store.import_learners(learners, crate::clock::Clock::system().now_ms())?;
    eprintln!("imported {n} account(s) into {}", a.db.display());
    if !generated.is_empty() {
        println!("username,password");
        for (u, p) in generated {
            println!("{u},{p}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
