//! An English course gets an English interface end to end on the server side: API
//! bodies (progress, errors of every kind), the signed credential and the PDF
//! certificate carry no Chinese. (The pages and widgets are checked in a11y.rs.)

use crate::harness::TestServer;
use serde_json::{Value, json};

fn chinese(text: &str) -> Vec<String> {
    let cjk = |c: char| {
        ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3000}'..='\u{303f}').contains(&c) || ('\u{ff01}'..='\u{ff5e}').contains(&c)
    };
    text.lines()
        .filter(|l| l.chars().any(cjk))
        .map(|l| l.chars().take(160).collect())
        .take(5)
        .collect()
}

#[tokio::test]
async fn an_english_course_answers_in_english_everywhere_on_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("course");
    assert!(crate::harness::certbook_init(&root, &["--lang", "en"]).status.success());
    let s = TestServer::start_at(&root).await;
    let mut found: Vec<(String, Vec<String>)> = Vec::new();
    let mut check = |what: &str, text: &str| {
        let c = chinese(text);
        if !c.is_empty() {
            found.push((what.to_string(), c));
        }
    };

    // Errors of every kind: each has a code and an English message.
    let anon = s.anonymous();
    let alice = s.login("alice").await;
    let errors: Vec<(&str, (u16, Value))> = vec![
        ("not logged in", anon.get("/api/progress").await),
        (
            "wrong password",
            anon.post_json("/api/login", &json!({ "username": "alice", "password": "wrong" }))
                .await,
        ),
        ("no such quiz", alice.get("/api/quizzes/no-such-quiz").await),
        ("no such certificate", anon.get("/api/certificates/CB-NONE-NONE-NONE").await),
        ("staff only", alice.get("/api/hr/dashboard").await),
        (
            "bad content type",
            alice.post_raw("/api/quizzes/measure-practice/attempts", "text/plain", "{}").await,
        ),
        ("bad JSON", alice.post_raw("/api/login", "application/json", "{").await),
        (
            "short essay",
            alice
                .post_json("/api/exercises/review/submission", &json!({ "body": "short" }))
                .await,
        ),
        ("bad id", alice.get("/api/attempts/not-a-number").await),
    ];
    for (what, (code, body)) in &errors {
        assert!((400..500).contains(code), "{what}: {code} {body}");
        assert!(
            body["code"].as_str().is_some_and(|c| !c.is_empty() && c != "plain"),
            "{what}: a real code: {body}"
        );
        check(what, &body.to_string());
    }
    let (_, progress) = alice.get("/api/progress").await;
    check("progress", &progress.to_string());

    // A certificate: its page, its credential and its PDF.
    let id = crate::harness::import_certificate(&s, "alice", "starter").await;
    let (code, credential) = alice.get(&format!("/api/certificates/{id}/credential")).await;
    assert_eq!(code, 200, "{credential}");
    check("credential", &credential.to_string());
    let pdf = alice
        .http
        .get(s.url(&format!("/certificates/{id}/certificate.pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), 200);
    let pdf = pdf.bytes().await.unwrap();
    let file = dir.path().join("certificate.pdf");
    std::fs::write(&file, &pdf).unwrap();
    match std::process::Command::new("pdftotext").arg(&file).arg("-").output() {
        Ok(out) => {
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(text.contains("Starter"), "the PDF names the level: {text}");
            check("PDF", &text);
        }
        Err(e) => assert!(std::env::var_os("CI").is_none(), "pdftotext (poppler-utils) is missing in CI: {e}"),
    }
    assert!(found.is_empty(), "Chinese in an English course's answers: {found:#?}");
}
