//! The exam page for staff (考试设置与调整): a quiz's exam settings as the bank sets
//! them, its accommodations, and its open attempts.

use crate::app::exams::{self, INTEGRITY_ROLES, show_time};
use crate::app::{Ctx, Error, Result, require};
use crate::i18n::Messages;
use crate::quiz::Shown;
use crate::store::User;
use serde::{Deserialize, Serialize};

/// The add form as sent: shown again with an error so nothing typed is lost.
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct OverrideDraft {
    /// A learner's login name …
    #[serde(default)]
    pub learner: String,
    /// … or a cohort (the select's empty option is none).
    #[serde(default)]
    pub cohort: String,
    #[serde(default)]
    pub extra_minutes: String,
    #[serde(default)]
    pub extra_attempts: String,
    /// `datetime-local` values, read as UTC.
    #[serde(default)]
    pub opens: String,
    #[serde(default)]
    pub closes: String,
}

#[derive(Serialize)]
pub struct ExamPage {
    pub quiz: QuizRef,
    pub settings: Settings,
    pub overrides: Vec<OverrideLine>,
    pub cohorts: Vec<CohortChoice>,
    pub attempts: Vec<AttemptLine>,
    pub form: OverrideDraft,
    pub error: Option<String>,
    pub csrf: String,
    /// Releasing a device is for instructors (and admins), not HR.
    pub can_release: bool,
}

#[derive(Serialize)]
pub struct QuizRef {
    pub id: String,
    pub title: String,
}

#[derive(Serialize)]
pub struct Settings {
    pub time_limit: Option<String>,
    /// 0: unlimited.
    pub attempts: u32,
    pub opens: Option<String>,
    pub closes: Option<String>,
    pub sequential: bool,
    pub shuffle: bool,
    pub draw: Option<Draw>,
    pub questions: usize,
    pub review: Vec<ReviewPhase>,
    /// Whether one is set only: the password itself never reaches a page.
    pub password: bool,
    pub allow: String,
}

#[derive(Serialize)]
pub struct Draw {
    pub count: usize,
    pub tags: String,
}

#[derive(Serialize)]
pub struct ReviewPhase {
    pub phase: String,
    pub shown: String,
}

#[derive(Serialize)]
pub struct OverrideLine {
    pub id: i64,
    pub learner: Option<LearnerRef>,
    pub cohort: Option<String>,
    pub extra_time: Option<String>,
    pub extra_attempts: u32,
    pub window: Option<String>,
}

#[derive(Serialize)]
pub struct LearnerRef {
    pub name: String,
    pub username: String,
}

#[derive(Serialize)]
pub struct CohortChoice {
    pub name: String,
    pub selected: bool,
}

#[derive(Serialize)]
pub struct AttemptLine {
    pub id: String,
    pub name: String,
    pub username: String,
    pub user_id: i64,
    pub started: String,
    pub deadline: Option<String>,
    pub overdue: bool,
    pub bound: bool,
}

/// The page of quiz `quiz_id`, with the add form refilled and an error when a form was refused.
pub async fn exam_page(
    ctx: &Ctx<'_>,
    actor: &User,
    csrf: &str,
    quiz_id: &str,
    (form, error): (OverrideDraft, Option<String>),
) -> Result<ExamPage> {
    let quiz = ctx
        .cur
        .quizzes
        .get(quiz_id)
        .ok_or_else(|| Error::NotFound(crate::msg!("exam-settings-no-quiz-with-id", quiz = quiz_id)))?;
    let m: &Messages = &ctx.cur.messages;
    let sep = m.get("exam-settings-list-separator");
    let admin = exams::exam_admin(ctx, actor, quiz_id).await?;
    let e = &quiz.exam;
    let now = ctx.clock.now_ms();
    Ok(ExamPage {
        quiz: QuizRef {
            id: quiz.id.clone(),
            title: quiz.title.clone(),
        },
        settings: Settings {
            time_limit: quiz.time_limit.map(|s| duration(m, s as i64)),
            attempts: quiz.attempts,
            opens: e.opens.map(show_time),
            closes: e.closes.map(show_time),
            sequential: e.sequential,
            shuffle: e.shuffle,
            draw: quiz.draw.as_ref().map(|d| Draw {
                count: d.count(),
                tags: d
                    .cells
                    .iter()
                    .flat_map(|c| c.tags.iter().map(String::as_str))
                    .collect::<Vec<_>>()
                    .join(&sep),
            }),
            questions: quiz.questions.len(),
            review: vec![
                ReviewPhase {
                    phase: m.get("exam-settings-review-immediately"),
                    shown: shown(m, e.review.immediately),
                },
                ReviewPhase {
                    phase: m.get("exam-settings-review-later"),
                    shown: shown(m, e.review.later),
                },
                ReviewPhase {
                    phase: m.get("exam-settings-review-after-close"),
                    shown: shown(m, e.review.after_close),
                },
            ],
            password: e.password.is_some(),
            allow: e.allow.iter().map(ToString::to_string).collect::<Vec<_>>().join(&sep),
        },
        overrides: admin
            .overrides
            .into_iter()
            .map(|(o, learner)| OverrideLine {
                id: o.id,
                learner: learner.map(|u| LearnerRef {
                    name: u.display_name,
                    username: u.username,
                }),
                cohort: o.cohort,
                extra_time: (o.extra_time > 0).then(|| duration(m, o.extra_time)),
                extra_attempts: o.extra_attempts,
                window: window(m, o.opens, o.closes),
            })
            .collect(),
        cohorts: admin
            .cohorts
            .into_iter()
            .map(|c| CohortChoice {
                selected: c == form.cohort,
                name: c,
            })
            .collect(),
        attempts: admin
            .open_attempts
            .into_iter()
            .map(|a| AttemptLine {
                started: show_time(a.started_at),
                deadline: a.deadline_at.map(show_time),
                overdue: a.deadline_at.is_some_and(|d| d < now),
                bound: a.device_bound,
                id: a.id,
                name: a.display_name,
                username: a.username,
                user_id: a.user_id,
            })
            .collect(),
        form,
        error,
        csrf: csrf.to_string(),
        can_release: require(actor, INTEGRITY_ROLES).is_ok(),
    })
}

/// Seconds for people: 3600 → "60 分钟" ("60 min"), 90 → "1 分 30 秒" ("1 min 30 s").
fn duration(m: &Messages, secs: i64) -> String {
    let (min, sec) = ((secs / 60).to_string(), (secs % 60).to_string());
    match (secs / 60, secs % 60) {
        (_, 0) => m.format("exam-settings-minutes", &[("m", &min)]),
        (0, _) => m.format("exam-settings-seconds", &[("s", &sec)]),
        _ => m.format("exam-settings-minutes-seconds", &[("m", &min), ("s", &sec)]),
    }
}

/// What a review phase shows, in words.
fn shown(m: &Messages, s: Shown) -> String {
    let parts: Vec<String> = [
        (s.score, "exam-settings-review-score"),
        (s.correctness, "exam-settings-review-correctness"),
        (s.explanations, "exam-settings-review-explanations"),
        (s.answers, "exam-settings-review-answers"),
    ]
    .into_iter()
    .filter(|(on, _)| *on)
    .map(|(_, id)| m.get(id))
    .collect();
    if parts.is_empty() {
        m.get("exam-settings-review-nothing")
    } else {
        parts.join(&m.get("exam-settings-list-separator"))
    }
}

/// An override's own window; `None` when it keeps the quiz's.
fn window(m: &Messages, opens: Option<i64>, closes: Option<i64>) -> Option<String> {
    match (opens.map(show_time), closes.map(show_time)) {
        (None, None) => None,
        (Some(o), None) => Some(m.format("exam-settings-window-from", &[("opens", &o)])),
        (None, Some(c)) => Some(m.format("exam-settings-window-until", &[("closes", &c)])),
        (Some(o), Some(c)) => Some(m.format("exam-settings-window", &[("opens", &o), ("closes", &c)])),
    }
}
