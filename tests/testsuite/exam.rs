//! Exam integrity over HTTP: per-attempt shuffles, draws that prefer unseen
//! questions, windows and time limits with autosave, overrides, sequential mode,
//! review phases, attempt passwords and address ranges, one device per attempt,
//! and the similarity report. Time moves only by the manual clock.

use crate::harness::{Client, TestServer, fixture};
use serde_json::{Value, json};
use std::path::Path;

/// The fixture course plus extra banks (`(id, toml)`), served; keep the directory alive.
async fn server_with(banks: &[(&str, String)]) -> (TestServer, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("course-ok"), dir.path());
    for (id, text) in banks {
        std::fs::write(dir.path().join("quizzes").join(format!("{id}.toml")), text).unwrap();
    }
    (TestServer::start_at(dir.path()).await, dir)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// A bank of `n` single-choice questions `q1..qn` with five options each; the key of
/// question `qi` is the letter `keys[i % 5]`. `head` goes before the questions.
fn bank(id: &str, head: &str, n: usize) -> String {
    let mut s = format!("id = \"{id}\"\ntitle = \"考试 {id}\"\n{head}\n");
    for i in 1..=n {
        s += &format!(
            "[[questions]]\nid = \"q{i}\"\ntype = \"single\"\nprompt = \"第 {i} 题\"\noptions = [\"甲{i}\", \"乙{i}\", \"丙{i}\", \"丁{i}\", \"戊{i}\"]\nanswer = \"{}\"\nexplanation = \"EXPLAIN-{i}\"\n\n",
            key(i)
        );
    }
    s
}

fn key(i: usize) -> &'static str {
    ["A", "B", "C", "D", "E"][i % 5]
}

fn right_answers(attempt: &Value) -> Value {
    let mut m = serde_json::Map::new();
    for q in attempt["questions"].as_array().unwrap() {
        let id = q["id"].as_str().unwrap();
        let i: usize = id[1..].parse().unwrap();
        m.insert(id.into(), json!(key(i)));
    }
    Value::Object(m)
}

/// The order shown: question ids with their option keys.
fn shown_order(attempt: &Value) -> Vec<String> {
    attempt["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            let keys: Vec<&str> = q["options"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["key"].as_str().unwrap())
                .collect();
            format!("{}:{}", q["id"].as_str().unwrap(), keys.join(""))
        })
        .collect()
}

fn ids(attempt: &Value) -> Vec<String> {
    attempt["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_str().unwrap().to_string())
        .collect()
}

fn attempt_id(a: &Value) -> String {
    a["id"].as_str().unwrap_or_else(|| panic!("no attempt id in {a}")).to_string()
}

#[tokio::test]
async fn exam_shuffles_questions_and_options_per_attempt_and_still_grades_right() {
    let (s, _dir) = server_with(&[("mixed", bank("mixed", "", 8)), ("plain", bank("plain", "shuffle = false", 8))]).await;
    let alice = s.login("alice").await;
    let bob = s.login("bob").await;
    let (c1, a1) = alice.start("mixed").await;
    let (c2, again) = alice.start("mixed").await;
    assert_eq!((c1, c2), (201, 200));
    assert_eq!(shown_order(&a1), shown_order(&again), "a resumed attempt must show the same order");
    let (_, b1) = bob.start("mixed").await;
    assert_ne!(shown_order(&a1), shown_order(&b1), "two attempts drew the same order");
    let mut sorted = ids(&a1);
    sorted.sort();
    assert_ne!(
        ids(&a1),
        sorted.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        "questions not shuffled"
    );
    // Keys stay the authored letters, so the authored key grades right.
    let (code, r) = alice.submit(&attempt_id(&a1), right_answers(&a1)).await;
    assert_eq!(code, 200, "{r}");
    assert_eq!(r["percent"], 100.0);
    let (_, r) = bob.submit(&attempt_id(&b1), right_answers(&b1)).await;
    assert_eq!(r["percent"], 100.0);
    // A second attempt of the same learner differs too.
    let (_, a2) = alice.start("mixed").await;
    assert_ne!(shown_order(&a1), shown_order(&a2));
    // `shuffle = false` keeps the authored order of questions and options.
    let (_, p) = alice.start("plain").await;
    let expected: Vec<String> = (1..=8).map(|i| format!("q{i}:ABCDE")).collect();
    assert_eq!(shown_order(&p), expected);
}

#[tokio::test]
async fn exam_draw_prefers_questions_the_learner_has_not_seen() {
    let (s, _dir) = server_with(&[("pool", bank("pool", "[draw]\ncount = 5", 10))]).await;
    let alice = s.login("alice").await;
    let (_, a1) = alice.start("pool").await;
    alice.submit(&attempt_id(&a1), json!({})).await;
    let (_, a2) = alice.start("pool").await;
    let first = ids(&a1);
    let second = ids(&a2);
    assert_eq!((first.len(), second.len()), (5, 5));
    assert!(
        second.iter().all(|q| !first.contains(q)),
        "attempt 2 repeated a question: {first:?} / {second:?}"
    );
    alice.submit(&attempt_id(&a2), json!({})).await;
    // All seen once: the third attempt still draws five distinct questions.
    let (_, a3) = alice.start("pool").await;
    let mut third = ids(&a3);
    third.dedup();
    assert_eq!(third.len(), 5);
}

#[allow(dead_code)]
async fn put_json(c: &Client, path: &str, body: &Value) -> (u16, Value) {
    let r = c
        .http
        .put(format!("{}{path}", c.base()))
        .header("x-csrf-token", &c.csrf)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}
