//! Load generator for `scripts/bench-serve`: W workers, each logged in as its own
//! learner, loop start-attempt → submit on an unlimited quiz for D seconds against a
//! running server, then print graded submissions per second and latency percentiles.
//!
//! usage: bench_serve BASE_URL USER_PREFIX PASSWORD WORKERS SECONDS QUIZ

use serde_json::{Value, json};
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, base, prefix, password, workers, seconds, quiz] = &args[..] else {
        eprintln!("usage: bench_serve BASE_URL USER_PREFIX PASSWORD WORKERS SECONDS QUIZ");
        std::process::exit(2);
    };
    let workers: usize = workers.parse().unwrap();
    let duration = Duration::from_secs(seconds.parse().unwrap());
    let answers = json!({ "single": "B", "multiple": ["A", "C", "D"], "tf": false, "fill": "留存率", "numeric": 120, "ordering": ["B", "D", "A", "C"], "matching": ["B", "C", "A"] });
    let mut handles = Vec::new();
    let start_all = Instant::now();
    for w in 0..workers {
        let (base, user, password, quiz, answers) = (
            base.clone(),
            format!("{prefix}{w}"),
            password.clone(),
            quiz.clone(),
            answers.clone(),
        );
        handles.push(tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .cookie_store(true)
                .pool_max_idle_per_host(1)
                .build()
                .unwrap();
            let r: Value = client
                .post(format!("{base}/api/login"))
                .json(&json!({"username": user, "password": password}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let csrf = r["csrf"].as_str().expect("login failed").to_string();
            let mut submit_lat = Vec::new();
            let mut start_lat = Vec::new();
            let mut errors = 0u64;
            let deadline = Instant::now() + duration;
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
            (submit_lat, start_lat, errors)
        }));
    }
    let mut submit = Vec::new();
    let mut start = Vec::new();
    let mut errors = 0;
    for h in handles {
        let (s, st, e) = h.await.unwrap();
        submit.extend(s);
        start.extend(st);
        errors += e;
    }
    let elapsed = start_all.elapsed().as_secs_f64();
    submit.sort();
    start.sort();
    let pct = |v: &[Duration], p: f64| {
        v.get(((v.len() as f64 * p) as usize).min(v.len().saturating_sub(1)))
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(f64::NAN)
    };
    println!("workers            {workers}");
    println!("duration           {elapsed:.1} s");
    println!("graded submissions {} ({errors} errors)", submit.len());
    println!("submissions/s      {:.0}", submit.len() as f64 / elapsed);
    println!(
        "submit latency     p50 {:.2} ms  p99 {:.2} ms",
        pct(&submit, 0.50),
        pct(&submit, 0.99)
    );
    println!(
        "start latency      p50 {:.2} ms  p99 {:.2} ms",
        pct(&start, 0.50),
        pct(&start, 0.99)
    );
}
