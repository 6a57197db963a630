//! Staff's side of exams: accommodations (overrides of a quiz's limits for a learner or
//! a cohort), releasing an attempt's device, and the exam page's overview.

use super::{INTEGRITY_ROLES, OVERRIDE_ROLES};
use crate::app::{Ctx, Error, Result, require};
use crate::store::{AttemptRow, OpenAttempt, OverrideRow, User};

fn known_quiz(ctx: &Ctx<'_>, id: &str) -> Result<()> {
    if ctx.cur.quizzes.contains_key(id) {
        Ok(())
    } else {
        Err(Error::NotFound(crate::msg!("quiz-not-found", quiz = id)))
    }
}

/// Who an override is for: the API names a learner by id, the exam page by login name.
pub enum Learner {
    Id(i64),
    Login(String),
}

/// An override as staff ask for it, before its rules are checked.
pub struct OverrideRequest {
    pub learner: Option<Learner>,
    pub cohort: Option<String>,
    /// Seconds added to the time limit.
    pub extra_time: u32,
    pub extra_attempts: u32,
    /// Unix ms.
    pub opens: Option<i64>,
    pub closes: Option<i64>,
}

/// The one place an override is checked and saved, for the API and the exam page: it
/// creates or replaces the override for a learner or a cohort at the quiz.
pub async fn save_override(ctx: &Ctx<'_>, actor: &User, quiz_id: &str, req: OverrideRequest) -> Result<OverrideRow> {
    require(actor, OVERRIDE_ROLES)?;
    known_quiz(ctx, quiz_id)?;
    let cohort = req.cohort.map(|c| c.trim().to_string());
    if req.learner.is_some() == cohort.is_some() || cohort.as_deref() == Some("") {
        return Err(Error::Unprocessable(crate::msg!("exam-settings-learner-or-cohort")));
    }
    if let (Some(o), Some(c)) = (req.opens, req.closes)
        && c <= o
    {
        return Err(Error::Unprocessable(crate::msg!("exam-settings-closes-before-opens")));
    }
    let user_id = match req.learner {
        Some(Learner::Id(id)) => Some(id),
        Some(Learner::Login(name)) => {
            let name = name.trim().to_string();
            let user = ctx.store.user_by_username(name.clone()).await?;
            Some(
                user.ok_or_else(|| Error::Unprocessable(crate::msg!("exam-settings-no-such-learner", username = &name)))?
                    .id,
            )
        }
        None => None,
    };
    let row = OverrideRow {
        id: 0,
        quiz_id: quiz_id.to_string(),
        user_id,
        cohort,
        extra_time: req.extra_time as i64,
        extra_attempts: req.extra_attempts,
        opens: req.opens,
        closes: req.closes,
    };
    ctx.store
        .put_override(row, actor.id, ctx.clock.now_ms())
        .await?
        .ok_or_else(|| Error::NotFound(crate::msg!("exam-settings-no-such-user")))
}

/// The quiz's overrides.
pub async fn overrides(ctx: &Ctx<'_>, actor: &User, quiz_id: &str) -> Result<Vec<OverrideRow>> {
    require(actor, OVERRIDE_ROLES)?;
    known_quiz(ctx, quiz_id)?;
    Ok(ctx.store.overrides(quiz_id.to_string()).await?)
}

/// Removes one override (the API and the exam page).
pub async fn remove_override(ctx: &Ctx<'_>, actor: &User, quiz_id: &str, override_id: i64) -> Result<()> {
    require(actor, OVERRIDE_ROLES)?;
    if ctx.store.delete_override(quiz_id.to_string(), override_id).await? {
        Ok(())
    } else {
        Err(Error::NotFound(crate::msg!("exam-settings-no-such-override")))
    }
}

/// Releases an open attempt from its device (the API and the exam page), so the next
/// device that writes to it takes it over; recorded in the audit log. The attempt as it
/// now stands.
pub async fn release(ctx: &Ctx<'_>, actor: &User, attempt_id: &str) -> Result<AttemptRow> {
    require(actor, INTEGRITY_ROLES)?;
    let row = ctx
        .store
        .release_device(attempt_id.to_string(), actor.id, ctx.clock.now_ms())
        .await?
        .ok_or_else(|| Error::NotFound(crate::msg!("exam-settings-no-such-attempt")))?;
    if !row.status.is_open() {
        return Err(Error::Conflict(crate::msg!("exam-settings-attempt-already-ended")));
    }
    Ok(row)
}

/// The quiz an attempt belongs to (`None`: no such attempt), for staff.
pub async fn attempt_quiz(ctx: &Ctx<'_>, actor: &User, attempt_id: &str) -> Result<Option<String>> {
    require(actor, INTEGRITY_ROLES)?;
    Ok(ctx.store.attempt(attempt_id.to_string()).await?.map(|a| a.quiz_id))
}

/// What the exam page lists besides the quiz's settings.
pub struct ExamAdmin {
    /// Each override with its learner (`None` for a cohort's, or a learner gone).
    pub overrides: Vec<(OverrideRow, Option<User>)>,
    pub cohorts: Vec<String>,
    pub open_attempts: Vec<OpenAttempt>,
}

/// Staff: the quiz's overrides, the cohorts one may name, and its open attempts.
pub async fn exam_admin(ctx: &Ctx<'_>, actor: &User, quiz_id: &str) -> Result<ExamAdmin> {
    require(actor, OVERRIDE_ROLES)?;
    let mut overrides = Vec::new();
    for o in ctx.store.overrides(quiz_id.to_string()).await? {
        let learner = match o.user_id {
            Some(id) => ctx.store.user_by_id(id).await?,
            None => None,
        };
        overrides.push((o, learner));
    }
    Ok(ExamAdmin {
        overrides,
        cohorts: ctx.store.cohort_names().await?,
        open_attempts: ctx.store.open_attempts(quiz_id.to_string()).await?,
    })
}
