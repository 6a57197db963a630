//! Load generator for `scripts/bench-serve`: W workers, each logged in as its own
//! learner, loop start-attempt → submit on an unlimited quiz for D seconds against a
//! running server, then print graded submissions per second and latency percentiles.
//!
//! `baseline` mode drives examples/bench_baseline.rs with the same shape (W workers,
//! one keep-alive connection each, D seconds, back to back): each request is one
//! `POST /write` carrying the same answers JSON; it prints requests per second.
//!
//! Both modes end with one machine-readable line for the script:
//! `summary RATE P50_MS P99_MS ERRORS` (RATE: graded submissions/s, or requests/s).
//!
//! usage: bench_serve BASE_URL USER_PREFIX PASSWORD WORKERS SECONDS QUIZ
//!        bench_serve baseline BASE_URL WORKERS SECONDS

use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Barrier;

fn answers() -> Value {
    json!({ "single": "B", "multiple": ["A", "C", "D"], "tf": false, "fill": "留存率", "numeric": 120, "ordering": ["B", "D", "A", "C"], "matching": ["B", "C", "A"] })
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .pool_max_idle_per_host(1)
        .build()
        .unwrap()
}

fn pct(v: &[Duration], p: f64) -> f64 {
    v.get(((v.len() as f64 * p) as usize).min(v.len().saturating_sub(1)))
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(f64::NAN)
}

/// What one worker measured: latencies of the primary request (submit, or the baseline
/// write), of the start request (certbook only), failed iterations, and how long it ran.
type WorkerResult = (Vec<Duration>, Vec<Duration>, u64, Duration);

/// Workers log in first (argon2 is slow on purpose), then all start loading together:
/// the clock runs only over the load, not the logins.
async fn certbook_worker(
    base: String,
    (user, password): (String, String),
    quiz: String,
    duration: Duration,
    go: Arc<Barrier>,
) -> WorkerResult {
    let answers = answers();
    let client = client();
    let login = async {
        let r = client
            .post(format!("{base}/api/login"))
            .json(&json!({"username": user, "password": password}))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let v: Value = r.json().await.map_err(|e| e.to_string())?;
        v["csrf"].as_str().map(String::from).ok_or_else(|| v.to_string())
    };
    let csrf = login.await.unwrap_or_else(|e| {
        eprintln!("login as {user} failed: {e}");
        std::process::exit(1)
    });
    let mut submit_lat = Vec::new();
    let mut start_lat = Vec::new();
    let mut errors = 0u64;
    go.wait().await;
    let began = Instant::now();
    let deadline = began + duration;
    while Instant::now() < deadline {
        let t = Instant::now();
        let a = client
            .post(format!("{base}/api/quizzes/{quiz}/attempts"))
            .header("x-csrf-token", &csrf)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        if !a.status().is_success() {
            errors += 1;
            continue;
        }
        let a: Value = a.json().await.unwrap();
        start_lat.push(t.elapsed());
        let t = Instant::now();
        let r = client
            .post(format!("{base}/api/attempts/{}/submit", a["id"].as_str().unwrap()))
            .header("x-csrf-token", &csrf)
            .json(&json!({ "answers": answers }))
            .send()
            .await
            .unwrap();
        let ok = r.status().is_success();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        if ok && body["percent"] == 100.0 {
            submit_lat.push(t.elapsed());
        } else {
            errors += 1;
        }
    }
    (submit_lat, start_lat, errors, began.elapsed())
}

async fn baseline_worker(base: String, duration: Duration, go: Arc<Barrier>) -> WorkerResult {
    let body = json!({ "answers": answers() });
    let client = client();
    let mut lat = Vec::new();
    let mut errors = 0u64;
    go.wait().await;
    let began = Instant::now();
    let deadline = began + duration;
    while Instant::now() < deadline {
        let t = Instant::now();
        let r = client.post(format!("{base}/write")).json(&body).send().await.unwrap();
        let ok = r.status().is_success();
        let v: Value = r.json().await.unwrap_or(Value::Null);
        if ok && v["id"].is_i64() {
            lat.push(t.elapsed());
        } else {
            errors += 1;
        }
    }
    (lat, Vec::new(), errors, began.elapsed())
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (baseline, base, workers, seconds) = match &args[..] {
        [_, mode, base, workers, seconds] if mode == "baseline" => (true, base, workers, seconds),
        [_, base, _prefix, _password, workers, seconds, _quiz] => (false, base, workers, seconds),
        _ => {
            eprintln!(
                "usage: bench_serve BASE_URL USER_PREFIX PASSWORD WORKERS SECONDS QUIZ\n       bench_serve baseline BASE_URL WORKERS SECONDS"
            );
            std::process::exit(2);
        }
    };
    let workers: usize = workers.parse().unwrap();
    let duration = Duration::from_secs(seconds.parse().unwrap());
    let mut handles = Vec::new();
    let go = Arc::new(Barrier::new(workers));
    for w in 0..workers {
        let (base, go) = (base.clone(), go.clone());
        handles.push(if baseline {
            tokio::spawn(baseline_worker(base, duration, go))
        } else {
            let login = (format!("{}{w}", args[2]), args[3].clone());
            tokio::spawn(certbook_worker(base, login, args[6].clone(), duration, go))
        });
    }
    let mut main_lat = Vec::new();
    let mut start = Vec::new();
    let mut errors = 0;
    let mut elapsed = Duration::ZERO;
    for h in handles {
        let (s, st, e, ran) = h.await.unwrap();
        main_lat.extend(s);
        start.extend(st);
        errors += e;
        elapsed = elapsed.max(ran);
    }
    let elapsed = elapsed.as_secs_f64();
    main_lat.sort();
    start.sort();
    let rate = main_lat.len() as f64 / elapsed;
    println!("workers            {workers}");
    println!("duration           {elapsed:.1} s");
    if baseline {
        println!("writes             {} ({errors} errors)", main_lat.len());
        println!("requests/s         {rate:.0}");
        println!(
            "write latency      p50 {:.2} ms  p99 {:.2} ms",
            pct(&main_lat, 0.50),
            pct(&main_lat, 0.99)
        );
    } else {
        println!("graded submissions {} ({errors} errors)", main_lat.len());
        println!("submissions/s      {rate:.0}");
        println!(
            "submit latency     p50 {:.2} ms  p99 {:.2} ms",
            pct(&main_lat, 0.50),
            pct(&main_lat, 0.99)
        );
        println!(
            "start latency      p50 {:.2} ms  p99 {:.2} ms",
            pct(&start, 0.50),
            pct(&start, 0.99)
        );
    }
    println!("summary {rate:.1} {:.2} {:.2} {errors}", pct(&main_lat, 0.50), pct(&main_lat, 0.99));
}
