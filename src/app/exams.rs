//! Quizzes and exams. For learners: their standing on a quiz, starting (or resuming) an
//! attempt bound to their device, autosave, sequential mode's step, submitting for
//! grading on the server and reading an attempt. For staff: accommodations (overrides
//! of a quiz's limits), releasing an attempt's device and the similarity report.
//!
//! The rules of limits, review phases, sequential mode and devices are the domain's
//! (`crate::quiz::exam`); here they are applied. Starting, saving and submitting are
//! one write transaction each, and reading writes only when an attempt's time is up.

use super::{Ctx, Error, Result, is_staff, require};
use crate::course::Curriculum;
use crate::quiz::exam::{self, AttemptStatus, DeviceCheck, Limits, Phase, Refusal};
use crate::quiz::similarity::{self, Sitting};
use crate::quiz::{self, Grading, Quiz, Shown};
use crate::store::{
    Admission, Admit, AttemptRow, Caller, CertificateRow, Graded, Grader, Marking, OpenAttempt, OverrideRow, Prepare, QuizSummaryRow, Role,
    SaveOutcome, StartOutcome, StartPlan, StartTerms, SubmitOutcome, User, as_settled,
};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;
use utoipa::ToSchema;

/// Grace after the deadline for the time a submit spends on the network.
const DEADLINE_GRACE_MS: i64 = 3_000;

const NO_SUCH_ATTEMPT: &str = "没有这次作答记录 (no such attempt)";

/// Instructors (and admins) release devices and read the similarity report.
pub const INTEGRITY_ROLES: &[Role] = &[Role::Instructor];

/// Instructors, HR and admins manage accommodations.
pub const OVERRIDE_ROLES: &[Role] = &[Role::Instructor, Role::Hr];

/// Grades answers against the attempt's questions with the given curriculum.
pub fn grader(curriculum: Arc<Curriculum>) -> Grader {
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

/// Grading and then certification, for writes that may end an attempt.
fn marking(ctx: &Ctx<'_>) -> Marking {
    Marking {
        grade: grader(ctx.cur.clone()),
        certify: super::certification::certifier(ctx),
    }
}

/// The learner's effective limits at the quiz from their own and their cohort's override.
fn limits_of(quiz: &Quiz, own: Option<&OverrideRow>, cohort: Option<&OverrideRow>) -> Limits {
    let (own, cohort) = (own.map(|o| o.adjustment()), cohort.map(|o| o.adjustment()));
    exam::limits(quiz, own.as_ref(), cohort.as_ref())
}

/// "Now" for deciding whether an attempt has ended: a little behind the clock, so a
/// submit that left the browser in time is not beaten by its network trip.
fn judged_now(ctx: &Ctx<'_>) -> i64 {
    ctx.clock.now_ms() - DEADLINE_GRACE_MS
}

/// Whether an open attempt's time is up at `judged` (time limit or the quiz's close).
fn time_is_up(row: &AttemptRow, closes: Option<i64>, judged: i64) -> bool {
    row.status.is_open() && row.end(closes).is_some_and(|end| judged > end)
}

/// Stores the end of every open attempt whose time is up (graded from its autosave,
/// certified in the same write): the server runs this every few seconds, so reads,
/// which only show such an attempt as it will end, never have to write. Returns how
/// many were settled.
pub async fn settle_due(ctx: &Ctx<'_>) -> Result<usize> {
    let judged = judged_now(ctx);
    let closed: Vec<String> = ctx
        .cur
        .quizzes
        .values()
        .filter(|q| q.exam.closes.is_some_and(|c| c < judged))
        .map(|q| q.id.clone())
        .collect();
    let mut settled = 0;
    for id in ctx.store.due_attempts(judged, closed).await? {
        let Some((row, own, cohort)) = ctx.store.attempt_with_overrides(id).await? else {
            continue;
        };
        // An attempt at a quiz the live course dropped waits until it comes back.
        let Some(quiz) = ctx.cur.quizzes.get(&row.quiz_id) else {
            continue;
        };
        let limits = limits_of(quiz, own.as_ref(), cohort.as_ref());
        if time_is_up(&row, limits.closes, judged) {
            ctx.store
                .settle_attempt(row.id.clone(), limits.closes, judged, marking(ctx))
                .await?;
            settled += 1;
        }
    }
    Ok(settled)
}

/// A quiz of the live course.
pub fn quiz(ctx: &Ctx<'_>, id: &str) -> Result<Quiz> {
    ctx.cur
        .quizzes
        .get(id)
        .cloned()
        .ok_or_else(|| Error::NotFound(format!("没有这个测验：{id}")))
}

fn refused(r: Refusal) -> Error {
    Error::Conflict(r.message())
}

/// A bank's `allow` ranges, checked on everything a learner does with an attempt.
fn check_address(quiz: &Quiz, ip: IpAddr) -> Result<()> {
    let ip = ip.to_canonical();
    if quiz.exam.allow.is_empty() || quiz.exam.allow.iter().any(|net| net.contains(&ip)) {
        Ok(())
    } else {
        Err(Error::Refused(format!(
            "此测验只能在指定网络中作答，当前地址 {ip} 不在其中 (address not allowed)"
        )))
    }
}

/// Constant-time comparison of a password as sent with the expected one.
fn same_secret(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// A unix-ms instant in UTC for messages and staff pages: `2027-01-15 09:00 UTC`.
pub fn show_time(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .ok()
        .and_then(|t| {
            t.format(time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC"))
                .ok()
        })
        .unwrap_or_default()
}

/// A learner's standing on a quiz.
pub struct Standing {
    pub quiz: Quiz,
    pub limits: Limits,
    /// Overdue open attempts count as used, not open.
    pub summary: QuizSummaryRow,
    /// The open attempt is bound to another device.
    pub open_elsewhere: bool,
}

/// The learner's standing on a quiz: one read, no write. An open attempt whose time is
/// up is shown as it will end (the next write or the settle sweep stores that).
pub async fn standing(ctx: &Ctx<'_>, user_id: i64, device_hash: &str, id: &str) -> Result<Standing> {
    let quiz = quiz(ctx, id)?;
    let mut s = ctx.store.quiz_standing(user_id, quiz.id.clone()).await?;
    let limits = limits_of(&quiz, s.own.as_ref(), s.cohort.as_ref());
    if let Some(open) = s.open.take() {
        let row = as_settled(open, limits.closes, judged_now(ctx), &grader(ctx.cur.clone()));
        if row.status.is_open() {
            s.open = Some(row);
        } else {
            s.summary.open_attempt = None;
            if let Some(p) = row.percent.filter(|_| row.status == AttemptStatus::Graded) {
                s.summary.best_percent = Some(s.summary.best_percent.map_or(p, |b| b.max(p)));
                s.summary.passed |= row.passed;
            }
        }
    }
    let now = ctx.clock.now_ms();
    let open = s.open.filter(|a| a.deadline_at.is_none_or(|d| d >= now));
    let mut summary = s.summary;
    summary.open_attempt = open.as_ref().map(|a| a.id.clone());
    let open_elsewhere = open.is_some_and(|a| exam::device_check(a.device_hash.as_deref(), device_hash) == DeviceCheck::Elsewhere);
    Ok(Standing {
        quiz,
        limits,
        summary,
        open_elsewhere,
    })
}

/// An attempt started or resumed.
pub struct Started {
    /// A new attempt (else the open one, resumed).
    pub created: bool,
    pub quiz: Quiz,
    pub attempt: AttemptRow,
}

/// Starts an attempt, or resumes the open one, bound to the device `device_hash`: from
/// another device the open attempt is refused until an instructor releases it. One
/// write transaction: it settles an open attempt whose time is up, checks the window
/// and the attempt limit, and draws the questions the learner has seen least.
pub async fn start(ctx: &Ctx<'_>, user_id: i64, device_hash: String, ip: IpAddr, id: &str, password: Option<&str>) -> Result<Started> {
    let quiz = quiz(ctx, id)?;
    check_address(&quiz, ip)?;
    if let Some(expected) = &quiz.exam.password
        && !same_secret(password.unwrap_or_default().trim(), expected)
    {
        return Err(Error::PasswordRequired);
    }
    let now = ctx.clock.now_ms();
    let seed = rand::random::<u64>() >> 1; // fits SQLite's signed integer
    let (for_terms, for_draw) = (quiz.clone(), quiz.clone());
    let plan = StartPlan {
        user_id,
        quiz_id: quiz.id.clone(),
        now,
        judged_now: judged_now(ctx),
        id: super::ordered_id(now),
        seed,
        device_hash,
        terms: Box::new(move |own, cohort| {
            let limits = exam::limits(&for_terms, own.as_ref(), cohort.as_ref());
            if let Some(opens) = limits.opens.filter(|o| now < *o) {
                return Err(format!("测验尚未开放，开放时间：{} (quiz not open yet)", show_time(opens)));
            }
            if let Some(closes) = limits.closes.filter(|c| now >= *c) {
                return Err(format!("测验已于 {} 关闭 (quiz closed)", show_time(closes)));
            }
            Ok(StartTerms {
                closes: limits.closes,
                attempts: limits.attempts,
                deadline_at: limits.time_limit_ms.map(|ms| now + ms),
            })
        }),
        draw: Box::new(move |seen| quiz::draw_questions(&for_draw, seed, seen)),
        marking: marking(ctx),
    };
    match ctx.store.start_attempt(plan).await? {
        StartOutcome::Started(attempt) => Ok(Started {
            created: true,
            quiz,
            attempt,
        }),
        StartOutcome::Resumed(attempt) => Ok(Started {
            created: false,
            quiz,
            attempt,
        }),
        StartOutcome::NotNow(message) => Err(Error::Conflict(message)),
        StartOutcome::NoAttemptsLeft { used } => Err(Error::Conflict(format!("作答次数已用完（已作答 {used} 次）"))),
        StartOutcome::Elsewhere => Err(refused(Refusal::OtherDevice)),
    }
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

/// A graded submit, with what its response may show and the certificates it completed.
pub struct Submitted {
    pub quiz: Quiz,
    pub attempt: AttemptRow,
    pub shown: Shown,
    pub issued: Vec<CertificateRow>,
}

/// Submits the answers for grading; a retry returns the same result. In sequential mode
/// the answers recorded so far are graded, with the current question's answer if sent.
/// A passing grade may complete a certification level: it is issued now.
pub async fn submit(
    ctx: &Ctx<'_>,
    user_id: i64,
    device_hash: String,
    ip: IpAddr,
    id: &str,
    answers: BTreeMap<String, Value>,
) -> Result<Submitted> {
    let caller = Caller { user_id, device_hash };
    let admit = admit(ctx, ip, move |quiz, _| Ok((answers, as_sent(quiz))));
    let outcome = ctx
        .store
        .submit_attempt(id.to_string(), caller, admit, judged_now(ctx), marking(ctx))
        .await??;
    let graded = |a: AttemptRow, issued| {
        let quiz = quiz(ctx, &a.quiz_id)?;
        Ok(Submitted {
            shown: exam::shown(&quiz, Phase::Immediately),
            quiz,
            attempt: a,
            issued,
        })
    };
    match outcome {
        SubmitOutcome::Graded(a, issued) => graded(a, issued),
        // A retried submit gets the same response as the first.
        SubmitOutcome::AlreadySubmitted(a) if a.status == AttemptStatus::Graded => graded(a, Vec::new()),
        SubmitOutcome::Refused(r) => Err(refused(r)),
        SubmitOutcome::Expired { closed: true, .. } => Err(Error::Conflict(
            "测验已关闭：答案已保存但不计分，作答按关闭前自动保存的进度结算 (quiz closed: answers stored, not graded)".into(),
        )),
        SubmitOutcome::Expired { .. } | SubmitOutcome::AlreadySubmitted(_) => Err(Error::Conflict(
            "时间已到：本次作答按自动保存的进度结算，此次提交不计分 (time limit exceeded)".into(),
        )),
        SubmitOutcome::NotFound => Err(Error::NotFound(NO_SUCH_ATTEMPT.into())),
    }
}

/// The rules every write to a learner's attempt applies, inside that write: the quiz
/// is in the live course, the caller's address is allowed, the learner's close comes
/// from their overrides, and `shape` checks and prepares the answers sent.
fn admit<F>(ctx: &Ctx<'_>, ip: IpAddr, shape: F) -> Admit<Error>
where
    F: FnOnce(&Quiz, &AttemptRow) -> Result<(BTreeMap<String, Value>, Prepare)> + Send + 'static,
{
    let cur = ctx.cur.clone();
    Box::new(move |row, own, cohort| {
        let quiz = cur
            .quizzes
            .get(&row.quiz_id)
            .ok_or_else(|| Error::NotFound(format!("没有这个测验：{}", row.quiz_id)))?;
        check_address(quiz, ip)?;
        let (answers, prepare) = shape(quiz, row)?;
        Ok(Admission {
            closes: limits_of(quiz, own, cohort).closes,
            answers,
            prepare,
        })
    })
}

/// Stores answers into the learner's open attempt from this device (autosave and `next`).
async fn write_answers(ctx: &Ctx<'_>, caller: Caller, id: &str, admit: Admit<Error>) -> Result<AttemptRow> {
    match ctx
        .store
        .save_answers(id.to_string(), caller, admit, judged_now(ctx), marking(ctx))
        .await??
    {
        SaveOutcome::Saved(row) => Ok(row),
        SaveOutcome::Ended(_) => Err(Error::Conflict("本次作答已结束，不能再保存 (attempt already ended)".into())),
        SaveOutcome::Refused(r) => Err(refused(r)),
        SaveOutcome::NotFound => Err(Error::NotFound(NO_SUCH_ATTEMPT.into())),
    }
}

/// Autosave: stores the answers so far (replacing the last save); a malformed answer is
/// refused now, not when the deadline grades it. Returns the attempt as saved.
pub async fn save(
    ctx: &Ctx<'_>,
    user_id: i64,
    device_hash: String,
    ip: IpAddr,
    id: &str,
    answers: BTreeMap<String, Value>,
) -> Result<AttemptRow> {
    let admit = admit(ctx, ip, move |quiz, row| {
        quiz::grade(quiz, &row.question_ids, &answers).map_err(Error::Unprocessable)?;
        Ok((answers, as_sent(quiz)))
    });
    write_answers(ctx, Caller { user_id, device_hash }, id, admit).await
}

/// Sequential mode: records the answer to the current question `question` (none: left
/// blank) and returns the quiz and the attempt at its next question.
pub async fn next(
    ctx: &Ctx<'_>,
    user_id: i64,
    device_hash: String,
    ip: IpAddr,
    id: &str,
    question: String,
    answer: Option<Value>,
) -> Result<(Quiz, AttemptRow)> {
    let answer = answer.filter(|v| !v.is_null());
    let admit = admit(ctx, ip, move |quiz, row| {
        if !quiz.exam.sequential {
            return Err(refused(Refusal::NotSequential));
        }
        let sent = BTreeMap::from([(question.clone(), answer.clone().unwrap_or(Value::Null))]);
        quiz::grade(quiz, &row.question_ids, &sent).map_err(Error::Unprocessable)?;
        let step: Prepare = Box::new(move |row: &AttemptRow, _| {
            let (answers, position) = exam::sequential_next(&row.question_ids, row.position, &row.saved(), &question, answer.as_ref())?;
            Ok((answers, Some(position)))
        });
        Ok((BTreeMap::new(), step))
    });
    let row = write_answers(ctx, Caller { user_id, device_hash }, id, admit).await?;
    Ok((quiz(ctx, &row.quiz_id)?, row))
}

/// An attempt as its reader may see it.
pub struct Reviewed {
    pub quiz: Quiz,
    pub attempt: AttemptRow,
    /// What the learner may see in this review phase; `None`: staff see everything.
    pub shown: Option<Shown>,
}

/// The phase a stored result is read in: after the learner's close, or later.
fn read_phase(limits: &Limits, now: i64) -> Phase {
    if limits.closes.is_some_and(|c| now >= c) {
        Phase::AfterClose
    } else {
        Phase::Later
    }
}

/// An attempt's outcome, for its learner or staff (another learner's is "not found").
/// An open attempt whose time is up is shown as it will end; nothing is written.
pub async fn attempt(ctx: &Ctx<'_>, actor: &User, id: &str) -> Result<Reviewed> {
    let not_found = || Error::NotFound(NO_SUCH_ATTEMPT.into());
    let (row, own, cohort) = ctx
        .store
        .attempt_with_overrides(id.to_string())
        .await?
        .filter(|(a, _, _)| a.user_id == actor.id || is_staff(actor))
        .ok_or_else(not_found)?;
    let quiz = quiz(ctx, &row.quiz_id)?;
    let limits = limits_of(&quiz, own.as_ref(), cohort.as_ref());
    let judged = judged_now(ctx);
    let row = as_settled(row, limits.closes, judged, &grader(ctx.cur.clone()));
    let shown = (row.user_id == actor.id && !is_staff(actor)).then(|| exam::shown(&quiz, read_phase(&limits, ctx.clock.now_ms())));
    Ok(Reviewed { quiz, attempt: row, shown })
}

/// The stored grading of an attempt, when it has one that can be read.
pub fn grading(a: &AttemptRow) -> Option<Grading> {
    a.result.as_deref().and_then(|r| serde_json::from_str(r).ok())
}

// ---- Staff: accommodations, devices, similarity ----

fn known_quiz(ctx: &Ctx<'_>, id: &str) -> Result<()> {
    if ctx.cur.quizzes.contains_key(id) {
        Ok(())
    } else {
        Err(Error::NotFound(format!("没有这个测验：{id}")))
    }
}

/// Who an override is for: the API names a learner by id, the exam page by login name.
pub enum Learner {
    Id(i64),
    Login(String),
}

/// An override as staff ask for it, before its rules are checked.
pub struct OverrideRequest {
    pub learner: Option<Learner>,
    pub cohort: Option<String>,
    /// Seconds added to the time limit.
    pub extra_time: u32,
    pub extra_attempts: u32,
    /// Unix ms.
    pub opens: Option<i64>,
    pub closes: Option<i64>,
}

/// The one place an override is checked and saved, for the API and the exam page: it
/// creates or replaces the override for a learner or a cohort at the quiz.
pub async fn save_override(ctx: &Ctx<'_>, actor: &User, quiz_id: &str, req: OverrideRequest) -> Result<OverrideRow> {
    require(actor, OVERRIDE_ROLES)?;
    known_quiz(ctx, quiz_id)?;
    let cohort = req.cohort.map(|c| c.trim().to_string());
    if req.learner.is_some() == cohort.is_some() || cohort.as_deref() == Some("") {
        return Err(Error::Unprocessable(
            "请指定一位学员或一个批次，只选其一 (give exactly one of learner/user_id or cohort)".into(),
        ));
    }
    if let (Some(o), Some(c)) = (req.opens, req.closes)
        && c <= o
    {
        return Err(Error::Unprocessable("关闭时间须晚于开放时间 (closes must be after opens)".into()));
    }
    let user_id = match req.learner {
        Some(Learner::Id(id)) => Some(id),
        Some(Learner::Login(name)) => {
            let name = name.trim().to_string();
            let user = ctx.store.user_by_username(name.clone()).await?;
            Some(
                user.ok_or_else(|| Error::Unprocessable(format!("没有登录名为“{name}”的学员 (no such learner)")))?
                    .id,
            )
        }
        None => None,
    };
    let row = OverrideRow {
        id: 0,
        quiz_id: quiz_id.to_string(),
        user_id,
        cohort,
        extra_time: req.extra_time as i64,
        extra_attempts: req.extra_attempts,
        opens: req.opens,
        closes: req.closes,
    };
    ctx.store
        .put_override(row, actor.id, ctx.clock.now_ms())
        .await?
        .ok_or_else(|| Error::NotFound("没有这个用户 (no such user)".into()))
}

/// The quiz's overrides.
pub async fn overrides(ctx: &Ctx<'_>, actor: &User, quiz_id: &str) -> Result<Vec<OverrideRow>> {
    require(actor, OVERRIDE_ROLES)?;
    known_quiz(ctx, quiz_id)?;
    Ok(ctx.store.overrides(quiz_id.to_string()).await?)
}

/// Removes one override (the API and the exam page).
pub async fn remove_override(ctx: &Ctx<'_>, actor: &User, quiz_id: &str, override_id: i64) -> Result<()> {
    require(actor, OVERRIDE_ROLES)?;
    if ctx.store.delete_override(quiz_id.to_string(), override_id).await? {
        Ok(())
    } else {
        Err(Error::NotFound("没有这条调整 (no such override)".into()))
    }
}

/// Releases an open attempt from its device (the API and the exam page), so the next
/// device that writes to it takes it over; recorded in the audit log. The attempt as it
/// now stands.
pub async fn release(ctx: &Ctx<'_>, actor: &User, attempt_id: &str) -> Result<AttemptRow> {
    require(actor, INTEGRITY_ROLES)?;
    let row = ctx
        .store
        .release_device(attempt_id.to_string(), actor.id, ctx.clock.now_ms())
        .await?
        .ok_or_else(|| Error::NotFound(NO_SUCH_ATTEMPT.into()))?;
    if !row.status.is_open() {
        return Err(Error::Conflict("本次作答已结束，无需释放设备 (attempt already ended)".into()));
    }
    Ok(row)
}

/// The quiz an attempt belongs to (`None`: no such attempt), for staff.
pub async fn attempt_quiz(ctx: &Ctx<'_>, actor: &User, attempt_id: &str) -> Result<Option<String>> {
    require(actor, INTEGRITY_ROLES)?;
    Ok(ctx.store.attempt(attempt_id.to_string()).await?.map(|a| a.quiz_id))
}

/// What the exam page lists besides the quiz's settings.
pub struct ExamAdmin {
    /// Each override with its learner (`None` for a cohort's, or a learner gone).
    pub overrides: Vec<(OverrideRow, Option<User>)>,
    pub cohorts: Vec<String>,
    pub open_attempts: Vec<OpenAttempt>,
}

/// Staff: the quiz's overrides, the cohorts one may name, and its open attempts.
pub async fn exam_admin(ctx: &Ctx<'_>, actor: &User, quiz_id: &str) -> Result<ExamAdmin> {
    require(actor, OVERRIDE_ROLES)?;
    let mut overrides = Vec::new();
    for o in ctx.store.overrides(quiz_id.to_string()).await? {
        let learner = match o.user_id {
            Some(id) => ctx.store.user_by_id(id).await?,
            None => None,
        };
        overrides.push((o, learner));
    }
    Ok(ExamAdmin {
        overrides,
        cohorts: ctx.store.cohort_names().await?,
        open_attempts: ctx.store.open_attempts(quiz_id.to_string()).await?,
    })
}

/// One side of a pair.
#[derive(Serialize, ToSchema)]
pub struct PairSide {
    pub attempt_id: String,
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    /// Unix ms.
    pub submitted_at: i64,
}

#[derive(Serialize, ToSchema)]
pub struct SimilarPair {
    pub first: PairSide,
    pub second: PairSide,
    /// Questions both were asked.
    pub compared: usize,
    /// How many of them both answered wrongly with the same answer.
    pub identical_wrong: usize,
    /// Those questions.
    pub questions: Vec<String>,
    /// Identical wrong answers expected if they worked independently.
    pub expected: f64,
    /// Chance of at least this many under independence.
    pub probability: f64,
    pub flagged: bool,
}

#[derive(Serialize, ToSchema)]
pub struct SimilarityReport {
    pub quiz_id: String,
    /// Graded attempts considered.
    pub attempts: usize,
    pub span_minutes: u32,
    /// Pairs of attempts by different learners in the same sitting.
    pub pairs_compared: usize,
    /// A pair is flagged with at least this many identical wrong answers …
    pub min_identical_wrong: usize,
    /// … and a probability below this (1% divided by the pairs compared).
    pub threshold: f64,
    /// Pairs with at least one identical wrong answer, most improbable first (at most 200).
    pub pairs: Vec<SimilarPair>,
}

const DEFAULT_SPAN_MINUTES: u32 = 60;
const MAX_SPAN_MINUTES: u32 = 7 * 24 * 60;

/// Instructors: pairs of graded attempts from the same sitting with improbably many
/// identical wrong answers (see [`similarity`] for the rule).
pub async fn similarity_report(ctx: &Ctx<'_>, actor: &User, id: &str, span_minutes: Option<u32>) -> Result<SimilarityReport> {
    require(actor, INTEGRITY_ROLES)?;
    similarity_of(ctx, id, span_minutes).await
}

/// The similarity report, for the API and the analysis page (which checks the role itself).
pub async fn similarity_of(ctx: &Ctx<'_>, id: &str, span_minutes: Option<u32>) -> Result<SimilarityReport> {
    let span = span_minutes.unwrap_or(DEFAULT_SPAN_MINUTES);
    if span > MAX_SPAN_MINUTES {
        return Err(Error::BadRequest(format!(
            "span_minutes 最大为 {MAX_SPAN_MINUTES}（一周） (span_minutes must be at most {MAX_SPAN_MINUTES})"
        )));
    }
    let cur = ctx.cur.clone();
    let quiz = cur.quizzes.get(id).ok_or_else(|| Error::NotFound(format!("没有这个测验：{id}")))?;
    let rows = ctx.store.graded_attempts_detail(id.to_string()).await?;
    // Keep only attempts whose stored grading can be read, with their row for the names.
    let (rows, sittings): (Vec<_>, Vec<_>) = rows
        .into_iter()
        .filter_map(|r| {
            let grading: Grading = serde_json::from_str(&r.result).ok()?;
            let sitting = Sitting {
                learner: r.user_id,
                started_at: r.started_at,
                submitted_at: r.submitted_at,
                answers: serde_json::from_str(&r.answers).unwrap_or_default(),
                correct: grading.questions.iter().map(|q| (q.id.clone(), q.correct)).collect(),
            };
            Some((r, sitting))
        })
        .unzip();
    let report = similarity::report(quiz, &sittings, span as i64 * 60_000);
    let side = |i: usize| PairSide {
        attempt_id: rows[i].id.clone(),
        user_id: rows[i].user_id,
        username: rows[i].username.clone(),
        display_name: rows[i].display_name.clone(),
        submitted_at: rows[i].submitted_at,
    };
    Ok(SimilarityReport {
        quiz_id: quiz.id.clone(),
        attempts: sittings.len(),
        span_minutes: span,
        pairs_compared: report.pairs_compared,
        min_identical_wrong: similarity::MIN_IDENTICAL_WRONG,
        threshold: report.threshold,
        pairs: report
            .pairs
            .into_iter()
            .map(|p| SimilarPair {
                first: side(p.first),
                second: side(p.second),
                compared: p.compared,
                identical_wrong: p.identical_wrong.len(),
                questions: p.identical_wrong,
                expected: p.expected,
                probability: p.probability,
                flagged: p.flagged,
            })
            .collect(),
    })
}
