//! Instructors' pages: the grading queue and rubric form, item analysis with answer
//! similarity, and the course build's state.

use crate::app::exams::show_time as minute;
use crate::app::exams::{PairSide, similarity_of};
use crate::app::{Ctx, Error, Result, grading, require};
use crate::certify::Band;
use crate::quiz::Grading;
use crate::quiz::analysis::{AttemptData, ItemStats, MIN_ATTEMPTS_FOR_FLAGS, analyse};
use crate::store::{Role, User};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize)]
pub struct QueuePage {
    pub items: Vec<QueueLine>,
}

#[derive(Serialize)]
pub struct QueueLine {
    pub id: String,
    pub learner: String,
    pub exercise: String,
    pub revision: u32,
    pub submitted: String,
    /// Length of the answer in characters.
    pub chars: usize,
}

/// Answers waiting for a grade, oldest first.
pub async fn queue(ctx: &Ctx<'_>, actor: &User) -> Result<QueuePage> {
    let rows = grading::queue(ctx, actor).await?;
    Ok(QueuePage {
        items: rows
            .iter()
            .map(|(s, name)| QueueLine {
                id: s.id.clone(),
                learner: name.clone(),
                exercise: ctx
                    .cur
                    .exercises
                    .get(&s.exercise_id)
                    .map_or_else(|| s.exercise_id.clone(), |e| e.title.clone()),
                revision: s.revision,
                submitted: minute(s.submitted_at),
                chars: s.body.chars().count(),
            })
            .collect(),
    })
}

#[derive(Serialize)]
pub struct GradePage {
    pub id: String,
    pub learner: String,
    pub body: String,
    pub revision: u32,
    pub submitted: String,
    pub graded: bool,
    pub total: Option<f64>,
    pub feedback: Option<String>,
    pub exercise: ExerciseBrief,
    pub dimensions: Vec<DimensionForm>,
    /// Why the last form was refused.
    pub error: Option<String>,
    pub csrf: String,
}

#[derive(Serialize)]
pub struct ExerciseBrief {
    pub title: String,
    pub prompt: String,
    /// `None` when the live course no longer has the exercise.
    pub pass: Option<f64>,
}

#[derive(Serialize)]
pub struct DimensionForm {
    pub id: String,
    pub title: String,
    pub weight: f64,
    /// The score given, once graded.
    pub score: Option<f64>,
    pub levels: Vec<Band>,
}

/// The rubric form for submission `id`; `error` says why the last form was refused.
pub async fn grade_form(ctx: &Ctx<'_>, actor: &User, csrf: &str, id: &str, error: Option<String>) -> Result<GradePage> {
    let (s, learner) = grading::submission_with_learner(ctx, actor, id).await?;
    let ex = ctx.cur.exercises.get(&s.exercise_id);
    let weights = ex.and_then(|e| e.weights);
    Ok(GradePage {
        dimensions: ctx
            .cur
            .rubric
            .dimensions
            .iter()
            .enumerate()
            .map(|(i, d)| DimensionForm {
                id: d.id.clone(),
                title: d.title.clone(),
                weight: weights.map_or(d.weight, |w| w[i]),
                score: s.scores.as_ref().and_then(|v| v.get(i).copied()),
                levels: d.levels.clone(),
            })
            .collect(),
        // An exercise gone from the course still shows the answer to grade.
        exercise: ex.map_or_else(
            || ExerciseBrief {
                title: s.exercise_id.clone(),
                prompt: String::new(),
                pass: None,
            },
            |e| ExerciseBrief {
                title: e.title.clone(),
                prompt: e.prompt.clone(),
                pass: Some(e.pass),
            },
        ),
        graded: s.status == crate::certify::SubmissionStatus::Graded,
        id: s.id,
        learner,
        body: s.body,
        revision: s.revision,
        submitted: minute(s.submitted_at),
        total: s.total,
        feedback: s.feedback,
        error,
        csrf: csrf.to_string(),
    })
}

#[derive(Serialize)]
pub struct AnalysisIndex {
    pub quizzes: Vec<QuizCount>,
}

#[derive(Serialize)]
pub struct QuizCount {
    pub id: String,
    pub title: String,
    /// Graded attempts.
    pub attempts: i64,
}

/// Every quiz with how many graded attempts it has.
pub async fn analysis_index(ctx: &Ctx<'_>, actor: &User) -> Result<AnalysisIndex> {
    require(actor, &[Role::Instructor])?;
    let counts: std::collections::HashMap<String, i64> = ctx.store.graded_counts().await?.into_iter().collect();
    Ok(AnalysisIndex {
        quizzes: ctx
            .cur
            .quizzes
            .values()
            .map(|q| QuizCount {
                id: q.id.clone(),
                title: q.title.clone(),
                attempts: counts.get(&q.id).copied().unwrap_or(0),
            })
            .collect(),
    })
}

/// Facility, discrimination and option shares per question, from every graded attempt.
#[derive(Serialize, ToSchema)]
pub struct ItemAnalysis {
    pub quiz: String,
    pub title: String,
    /// Graded attempts analysed.
    pub attempts: usize,
    /// Questions with fewer attempts raise no flags.
    pub min_attempts_for_flags: usize,
    pub questions: Vec<ItemStats>,
}

pub async fn item_analysis(ctx: &Ctx<'_>, actor: &User, id: &str) -> Result<ItemAnalysis> {
    require(actor, &[Role::Instructor])?;
    let quiz = ctx
        .cur
        .quizzes
        .get(id)
        .ok_or_else(|| Error::NotFound(crate::msg!("quiz-not-found", quiz = id)))?;
    let attempts: Vec<AttemptData> = ctx
        .store
        .graded_attempts(id.to_string())
        .await?
        .into_iter()
        .filter_map(|(percent, answers, result)| {
            let grading: Grading = serde_json::from_str(&result).ok()?;
            Some(AttemptData {
                percent,
                answers: serde_json::from_str(&answers).unwrap_or_default(),
                correct: grading.questions.iter().map(|q| (q.id.clone(), q.correct)).collect(),
                variants: grading
                    .questions
                    .iter()
                    .filter_map(|q| Some((q.id.clone(), crate::quiz::variant::label(q.variant.as_ref()?))))
                    .collect(),
            })
        })
        .collect();
    Ok(ItemAnalysis {
        quiz: quiz.id.clone(),
        title: quiz.title.clone(),
        attempts: attempts.len(),
        min_attempts_for_flags: MIN_ATTEMPTS_FOR_FLAGS,
        questions: analyse(quiz, &attempts, &ctx.cur.messages),
    })
}

#[derive(Serialize)]
pub struct AnalysisPage {
    pub quiz: String,
    pub title: String,
    pub attempts: usize,
    pub questions: Vec<QuestionLine>,
    pub similarity: SimilarityLines,
}

#[derive(Serialize)]
pub struct QuestionLine {
    #[serde(flatten)]
    pub stats: ItemStats,
    /// The flags in words.
    pub flag_labels: String,
}

#[derive(Serialize)]
pub struct SimilarityLines {
    pub span_minutes: u32,
    pub pairs_compared: usize,
    pub min_identical_wrong: usize,
    pub threshold_text: String,
    pub pairs: Vec<PairLine>,
}

#[derive(Serialize)]
pub struct PairLine {
    pub first: PairSide,
    pub second: PairSide,
    pub compared: usize,
    pub identical_wrong: usize,
    pub questions_text: String,
    pub expected: f64,
    pub probability_text: String,
    pub flagged: bool,
}

/// The analysis page of quiz `id`: the item analysis and the answer-similarity report.
pub async fn analysis(ctx: &Ctx<'_>, actor: &User, id: &str) -> Result<AnalysisPage> {
    let a = item_analysis(ctx, actor, id).await?;
    let sim = similarity_of(ctx, id, None).await?;
    let m = &ctx.cur.messages;
    let separator = m.get("staff-list-separator");
    Ok(AnalysisPage {
        quiz: a.quiz,
        title: a.title,
        attempts: a.attempts,
        questions: a
            .questions
            .into_iter()
            .map(|stats| QuestionLine {
                flag_labels: stats
                    .flags
                    .iter()
                    .filter_map(|f| flag_label(f).map(|id| m.get(id)))
                    .collect::<Vec<_>>()
                    .join(&separator),
                stats,
            })
            .collect(),
        similarity: SimilarityLines {
            span_minutes: sim.span_minutes,
            pairs_compared: sim.pairs_compared,
            min_identical_wrong: sim.min_identical_wrong,
            threshold_text: chance(sim.threshold),
            pairs: sim
                .pairs
                .into_iter()
                .map(|p| PairLine {
                    questions_text: p.questions.join(&separator),
                    probability_text: chance(p.probability),
                    first: p.first,
                    second: p.second,
                    compared: p.compared,
                    identical_wrong: p.identical_wrong,
                    expected: p.expected,
                    flagged: p.flagged,
                })
                .collect(),
        },
    })
}

/// The message id of a flag's label.
fn flag_label(flag: &str) -> Option<&'static str> {
    match flag {
        "too_easy" => Some("staff-flag-too-easy"),
        "too_hard" => Some("staff-flag-too-hard"),
        "negative_discrimination" => Some("staff-flag-negative-discrimination"),
        _ => None,
    }
}

/// A probability for people: 0.042 → "4.2%", 0.0000031 → "3.1e-6".
fn chance(p: f64) -> String {
    if p >= 0.001 {
        format!("{:.1}%", p * 100.0)
    } else {
        format!("{p:.1e}")
    }
}

#[derive(Serialize)]
pub struct BuildPage {
    /// `serve --watch` rebuilds on every save.
    pub watching: bool,
    pub live_built: String,
    pub lessons: usize,
    /// The last edit's diagnostics, when it did not go live.
    pub failure: Option<String>,
    pub failure_at: Option<String>,
}

/// Whether the newest edit of the course is live, and if not, why.
pub fn build(ctx: &Ctx<'_>, watching: bool, built_at: i64, failure: Option<(i64, String)>) -> BuildPage {
    BuildPage {
        watching,
        live_built: super::date_time(&ctx.cur.messages, built_at),
        lessons: ctx.cur.pages().count(),
        failure_at: failure.as_ref().map(|f| super::date_time(&ctx.cur.messages, f.0)),
        failure: failure.map(|f| f.1),
    }
}
