//! The quiz API: a learner's standing on a quiz, starting (or resuming) an attempt
//! with key-free questions, autosave, sequential mode's step, submitting for
//! server-side grading, reading an attempt. Writes come only from the device the
//! attempt is bound to (see [`exam::device_check`]).

use super::AppState;
use super::auth::{CsrfSession, Device, Session, random_token};
use super::certify::CertificateView;
use super::error::{ApiError, ApiJson, ApiPath, ErrorBody};
use crate::quiz::exam::{self, AttemptStatus, DeviceCheck, Limits, Phase, Refusal};
use crate::quiz::{self, Grading, Quiz, Shown};
use crate::store::{AttemptRow, Caller, Graded, Grader, NewAttempt, Prepare, SaveOutcome, StartOutcome, SubmitOutcome};
use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::net::SocketAddr;
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
}

/// Grace after the deadline for the time a submit spends on the network.
const DEADLINE_GRACE_MS: i64 = 3_000;

/// Grades answers against the attempt's questions with the current curriculum.
pub(super) fn grader(state: &AppState) -> Grader {
    let curriculum = state.curriculum();
    Box::new(move |row: &AttemptRow, answers: &BTreeMap<String, Value>| {
        let quiz = curriculum
            .quizzes
            .get(&row.quiz_id)
            .ok_or_else(|| format!("quiz `{}` no longer exists", row.quiz_id))?;
        let g = quiz::grade(quiz, &row.question_ids, answers)?;
        let result = serde_json::to_string(&g).map_err(|e| e.to_string())?;
        Ok(Graded {
            score: g.score,
            max_score: g.max_score,
            percent: g.percent,
            passed: g.passed,
            result,
        })
    })
}

/// The learner's effective limits at the quiz (overrides applied; see [`exam::limits`]).
pub(super) async fn limits_for(state: &AppState, user_id: i64, quiz: &Quiz) -> Result<Limits, ApiError> {
    let (own, cohort) = state.store.overrides_for(user_id, quiz.id.clone()).await?;
    Ok(exam::limits(
        quiz,
        own.map(|o| o.adjustment()).as_ref(),
        cohort.map(|o| o.adjustment()).as_ref(),
    ))
}

/// "Now" for deciding whether an attempt has ended: a little behind the clock, so a
/// submit that left the browser in time is not beaten by its network trip.
fn judged_now(state: &AppState) -> i64 {
    state.clock.now_ms() - DEADLINE_GRACE_MS
}

fn find_quiz(state: &AppState, id: &str) -> Result<Quiz, ApiError> {
    state
        .curriculum()
        .quizzes
        .get(id)
        .cloned()
        .ok_or_else(|| ApiError::NotFound(format!("没有这个测验：{id}")))
}

/// The caller's standing on a quiz.
#[derive(Serialize, ToSchema)]
struct QuizStatus {
    id: String,
    title: String,
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
    let quiz = find_quiz(&state, &id)?;
    let limits = limits_for(&state, session.user.id, &quiz).await?;
    state
        .store
        .settle_open(session.user.id, quiz.id.clone(), limits.closes, judged_now(&state), grader(&state))
        .await?;
    let s = state
        .store
        .quiz_summary(session.user.id, quiz.id.clone(), state.clock.now_ms())
        .await?;
    let allowed = (limits.attempts > 0).then_some(limits.attempts);
    let elsewhere = match &s.open_attempt {
        Some(open) => state
            .store
            .attempt(open.clone())
            .await?
            .is_some_and(|a| exam::device_check(a.device_hash.as_deref(), &device.hash()) == DeviceCheck::Elsewhere),
        None => false,
    };
    Ok(Json(QuizStatus {
        question_count: quiz.draw.as_ref().map(|d| d.count).unwrap_or(quiz.questions.len()),
        id: quiz.id.clone(),
        title: quiz.title.clone(),
        pass_mark: quiz.pass_mark,
        time_limit: limits.time_limit_ms.map(|ms| (ms / 1000) as u32),
        opens_ms: limits.opens,
        closes_ms: limits.closes,
        attempts_allowed: allowed,
        attempts_used: s.attempts,
        attempts_left: allowed.map(|a| a.saturating_sub(s.attempts)),
        best_percent: s.best_percent,
        passed: s.passed,
        open_attempt: s.open_attempt,
        open_attempt_elsewhere: elsewhere,
        sequential: quiz.exam.sequential,
    }))
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

fn refused(r: Refusal) -> ApiError {
    ApiError::Conflict(r.message())
}

/// How the answers a learner sends become what an open attempt stores: as sent, or in
/// sequential mode merged into the answers recorded so far (see [`exam::sequential_answers`]).
fn as_sent(quiz: &Quiz) -> Prepare {
    let sequential = quiz.exam.sequential;
    Box::new(move |row: &AttemptRow, sent| {
        if sequential {
            Ok((
                exam::sequential_answers(&row.question_ids, row.position, &row.saved(), &sent)?,
                None,
            ))
        } else {
            Ok((sent, None))
        }
    })
}

/// The learner's attempt at a quiz (another learner's is "not found", so ids cannot be probed).
async fn own_attempt(state: &AppState, session: &Session, id: &str) -> Result<(AttemptRow, Quiz), ApiError> {
    let row = state
        .store
        .attempt(id.to_string())
        .await?
        .filter(|a| a.user_id == session.user.id)
        .ok_or_else(|| ApiError::NotFound("没有这次作答记录 (no such attempt)".into()))?;
    let quiz = find_quiz(state, &row.quiz_id)?;
    Ok((row, quiz))
}

/// Optional fields for starting an attempt.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct StartBody {
    /// The quiz's attempt password, when it has one.
    #[serde(default)]
    password: Option<String>,
}

/// A bank's `allow` ranges, checked on everything a learner does with an attempt.
fn check_address(quiz: &Quiz, addr: SocketAddr) -> Result<(), ApiError> {
    let ip = addr.ip().to_canonical();
    if quiz.exam.allow.is_empty() || quiz.exam.allow.iter().any(|net| net.contains(&ip)) {
        Ok(())
    } else {
        Err(ApiError::Refused(format!(
            "此测验只能在指定网络中作答，当前地址 {ip} 不在其中 (address not allowed)"
        )))
    }
}

/// A unix-ms instant in UTC for messages and staff pages: `2027-01-15 09:00 UTC`.
pub(super) fn show_time(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .ok()
        .and_then(|t| {
            t.format(time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC"))
                .ok()
        })
        .unwrap_or_default()
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
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<StartBody>,
) -> Result<(StatusCode, Device, Json<AttemptSheet>), ApiError> {
    let quiz = find_quiz(&state, &id)?;
    check_address(&quiz, addr)?;
    if let Some(expected) = &quiz.exam.password {
        let sent = body.password.as_deref().unwrap_or_default();
        if !super::auth::same_token(sent.trim(), expected) {
            return Err(ApiError::PasswordRequired);
        }
    }
    let now = state.clock.now_ms();
    let limits = limits_for(&state, session.user.id, &quiz).await?;
    if let Some(opens) = limits.opens.filter(|o| now < *o) {
        return Err(ApiError::Conflict(format!(
            "测验尚未开放，开放时间：{} (quiz not open yet)",
            show_time(opens)
        )));
    }
    if let Some(closes) = limits.closes.filter(|c| now >= *c) {
        return Err(ApiError::Conflict(format!("测验已于 {} 关闭 (quiz closed)", show_time(closes))));
    }
    state
        .store
        .settle_open(session.user.id, quiz.id.clone(), limits.closes, judged_now(&state), grader(&state))
        .await?;
    let seed = rand::random::<u64>() >> 1; // fits SQLite's signed integer
    // Read outside the start transaction: a race only weakens the preference for unseen questions.
    let seen = state.store.question_usage(session.user.id, quiz.id.clone()).await?;
    let new = NewAttempt {
        id: random_token(),
        seed,
        question_ids: quiz::draw_questions(&quiz, seed, &seen),
        deadline_at: limits.time_limit_ms.map(|ms| now + ms),
        device_hash: device.hash(),
    };
    match state
        .store
        .start_attempt(session.user.id, quiz.id.clone(), limits.attempts, now, new)
        .await?
    {
        StartOutcome::Started(a) => Ok((StatusCode::CREATED, device, Json(attempt_json(&state, &quiz, &a)))),
        StartOutcome::Resumed(a) => Ok((StatusCode::OK, device, Json(attempt_json(&state, &quiz, &a)))),
        StartOutcome::NoAttemptsLeft { used } => Err(ApiError::Conflict(format!("作答次数已用完（已作答 {used} 次）"))),
        StartOutcome::Elsewhere => Err(refused(Refusal::OtherDevice)),
    }
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
    /// `open`, `graded`, `expired` (ended with nothing to grade) or `late` (answers came after the quiz closed; not graded).
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

/// The phase a stored result is read in: after the learner's close, or later.
fn read_phase(limits: &Limits, now: i64) -> Phase {
    if limits.closes.is_some_and(|c| now >= c) {
        Phase::AfterClose
    } else {
        Phase::Later
    }
}

/// The result as the learner may see it in this review phase; staff see everything.
fn reviewed(mut r: AttemptResult, shown: Shown) -> AttemptResult {
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
            }
        }
    }
    if !shown.correctness && !shown.explanations && !shown.answers {
        r.questions = None;
    }
    r.review = Some(shown);
    r
}

fn result_json(quiz: &Quiz, a: &AttemptRow) -> AttemptResult {
    let grading: Option<Grading> = a.result.as_deref().and_then(|r| serde_json::from_str(r).ok());
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
        submitted_at: None,
        user_id: None,
        started_at: None,
        certificates_issued: None,
        review: None,
    };
    if let Some(g) = grading {
        r.pass_mark = Some(quiz.pass_mark);
        r.score = Some(g.score);
        r.max_score = Some(g.max_score);
        r.percent = Some(g.percent);
        r.passed = g.passed;
        r.questions = Some(g.questions);
        r.submitted_at = a.submitted_at;
    }
    r
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
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<SubmitBody>,
) -> Result<(Device, Json<AttemptResult>), ApiError> {
    let (_, quiz) = own_attempt(&state, &session, &id).await?;
    check_address(&quiz, addr)?;
    let limits = limits_for(&state, session.user.id, &quiz).await?;
    let caller = Caller {
        user_id: session.user.id,
        device_hash: device.hash(),
    };
    let outcome = state
        .store
        .submit_attempt(
            id,
            caller,
            (body.answers, as_sent(&quiz)),
            judged_now(&state),
            limits.closes,
            grader(&state),
        )
        .await?
        .map_err(ApiError::Unprocessable)?;
    match outcome {
        // A retried submit gets the same response as the first.
        SubmitOutcome::Graded(a) | SubmitOutcome::AlreadySubmitted(a) if a.status == AttemptStatus::Graded => {
            let mut v = reviewed(result_json(&quiz, &a), exam::shown(&quiz, Phase::Immediately));
            // A passing grade may complete a certification level: issue it now.
            let ctx = state.ctx();
            let (_, issued) = crate::app::certification::certify_user(&ctx, session.user.id).await?;
            v.certificates_issued = Some(super::certify::certificates_json(&ctx, &issued));
            Ok((device, Json(v)))
        }
        SubmitOutcome::Refused(r) => Err(refused(r)),
        SubmitOutcome::Expired(a) if limits.closes.is_some_and(|c| a.submitted_at.is_some_and(|s| s >= c)) => Err(ApiError::Conflict(
            "测验已关闭：答案已保存但不计分，作答按关闭前自动保存的进度结算 (quiz closed: answers stored, not graded)".into(),
        )),
        SubmitOutcome::Expired(_) | SubmitOutcome::AlreadySubmitted(_) => Err(ApiError::Conflict(
            "时间已到：本次作答按自动保存的进度结算，此次提交不计分 (time limit exceeded)".into(),
        )),
        SubmitOutcome::Graded(_) | SubmitOutcome::NotFound => Err(ApiError::NotFound("没有这次作答记录 (no such attempt)".into())),
    }
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
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<SubmitBody>,
) -> Result<(Device, Json<Saved>), ApiError> {
    let (row, quiz) = own_attempt(&state, &session, &id).await?;
    check_address(&quiz, addr)?;
    // Refuse a malformed answer now, not when the deadline grades it.
    quiz::grade(&quiz, &row.question_ids, &body.answers).map_err(ApiError::Unprocessable)?;
    let row = write_answers(&state, &session, &device, &quiz, id, (body.answers, as_sent(&quiz))).await?;
    Ok((
        device,
        Json(Saved {
            saved: row.saved().len(),
            attempt_id: row.id,
        }),
    ))
}

/// Stores answers into the learner's open attempt from this device (autosave and `next`).
async fn write_answers(
    state: &AppState,
    session: &Session,
    device: &Device,
    quiz: &Quiz,
    id: String,
    change: (BTreeMap<String, Value>, Prepare),
) -> Result<AttemptRow, ApiError> {
    let limits = limits_for(state, session.user.id, quiz).await?;
    let caller = Caller {
        user_id: session.user.id,
        device_hash: device.hash(),
    };
    match state
        .store
        .save_answers(id, caller, change, judged_now(state), limits.closes, grader(state))
        .await?
    {
        SaveOutcome::Saved(row) => Ok(row),
        SaveOutcome::Ended(_) => Err(ApiError::Conflict("本次作答已结束，不能再保存 (attempt already ended)".into())),
        SaveOutcome::Refused(r) => Err(refused(r)),
        SaveOutcome::NotFound => Err(ApiError::NotFound("没有这次作答记录 (no such attempt)".into())),
    }
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
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<NextBody>,
) -> Result<(Device, Json<AttemptSheet>), ApiError> {
    let (row, quiz) = own_attempt(&state, &session, &id).await?;
    check_address(&quiz, addr)?;
    if !quiz.exam.sequential {
        return Err(refused(Refusal::NotSequential));
    }
    let answer = body.answer.filter(|v| !v.is_null());
    let sent = BTreeMap::from([(body.question.clone(), answer.clone().unwrap_or(Value::Null))]);
    quiz::grade(&quiz, &row.question_ids, &sent).map_err(ApiError::Unprocessable)?;
    let step: Prepare = Box::new(move |row: &AttemptRow, _| {
        let (answers, position) = exam::sequential_next(&row.question_ids, row.position, &row.saved(), &body.question, answer.as_ref())?;
        Ok((answers, Some(position)))
    });
    let row = write_answers(&state, &session, &device, &quiz, id, (BTreeMap::new(), step)).await?;
    Ok((device, Json(attempt_json(&state, &quiz, &row))))
}

/// An attempt's outcome, for its learner or staff.
#[utoipa::path(get, path = "/api/attempts/{id}", tag = "quizzes", security(("session" = [])),
    params(("id" = String, Path, description = "attempt id")),
    responses((status = 200, body = AttemptResult), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn attempt(State(state): State<AppState>, session: Session, ApiPath(id): ApiPath<String>) -> Result<Json<AttemptResult>, ApiError> {
    let not_found = || ApiError::NotFound("没有这次作答记录 (no such attempt)".into());
    // Another learner's attempt is "not found", so ids cannot be probed.
    let a = state
        .store
        .attempt(id.clone())
        .await?
        .filter(|a| a.user_id == session.user.id || session.is_staff())
        .ok_or_else(not_found)?;
    let quiz = find_quiz(&state, &a.quiz_id)?;
    let limits = limits_for(&state, a.user_id, &quiz).await?;
    let a = state
        .store
        .settle_attempt(id, limits.closes, judged_now(&state), grader(&state))
        .await?
        .ok_or_else(not_found)?;
    let mut v = result_json(&quiz, &a);
    if a.user_id == session.user.id && !session.is_staff() {
        v = reviewed(v, exam::shown(&quiz, read_phase(&limits, state.clock.now_ms())));
    }
    v.user_id = Some(a.user_id);
    v.started_at = Some(a.started_at);
    Ok(Json(v))
}
