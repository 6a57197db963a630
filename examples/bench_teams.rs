//! Load on a team session: N learners (default 300) in teams of four play the
//! bundled 用户增长沙盘, every one of them with the session page's event stream open.
//! Each round the instructor opens it, every team's captain submits, and the last
//! submission resolves the round; the script reports how long until every client has
//! read the resolved round (event → read of the session), beside a baseline: one
//! client's read of the same session with nothing else going on, in the same run.
//! Run with scripts/bench-teams.

use certbook::clock::Clock;
use certbook::http::AppState;
use certbook::store::{Role, Store};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const PASSWORD: &str = "bench-password-123";

async fn login(base: &str, user: &str) -> anyhow::Result<(reqwest::Client, String)> {
    let c = reqwest::Client::builder().cookie_store(true).build()?;
    let v: Value = c
        .post(format!("{base}/api/login"))
        .json(&json!({ "username": user, "password": PASSWORD }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok((c, v["csrf"].as_str().unwrap_or_default().to_string()))
}

async fn post(c: &(reqwest::Client, String), url: String, body: Value) -> anyhow::Result<Value> {
    let r = c.0.post(url).header("x-csrf-token", &c.1).json(&body).send().await?;
    let status = r.status();
    let v: Value = r.json().await?;
    anyhow::ensure!(status.is_success(), "{status}: {v}");
    Ok(v)
}

fn pct(v: &[f64], p: f64) -> f64 {
    v[((v.len() as f64 * p) as usize).min(v.len() - 1)]
}

/// One learner's page: waits on the event stream for each round to resolve, then
/// reads the session as the page does; sends the time it had round `r` resolved.
async fn listener(
    base: String,
    client: reqwest::Client,
    id: String,
    rounds: u32,
    tx: tokio::sync::mpsc::UnboundedSender<(u32, Instant)>,
) -> anyhow::Result<()> {
    let mut stream = client
        .get(format!("{base}/api/team-sessions/{id}/events"))
        .send()
        .await?
        .error_for_status()?;
    let mut have = 0;
    let mut buf = String::new();
    while have < rounds {
        let Some(chunk) = stream.chunk().await? else {
            anyhow::bail!("the stream ended")
        };
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buf.find("\n\n") {
            let event: String = buf.drain(..end + 2).collect();
            let Some(data) = event.lines().find_map(|l| l.strip_prefix("data:")) else {
                continue;
            };
            let pulse: Value = serde_json::from_str(data.trim())?;
            let round = pulse["round"].as_u64().unwrap_or(0) as u32;
            if round > have {
                // As the page does: the round moved, so read the session now.
                let v: Value = client.get(format!("{base}/api/team-sessions/{id}")).send().await?.json().await?;
                let got = v["round"].as_u64().unwrap_or(0) as u32;
                for r in have + 1..=got {
                    let _ = tx.send((r, Instant::now()));
                }
                have = got;
            }
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let learners: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(300);
    let rounds: u32 = std::env::args().nth(2).and_then(|s| s.parse().ok()).unwrap_or(3);
    let (cur, _) = certbook::course::load(std::path::Path::new("."))?;
    let dir = tempfile::tempdir()?;
    let store = Store::open(&dir.path().join("bench.db"))?;
    let hash = certbook::app::accounts::hash_password(PASSWORD)?;
    for i in 0..learners {
        store.save_account_blocking(format!("p{i:04}"), format!("学员{i}"), Role::Learner, hash.clone(), None, 0)?;
    }
    store.save_account_blocking("ivy".into(), "讲师".into(), Role::Instructor, hash, None, 0)?;
    let site = dir.path().join("site");
    std::fs::create_dir_all(&site)?;
    let mut state = AppState::new(cur, store, site, Clock::system())?;
    state.api_only = true;
    let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", tcp.local_addr()?);
    tokio::spawn(certbook::http::serve(tcp, state, std::future::pending()));

    let ivy = login(&base, "ivy").await?;
    let csv: String = (0..learners).map(|i| format!("p{i:04},T{:03}\n", i / 4)).collect();
    let created = post(
        &ivy,
        format!("{base}/api/team-sessions"),
        json!({ "scenario": "growth", "form": "csv", "csv": csv }),
    )
    .await?;
    let id = created["id"].as_str().unwrap_or_default().to_string();
    let teams = created["teams"].as_array().map_or(0, Vec::len);
    println!("{learners} learners in {teams} teams on growth; logging everyone in (argon2)…");
    let started = Instant::now();
    let mut clients = Vec::new();
    for chunk in (0..learners).collect::<Vec<_>>().chunks(16) {
        let names: Vec<String> = chunk.iter().map(|i| format!("p{i:04}")).collect();
        let logins = names.iter().map(|n| login(&base, n));
        for c in futures_util::future::join_all(logins).await {
            clients.push(c?);
        }
    }
    println!(
        "logged in in {:.1} s; opening {learners} event streams",
        started.elapsed().as_secs_f64()
    );
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    for c in &clients {
        tokio::spawn(listener(base.clone(), c.0.clone(), id.clone(), rounds, tx.clone()));
    }
    drop(tx);
    tokio::time::sleep(Duration::from_secs(2)).await;

    // Baseline: one read of the session, with the streams idle.
    let mut base_ms = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        ivy.0.get(format!("{base}/api/team-sessions/{id}")).send().await?.bytes().await?;
        base_ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    base_ms.sort_by(f64::total_cmp);

    println!(
        "{:>6} {:>10} {:>10} {:>10} {:>10} {:>14}",
        "round", "clients", "p50 ms", "p95 ms", "max ms", "submit all s"
    );
    let mut got: Vec<Vec<Instant>> = vec![Vec::new(); rounds as usize + 1];
    for r in 1..=rounds {
        post(
            &ivy,
            format!("{base}/api/team-sessions/{id}/control"),
            json!({ "action": "open", "minutes": 30 }),
        )
        .await?;
        let t0 = Instant::now();
        // Every captain (the first member of each team) submits the team's round.
        let mut resolved_at = None;
        for t in 0..teams {
            let v = post(
                &clients[t * 4],
                format!("{base}/api/team-sessions/{id}/confirm"),
                json!({ "round": r }),
            )
            .await?;
            if v["round"].as_u64() == Some(r as u64) {
                resolved_at = Some(Instant::now());
            }
        }
        let resolved_at = resolved_at.ok_or_else(|| anyhow::anyhow!("round {r} did not resolve"))?;
        let deadline = Instant::now() + Duration::from_secs(30);
        while got[r as usize].len() < learners && Instant::now() < deadline {
            match tokio::time::timeout(Duration::from_secs(5), rx.recv()).await {
                Ok(Some((round, at))) => got[round as usize].push(at),
                _ => break,
            }
        }
        let mut ms: Vec<f64> = got[r as usize]
            .iter()
            .map(|at| at.saturating_duration_since(resolved_at).as_secs_f64() * 1e3)
            .collect();
        ms.sort_by(f64::total_cmp);
        anyhow::ensure!(!ms.is_empty(), "no client saw round {r}");
        println!(
            "{r:>6} {:>10} {:>10.0} {:>10.0} {:>10.0} {:>14.2}",
            ms.len(),
            pct(&ms, 0.5),
            pct(&ms, 0.95),
            ms[ms.len() - 1],
            resolved_at.duration_since(t0).as_secs_f64()
        );
    }
    println!(
        "baseline: one read of the session with the streams idle: median {:.1} ms, max {:.1} ms",
        pct(&base_ms, 0.5),
        base_ms[base_ms.len() - 1]
    );
    println!("goal: every client has the result within 1,000 ms of the round resolving");
    Ok(())
}
