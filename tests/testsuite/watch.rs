//! `certbook serve --watch`: a good edit goes live without a restart; a broken edit
//! keeps the last good build serving and shows its errors on the instructor page.

use crate::harness::fixture;
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Polls `get` until `done` holds for its body, or fails after 60 s.
async fn eventually(what: &str, mut get: impl AsyncFnMut() -> String, done: impl Fn(&str) -> bool) -> String {
    let start = Instant::now();
    loop {
        let body = get().await;
        if done(&body) {
            return body;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "{what} did not happen; last body:\n{body}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn watch_publishes_good_edits_and_keeps_the_last_good_build_on_a_broken_one() {
    let tmp = tempfile::tempdir().unwrap();
    let course = tmp.path().join("course");
    crate::harness::copy_dir(&fixture("course-ok"), &course);
    let mut child = Command::new(env!("CARGO_BIN_EXE_certbook"))
        .args(["serve", course.to_str().unwrap(), "--port", "0", "--watch", "--demo"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let _server = Server(child);
    let (tx, rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let (etx, erx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = etx.send(line);
        }
    });
    let (mut base, mut password) = (String::new(), String::new());
    while base.is_empty() {
        let line = rx.recv_timeout(Duration::from_secs(120)).expect("server starts");
        if let Some(rest) = line.strip_prefix("serving on ") {
            base = rest.split_whitespace().next().unwrap().to_string();
        }
        if line.trim_start().starts_with("instructor ") {
            password = line.rsplit(' ').next().unwrap().to_string();
        }
    }
    let http = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let r = http
        .post(format!("{base}/api/login"))
        .json(&json!({ "username": "instructor", "password": password }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let get = |path: &str| {
        let (http, url) = (http.clone(), format!("{base}{path}"));
        async move { http.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let lesson = get("/demo/demo-types.html").await;
    assert!(lesson.contains("次日留存率"), "{lesson}");

    // A good edit goes live without a restart.
    let md = course.join("content/demo/m1/01-types.md");
    let text = std::fs::read_to_string(&md).unwrap();
    std::fs::write(&md, text.replace("次日留存率衡量", "七日留存率衡量")).unwrap();
    eventually(
        "the edited lesson going live",
        async || get("/demo/demo-types.html").await,
        |b| b.contains("七日留存率"),
    )
    .await;

    // A broken quiz bank: nothing changes for learners, the instructor page says why.
    let bank = course.join("quizzes/short.toml");
    let good = std::fs::read_to_string(&bank).unwrap();
    std::fs::write(&bank, format!("{good}\nthis is = = broken\n")).unwrap();
    std::fs::write(&md, text.replace("次日留存率衡量", "三十日留存率衡量")).unwrap();
    let page = eventually(
        "the build failure being shown",
        async || get("/instructor/build").await,
        |b| b.contains("quizzes/short.toml"),
    )
    .await;
    assert!(page.contains("最近一次修改没有上线"), "{page}");
    let lesson = get("/demo/demo-types.html").await;
    assert!(
        lesson.contains("七日留存率") && !lesson.contains("三十日"),
        "the last good build stays live"
    );
    let status = http.get(format!("{base}/api/quizzes/short")).send().await.unwrap();
    assert_eq!(status.status(), 200, "the quiz of the last good build still works");
    let log: Vec<String> = erx.try_iter().collect();
    assert!(
        log.iter().any(|l| l.contains("quizzes/short.toml")),
        "the error is in the log: {log:?}"
    );

    // Fixing it publishes the pending edit too.
    std::fs::write(&bank, good).unwrap();
    eventually(
        "the fixed course going live",
        async || get("/demo/demo-types.html").await,
        |b| b.contains("三十日留存率"),
    )
    .await;
    let page = get("/instructor/build").await;
    assert!(page.contains("最近一次构建成功") && !page.contains("short.toml"), "{page}");
}
