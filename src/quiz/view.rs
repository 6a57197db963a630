//! What a learner's browser receives: the attempt's questions without keys or
//! explanations, with ordering items and matching targets shuffled per attempt.

use super::letter;
use super::schema::{Question, QuestionKind, Quiz};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use std::collections::HashMap;

/// A labelled entry the learner picks or arranges; `key` is the letter the API expects back.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Choice {
    pub key: String,
    pub text: String,
}

/// One question as sent to the learner: never its answer or explanation.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PublicQuestion {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub prompt: String,
    pub points: f64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<Choice>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Choice>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub left: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub right: Vec<Choice>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// The ids of the questions an attempt with `seed` gets, in the order shown. A draw
/// fills each blueprint cell in turn with the questions of its pool this learner has been
/// shown least often (`seen`: id → times, unseen first; a question already drawn for an
/// earlier cell is not drawn again), ties broken by the seed; the order is then shuffled
/// by the seed unless the bank says not to.
pub fn draw_questions(quiz: &Quiz, seed: u64, seen: &HashMap<String, u32>) -> Vec<String> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut ids: Vec<&str> = match &quiz.draw {
        None => quiz.questions.iter().map(|q| q.id.as_str()).collect(),
        Some(draw) => {
            let mut chosen: Vec<&str> = Vec::with_capacity(draw.count());
            for cell in &draw.cells {
                let mut pool: Vec<&str> = cell.pool.iter().map(String::as_str).filter(|id| !chosen.contains(id)).collect();
                // Shuffle first so the stable sort breaks ties in a seed-dependent order.
                pool.shuffle(&mut rng);
                pool.sort_by_key(|id| seen.get(*id).copied().unwrap_or(0));
                pool.truncate(cell.count);
                chosen.extend(pool);
            }
            if !quiz.exam.shuffle {
                chosen.sort_by_key(|id| quiz.questions.iter().position(|q| q.id == *id));
            }
            chosen
        }
    };
    if quiz.exam.shuffle {
        ids.shuffle(&mut rng);
    }
    ids.into_iter().map(str::to_string).collect()
}

/// The public form of the attempt's questions; shuffles depend only on `seed`,
/// so a resumed attempt shows the same order. Options keep their authored letter as
/// `key` (what grading expects back) whatever position they are shown in.
pub fn public_questions(quiz: &Quiz, ids: &[String], seed: u64) -> Vec<PublicQuestion> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x005e_ed0f_04de);
    ids.iter()
        .filter_map(|id| quiz.question(id)?.instance(seed).ok())
        .map(|q| public_question(&q, quiz.exam.shuffle, &mut rng))
        .collect()
}

/// What the learner's sheet shows: every question, or in sequential mode only the one at
/// `position` (none once all are answered), so later questions cannot be read ahead.
pub fn sheet_questions(quiz: &Quiz, ids: &[String], seed: u64, position: usize) -> Vec<PublicQuestion> {
    let all = public_questions(quiz, ids, seed);
    if !quiz.exam.sequential {
        return all;
    }
    let current = ids.get(position);
    all.into_iter().filter(|q| Some(&q.id) == current).collect()
}

fn public_question(q: &Question, shuffle: bool, rng: &mut ChaCha8Rng) -> PublicQuestion {
    let mut pq = PublicQuestion {
        id: q.id.clone(),
        kind: q.kind.type_name(),
        prompt: q.prompt.clone(),
        points: q.points,
        options: Vec::new(),
        items: Vec::new(),
        left: Vec::new(),
        right: Vec::new(),
        unit: None,
    };
    match &q.kind {
        QuestionKind::Single { options, .. } | QuestionKind::Multiple { options, .. } => {
            pq.options = labelled(options);
            if shuffle {
                pq.options.shuffle(rng);
            }
        }
        // Ordering and matching are always shuffled: the authored order is the key.
        QuestionKind::Ordering { items, .. } => {
            pq.items = labelled(items);
            pq.items.shuffle(rng);
        }
        QuestionKind::Matching { left, right, .. } => {
            pq.left = left.clone();
            pq.right = labelled(right);
            pq.right.shuffle(rng);
        }
        QuestionKind::Numeric { unit, .. } => pq.unit = unit.clone(),
        QuestionKind::TrueFalse { .. } | QuestionKind::Fill { .. } => {}
    }
    pq
}

fn labelled(list: &[String]) -> Vec<Choice> {
    list.iter()
        .enumerate()
        .map(|(i, t)| Choice {
            key: letter(i),
            text: t.clone(),
        })
        .collect()
}
