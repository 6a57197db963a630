//! The bundled 数字精益运营师 track is reachable: one learner meets every requirement
//! of 初级, 中级 and 高级 over HTTP, and each certificate is issued when its level is met.

use crate::harness::{Client, TestServer};
use certbook::certify::Requirement;
use certbook::quiz::{QuestionKind, Quiz, letter};
use serde_json::{Value, json};
use std::path::Path;

/// The key of question `id` as the attempt with `seed` shows it (a variant's own numbers).
fn key(quiz: &Quiz, id: &str, seed: u64) -> Value {
    let q = quiz.question(id).expect("a question of the attempt").instance(seed).unwrap();
    match &q.kind {
        QuestionKind::Single { answer, .. } => json!(letter(*answer)),
        QuestionKind::Multiple { answer, .. } | QuestionKind::Ordering { answer, .. } | QuestionKind::Matching { answer, .. } => {
            json!(answer.iter().map(|i| letter(*i)).collect::<Vec<_>>())
        }
        QuestionKind::TrueFalse { answer } => json!(answer),
        QuestionKind::Fill { answer } => json!(answer[0]),
        QuestionKind::Numeric { answer, .. } => json!(answer),
    }
}

async fn pass_quiz(s: &TestServer, c: &Client, quiz: &Quiz) -> f64 {
    let (code, a) = c.start(&quiz.id).await;
    assert!(code == 200 || code == 201, "{}: {a}", quiz.id);
    let seed = s.store.attempt(a["id"].as_str().unwrap().to_string()).await.unwrap().unwrap().seed;
    let answers: serde_json::Map<String, Value> = a["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            let id = q["id"].as_str().unwrap();
            (id.to_string(), key(quiz, id, seed))
        })
        .collect();
    let (code, r) = c.submit(a["id"].as_str().unwrap(), Value::Object(answers)).await;
    assert_eq!(code, 200, "{}: {r}", quiz.id);
    r["percent"].as_f64().unwrap()
}

async fn play_good_plan(c: &Client, scenario: &str) -> u64 {
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/golden/sandbox/{scenario}-good.json"));
    let plan: Value = serde_json::from_str(&std::fs::read_to_string(golden).unwrap()).unwrap();
    let (_, run) = c.post_json(&format!("/api/scenarios/{scenario}/runs"), &json!({})).await;
    let id = run["id"].as_str().unwrap().to_string();
    let mut last = Value::Null;
    for (i, d) in plan["decisions"].as_array().unwrap().iter().enumerate() {
        let (code, v) = c
            .post_json(&format!("/api/runs/{id}/rounds"), &json!({ "round": i + 1, "decisions": d }))
            .await;
        assert_eq!(code, 200, "{scenario} round {}: {v}", i + 1);
        last = v;
    }
    last["result"]["score"].as_u64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_learner_can_earn_all_three_certificates_of_the_bundled_track() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (cur, _) = certbook::course::load(root).unwrap();
    let track = cur.track.clone().expect("the bundled course has a track");
    assert_eq!(track.levels.len(), 3);
    let s = TestServer::start_at(root).await;
    let alice = s.login("alice").await;
    let ivy = s.login("ivy").await;
    let full = json!({ "knowledge": 85, "problem_solving": 85, "innovation": 85, "teamwork": 85, "communication": 85 });
    for (n, level) in track.levels.iter().enumerate() {
        let (_, before) = alice.get("/api/progress").await;
        assert_eq!(
            before["certificates"].as_array().unwrap().len(),
            n,
            "nothing of {} is issued early",
            level.id
        );
        for r in &level.requirements {
            match r {
                Requirement::Read { id } => {
                    for lesson in certbook::course::lessons_covered(&cur, id) {
                        assert_eq!(alice.post_json(&format!("/api/lessons/{lesson}/read"), &json!({})).await.0, 200);
                    }
                }
                Requirement::Quiz { id, min } => {
                    let pct = pass_quiz(&s, &alice, &cur.quizzes[id]).await;
                    assert!(pct >= *min, "{id}: {pct} < {min}");
                }
                Requirement::Scenario { id, min } => {
                    let score = play_good_plan(&alice, id).await;
                    assert!(score as f64 >= *min, "{id}: the course's good plan scored {score} < {min}");
                }
                Requirement::TeamScenario { id, .. } => {
                    panic!("the bundled track asks for a team session on {id}: this walk-through plays alone")
                }
                Requirement::Exercise { id, .. } => {
                    let ex = &cur.exercises[id];
                    let body = "按题目要求逐项作答：目标用户、人设、分层动作、转化路径与指标，均已写明。".repeat(ex.min_chars / 20 + 1);
                    assert_eq!(
                        alice
                            .post_json(&format!("/api/exercises/{id}/submission"), &json!({ "body": body }))
                            .await
                            .0,
                        200
                    );
                    let (_, q) = ivy.get("/api/instructor/submissions").await;
                    let sid = q["submissions"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|x| x["exercise_id"] == id.as_str())
                        .unwrap()["id"]
                        .as_str()
                        .unwrap()
                        .to_string();
                    let (code, g) = ivy
                        .post_json(&format!("/api/instructor/submissions/{sid}/grade"), &json!({ "scores": full }))
                        .await;
                    assert_eq!(code, 200, "{g}");
                }
            }
        }
        let (_, p) = alice.get("/api/progress").await;
        let status = p["levels"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["level"] == level.id.as_str())
            .unwrap();
        assert_eq!(
            status["held"], true,
            "{} not held after meeting every requirement: {status}",
            level.id
        );
        assert_eq!(p["certificates"].as_array().unwrap().len(), n + 1);
    }
    let (_, p) = alice.get("/api/progress").await;
    let mut levels: Vec<&str> = p["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["level"].as_str().unwrap())
        .collect();
    levels.sort();
    assert_eq!(levels, vec!["intermediate", "junior", "senior"]);
}
