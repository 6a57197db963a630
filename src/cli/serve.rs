//! `certbook serve [DIR]`: build the site, open the database, serve both on one port.

use crate::clock::Clock;
use crate::http::{self, AppState};
use crate::store::{Role, Store};
use anyhow::Context;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Course directory (holding course.toml).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Port to listen on (0 picks a free one).
    #[arg(long, short, default_value_t = 3000)]
    pub port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: std::net::IpAddr,
    /// Database file (default: DIR/certbook.db).
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// Where to write the site (default: DIR/site).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Create one demo account per role and print their passwords.
    #[arg(long)]
    pub demo: bool,
    /// Mark cookies Secure (when a TLS proxy is in front).
    #[arg(long)]
    pub secure_cookies: bool,
    /// The URL people reach the server at, for verification links in certificates
    /// (default: http://HOST:PORT).
    #[arg(long)]
    pub public_url: Option<String>,
}

/// Demo accounts: (login, display name, role).
const DEMO: &[(&str, &str, Role)] = &[
    ("learner", "演示学员", Role::Learner),
    ("learner2", "演示学员二", Role::Learner),
    ("instructor", "演示讲师", Role::Instructor),
    ("hr", "演示HR", Role::Hr),
    ("admin", "演示管理员", Role::Admin),
];

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let cur = super::load(&a.dir)?;
    let out = a.out.clone().unwrap_or_else(|| a.dir.join("site"));
    let report = crate::site::build(&cur, &out)?;
    println!("built {} pages into {}", report.pages, out.display());
    let db = a.db.clone().unwrap_or_else(|| super::default_db(&a.dir));
    let store = Store::open(&db).with_context(|| format!("opening the database {}", db.display()))?;
    if a.demo {
        create_demo_accounts(&store)?;
    }
    let mut state = AppState::new(cur, store, out, Clock::system())?;
    state.secure_cookies = a.secure_cookies;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async move {
        let mut state = state;
        let addr = SocketAddr::new(a.host, a.port);
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let local = listener.local_addr()?;
        state.public_url = a
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{local}"))
            .trim_end_matches('/')
            .to_string();
        // Certificates due but not issued (a crash between a grade and its certificate) are issued now.
        let sweep = state.clone();
        tokio::spawn(async move {
            match sweep.store.active_learners().await {
                Ok(users) => {
                    for u in users {
                        if let Err(e) = http::certify::certify_user(&sweep, u).await {
                            tracing::error!("certification sweep for user {u}: {e}");
                        }
                    }
                }
                Err(e) => tracing::error!("certification sweep: {e}"),
            }
        });
        println!("serving on http://{local} (database {})", db.display());
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        http::serve(listener, state, shutdown).await?;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

fn create_demo_accounts(store: &Store) -> anyhow::Result<()> {
    println!("demo accounts (passwords are new on every start):");
    let now = Clock::system().now_ms();
    for (login, name, role) in DEMO {
        let password = format!("demo-{}", &crate::http::auth::random_token()[..10]);
        let hash = crate::http::auth::hash_password(&password)?;
        let role = *role;
        store.write_blocking(move |tx| crate::store::upsert_user(tx, login, name, role, &hash, now))?;
        println!("  {:<10} {:<10} password: {password}", login, role.as_str());
    }
    Ok(())
}
