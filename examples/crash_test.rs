//! Crash test for `scripts/crash-test`: against a release server it starts itself,
//! W workers submit quiz attempts and mark lessons read as fast as they can; at a
//! random moment the server is killed with SIGKILL. The database is then opened
//! directly and every write that got a success response must be there exactly once,
//! whole. Repeated ROUNDS times on the same database.
//!
//! usage: crash_test CERTBOOK_BIN COURSE_DIR DB USER_PREFIX PASSWORD WORKERS ROUNDS

use rand::Rng;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What a worker was told succeeded: attempt id → percent, and lessons marked read.
#[derive(Default)]
struct Acked {
    attempts: HashMap<String, f64>,
    reads: Vec<(String, String)>,
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

async fn wait_ready(base: &str) {
    let c = reqwest::Client::new();
    for _ in 0..300 {
        if c.get(format!("{base}/api/issuer"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server did not come up");
}

async fn worker(base: String, user: String, password: String, acked: Arc<Mutex<Acked>>) {
    let Ok(client) = reqwest::Client::builder()
        .cookie_store(true)
        .timeout(Duration::from_secs(5))
        .build()
    else {
        return;
    };
    let Ok(r) = client
        .post(format!("{base}/api/login"))
        .json(&json!({ "username": user, "password": password }))
        .send()
        .await
    else {
        return;
    };
    let Ok(me) = r.json::<Value>().await else { return };
    let Some(csrf) = me["csrf"].as_str().map(String::from) else {
        return;
    };
    let answers = json!({ "q1": "B", "q2": true, "q3": "留存率" });
    for i in 0u64.. {
        let Ok(r) = client
            .post(format!("{base}/api/quizzes/short/attempts"))
            .header("x-csrf-token", &csrf)
            .json(&json!({}))
            .send()
            .await
        else {
            return;
        };
        let Ok(a) = r.json::<Value>().await else { return };
        let Some(id) = a["id"].as_str().map(String::from) else { return };
        let Ok(r) = client
            .post(format!("{base}/api/attempts/{id}/submit"))
            .header("x-csrf-token", &csrf)
            .json(&json!({ "answers": answers }))
            .send()
            .await
        else {
            return;
        };
        if r.status().is_success()
            && let Ok(v) = r.json::<Value>().await
        {
            acked.lock().unwrap().attempts.insert(id, v["percent"].as_f64().unwrap_or(-1.0));
        }
        if i % 3 == 0 {
            let lesson = ["demo-types", "demo-limits", "demo-browser"][(i / 3 % 3) as usize];
            if let Ok(r) = client
                .post(format!("{base}/api/lessons/{lesson}/read"))
                .header("x-csrf-token", &csrf)
                .json(&json!({}))
                .send()
                .await
                && r.status().is_success()
            {
                acked.lock().unwrap().reads.push((user.clone(), lesson.to_string()));
            }
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
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let acked = Arc::new(Mutex::new(Acked::default()));
    let mut failures = 0;
    for round in 1..=rounds {
        let mut server = start_server(bin, course, db, port);
        wait_ready(&base).await;
        let handles: Vec<_> = (0..workers)
            .map(|w| tokio::spawn(worker(base.clone(), format!("{prefix}{w}"), password.clone(), acked.clone())))
            .collect();
        let delay = rand::rng().random_range(300..1500);
        tokio::time::sleep(Duration::from_millis(delay)).await;
        let killed_at = Instant::now();
        server.kill().expect("SIGKILL the server"); // Child::kill sends SIGKILL on Unix.
        let _ = server.wait();
        for h in handles {
            let _ = tokio::time::timeout(Duration::from_secs(10), h).await;
        }
        // Check the database directly, as the server would find it on restart.
        let conn = rusqlite::Connection::open(db).unwrap();
        let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        let a = acked.lock().unwrap();
        let (mut found, mut torn) = (0usize, 0usize);
        for (id, percent) in &a.attempts {
            let row: Option<(String, Option<f64>, Option<String>)> = conn
                .query_row("SELECT status, percent, result FROM attempts WHERE id = ?1", [id], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })
                .ok();
            match row {
                Some((status, Some(p), Some(result))) if status == "graded" && p == *percent && !result.is_empty() => found += 1,
                Some(_) => torn += 1,
                None => {}
            }
        }
        // Any graded attempt anywhere missing its result or score is a torn write.
        let torn_any: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM attempts WHERE status = 'graded' AND (result IS NULL OR percent IS NULL OR submitted_at IS NULL)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let duplicates: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM (SELECT user_id, quiz_id FROM attempts WHERE status = 'open' GROUP BY 1, 2 HAVING COUNT(*) > 1)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let mut reads_found = 0;
        for (user, lesson) in &a.reads {
            let n: i64 = conn
                .query_row(
                    "SELECT COUNT(*) FROM lesson_reads l JOIN users u ON u.id = l.user_id WHERE u.username = ?1 AND l.lesson_id = ?2",
                    [user, lesson],
                    |r| r.get(0),
                )
                .unwrap();
            reads_found += usize::from(n == 1);
        }
        let ok =
            found == a.attempts.len() && torn == 0 && torn_any == 0 && duplicates == 0 && reads_found == a.reads.len() && integrity == "ok";
        failures += usize::from(!ok);
        println!(
            "round {round:>2}: killed after {delay} ms; acknowledged {}, found {found}, duplicates {duplicates}, torn {}; reads acknowledged {}, found {reads_found}; integrity {integrity}{}",
            a.attempts.len(),
            torn + torn_any as usize,
            a.reads.len(),
            if ok { "" } else { "  <-- FAILED" }
        );
        let _ = killed_at;
    }
    println!("{rounds} rounds, {failures} failed");
    std::process::exit(i32::from(failures > 0));
}
