//! Grading: decode a learner's answers against the attempt's questions and score them.
//! Pure and deterministic, so a stored attempt can always be re-graded.

use super::schema::{Question, QuestionKind, Quiz};
use super::{index_of_letter, letter};
use crate::i18n::Msg;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// A decoded answer to one question (indexes are 0-based into the authored lists).
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    Blank,
    Choice(usize),
    Choices(Vec<usize>),
    Bool(bool),
    Text(String),
    Number(f64),
    Sequence(Vec<usize>),
}

/// The outcome for one question, shown to the learner after grading.
#[derive(Clone, Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct GradedQuestion {
    pub id: String,
    pub correct: bool,
    pub points: f64,
    pub awarded: f64,
    pub explanation: String,
    /// The key in the form the page shows it (letters, text or number).
    pub correct_answer: Value,
    /// A variant's drawn values (and its key as `answer`), so reports can tell variants apart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<super::variant::Values>,
}

/// The outcome of a whole attempt.
#[derive(Clone, Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Grading {
    pub score: f64,
    pub max_score: f64,
    /// 0–100, rounded to two decimals.
    pub percent: f64,
    pub passed: bool,
    pub questions: Vec<GradedQuestion>,
}

/// Grades `answers` (question id → JSON answer) for the attempt's `question_ids`, each
/// question as the attempt's `seed` shows it (a variant with its numbers).
/// A malformed answer or an answer to a question outside the attempt is an error
/// (the caller turns it into a 4xx); a missing answer is simply wrong.
pub fn grade(quiz: &Quiz, question_ids: &[String], seed: u64, answers: &BTreeMap<String, Value>) -> Result<Grading, Msg> {
    if let Some(extra) = answers.keys().find(|k| !question_ids.contains(k)) {
        return Err(crate::msg!("quiz-answer-extra-question", question = extra));
    }
    let mut graded = Vec::with_capacity(question_ids.len());
    for qid in question_ids {
        let q = quiz
            .question(qid)
            .ok_or_else(|| crate::msg!("quiz-answer-question-gone", question = qid, quiz = &quiz.id))?
            .instance(seed)
            .map_err(|e| crate::msg!("quiz-answer-variant-failed", question = qid, detail = e))?;
        let answer = match answers.get(qid) {
            None | Some(Value::Null) => Answer::Blank,
            Some(v) => decode(&q, v).map_err(|e| e.arg("question", qid))?,
        };
        let correct = is_correct(&q.kind, &answer);
        graded.push(GradedQuestion {
            id: q.id.clone(),
            correct,
            points: q.points,
            awarded: if correct { q.points } else { 0.0 },
            explanation: q.explanation.clone(),
            correct_answer: key_for_display(&q.kind),
            variant: q.drawn.clone(),
        });
    }
    let score: f64 = graded.iter().map(|g| g.awarded).sum();
    let max_score: f64 = graded.iter().map(|g| g.points).sum();
    let percent = if max_score > 0.0 {
        (score / max_score * 10000.0).round() / 100.0
    } else {
        0.0
    };
    Ok(Grading {
        score,
        max_score,
        percent,
        passed: percent >= quiz.pass_mark,
        questions: graded,
    })
}

/// Decodes a JSON answer according to the question's type. The error's message lacks
/// its `question` argument: the caller adds the question's id.
pub fn decode(q: &Question, v: &Value) -> Result<Answer, Msg> {
    let letters = |v: &Value, count: usize| -> Result<Vec<usize>, Msg> {
        let arr = v.as_array().ok_or_else(|| crate::msg!("quiz-answer-not-letter-list"))?;
        arr.iter()
            .map(|x| {
                x.as_str()
                    .and_then(|s| index_of_letter(s, count))
                    .ok_or_else(|| crate::msg!("quiz-answer-not-letters", last = letter(count - 1)))
            })
            .collect()
    };
    let not_number = || crate::msg!("quiz-answer-not-number");
    Ok(match &q.kind {
        QuestionKind::Single { options, .. } => {
            let s = v.as_str().ok_or_else(|| crate::msg!("quiz-answer-not-one-letter"))?;
            Answer::Choice(
                index_of_letter(s, options.len()).ok_or_else(|| crate::msg!("quiz-answer-not-letter", last = letter(options.len() - 1)))?,
            )
        }
        QuestionKind::Multiple { options, .. } => {
            let mut l = letters(v, options.len())?;
            l.sort_unstable();
            l.dedup();
            Answer::Choices(l)
        }
        QuestionKind::TrueFalse { .. } => Answer::Bool(v.as_bool().ok_or_else(|| crate::msg!("quiz-answer-not-bool"))?),
        QuestionKind::Fill { .. } => Answer::Text(
            v.as_str()
                .ok_or_else(|| crate::msg!("quiz-answer-not-text"))?
                .chars()
                .take(500)
                .collect(),
        ),
        QuestionKind::Numeric { .. } => Answer::Number(match v {
            Value::Number(n) => n.as_f64().ok_or_else(not_number)?,
            Value::String(s) if s.trim().is_empty() => return Ok(Answer::Blank),
            // Thousands separators, ASCII or full-width (U+FF0C), are dropped.
            Value::String(s) => s.trim().replace([',', '\u{ff0c}'], "").parse::<f64>().map_err(|_| not_number())?,
            _ => return Err(not_number()),
        }),
        QuestionKind::Ordering { items, .. } => Answer::Sequence(letters(v, items.len())?),
        QuestionKind::Matching { right, .. } => Answer::Sequence(letters(v, right.len())?),
    })
}

fn is_correct(kind: &QuestionKind, answer: &Answer) -> bool {
    match (kind, answer) {
        (QuestionKind::Single { answer: key, .. }, Answer::Choice(i)) => key == i,
        (QuestionKind::Multiple { answer: key, .. }, Answer::Choices(c)) => key == c,
        (QuestionKind::TrueFalse { answer: key }, Answer::Bool(b)) => key == b,
        (QuestionKind::Fill { answer: accepted }, Answer::Text(t)) => {
            let t = normalize(t);
            !t.is_empty() && accepted.iter().any(|a| normalize(a) == t)
        }
        (
            QuestionKind::Numeric {
                answer: key, tolerance, ..
            },
            Answer::Number(x),
        ) => x.is_finite() && (x - key).abs() <= tolerance + 1e-9,
        (QuestionKind::Ordering { answer: key, .. } | QuestionKind::Matching { answer: key, .. }, Answer::Sequence(s)) => key == s,
        _ => false,
    }
}

/// Folds full-width forms to ASCII, drops white space and lowercases, so
/// "ＲＯＩ " and "roi" compare equal.
pub fn normalize(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            let c = match c as u32 {
                0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                _ => c,
            };
            (!c.is_whitespace()).then(|| c.to_lowercase().collect::<String>())
        })
        .collect()
}

fn key_for_display(kind: &QuestionKind) -> Value {
    match kind {
        QuestionKind::Single { answer, .. } => json!(letter(*answer)),
        QuestionKind::Multiple { answer, .. } | QuestionKind::Ordering { answer, .. } | QuestionKind::Matching { answer, .. } => {
            json!(answer.iter().map(|i| letter(*i)).collect::<Vec<_>>())
        }
        QuestionKind::TrueFalse { answer } => json!(answer),
        QuestionKind::Fill { answer } => json!(answer.first()),
        QuestionKind::Numeric { answer, .. } => json!(answer),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quiz::parse_bank;
    use std::path::Path;

    fn quiz() -> Quiz {
        let text = r#"
id = "g"
title = "G"
pass_mark = 50
[[questions]]
id = "m"
type = "multiple"
prompt = "p"
options = ["a", "b", "c"]
answer = ["A", "C"]
explanation = "e"
[[questions]]
id = "f"
type = "fill"
prompt = "p"
answer = ["ROI", "投资回报率"]
explanation = "e"
[[questions]]
id = "n"
type = "numeric"
prompt = "p"
answer = 120
tolerance = 0.5
explanation = "e"
points = 2
"#;
        parse_bank(Path::new("q.toml"), text).0.unwrap()
    }

    fn ids() -> Vec<String> {
        vec!["m".into(), "f".into(), "n".into()]
    }

    #[test]
    fn can_grade_multiple_fill_and_numeric() {
        let answers: BTreeMap<String, Value> = serde_json::from_value(json!({"m": ["C", "A"], "f": " ｒｏｉ ", "n": "120.4"})).unwrap();
        let g = grade(&quiz(), &ids(), 1, &answers).unwrap();
        assert_eq!((g.score, g.max_score, g.percent, g.passed), (4.0, 4.0, 100.0, true));
    }

    #[test]
    fn partial_multiple_choice_earns_nothing() {
        let answers: BTreeMap<String, Value> = serde_json::from_value(json!({"m": ["A"], "n": 121})).unwrap();
        let g = grade(&quiz(), &ids(), 1, &answers).unwrap();
        assert_eq!(g.score, 0.0);
        assert!(!g.passed);
    }

    #[test]
    fn rejects_answers_outside_the_attempt_and_malformed_ones() {
        let extra: BTreeMap<String, Value> = serde_json::from_value(json!({"zzz": "A"})).unwrap();
        assert_eq!(
            grade(&quiz(), &ids(), 1, &extra).unwrap_err(),
            crate::msg!("quiz-answer-extra-question", question = "zzz")
        );
        let bad: BTreeMap<String, Value> = serde_json::from_value(json!({"m": ["Q"]})).unwrap();
        let e = grade(&quiz(), &ids(), 1, &bad).unwrap_err();
        assert_eq!(e, crate::msg!("quiz-answer-not-letters", last = "C", question = "m"));
        let en = crate::i18n::Messages::builtin(crate::i18n::Lang::En);
        assert_eq!(en.text(&e), "The answer to `m` must be letters from A to C");
    }
}
