//! The learner's own page: certificates, reminders, standing per level, charts of
//! their reading and scores, and every quiz and run.

use super::{CertificateView, charts};
use crate::app::certification::{reminders, standing_reader};
use crate::app::{Ctx, Result};
use crate::certify::LevelStatus;
use crate::certify::remind::Reminder;
use crate::sandbox::RunStatus;
use crate::store::User;
use serde::Serialize;

#[derive(Serialize)]
pub struct AccountPage {
    pub user: User,
    /// The role's name in the course's language.
    pub role_label: String,
    pub reminders: Vec<Reminder>,
    pub certificates: Vec<CertificateView>,
    /// The track's title; `None` when the course certifies nothing.
    pub track: Option<String>,
    pub levels: Vec<LevelStatus>,
    pub modules_svg: String,
    pub history_svg: String,
    /// Only once an exercise has been graded.
    pub radar_svg: Option<String>,
    pub quizzes: Vec<QuizLine>,
    /// Finished runs.
    pub runs: Vec<RunLine>,
}

#[derive(Serialize)]
pub struct QuizLine {
    pub title: String,
    /// The lesson the quiz belongs to.
    pub url: Option<String>,
    pub attempts: u32,
    pub best: Option<f64>,
    pub passed: bool,
}

#[derive(Serialize)]
pub struct RunLine {
    pub id: String,
    pub title: String,
    pub url: Option<String>,
    pub score: Option<u32>,
}

/// The page of `user`, read in one snapshot.
pub async fn account(ctx: &Ctx<'_>, user: &User) -> Result<AccountPage> {
    let cur = &*ctx.cur;
    let track = cur.track.as_ref().map_or(String::new(), |t| t.id.clone());
    let ((levels, records), file) = ctx.store.learner_file(user.id, track, standing_reader(ctx)).await?;
    let quizzes = file
        .quizzes
        .iter()
        .map(|r| QuizLine {
            title: cur.quizzes.get(&r.quiz_id).map_or_else(|| r.quiz_id.clone(), |q| q.title.clone()),
            url: cur.lesson_for_quiz(&r.quiz_id).map(|(c, _, l)| format!("/{}/{}.html", c.id, l.id)),
            attempts: r.attempts,
            best: r.best_percent,
            passed: r.passed,
        })
        .collect();
    let runs = file
        .runs
        .iter()
        .filter(|r| r.status == RunStatus::Finished)
        .map(|r| RunLine {
            id: r.id.clone(),
            title: cur
                .scenarios
                .get(&r.scenario_id)
                .map_or_else(|| r.scenario_id.clone(), |s| s.title.clone()),
            url: cur.lesson_for_scenario(&r.scenario_id).and_then(|(_, _, l)| cur.page_url(&l.id)),
            score: r.score,
        })
        .collect();
    // Charts: reading per module, scores over time, and the rubric's dimensions
    // averaged over graded exercises.
    let modules: Vec<(String, f64)> = cur
        .courses
        .iter()
        .flat_map(|c| &c.modules)
        .map(|m| {
            let read = m.lessons.iter().filter(|l| records.read.contains(&l.id)).count();
            (m.title.clone(), (read as f64 * 100.0 / m.lessons.len().max(1) as f64).round())
        })
        .collect();
    let history: Vec<(String, f64)> = file
        .scores
        .iter()
        .map(|(_, q, p)| (cur.quizzes.get(q).map_or_else(|| q.clone(), |x| x.title.clone()), *p))
        .collect();
    let graded: Vec<&Vec<f64>> = file
        .submissions
        .iter()
        .filter(|s| cur.exercises.contains_key(&s.exercise_id))
        .filter_map(|s| s.scores.as_ref())
        .collect();
    let radar_svg = (!graded.is_empty()).then(|| {
        let axes: Vec<(String, f64)> = cur
            .rubric
            .dimensions
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let sum: f64 = graded.iter().filter_map(|s| s.get(i)).sum();
                (d.title.clone(), (sum / graded.len() as f64).round())
            })
            .collect();
        charts::radar(&cur.messages.get("account-chart-radar"), &axes)
    });
    Ok(AccountPage {
        user: user.clone(),
        role_label: cur.messages.get(user.role.message_id()),
        reminders: reminders(ctx, &file.certificates),
        certificates: CertificateView::all(ctx, &file.certificates),
        track: cur.track.as_ref().map(|t| t.title.clone()),
        levels,
        modules_svg: charts::bars(&cur.messages.get("account-chart-modules"), &modules, Some(100.0), "%"),
        history_svg: charts::line_or(
            &cur.messages.get("account-chart-history"),
            &history,
            &cur.messages.get("chart-no-scores"),
        ),
        radar_svg,
        quizzes,
        runs,
    })
}
