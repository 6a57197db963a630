//! What a graded attempt looked like to its learner: each question with its options in
//! the order that attempt showed them (labelled by position, as the page did), the
//! learner's own answer and, when the review allows, the key and the explanation.

use super::grade::{Answer, Grading, decode};
use super::schema::{QuestionKind, Quiz, Shown};
use super::view::public_questions;
use super::{index_of_letter, letter};
use crate::i18n::Messages;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// An option as shown: its label in the attempt's order and whether it was picked.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ReviewOption {
    pub label: String,
    pub text: String,
    pub chosen: bool,
    /// Part of the key (false while the review withholds keys).
    pub correct: bool,
}

/// One question of a graded attempt as reviewed.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ReviewItem {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub prompt: String,
    /// Right or wrong, when the review shows correctness.
    pub correct: Option<bool>,
    pub points: f64,
    pub awarded: Option<f64>,
    /// Single and multiple choice: the options in the order shown (empty for other types).
    pub options: Vec<ReviewOption>,
    /// The learner's answer in words: ordering's items in their order, matching's pairs
    /// (`left → right`), the text or number given; empty when left blank.
    pub given: Vec<String>,
    /// The key in the same form (empty while the review withholds keys).
    pub key: Vec<String>,
    pub explanation: Option<String>,
}

/// The review of a graded attempt (`ids` and `seed` are the attempt's, `answers` those
/// graded) showing what `shown` allows; a true/false answer is named in `messages`'
/// language.
pub fn review(
    messages: &Messages,
    quiz: &Quiz,
    ids: &[String],
    seed: u64,
    answers: &BTreeMap<String, Value>,
    grading: &Grading,
    shown: Shown,
) -> Vec<ReviewItem> {
    let truth = |b: bool| messages.get(if b { "quiz-true" } else { "quiz-false" });
    public_questions(quiz, ids, seed)
        .into_iter()
        .filter_map(|pq| {
            let q = quiz.question(&pq.id)?.instance(seed).ok()?;
            let graded = grading.questions.iter().find(|g| g.id == pq.id);
            let answer = answers
                .get(&pq.id)
                .filter(|v| !v.is_null())
                .and_then(|v| decode(&q, v).ok())
                .unwrap_or(Answer::Blank);
            let (mut given, mut key, mut options) = (Vec::new(), Vec::new(), Vec::new());
            match &q.kind {
                QuestionKind::Single { options: list, .. } | QuestionKind::Multiple { options: list, .. } => {
                    let keys: Vec<usize> = match &q.kind {
                        QuestionKind::Multiple { answer, .. } => answer.clone(),
                        QuestionKind::Single { answer, .. } => vec![*answer],
                        _ => Vec::new(),
                    };
                    let picked: Vec<usize> = match &answer {
                        Answer::Choice(i) => vec![*i],
                        Answer::Choices(c) => c.clone(),
                        _ => Vec::new(),
                    };
                    for (pos, choice) in pq.options.iter().enumerate() {
                        let Some(i) = index_of_letter(&choice.key, list.len()) else {
                            continue;
                        };
                        let label = letter(pos);
                        if picked.contains(&i) {
                            given.push(format!("{label}. {}", choice.text));
                        }
                        if keys.contains(&i) && shown.answers {
                            key.push(format!("{label}. {}", choice.text));
                        }
                        options.push(ReviewOption {
                            label,
                            text: choice.text.clone(),
                            chosen: picked.contains(&i),
                            correct: shown.answers && keys.contains(&i),
                        });
                    }
                }
                QuestionKind::Ordering { items, answer: k } => {
                    if let Answer::Sequence(s) = &answer {
                        given = s.iter().filter_map(|i| items.get(*i).cloned()).collect();
                    }
                    key = k.iter().filter_map(|i| items.get(*i).cloned()).collect();
                }
                QuestionKind::Matching { left, right, answer: k } => {
                    if let Answer::Sequence(s) = &answer {
                        given = left
                            .iter()
                            .zip(s)
                            .map(|(l, r)| format!("{l} → {}", right.get(*r).map_or("", String::as_str)))
                            .collect();
                    }
                    key = left
                        .iter()
                        .zip(k)
                        .map(|(l, r)| format!("{l} → {}", right.get(*r).map_or("", String::as_str)))
                        .collect();
                }
                QuestionKind::TrueFalse { answer: k } => {
                    if let Answer::Bool(b) = answer {
                        given.push(truth(b));
                    }
                    key.push(truth(*k));
                }
                QuestionKind::Fill { answer: accepted } => {
                    if let Answer::Text(t) = answer {
                        given.push(t);
                    }
                    key = accepted.clone();
                }
                QuestionKind::Numeric { answer: k, unit, .. } => {
                    let unit = unit.as_deref().map(|u| format!(" {u}")).unwrap_or_default();
                    if let Answer::Number(x) = answer {
                        given.push(format!("{x}{unit}"));
                    }
                    // At most four decimals: a computed key such as 83.333… reads as 83.3333.
                    key.push(format!("{}{unit}", super::variant::show_up_to(*k, 4)));
                }
            }
            if !shown.answers {
                key.clear();
            }
            Some(ReviewItem {
                id: pq.id,
                kind: pq.kind,
                prompt: pq.prompt,
                correct: graded.map(|g| g.correct).filter(|_| shown.correctness),
                points: q.points,
                awarded: graded.map(|g| g.awarded).filter(|_| shown.correctness),
                options,
                given,
                key,
                explanation: shown.explanations.then(|| q.explanation.clone()),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quiz::{grade, parse_bank};
    use serde_json::json;

    fn zh() -> Messages {
        Messages::builtin(crate::i18n::Lang::ZhCn)
    }
    use std::path::Path;

    const BANK: &str = r#"id = "r"
title = "R"
[[questions]]
id = "s"
type = "single"
prompt = "选一个"
options = ["一", "二", "三", "四"]
answer = "C"
explanation = "「三」对。"
[[questions]]
id = "o"
type = "ordering"
prompt = "排序"
items = ["甲", "乙", "丙"]
answer = ["B", "A", "C"]
explanation = "乙、甲、丙。"
[[questions]]
id = "m"
type = "matching"
prompt = "配对"
left = ["左1", "左2"]
right = ["右1", "右2"]
answer = ["B", "A"]
explanation = "交叉。"
"#;

    #[test]
    fn options_come_in_the_order_shown_with_the_choice_and_the_key_marked() {
        let (quiz, _) = parse_bank(Path::new("r.toml"), BANK);
        let quiz = quiz.unwrap();
        let ids: Vec<String> = ["s", "o", "m"].iter().map(|s| s.to_string()).collect();
        for seed in 0..20u64 {
            let sheet = public_questions(&quiz, &ids, seed);
            // The learner picks the option shown first.
            let first = sheet[0].options[0].clone();
            let answers: BTreeMap<String, Value> =
                serde_json::from_value(json!({ "s": first.key, "o": ["A", "B", "C"], "m": ["B", "A"] })).unwrap();
            let g = grade(&quiz, &ids, seed, &answers).unwrap();
            let r = review(&zh(), &quiz, &ids, seed, &answers, &g, Shown::ALL);
            let shown_texts: Vec<&str> = sheet[0].options.iter().map(|o| o.text.as_str()).collect();
            let reviewed: Vec<&str> = r[0].options.iter().map(|o| o.text.as_str()).collect();
            assert_eq!(reviewed, shown_texts, "seed {seed}: the order the learner saw");
            assert_eq!(r[0].options.iter().map(|o| o.label.as_str()).collect::<String>(), "ABCD");
            assert!(r[0].options[0].chosen && r[0].options.iter().filter(|o| o.chosen).count() == 1);
            let keyed: Vec<&str> = r[0].options.iter().filter(|o| o.correct).map(|o| o.text.as_str()).collect();
            assert_eq!(keyed, ["三"]);
            assert_eq!(r[0].correct, Some(first.text == "三"));
            assert_eq!(
                (r[1].given.clone(), r[1].key.clone()),
                (
                    vec!["甲".to_string(), "乙".into(), "丙".into()],
                    vec!["乙".to_string(), "甲".into(), "丙".into()]
                )
            );
            assert_eq!(r[2].key, ["左1 → 右2", "左2 → 右1"]);
            assert_eq!(r[2].correct, Some(true));
            // A review that withholds keys shows the choice but no key and no explanation.
            let hidden = review(&zh(), &quiz, &ids, seed, &answers, &g, Shown::SCORE);
            assert!(
                hidden
                    .iter()
                    .all(|i| i.key.is_empty() && i.explanation.is_none() && i.correct.is_none())
            );
            assert!(hidden[0].options.iter().all(|o| !o.correct) && hidden[0].options[0].chosen);
        }
    }
}
