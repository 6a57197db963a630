//! `certbook init`: the starter course in each language checks clean, its practice quiz
//! can be passed through the server, and a directory in use is refused.

use crate::harness::{TestServer, certbook_init};
use serde_json::{Value, json};

#[test]
fn the_starter_course_checks_clean_in_both_languages_and_a_used_directory_is_refused() {
    for lang in ["en", "zh-CN"] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("course");
        let out = certbook_init(&dir, &["--lang", lang]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let (cur, diags) = certbook::course::check(&dir, 300);
        let cur = cur.unwrap_or_else(|| panic!("{lang}: {diags}"));
        assert!(diags.0.is_empty(), "{lang}: {diags}");
        assert_eq!(cur.language, lang);
        // Every feature once: two lessons, a practice quiz of all seven types, an exam, a
        // scenario, an exercise and a one-level track.
        assert_eq!(cur.lessons().count(), 2);
        let types: std::collections::BTreeSet<&str> = cur.quizzes["measure-practice"]
            .questions
            .iter()
            .map(|q| q.kind.type_name())
            .collect();
        assert_eq!(types.len(), 7, "{types:?}");
        assert_eq!(cur.quizzes["level-exam"].mode, certbook::quiz::Mode::Exam);
        assert_eq!((cur.scenarios.len(), cur.exercises.len()), (1, 1));
        assert_eq!(cur.track.as_ref().map(|t| t.levels.len()), Some(1));

        let again = certbook_init(&dir, &["--lang", lang]);
        assert!(!again.status.success());
        assert!(String::from_utf8_lossy(&again.stderr).contains("is not empty"), "{again:?}");
        let forced = certbook_init(&dir, &["--lang", lang, "--force"]);
        assert!(forced.status.success());
    }
}

#[tokio::test]
async fn a_learner_passes_the_starter_practice_quiz_through_the_server() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("course");
    assert!(certbook_init(&dir, &["--lang", "en"]).status.success());
    let s = TestServer::start_at(&dir).await;
    let alice = s.login("alice").await;
    let (code, attempt) = alice.start("measure-practice").await;
    assert_eq!(code, 201, "{attempt}");
    // The cost question's figures vary per attempt: read them from its prompt.
    let prompt = attempt["questions"].as_array().unwrap().iter().find(|q| q["id"] == "q5").unwrap()["prompt"]
        .as_str()
        .unwrap()
        .to_string();
    let numbers: Vec<f64> = prompt
        .split(|c: char| !c.is_ascii_digit())
        .filter(|t| !t.is_empty())
        .map(|t| t.parse().unwrap())
        .collect();
    let answers = json!({
        "q1": "B", "q2": ["A", "C", "D"], "q3": false, "q4": "rate",
        "q5": (numbers[0] / numbers[1]).round(), "q6": ["B", "D", "A", "C"], "q7": ["B", "C", "A"],
    });
    let (code, graded) = alice.submit(attempt["id"].as_str().unwrap(), answers).await;
    assert_eq!(code, 200, "{graded}");
    assert_eq!(graded["percent"].as_f64(), Some(100.0), "{graded}");
    assert_eq!(graded["passed"], Value::Bool(true));
}
