//! Which requirements and levels a learner meets, from their records.

use super::schema::{Requirement, Track};
use crate::i18n::{Messages, Msg};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// What the store knows of one learner, reduced to what certification needs.
#[derive(Clone, Debug, Default)]
pub struct Records {
    /// Best graded attempt per quiz, in percent.
    pub quiz_best: HashMap<String, f64>,
    /// Best finished run per scenario, 0–100.
    pub scenario_best: HashMap<String, f64>,
    /// Best final score per scenario played in a finished team session, 0–100.
    pub team_best: HashMap<String, f64>,
    /// Graded rubric total per exercise, 0–100.
    pub exercise_score: HashMap<String, f64>,
    /// Lessons marked as read.
    pub read: HashSet<String>,
    /// Levels already certified.
    pub held: HashSet<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RequirementStatus {
    #[serde(flatten)]
    pub requirement: Requirement,
    /// The requirement and the learner's progress on it, in the course's language.
    pub label: String,
    pub met: bool,
    /// The learner's figure: a score, or the percentage of lessons read.
    pub value: Option<f64>,
    /// Where to go to work on it.
    pub url: Option<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct LevelStatus {
    pub level: String,
    pub title: String,
    /// Every requirement (and the level below, when required) is met.
    pub met: bool,
    pub held: bool,
    pub previous_met: bool,
    pub requirements: Vec<RequirementStatus>,
    /// The certificate held for this level, its expiry and, once the renewal window
    /// is open, what renews it (filled in by the server, which knows the certificates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renewal: Option<Renewal>,
}

/// What renews an expiring certificate, and how far the learner is.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Renewal {
    /// Unix ms the window opened; results from then on count.
    pub window_opens: i64,
    pub met: bool,
    pub requirements: Vec<RequirementStatus>,
}

/// The renewal standing for `level` from results achieved since its window opened,
/// labelled in `m`'s language.
pub fn renewal(level: &super::Level, cur: &dyn Catalog, m: &Messages, since_window: &Records, window_opens: i64) -> Renewal {
    let requirements: Vec<RequirementStatus> = level.renewal.iter().map(|r| status(cur, m, r, since_window)).collect();
    Renewal {
        window_opens,
        met: !requirements.is_empty() && requirements.iter().all(|r| r.met),
        requirements,
    }
}

/// What certification needs to know of the course it certifies. `course::Curriculum`
/// implements it, so `certify` stays free of `course` (which depends on `certify`).
pub trait Catalog {
    /// Title of a quiz, scenario or exercise.
    fn activity_title(&self, r: &Requirement) -> Option<String>;
    /// Site URL of the page embedding the quiz, scenario or exercise.
    fn activity_url(&self, r: &Requirement) -> Option<String>;
    /// The lessons a `read` requirement covers: a course's or module's lessons, or one page.
    fn lessons_covered(&self, id: &str) -> Vec<&str>;
    /// Title of the course, module or page a `read` requirement names.
    fn reading_title(&self, id: &str) -> Option<String>;
    /// The site URL of a lesson, case or template page.
    fn page_url(&self, id: &str) -> Option<String>;
}

/// What a requirement asks, without the learner's progress (the signed credential's
/// criteria): a quiz, scenario (alone or in a team session) or exercise and its pass
/// mark, or a reading.
pub fn criterion(cur: &dyn Catalog, r: &Requirement) -> Msg {
    let title = || cur.activity_title(r).unwrap_or_else(|| r.item().to_string());
    match r {
        Requirement::Quiz { min, .. } => crate::msg!("progress-quiz", title = title(), min = min),
        Requirement::Scenario { min, .. } => crate::msg!("progress-scenario", title = title(), min = min),
        Requirement::TeamScenario { min, .. } => crate::msg!("progress-team-scenario", title = title(), min = min),
        Requirement::Exercise { min, .. } => crate::msg!("progress-exercise", title = title(), min = min),
        Requirement::Read { id } => {
            crate::msg!("progress-read-all", title = cur.reading_title(id).unwrap_or_else(|| id.clone()))
        }
    }
}

fn status(cur: &dyn Catalog, m: &Messages, r: &Requirement, rec: &Records) -> RequirementStatus {
    let (label, value, met, url) = match r {
        Requirement::Quiz { id, min } => {
            let v = rec.quiz_best.get(id).copied();
            (criterion(cur, r), v, v.is_some_and(|v| v >= *min), cur.activity_url(r))
        }
        Requirement::Scenario { id, min } => {
            let v = rec.scenario_best.get(id).copied();
            (criterion(cur, r), v, v.is_some_and(|v| v >= *min), cur.activity_url(r))
        }
        Requirement::TeamScenario { id, min } => {
            let v = rec.team_best.get(id).copied();
            (criterion(cur, r), v, v.is_some_and(|v| v >= *min), cur.activity_url(r))
        }
        Requirement::Exercise { id, min } => {
            let v = rec.exercise_score.get(id).copied();
            (criterion(cur, r), v, v.is_some_and(|v| v >= *min), cur.activity_url(r))
        }
        Requirement::Read { id } => {
            let lessons = cur.lessons_covered(id);
            let done = lessons.iter().filter(|l| rec.read.contains(**l)).count();
            let pct = if lessons.is_empty() {
                0.0
            } else {
                (done as f64 * 1000.0 / lessons.len() as f64).round() / 10.0
            };
            let title = cur.reading_title(id).unwrap_or_else(|| id.clone());
            let next = lessons.iter().find(|l| !rec.read.contains(**l)).and_then(|l| cur.page_url(l));
            let url = next.or_else(|| lessons.first().and_then(|l| cur.page_url(l)));
            (
                crate::msg!("progress-read", title = title, done = done, total = lessons.len()),
                Some(pct),
                !lessons.is_empty() && done == lessons.len(),
                url,
            )
        }
    };
    RequirementStatus {
        requirement: r.clone(),
        label: m.text(&label),
        met,
        value,
        url,
    }
}

/// Every level's standing for one learner, lowest first, labelled in `m`'s language.
pub fn evaluate(track: &Track, cur: &dyn Catalog, m: &Messages, rec: &Records) -> Vec<LevelStatus> {
    let mut out: Vec<LevelStatus> = Vec::with_capacity(track.levels.len());
    for level in &track.levels {
        let requirements: Vec<RequirementStatus> = level.requirements.iter().map(|r| status(cur, m, r, rec)).collect();
        let previous_met = !level.previous || out.last().is_none_or(|p| p.met || p.held);
        let held = rec.held.contains(&level.id);
        out.push(LevelStatus {
            level: level.id.clone(),
            title: level.title.clone(),
            met: previous_met && requirements.iter().all(|r| r.met),
            held,
            previous_met,
            requirements,
            certificate: None,
            expires_at: None,
            renewal: None,
        });
    }
    out
}
