//! A quiz bank (`quizzes/*.toml`): parsed and validated, and when it loads it must
//! also draw, show, grade (its own key back, full marks) and analyse without panicking.
#![no_main]

use certbook::quiz::{self, analysis, exam, parse_bank};
use libfuzzer_sys::fuzz_target;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Some(text) = certbook_fuzz::text(data) else {
        return;
    };
    let (bank, diags) = parse_bank(Path::new("quizzes/q.toml"), text);
    for d in &diags {
        let _ = d.render_text(text);
    }
    let Some(bank) = bank else {
        return;
    };
    let _ = exam::limits(&bank, None, None);
    for phase in [exam::Phase::Immediately, exam::Phase::Later, exam::Phase::AfterClose] {
        let _ = exam::shown(&bank, phase);
    }
    let mut attempts = Vec::new();
    for seed in 0..3 {
        let ids = quiz::draw_questions(&bank, seed, &HashMap::new());
        let _ = quiz::public_questions(&bank, &ids, seed);
        let blank = quiz::grade(&bank, &ids, seed, &BTreeMap::new()).expect("a blank attempt grades");
        // The key the learner is shown after grading, sent back as answers, is accepted.
        let key: BTreeMap<String, serde_json::Value> = blank.questions.iter().map(|g| (g.id.clone(), g.correct_answer.clone())).collect();
        let graded = quiz::grade(&bank, &ids, seed, &key).expect("the shown key is a valid answer");
        if let Some(wrong) = graded.questions.iter().find(|g| !g.correct) {
            panic!("the key shown for `{}` ({}) is graded wrong", wrong.id, wrong.correct_answer);
        }
        attempts.push(analysis::AttemptData {
            percent: graded.percent,
            correct: graded.questions.iter().map(|g| (g.id.clone(), g.correct)).collect(),
            answers: key,
            variants: HashMap::new(),
        });
        attempts.push(analysis::AttemptData {
            percent: blank.percent,
            correct: blank.questions.iter().map(|g| (g.id.clone(), g.correct)).collect(),
            answers: BTreeMap::new(),
            variants: HashMap::new(),
        });
    }
    let _ = analysis::analyse(&bank, &attempts);
});
