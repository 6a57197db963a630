//! Practice and exam modes over HTTP: a practice attempt follows the learner to any
//! device and can be given up; an exam withholds keys and explanations until it
//! closes, cannot be given up, and makes a learner wait before a retake.

use crate::exam::{attempt_id, bank, put_json, right_answers, server_with};
use serde_json::json;

const DAY: i64 = 86_400_000;

#[tokio::test]
async fn practice_continues_on_a_second_device_and_can_be_abandoned() {
    let (s, _dir) = server_with(&[("prac", bank("prac", "shuffle = false", 3))]).await;
    let laptop = s.login("alice").await;
    let (code, a) = laptop.start("prac").await;
    assert_eq!(code, 201, "{a}");
    let id = attempt_id(&a);
    let save = format!("/api/attempts/{id}/answers");
    assert_eq!(put_json(&laptop, &save, &json!({ "answers": { "q1": "B" } })).await.0, 200);
    // The same learner on a phone (another session, another device cookie) resumes it.
    let phone = s.login("alice").await;
    let status = phone.get("/api/quizzes/prac").await.1;
    assert_eq!(status["open_attempt"].as_str(), Some(id.as_str()), "{status}");
    assert_eq!(status["open_attempt_elsewhere"], false, "{status}");
    let (code, resumed) = phone.start("prac").await;
    assert_eq!((code, attempt_id(&resumed)), (200, id.clone()), "{resumed}");
    let (code, saved) = put_json(&phone, &save, &json!({ "answers": { "q1": "B", "q2": "C" } })).await;
    assert_eq!((code, saved["saved"].as_u64()), (200, Some(2)), "{saved}");
    let (code, graded) = phone.submit(&id, right_answers(&resumed)).await;
    assert_eq!(
        (code, graded["status"].as_str(), graded["percent"].as_f64()),
        (200, Some("graded"), Some(100.0)),
        "{graded}"
    );
    assert!(
        graded.to_string().contains("EXPLAIN-1"),
        "practice shows explanations at once: {graded}"
    );
    // The laptop sees the graded attempt, not a lock.
    assert_eq!(laptop.get(&format!("/api/attempts/{id}")).await.1["status"], "graded");
    // A new attempt can be given up, and then another one starts at once.
    let (code, b) = laptop.start("prac").await;
    assert_eq!(code, 201, "{b}");
    let other = s.login("bob").await;
    let abandon = format!("/api/attempts/{}/abandon", attempt_id(&b));
    assert_eq!(other.post_json(&abandon, &json!({})).await.0, 404, "another learner's attempt");
    let (code, gone) = phone.post_json(&abandon, &json!({})).await;
    assert_eq!((code, gone["status"].as_str()), (200, Some("abandoned")), "{gone}");
    assert_eq!(phone.post_json(&abandon, &json!({})).await.0, 409, "already ended");
    let (code, c) = laptop.start("prac").await;
    assert_eq!(code, 201, "{c}");
    assert_ne!(attempt_id(&c), attempt_id(&b));
    assert_eq!(laptop.get("/api/quizzes/prac").await.1["attempts_used"], 3);
}

#[tokio::test]
async fn an_exam_withholds_keys_until_it_closes_and_a_retake_waits() {
    let head = "mode = \"exam\"\nshuffle = false\nretake_after = \"7d\"\ncloses = 2027-02-15T08:00:00Z";
    let (s, _dir) = server_with(&[("final", bank("final", head, 4))]).await;
    let alice = s.login("alice").await;
    let (code, a) = alice.start("final").await;
    assert_eq!(code, 201, "{a}");
    let id = attempt_id(&a);
    let (code, body) = alice.post_json(&format!("/api/attempts/{id}/abandon"), &json!({})).await;
    assert_eq!(code, 409, "an exam attempt cannot be given up: {body}");
    // Submitted one day in: the score, and nothing that gives the key away.
    s.clock.advance(DAY);
    let mut answers = right_answers(&a);
    answers["q1"] = json!("E");
    let (code, graded) = alice.submit(&id, answers).await;
    assert_eq!((code, graded["percent"].as_f64()), (200, Some(75.0)), "{graded}");
    for read in [graded, alice.get(&format!("/api/attempts/{id}")).await.1] {
        let text = read.to_string();
        assert!(
            !text.contains("EXPLAIN") && !text.contains("correct_answer") && read["items"].is_null(),
            "{text}"
        );
        assert!(read["questions"].is_null() && read["review"]["answers"] == false, "{read}");
    }
    // Nor does her personal data export, though the stored grading holds the keys.
    let (code, export) = alice.get("/api/me/export").await;
    let text = export.to_string();
    assert!(code == 200 && text.contains(&id), "{text}");
    assert!(!text.contains("EXPLAIN") && !text.contains("correct_answer"), "{text}");
    // A retake before the wait is refused with the day it opens (submitted 01-16 08:00, less the 3 s grace).
    let (code, body) = alice.start("final").await;
    assert_eq!(code, 409, "{body}");
    assert!(body["error"].as_str().unwrap().contains("2027-01-23 08:00 UTC"), "{body}");
    s.clock.advance(7 * DAY - 10_000);
    let alice = s.login("alice").await; // a week on, a new session
    assert_eq!(alice.start("final").await.0, 409, "seconds early");
    s.clock.advance(10_000);
    let (code, b) = alice.start("final").await;
    assert_eq!(code, 201, "the wait is over: {b}");
    // After the close the first sitting shows its keys and explanations.
    s.clock.advance(30 * DAY);
    let alice = s.login("alice").await;
    let after = alice.get(&format!("/api/attempts/{id}")).await.1;
    assert!(after.to_string().contains("EXPLAIN-1"), "{after}");
    let export = alice.get("/api/me/export").await.1.to_string();
    assert!(
        export.contains("EXPLAIN-1") && export.contains("correct_answer"),
        "after the close: {export}"
    );
    assert_eq!(after["questions"][0]["correct"], false, "{after}");
    let first = &after["items"][0];
    assert_eq!(
        (first["id"].as_str(), first["correct"].as_bool()),
        (Some("q1"), Some(false)),
        "{after}"
    );
    assert_eq!(first["given"][0], "E. 戊1", "the wrong pick, as labelled on the sheet: {first}");
    assert_eq!(first["key"][0], "B. 乙1", "{first}");
}

/// A practice bank `id` of `n` single-choice questions, alternately easy and medium; the
/// key of `qi` is `keys[i % 5]` as in [`bank`].
fn source_bank(id: &str, n: usize) -> String {
    let mut s = format!("id = \"{id}\"\ntitle = \"{id}\"\n");
    for i in 1..=n {
        let level = if i % 2 == 0 { "medium" } else { "easy" };
        s += &format!(
            "[[questions]]\nid = \"q{i}\"\ntype = \"single\"\nprompt = \"{id} 第 {i} 题\"\noptions = [\"甲\", \"乙\", \"丙\", \"丁\", \"戊\"]\nanswer = \"{}\"\ndifficulty = \"{level}\"\nexplanation = \"EXPLAIN-{id}-{i}\"\n\n",
            ["A", "B", "C", "D", "E"][i % 5]
        );
    }
    s
}

/// The right answers to a sheet whose ids are `bank/qi`.
fn pooled_answers(sheet: &serde_json::Value) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    for q in sheet["questions"].as_array().unwrap() {
        let id = q["id"].as_str().unwrap();
        let i: usize = id.rsplit_once("/q").unwrap().1.parse().unwrap();
        m.insert(id.into(), json!(["A", "B", "C", "D", "E"][i % 5]));
    }
    serde_json::Value::Object(m)
}

fn sheet_ids(sheet: &serde_json::Value) -> Vec<String> {
    sheet["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn an_exam_draws_its_blueprint_from_other_banks_and_a_retake_meets_new_questions() {
    // Two cells of 2 from pools of 6 (3× the draw): easy questions of both banks, medium ones.
    let exam = "id = \"level\"\ntitle = \"等级考试\"\nmode = \"exam\"\nretake_after = \"1d\"\n\n\
        [[draw]]\nbanks = [\"pool-*\"]\ndifficulty = \"easy\"\ncount = 2\n\n\
        [[draw]]\nbanks = [\"pool-*\"]\ndifficulty = \"medium\"\ncount = 2\n";
    let banks = [
        ("pool-a", source_bank("pool-a", 6)),
        ("pool-b", source_bank("pool-b", 6)),
        ("level", exam.to_string()),
    ];
    let (s, _dir) = server_with(&banks).await;
    let alice = s.login("alice").await;
    let status = alice.get("/api/quizzes/level").await.1;
    assert_eq!(status["question_count"], 4, "{status}");
    let (code, first) = alice.start("level").await;
    assert_eq!(code, 201, "{first}");
    let ids = sheet_ids(&first);
    assert_eq!(ids.len(), 4);
    assert!(
        ids.iter().all(|id| id.starts_with("pool-a/q") || id.starts_with("pool-b/q")),
        "{ids:?}"
    );
    // One from each difficulty cell, by the source questions' parity (odd = easy).
    let easy = ids
        .iter()
        .filter(|id| id.rsplit_once("/q").unwrap().1.parse::<usize>().unwrap() % 2 == 1)
        .count();
    assert_eq!(easy, 2, "{ids:?}");
    // Prompts are the source questions'; the key never reaches the sheet.
    assert!(
        first.to_string().contains("第") && !first.to_string().contains("EXPLAIN"),
        "{first}"
    );
    let (code, graded) = alice.submit(&attempt_id(&first), pooled_answers(&first)).await;
    assert_eq!((code, graded["percent"].as_f64()), (200, Some(100.0)), "{graded}");
    // The second sitting, after the wait, draws questions not shown in the first.
    s.clock.advance(DAY + 10_000);
    let alice = s.login("alice").await;
    let (code, second) = alice.start("level").await;
    assert_eq!(code, 201, "{second}");
    let again = sheet_ids(&second);
    let shared = again.iter().filter(|id| ids.contains(id)).count();
    assert!(shared * 10 <= 3 * again.len(), "at most 30% repeated: {ids:?} then {again:?}");
    assert_eq!(shared, 0, "the pool is 3× the draw, so nothing needs repeating");
    // Item analysis reads the drawn questions under their pooled ids.
    let ivy = s.login("ivy").await;
    let (code, analysis) = ivy.get("/api/instructor/quizzes/level/analysis").await;
    assert_eq!(code, 200, "{analysis}");
    assert!(analysis.to_string().contains(&ids[0]), "{analysis}");
}

/// An exam's attempt limit counts per certification cycle: the attempts that earned a
/// certificate do not block the renewal sitting, while a learner without one stays limited.
#[tokio::test]
async fn attempts_count_per_certification_cycle_so_a_renewal_can_be_sat() {
    let root = crate::harness::fixture("course-ok");
    let short = std::fs::read_to_string(root.join("quizzes/short.toml")).unwrap();
    let limited = short.replacen("pass_mark = 60\n", "pass_mark = 60\nattempts = 2\n", 1);
    assert_ne!(limited, short, "the fixture changed: attempts not set");
    let (s, _dir) = server_with(&[("short", limited)]).await;
    let right = json!({ "q1": "B", "q2": true, "q3": "留存率" });
    let wrong = json!({ "q1": "A", "q2": false, "q3": "x" });
    // Bob fails twice: the limit holds for him.
    let bob = s.login("bob").await;
    for _ in 0..2 {
        let (_, a) = bob.start("short").await;
        assert_eq!(bob.submit(&attempt_id(&a), wrong.clone()).await.0, 200);
    }
    let (code, body) = bob.start("short").await;
    assert_eq!(code, 409, "two attempts used: {body}");
    // Alice fails once, then earns the level with her second and last attempt (each
    // sitting takes ten minutes, as a real one does).
    let alice = s.login("alice").await;
    alice.post_json("/api/lessons/demo-browser/read", &json!({})).await;
    crate::harness::finish_tiny(&alice).await;
    let mut cert = String::new();
    for answers in [wrong.clone(), right.clone()] {
        let (_, a) = alice.start("short").await;
        s.clock.advance(10 * 60_000);
        let (code, graded) = alice.submit(&attempt_id(&a), answers).await;
        assert_eq!(code, 200, "{graded}");
        if let Some(id) = graded["certificates_issued"][0]["id"].as_str() {
            cert = id.to_string();
        }
    }
    assert!(!cert.is_empty(), "the second attempt certifies");
    assert_eq!(alice.start("short").await.0, 201, "a new cycle starts with the certificate");
    let (_, c) = s.anonymous().get(&format!("/api/certificates/{cert}")).await;
    let until = c["valid_until"].as_i64().expect("the level expires");
    // In the renewal window, a year on, the renewal sitting starts and renews.
    s.clock.advance(until - 10 * DAY - s.clock.now_ms());
    let alice = s.login("alice").await;
    let standing = alice.get("/api/quizzes/short").await.1;
    assert_eq!(
        standing["attempts_used"], 1,
        "the new cycle counts only the sitting after the certificate: {standing}"
    );
    let (code, r) = alice.start("short").await;
    assert_eq!(code, 200, "the open sitting of this cycle resumes: {r}");
    let (code, graded) = alice.submit(&attempt_id(&r), right).await;
    assert_eq!(code, 200, "{graded}");
    assert_eq!(graded["certificates_issued"][0]["id"], cert.as_str(), "renewed: {graded}");
    // Bob, never certified, is still refused.
    let bob = s.login("bob").await;
    assert_eq!(bob.start("short").await.0, 409);
}
