//! Mutation fuzzing without a nightly toolchain: every loader and decoder gets valid
//! files with random bytes deleted, inserted, duplicated or swapped, plus arbitrary
//! text, and must answer with diagnostics, never a panic. Cases per target default to
//! 64 here; `scripts/fuzz` runs many more (PROPTEST_CASES).

use certbook::certify::{parse_exercise, parse_rubric, parse_track};
use certbook::course::parse_lesson;
use certbook::quiz::parse_bank;
use certbook::sandbox::{Formula, parse_scenario};
use proptest::prelude::*;
use std::path::Path;

fn corpus(dir: &str, ext: &str) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(root.join(dir)).into_iter().flatten() {
        if e.path().extension().is_some_and(|x| x == ext)
            && let Ok(t) = std::fs::read_to_string(e.path())
        {
            out.push(t);
        }
    }
    out.sort();
    out
}

/// A mutation: (kind, position, length, byte).
fn mutate(text: &str, edits: &[(u8, usize, usize, u8)]) -> String {
    let mut b = text.as_bytes().to_vec();
    for &(kind, pos, len, byte) in edits {
        if b.is_empty() {
            b.push(byte);
            continue;
        }
        let p = pos % b.len();
        let l = (len % 16).min(b.len() - p);
        match kind % 4 {
            0 => {
                b.drain(p..p + l);
            }
            1 => b.insert(p, byte),
            2 => {
                let chunk: Vec<u8> = b[p..p + l].to_vec();
                b.splice(p..p, chunk);
            }
            _ => {
                let q = (p + l) % b.len();
                b.swap(p, q);
            }
        }
    }
    // Loaders read files as UTF-8; invalid sequences never reach them.
    String::from_utf8_lossy(&b).into_owned()
}

fn edits() -> impl Strategy<Value = Vec<(u8, usize, usize, u8)>> {
    prop::collection::vec((any::<u8>(), any::<usize>(), any::<usize>(), any::<u8>()), 1..12)
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), .. ProptestConfig::default() })]

    #[test]
    fn quiz_banks(i in any::<prop::sample::Index>(), e in edits()) {
        let c = corpus("quizzes", "toml");
        let _ = parse_bank(Path::new("q.toml"), &mutate(i.get::<String>(&c), &e));
    }

    #[test]
    fn scenarios_and_their_formulas(i in any::<prop::sample::Index>(), e in edits(), seed in any::<u64>()) {
        let c = corpus("content/scenarios", "toml");
        let text = mutate(i.get::<String>(&c), &e);
        if let (Some(sc), _) = parse_scenario(Path::new("s.toml"), &text) {
            // A mutated scenario that still loads must also play without panicking.
            let _ = certbook::sandbox::autoplay(&sc, 2 + seed % 3);
        }
    }

    #[test]
    fn lessons(i in any::<prop::sample::Index>(), e in edits()) {
        let c = corpus("content", "md");
        let _ = parse_lesson(Path::new("l.md"), &mutate(i.get::<String>(&c), &e));
    }

    #[test]
    fn certification_exercises_and_rubric(e in edits(), which in 0u8..3) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        let (file, text) = match which {
            0 => ("certification.toml", std::fs::read_to_string(root.join("certification.toml")).unwrap()),
            1 => ("rubric.toml", std::fs::read_to_string(root.join("rubric.toml")).unwrap()),
            _ => ("exercise.toml", std::fs::read_to_string(root.join("exercises/private-chain.toml")).unwrap()),
        };
        let text = mutate(&text, &e);
        let p = Path::new(file);
        let _ = (parse_track(p, &text), parse_rubric(p, &text, &certbook::i18n::Messages::builtin(certbook::i18n::Lang::ZhCn)), parse_exercise(p, &text));
    }

    #[test]
    fn formulas(src in "[a-z0-9_.+*/%()<>=!&|, -]{0,40}") {
        if let Ok(f) = Formula::compile(&src) {
            let _ = f.number(&certbook::sandbox::Env::default());
        }
    }

    #[test]
    fn answers_of_every_type(seed in any::<u64>(), raw in ".{0,40}", n in any::<f64>(), list in prop::collection::vec(".{0,3}", 0..6)) {
        let bank = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/course-ok/quizzes/all-types.toml")).unwrap();
        let (quiz, _) = parse_bank(Path::new("q.toml"), &bank);
        let quiz = quiz.unwrap();
        let ids: Vec<String> = quiz.questions.iter().map(|q| q.id.clone()).collect();
        let values = [serde_json::json!(raw), serde_json::json!(n), serde_json::json!(list), serde_json::json!(seed % 2 == 0), serde_json::Value::Null];
        let answers = ids.iter().enumerate().map(|(i, id)| (id.clone(), values[(seed as usize + i) % values.len()].clone())).collect();
        // Whatever comes in, a grading that succeeds stays within its bounds.
        if let Ok(g) = certbook::quiz::grade(&quiz, &ids, seed, &answers) {
            prop_assert!(g.score >= 0.0 && g.score <= g.max_score && (0.0..=100.0).contains(&g.percent));
            prop_assert_eq!(g.passed, g.percent >= quiz.pass_mark);
        }
    }
}
