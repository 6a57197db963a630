//! The quiz API: a learner's standing on a quiz, starting (or resuming) an attempt
//! with key-free questions, autosave, sequential mode's step, submitting for
//! server-side grading, reading an attempt. The rules are [`crate::app::exams`]';
//! here requests are read and results shown.

use super::AppState;
use super::auth::{ClientAddr, CsrfSession, Device, Session};
use super::error::{ApiError, ApiJson, ApiPath, ErrorBody};
use crate::app::Ctx;
use crate::app::exams::{self, Reviewed, Standing, Started, Submitted};
use crate::app::views::CertificateView;
use crate::i18n::Messages;
use crate::quiz::{self, Quiz, Shown};
use crate::store::AttemptRow;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(status))
        .routes(routes!(start))
        .routes(routes!(attempt))
        .routes(routes!(submit))
        .routes(routes!(save_answers))
        .routes(routes!(next))
        .routes(routes!(abandon))
}

/// The caller's standing on a quiz.
#[derive(Serialize, ToSchema)]
struct QuizStatus {
    id: String,
    title: String,
    /// `practice` (an open attempt can be abandoned) or `exam`.
    mode: &'static str,
    question_count: usize,
    /// Percent needed to pass.
    pass_mark: f64,
    /// Seconds, when the quiz is timed (with any extra time granted to you).
    time_limit: Option<u32>,
    /// Unix ms when attempts may start, if the quiz has a window.
    opens_ms: Option<i64>,
    /// Unix ms after which nothing is graded.
    closes_ms: Option<i64>,
    attempts_allowed: Option<u32>,
    /// Attempts counted against the limit: since the learner's latest certificate naming this exam (a new certification cycle), else all.
    attempts_used: u32,
    attempts_left: Option<u32>,
    best_percent: Option<f64>,
    passed: bool,
    /// The id of an attempt started and not yet submitted.
    open_attempt: Option<String>,
    /// The open attempt is bound to another device (resuming here is refused until an instructor releases it).
    open_attempt_elsewhere: bool,
    /// One question at a time, no going back.
    sequential: bool,
}

fn status_json(s: Standing) -> QuizStatus {
    let (quiz, limits) = (&s.quiz, &s.limits);
    let allowed = (limits.attempts > 0).then_some(limits.attempts);
    QuizStatus {
        question_count: quiz.draw.as_ref().map(|d| d.count()).unwrap_or(quiz.questions.len()),
        id: quiz.id.clone(),
        title: quiz.title.clone(),
        mode: quiz.mode.as_str(),
        pass_mark: quiz.pass_mark,
        time_limit: limits.time_limit_ms.map(|ms| (ms / 1000) as u32),
        opens_ms: limits.opens,
        closes_ms: limits.closes,
        attempts_allowed: allowed,
        attempts_used: s.counted,
        attempts_left: allowed.map(|a| a.saturating_sub(s.counted)),
        best_percent: s.summary.best_percent,
        passed: s.summary.passed,
        open_attempt: s.summary.open_attempt,
        open_attempt_elsewhere: s.open_elsewhere,
        sequential: quiz.exam.sequential,
    }
}

/// The caller's standing on a quiz: attempts used and left, best result, an open attempt.
#[utoipa::path(get, path = "/api/quizzes/{id}", tag = "quizzes", security(("session" = [])),
    params(("id" = String, Path, description = "quiz id")),
    responses((status = 200, body = QuizStatus), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn status(
    State(state): State<AppState>,
    session: Session,
    device: Device,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<QuizStatus>, ApiError> {
    let standing = exams::standing(&state.ctx(), session.user.id, &device.hash(), &id).await?;
    Ok(Json(status_json(standing)))
}

/// An attempt in progress: the questions without keys or explanations.
#[derive(Serialize, ToSchema)]
struct AttemptSheet {
    id: String,
    quiz_id: String,
    started_at: i64,
    /// Unix ms when the time limit runs out, when timed.
    deadline_ms: Option<i64>,
    /// The server's clock, so the page's countdown does not trust the learner's clock.
    server_now_ms: i64,
    /// Sequential mode: `questions` holds only the current question; answer it with
    /// `POST /api/attempts/{id}/next`, then the next one is shown. No going back.
    sequential: bool,
    /// Sequential mode: the 0-based index of the current question (`total` once all are answered).
    #[serde(skip_serializing_if = "Option::is_none")]
    position: Option<usize>,
    /// Questions in the attempt.
    total: usize,
    questions: Vec<quiz::PublicQuestion>,
}

fn attempt_json(state: &AppState, quiz: &Quiz, a: &AttemptRow) -> AttemptSheet {
    let sequential = quiz.exam.sequential;
    AttemptSheet {
        id: a.id.clone(),
        quiz_id: a.quiz_id.clone(),
        started_at: a.started_at,
        deadline_ms: a.deadline_at,
        server_now_ms: state.clock.now_ms(),
        sequential,
        position: sequential.then_some(a.position.min(a.question_ids.len())),
        total: a.question_ids.len(),
        questions: quiz::sheet_questions(quiz, &a.question_ids, a.seed, a.position),
    }
}

/// Optional fields for starting an attempt.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct StartBody {
    /// The quiz's attempt password, when it has one.
    #[serde(default)]
    password: Option<String>,
}

/// Starts an attempt (201), or resumes the open one (200), bound to this browser: from
/// another device the open attempt is refused (409) until an instructor releases it.
#[utoipa::path(post, path = "/api/quizzes/{id}/attempts", tag = "quizzes", security(("session" = [], "csrf" = [])),
    params(("id" = String, Path, description = "quiz id")), request_body = StartBody,
    responses((status = 201, body = AttemptSheet), (status = 200, body = AttemptSheet), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn start(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
    device: Device,
    ClientAddr(client): ClientAddr,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<StartBody>,
) -> Result<(StatusCode, Device, Json<AttemptSheet>), ApiError> {
    let ctx = state.ctx();
    let s: Started = exams::start(&ctx, session.user.id, device.hash(), client, &id, body.password.as_deref()).await?;
    let code = if s.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((code, device, Json(attempt_json(&state, &s.quiz, &s.attempt))))
}

/// The body of a submit or autosave (`{"answers": {...}}`), decoded from JSON and then
/// validated against the attempt's questions by [`quiz::grade`].
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitBody {
    /// Question id → answer: a letter, a list of letters, true/false, text or a number, by question type.
    #[schema(value_type = Object)]
    pub answers: BTreeMap<String, Value>,
}

/// The learner-facing outcome of an attempt (the grading fields once graded).
#[derive(Serialize, ToSchema)]
struct AttemptResult {
    attempt_id: String,
    quiz_id: String,
    /// `open`, `graded`, `expired` (ended with nothing to grade), `late` (answers came after the quiz closed; not graded) or `abandoned` (a practice attempt given up).
    status: String,
    percent: Option<f64>,
    passed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pass_mark: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    questions: Option<Vec<quiz::GradedQuestion>>,
    /// The review: each question with its options in the order this attempt showed them,
    /// the learner's answer, and the key and explanation when the review allows.
    #[serde(skip_serializing_if = "Option::is_none")]
    items: Option<Vec<quiz::review::ReviewItem>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    submitted_at: Option<i64>,
    /// Staff reading someone's attempt see whose it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    user_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    started_at: Option<i64>,
    /// What this response may show (review settings of the bank and the phase).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    review: Option<Shown>,
    /// Levels this grade completed.
    #[serde(skip_serializing_if = "Option::is_none")]
    certificates_issued: Option<Vec<CertificateView>>,
}

/// The review items of a graded attempt as `shown` allows.
fn items(m: &Messages, quiz: &Quiz, a: &AttemptRow, shown: Shown) -> Option<Vec<quiz::review::ReviewItem>> {
    let g = exams::grading(a)?;
    Some(quiz::review::review(
        m,
        quiz,
        &a.question_ids,
        a.seed,
        &a.graded_answers(),
        &g,
        shown,
    ))
}

/// The result as the learner may see it in this review phase; staff see everything.
fn reviewed(m: &Messages, mut r: AttemptResult, shown: Shown, quiz: &Quiz, a: &AttemptRow) -> AttemptResult {
    r.items = items(m, quiz, a, shown);
    if !shown.score {
        (r.percent, r.score, r.max_score) = (None, None, None);
        r.passed = false;
    }
    if let Some(qs) = r.questions.as_mut() {
        for q in qs.iter_mut() {
            if !shown.explanations {
                q.explanation.clear();
            }
            if !shown.answers {
                q.correct_answer = Value::Null;
                // A variant's computed values (its key, derived figures) give the key away.
                q.variant = None;
            }
        }
    }
    if !shown.correctness && !shown.explanations && !shown.answers {
        r.questions = None;
        r.items = None;
    }
    r.review = Some(shown);
    r
}

fn result_json(m: &Messages, quiz: &Quiz, a: &AttemptRow) -> AttemptResult {
    let mut r = AttemptResult {
        attempt_id: a.id.clone(),
        quiz_id: a.quiz_id.clone(),
        status: a.status.as_str().to_string(),
        percent: a.percent,
        passed: a.passed,
        pass_mark: None,
        score: None,
        max_score: None,
        questions: None,
        items: None,
        submitted_at: None,
        user_id: None,
        started_at: None,
        certificates_issued: None,
        review: None,
    };
    if let Some(g) = exams::grading(a) {
        r.pass_mark = Some(quiz.pass_mark);
        r.score = Some(g.score);
        r.max_score = Some(g.max_score);
        r.percent = Some(g.percent);
        r.passed = g.passed;
        r.questions = Some(g.questions);
        r.items = items(m, quiz, a, Shown::ALL);
        r.submitted_at = a.submitted_at;
    }
    r
}

fn submitted_json(ctx: &Ctx<'_>, s: Submitted) -> AttemptResult {
    let m = &ctx.cur.messages;
    let mut v = reviewed(m, result_json(m, &s.quiz, &s.attempt), s.shown, &s.quiz, &s.attempt);
    v.certificates_issued = Some(CertificateView::all(ctx, &s.issued));
    v
}

/// Submits the answers for grading on the server; a retry returns the same result. In
/// sequential mode the answers recorded so far are graded, with the current question's
/// answer if sent (an answer to an earlier question that differs is refused, 409).
#[utoipa::path(post, path = "/api/attempts/{id}/submit", tag = "quizzes", security(("session" = [], "csrf" = [])),
    params(("id" = String, Path, description = "attempt id")), request_body = SubmitBody,
    responses((status = 200, body = AttemptResult), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)))]
async fn submit(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
    device: Device,
    ClientAddr(client): ClientAddr,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<SubmitBody>,
) -> Result<(Device, Json<AttemptResult>), ApiError> {
    let ctx = state.ctx();
    let s = exams::submit(&ctx, session.user.id, device.hash(), client, &id, body.answers).await?;
    Ok((device, Json(submitted_json(&ctx, s))))
}

/// What an autosave kept.
#[derive(Serialize, ToSchema)]
struct Saved {
    attempt_id: String,
    /// Answers now saved.
    saved: usize,
}

/// Autosave: stores the answers so far (replacing the last save). When the time limit or
/// the quiz's close passes, the attempt is graded from what was saved last. In sequential
/// mode only the current question's answer may change (it is kept as a draft).
#[utoipa::path(put, path = "/api/attempts/{id}/answers", tag = "quizzes", security(("session" = [], "csrf" = [])),
    params(("id" = String, Path, description = "attempt id")), request_body = SubmitBody,
    responses((status = 200, body = Saved), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn save_answers(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
    device: Device,
    ClientAddr(client): ClientAddr,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<SubmitBody>,
) -> Result<(Device, Json<Saved>), ApiError> {
    let row = exams::save(&state.ctx(), session.user.id, device.hash(), client, &id, body.answers).await?;
    let saved = Saved {
        saved: row.saved().len(),
        attempt_id: row.id,
    };
    Ok((device, Json(saved)))
}

/// Sequential mode's step: the answer to the current question.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct NextBody {
    /// The id of the question answered: the current one (an earlier or a later one is refused).
    question: String,
    /// Its answer, as in `answers` of a submit; null or left out to leave it blank.
    #[serde(default)]
    #[schema(value_type = Object)]
    answer: Option<Value>,
}

/// Sequential mode: records the answer to the current question and returns the sheet with
/// the next one (no question once all are answered: submit then). Answering an earlier
/// question (going back) or a later one is refused with 409; resending the answer just
/// recorded (a retried request) returns the current sheet unchanged.
#[utoipa::path(post, path = "/api/attempts/{id}/next", tag = "quizzes", security(("session" = [], "csrf" = [])),
    params(("id" = String, Path, description = "attempt id")), request_body = NextBody,
    responses((status = 200, body = AttemptSheet), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn next(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
    device: Device,
    ClientAddr(client): ClientAddr,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<NextBody>,
) -> Result<(Device, Json<AttemptSheet>), ApiError> {
    let ctx = state.ctx();
    let (quiz, row) = exams::next(&ctx, session.user.id, device.hash(), client, &id, body.question, body.answer).await?;
    Ok((device, Json(attempt_json(&state, &quiz, &row))))
}

fn reviewed_json(m: &Messages, r: Reviewed) -> AttemptResult {
    let mut v = result_json(m, &r.quiz, &r.attempt);
    if let Some(shown) = r.shown {
        v = reviewed(m, v, shown, &r.quiz, &r.attempt);
    }
    v.user_id = Some(r.attempt.user_id);
    v.started_at = Some(r.attempt.started_at);
    v
}

/// An attempt's outcome, for its learner or staff.
#[utoipa::path(get, path = "/api/attempts/{id}", tag = "quizzes", security(("session" = [])),
    params(("id" = String, Path, description = "attempt id")),
    responses((status = 200, body = AttemptResult), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn attempt(State(state): State<AppState>, session: Session, ApiPath(id): ApiPath<String>) -> Result<Json<AttemptResult>, ApiError> {
    let ctx = state.ctx();
    let r = exams::attempt(&ctx, &session.user, &id).await?;
    Ok(Json(reviewed_json(&ctx.cur.messages, r)))
}

/// Gives up the caller's open attempt at a practice quiz, so a new one can start; an
/// exam's attempt cannot be given up (409).
#[utoipa::path(post, path = "/api/attempts/{id}/abandon", tag = "quizzes", security(("session" = [], "csrf" = [])),
    params(("id" = String, Path, description = "attempt id")),
    responses((status = 200, body = AttemptResult), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn abandon(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<AttemptResult>, ApiError> {
    let ctx = state.ctx();
    let row = exams::abandon(&ctx, session.user.id, &id).await?;
    let quiz = exams::quiz(&ctx, &row.quiz_id)?;
    Ok(Json(result_json(&ctx.cur.messages, &quiz, &row)))
}
