//! HR's pages: the cohort dashboard with its charts, and a learner's transcript.

use super::charts;
use crate::app::reports::{self, Figures, LEARNER_LIST_LIMIT, LearnerLine, Transcript};
use crate::app::{Ctx, Result};
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
    Ok(DashboardPage {
        funnel_svg: charts::bars("学员认证漏斗", &funnel, None, " 人"),
        pass_svg: charts::bars("各测验通过率", &pass, Some(100.0), "%"),
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
