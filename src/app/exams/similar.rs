//! Answer similarity: pairs of attempts from the same sitting whose identical wrong
//! answers are too many to be chance, for staff to look into.

use super::INTEGRITY_ROLES;
use crate::app::{Ctx, Error, Result, require};
use crate::quiz::Grading;
use crate::quiz::similarity::{self, Sitting};
use crate::store::User;
use serde::Serialize;
use utoipa::ToSchema;

/// One side of a pair.
#[derive(Serialize, ToSchema)]
pub struct PairSide {
    pub attempt_id: String,
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    /// Unix ms.
    pub submitted_at: i64,
}

#[derive(Serialize, ToSchema)]
pub struct SimilarPair {
    pub first: PairSide,
    pub second: PairSide,
    /// Questions both were asked.
    pub compared: usize,
    /// How many of them both answered wrongly with the same answer.
    pub identical_wrong: usize,
    /// Those questions.
    pub questions: Vec<String>,
    /// Identical wrong answers expected if they worked independently.
    pub expected: f64,
    /// Chance of at least this many under independence.
    pub probability: f64,
    pub flagged: bool,
}

#[derive(Serialize, ToSchema)]
pub struct SimilarityReport {
    pub quiz_id: String,
    /// Graded attempts considered.
    pub attempts: usize,
    pub span_minutes: u32,
    /// Pairs of attempts by different learners in the same sitting.
    pub pairs_compared: usize,
    /// A pair is flagged with at least this many identical wrong answers …
    pub min_identical_wrong: usize,
    /// … and a probability below this (1% divided by the pairs compared).
    pub threshold: f64,
    /// Pairs with at least one identical wrong answer, most improbable first (at most 200).
    pub pairs: Vec<SimilarPair>,
}

const DEFAULT_SPAN_MINUTES: u32 = 60;
const MAX_SPAN_MINUTES: u32 = 7 * 24 * 60;

/// Instructors: pairs of graded attempts from the same sitting with improbably many
/// identical wrong answers (see [`similarity`] for the rule).
pub async fn similarity_report(ctx: &Ctx<'_>, actor: &User, id: &str, span_minutes: Option<u32>) -> Result<SimilarityReport> {
    require(actor, INTEGRITY_ROLES)?;
    similarity_of(ctx, id, span_minutes).await
}

/// The similarity report, for the API and the analysis page (which checks the role itself).
pub async fn similarity_of(ctx: &Ctx<'_>, id: &str, span_minutes: Option<u32>) -> Result<SimilarityReport> {
    let span = span_minutes.unwrap_or(DEFAULT_SPAN_MINUTES);
    if span > MAX_SPAN_MINUTES {
        return Err(Error::BadRequest(crate::msg!("analysis-span-too-long", max = MAX_SPAN_MINUTES)));
    }
    let cur = ctx.cur.clone();
    let quiz = cur
        .quizzes
        .get(id)
        .ok_or_else(|| Error::NotFound(crate::msg!("quiz-not-found", quiz = id)))?;
    let rows = ctx.store.graded_attempts_detail(id.to_string()).await?;
    // Keep only attempts whose stored grading can be read, with their row for the names.
    let (rows, sittings): (Vec<_>, Vec<_>) = rows
        .into_iter()
        .filter_map(|r| {
            let grading: Grading = serde_json::from_str(&r.result).ok()?;
            let sitting = Sitting {
                learner: r.user_id,
                started_at: r.started_at,
                submitted_at: r.submitted_at,
                answers: serde_json::from_str(&r.answers).unwrap_or_default(),
                correct: grading.questions.iter().map(|q| (q.id.clone(), q.correct)).collect(),
            };
            Some((r, sitting))
        })
        .unzip();
    let report = similarity::report(quiz, &sittings, span as i64 * 60_000);
    let side = |i: usize| PairSide {
        attempt_id: rows[i].id.clone(),
        user_id: rows[i].user_id,
        username: rows[i].username.clone(),
        display_name: rows[i].display_name.clone(),
        submitted_at: rows[i].submitted_at,
    };
    Ok(SimilarityReport {
        quiz_id: quiz.id.clone(),
        attempts: sittings.len(),
        span_minutes: span,
        pairs_compared: report.pairs_compared,
        min_identical_wrong: similarity::MIN_IDENTICAL_WRONG,
        threshold: report.threshold,
        pairs: report
            .pairs
            .into_iter()
            .map(|p| SimilarPair {
                first: side(p.first),
                second: side(p.second),
                compared: p.compared,
                identical_wrong: p.identical_wrong.len(),
                questions: p.identical_wrong,
                expected: p.expected,
                probability: p.probability,
                flagged: p.flagged,
            })
            .collect(),
    })
}
