//! Item analysis for authors: how hard each question is (facility), whether it
//! separates strong from weak learners (discrimination, upper minus lower 27%),
//! and how often each option was chosen, with flags for questions to fix.

use super::letter;
use super::schema::{QuestionKind, Quiz};
use crate::i18n::Messages;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// One graded attempt, reduced to what the analysis needs.
pub struct AttemptData {
    /// The attempt's total, 0–100.
    pub percent: f64,
    pub answers: BTreeMap<String, Value>,
    /// Question id → answered correctly, for the questions the attempt held.
    pub correct: HashMap<String, bool>,
    /// Question id → the variant it showed (its values as a label), for variant questions.
    pub variants: HashMap<String, String>,
}

/// How one variant of a question fared.
#[derive(Clone, Debug, Serialize, PartialEq, utoipa::ToSchema)]
pub struct VariantStats {
    /// The values drawn, e.g. `dau = 18, mau = 90`.
    pub values: String,
    pub attempts: usize,
    /// Share answering correctly, 0–1.
    pub facility: f64,
}

/// Variants listed per question, most attempted first.
pub const MAX_VARIANTS_LISTED: usize = 12;

#[derive(Clone, Debug, Serialize, PartialEq, utoipa::ToSchema)]
pub struct OptionShare {
    pub option: String,
    pub text: String,
    pub correct: bool,
    /// Share of the question's attempts that chose it, 0–1.
    pub share: f64,
}

#[derive(Clone, Debug, Serialize, PartialEq, utoipa::ToSchema)]
pub struct ItemStats {
    pub id: String,
    pub prompt: String,
    pub attempts: usize,
    /// Share answering correctly, 0–1.
    pub facility: Option<f64>,
    /// Facility in the top 27% of attempts minus that in the bottom 27%, −1..1.
    pub discrimination: Option<f64>,
    pub options: Vec<OptionShare>,
    /// `too_easy` (facility ≥ 0.9), `too_hard` (≤ 0.3), `negative_discrimination` (< 0).
    pub flags: Vec<&'static str>,
    /// A variant question's figures per variant (at most [`MAX_VARIANTS_LISTED`]; empty
    /// for other questions).
    pub variants: Vec<VariantStats>,
}

/// Per-variant facility of question `qid` over the attempts that held it.
fn variant_stats(held: &[&AttemptData], qid: &str) -> Vec<VariantStats> {
    let mut by: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for a in held {
        if let Some(v) = a.variants.get(qid) {
            let e = by.entry(v.as_str()).or_default();
            e.0 += 1;
            e.1 += usize::from(a.correct.get(qid) == Some(&true));
        }
    }
    let mut out: Vec<VariantStats> = by
        .into_iter()
        .map(|(values, (n, right))| VariantStats {
            values: values.to_string(),
            attempts: n,
            facility: round4(right as f64 / n as f64),
        })
        .collect();
    out.sort_by(|a, b| b.attempts.cmp(&a.attempts).then_with(|| a.values.cmp(&b.values)));
    out.truncate(MAX_VARIANTS_LISTED);
    out
}

/// Flags need this many attempts of a question; fewer is noise.
pub const MIN_ATTEMPTS_FOR_FLAGS: usize = 5;

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// The analysis of every question of `quiz`; a true/false question's options are named
/// in `messages`' language.
pub fn analyse(quiz: &Quiz, attempts: &[AttemptData], messages: &Messages) -> Vec<ItemStats> {
    let mut order: Vec<&AttemptData> = attempts.iter().collect();
    order.sort_by(|a, b| b.percent.total_cmp(&a.percent));
    let group = ((attempts.len() as f64 * 0.27).round() as usize).max(1);
    let (upper, lower) = if attempts.len() >= 2 {
        (
            &order[..group.min(order.len() / 2)],
            &order[order.len() - group.min(order.len() / 2)..],
        )
    } else {
        (&order[..0], &order[..0])
    };
    let facility_in = |set: &[&AttemptData], qid: &str| -> Option<f64> {
        let seen: Vec<bool> = set.iter().filter_map(|a| a.correct.get(qid).copied()).collect();
        (!seen.is_empty()).then(|| seen.iter().filter(|c| **c).count() as f64 / seen.len() as f64)
    };
    quiz.questions
        .iter()
        .map(|q| {
            let held: Vec<&AttemptData> = attempts.iter().filter(|a| a.correct.contains_key(&q.id)).collect();
            let n = held.len();
            let facility = facility_in(&held, &q.id);
            let discrimination = match (facility_in(upper, &q.id), facility_in(lower, &q.id)) {
                (Some(u), Some(l)) => Some(round4(u - l)),
                _ => None,
            };
            let chosen = |pred: &dyn Fn(&Value) -> bool| {
                held.iter().filter(|a| a.answers.get(&q.id).is_some_and(pred)).count() as f64 / n.max(1) as f64
            };
            let options = match &q.kind {
                QuestionKind::Single { options, answer } => options
                    .iter()
                    .enumerate()
                    .map(|(i, t)| OptionShare {
                        option: letter(i),
                        text: t.clone(),
                        correct: i == *answer,
                        share: round4(chosen(&|v| v.as_str() == Some(letter(i).as_str()))),
                    })
                    .collect(),
                QuestionKind::Multiple { options, answer } => options
                    .iter()
                    .enumerate()
                    .map(|(i, t)| OptionShare {
                        option: letter(i),
                        text: t.clone(),
                        correct: answer.contains(&i),
                        share: round4(chosen(&|v| {
                            v.as_array()
                                .is_some_and(|a| a.iter().any(|x| x.as_str() == Some(letter(i).as_str())))
                        })),
                    })
                    .collect(),
                QuestionKind::TrueFalse { answer } => [true, false]
                    .iter()
                    .map(|b| OptionShare {
                        option: b.to_string(),
                        text: messages.get(if *b { "analysis-option-true" } else { "analysis-option-false" }),
                        correct: b == answer,
                        share: round4(chosen(&|v| v.as_bool() == Some(*b))),
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let mut flags = Vec::new();
            if n >= MIN_ATTEMPTS_FOR_FLAGS {
                if facility.is_some_and(|f| f >= 0.9) {
                    flags.push("too_easy");
                }
                if facility.is_some_and(|f| f <= 0.3) {
                    flags.push("too_hard");
                }
                if discrimination.is_some_and(|d| d < 0.0) {
                    flags.push("negative_discrimination");
                }
            }
            ItemStats {
                id: q.id.clone(),
                prompt: q.prompt.clone(),
                attempts: n,
                facility: facility.map(round4),
                discrimination,
                options,
                flags,
                variants: variant_stats(&held, &q.id),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use serde_json::json;

    fn analyse_zh(quiz: &Quiz, attempts: &[AttemptData]) -> Vec<ItemStats> {
        analyse(quiz, attempts, &Messages::builtin(Lang::ZhCn))
    }

    const BANK: &str = r#"
id = "ia"
title = "item analysis fixture"
[[questions]]
id = "q1"
type = "single"
prompt = "p1"
options = ["a", "b", "c"]
answer = "B"
explanation = "e"
[[questions]]
id = "q2"
type = "truefalse"
prompt = "p2"
answer = true
explanation = "e"
[[questions]]
id = "q3"
type = "single"
prompt = "p3"
options = ["a", "b"]
answer = "A"
explanation = "e"
[[questions]]
id = "q4"
type = "truefalse"
prompt = "p4"
answer = true
explanation = "e"
"#;

    fn attempt(percent: f64, q1: &str, q2: bool, q3: &str) -> AttemptData {
        let answers: BTreeMap<String, Value> = [("q1", json!(q1)), ("q2", json!(q2)), ("q3", json!(q3)), ("q4", json!(true))]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        let correct = [("q1", q1 == "B"), ("q2", q2), ("q3", q3 == "A"), ("q4", true)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        AttemptData {
            percent,
            answers,
            correct,
            variants: HashMap::new(),
        }
    }

    /// Six attempts, worked by hand: the top and bottom 27% are two attempts each.
    #[test]
    fn figures_match_the_hand_computation() {
        let (quiz, diags) = crate::quiz::parse_bank(std::path::Path::new("ia.toml"), BANK);
        assert!(diags.is_empty(), "{diags:?}");
        let quiz = quiz.unwrap();
        let attempts = vec![
            attempt(95.0, "B", true, "B"),
            attempt(90.0, "B", true, "B"),
            attempt(70.0, "A", true, "A"),
            attempt(50.0, "B", false, "A"),
            attempt(30.0, "C", false, "A"),
            attempt(10.0, "A", true, "A"),
        ];
        let items = analyse_zh(&quiz, &attempts);
        let q = |id: &str| items.iter().find(|i| i.id == id).unwrap();
        // q1: right in 3 of 6; upper 2/2, lower 0/2.
        assert_eq!((q("q1").facility, q("q1").discrimination), (Some(0.5), Some(1.0)));
        let shares: Vec<f64> = q("q1").options.iter().map(|o| o.share).collect();
        assert_eq!(shares, vec![0.3333, 0.5, 0.1667]);
        assert!(q("q1").flags.is_empty());
        // q2: 4 of 6; upper 2/2, lower 1/2.
        assert_eq!((q("q2").facility, q("q2").discrimination), (Some(0.6667), Some(0.5)));
        // q3: the strongest learners get it wrong: negative discrimination.
        assert_eq!((q("q3").facility, q("q3").discrimination), (Some(0.6667), Some(-1.0)));
        assert_eq!(q("q3").flags, vec!["negative_discrimination"]);
        // q4: everyone right.
        assert_eq!((q("q4").facility, q("q4").discrimination), (Some(1.0), Some(0.0)));
        assert_eq!(q("q4").flags, vec!["too_easy"]);
        assert!(q("q4").options.iter().any(|o| o.option == "true" && o.share == 1.0));
    }

    #[test]
    fn too_few_attempts_raise_no_flags() {
        let (quiz, _) = crate::quiz::parse_bank(std::path::Path::new("ia.toml"), BANK);
        let items = analyse_zh(&quiz.unwrap(), &[attempt(10.0, "A", false, "B")]);
        assert!(items.iter().all(|i| i.flags.is_empty() && i.discrimination.is_none()));
        assert_eq!(items[0].facility, Some(0.0));
    }
}
