//! Open exercises: learners submit an answer, instructors grade it on the rubric,
//! and a grade that completes a level certifies the learner.

use super::certification::certifier;
use super::{Ctx, Error, Result, random_token, require};
use crate::certify::Exercise;
use crate::store::{CertificateRow, Role, SaveSubmission, SubmissionRow, User};
use std::collections::BTreeMap;

/// Most characters of feedback a grade may carry.
const FEEDBACK_MAX: usize = 20_000;

/// An exercise of the live course.
pub fn exercise(ctx: &Ctx<'_>, id: &str) -> Result<Exercise> {
    ctx.cur
        .exercises
        .get(id)
        .cloned()
        .ok_or_else(|| Error::NotFound(crate::msg!("grading-no-such-exercise", exercise = id)))
}

/// An exercise and the learner's submission to it, if any.
pub async fn exercise_for(ctx: &Ctx<'_>, user_id: i64, id: &str) -> Result<(Exercise, Option<SubmissionRow>)> {
    let ex = exercise(ctx, id)?;
    let sub = ctx.store.submission(user_id, id.to_string()).await?;
    Ok((ex, sub))
}

/// Submits (or, until graded, revises) a learner's answer to an exercise.
pub async fn submit(ctx: &Ctx<'_>, user_id: i64, id: &str, body: &str) -> Result<SubmissionRow> {
    let ex = exercise(ctx, id)?;
    let body = body.trim().to_string();
    let n = body.chars().count();
    if n < ex.min_chars || n > ex.max_chars {
        return Err(Error::Unprocessable(crate::msg!(
            "grading-answer-length",
            min = ex.min_chars,
            max = ex.max_chars,
            n = n
        )));
    }
    match ctx
        .store
        .save_submission(user_id, id.to_string(), body, random_token(), ctx.clock.now_ms())
        .await?
    {
        SaveSubmission::Saved(s) => Ok(s),
        SaveSubmission::AlreadyGraded(_) => Err(Error::Conflict(crate::msg!("grading-already-graded"))),
    }
}

/// Instructors: submissions waiting for a grade, oldest first, with the learner's name.
pub async fn queue(ctx: &Ctx<'_>, actor: &User) -> Result<Vec<(SubmissionRow, String)>> {
    require(actor, &[Role::Instructor])?;
    Ok(ctx.store.grading_queue(crate::certify::SubmissionStatus::Submitted).await?)
}

/// Instructors: one submission.
pub async fn submission(ctx: &Ctx<'_>, actor: &User, id: &str) -> Result<SubmissionRow> {
    require(actor, &[Role::Instructor])?;
    ctx.store
        .submission_by_id(id.to_string())
        .await?
        .ok_or_else(|| Error::NotFound(crate::msg!("grading-no-such-submission")))
}

/// Instructors: one submission and its learner's display name (the grading form).
pub async fn submission_with_learner(ctx: &Ctx<'_>, actor: &User, id: &str) -> Result<(SubmissionRow, String)> {
    let s = submission(ctx, actor, id).await?;
    let learner = ctx.store.user_by_id(s.user_id).await?.map(|u| u.display_name).unwrap_or_default();
    Ok((s, learner))
}

/// Instructors: checks and records a grade (0–100 on every rubric dimension), then
/// certifies the learner if it completed a level. Shared by the API and the grading form.
pub async fn grade(
    ctx: &Ctx<'_>,
    actor: &User,
    id: &str,
    given: &BTreeMap<String, f64>,
    feedback: &str,
) -> Result<(SubmissionRow, Vec<CertificateRow>)> {
    let s = submission(ctx, actor, id).await?;
    let rubric = &ctx.cur.rubric;
    let mut scores = [0.0; 5];
    for (i, d) in rubric.dimensions.iter().enumerate() {
        match given.get(&d.id) {
            Some(v) if v.is_finite() && (0.0..=100.0).contains(v) => scores[i] = *v,
            _ => {
                return Err(Error::Unprocessable(crate::msg!(
                    "grading-score-out-of-range",
                    dimension = &d.title,
                    id = &d.id
                )));
            }
        }
    }
    if let Some(k) = given.keys().find(|k| !rubric.dimensions.iter().any(|d| &d.id == *k)) {
        return Err(Error::Unprocessable(crate::msg!("grading-no-such-dimension", dimension = k)));
    }
    if feedback.chars().count() > FEEDBACK_MAX {
        return Err(Error::Unprocessable(crate::msg!("grading-feedback-too-long", max = FEEDBACK_MAX)));
    }
    let weights = ctx.cur.exercises.get(&s.exercise_id).and_then(|e| e.weights);
    let total = rubric.total(&scores, weights.as_ref());
    let graded = ctx
        .store
        .grade_submission(
            id.to_string(),
            (scores.to_vec(), total, feedback.trim().to_string()),
            actor.id,
            ctx.clock.now_ms(),
            certifier(ctx),
        )
        .await?
        .ok_or_else(|| Error::NotFound(crate::msg!("grading-no-such-submission")))?;
    Ok(graded)
}
