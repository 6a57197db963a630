//! HR benchmark: a fresh database with LEARNERS learners (default 100,000), each with
//! ATTEMPTS graded quiz attempts (default 50) spread over the bundled course's quizzes,
//! a finished sandbox run and, for a third of them, a certificate. Then it times the
//! HR dashboard over HTTP and streams the full learners CSV export, printing the
//! process's peak memory before and after. Run with scripts/bench-hr.

use certbook::clock::Clock;
use certbook::http::AppState;
use certbook::store::{Role, Store};
use rand::{Rng, SeedableRng};
use std::time::Instant;

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let learners: i64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let per: i64 = std::env::args().nth(2).and_then(|s| s.parse().ok()).unwrap_or(50);
    let root = std::path::Path::new(".");
    let (cur, _) = certbook::course::load(root).map_err(|d| anyhow::anyhow!("course does not load: {} errors", d.errors()))?;
    let dir = tempfile::tempdir()?;
    let store = Store::open(&dir.path().join("bench.db"))?;
    let quizzes: Vec<String> = cur.quizzes.keys().cloned().collect();
    let levels: Vec<String> = cur.track.iter().flat_map(|t| t.levels.iter().map(|l| l.id.clone())).collect();
    let hash = certbook::app::accounts::hash_password("bench-password-123")?;
    let started = Instant::now();
    let (q2, h2, l2) = (quizzes.clone(), hash.clone(), levels.clone());
    store.write_blocking(move |tx| {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut user = tx.prepare("INSERT INTO users (username, display_name, role, password_hash, created_at, cohort, department) VALUES (?1, ?1, 'learner', ?2, ?3, ?4, ?5)")?;
        let mut attempt = tx.prepare(
            "INSERT INTO attempts (id, user_id, quiz_id, seed, question_ids, started_at, status, submitted_at, answers, score, max_score, percent, passed)
             VALUES (?1, ?2, ?3, 0, '[]', ?4, 'graded', ?4, '{}', ?5, 100, ?5, ?6)",
        )?;
        let mut run = tx.prepare(
            "INSERT INTO runs (id, user_id, scenario_id, version, seed, decisions, rounds_played, status, started_at, updated_at, finished_at, score)
             VALUES (?1, ?2, 'growth', 1, 1, '[]', 6, 'finished', ?3, ?3, ?3, ?4)",
        )?;
        let mut cert = tx.prepare("INSERT INTO certificates (id, user_id, track_id, level_id, issued_at, evidence) VALUES (?1, ?2, 'dlo', ?3, ?4, '{}')")?;
        let day = 86_400_000i64;
        let t0 = 1_780_000_000_000i64;
        for u in 1..=learners {
            let created = t0 + rng.random_range(0..90) * day;
            user.execute(rusqlite::params![format!("learner{u:06}"), h2, created, format!("2026-{}", u % 4 + 1), ["运营部", "市场部", "客服部", "电商部"][(u % 4) as usize]])?;
            for a in 0..per {
                let pct: f64 = rng.random_range(20..=100) as f64;
                let q = &q2[rng.random_range(0..q2.len())];
                attempt.execute(rusqlite::params![format!("{u}-{a}"), u, q, created + a * 3_600_000, pct, pct >= 60.0])?;
                // The same bookkeeping the server does when it grades an attempt.
                certbook::store::record_result(tx, u, "quiz", q, pct, created + a * 3_600_000)?;
            }
            let score: i64 = rng.random_range(20..=95);
            run.execute(rusqlite::params![format!("r{u}"), u, created + day, score])?;
            certbook::store::record_result(tx, u, "scenario", "growth", score as f64, created + day)?;
            if u % 3 == 0 && !l2.is_empty() {
                cert.execute(rusqlite::params![format!("CB-{u}"), u, l2[0], created + rng.random_range(5..60) * day])?;
            }
        }
        Ok(())
    })?;
    store.write_blocking(|tx| Ok(tx.execute_batch("ANALYZE")?))?;
    println!(
        "generated {learners} learners × {per} graded attempts ({} attempts) in {:.1} s",
        learners * per,
        started.elapsed().as_secs_f64()
    );
    store.write_blocking(move |tx| certbook::store::upsert_user(tx, "hr", "HR", Role::Hr, &hash, 0))?;

    let site = dir.path().join("site");
    std::fs::create_dir_all(&site)?;
    let state = AppState::new(cur, store, site, Clock::system())?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(certbook::http::serve(listener, state, std::future::pending()));
    let client = reqwest::Client::builder().cookie_store(true).build()?;
    client
        .post(format!("{base}/api/login"))
        .json(&serde_json::json!({ "username": "hr", "password": "bench-password-123" }))
        .send()
        .await?
        .error_for_status()?;
    println!("peak RSS before the reports: {:.0} MB", peak_rss_mb());
    for (label, q) in [
        ("dashboard (everyone)", ""),
        ("dashboard (one cohort)", "?cohort=2026-2"),
        (
            "dashboard (cohort + department)",
            "?cohort=2026-2&department=%E5%B8%82%E5%9C%BA%E9%83%A8",
        ),
    ] {
        let mut times = Vec::new();
        for _ in 0..3 {
            let t = Instant::now();
            let r = client.get(format!("{base}/api/hr/dashboard{q}")).send().await?.error_for_status()?;
            let _ = r.bytes().await?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{label:<34} median {:>7.0} ms (of 3: {:.0} / {:.0} / {:.0})",
            times[1], times[0], times[1], times[2]
        );
    }
    let t = Instant::now();
    let mut r = client
        .get(format!("{base}/api/hr/export/learners.csv"))
        .send()
        .await?
        .error_for_status()?;
    let (mut bytes, mut rows) = (0usize, 0usize);
    while let Some(chunk) = r.chunk().await? {
        bytes += chunk.len();
        rows += chunk.iter().filter(|b| **b == b'\n').count();
    }
    println!(
        "learners CSV export: {rows} lines, {:.1} MB in {:.1} s; peak RSS after: {:.0} MB",
        bytes as f64 / 1e6,
        t.elapsed().as_secs_f64(),
        peak_rss_mb()
    );
    Ok(())
}
