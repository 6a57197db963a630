//! HR reports: cohort figures for the dashboard, a learner's transcript, and the
//! CSV exports of learners and certificates.

use super::certification::level_title;
use super::views::CertificateView;
use super::{Ctx, Error, Result, require};
use crate::course::Curriculum;
use crate::sandbox::RunStatus;
use crate::store::{Filter, Role, Store, StoreError, User};
use serde::Serialize;
use utoipa::ToSchema;

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

/// Cohort figures for HR: learners per level, the funnel, results per quiz and scenario.
#[derive(Serialize, ToSchema)]
pub struct Figures {
    pub learners: u64,
    /// Learners with any graded quiz, finished run or read lesson in the window.
    pub active: u64,
    pub levels: Vec<LevelFigure>,
    /// All learners, those who started, then those holding each level.
    pub funnel: Vec<FunnelStage>,
    pub quizzes: Vec<ItemFigure>,
    pub scenarios: Vec<ItemFigure>,
    /// A scenario counts as passed at this score.
    pub scenario_pass_score: f64,
    /// The cohorts and departments there are, for the filter.
    pub cohorts: Vec<String>,
    pub departments: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LevelFigure {
    pub id: String,
    pub title: String,
    /// Valid certificates.
    pub certified: u64,
    /// Median days from account creation to the certificate.
    pub median_days: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct FunnelStage {
    pub stage: String,
    pub count: u64,
}

/// Results of one quiz or scenario.
#[derive(Serialize, ToSchema)]
pub struct ItemFigure {
    pub id: String,
    /// `None` when the live course no longer has it.
    pub title: Option<String>,
    pub learners: u64,
    /// Percent of learners whose best passed.
    pub pass_rate: f64,
    /// Median best score.
    pub median: Option<f64>,
}

/// Cohort figures: learners per level, the funnel, results per quiz and scenario.
async fn figures(ctx: &Ctx<'_>, f: Filter) -> Result<Figures> {
    let cur = &*ctx.cur;
    let c = ctx.store.cohort(f).await?;
    let levels: Vec<LevelFigure> = cur
        .track
        .iter()
        .flat_map(|t| &t.levels)
        .map(|l| {
            let mut days = c.days_to_level.get(&l.id).cloned().unwrap_or_default();
            LevelFigure {
                id: l.id.clone(),
                title: l.title.clone(),
                certified: c.certified.get(&l.id).copied().unwrap_or(0),
                median_days: median(&mut days),
            }
        })
        .collect();
    let stage = |stage: &str, count: u64| FunnelStage {
        stage: stage.to_string(),
        count,
    };
    let m = &cur.messages;
    let mut funnel = vec![
        stage(&m.get("hr-funnel-all"), c.learners),
        stage(&m.get("hr-funnel-started"), c.active),
    ];
    funnel.extend(levels.iter().map(|l| stage(&l.title, l.certified)));
    let pass_at = 60.0;
    let rate = |passed: u64, n: u64| (passed as f64 * 1000.0 / n.max(1) as f64).round() / 10.0;
    let mut quizzes = Vec::new();
    let mut scenarios = Vec::new();
    for ((kind, id), h) in &c.hist {
        let n = h.learners();
        if n == 0 {
            continue;
        }
        let (title, pass_mark, list) = match kind.as_str() {
            "quiz" => {
                let quiz = cur.quizzes.get(id);
                (quiz.map(|q| q.title.clone()), quiz.map_or(60.0, |q| q.pass_mark), &mut quizzes)
            }
            "scenario" => (cur.scenarios.get(id).map(|s| s.title.clone()), pass_at, &mut scenarios),
            // Team results are the team's, not the learner's own play.
            _ => continue,
        };
        list.push(ItemFigure {
            id: id.clone(),
            title,
            learners: n,
            pass_rate: rate(h.at_least(pass_mark), n),
            median: h.median(),
        });
    }
    Ok(Figures {
        learners: c.learners,
        active: c.active,
        levels,
        funnel,
        quizzes,
        scenarios,
        scenario_pass_score: pass_at,
        cohorts: c.cohorts,
        departments: c.departments,
    })
}

/// HR: cohort figures (learners per level, the funnel, results per quiz and scenario), filtered.
pub async fn dashboard(ctx: &Ctx<'_>, actor: &User, f: Filter) -> Result<Figures> {
    require(actor, &[Role::Hr])?;
    figures(ctx, f).await
}

/// A learner on the dashboard's list.
#[derive(Serialize)]
pub struct LearnerLine {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub cohort: String,
    pub department: String,
    /// Titles of the levels held.
    pub levels: String,
}

/// HR: the figures and the first [`LEARNER_LIST_LIMIT`] learners matching the filter,
/// with the titles of the levels they hold.
pub async fn dashboard_with_learners(ctx: &Ctx<'_>, actor: &User, f: Filter) -> Result<(Figures, Vec<LearnerLine>)> {
    require(actor, &[Role::Hr])?;
    let fig = figures(ctx, f.clone()).await?;
    let separator = ctx.cur.messages.get("staff-list-separator");
    let learners = ctx
        .store
        .learners(f, LEARNER_LIST_LIMIT)
        .await?
        .into_iter()
        .map(|(id, username, name, cohort, department, levels)| LearnerLine {
            id,
            username,
            name,
            cohort,
            department,
            levels: levels.iter().map(|l| level_title(&ctx.cur, l)).collect::<Vec<_>>().join(&separator),
        })
        .collect();
    Ok((fig, learners))
}

/// Everything one learner has done.
#[derive(Serialize, ToSchema)]
pub struct Transcript {
    pub user: User,
    pub cohort: String,
    pub department: String,
    /// Unix ms.
    pub created_at: i64,
    /// When their personal data was erased, if it was.
    pub erased_at: Option<i64>,
    pub quizzes: Vec<TranscriptQuiz>,
    pub runs: Vec<TranscriptRun>,
    pub exercises: Vec<TranscriptExercise>,
    /// Team sandbox sessions: the team's score and the judges' marks.
    pub team_sessions: Vec<super::teams::MemberResult>,
    pub certificates: Vec<CertificateView>,
}

#[derive(Serialize, ToSchema)]
pub struct TranscriptQuiz {
    pub quiz: String,
    pub title: Option<String>,
    pub attempts: u32,
    pub best: Option<f64>,
    pub passed: bool,
    /// The newest attempts (at most 5), newest first: each opens its review.
    pub recent: Vec<TranscriptAttempt>,
}

/// One attempt in a transcript.
#[derive(Serialize, ToSchema)]
pub struct TranscriptAttempt {
    pub id: String,
    /// `open`, `graded`, `expired`, `late` or `abandoned`.
    pub status: String,
    /// Unix ms.
    pub started_at: i64,
    pub submitted_at: Option<i64>,
    pub percent: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct TranscriptRun {
    pub id: String,
    pub scenario: String,
    pub title: Option<String>,
    pub status: RunStatus,
    pub score: Option<u32>,
    pub started_at: i64,
    pub finished_at: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct TranscriptExercise {
    pub exercise: String,
    pub title: Option<String>,
    pub status: crate::certify::SubmissionStatus,
    pub total: Option<f64>,
    pub revision: u32,
    pub graded_at: Option<i64>,
}

/// HR and instructors: everything one learner has done, and the certificates they hold.
pub async fn transcript(ctx: &Ctx<'_>, actor: &User, id: i64) -> Result<Transcript> {
    require(actor, &[Role::Hr, Role::Instructor])?;
    let user = ctx
        .store
        .user_by_id(id)
        .await?
        .ok_or_else(|| Error::NotFound(crate::msg!("hr-no-such-learner")))?;
    let (cohort, department, created_at, erased_at) = ctx.store.user_groups(id).await?.unwrap_or_default();
    let ((), file) = ctx.store.learner_file(id, String::new(), |_| Ok(())).await?;
    let cur = &*ctx.cur;
    Ok(Transcript {
        quizzes: file
            .quizzes
            .iter()
            .map(|q| TranscriptQuiz {
                quiz: q.quiz_id.clone(),
                title: cur.quizzes.get(&q.quiz_id).map(|x| x.title.clone()),
                attempts: q.attempts,
                best: q.best_percent,
                passed: q.passed,
                recent: file
                    .recent
                    .iter()
                    .filter(|a| a.quiz_id == q.quiz_id)
                    .map(|a| TranscriptAttempt {
                        id: a.id.clone(),
                        status: a.status.as_str().to_string(),
                        started_at: a.started_at,
                        submitted_at: a.submitted_at,
                        percent: a.percent,
                    })
                    .collect(),
            })
            .collect(),
        runs: file
            .runs
            .iter()
            .map(|r| TranscriptRun {
                id: r.id.clone(),
                scenario: r.scenario_id.clone(),
                title: cur.scenarios.get(&r.scenario_id).map(|s| s.title.clone()),
                status: r.status,
                score: r.score,
                started_at: r.started_at,
                finished_at: r.finished_at,
            })
            .collect(),
        team_sessions: super::teams::results_of(ctx, id).await?,
        // Only exercises the live course still has.
        exercises: file
            .submissions
            .iter()
            .filter_map(|s| {
                let ex = cur.exercises.get(&s.exercise_id)?;
                Some(TranscriptExercise {
                    exercise: s.exercise_id.clone(),
                    title: Some(ex.title.clone()),
                    status: s.status,
                    total: s.total,
                    revision: s.revision,
                    graded_at: s.graded_at,
                })
            })
            .collect(),
        certificates: CertificateView::all(ctx, &file.certificates),
        user,
        cohort,
        department,
        created_at,
        erased_at,
    })
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
    pub fn write_blocking(self, store: &Store, sink: &mut (dyn FnMut(&[String]) -> bool + Send)) -> Result<(), StoreError> {
        match self {
            CsvExport::Learners { levels } => store.export_learners_blocking(&levels, sink),
            CsvExport::Certificates => store.export_certificates_blocking(sink),
        }
    }
}

impl CsvExport {
    /// Produces the CSV (UTF-8 with a BOM, so spreadsheet programs read the Chinese
    /// right) on a reader in the blocking pool, in chunks of about 64 KiB through a
    /// small channel: an export of any size never sits in memory whole, and a reader
    /// who hangs up stops it.
    pub fn stream(self, store: Store) -> tokio::sync::mpsc::Receiver<bytes::Bytes> {
        let (tx, rx) = tokio::sync::mpsc::channel::<bytes::Bytes>(8);
        tokio::task::spawn_blocking(move || {
            let mut buf: Vec<u8> = b"\xEF\xBB\xBF".to_vec();
            let mut open = true;
            let mut sink = |row: &[String]| {
                let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
                let _ = w.write_record(row);
                buf.extend_from_slice(&w.into_inner().unwrap_or_default());
                if buf.len() >= 64 * 1024 {
                    open = tx.blocking_send(bytes::Bytes::from(std::mem::take(&mut buf))).is_ok();
                }
                open
            };
            match self.write_blocking(&store, &mut sink) {
                Ok(()) if open && !buf.is_empty() => {
                    let _ = tx.blocking_send(bytes::Bytes::from(buf));
                }
                Ok(()) => {}
                Err(e) => tracing::error!("CSV export failed: {e}"),
            }
        });
        rx
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
