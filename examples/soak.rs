//! Soak test for `scripts/soak`: a release server under a mixed load (page reads,
//! status reads, logins, quiz submissions) for SECONDS; the server's memory is sampled
//! every five seconds. Prints throughput, p99 latency, errors and the RSS series, and
//! fails if any request errs or memory keeps growing after warm-up.
//!
//! usage: soak CERTBOOK_BIN COURSE_DIR DB USER_PREFIX PASSWORD WORKERS SECONDS

use serde_json::{Value, json};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

fn rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, bin, course, db, prefix, password, workers, seconds] = &args[..] else {
        eprintln!("usage: soak CERTBOOK_BIN COURSE_DIR DB USER_PREFIX PASSWORD WORKERS SECONDS");
        std::process::exit(2);
    };
    let (workers, seconds): (usize, u64) = (workers.parse().unwrap(), seconds.parse().unwrap());
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = Command::new(bin)
        .args(["serve", course, "--port", &port.to_string(), "--db", db, "--out"])
        .arg(std::env::temp_dir().join(format!("certbook-soak-site-{port}")))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the server");
    let probe = reqwest::Client::new();
    for _ in 0..300 {
        if probe.get(format!("{base}/api/issuer")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let stop = Arc::new(AtomicBool::new(false));
    let (ok, errors) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let latencies = Arc::new(std::sync::Mutex::new(Vec::<u32>::new()));
    let mut handles = Vec::new();
    for w in 0..workers {
        let (base, user, password) = (base.clone(), format!("{prefix}{w}"), password.clone());
        let (stop, ok, errors, latencies) = (stop.clone(), ok.clone(), errors.clone(), latencies.clone());
        handles.push(tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .cookie_store(true)
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap();
            let mut csrf = String::new();
            let mut i = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let t = Instant::now();
                // Every 50th step logs in again (a new session); most steps read; some submit.
                let good = if i.is_multiple_of(50) {
                    let r = client
                        .post(format!("{base}/api/login"))
                        .json(&json!({ "username": user, "password": password }))
                        .send()
                        .await;
                    match r {
                        Ok(r) if r.status().is_success() => {
                            csrf = r
                                .json::<Value>()
                                .await
                                .ok()
                                .and_then(|v| v["csrf"].as_str().map(String::from))
                                .unwrap_or_default();
                            true
                        }
                        _ => false,
                    }
                } else if i.is_multiple_of(4) {
                    let started = client
                        .post(format!("{base}/api/quizzes/short/attempts"))
                        .header("x-csrf-token", &csrf)
                        .json(&json!({}))
                        .send()
                        .await;
                    match started {
                        Ok(r) if r.status().is_success() => {
                            let id = r
                                .json::<Value>()
                                .await
                                .ok()
                                .and_then(|v| v["id"].as_str().map(String::from))
                                .unwrap_or_default();
                            client
                                .post(format!("{base}/api/attempts/{id}/submit"))
                                .header("x-csrf-token", &csrf)
                                .json(&json!({ "answers": { "q1": "B", "q2": true, "q3": "留存率" } }))
                                .send()
                                .await
                                .is_ok_and(|r| r.status().is_success())
                        }
                        _ => false,
                    }
                } else {
                    let path = ["/index.html", "/api/quizzes/short", "/api/me", "/demo/demo-types.html"][(i % 4) as usize];
                    client
                        .get(format!("{base}{path}"))
                        .send()
                        .await
                        .is_ok_and(|r| r.status().is_success())
                };
                latencies.lock().unwrap().push(t.elapsed().as_micros() as u32);
                if good {
                    ok.fetch_add(1, Ordering::Relaxed)
                } else {
                    errors.fetch_add(1, Ordering::Relaxed)
                };
                i += 1;
            }
        }));
    }
    let start = Instant::now();
    let mut samples = Vec::new();
    while start.elapsed() < Duration::from_secs(seconds) {
        tokio::time::sleep(Duration::from_secs(5)).await;
        let s = rss_mb(server.id());
        println!(
            "t={:>4.0}s  RSS {:>6.1} MB  requests {}",
            start.elapsed().as_secs_f64(),
            s,
            ok.load(Ordering::Relaxed) + errors.load(Ordering::Relaxed)
        );
        samples.push(s);
    }
    stop.store(true, Ordering::Relaxed);
    for h in handles {
        let _ = h.await;
    }
    let _ = server.kill();
    let _ = server.wait();
    let mut l = latencies.lock().unwrap().clone();
    l.sort_unstable();
    let p = |q: f64| {
        l.get(((l.len() as f64 * q) as usize).min(l.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0) as f64
            / 1000.0
    };
    let (ok, errors) = (ok.load(Ordering::Relaxed), errors.load(Ordering::Relaxed));
    let secs = start.elapsed().as_secs_f64();
    // Growth after warm-up: the last third's peak against the middle third's peak.
    let third = samples.len() / 3;
    let mid = samples[third..2 * third].iter().cloned().fold(0.0, f64::max);
    let end = samples[2 * third..].iter().cloned().fold(0.0, f64::max);
    let growth = if mid > 0.0 { (end - mid) / mid * 100.0 } else { 0.0 };
    println!(
        "{} requests in {secs:.0} s ({:.0}/s), errors {errors}, p50 {:.1} ms, p99 {:.1} ms; RSS middle third {mid:.1} MB, last third {end:.1} MB ({growth:+.1}%)",
        ok + errors,
        (ok + errors) as f64 / secs,
        p(0.5),
        p(0.99)
    );
    let failed = errors > 0 || growth > 10.0;
    println!(
        "{}",
        if failed {
            "FAILED"
        } else {
            "ok: no errors, memory flat after warm-up"
        }
    );
    std::process::exit(i32::from(failed));
}
