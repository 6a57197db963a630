//! HR benchmark: a fresh database with LEARNERS learners (default 100,000), each with
//! ATTEMPTS graded quiz attempts (default 50) spread over the bundled course's quizzes,
//! a finished sandbox run and, for a third of them, a certificate. Then it times the
//! HR dashboard over HTTP and streams the full learners CSV export, printing the
//! process's peak memory before and after. Run with scripts/bench-hr.

use certbook::clock::Clock;
use certbook::http::AppState;
use certbook::store::{Role, SeededAttempt, SeededCertificate, SeededLearner, SeededRun, Store};
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
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let day = 86_400_000i64;
    let t0 = 1_780_000_000_000i64;
    // Drawn one learner at a time, inside the write, so the history is never all in memory.
    let history = (1..=learners).map(move |u| {
        let created = t0 + rng.random_range(0..90) * day;
        let attempts = (0..per)
            .map(|a| {
                let pct: f64 = rng.random_range(20..=100) as f64;
                let q = &q2[rng.random_range(0..q2.len())];
                SeededAttempt {
                    quiz_id: q.clone(),
                    at: created + a * 3_600_000,
                    percent: pct,
                    passed: pct >= 60.0,
                }
            })
            .collect();
        let score: i64 = rng.random_range(20..=95);
        let certificate = (u % 3 == 0 && !l2.is_empty()).then(|| SeededCertificate {
            track_id: "dlo".into(),
            level_id: l2[0].clone(),
            issued_at: created + rng.random_range(5..60) * day,
        });
        SeededLearner {
            username: format!("learner{u:06}"),
            password_hash: h2.clone(),
            created_at: created,
            cohort: format!("2026-{}", u % 4 + 1),
            department: ["运营部", "市场部", "客服部", "电商部"][(u % 4) as usize].to_string(),
            attempts,
            run: Some(SeededRun {
                scenario_id: "growth".into(),
                rounds: 6,
                at: created + day,
                score,
            }),
            certificate,
        }
    });
    // Results are recorded in the HR figures the way the server does when it grades.
    store.seed_learners_blocking(history)?;
    store.analyze_blocking()?;
    println!(
        "generated {learners} learners × {per} graded attempts ({} attempts) in {:.1} s",
        learners * per,
        started.elapsed().as_secs_f64()
    );
    store.save_account_blocking("hr".into(), "HR".into(), Role::Hr, hash, None, 0)?;

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
