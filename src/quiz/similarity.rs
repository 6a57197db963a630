//! The similarity report for instructors: pairs of attempts from the same sitting that
//! share improbably many identical wrong answers.
//!
//! The rule, kept simple enough to explain to a learner:
//! - two graded attempts are compared when they come from different learners and their
//!   [start, submit] intervals overlap or are at most `span` apart (the same sitting);
//! - they "match" on a question both were asked when both answered it wrongly with the
//!   same answer (blank answers never match; choices compare as sets, text as graded);
//! - given one learner's wrong answer w to question q, the chance that the other picks the
//!   same w on their own is how often everyone else (all other graded attempts of the
//!   quiz, whatever their sitting) picked it, counted as if one more had:
//!   (others who answered w + 1) / (others asked q + 1);
//! - `expected` sums these chances over the questions the first learner got wrong, and
//!   `probability` is the chance of at least the observed matches if every question were
//!   an independent coin with its own chance (a Poisson-binomial tail). Both directions
//!   are computed and the less suspicious one is reported;
//! - a pair is flagged when it has at least [`MIN_IDENTICAL_WRONG`] matches and its
//!   probability is below [`FAMILY_ALPHA`] divided by the number of pairs compared
//!   (Bonferroni: about one honest class in a hundred shows any flag at all).
//!
//! A wrong answer shared by many (a common misconception, or a cheat sheet passed around a
//! whole group) counts as common and is not flagged. A flag is a reason to look, never proof.

use super::schema::Quiz;
use super::{Answer, letter};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// Matches needed before a pair can be flagged, however unusual the answers.
pub const MIN_IDENTICAL_WRONG: usize = 3;
/// Family-wise chance of flagging any pair in an honest class (split over the pairs compared).
pub const FAMILY_ALPHA: f64 = 0.01;
/// Pairs listed at most, most improbable first.
pub const MAX_LISTED: usize = 200;

/// One graded attempt, reduced to what the report needs.
pub struct Sitting {
    pub learner: i64,
    /// Unix ms.
    pub started_at: i64,
    pub submitted_at: i64,
    pub answers: BTreeMap<String, Value>,
    /// Question id → answered correctly, for the questions the attempt held.
    pub correct: HashMap<String, bool>,
}

/// One compared pair with at least one identical wrong answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Pair {
    /// Indexes into the sittings given.
    pub first: usize,
    pub second: usize,
    /// Questions both were asked.
    pub compared: usize,
    /// The questions both answered wrongly with the same answer.
    pub identical_wrong: Vec<String>,
    /// Matches expected under independence.
    pub expected: f64,
    /// Chance of at least this many matches under independence.
    pub probability: f64,
    pub flagged: bool,
}

pub struct Report {
    /// Pairs of different learners in the same sitting.
    pub pairs_compared: usize,
    /// The probability below which a pair with enough matches is flagged.
    pub threshold: f64,
    /// Pairs with at least one identical wrong answer, most improbable first (at most [`MAX_LISTED`]).
    pub pairs: Vec<Pair>,
}

/// A wrong answer in a comparable form; `None` for blank or unreadable ones.
fn wrong_key(quiz: &Quiz, qid: &str, v: &Value) -> Option<String> {
    let q = quiz.question(qid)?;
    let letters = |v: &[usize], sep: &str| v.iter().map(|i| letter(*i)).collect::<Vec<_>>().join(sep);
    match super::grade::decode(q, v).ok()? {
        Answer::Blank => None,
        Answer::Choice(i) => Some(letter(i)),
        Answer::Choices(v) => Some(letters(&v, ",")),
        Answer::Bool(b) => Some(b.to_string()),
        Answer::Text(t) => Some(super::grade::normalize(&t)).filter(|t| !t.is_empty()),
        Answer::Number(x) => Some(x.to_string()),
        Answer::Sequence(v) => Some(letters(&v, "-")),
    }
}

/// P(X ≥ k) for X the number of successes of independent trials with probabilities `ps`.
fn tail(ps: &[f64], k: usize) -> f64 {
    if k == 0 {
        return 1.0;
    }
    // dp[j]: chance of exactly j successes so far, with j = k absorbing "k or more".
    let mut dp = vec![0.0; k + 1];
    dp[0] = 1.0;
    for &p in ps {
        let p = p.clamp(0.0, 1.0);
        dp[k] += dp[k - 1] * p;
        for j in (1..k).rev() {
            dp[j] = dp[j] * (1.0 - p) + dp[j - 1] * p;
        }
        dp[0] *= 1.0 - p;
    }
    dp[k].clamp(0.0, 1.0)
}

/// The report over `sittings` (every graded attempt of `quiz`); `span_ms` is the largest
/// gap between two attempts still counted as the same sitting.
pub fn report(quiz: &Quiz, sittings: &[Sitting], span_ms: i64) -> Report {
    let wrong: Vec<HashMap<&str, String>> = sittings
        .iter()
        .map(|s| {
            s.correct
                .iter()
                .filter(|(_, ok)| !**ok)
                .filter_map(|(qid, _)| Some((qid.as_str(), wrong_key(quiz, qid, s.answers.get(qid)?)?)))
                .collect()
        })
        .collect();
    // How many attempts were asked each question, and gave each wrong answer.
    let mut asked: HashMap<&str, usize> = HashMap::new();
    let mut chose: HashMap<(&str, &str), usize> = HashMap::new();
    for (s, w) in sittings.iter().zip(&wrong) {
        for qid in s.correct.keys() {
            *asked.entry(qid.as_str()).or_default() += 1;
        }
        for (qid, key) in w {
            *chose.entry((*qid, key.as_str())).or_default() += 1;
        }
    }
    // Direction `from` → `to`: the chances that `to` repeats each wrong answer of `from`,
    // judged by everyone but the two of them.
    let chances = |from: usize, to: usize| -> Vec<f64> {
        let mut qs: Vec<(&&str, &String)> = wrong[from].iter().filter(|(q, _)| sittings[to].correct.contains_key(**q)).collect();
        qs.sort_unstable();
        qs.into_iter()
            .map(|(q, w)| {
                let own = |i: usize| wrong[i].get(*q) == Some(w);
                let others_chose = chose[&(*q, w.as_str())] - own(from) as usize - own(to) as usize;
                let others_asked = asked[*q] - 2;
                (others_chose + 1) as f64 / (others_asked + 1) as f64
            })
            .collect()
    };
    let mut compared = 0;
    let mut pairs = Vec::new();
    for i in 0..sittings.len() {
        for j in i + 1..sittings.len() {
            let (a, b) = (&sittings[i], &sittings[j]);
            let gap = a.started_at.max(b.started_at) - a.submitted_at.min(b.submitted_at);
            if a.learner == b.learner || gap > span_ms {
                continue;
            }
            compared += 1;
            let mut identical: Vec<String> = wrong[i]
                .iter()
                .filter(|(q, w)| wrong[j].get(**q) == Some(*w))
                .map(|(q, _)| q.to_string())
                .collect();
            if identical.is_empty() {
                continue;
            }
            identical.sort_by_key(|q| quiz.questions.iter().position(|x| &x.id == q));
            let (ab, ba) = (chances(i, j), chances(j, i));
            let (pab, pba) = (tail(&ab, identical.len()), tail(&ba, identical.len()));
            let (ps, probability) = if pab >= pba { (ab, pab) } else { (ba, pba) };
            pairs.push(Pair {
                first: i,
                second: j,
                compared: a.correct.keys().filter(|q| b.correct.contains_key(*q)).count(),
                expected: (ps.iter().sum::<f64>() * 100.0).round() / 100.0,
                probability,
                identical_wrong: identical,
                flagged: false,
            });
        }
    }
    let threshold = FAMILY_ALPHA / compared.max(1) as f64;
    for p in &mut pairs {
        p.flagged = p.identical_wrong.len() >= MIN_IDENTICAL_WRONG && p.probability < threshold;
    }
    pairs.sort_by(|x, y| {
        x.probability
            .total_cmp(&y.probability)
            .then(y.identical_wrong.len().cmp(&x.identical_wrong.len()))
    });
    pairs.truncate(MAX_LISTED);
    Report {
        pairs_compared: compared,
        threshold,
        pairs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quiz::parse_bank;
    use serde_json::json;
    use std::path::Path;

    #[test]
    fn the_tail_of_independent_trials_is_right() {
        assert_eq!(tail(&[0.5, 0.5], 0), 1.0);
        assert!((tail(&[0.5, 0.5], 1) - 0.75).abs() < 1e-12);
        assert!((tail(&[0.5, 0.5], 2) - 0.25).abs() < 1e-12);
        assert!((tail(&[0.1; 10], 8) - 3.736e-7).abs() < 1e-10);
        assert_eq!(tail(&[0.3], 2), 0.0);
    }

    fn quiz() -> Quiz {
        let mut text = String::from("id = \"s\"\ntitle = \"S\"\n");
        for i in 1..=10 {
            text += &format!(
                "[[questions]]\nid = \"q{i}\"\ntype = \"single\"\nprompt = \"p\"\noptions = [\"a\", \"b\", \"c\", \"d\"]\nanswer = \"A\"\nexplanation = \"e\"\n"
            );
        }
        parse_bank(Path::new("s.toml"), &text).0.unwrap()
    }

    fn sitting(learner: i64, at: i64, answers: &[&str]) -> Sitting {
        let map: BTreeMap<String, Value> = answers.iter().enumerate().map(|(i, a)| (format!("q{}", i + 1), json!(a))).collect();
        Sitting {
            learner,
            started_at: at,
            submitted_at: at + 1000,
            correct: map.iter().map(|(k, v)| (k.clone(), v == "A")).collect(),
            answers: map,
        }
    }

    #[test]
    fn a_pair_sharing_rare_wrong_answers_is_flagged_and_a_common_mistake_is_not() {
        let common_mistake = ["B", "B", "A", "A", "A", "A", "A", "A", "A", "A"];
        let copied = ["A", "A", "C", "D", "C", "D", "C", "D", "A", "A"];
        let mut s: Vec<Sitting> = (1..=10).map(|l| sitting(l, 0, &common_mistake)).collect();
        s.push(sitting(11, 0, &copied));
        s.push(sitting(12, 500, &copied));
        // The same answers a week later are another sitting: not compared, only counted as common.
        s.push(sitting(13, 7 * 86_400_000, &copied));
        let r = report(&quiz(), &s, 3_600_000);
        assert_eq!(r.pairs_compared, 12 * 11 / 2);
        let flagged: Vec<(usize, usize)> = r.pairs.iter().filter(|p| p.flagged).map(|p| (p.first, p.second)).collect();
        assert_eq!(flagged, vec![(10, 11)]);
        let top = &r.pairs[0];
        assert_eq!((top.identical_wrong.len(), top.compared), (6, 10));
        // Each copied answer: 1 of the 11 others chose it, so (1 + 1) / (11 + 1) per question.
        assert_eq!(top.expected, 1.0);
        assert!((top.probability - (1.0f64 / 6.0).powi(6)).abs() < 1e-12, "{top:?}");
        // Honest pairs share the common mistake and are listed, unflagged.
        assert!(r.pairs.iter().any(|p| p.identical_wrong.len() == 2 && !p.flagged));
    }
}
