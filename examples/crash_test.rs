//! Crash test for `scripts/crash-test`: against a release server it starts itself,
//! W workers (one learner each) submit quiz attempts and mark lessons read as fast as
//! they can; at a random moment (after a random 150-600 acknowledged submissions) the
//! server is killed with SIGKILL. The database is then opened directly and every write
//! that got a success response, in this round or any earlier one, must be there
//! exactly once, whole. Repeated ROUNDS times on the same database.
//!
//! Each learner is one browser for the whole run: its cookie jar (session and the
//! HttpOnly device cookie the server binds an open attempt to) survives the restarts,
//! so after a crash it resumes its own open attempt like a real browser would. A
//! worker that stops for any reason other than the server being killed fails the run,
//! as does a round in which fewer than MIN_ACKED_PER_ROUND submissions are acknowledged
//! (a crash test that writes nothing proves nothing).
//!
//! CRASH_TEST_DROP_COOKIES=1 makes every round a fresh browser (new cookie jar, new
//! login): a self-test that the run does fail — the learner's open attempt left by
//! the killed round is bound to the old device, so the new one is refused (409).
//!
//! usage: crash_test CERTBOOK_BIN COURSE_DIR DB USER_PREFIX PASSWORD WORKERS ROUNDS

use rand::Rng;
use reqwest::cookie::Jar;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A round that acknowledges fewer graded submissions than this fails.
const MIN_ACKED_PER_ROUND: usize = 100;
/// The server is killed once the round has acknowledged a random number of submissions
/// in this range (then after a random 0-100 ms more), so the moment of the crash is
/// random but every round writes enough to mean something however fast the server is.
const KILL_AFTER_ACKED: std::ops::RangeInclusive<usize> = 150..=600;
/// A round whose workers do not get there in this time is killed anyway (and fails).
const ROUND_TIMEOUT: Duration = Duration::from_secs(30);

/// What the workers were told succeeded: attempt id → percent, and lessons marked read.
#[derive(Clone, Default)]
struct Acked {
    attempts: HashMap<String, f64>,
    reads: HashSet<(String, String)>,
}

/// One learner's browser: kept across rounds (unless CRASH_TEST_DROP_COOKIES is set).
struct Browser {
    user: String,
    jar: Arc<Jar>,
    /// Logged in during an earlier round: the session cookie is in the jar.
    logged_in: bool,
}

/// What one worker did in a round.
#[derive(Default)]
struct Tally {
    submits: usize,
    resumed: usize,
    reads: usize,
}

/// Shared by the workers of one round.
struct Round {
    base: String,
    password: String,
    acked: Arc<Mutex<Acked>>,
    /// Set just before the SIGKILL: from then on, a failed request is expected.
    killed: AtomicBool,
    /// Workers logged in and about to write.
    ready: AtomicUsize,
    /// Submissions acknowledged this round.
    submits: AtomicUsize,
}

impl Round {
    /// Why the worker stopped, as the run's verdict: `Ok` when the server was killed.
    fn stop(&self, why: String) -> Result<(), String> {
        if self.killed.load(Ordering::SeqCst) { Ok(()) } else { Err(why) }
    }
}

fn start_server(bin: &str, course: &str, db: &str, port: u16) -> Child {
    Command::new(bin)
        .args(["serve", course, "--port", &port.to_string(), "--db", db, "--out"])
        .arg(std::env::temp_dir().join(format!("certbook-crash-site-{port}")))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the server")
}

async fn wait_ready(base: &str, server: &mut Child) -> Result<(), String> {
    let c = reqwest::Client::new();
    for _ in 0..300 {
        if c.get(format!("{base}/api/issuer"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return Ok(());
        }
        if let Ok(Some(status)) = server.try_wait() {
            return Err(format!("the server exited on start ({status})"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err("the server did not come up in 30 s".into())
}

/// Sends a request: the status and JSON body of a success; a transport error or any
/// other status is an `Err` describing it.
async fn send(req: reqwest::RequestBuilder, what: &str) -> Result<(reqwest::StatusCode, Value), String> {
    let r = req.send().await.map_err(|e| format!("{what}: {e}"))?;
    let status = r.status();
    let body = r.text().await.map_err(|e| format!("{what}: reading the body: {e}"))?;
    if !status.is_success() {
        return Err(format!("{what}: {status} {body}"));
    }
    let v = serde_json::from_str(&body).map_err(|e| format!("{what}: bad JSON ({e}): {body}"))?;
    Ok((status, v))
}

async fn worker(round: Arc<Round>, browser: Arc<Mutex<Browser>>) -> (Tally, Result<(), String>) {
    let mut tally = Tally::default();
    let result = work(&round, &browser, &mut tally).await;
    (tally, result)
}

async fn work(round: &Round, browser: &Mutex<Browser>, tally: &mut Tally) -> Result<(), String> {
    let base = &round.base;
    let (user, jar, logged_in) = {
        let b = browser.lock().unwrap();
        (b.user.clone(), b.jar.clone(), b.logged_in)
    };
    let client = reqwest::Client::builder()
        .cookie_provider(jar)
        .timeout(Duration::from_secs(5))
        .build()
        .map_err(|e| format!("building the client: {e}"))?;
    // A browser that logged in before reloads the page (its session cookie was
    // acknowledged, so it must still work after the crash); a new one logs in.
    let me = if logged_in {
        send(client.get(format!("{base}/api/me")), "GET /api/me (session from an earlier round)").await
    } else {
        send(
            client
                .post(format!("{base}/api/login"))
                .json(&json!({ "username": user, "password": round.password })),
            "POST /api/login",
        )
        .await
    };
    let me = match me {
        Ok((_, v)) => v,
        Err(e) => return round.stop(e),
    };
    let Some(csrf) = me["csrf"].as_str().map(String::from) else {
        return round.stop(format!("no csrf token in {me}"));
    };
    browser.lock().unwrap().logged_in = true;
    round.ready.fetch_add(1, Ordering::SeqCst);
    let answers = json!({ "q1": "B", "q2": true, "q3": "留存率" });
    let mut i = 0u64;
    loop {
        let start = send(
            client
                .post(format!("{base}/api/quizzes/short/attempts"))
                .header("x-csrf-token", &csrf)
                .json(&json!({})),
            "POST /api/quizzes/short/attempts",
        )
        .await;
        let a = match start {
            Ok((status, a)) => {
                // 200: the open attempt left by the killed round, resumed on this device.
                tally.resumed += usize::from(status == reqwest::StatusCode::OK);
                a
            }
            Err(e) => return round.stop(e),
        };
        let Some(id) = a["id"].as_str().map(String::from) else {
            return round.stop(format!("no attempt id in {a}"));
        };
        let r = send(
            client
                .post(format!("{base}/api/attempts/{id}/submit"))
                .header("x-csrf-token", &csrf)
                .json(&json!({ "answers": answers })),
            "POST /api/attempts/{id}/submit",
        )
        .await;
        match r {
            Ok((_, v)) => {
                let Some(percent) = v["percent"].as_f64() else {
                    return round.stop(format!("submit acknowledged without a percent: {v}"));
                };
                round.acked.lock().unwrap().attempts.insert(id, percent);
                round.submits.fetch_add(1, Ordering::SeqCst);
                tally.submits += 1;
            }
            Err(e) => return round.stop(e),
        }
        if i.is_multiple_of(3) {
            let lesson = ["demo-types", "demo-limits", "demo-browser"][(i / 3 % 3) as usize];
            let r = send(
                client
                    .post(format!("{base}/api/lessons/{lesson}/read"))
                    .header("x-csrf-token", &csrf)
                    .json(&json!({})),
                "POST /api/lessons/{id}/read",
            )
            .await;
            match r {
                Ok(_) => {
                    round.acked.lock().unwrap().reads.insert((user.clone(), lesson.to_string()));
                    tally.reads += 1;
                }
                Err(e) => return round.stop(e),
            }
        }
        i += 1;
    }
}

/// The database as the server left it: the SQLite file, or a PostgreSQL database (URL).
enum Db {
    Lite(rusqlite::Connection),
    Pg(tokio_postgres::Client),
}

impl Db {
    async fn open(spec: &str) -> Db {
        if spec.starts_with("postgres://") || spec.starts_with("postgresql://") {
            let (client, connection) = tokio_postgres::connect(spec, tokio_postgres::NoTls).await.unwrap();
            tokio::spawn(connection);
            Db::Pg(client)
        } else {
            Db::Lite(rusqlite::Connection::open(spec).unwrap())
        }
    }

    /// SQLite's integrity check; PostgreSQL checks its own pages.
    async fn integrity(&self) -> String {
        match self {
            Db::Lite(c) => c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap(),
            Db::Pg(_) => "ok".into(),
        }
    }

    /// `sql` with `$N` parameters (SQLite reads them as `?N`).
    async fn count(&self, sql: &str, params: &[&String]) -> i64 {
        match self {
            Db::Lite(c) => c
                .query_row(&sql.replace('$', "?"), rusqlite::params_from_iter(params.iter()), |r| r.get(0))
                .unwrap(),
            Db::Pg(c) => {
                let p: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
                    params.iter().map(|s| *s as &(dyn tokio_postgres::types::ToSql + Sync)).collect();
                c.query_one(sql, &p).await.unwrap().get(0)
            }
        }
    }

    /// An attempt's status, percent and result.
    async fn attempt(&self, id: &str) -> Option<(String, Option<f64>, Option<String>)> {
        const SQL: &str = "SELECT status, percent, result FROM attempts WHERE id = $1";
        match self {
            Db::Lite(c) => c
                .query_row(&SQL.replace('$', "?"), [id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .ok(),
            Db::Pg(c) => c.query_opt(SQL, &[&id]).await.unwrap().map(|r| (r.get(0), r.get(1), r.get(2))),
        }
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, bin, course, db, prefix, password, workers, rounds] = &args[..] else {
        eprintln!("usage: crash_test CERTBOOK_BIN COURSE_DIR DB USER_PREFIX PASSWORD WORKERS ROUNDS");
        std::process::exit(2);
    };
    let (workers, rounds): (usize, usize) = (workers.parse().unwrap(), rounds.parse().unwrap());
    let drop_cookies = std::env::var_os("CRASH_TEST_DROP_COOKIES").is_some_and(|v| v != "0" && !v.is_empty());
    if drop_cookies {
        println!("CRASH_TEST_DROP_COOKIES: every round is a fresh browser (this run is expected to FAIL)");
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let acked = Arc::new(Mutex::new(Acked::default()));
    let new_browser = |w: usize| {
        Arc::new(Mutex::new(Browser {
            user: format!("{prefix}{w}"),
            jar: Arc::new(Jar::default()),
            logged_in: false,
        }))
    };
    let mut browsers: Vec<_> = (0..workers).map(new_browser).collect();
    let mut failures = 0;
    for round_no in 1..=rounds {
        if drop_cookies {
            browsers = (0..workers).map(new_browser).collect();
        }
        let mut problems: Vec<String> = Vec::new();
        let mut server = start_server(bin, course, db, port);
        if let Err(e) = wait_ready(&base, &mut server).await {
            let _ = server.kill();
            let _ = server.wait();
            println!("round {round_no:>2}: {e}  <-- FAILED");
            failures += 1;
            // Without a server nothing further can be checked.
            failures += rounds - round_no;
            break;
        }
        let round = Arc::new(Round {
            base: base.clone(),
            password: password.clone(),
            acked: acked.clone(),
            killed: AtomicBool::new(false),
            ready: AtomicUsize::new(0),
            submits: AtomicUsize::new(0),
        });
        let mut handles: Vec<_> = browsers.iter().map(|b| tokio::spawn(worker(round.clone(), b.clone()))).collect();
        // Every worker logs in (or gives up), then they write until the round has
        // acknowledged a random number of submissions: then SIGKILL, mid-write.
        let waited = Instant::now();
        while round.ready.load(Ordering::SeqCst) < workers && !handles.iter().any(|h| h.is_finished()) && waited.elapsed() < ROUND_TIMEOUT {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let writing = Instant::now();
        let (target, jitter) = {
            let mut rng = rand::rng();
            (rng.random_range(KILL_AFTER_ACKED), rng.random_range(0..=100u64))
        };
        while round.submits.load(Ordering::SeqCst) < target && !handles.iter().all(|h| h.is_finished()) && writing.elapsed() < ROUND_TIMEOUT
        {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        tokio::time::sleep(Duration::from_millis(jitter)).await;
        let delay = writing.elapsed().as_millis();
        round.killed.store(true, Ordering::SeqCst);
        server.kill().expect("SIGKILL the server"); // Child::kill sends SIGKILL on Unix.
        let _ = server.wait();
        let mut tally = Tally::default();
        for (w, h) in handles.drain(..).enumerate() {
            match tokio::time::timeout(Duration::from_secs(10), h).await {
                Ok(Ok((t, result))) => {
                    tally.submits += t.submits;
                    tally.resumed += t.resumed;
                    tally.reads += t.reads;
                    if let Err(why) = result {
                        problems.push(format!("worker {w} ({prefix}{w}) stopped before the kill: {why}"));
                    }
                }
                Ok(Err(e)) => problems.push(format!("worker {w} panicked: {e}")),
                Err(_) => problems.push(format!("worker {w} still running 10 s after the kill")),
            }
        }
        if tally.submits < MIN_ACKED_PER_ROUND {
            problems.push(format!(
                "only {} submissions acknowledged this round (at least {MIN_ACKED_PER_ROUND} required)",
                tally.submits
            ));
        }
        // Check the database directly, as the server would find it on restart.
        let conn = Db::open(db).await;
        let integrity = conn.integrity().await;
        // A copy: the checks below await, and the workers have stopped.
        let a = acked.lock().unwrap().clone();
        let (mut found, mut torn) = (0usize, 0usize);
        for (id, percent) in &a.attempts {
            match conn.attempt(id).await {
                Some((status, Some(p), Some(result))) if status == "graded" && p == *percent && !result.is_empty() => found += 1,
                Some(_) => torn += 1,
                None => {}
            }
        }
        // Any graded attempt anywhere missing its result or score is a torn write.
        let torn_any = conn
            .count(
                "SELECT COUNT(*) FROM attempts WHERE status = 'graded' AND (result IS NULL OR percent IS NULL OR submitted_at IS NULL)",
                &[],
            )
            .await;
        let duplicates = conn
            .count(
                "SELECT COUNT(*) FROM (SELECT user_id, quiz_id FROM attempts WHERE status = 'open' GROUP BY 1, 2 HAVING COUNT(*) > 1) d",
                &[],
            )
            .await;
        let mut reads_found = 0;
        for (user, lesson) in &a.reads {
            let n = conn
                .count(
                    "SELECT COUNT(*) FROM lesson_reads l JOIN users u ON u.id = l.user_id WHERE u.username = $1 AND l.lesson_id = $2",
                    &[user, lesson],
                )
                .await;
            reads_found += usize::from(n == 1);
        }
        let missing = a.attempts.len() - found - torn;
        let torn = torn + torn_any as usize;
        if missing > 0 || torn > 0 || duplicates > 0 {
            problems.push(format!(
                "{missing} acknowledged submissions missing, {torn} torn, {duplicates} duplicate open attempts"
            ));
        }
        if reads_found != a.reads.len() {
            problems.push(format!("{} acknowledged lesson reads missing", a.reads.len() - reads_found));
        }
        if integrity != "ok" {
            problems.push(format!("integrity_check: {integrity}"));
        }
        let ok = problems.is_empty();
        failures += usize::from(!ok);
        println!(
            "round {round_no:>2}: killed {delay} ms in ({:.0}/s); this round acknowledged {} submissions ({} resumed attempts), {} reads; \
             cumulative acknowledged {}, found {found}, missing {missing}, duplicates {duplicates}, torn {torn}; \
             reads acknowledged {}, found {reads_found}; integrity {integrity}{}",
            tally.submits as f64 / (delay.max(1) as f64 / 1000.0),
            tally.submits,
            tally.resumed,
            tally.reads,
            a.attempts.len(),
            a.reads.len(),
            if ok { "" } else { "  <-- FAILED" }
        );
        for p in &problems {
            println!("          {p}");
        }
    }
    println!("{} passed, {failures} failed", rounds - failures);
    std::process::exit(i32::from(failures > 0));
}
