//! HR reports: cohort figures for the dashboard, a learner's transcript, and the
//! CSV exports of learners and certificates.

use super::{Ctx, Error, Result, require};
use crate::course::Curriculum;
use crate::store::{CertificateRow, Filter, Role, Store, StoreError, User};
use serde_json::{Value, json};

/// Learners listed on the dashboard page; the CSV export has them all.
pub const LEARNER_LIST_LIMIT: i64 = 200;

fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    let x = if v.len() % 2 == 1 { v[m] } else { (v[m - 1] + v[m]) / 2.0 };
    Some((x * 10.0).round() / 10.0)
}

/// Cohort figures: learners per level, the funnel, results per quiz and scenario.
async fn figures(ctx: &Ctx<'_>, f: Filter) -> Result<Value> {
    let cur = &*ctx.cur;
    let c = ctx.store.cohort(f).await?;
    let levels: Vec<Value> = cur
        .track
        .iter()
        .flat_map(|t| &t.levels)
        .map(|l| {
            let mut days = c.days_to_level.get(&l.id).cloned().unwrap_or_default();
            json!({ "id": l.id, "title": l.title, "certified": c.certified.get(&l.id).copied().unwrap_or(0), "median_days": median(&mut days) })
        })
        .collect();
    let mut funnel = vec![
        json!({ "stage": "全部学员", "count": c.learners }),
        json!({ "stage": "已开始学习", "count": c.active }),
    ];
    funnel.extend(levels.iter().map(|l| json!({ "stage": l["title"], "count": l["certified"] })));
    let pass_at = 60.0;
    let rate = |passed: u64, n: u64| (passed as f64 * 1000.0 / n.max(1) as f64).round() / 10.0;
    let mut quizzes = Vec::new();
    let mut scenarios = Vec::new();
    for ((kind, id), h) in &c.hist {
        let n = h.learners();
        if n == 0 {
            continue;
        }
        if kind == "quiz" {
            let quiz = cur.quizzes.get(id);
            let passed = h.at_least(quiz.map_or(60.0, |q| q.pass_mark));
            quizzes.push(json!({ "id": id, "title": quiz.map(|q| q.title.clone()), "learners": n, "pass_rate": rate(passed, n), "median": h.median() }));
        } else {
            let title = cur.scenarios.get(id).map(|s| s.title.clone());
            scenarios
                .push(json!({ "id": id, "title": title, "learners": n, "pass_rate": rate(h.at_least(pass_at), n), "median": h.median() }));
        }
    }
    Ok(json!({
        "learners": c.learners, "active": c.active, "levels": levels, "funnel": funnel,
        "quizzes": quizzes, "scenarios": scenarios, "scenario_pass_score": pass_at,
        "cohorts": c.cohorts, "departments": c.departments,
    }))
}

/// HR: cohort figures (learners per level, the funnel, results per quiz and scenario), filtered.
pub async fn dashboard(ctx: &Ctx<'_>, actor: &User, f: Filter) -> Result<Value> {
    require(actor, &[Role::Hr])?;
    figures(ctx, f).await
}

/// HR: the figures and the first [`LEARNER_LIST_LIMIT`] learners matching the filter,
/// with the titles of the levels they hold.
pub async fn dashboard_with_learners(ctx: &Ctx<'_>, actor: &User, f: Filter) -> Result<(Value, Vec<Value>)> {
    require(actor, &[Role::Hr])?;
    let fig = figures(ctx, f.clone()).await?;
    let level_title = |id: &str| {
        ctx.cur
            .track
            .as_ref()
            .and_then(|t| t.levels.iter().find(|l| l.id == id))
            .map_or(id.to_string(), |l| l.title.clone())
    };
    let learners: Vec<Value> = ctx
        .store
        .learners(f, LEARNER_LIST_LIMIT)
        .await?
        .into_iter()
        .map(|(id, username, name, cohort, dept, levels)| {
            json!({ "id": id, "username": username, "name": name, "cohort": cohort, "department": dept,
                    "levels": levels.iter().map(|l| level_title(l)).collect::<Vec<_>>().join("、") })
        })
        .collect();
    Ok((fig, learners))
}

/// HR and instructors: everything one learner has done, and the certificates they hold.
pub async fn transcript(ctx: &Ctx<'_>, actor: &User, id: i64) -> Result<(Value, Vec<CertificateRow>)> {
    require(actor, &[Role::Hr, Role::Instructor])?;
    let user = ctx
        .store
        .user_by_id(id)
        .await?
        .ok_or_else(|| Error::NotFound("没有这位学员 (no such learner)".into()))?;
    let (cohort, department, created_at, erased_at) = ctx.store.user_groups(id).await?.unwrap_or_default();
    let cur = &*ctx.cur;
    let quizzes: Vec<Value> = ctx
        .store
        .learner_summaries(id)
        .await?
        .iter()
        .map(|q| json!({ "quiz": q.quiz_id, "title": cur.quizzes.get(&q.quiz_id).map(|x| x.title.clone()), "attempts": q.attempts, "best": q.best_percent, "passed": q.passed }))
        .collect();
    let runs: Vec<Value> = ctx
        .store
        .runs_of(id)
        .await?
        .iter()
        .map(|r| json!({ "id": r.id, "scenario": r.scenario_id, "title": cur.scenarios.get(&r.scenario_id).map(|s| s.title.clone()), "status": r.status, "score": r.score, "started_at": r.started_at, "finished_at": r.finished_at }))
        .collect();
    let mut exercises = Vec::new();
    for ex in cur.exercises.keys() {
        if let Some(s) = ctx.store.submission(id, ex.clone()).await? {
            exercises
                .push(json!({ "exercise": ex, "status": s.status, "total": s.total, "revision": s.revision, "graded_at": s.graded_at }));
        }
    }
    let certs = ctx.store.certificates_of(id).await?;
    let t = json!({
        "user": user, "cohort": cohort, "department": department, "created_at": created_at, "erased_at": erased_at,
        "quizzes": quizzes, "runs": runs, "exercises": exercises,
    });
    Ok((t, certs))
}

/// An export HR may run: what it writes, produced row by row on a reader.
pub enum CsvExport {
    /// One row per learner, with a column for each level of the track.
    Learners { levels: Vec<String> },
    /// One row per certificate.
    Certificates,
}

impl CsvExport {
    /// The learners export, with a column pair per level of the course's track.
    pub fn learners(cur: &Curriculum) -> CsvExport {
        let levels = cur.track.iter().flat_map(|t| t.levels.iter().map(|l| l.id.clone())).collect();
        CsvExport::Learners { levels }
    }

    /// The file name it downloads as.
    pub fn file_name(&self) -> &'static str {
        match self {
            CsvExport::Learners { .. } => "learners.csv",
            CsvExport::Certificates => "certificates.csv",
        }
    }

    /// Produces the rows (header first) into `sink`, in the calling thread, until the
    /// sink returns `false`.
    pub fn write_blocking(self, store: &Store, sink: &mut dyn FnMut(&[String]) -> bool) -> Result<(), StoreError> {
        match self {
            CsvExport::Learners { levels } => store.export_learners_blocking(&levels, sink),
            CsvExport::Certificates => store.export_certificates_blocking(sink),
        }
    }
}

/// HR: the learners export, with the live track's levels.
pub fn learners_export(ctx: &Ctx<'_>, actor: &User) -> Result<CsvExport> {
    require(actor, &[Role::Hr])?;
    Ok(CsvExport::learners(&ctx.cur))
}

/// HR: the certificates export.
pub fn certificates_export(actor: &User) -> Result<CsvExport> {
    require(actor, &[Role::Hr])?;
    Ok(CsvExport::Certificates)
}
