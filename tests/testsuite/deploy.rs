//! The documented deployment, for real: Debian's nginx with `docs/deploy/nginx.conf`
//! in front of two `certbook serve --api-only` processes on one PostgreSQL database.
//! Learners log in and take quizzes through nginx; one server is killed with SIGKILL
//! mid-load; every submission nginx acknowledged is stored graded, exactly once, and
//! the survivor serves on.

use crate::harness::{PASSWORD, fresh_pg_database, pg_admin_url};
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A child process killed (SIGKILL) when dropped.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn nginx() -> Option<String> {
    let path = std::env::var("NGINX").unwrap_or_else(|_| "/usr/sbin/nginx".into());
    if Path::new(&path).exists() {
        return Some(path);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "nginx is missing at {path}: .ci/run must install nginx"
    );
    eprintln!("skipping the nginx test: no nginx at {path} (apt-get install nginx)");
    None
}

async fn wait_for(url: &str) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20) {
        if reqwest::get(url).await.is_ok_and(|r| r.status().as_u16() < 500) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{url} did not come up");
}

async fn post(c: &reqwest::Client, url: &str, csrf: &str, body: &Value) -> Option<(u16, Value)> {
    let r = c.post(url).header("x-csrf-token", csrf).json(body).send().await.ok()?;
    let code = r.status().as_u16();
    Some((code, r.json().await.unwrap_or(Value::Null)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_behind_nginx_lose_no_acknowledged_answer_when_one_is_killed() {
    let Some(admin) = pg_admin_url("two_servers_behind_nginx") else {
        return;
    };
    let Some(nginx) = nginx() else { return };
    let db = fresh_pg_database(&admin);
    let course = crate::harness::fixture("course-ok");
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_certbook");
    // The site, built once where nginx reads it; accounts made through the store.
    let site = dir.path().join("site");
    assert!(
        Command::new(bin)
            .arg("build")
            .arg(&course)
            .arg("--out")
            .arg(&site)
            .status()
            .unwrap()
            .success()
    );
    let store = certbook::store::Store::open_spec(&db).unwrap();
    let hash = certbook::app::accounts::hash_password(PASSWORD).unwrap();
    let learners: Vec<String> = (0..6).map(|i| format!("n{i}")).collect();
    for l in &learners {
        store
            .save_account_blocking(l.clone(), l.clone(), certbook::store::Role::Learner, hash.clone(), None, 0)
            .unwrap();
    }
    let (pa, pb, pn) = (free_port(), free_port(), free_port());
    let serve = |port: u16| {
        Proc(
            Command::new(bin)
                .args(["serve", course.to_str().unwrap(), "--api-only", "--trusted-proxy", "127.0.0.1"])
                .args(["--port", &port.to_string(), "--db", &db, "--out"])
                .arg(dir.path().join(format!("unused-{port}")))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        )
    };
    let mut a = Some(serve(pa));
    let _b = serve(pb);
    wait_for(&format!("http://127.0.0.1:{pa}/api/issuer")).await;
    wait_for(&format!("http://127.0.0.1:{pb}/api/issuer")).await;
    // nginx with the documented configuration, placeholders filled in.
    let conf_dir = dir.path().join("nginx");
    std::fs::create_dir_all(conf_dir.join("logs")).unwrap();
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/deploy");
    let conf = std::fs::read_to_string(docs.join("nginx.conf"))
        .unwrap()
        .replace("@LOG_DIR@", conf_dir.join("logs").to_str().unwrap())
        .replace("@RUN_DIR@", conf_dir.to_str().unwrap())
        .replace("@CONF_DIR@", conf_dir.to_str().unwrap())
        .replace("@PORT_A@", &pa.to_string())
        .replace("@PORT_B@", &pb.to_string())
        .replace("@PORT@", &pn.to_string())
        .replace("@SITE@", site.to_str().unwrap());
    let left = conf
        .split('@')
        .skip(1)
        .step_by(2)
        .any(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_uppercase() || c == '_'));
    assert!(!left, "a placeholder is left: {conf}");
    std::fs::write(conf_dir.join("nginx.conf"), conf).unwrap();
    std::fs::copy(docs.join("certbook-proxy.conf"), conf_dir.join("certbook-proxy.conf")).unwrap();
    let _nginx = Proc(
        Command::new(&nginx)
            .args([
                "-p",
                conf_dir.to_str().unwrap(),
                "-c",
                conf_dir.join("nginx.conf").to_str().unwrap(),
            ])
            .args(["-g", "daemon off; user root;"])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap(),
    );
    let base = format!("http://127.0.0.1:{pn}");
    wait_for(&format!("{base}/index.html")).await;
    assert_eq!(
        reqwest::get(format!("{base}/demo/demo-browser.html")).await.unwrap().status(),
        200,
        "nginx serves the site"
    );

    // Each learner loops start → submit through nginx for 6 s; server A dies at 2 s.
    let started = Instant::now();
    let mut tasks = Vec::new();
    for l in learners.clone() {
        let base = base.clone();
        tasks.push(tokio::spawn(async move {
            let c = reqwest::Client::builder().cookie_store(true).build().unwrap();
            let (code, me) = post(&c, &format!("{base}/api/login"), "", &json!({"username": l, "password": PASSWORD}))
                .await
                .expect("login through nginx");
            assert_eq!(code, 200, "{me}");
            let csrf = me["csrf"].as_str().unwrap().to_string();
            let mut acknowledged = Vec::new();
            let mut failures = 0;
            while started.elapsed() < Duration::from_secs(6) {
                let Some((200 | 201, a)) = post(&c, &format!("{base}/api/quizzes/short/attempts"), &csrf, &json!({})).await else {
                    failures += 1;
                    continue;
                };
                let id = a["id"].as_str().unwrap().to_string();
                let answers = json!({ "answers": { "q1": "B", "q2": true, "q3": "留存率" } });
                match post(&c, &format!("{base}/api/attempts/{id}/submit"), &csrf, &answers).await {
                    Some((200, r)) if r["status"] == "graded" => acknowledged.push(id),
                    _ => failures += 1,
                }
            }
            (acknowledged, failures)
        }));
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    drop(a.take()); // SIGKILL, mid-load.
    let mut acknowledged = Vec::new();
    let mut failures = 0;
    for t in tasks {
        let (acks, failed) = t.await.unwrap();
        acknowledged.extend(acks);
        failures += failed;
    }
    assert!(
        acknowledged.len() >= 50,
        "too little load to mean anything: {} acknowledged",
        acknowledged.len()
    );
    // Every acknowledged submission is stored, graded, once.
    let unique: std::collections::BTreeSet<&String> = acknowledged.iter().collect();
    assert_eq!(unique.len(), acknowledged.len(), "an attempt acknowledged twice");
    for id in &acknowledged {
        let row = store
            .attempt_blocking(id.clone())
            .unwrap()
            .unwrap_or_else(|| panic!("acknowledged {id} is not stored"));
        assert_eq!(row.status.as_str(), "graded", "{id}");
    }
    // The kill was felt: nginx found server A gone and sent those requests to B.
    let log = std::fs::read_to_string(conf_dir.join("logs/error.log")).unwrap_or_default();
    assert!(log.contains(&format!("127.0.0.1:{pa}")), "nginx never met the dead server: {log}");
    // The survivor serves on through nginx.
    let c = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let (code, _) = post(
        &c,
        &format!("{base}/api/login"),
        "",
        &json!({"username": "n0", "password": PASSWORD}),
    )
    .await
    .unwrap();
    assert_eq!(code, 200);
    println!(
        "nginx + 2 servers, one killed at 2 s: {} submissions acknowledged and stored once, {failures} requests refused or cut by the kill",
        acknowledged.len()
    );
}
