//! Exam integrity over HTTP: per-attempt shuffles, draws that prefer unseen
//! questions, windows and time limits with autosave, overrides, sequential mode,
//! review phases, attempt passwords and address ranges, one device per attempt,
//! and the similarity report. Time moves only by the manual clock.

use crate::harness::{Client, TestServer, fixture};
use serde_json::{Value, json};

/// The fixture course plus extra banks (`(id, toml)`), served; keep the directory alive.
pub(crate) async fn server_with(banks: &[(&str, String)]) -> (TestServer, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    crate::harness::copy_dir(&fixture("course-ok"), dir.path());
    for (id, text) in banks {
        std::fs::write(dir.path().join("quizzes").join(format!("{id}.toml")), text).unwrap();
    }
    (TestServer::start_at(dir.path()).await, dir)
}

/// A bank of `n` single-choice questions `q1..qn` with five options each; the key of
/// question `qi` is the letter `keys[i % 5]`. `head` goes before the questions.
pub(crate) fn bank(id: &str, head: &str, n: usize) -> String {
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

pub(crate) fn right_answers(attempt: &Value) -> Value {
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

pub(crate) fn attempt_id(a: &Value) -> String {
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

pub(crate) async fn put_json(c: &Client, path: &str, body: &Value) -> (u16, Value) {
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

/// The harness clock starts at 1_800_000_000_000 ms = 2027-01-15T08:00:00Z.
const HOUR: i64 = 3_600_000;

#[tokio::test]
async fn exam_window_refuses_early_starts_and_keeps_late_answers_ungraded() {
    // Opens at T0 + 1 h, closes at T0 + 3 h.
    let head = "shuffle = false\nopens = 2027-01-15T09:00:00Z\ncloses = \"2027-01-15T11:00:00+00:00\"";
    let (s, _dir) = server_with(&[("window", bank("window", head, 3))]).await;
    let alice = s.login("alice").await;
    let bob = s.login("bob").await;
    let (code, body) = alice.start("window").await;
    assert_eq!(code, 409, "{body}");
    assert_eq!(body["code"], "quiz_not_open_yet", "{body}");
    s.clock.advance(HOUR + 1);
    let (code, a) = alice.start("window").await;
    assert_eq!(code, 201, "{a}");
    let (_, b) = bob.start("window").await;
    // Bob saves two right answers; neither submits before the close.
    let (code, saved) = put_json(
        &bob,
        &format!("/api/attempts/{}/answers", attempt_id(&b)),
        &json!({ "answers": { "q1": "B", "q2": "C" } }),
    )
    .await;
    assert_eq!((code, saved["saved"].as_u64()), (200, Some(2)), "{saved}");
    s.clock.advance(2 * HOUR + 10_000); // past the close and the 3 s network grace
    // Alice's answer after the close is stored, not graded, and does not count.
    let (code, body) = alice.submit(&attempt_id(&a), json!({ "q1": "B", "q2": "C", "q3": "D" })).await;
    assert_eq!(code, 409, "{body}");
    assert_eq!(
        body["code"], "exam_attempt_closed_not_graded",
        "the close, not the time limit: {body}"
    );
    let (_, stored) = alice.get(&format!("/api/attempts/{}", attempt_id(&a))).await;
    assert_eq!(stored["status"], "late", "{stored}");
    assert!(stored.get("score").is_none() && stored["questions"].is_null(), "{stored}");
    let row = s.store.attempt(attempt_id(&a)).await.unwrap().unwrap();
    assert!(row.late_answers.unwrap().contains("\"q3\":\"D\""));
    assert_eq!(alice.get("/api/quizzes/window").await.1["best_percent"], Value::Null);
    // Bob's open attempt counts as submitted at the close, graded from his autosave.
    let (_, stored) = bob.get(&format!("/api/attempts/{}", attempt_id(&b))).await;
    assert_eq!(stored["status"], "graded", "{stored}");
    assert_eq!(stored["score"], 2.0);
    let (code, _) = alice.start("window").await;
    assert_eq!(code, 409, "no new attempt after the close");
}

#[tokio::test]
async fn exam_time_limit_auto_submits_the_autosaved_answers() {
    let (s, _dir) = server_with(&[("clocked", bank("clocked", "time_limit = 600", 4))]).await;
    let alice = s.login("alice").await;
    let (_, a) = alice.start("clocked").await;
    let id = attempt_id(&a);
    let path = format!("/api/attempts/{id}/answers");
    let (code, _) = put_json(&alice, &path, &json!({ "answers": { "q1": "B", "q2": "A" } })).await;
    assert_eq!(code, 200);
    // Idempotent: the same save again changes nothing.
    let (code, _) = put_json(&alice, &path, &json!({ "answers": { "q1": "B", "q2": "A" } })).await;
    assert_eq!(code, 200);
    let (code, bad) = put_json(&alice, &path, &json!({ "answers": { "q9": "B" } })).await;
    assert_eq!(code, 422, "{bad}");
    s.clock.advance(700_000);
    // Nothing ran at the deadline. A read shows the attempt graded from the autosave
    // but writes nothing; the settle sweep stores it.
    let stored_status = |s: &TestServer| {
        let id = id.clone();
        s.store.attempt_blocking(id).unwrap().map(|a| a.status.as_str().to_string())
    };
    let (_, shown) = alice.get(&format!("/api/attempts/{id}")).await;
    assert_eq!(shown["status"], "graded", "{shown}");
    assert_eq!(shown["score"], 1.0, "q1 right, q2 wrong: {shown}");
    assert_eq!(alice.get("/api/quizzes/clocked").await.1["best_percent"], 25.0);
    assert_eq!(stored_status(&s).as_deref(), Some("open"), "a GET wrote the ending");
    assert_eq!(certbook::app::exams::settle_due(&s.state.ctx()).await.unwrap(), 1);
    assert_eq!(stored_status(&s).as_deref(), Some("graded"));
    assert_eq!(certbook::app::exams::settle_due(&s.state.ctx()).await.unwrap(), 0, "settled once");
    let (_, stored) = alice.get(&format!("/api/attempts/{id}")).await;
    assert_eq!(
        (stored["status"].clone(), stored["score"].clone()),
        (shown["status"].clone(), shown["score"].clone())
    );
    let (code, _) = put_json(&alice, &path, &json!({ "answers": {} })).await;
    assert_eq!(code, 409, "saving into an ended attempt");
}

#[tokio::test]
async fn exam_override_gives_one_learner_extra_time_and_attempts() {
    let (s, _dir) = server_with(&[("acc", bank("acc", "time_limit = 600\nattempts = 1", 2))]).await;
    let alice = s.login("alice").await;
    let bob = s.login("bob").await;
    let alice_id = alice.get("/api/me").await.1["user"]["id"].as_i64().unwrap();
    let ivy = s.login("ivy").await;
    let (code, o) = put_json(
        &ivy,
        "/api/instructor/quizzes/acc/overrides",
        &json!({ "user_id": alice_id, "extra_time": 300, "extra_attempts": 1 }),
    )
    .await;
    assert_eq!(code, 200, "{o}");
    assert_eq!(alice.get("/api/quizzes/acc").await.1["time_limit"], 900);
    assert_eq!(bob.get("/api/quizzes/acc").await.1["time_limit"], 600);
    let (_, a) = alice.start("acc").await;
    let (_, b) = bob.start("acc").await;
    let span = |x: &Value| x["deadline_ms"].as_i64().unwrap() - x["started_at"].as_i64().unwrap();
    assert_eq!((span(&a), span(&b)), (900_000, 600_000));
    s.clock.advance(700_000);
    let (code, r) = alice.submit(&attempt_id(&a), json!({ "q1": "B" })).await;
    assert_eq!(code, 200, "alice is within her extended time: {r}");
    let (code, body) = bob.submit(&attempt_id(&b), json!({ "q1": "B" })).await;
    assert_eq!(code, 409, "bob has no extra time");
    assert_eq!(body["code"], "exam_attempt_time_up", "the time limit, not the close: {body}");
    // The extra attempt: alice may start again, bob may not.
    assert_eq!(alice.start("acc").await.0, 201);
    assert_eq!(bob.start("acc").await.0, 409);
    // Listing and deleting; learners may not touch overrides.
    let (_, list) = ivy.get("/api/instructor/quizzes/acc/overrides").await;
    assert_eq!(list["overrides"].as_array().unwrap().len(), 1);
    assert_eq!(alice.get("/api/instructor/quizzes/acc/overrides").await.0, 403);
    let hana = s.login("hana").await;
    let (code, _) = put_json(
        &hana,
        "/api/instructor/quizzes/acc/overrides",
        &json!({ "cohort": "c1", "extra_time": 60 }),
    )
    .await;
    assert_eq!(code, 200);
    let (code, _) = put_json(
        &hana,
        "/api/instructor/quizzes/acc/overrides",
        &json!({ "cohort": "c1", "user_id": 1 }),
    )
    .await;
    assert_eq!(code, 422);
    let oid = o["id"].as_i64().unwrap();
    let r = ivy
        .http
        .delete(s.url(&format!("/api/instructor/quizzes/acc/overrides/{oid}")))
        .header("x-csrf-token", &ivy.csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(alice.get("/api/quizzes/acc").await.1["time_limit"], 600);
}

#[tokio::test]
async fn exam_review_shows_only_what_the_phase_allows() {
    let head = "closes = 2027-01-15T09:00:00Z\n[review]\nimmediately = [\"score\"]\nafter_close = [\"score\", \"correctness\", \"explanations\", \"answers\"]";
    let (s, _dir) = server_with(&[("reviewed", bank("reviewed", head, 3))]).await;
    let alice = s.login("alice").await;
    let (_, a) = alice.start("reviewed").await;
    let id = attempt_id(&a);
    let (code, r) = alice.submit(&id, right_answers(&a)).await;
    assert_eq!(code, 200, "{r}");
    assert_eq!(r["percent"], 100.0);
    let text = r.to_string();
    assert!(!text.contains("EXPLAIN-") && !text.contains("correct_answer"), "{text}");
    // Later, while open: the same as immediately (a phase left out inherits).
    let (_, later) = alice.get(&format!("/api/attempts/{id}")).await;
    assert!(!later.to_string().contains("EXPLAIN-"), "{later}");
    // Staff see everything at any time.
    let (_, staff) = s.login("ivy").await.get(&format!("/api/attempts/{id}")).await;
    assert!(staff.to_string().contains("EXPLAIN-1"));
    s.clock.advance(HOUR + 10_000);
    let (_, after) = alice.get(&format!("/api/attempts/{id}")).await;
    let text = after.to_string();
    assert!(text.contains("EXPLAIN-1") && text.contains("correct_answer"), "{text}");
}

#[tokio::test]
async fn exam_password_and_address_ranges_guard_the_start() {
    let (s, _dir) = server_with(&[
        ("locked", bank("locked", "password = \"考场-42\"", 2)),
        ("lan-only", bank("lan-only", "allow = [\"10.0.0.0/8\"]", 2)),
        ("local", bank("local", "allow = [\"10.0.0.0/8\", \"127.0.0.1/32\"]", 2)),
    ])
    .await;
    let alice = s.login("alice").await;
    let (code, body) = alice.start("locked").await;
    assert_eq!(code, 403, "{body}");
    assert_eq!(body["password_required"], true);
    let (code, body) = alice
        .post_json("/api/quizzes/locked/attempts", &json!({ "password": "wrong" }))
        .await;
    assert_eq!(code, 403);
    assert!(body["error"].as_str().unwrap().contains("密码"), "{body}");
    let (code, _) = alice
        .post_json("/api/quizzes/locked/attempts", &json!({ "password": "考场-42" }))
        .await;
    assert_eq!(code, 201);
    // The test server is reached from 127.0.0.1.
    let (code, body) = alice.start("lan-only").await;
    assert_eq!(code, 403, "{body}");
    assert!(body["error"].as_str().unwrap().contains("127.0.0.1"), "{body}");
    assert_eq!(alice.start("local").await.0, 201);
}

/// The current question of a sequential sheet, checking that it is the only one shown.
fn current(sheet: &Value) -> String {
    let qs = sheet["questions"].as_array().unwrap();
    assert_eq!(qs.len(), 1, "a sequential sheet shows one question: {sheet}");
    qs[0]["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn exam_sequential_mode_refuses_going_back_and_skipping_through_the_api() {
    let (s, _dir) = server_with(&[("seq", bank("seq", "sequential = true\nshuffle = false", 4))]).await;
    let alice = s.login("alice").await;
    let (code, a) = alice.start("seq").await;
    assert_eq!(code, 201, "{a}");
    let id = attempt_id(&a);
    assert_eq!(
        (a["sequential"].as_bool(), a["position"].as_u64(), a["total"].as_u64()),
        (Some(true), Some(0), Some(4))
    );
    assert_eq!(current(&a), "q1");
    let text = a.to_string();
    assert!(
        !text.contains("EXPLAIN") && !text.contains("\"answer\"") && !text.contains("第 2 题"),
        "{text}"
    );
    let status = alice.get("/api/quizzes/seq").await.1;
    assert_eq!(status["sequential"], true);
    let next = |q: &str, answer: Value| {
        let body = json!({ "question": q, "answer": answer });
        let path = format!("/api/attempts/{id}/next");
        let alice = &alice;
        async move { alice.post_json(&path, &body).await }
    };
    // Forward-skipping is refused.
    let (code, body) = next("q2", json!("C")).await;
    assert_eq!(code, 409, "{body}");
    assert_eq!(body["code"], "exam_attempt_skipping", "{body}");
    // q1 right (B); the sheet moves on to q2 alone.
    let (code, sheet) = next("q1", json!("B")).await;
    assert_eq!(code, 200, "{sheet}");
    assert_eq!((sheet["position"].as_u64(), current(&sheet)), (Some(1), "q2".into()));
    // A retried step (lost response) changes nothing; changing the answer is going back.
    let (code, again) = next("q1", json!("B")).await;
    assert_eq!((code, again["position"].as_u64()), (200, Some(1)), "{again}");
    let (code, body) = next("q1", json!("C")).await;
    assert_eq!(code, 409, "{body}");
    assert_eq!(body["code"], "exam_attempt_going_back", "{body}");
    // Autosave may only touch the current question.
    let save = format!("/api/attempts/{id}/answers");
    assert_eq!(put_json(&alice, &save, &json!({ "answers": { "q1": "C" } })).await.0, 409);
    assert_eq!(put_json(&alice, &save, &json!({ "answers": { "q3": "D" } })).await.0, 409);
    let (code, saved) = put_json(&alice, &save, &json!({ "answers": { "q1": "B", "q2": "A" } })).await;
    assert_eq!((code, saved["saved"].as_u64()), (200, Some(2)), "{saved}");
    // q2 wrong (key C); resuming shows q3 alone.
    let (code, sheet) = next("q2", json!("A")).await;
    assert_eq!((code, current(&sheet)), (200, "q3".into()));
    let (code, resumed) = alice.start("seq").await;
    assert_eq!((code, resumed["position"].as_u64(), current(&resumed)), (200, Some(2), "q3".into()));
    // Submitting a changed earlier answer is going back too, and leaves the attempt open.
    let (code, body) = alice.submit(&id, json!({ "q2": "C", "q3": "D" })).await;
    assert_eq!(code, 409, "{body}");
    assert_eq!(body["code"], "exam_attempt_going_back", "{body}");
    assert_eq!(alice.get(&format!("/api/attempts/{id}")).await.1["status"], "open");
    // Submit grades what was recorded plus the current answer: q1 and q3 right, q2 wrong, q4 blank.
    let (code, r) = alice.submit(&id, json!({ "q3": "D" })).await;
    assert_eq!(code, 200, "{r}");
    assert_eq!((r["score"].as_f64(), r["percent"].as_f64()), (Some(2.0), Some(50.0)), "{r}");
    let right: Vec<bool> = r["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["correct"].as_bool().unwrap())
        .collect();
    assert_eq!(right, [true, false, true, false]);
    // A quiz with all questions at once has no step.
    let (_, plain) = alice.start("short").await;
    let (code, body) = alice
        .post_json(
            &format!("/api/attempts/{}/next", attempt_id(&plain)),
            &json!({ "question": "q1", "answer": "B" }),
        )
        .await;
    assert_eq!(code, 409, "{body}");
}

#[tokio::test]
async fn exam_a_second_device_is_refused_until_an_instructor_releases_it() {
    let (s, _dir) = server_with(&[("dev", bank("dev", "shuffle = false\none_device = true", 3))]).await;
    let mut first = s.login("alice").await;
    let (code, a) = first.start("dev").await;
    assert_eq!(code, 201, "{a}");
    let id = attempt_id(&a);
    let save = format!("/api/attempts/{id}/answers");
    // Alice logs in again in another browser: a second device.
    let second = s.login("alice").await;
    let status = second.get("/api/quizzes/dev").await.1;
    assert_eq!(
        (status["open_attempt"].as_str(), status["open_attempt_elsewhere"].as_bool()),
        (Some(id.as_str()), Some(true))
    );
    assert_eq!(first.get("/api/quizzes/dev").await.1["open_attempt_elsewhere"], false);
    let locked = "exam_attempt_other_device";
    let (code, body) = second.start("dev").await;
    assert_eq!((code, body["code"].as_str()), (409, Some(locked)), "resume on the second device");
    let (code, body) = put_json(&second, &save, &json!({ "answers": { "q1": "A" } })).await;
    assert_eq!(
        (code, body["code"].as_str()),
        (409, Some(locked)),
        "autosave from the second device"
    );
    let (code, body) = second.submit(&id, json!({ "q1": "A" })).await;
    assert_eq!((code, body["code"].as_str()), (409, Some(locked)), "submit from the second device");
    // The first device carries on, also after logging out and in again in the same browser.
    assert_eq!(put_json(&first, &save, &json!({ "answers": { "q1": "B" } })).await.0, 200);
    first.post_json("/api/logout", &json!({})).await;
    let (code, me) = first
        .post_json("/api/login", &json!({ "username": "alice", "password": crate::harness::PASSWORD }))
        .await;
    assert_eq!(code, 200);
    first.csrf = me["csrf"].as_str().unwrap().to_string();
    assert_eq!(put_json(&first, &save, &json!({ "answers": { "q1": "B" } })).await.0, 200);
    assert_eq!(first.start("dev").await.0, 200);
    // Learners cannot release; an instructor can.
    let release = format!("/api/instructor/attempts/{id}/release-device");
    assert_eq!(first.post_json(&release, &json!({})).await.0, 403);
    assert_eq!(s.login("bob").await.post_json(&release, &json!({})).await.0, 403);
    let ivy = s.login("ivy").await;
    let (code, r) = ivy.post_json(&release, &json!({})).await;
    assert_eq!((code, r["released"].as_bool()), (200, Some(true)), "{r}");
    assert_eq!(second.get("/api/quizzes/dev").await.1["open_attempt_elsewhere"], false);
    // The next device to write takes the attempt over; the first is now the other one.
    let (code, _) = put_json(&second, &save, &json!({ "answers": { "q1": "B", "q2": "C" } })).await;
    assert_eq!(code, 200);
    let (code, body) = first.submit(&id, json!({ "q1": "A" })).await;
    assert_eq!((code, body["code"].as_str()), (409, Some(locked)));
    let (code, r) = second.submit(&id, json!({ "q1": "B", "q2": "C", "q3": "D" })).await;
    assert_eq!((code, r["percent"].as_f64()), (200, Some(100.0)), "{r}");
    // Nothing to release once the attempt has ended.
    assert_eq!(ivy.post_json(&release, &json!({})).await.0, 409);
    assert_eq!(
        ivy.post_json("/api/instructor/attempts/nope/release-device", &json!({})).await.0,
        404
    );
}

/// The two learners of a reported pair, as "a+b" in name order.
fn names(p: &Value) -> String {
    let mut n = [p["first"]["username"].as_str().unwrap(), p["second"]["username"].as_str().unwrap()];
    n.sort();
    n.join("+")
}

/// A wrong answer to question `i`: the letter `shift` places after its key.
fn wrong(i: usize, shift: usize) -> &'static str {
    ["A", "B", "C", "D", "E"][(i + shift) % 5]
}

#[tokio::test]
async fn exam_similarity_report_flags_a_planted_pair_and_not_honest_ones() {
    let (s, _dir) = server_with(&[("twin", bank("twin", "shuffle = false", 12))]).await;
    let hash = certbook::app::accounts::hash_password(crate::harness::PASSWORD).unwrap();
    for login in ["carol", "dave", "erin", "frank", "gina", "hugo", "ivan"] {
        let hash = hash.clone();
        s.store
            .save_account_blocking(login.into(), login.into(), certbook::store::Role::Learner, hash, None, 0)
            .unwrap();
    }
    let sit = |login: &'static str, answers: Value| {
        let s = &s;
        async move {
            let c = s.login(login).await;
            let (_, a) = c.start("twin").await;
            let (code, r) = c.submit(&attempt_id(&a), answers).await;
            assert_eq!(code, 200, "{login}: {r}");
        }
    };
    // Honest learners: the common mistakes on q1–q3 (most of them make them), plus one
    // mistake each of their own on a different question.
    let honest = ["alice", "bob", "erin", "frank", "gina", "hugo"];
    for (k, login) in honest.iter().enumerate() {
        let mut m = serde_json::Map::new();
        for i in 1..=12 {
            let mistaken = match i {
                1 => true,
                2 => *login != "hugo",
                3 => *login != "gina",
                _ => i == 4 + k,
            };
            let shift = if i <= 3 { 1 } else { 1 + k % 2 };
            m.insert(format!("q{i}"), json!(if mistaken { wrong(i, shift) } else { key(i) }));
        }
        sit(login, Value::Object(m)).await;
    }
    // The planted pair: right on the common ones, the same unusual wrong answers on q5–q10.
    let planted: serde_json::Map<String, Value> = (1..=12)
        .map(|i| (format!("q{i}"), json!(if (5..=10).contains(&i) { wrong(i, 3) } else { key(i) })))
        .collect();
    sit("carol", Value::Object(planted.clone())).await;
    sit("dave", Value::Object(planted)).await;
    // Someone sitting three hours later is another sitting.
    s.clock.advance(3 * HOUR);
    let late: serde_json::Map<String, Value> = (1..=12).map(|i| (format!("q{i}"), json!(key(i)))).collect();
    sit("ivan", Value::Object(late)).await;

    let ivy = s.login("ivy").await;
    let (code, r) = ivy.get("/api/instructor/quizzes/twin/similarity").await;
    assert_eq!(code, 200, "{r}");
    assert_eq!((r["attempts"].as_u64(), r["pairs_compared"].as_u64()), (Some(9), Some(28)), "{r}");
    let pairs = r["pairs"].as_array().unwrap();
    let flagged: Vec<String> = pairs.iter().filter(|p| p["flagged"] == true).map(names).collect();
    assert_eq!(flagged, ["carol+dave"], "{r}");
    let top = &pairs[0];
    assert_eq!(names(top), "carol+dave");
    assert_eq!((top["identical_wrong"].as_u64(), top["compared"].as_u64()), (Some(6), Some(12)));
    assert_eq!(top["questions"], json!(["q5", "q6", "q7", "q8", "q9", "q10"]));
    assert!(top["expected"].as_f64().unwrap() < 1.0 && top["probability"].as_f64().unwrap() < r["threshold"].as_f64().unwrap());
    // Honest pairs share three common mistakes and stay unflagged.
    let alice_bob = pairs
        .iter()
        .find(|p| names(p) == "alice+bob")
        .expect("alice and bob share mistakes");
    assert_eq!(
        (alice_bob["identical_wrong"].as_u64(), alice_bob["flagged"].as_bool()),
        (Some(3), Some(false))
    );
    assert!(alice_bob["probability"].as_f64().unwrap() > 0.05, "{alice_bob}");
    // A wider window takes in the late sitting; a bad span is a 400, not a 500.
    let (_, wide) = ivy.get("/api/instructor/quizzes/twin/similarity?span_minutes=600").await;
    assert_eq!(wide["pairs_compared"].as_u64(), Some(36));
    assert_eq!(ivy.get("/api/instructor/quizzes/twin/similarity?span_minutes=999999").await.0, 400);
    assert_eq!(ivy.get("/api/instructor/quizzes/twin/similarity?span_minutes=x").await.0, 400);
    assert_eq!(ivy.get("/api/instructor/quizzes/nope/similarity").await.0, 404);
    // The analysis page shows the same table.
    let page = ivy
        .http
        .get(s.url("/instructor/analysis/twin"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("答案相似度") && page.contains("⚑ 待核查") && page.contains("carol（carol）"),
        "{page}"
    );
}
