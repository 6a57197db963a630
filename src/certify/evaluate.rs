//! Which requirements and levels a learner meets, from their records.

use super::schema::{Requirement, Track};
use crate::course::Curriculum;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// What the store knows of one learner, reduced to what certification needs.
#[derive(Clone, Debug, Default)]
pub struct Records {
    /// Best graded attempt per quiz, in percent.
    pub quiz_best: HashMap<String, f64>,
    /// Best finished run per scenario, 0–100.
    pub scenario_best: HashMap<String, f64>,
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

/// The renewal standing for `level` from results achieved since its window opened.
pub fn renewal(level: &super::Level, cur: &Curriculum, since_window: &Records, window_opens: i64) -> Renewal {
    let requirements: Vec<RequirementStatus> = level.renewal.iter().map(|r| status(cur, r, since_window)).collect();
    Renewal {
        window_opens,
        met: !requirements.is_empty() && requirements.iter().all(|r| r.met),
        requirements,
    }
}

/// The lessons a `read` requirement covers: a course's or module's lessons, or one page.
pub fn lessons_covered<'a>(cur: &'a Curriculum, id: &str) -> Vec<&'a str> {
    if let Some(c) = cur.courses.iter().find(|c| c.id == id) {
        return c.modules.iter().flat_map(|m| m.lessons.iter().map(|l| l.id.as_str())).collect();
    }
    if let Some(m) = cur.courses.iter().flat_map(|c| &c.modules).find(|m| m.id == id) {
        return m.lessons.iter().map(|l| l.id.as_str()).collect();
    }
    cur.pages().filter(|(_, _, l)| l.id == id).map(|(_, _, l)| l.id.as_str()).collect()
}

fn status(cur: &Curriculum, r: &Requirement, rec: &Records) -> RequirementStatus {
    let (label, value, met, url) = match r {
        Requirement::Quiz { id, min } => {
            let v = rec.quiz_best.get(id).copied();
            let title = cur.quizzes.get(id).map_or(id.clone(), |q| q.title.clone());
            let url = cur.lesson_for_quiz(id).and_then(|(_, _, l)| cur.page_url(&l.id));
            (format!("测验「{title}」≥ {min}%"), v, v.is_some_and(|v| v >= *min), url)
        }
        Requirement::Scenario { id, min } => {
            let v = rec.scenario_best.get(id).copied();
            let title = cur.scenarios.get(id).map_or(id.clone(), |s| s.title.clone());
            let url = cur.lesson_for_scenario(id).and_then(|(_, _, l)| cur.page_url(&l.id));
            (format!("沙盘「{title}」≥ {min} 分"), v, v.is_some_and(|v| v >= *min), url)
        }
        Requirement::Exercise { id, min } => {
            let v = rec.exercise_score.get(id).copied();
            let title = cur.exercises.get(id).map_or(id.clone(), |e| e.title.clone());
            let url = cur.lesson_for_exercise(id).and_then(|(_, _, l)| cur.page_url(&l.id));
            (format!("练习「{title}」评分 ≥ {min}"), v, v.is_some_and(|v| v >= *min), url)
        }
        Requirement::Read { id } => {
            let lessons = lessons_covered(cur, id);
            let done = lessons.iter().filter(|l| rec.read.contains(**l)).count();
            let pct = if lessons.is_empty() {
                0.0
            } else {
                (done as f64 * 1000.0 / lessons.len() as f64).round() / 10.0
            };
            let title = cur
                .courses
                .iter()
                .find(|c| c.id == *id)
                .map(|c| c.title.clone())
                .or_else(|| {
                    cur.courses
                        .iter()
                        .flat_map(|c| &c.modules)
                        .find(|m| m.id == *id)
                        .map(|m| m.title.clone())
                })
                .or_else(|| cur.pages().find(|(_, _, l)| l.id == *id).map(|(_, _, l)| l.title.clone()))
                .unwrap_or_else(|| id.clone());
            let next = lessons.iter().find(|l| !rec.read.contains(**l)).and_then(|l| cur.page_url(l));
            let url = next.or_else(|| lessons.first().and_then(|l| cur.page_url(l)));
            (
                format!("读完「{title}」（{done}/{} 课）", lessons.len()),
                Some(pct),
                !lessons.is_empty() && done == lessons.len(),
                url,
            )
        }
    };
    RequirementStatus {
        requirement: r.clone(),
        label,
        met,
        value,
        url,
    }
}

/// Every level's standing for one learner, lowest first.
pub fn evaluate(track: &Track, cur: &Curriculum, rec: &Records) -> Vec<LevelStatus> {
    let mut out: Vec<LevelStatus> = Vec::with_capacity(track.levels.len());
    for level in &track.levels {
        let requirements: Vec<RequirementStatus> = level.requirements.iter().map(|r| status(cur, r, rec)).collect();
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
