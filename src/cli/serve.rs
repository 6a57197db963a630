//! `certbook serve [DIR]`: build the site, open the database, serve both on one port.

use crate::app::{accounts, certification};
use crate::clock::Clock;
use crate::http::{self, AppState};
use crate::store::Store;
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
    /// Database: an SQLite file (default: DIR/certbook.db) or a PostgreSQL URL,
    /// postgres://USER:PASSWORD@HOST:PORT/DATABASE, for several servers on one database.
    #[arg(long, env = "CERTBOOK_DATABASE_URL")]
    pub db: Option<String>,
    /// Where to write the site (default: DIR/site).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Serve only the API and the server pages, not the static site (which a web server
    /// or CDN in front serves from `certbook build`): for several instances behind a
    /// load balancer.
    #[arg(long)]
    pub api_only: bool,
    /// A proxy in front (nginx, a load balancer) whose X-Forwarded-For names the client,
    /// as an address or range (e.g. 127.0.0.1 or 10.0.0.0/8); repeat for several.
    #[arg(long = "trusted-proxy", env = "CERTBOOK_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<String>,
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
    /// Rebuild when the course's files change. A broken edit keeps the last good
    /// build serving; the errors go to the log and to /instructor/build.
    #[arg(long)]
    pub watch: bool,
    /// SMTP server for expiry reminders, e.g. smtp://localhost:25,
    /// smtp://user:pass@mail.example.com:587?tls=required or smtps://user:pass@host.
    /// Without it reminders show only on the learner's pages.
    #[arg(long, env = "CERTBOOK_SMTP_URL")]
    pub smtp_url: Option<String>,
    /// Sender of reminder emails.
    #[arg(long, env = "CERTBOOK_MAIL_FROM", default_value = "certbook <noreply@localhost>")]
    pub mail_from: String,
}

/// How often the server looks for expiry reminders to send.
const REMINDER_INTERVAL: std::time::Duration = std::time::Duration::from_secs(3600);
/// Threads for blocking work (tokio's default allows 512).
const BLOCKING_THREADS: usize = 16;
/// How long a server's start-up certification sweep keeps others from running theirs.
const SWEEP_LEASE_MS: i64 = 10 * 60 * 1000;
/// How often attempts whose time ran out are stored as ended.
const SETTLE_INTERVAL: std::time::Duration = std::time::Duration::from_secs(10);

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let cur = super::load(&a.dir)?;
    let out = a.out.clone().unwrap_or_else(|| a.dir.join("site"));
    if !a.api_only {
        let report = crate::site::build(&cur, &out)?;
        println!("built {} pages into {}", report.pages, out.display());
    }
    let spec = a.db.clone().unwrap_or_else(|| super::default_db(&a.dir).display().to_string());
    let shown = crate::store::describe_spec(&spec);
    let store = Store::open_spec(&spec).with_context(|| format!("opening the database {shown}"))?;
    // The watcher ignores the database's own files (PostgreSQL has none here).
    let db = (!crate::store::is_postgres_url(&spec)).then(|| PathBuf::from(&spec));
    if a.demo {
        println!("demo accounts (passwords are new on every start):");
        for (login, role, password) in accounts::create_demo_accounts(&store, &cur.messages, Clock::system().now_ms())? {
            println!("  {:<10} {:<10} password: {password}", login, role.as_str());
        }
    }
    let mut state = AppState::new(cur, store, out.clone(), Clock::system())?;
    state.secure_cookies = a.secure_cookies;
    state.watching = a.watch;
    state.api_only = a.api_only;
    state.trusted_proxies = std::sync::Arc::new(
        a.trusted_proxies
            .iter()
            .map(|p| {
                let p = p.trim();
                p.parse::<ipnet::IpNet>()
                    .or_else(|_| p.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .with_context(|| format!("--trusted-proxy {p}: not an address or a range such as 10.0.0.0/8"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?,
    );
    if let Some(url) = &a.smtp_url {
        state.mailer = Some(std::sync::Arc::new(crate::mail::Mailer::new(url, &a.mail_from)?));
    }
    // Held for as long as the server runs: dropping it stops the watching.
    let _watcher = if a.watch {
        Some(watch(state.clone(), a.dir.clone(), out, db.clone())?)
    } else {
        None
    };
    // Blocking work is reads (at most four connections), password hashes (one at a
    // time) and file serving: a few threads are enough, and each idle one holds memory.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(BLOCKING_THREADS)
        .build()?;
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
        // Servers sharing a database sweep once: the first to start takes the lease.
        tokio::spawn(async move {
            let ctx = sweep.ctx();
            let me = crate::app::random_token();
            match ctx.store.take_lease("certify-sweep", me, ctx.clock.now_ms(), SWEEP_LEASE_MS).await {
                Ok(true) => certification::certify_everyone(&ctx).await,
                Ok(false) => tracing::info!("another server is running the start-up certification sweep"),
                Err(e) => tracing::error!("certification sweep: {e}"),
            }
        });
        // Upkeep: attempts whose time ran out are stored as ended (reads only show them
        // so), and after a course reload everyone is certified against the new rules.
        let upkeep = state.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(SETTLE_INTERVAL);
            let mut seen = upkeep.ctx().cur;
            loop {
                tick.tick().await;
                let ctx = upkeep.ctx();
                if let Err(e) = crate::app::exams::settle_due(&ctx).await {
                    tracing::error!("settling ended attempts: {e}");
                }
                if !std::sync::Arc::ptr_eq(&seen, &ctx.cur) {
                    seen = ctx.cur.clone();
                    certification::certify_everyone(&ctx).await;
                }
            }
        });
        // Team sessions: rounds whose deadline passed are stored resolved (readers
        // already see them so), and finished sessions record their members' results.
        let teams = state.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(2));
            loop {
                tick.tick().await;
                if let Err(e) = crate::app::teams::close_overdue(&teams.ctx()).await {
                    tracing::error!("closing team rounds past their deadline: {e}");
                }
            }
        });
        // Expiry reminders: now, then every hour. Each goes out once per expiry date.
        let reminders = state.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(REMINDER_INTERVAL);
            loop {
                tick.tick().await;
                match certification::send_due_reminders(&reminders.ctx()).await {
                    Ok(r) if r.sent + r.failed > 0 => tracing::info!(sent = r.sent, failed = r.failed, "expiry reminders"),
                    Ok(_) => {}
                    Err(e) => tracing::error!("expiry reminders: {e}"),
                }
            }
        });
        println!("serving on http://{local} (database {shown})");
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        http::serve(listener, state, shutdown).await?;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Watches `dir` and rebuilds after each burst of changes. Builds alternate between
/// `out` and a sibling directory, so the live site is never half-written: a good
/// build goes live in one swap, a broken one leaves the last good build serving.
fn watch(state: AppState, dir: PathBuf, out: PathBuf, db: Option<PathBuf>) -> anyhow::Result<notify::RecommendedWatcher> {
    use notify::Watcher;
    use std::sync::mpsc::RecvTimeoutError;
    let alt = {
        let mut name = out.file_name().unwrap_or_default().to_os_string();
        name.push("-b");
        out.with_file_name(name)
    };
    // Our own output must not trigger builds: the site directories and the database files.
    // Reading files (the build itself does) is no change either.
    let abs = |p: &std::path::Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let ignored = [abs(&out), abs(&alt)];
    let db_file = db.map(|db| {
        let name = db.file_name().unwrap_or_default().to_string_lossy().into_owned();
        (abs(db.parent().unwrap_or(std::path::Path::new("."))), name)
    });
    let relevant = move |e: &notify::Event| {
        !e.kind.is_access()
            && e.paths.iter().any(|p| {
                let p = abs(p);
                let is_db = db_file.as_ref().is_some_and(|(db_dir, db_name)| {
                    p.parent() == Some(db_dir) && p.file_name().is_some_and(|f| f.to_string_lossy().starts_with(db_name.as_str()))
                });
                !is_db && !ignored.iter().any(|i| p.starts_with(i)) && !p.components().any(|c| c.as_os_str() == ".git")
            })
    };
    let (tx, rx) = std::sync::mpsc::channel::<notify::Result<notify::Event>>();
    let mut watcher = notify::recommended_watcher(tx)?;
    watcher
        .watch(&dir, notify::RecursiveMode::Recursive)
        .with_context(|| format!("cannot watch {}", dir.display()))?;
    println!("watching {} for changes", dir.display());
    std::thread::spawn(move || {
        let targets = [out, alt];
        let mut live = 0;
        while let Ok(first) = rx.recv() {
            if !first.as_ref().is_ok_and(&relevant) {
                continue;
            }
            // An editor saves in several steps: wait for 300 ms without another change.
            // (Serving the site reads files in the watched tree; those are no change.)
            let mut quiet_from = std::time::Instant::now();
            loop {
                let left = std::time::Duration::from_millis(300).saturating_sub(quiet_from.elapsed());
                match rx.recv_timeout(left) {
                    Ok(e) if e.as_ref().is_ok_and(&relevant) => quiet_from = std::time::Instant::now(),
                    Ok(_) => {}
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
            let next = 1 - live;
            match rebuild(&state, &dir, &targets[next]) {
                Ok(pages) => {
                    live = next;
                    println!("rebuilt {pages} pages into {}; now live", targets[live].display());
                }
                Err(report) => {
                    eprintln!("{report}\nthe last good build stays live; fix the errors above and save again");
                    state.build_failed(report);
                }
            }
        }
    });
    Ok(watcher)
}

/// Checks and builds the course into `target` and puts it live, or says why not.
fn rebuild(state: &AppState, dir: &std::path::Path, target: &std::path::Path) -> Result<usize, String> {
    let render = |diags: &crate::diag::Diagnostics| diags.0.iter().map(|d| d.render(dir)).collect::<Vec<_>>().join("\n");
    let cur = match crate::course::load(dir) {
        Ok((cur, mut warnings)) => {
            warnings
                .0
                .extend(crate::course::autoplay_scenarios(&cur, super::check::AUTOPLAY_RUNS).0);
            if warnings.has_errors() {
                return Err(render(&warnings));
            }
            cur
        }
        Err(diags) => return Err(render(&diags)),
    };
    let report = crate::site::build(&cur, target).map_err(|e| format!("building the site failed: {e:#}"))?;
    state.publish(cur, target.to_path_buf()).map_err(|e| format!("{e:#}"))?;
    Ok(report.pages)
}
