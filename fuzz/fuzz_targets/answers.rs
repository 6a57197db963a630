//! The answer-submission decoder: a submit/autosave request body (JSON) decoded as
//! the API's extractor does, then validated and graded against every quiz of the
//! fixture course (all seven question types), and fed to item analysis.
#![no_main]

use certbook::http::SubmitBody;
use certbook::quiz::{self, Quiz, analysis, parse_bank};
use libfuzzer_sys::fuzz_target;
use std::collections::HashMap;

use std::sync::OnceLock;

fn quizzes() -> &'static Vec<Quiz> {
    static QUIZZES: OnceLock<Vec<Quiz>> = OnceLock::new();
    QUIZZES.get_or_init(|| {
        certbook_fuzz::fixture()
            .iter()
            .filter(|(p, _)| p.starts_with("quizzes"))
            .map(|(p, text)| parse_bank(p, text).0.expect("fixture bank loads"))
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(axum::Json(body)) = axum::Json::<SubmitBody>::from_bytes(data) else {
        return;
    };
    for q in quizzes() {
        let all: Vec<String> = q.questions.iter().map(|q| q.id.clone()).collect();
        let drawn = quiz::draw_questions(q, data.len() as u64, &HashMap::new());
        for ids in [&all, &drawn] {
            let Ok(g) = quiz::grade(q, ids, data.len() as u64, &body.answers) else {
                continue;
            };
            let _ = serde_json::to_string(&g).expect("a grading serialises");
            let attempts: Vec<analysis::AttemptData> = (0..6)
                .map(|_| analysis::AttemptData {
                    percent: g.percent,
                    answers: body.answers.clone(),
                    correct: g.questions.iter().map(|x| (x.id.clone(), x.correct)).collect(),
                    variants: HashMap::new(),
                })
                .collect();
            let _ = analysis::analyse(q, &attempts);
        }
    }
});
