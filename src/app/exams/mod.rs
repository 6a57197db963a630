//! Quizzes and exams. For learners: their standing on a quiz, starting (or resuming) an
//! attempt bound to their device, autosave, sequential mode's step, submitting for
//! grading on the server and reading an attempt. For staff ([`staff`]): accommodations
//! (overrides of a quiz's limits) and releasing an attempt's device; [`similar`]: the
//! answer-similarity report.
//!
//! The rules of limits, review phases, sequential mode and devices are the domain's
//! (`crate::quiz::exam`); here they are applied. Starting, saving and submitting are
//! one write transaction each, and reading writes only when an attempt's time is up.

use super::{Ctx, Error, Result, is_staff};
use crate::course::Curriculum;
use crate::quiz::exam::{self, AttemptStatus, DeviceCheck, Limits, Phase, Refusal};
use crate::quiz::{self, Grading, Quiz, Shown};
use crate::store::{
    Admission, Admit, AttemptRow, Caller, CertificateRow, Graded, Grader, Marking, OverrideRow, Prepare, QuizSummaryRow, Role, SaveOutcome,
    SeenScope, StartOutcome, StartPlan, StartTerms, SubmitOutcome, User, as_settled,
};
use serde_json::Value;
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;

pub mod similar;
pub mod staff;

pub use similar::*;
pub use staff::*;

/// Grace after the deadline for the time a submit spends on the network.
const DEADLINE_GRACE_MS: i64 = 3_000;

fn no_such_attempt() -> Error {
    Error::NotFound(crate::msg!("exam-attempt-not-found"))
}

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
            .ok_or_else(|| crate::msg!("quiz-not-found", quiz = &row.quiz_id))?;
        let g = quiz::grade(quiz, &row.question_ids, row.seed, answers)?;
        let result = serde_json::to_string(&g).map_err(|_| crate::msg!("internal-error"))?;
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
        .ok_or_else(|| Error::NotFound(crate::msg!("quiz-not-found", quiz = id)))
}

fn refused(r: Refusal) -> Error {
    Error::Conflict(r.msg())
}

/// A bank's `allow` ranges, checked on everything a learner does with an attempt.
fn check_address(quiz: &Quiz, ip: IpAddr) -> Result<()> {
    let ip = ip.to_canonical();
    if quiz.exam.allow.is_empty() || quiz.exam.allow.iter().any(|net| net.contains(&ip)) {
        Ok(())
    } else {
        Err(Error::Refused(crate::msg!("quiz-address-refused", address = ip)))
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
    /// Attempts counted against the limit: those of the learner's current certification
    /// cycle (every attempt when no certificate names the quiz).
    pub counted: u32,
    /// The open attempt is bound to another device.
    pub open_elsewhere: bool,
}

/// The learner's standing on a quiz: one read, no write. An open attempt whose time is
/// up is shown as it will end (the next write or the settle sweep stores that).
pub async fn standing(ctx: &Ctx<'_>, user_id: i64, device_hash: &str, id: &str) -> Result<Standing> {
    let quiz = quiz(ctx, id)?;
    let mut s = ctx
        .store
        .quiz_standing(user_id, quiz.id.clone(), cycle_levels(ctx, &quiz.id))
        .await?;
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
    let open_elsewhere =
        quiz.exam.one_device && open.is_some_and(|a| exam::device_check(a.device_hash.as_deref(), device_hash) == DeviceCheck::Elsewhere);
    Ok(Standing {
        quiz,
        limits,
        summary,
        counted: s.counted,
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
        cycle_levels: cycle_levels(ctx, &quiz.id),
        seen: match &quiz.draw {
            None => SeenScope::None,
            Some(d) if d.cells.iter().any(|c| !c.banks.is_empty()) => SeenScope::Pooled,
            Some(_) => SeenScope::Quiz,
        },
        terms: Box::new(move |own, cohort| {
            let limits = exam::limits(&for_terms, own.as_ref(), cohort.as_ref());
            if let Some(opens) = limits.opens.filter(|o| now < *o) {
                return Err(crate::msg!("quiz-not-open-yet", opens = show_time(opens)));
            }
            if let Some(closes) = limits.closes.filter(|c| now >= *c) {
                return Err(crate::msg!("quiz-closed", closes = show_time(closes)));
            }
            Ok(StartTerms {
                closes: limits.closes,
                attempts: limits.attempts,
                deadline_at: limits.time_limit_ms.map(|ms| now + ms),
                one_device: for_terms.exam.one_device,
                retake_after: for_terms.exam.retake_after,
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
        StartOutcome::NotNow(why) => Err(Error::Conflict(why)),
        StartOutcome::NoAttemptsLeft { used } => Err(Error::Conflict(crate::msg!("quiz-no-attempts-left", used = used))),
        StartOutcome::Elsewhere => Err(refused(Refusal::OtherDevice)),
        StartOutcome::RetakeNotYet { opens } => {
            // Minutes rounded up: at the time shown the retake is open.
            let at = show_time(opens + 59_999);
            Err(Error::Conflict(crate::msg!("quiz-retake-not-yet", at = at)))
        }
    }
}

/// The levels of the course's track whose requirements or renewal name the quiz: a
/// certificate at one starts a new cycle of attempts (a renewal sitting is not blocked
/// by the attempts used to earn it).
fn cycle_levels(ctx: &Ctx<'_>, quiz_id: &str) -> Vec<String> {
    let Some(track) = &ctx.cur.track else { return Vec::new() };
    track
        .levels
        .iter()
        .filter(|l| {
            l.requirements
                .iter()
                .chain(&l.renewal)
                .any(|r| matches!(r, crate::certify::Requirement::Quiz { id, .. } if id == quiz_id))
        })
        .map(|l| l.id.clone())
        .collect()
}

/// Gives up the learner's open attempt at a practice quiz, so a new one can start (an
/// exam's attempts cannot be given up: they run to their submit or their time).
pub async fn abandon(ctx: &Ctx<'_>, user_id: i64, id: &str) -> Result<AttemptRow> {
    let not_found = no_such_attempt;
    let row = ctx
        .store
        .attempt(id.to_string())
        .await?
        .filter(|a| a.user_id == user_id)
        .ok_or_else(not_found)?;
    let quiz = quiz(ctx, &row.quiz_id)?;
    match row.status.on_abandon(quiz.mode) {
        Some(_) => ctx
            .store
            .abandon_attempt(row.id, user_id, ctx.clock.now_ms())
            .await?
            .ok_or_else(not_found),
        None if row.status.is_open() => Err(Error::Conflict(crate::msg!("exam-attempt-cannot-abandon"))),
        None => Err(Error::Conflict(crate::msg!("exam-attempt-ended"))),
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
        SubmitOutcome::Expired { closed: true, .. } => Err(Error::Conflict(crate::msg!("exam-attempt-closed-not-graded"))),
        SubmitOutcome::Expired { .. } | SubmitOutcome::AlreadySubmitted(_) => Err(Error::Conflict(crate::msg!("exam-attempt-time-up"))),
        SubmitOutcome::NotFound => Err(no_such_attempt()),
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
            .ok_or_else(|| Error::NotFound(crate::msg!("quiz-not-found", quiz = &row.quiz_id)))?;
        check_address(quiz, ip)?;
        let (answers, prepare) = shape(quiz, row)?;
        Ok(Admission {
            closes: limits_of(quiz, own, cohort).closes,
            answers,
            prepare,
            one_device: quiz.exam.one_device,
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
        SaveOutcome::Ended(_) => Err(Error::Conflict(crate::msg!("exam-attempt-ended-cannot-save"))),
        SaveOutcome::Refused(r) => Err(refused(r)),
        SaveOutcome::NotFound => Err(no_such_attempt()),
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
        quiz::grade(quiz, &row.question_ids, row.seed, &answers).map_err(Error::Unprocessable)?;
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
        quiz::grade(quiz, &row.question_ids, row.seed, &sent).map_err(Error::Unprocessable)?;
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

/// What the quiz's review shows the learner at `now`, by their own close (overrides included).
pub fn shown_now(quiz: &Quiz, own: Option<&OverrideRow>, cohort: Option<&OverrideRow>, now: i64) -> Shown {
    exam::shown(quiz, read_phase(&limits_of(quiz, own, cohort), now))
}

/// An attempt's outcome, for its learner or staff (another learner's is "not found").
/// An open attempt whose time is up is shown as it will end; nothing is written.
pub async fn attempt(ctx: &Ctx<'_>, actor: &User, id: &str) -> Result<Reviewed> {
    let not_found = no_such_attempt;
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
    let shown = (row.user_id == actor.id && !is_staff(actor)).then(|| shown_now(&quiz, own.as_ref(), cohort.as_ref(), ctx.clock.now_ms()));
    Ok(Reviewed { quiz, attempt: row, shown })
}

/// The stored grading of an attempt, when it has one that can be read.
pub fn grading(a: &AttemptRow) -> Option<Grading> {
    a.result.as_deref().and_then(|r| serde_json::from_str(r).ok())
}

// ---- Staff: accommodations, devices, similarity ----
