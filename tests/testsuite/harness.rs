//! Test harness: builds a fixture course, starts the real server on an ephemeral
//! port with a temporary database and a manual clock, and gives logged-in clients.

use certbook::clock::Clock;
use certbook::http::AppState;
use certbook::store::{Role, Store};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

pub const PASSWORD: &str = "correct horse battery";

/// A fresh, empty database for one test: an SQLite file in `dir`, or, when
/// `CERTBOOK_TEST_POSTGRES` holds a PostgreSQL URL (CI sets it for the suite's second
/// run), a new database created on that server.
pub fn test_store(dir: &Path) -> Store {
    match std::env::var("CERTBOOK_TEST_POSTGRES") {
        Ok(admin) if !admin.is_empty() => Store::open_spec(&fresh_pg_database(&admin)).unwrap(),
        _ => Store::open(&dir.join("test.db")).unwrap(),
    }
}

/// The PostgreSQL server for tests that need one whatever the suite's store: the
/// multi-instance tests. CI starts one for both passes (`CERTBOOK_TEST_PG_ADMIN`) and
/// such a test fails there without it; elsewhere it is skipped with a note.
pub fn pg_admin_url(test: &str) -> Option<String> {
    let url = std::env::var("CERTBOOK_TEST_PG_ADMIN")
        .or_else(|_| std::env::var("CERTBOOK_TEST_POSTGRES"))
        .ok()
        .filter(|u| !u.is_empty());
    if url.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{test} needs PostgreSQL: .ci/run must start one (scripts/pg-test-cluster) and set CERTBOOK_TEST_PG_ADMIN"
        );
        eprintln!("skipping {test}: no PostgreSQL (set CERTBOOK_TEST_PG_ADMIN to scripts/pg-test-cluster's URL)");
    }
    url
}

/// Creates a database with a unique name on the server `admin` points at; returns its URL.
pub fn fresh_pg_database(admin: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "t{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        rand::random::<u32>()
    );
    let (server, _) = admin.rsplit_once('/').expect("a URL ending in /DATABASE");
    let server = server.to_string();
    let admin = admin.to_string();
    let create = name.clone();
    std::thread::spawn(move || {
        let mut c = postgres::Client::connect(&admin, postgres::NoTls).expect("the test PostgreSQL server");
        drop_dead_runs_databases(&mut c);
        c.batch_execute(&format!("CREATE DATABASE {create}")).unwrap();
    })
    .join()
    .unwrap();
    format!("{server}/{name}")
}

/// Drops, once per test process, the databases earlier test processes left behind (their
/// names start with the pid of a process that has ended): a test's database outlives it,
/// and a cluster reused run after run would otherwise fill the disk.
fn drop_dead_runs_databases(c: &mut postgres::Client) {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let rows = c
            .query("SELECT datname FROM pg_database WHERE datname ~ '^t[0-9]+_[0-9]+_[0-9]+$'", &[])
            .unwrap();
        for row in rows {
            let name: String = row.get(0);
            let pid = name[1..].split('_').next().unwrap_or_default();
            if pid != std::process::id().to_string() && !std::path::Path::new(&format!("/proc/{pid}")).exists() {
                // Another test process may be dropping it too; either way it goes.
                let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    });
}

pub struct TestServer {
    pub base: String,
    pub clock: Clock,
    pub store: Store,
    /// The server's state, for calling services directly (the upkeep sweeps).
    pub state: AppState,
    _dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl TestServer {
    /// Starts a server for fixture `name` with accounts alice, bob (learners),
    /// ivy (instructor), hana (hr) and root (admin), all with [`PASSWORD`].
    pub async fn start(name: &str) -> TestServer {
        Self::start_at(&fixture(name)).await
    }

    /// Like [`TestServer::start`] for the course directory `root`.
    pub async fn start_at(root: &Path) -> TestServer {
        Self::start_configured(root, |_| {}).await
    }

    /// Like [`TestServer::start`], letting the test set up the server state (a mailer, say).
    pub async fn start_with(name: &str, configure: impl FnOnce(&mut AppState)) -> TestServer {
        Self::start_configured(&fixture(name), configure).await
    }

    /// A server for fixture `name` on the database `spec` (a PostgreSQL URL another
    /// server may share); the accounts are created (again: saving one is idempotent).
    pub async fn start_on(name: &str, spec: &str) -> TestServer {
        Self::start_on_with(name, spec, |_| {}).await
    }

    /// [`TestServer::start_on`], letting the test set up the server state (a mailer, say).
    pub async fn start_on_with(name: &str, spec: &str, configure: impl FnOnce(&mut AppState)) -> TestServer {
        Self::start_store(&fixture(name), Store::open_spec(spec).unwrap(), configure).await
    }

    async fn start_configured(root: &Path, configure: impl FnOnce(&mut AppState)) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let store = test_store(dir.path());
        Self::start_store_in(root, store, configure, dir).await
    }

    /// A server for fixture `name` on `store` (its accounts created in it).
    pub async fn start_store_public(name: &str, store: Store) -> TestServer {
        Self::start_store(&fixture(name), store, |_| {}).await
    }

    async fn start_store(root: &Path, store: Store, configure: impl FnOnce(&mut AppState)) -> TestServer {
        Self::start_store_in(root, store, configure, tempfile::tempdir().unwrap()).await
    }

    async fn start_store_in(root: &Path, store: Store, configure: impl FnOnce(&mut AppState), dir: tempfile::TempDir) -> TestServer {
        // CERTBOOK_TEST_LOG=warn (or info, debug) shows the servers' logs while debugging a test.
        if let Ok(level) = std::env::var("CERTBOOK_TEST_LOG") {
            let _ = tracing_subscriber::fmt().with_env_filter(level).with_test_writer().try_init();
        }
        let (cur, _) = certbook::course::load(root).expect("course loads");
        let site = dir.path().join("site");
        certbook::site::build(&cur, &site).unwrap();
        let hash = certbook::app::accounts::hash_password(PASSWORD).unwrap();
        for (login, role) in [
            ("alice", Role::Learner),
            ("bob", Role::Learner),
            ("ivy", Role::Instructor),
            ("hana", Role::Hr),
            ("root", Role::Admin),
        ] {
            store
                .save_account_blocking(login.into(), login.into(), role, hash.clone(), None, 0)
                .unwrap();
        }
        let clock = Clock::manual(1_800_000_000_000);
        let mut state = AppState::new(cur, store.clone(), site, clock.clone()).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        state.public_url = base.clone();
        configure(&mut state);
        let kept = state.clone();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(certbook::http::serve(listener, state, async {
            let _ = rx.await;
        }));
        TestServer {
            base,
            clock,
            store,
            state: kept,
            _dir: dir,
            shutdown: Some(tx),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A client with its own cookie jar, not logged in.
    pub fn anonymous(&self) -> Client {
        Client {
            http: reqwest::Client::builder().cookie_store(true).build().unwrap(),
            base: self.base.clone(),
            csrf: String::new(),
        }
    }

    /// A client logged in as `user` through the JSON API.
    pub async fn login(&self, user: &str) -> Client {
        let mut c = self.anonymous();
        let r = c.post_json("/api/login", &json!({ "username": user, "password": PASSWORD })).await;
        assert_eq!(r.0, 200, "login as {user}: {}", r.1);
        c.csrf = r.1["csrf"].as_str().unwrap().to_string();
        c
    }
}

pub struct Client {
    pub http: reqwest::Client,
    base: String,
    pub csrf: String,
}

impl Client {
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The same browser (cookies, CSRF token) talking to the server at `base`.
    pub fn with_base(&self, base: &str) -> Client {
        Client {
            http: self.http.clone(),
            base: base.to_string(),
            csrf: self.csrf.clone(),
        }
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let r = self.http.get(format!("{}{}", self.base, path)).send().await.unwrap();
        decode(r).await
    }

    /// POST with a JSON body and this session's CSRF token.
    pub async fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        self.send_json(reqwest::Method::POST, path, body).await
    }

    /// Any method with a JSON body and this session's CSRF token.
    pub async fn send_json(&self, method: reqwest::Method, path: &str, body: &Value) -> (u16, Value) {
        let r = self
            .http
            .request(method, format!("{}{}", self.base, path))
            .header("x-csrf-token", &self.csrf)
            .json(body)
            .send()
            .await
            .unwrap();
        decode(r).await
    }

    /// POST a raw body with a content type.
    pub async fn post_raw(&self, path: &str, content_type: &str, body: &str) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}{}", self.base, path))
            .header("x-csrf-token", &self.csrf)
            .header("content-type", content_type)
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        decode(r).await
    }

    /// Starts (or resumes) an attempt at `quiz`; returns the status and the attempt.
    pub async fn start(&self, quiz: &str) -> (u16, Value) {
        self.post_json(&format!("/api/quizzes/{quiz}/attempts"), &json!({})).await
    }

    pub async fn submit(&self, attempt: &str, answers: Value) -> (u16, Value) {
        self.post_json(&format!("/api/attempts/{attempt}/submit"), &json!({ "answers": answers }))
            .await
    }
}

async fn decode(r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    let v = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, v)
}

/// The logged-in learner `c` earns the fixture track's first level; returns the certificate id.
pub async fn certify(c: &Client) -> String {
    c.post_json("/api/lessons/demo-browser/read", &json!({})).await;
    finish_tiny(c).await;
    let (_, at) = c.start("short").await;
    let (code, r) = c
        .submit(at["id"].as_str().unwrap(), json!({ "q1": "B", "q2": true, "q3": "留存率" }))
        .await;
    assert_eq!(code, 200, "{r}");
    let (_, p) = c.get("/api/progress").await;
    p["certificates"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("certified: {p}"))
        .to_string()
}

/// Alice earns the fixture track's first level (reads the lesson, finishes the tiny
/// sandbox, passes the short quiz); returns her client and the certificate id.
pub async fn certify_alice(s: &TestServer) -> (Client, String) {
    let alice = s.login("alice").await;
    let cert = certify(&alice).await;
    (alice, cert)
}

/// The logged-in learner `c` plays the fixture's tiny sandbox to its end (a score that
/// meets the track's requirement).
pub async fn finish_tiny(c: &Client) {
    let (_, run) = c.post_json("/api/scenarios/tiny/runs", &json!({})).await;
    let id = run["id"].as_str().unwrap().to_string();
    for (round, a) in [(1, 50), (2, 0)] {
        let d = json!({ "round": round, "decisions": { "spend": { "a": a, "b": 0 }, "plan": "safe" } });
        assert_eq!(c.post_json(&format!("/api/runs/{id}/rounds"), &d).await.0, 200);
    }
}

/// HR (hana) imports a certificate of `level` for learner `user`; returns its id.
pub async fn import_certificate(s: &TestServer, user: &str, level: &str) -> String {
    let csv = format!("learner,level,issued\n{user},{level},2026-01-05\n");
    let (code, v) = s
        .login("hana")
        .await
        .post_raw("/api/hr/certificates/import", "text/csv", &csv)
        .await;
    assert_eq!(code, 200, "{v}");
    v["ids"][0]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| panic!("a certificate: {v}"))
}

/// Runs `certbook init DIR ARGS…` (the starter course).
pub fn certbook_init(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_certbook"))
        .arg("init")
        .arg(dir)
        .args(args)
        .output()
        .unwrap()
}

/// Copies the directory tree `from` into `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from).into_iter().flatten() {
        let target = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// Runs `certbook verify FILE ARGS…`, judging dates at the server's (manual) clock
/// unless ARGS give `--at`.
pub async fn certbook_verify(s: &TestServer, file: &Path, args: &[&str]) -> std::process::Output {
    let at = certbook::certify::validity::rfc3339(s.clock.now_ms());
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_certbook"));
    cmd.arg("verify").arg(file).args(args);
    if !args.contains(&"--at") {
        cmd.args(["--at", &at]);
    }
    tokio::task::spawn_blocking(move || cmd.output().unwrap()).await.unwrap()
}

/// stdout and stderr of a finished command, for assertions and failure messages.
pub fn output_text(o: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}
