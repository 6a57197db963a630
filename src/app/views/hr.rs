//! HR's pages: the cohort dashboard with its charts, and a learner's transcript.

use super::charts;
use crate::app::reports::{self, Figures, LEARNER_LIST_LIMIT, LearnerLine, Transcript};
use crate::app::{Ctx, Error, Result, exams, require};
use crate::quiz::Shown;
use crate::quiz::review::ReviewItem;
use crate::store::{Filter, Role, User};
use serde::Serialize;

/// The filter as the form had it, to fill the form again.
#[derive(Serialize, Default)]
pub struct FilterEcho {
    pub cohort: Option<String>,
    pub department: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

#[derive(Serialize)]
pub struct DashboardPage {
    pub fig: Figures,
    pub funnel_svg: String,
    pub pass_svg: String,
    pub learners: Vec<LearnerLine>,
    pub list_limit: i64,
    /// Every quiz, not only those with results: accommodations are set before the exam.
    pub exams: Vec<QuizRef>,
    pub q: FilterEcho,
}

#[derive(Serialize)]
pub struct QuizRef {
    pub id: String,
    pub title: String,
}

pub async fn dashboard(ctx: &Ctx<'_>, actor: &User, f: Filter, q: FilterEcho) -> Result<DashboardPage> {
    let (fig, learners) = reports::dashboard_with_learners(ctx, actor, f).await?;
    let funnel: Vec<(String, f64)> = fig.funnel.iter().map(|s| (s.stage.clone(), s.count as f64)).collect();
    let pass: Vec<(String, f64)> = fig
        .quizzes
        .iter()
        .map(|x| (x.title.clone().unwrap_or_else(|| x.id.clone()), x.pass_rate))
        .collect();
    let m = &ctx.cur.messages;
    let learners_value = |n: &str| m.format("chart-learners-value", &[("n", n)]);
    Ok(DashboardPage {
        funnel_svg: charts::bars_labelled(&m.get("chart-funnel-title"), &funnel, None, &learners_value),
        pass_svg: charts::bars(&m.get("chart-pass-rate-title"), &pass, Some(100.0), "%"),
        fig,
        learners,
        list_limit: LEARNER_LIST_LIMIT,
        exams: ctx
            .cur
            .quizzes
            .values()
            .map(|q| QuizRef {
                id: q.id.clone(),
                title: q.title.clone(),
            })
            .collect(),
        q,
    })
}

#[derive(Serialize)]
pub struct TranscriptPage {
    #[serde(flatten)]
    pub t: Transcript,
    /// Only admins erase personal data, and only a learner's not yet erased.
    pub can_erase: bool,
    pub csrf: String,
}

pub async fn transcript(ctx: &Ctx<'_>, actor: &User, csrf: &str, id: i64) -> Result<TranscriptPage> {
    let t = reports::transcript(ctx, actor, id).await?;
    Ok(TranscriptPage {
        can_erase: actor.role == Role::Admin && t.user.role == Role::Learner && t.erased_at.is_none(),
        t,
        csrf: csrf.to_string(),
    })
}

/// One graded attempt as staff review it: every question as the learner saw it.
#[derive(Serialize)]
pub struct AttemptPage {
    pub id: String,
    pub learner: User,
    pub quiz_id: String,
    pub quiz_title: String,
    pub status: String,
    pub started_at: i64,
    pub submitted_at: Option<i64>,
    pub percent: Option<f64>,
    pub graded: bool,
    pub passed: bool,
    pub items: Vec<ItemLine>,
}

/// A reviewed question with its number and the answers in words.
#[derive(Serialize)]
pub struct ItemLine {
    #[serde(flatten)]
    pub item: ReviewItem,
    pub number: usize,
    pub given_text: String,
    pub key_text: String,
}

/// What an attempt's status means, as the page says it (a message id).
fn status_label(s: crate::quiz::exam::AttemptStatus) -> &'static str {
    use crate::quiz::exam::AttemptStatus::*;
    match s {
        Open => "hr-attempt-open",
        Graded => "hr-attempt-graded",
        Expired => "hr-attempt-expired",
        Late => "hr-attempt-late",
        Abandoned => "hr-attempt-abandoned",
    }
}

/// Instructors and HR: one attempt of any learner with the full review (options in the
/// order that attempt showed them, the learner's choice and the key, explanations, and a
/// variant's numbers), as the transcript links it.
pub async fn attempt(ctx: &Ctx<'_>, actor: &User, id: &str) -> Result<AttemptPage> {
    require(actor, &[Role::Hr, Role::Instructor])?;
    let r = exams::attempt(ctx, actor, id).await?;
    let a = &r.attempt;
    let learner = ctx
        .store
        .user_by_id(a.user_id)
        .await?
        .ok_or_else(|| Error::NotFound(crate::msg!("hr-no-such-learner")))?;
    let items = exams::grading(a)
        .map(|g| {
            crate::quiz::review::review(
                &ctx.cur.messages,
                &r.quiz,
                &a.question_ids,
                a.seed,
                &a.graded_answers(),
                &g,
                Shown::ALL,
            )
        })
        .unwrap_or_default();
    let separator = ctx.cur.messages.get("hr-answer-separator");
    let joiner = |kind: &str| if kind == "ordering" { " → " } else { separator.as_str() };
    Ok(AttemptPage {
        id: a.id.clone(),
        quiz_id: r.quiz.id.clone(),
        quiz_title: r.quiz.title.clone(),
        status: ctx.cur.messages.get(status_label(a.status)),
        started_at: a.started_at,
        submitted_at: a.submitted_at,
        percent: a.percent,
        graded: a.status == crate::quiz::exam::AttemptStatus::Graded,
        passed: a.passed,
        items: items
            .into_iter()
            .enumerate()
            .map(|(i, item)| ItemLine {
                number: i + 1,
                given_text: item.given.join(joiner(item.kind)),
                key_text: item.key.join(joiner(item.kind)),
                item,
            })
            .collect(),
        learner,
    })
}
