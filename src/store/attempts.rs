//! Quiz attempts. Starting and submitting are single transactions on the writer,
//! so the attempt limit holds under concurrency and a retried submit is recorded once.

use super::certs::{CertificateRow, Certifier};
use super::db::{Conn, Optional, Row, params};
use super::overrides::{OverrideRow, join_overrides, joined_at, overrides_of};
use super::{Store, StoreError};
use crate::quiz::exam::{Adjustment, AttemptStatus, DeviceCheck, Refusal, device_check};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

/// A stored attempt.
#[derive(Clone, Debug)]
pub struct AttemptRow {
    pub id: String,
    pub user_id: i64,
    pub quiz_id: String,
    pub seed: u64,
    pub question_ids: Vec<String>,
    pub started_at: i64,
    pub deadline_at: Option<i64>,
    /// Stored as its name in the TEXT column `status`.
    pub status: AttemptStatus,
    pub submitted_at: Option<i64>,
    /// The grading as JSON (graded attempts only).
    pub result: Option<String>,
    pub percent: Option<f64>,
    pub passed: bool,
    /// Progress saved while the attempt is open (JSON answers).
    pub saved_answers: Option<String>,
    /// Answers that arrived after the attempt ended: kept, never graded.
    pub late_answers: Option<String>,
    /// Sequential mode: index of the current question.
    pub position: usize,
    /// SHA-256 of the device token the attempt is bound to.
    pub device_hash: Option<String>,
    /// The answers graded (JSON), once the attempt has ended.
    pub answers: Option<String>,
}

/// The columns [`row_attempt`] reads, in its order.
macro_rules! attempt_cols {
    () => {
        "id, user_id, quiz_id, seed, question_ids, started_at, deadline_at, status, submitted_at, result, percent, passed,
         saved_answers, late_answers, position, device_hash, answers"
    };
}

const GET_ATTEMPT: &str = concat!("SELECT ", attempt_cols!(), " FROM attempts WHERE id = ?1");

/// A grading of some answers: (score, max, percent, passed, result JSON), or a message.
pub type Grader = Box<dyn Fn(&AttemptRow, &BTreeMap<String, Value>) -> Result<Graded, crate::i18n::Msg> + Send>;

/// How an attempt that ends is marked: graded, then the certification rule run in
/// the same transaction (`None`: a course without a track).
pub struct Marking {
    pub grade: Grader,
    pub certify: Option<Certifier>,
}

impl Marking {
    fn parts(&self) -> (&Grader, Option<&Certifier>) {
        (&self.grade, self.certify.as_ref())
    }
}

pub struct Graded {
    pub score: f64,
    pub max_score: f64,
    pub percent: f64,
    pub passed: bool,
    pub result: String,
}

impl AttemptRow {
    /// When the attempt ends: its time limit or the quiz's close (`closes`), whichever is first.
    pub fn end(&self, closes: Option<i64>) -> Option<i64> {
        match (self.deadline_at, closes) {
            (Some(d), Some(c)) => Some(d.min(c)),
            (d, c) => d.or(c),
        }
    }

    /// The answers its grading judged: those submitted, else (graded from the autosave,
    /// or not stored yet) the last save.
    pub fn graded_answers(&self) -> BTreeMap<String, Value> {
        self.answers
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_else(|| self.saved())
    }

    pub fn saved(&self) -> BTreeMap<String, Value> {
        self.saved_answers
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default()
    }
}

/// An attempt's status from its TEXT column.
fn status_col(r: &Row, i: usize) -> super::db::Result<AttemptStatus> {
    let s: String = r.get(i)?;
    AttemptStatus::parse(&s).ok_or_else(|| super::db::Error::Conversion(format!("column {i}: unknown attempt status `{s}`")))
}

fn row_attempt(r: &Row) -> super::db::Result<AttemptRow> {
    let ids: String = r.get(4)?;
    Ok(AttemptRow {
        id: r.get(0)?,
        user_id: r.get(1)?,
        quiz_id: r.get(2)?,
        seed: r.get::<_, i64>(3)? as u64,
        question_ids: serde_json::from_str(&ids).unwrap_or_default(),
        started_at: r.get(5)?,
        deadline_at: r.get(6)?,
        status: status_col(r, 7)?,
        submitted_at: r.get(8)?,
        result: r.get(9)?,
        percent: r.get(10)?,
        passed: r.get::<_, Option<bool>>(11)?.unwrap_or(false),
        saved_answers: r.get(12)?,
        late_answers: r.get(13)?,
        position: r.get::<_, i64>(14)? as usize,
        device_hash: r.get(15)?,
        answers: r.get(16)?,
    })
}

/// Which showings of questions a draw reads (see [`StartPlan::seen`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeenScope {
    None,
    Quiz,
    Pooled,
}

/// What starting an attempt decides inside its one write transaction.
pub struct StartPlan {
    pub user_id: i64,
    pub quiz_id: String,
    pub now: i64,
    /// "Now" for settling an open attempt whose time is up (a little behind `now`).
    pub judged_now: i64,
    /// The id, seed and device of a new attempt, if one is started.
    pub id: String,
    pub seed: u64,
    /// SHA-256 of the starting device's token: the attempt is bound to it when its terms
    /// say `one_device`.
    pub device_hash: String,
    /// The certification levels whose certificate starts a new cycle of attempts at this
    /// quiz (those that name it): attempts before the learner's latest issue or renewal
    /// of one of them do not count against the limit.
    pub cycle_levels: Vec<String>,
    /// How the draw reads the learner's showings: not at all (the quiz shows every
    /// question), this quiz's, or those of the banks it draws from too.
    pub seen: SeenScope,
    /// The terms from the learner's own and their cohort's override, or why no attempt
    /// may start now (the message is the caller's).
    pub terms: Terms,
    /// The questions of a new attempt, given how often the learner was shown each.
    pub draw: Draw,
    pub marking: Marking,
}

/// Decides a start's terms from the learner's own and cohort adjustment, or refuses it.
pub type Terms = Box<dyn FnOnce(Option<Adjustment>, Option<Adjustment>) -> Result<StartTerms, crate::i18n::Msg> + Send>;

/// Draws a new attempt's questions, given how often the learner was shown each.
pub type Draw = Box<dyn FnOnce(&HashMap<String, u32>) -> Vec<String> + Send>;

/// What applies to a start, as the rules decided it.
pub struct StartTerms {
    /// The quiz's close for this learner (settling an open attempt).
    pub closes: Option<i64>,
    /// The attempt limit, 0 = none.
    pub attempts: u32,
    /// A new attempt's deadline.
    pub deadline_at: Option<i64>,
    /// The attempt stays on the device that started it.
    pub one_device: bool,
    /// The wait after an attempt ends before the next may start (ms).
    pub retake_after: Option<i64>,
}

pub enum StartOutcome {
    /// An attempt still open (within its time) is resumed, not duplicated.
    Resumed(AttemptRow),
    Started(AttemptRow),
    NoAttemptsLeft {
        used: u32,
    },
    /// The open attempt is bound to another device.
    Elsewhere,
    /// Outside the quiz's window (why, as the terms said it); nothing changed.
    NotNow(crate::i18n::Msg),
    /// The exam's wait after the last sitting runs until `opens` (unix ms).
    RetakeNotYet {
        opens: i64,
    },
}

/// Who writes to an attempt: its learner, from a device (the SHA-256 of its token).
pub struct Caller {
    pub user_id: i64,
    pub device_hash: String,
}

/// Turns the answers a learner sent into what the open attempt stores, given the attempt
/// as it stands: (answers, new position). This is where sequential mode's rules run, inside
/// the write transaction, so two requests cannot both move from the same position.
pub type Prepare =
    Box<dyn FnOnce(&AttemptRow, BTreeMap<String, Value>) -> Result<(BTreeMap<String, Value>, Option<usize>), Refusal> + Send>;

/// The caller's rules for an attempt a write has just read, with the learner's own and
/// cohort's overrides at its quiz: the learner's close and how the answers sent are
/// stored, or the caller's refusal `E`, handed back as is with nothing written. The
/// rules run inside the write, so a submit or an autosave is one trip to the writer.
pub type Admit<E> = Box<dyn FnOnce(&AttemptRow, Option<&OverrideRow>, Option<&OverrideRow>) -> Result<Admission, E> + Send>;

/// What [`Admit`] allows.
pub struct Admission {
    /// The quiz's close for this learner.
    pub closes: Option<i64>,
    /// The answers as sent.
    pub answers: BTreeMap<String, Value>,
    /// How they become what the attempt stores.
    pub prepare: Prepare,
    /// Writes come only from the device the attempt is bound to.
    pub one_device: bool,
}

/// Grading refused the answers (the message is the caller's).
#[derive(Debug)]
pub struct GradeFailure(pub crate::i18n::Msg);

pub enum SubmitOutcome {
    /// Graded now, with the certificates that completed.
    Graded(AttemptRow, Vec<CertificateRow>),
    /// Submitted before: the stored outcome, unchanged.
    AlreadySubmitted(AttemptRow),
    /// Past its end: the answers are kept ungraded and the attempt was finalised from its
    /// autosave; `closed` when the end was the quiz's close, not the time limit.
    Expired {
        row: AttemptRow,
        closed: bool,
    },
    /// Another device, or sequential mode refused the answers; nothing changed.
    Refused(Refusal),
    NotFound,
}

pub enum SaveOutcome {
    Saved(AttemptRow),
    /// The attempt had ended (possibly just now, finalised from its last save).
    Ended(AttemptRow),
    Refused(Refusal),
    NotFound,
}

/// A graded attempt with its learner (answers and grading as stored JSON).
#[derive(Clone, Debug)]
pub struct GradedAttempt {
    pub id: String,
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub started_at: i64,
    pub submitted_at: i64,
    pub answers: String,
    pub result: String,
}

/// An open attempt with its learner, for the exam page.
#[derive(Clone, Debug)]
pub struct OpenAttempt {
    pub id: String,
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub started_at: i64,
    pub deadline_at: Option<i64>,
    /// Bound to a device; a released attempt is not, until its next write.
    pub device_bound: bool,
}

/// Per-quiz figures for one learner.
#[derive(Clone, Debug, Default)]
pub struct QuizSummaryRow {
    pub quiz_id: String,
    pub attempts: u32,
    pub best_percent: Option<f64>,
    pub passed: bool,
    pub open_attempt: Option<String>,
}

fn get(conn: &Conn, id: &str) -> super::db::Result<Option<AttemptRow>> {
    conn.prepare_cached(GET_ATTEMPT)?.query_row([id], row_attempt).optional()
}

/// Columns [`row_attempt`] reads.
const ATTEMPT_COLUMNS: usize = 17;

/// An attempt as a write to it starts: the row, its learner's own and cohort override at
/// its quiz, and what recording a grade needs of the learner, in one read.
struct Written {
    row: AttemptRow,
    own: Option<OverrideRow>,
    cohort: Option<OverrideRow>,
    standing: super::hr::Standing,
}

fn get_with_overrides(conn: &Conn, id: &str) -> super::db::Result<Option<Written>> {
    // Built once: every submit and autosave runs it.
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "SELECT a.*, o.*, k.*, {} FROM ({GET_ATTEMPT}) a JOIN users u ON u.id = a.user_id {}",
            super::hr::standing_cols("'quiz'", "a.quiz_id"),
            join_overrides("a.quiz_id")
        )
    });
    conn.prepare_cached(&SQL)?
        .query_row([id], |r| {
            Ok(Written {
                row: row_attempt(r)?,
                own: joined_at(r, ATTEMPT_COLUMNS)?,
                cohort: joined_at(r, ATTEMPT_COLUMNS + 8)?,
                standing: super::hr::Standing::read(r, ATTEMPT_COLUMNS + 16)?,
            })
        })
        .optional()
}

/// The learner's open attempt at the quiz, if any, with their own and cohort override
/// there, in one read (what starting an attempt decides from).
fn open_with_overrides(
    conn: &Conn,
    user_id: i64,
    quiz_id: &str,
) -> super::db::Result<(Option<AttemptRow>, Option<OverrideRow>, Option<OverrideRow>)> {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "SELECT a.*, o.*, k.* FROM users u
         LEFT JOIN ({}) a ON a.user_id = u.id {} WHERE u.id = ?1",
            concat!(
                "SELECT ",
                attempt_cols!(),
                " FROM attempts WHERE user_id = ?1 AND quiz_id = ?2 AND status = 'open'"
            ),
            join_overrides("?2")
        )
    });
    let found = conn
        .prepare_cached(&SQL)?
        .query_row(params![user_id, quiz_id], |r| {
            let open = match r.get::<_, Option<String>>(0)? {
                Some(_) => Some(row_attempt(r)?),
                None => None,
            };
            Ok((open, joined_at(r, ATTEMPT_COLUMNS)?, joined_at(r, ATTEMPT_COLUMNS + 8)?))
        })
        .optional()?;
    Ok(found.unwrap_or_default())
}

fn get_ok(conn: &Conn, id: &str) -> super::db::Result<AttemptRow> {
    get(conn, id)?.ok_or(super::db::Error::NoRows)
}

/// An open attempt whose time ran out at `end`, as it ends: graded from its autosave
/// when there is one, else kept ungraded — `late` when answers came after the quiz
/// closed, else `expired`. `late` answers (a submit that came too late) are kept either
/// way. Pure: [`finalise`] stores it, reads show it without writing.
fn ended(row: &AttemptRow, (end, closed): (i64, bool), late: Option<&str>, grade: &Grader) -> (AttemptRow, Option<Graded>) {
    let saved = row.saved();
    let graded = if saved.is_empty() { None } else { grade(row, &saved).ok() };
    let mut out = row.clone();
    out.status = row
        .status
        .on_time_up(graded.is_some(), closed, late.is_some())
        .unwrap_or(row.status);
    out.submitted_at = Some(end);
    out.late_answers = late.map(str::to_string);
    out.percent = Some(graded.as_ref().map_or(0.0, |g| g.percent));
    out.passed = graded.as_ref().is_some_and(|g| g.passed);
    out.result = graded.as_ref().map(|g| g.result.clone());
    (out, graded)
}

/// `row` as it stands at `now`: an open attempt past its end (its time limit or the
/// quiz's `closes`) shown as it will end. Nothing is written; the next write to the
/// learner's attempts, or the server's settle sweep, stores it.
pub fn as_settled(row: AttemptRow, closes: Option<i64>, now: i64, grade: &Grader) -> AttemptRow {
    match row.end(closes) {
        Some(end) if row.status.is_open() && now > end => ended(&row, (end, closes.is_some_and(|c| end >= c)), None, grade).0,
        _ => row,
    }
}

/// Ends an open attempt whose time is up (see [`ended`]); a graded end runs the
/// certification rule in the same transaction.
fn finalise(
    tx: &Conn,
    row: &AttemptRow,
    end: (i64, bool),
    late: Option<&str>,
    (grade, certify): (&Grader, Option<&Certifier>),
) -> Result<AttemptRow, StoreError> {
    let (out, graded) = ended(row, end, late, grade);
    let (score, max_score) = graded.as_ref().map_or((0.0, None), |g| (g.score, Some(g.max_score)));
    tx.prepare_cached(
        "UPDATE attempts SET status = ?2, submitted_at = ?3, answers = CASE WHEN ?9 THEN saved_answers ELSE COALESCE(?4, saved_answers) END,
             late_answers = ?4, score = ?5, max_score = COALESCE(?6, max_score), percent = ?7, passed = ?8, result = ?10
         WHERE id = ?1 AND status = 'open'",
    )?
    .execute(params![
        row.id,
        out.status.as_str(),
        out.submitted_at,
        late,
        score,
        max_score,
        out.percent,
        out.passed,
        graded.is_some(),
        out.result
    ])?;
    if let Some(g) = &graded {
        super::hr::record_result(tx, row.user_id, "quiz", &row.quiz_id, g.percent, end.0)?;
        if let Some(c) = certify.filter(|c| c.reads_quiz(&row.quiz_id)) {
            super::certs::certify_in(tx, row.user_id, c, end.0)?;
        }
    }
    Ok(get_ok(tx, &row.id)?)
}

/// Whether `device` may write to the open attempt `row`; an unbound (released) attempt is bound to it.
fn claim_device(tx: &Conn, row: &AttemptRow, device: &str) -> super::db::Result<bool> {
    match device_check(row.device_hash.as_deref(), device) {
        DeviceCheck::Same => Ok(true),
        DeviceCheck::Bind => {
            tx.prepare_cached("UPDATE attempts SET device_hash = ?2 WHERE id = ?1")?
                .execute(params![row.id, device])?;
            Ok(true)
        }
        DeviceCheck::Elsewhere => Ok(false),
    }
}

/// Attempts at the quiz counted against its limit: since the learner's latest issue or
/// renewal of a certificate at one of `cycle_levels` (started after it: the attempt that
/// earned it belongs to the cycle before; every attempt when none). Reads
/// one row from the tallies when no certificate starts a cycle.
fn attempts_in_cycle(tx: &Conn, user_id: i64, quiz_id: &str, cycle_levels: &[String]) -> super::db::Result<i64> {
    let since: Option<i64> = if cycle_levels.is_empty() {
        None
    } else {
        tx.prepare_cached(&format!(
            "SELECT MAX(COALESCE(renewed_at, issued_at)) FROM certificates
             WHERE user_id = ?1 AND level_id IN ({}) AND revoked_at IS NULL",
            tx.json_texts(2)
        ))?
        .query_row(params![user_id, serde_json::to_string(cycle_levels).unwrap_or_default()], |r| {
            r.get(0)
        })?
    };
    match since {
        Some(since) => tx
            .prepare_cached("SELECT COUNT(*) FROM attempts WHERE user_id = ?1 AND quiz_id = ?2 AND started_at > ?3")?
            .query_row(params![user_id, quiz_id, since], |r| r.get(0)),
        None => Ok(tx
            .prepare_cached("SELECT attempts FROM quiz_tallies WHERE user_id = ?1 AND quiz_id = ?2")?
            .query_row(params![user_id, quiz_id], |r| r.get(0))
            .optional()?
            .unwrap_or(0)),
    }
}

/// Finalises `row` if it is open and past its end at `now`; returns it as it now stands.
fn settle(
    tx: &Conn,
    row: AttemptRow,
    closes: Option<i64>,
    now: i64,
    marking: (&Grader, Option<&Certifier>),
) -> Result<AttemptRow, StoreError> {
    match row.end(closes) {
        Some(end) if row.status.is_open() && now > end => finalise(tx, &row, (end, closes.is_some_and(|c| end >= c)), None, marking),
        _ => Ok(row),
    }
}

/// Closes attempts whose time ran out without a submit.
fn expire_overdue(conn: &Conn, user_id: i64, quiz_id: &str, now: i64) -> super::db::Result<()> {
    conn.prepare_cached(
        "UPDATE attempts SET status = 'expired', score = 0, percent = 0, passed = 0
         WHERE user_id = ?1 AND quiz_id = ?2 AND status = 'open' AND deadline_at IS NOT NULL AND deadline_at < ?3",
    )?
    .execute(params![user_id, quiz_id, now])?;
    Ok(())
}

fn summary(conn: &Conn, user_id: i64, quiz_id: &str) -> super::db::Result<QuizSummaryRow> {
    let (attempts, best_percent, passed) = conn
        .prepare_cached("SELECT attempts, best, passed FROM quiz_tallies WHERE user_id = ?1 AND quiz_id = ?2")?
        .query_row(params![user_id, quiz_id], |r| {
            Ok((r.get::<_, i64>(0)? as u32, r.get(1)?, r.get(2)?))
        })
        .optional()?
        .unwrap_or((0, None, false));
    let open_attempt = conn
        .prepare_cached("SELECT id FROM attempts WHERE user_id = ?1 AND quiz_id = ?2 AND status = 'open'")?
        .query_row(params![user_id, quiz_id], |r| r.get(0))
        .optional()?;
    Ok(QuizSummaryRow {
        quiz_id: quiz_id.to_string(),
        attempts,
        best_percent,
        passed,
        open_attempt,
    })
}

/// The learner's open attempt at the quiz (at most one: a unique index holds it).
fn open_of(conn: &Conn, user_id: i64, quiz_id: &str) -> super::db::Result<Option<AttemptRow>> {
    conn.prepare_cached(concat!(
        "SELECT ",
        attempt_cols!(),
        " FROM attempts WHERE user_id = ?1 AND quiz_id = ?2 AND status = 'open'"
    ))?
    .query_row(params![user_id, quiz_id], row_attempt)
    .optional()
}

/// The statement that counts one more showing of `n` questions: the learner and quiz are
/// parameters `?2` and `?3` (as in the attempt's insert), the question ids `?10` on.
fn count_seen_sql(n: usize) -> String {
    let rows: Vec<String> = (0..n).map(|i| format!("(?2, ?3, ?{}, 1)", i + 10)).collect();
    format!(
        "INSERT INTO question_seen (user_id, quiz_id, question_id, seen) VALUES {}
         ON CONFLICT (user_id, quiz_id, question_id) DO UPDATE SET seen = question_seen.seen + 1",
        rows.join(", ")
    )
}

const INSERT_ATTEMPT: &str = concat!(
    "INSERT INTO attempts (id, user_id, quiz_id, seed, question_ids, started_at, deadline_at, status, device_hash)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING ",
    attempt_cols!()
);

/// Inserts a new attempt (`values`: its nine columns) and counts one more showing of each
/// of its questions. PostgreSQL does both in one statement (a data-modifying WITH): a
/// round trip fewer on the busiest write; SQLite, in process, runs the two in turn.
fn insert_attempt(tx: &Conn, mut values: Vec<super::db::Value>, question_ids: &[String]) -> super::db::Result<AttemptRow> {
    let seen = (!question_ids.is_empty()).then(|| count_seen_sql(question_ids.len()));
    let attempt_values = values.len();
    values.extend(question_ids.iter().map(|q| super::db::Value::Text(q.clone())));
    match seen {
        Some(seen) if tx.is_pg() => tx
            .prepare_cached(&format!("WITH seen AS ({seen}) {INSERT_ATTEMPT}"))?
            .query_row(values, row_attempt),
        Some(seen) => {
            let row = tx
                .prepare_cached(INSERT_ATTEMPT)?
                .query_row(values[..attempt_values].to_vec(), row_attempt)?;
            // SQLite numbers parameters by position: the showings statement gets ?1–?9 too.
            tx.prepare_cached(&seen)?.execute(values)?;
            Ok(row)
        }
        None => tx.prepare_cached(INSERT_ATTEMPT)?.query_row(values, row_attempt),
    }
}

/// How often the learner was shown each question of the quiz. With `Pooled` (the quiz
/// draws from other banks), showings in those banks count too, under `bank/question`,
/// the id the pooled copy has: a question met in practice is not "unseen" in the exam.
fn seen_counts(conn: &Conn, user_id: i64, quiz_id: &str, scope: SeenScope) -> super::db::Result<HashMap<String, u32>> {
    if scope == SeenScope::None {
        return Ok(HashMap::new());
    }
    if scope == SeenScope::Quiz {
        return conn
            .prepare_cached("SELECT question_id, seen FROM question_seen WHERE user_id = ?1 AND quiz_id = ?2")?
            .query_map(params![user_id, quiz_id], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u32)))?
            .collect();
    }
    let mut out: HashMap<String, u32> = HashMap::new();
    let mut q = conn.prepare_cached("SELECT quiz_id, question_id, seen FROM question_seen WHERE user_id = ?1")?;
    let rows = q.query_map(params![user_id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?))
    })?;
    for row in rows {
        let (bank, question, seen) = row?;
        let id = if bank == quiz_id { question } else { format!("{bank}/{question}") };
        *out.entry(id).or_default() += seen as u32;
    }
    Ok(out)
}

/// An attempt with its learner's own and cohort's override at its quiz.
pub type AttemptWithOverrides = (AttemptRow, Option<OverrideRow>, Option<OverrideRow>);

/// A learner at one quiz: figures, overrides and the open attempt.
pub struct QuizStanding {
    pub summary: QuizSummaryRow,
    /// Attempts counted against the limit: those of the current certification cycle.
    pub counted: u32,
    pub own: Option<OverrideRow>,
    pub cohort: Option<OverrideRow>,
    pub open: Option<AttemptRow>,
}

impl Store {
    /// Starts an attempt in one write transaction: decides the terms from the learner's
    /// overrides, settles their open attempt if its time is up, resumes it if it is still
    /// open (from its device), else checks the limit (`0` = none), draws the questions by
    /// how often the learner has seen each and inserts the attempt.
    pub async fn start_attempt(&self, plan: StartPlan) -> Result<StartOutcome, StoreError> {
        self.write_learner(plan.user_id, move |tx| {
            let StartPlan {
                user_id,
                quiz_id,
                now,
                judged_now,
                id,
                seed,
                device_hash,
                cycle_levels,
                seen,
                terms,
                draw,
                marking,
            } = plan;
            let (open, own, cohort) = open_with_overrides(tx, user_id, &quiz_id)?;
            let terms = match terms(own.map(|o| o.adjustment()), cohort.map(|o| o.adjustment())) {
                Ok(t) => t,
                Err(message) => return Ok(StartOutcome::NotNow(message)),
            };
            if let Some(row) = open {
                let row = settle(tx, row, terms.closes, judged_now, marking.parts())?;
                // Past its deadline but inside the grace: it ends, ungraded.
                let overdue = row.status.is_open() && row.deadline_at.is_some_and(|d| d < now);
                if overdue {
                    expire_overdue(tx, user_id, &quiz_id, now)?;
                } else if row.status.is_open() {
                    if terms.one_device && !claim_device(tx, &row, &device_hash)? {
                        return Ok(StartOutcome::Elsewhere);
                    }
                    return Ok(StartOutcome::Resumed(get_ok(tx, &row.id)?));
                }
            }
            if let Some(wait) = terms.retake_after {
                let last: Option<i64> = tx
                    .prepare_cached(
                        "SELECT MAX(COALESCE(submitted_at, started_at)) FROM attempts
                         WHERE user_id = ?1 AND quiz_id = ?2 AND status != 'open'",
                    )?
                    .query_row(params![user_id, quiz_id], |r| r.get(0))?;
                if let Some(opens) = last.map(|l| l + wait).filter(|o| *o > now) {
                    return Ok(StartOutcome::RetakeNotYet { opens });
                }
            }
            if terms.attempts > 0 {
                let used = attempts_in_cycle(tx, user_id, &quiz_id, &cycle_levels)?;
                if used >= terms.attempts as i64 {
                    return Ok(StartOutcome::NoAttemptsLeft { used: used as u32 });
                }
            }
            let question_ids = draw(&seen_counts(tx, user_id, &quiz_id, seen)?);
            let device_hash = terms.one_device.then_some(device_hash);
            use super::db::ToParam;
            let values = [
                id.to_value(),
                user_id.to_value(),
                quiz_id.to_value(),
                (seed as i64).to_value(),
                serde_json::to_string(&question_ids).unwrap_or_default().to_value(),
                now.to_value(),
                terms.deadline_at.to_value(),
                AttemptStatus::Open.as_str().to_value(),
                device_hash.to_value(),
            ];
            // The attempt is the start's last write: it commits in the same round trip.
            tx.commit_with_next();
            let started = insert_attempt(tx, values.to_vec(), &question_ids)?;
            Ok(StartOutcome::Started(started))
        })
        .await
    }

    /// Submits the learner's answers once, from the device the attempt is bound to. An
    /// attempt past its end (time limit or the quiz's `closes`, judged at `now`) keeps
    /// these answers ungraded and is finalised from its autosave instead. `prepare` turns
    /// the answers into those graded (sequential mode: the recorded ones plus the current).
    pub async fn submit_attempt<E>(
        &self,
        attempt_id: String,
        caller: Caller,
        admit: Admit<E>,
        now: i64,
        marking: Marking,
    ) -> Result<Result<SubmitOutcome, E>, StoreError>
    where
        E: From<GradeFailure> + Send + 'static,
    {
        self.write_learner(caller.user_id, move |tx| {
            let Some(Written { row, own, cohort, standing }) = get_with_overrides(tx, &attempt_id)?.filter(|w| w.row.user_id == caller.user_id)
            else {
                return Ok(Ok(SubmitOutcome::NotFound));
            };
            let Admission {
                closes,
                answers,
                prepare,
                one_device,
            } = match admit(&row, own.as_ref(), cohort.as_ref()) {
                Ok(a) => a,
                Err(e) => return Ok(Err(e)),
            };
            if !row.status.is_open() {
                return Ok(Ok(SubmitOutcome::AlreadySubmitted(row)));
            }
            if one_device && !claim_device(tx, &row, &caller.device_hash)? {
                return Ok(Ok(SubmitOutcome::Refused(Refusal::OtherDevice)));
            }
            if let Some(end) = row.end(closes).filter(|e| now > *e) {
                let closed = closes.is_some_and(|c| end >= c);
                let json = serde_json::to_string(&answers).unwrap_or_default();
                let row = finalise(tx, &row, (end, closed), Some(&json), marking.parts())?;
                return Ok(Ok(SubmitOutcome::Expired { row, closed }));
            }
            let answers = match prepare(&row, answers) {
                Ok((a, _)) => a,
                Err(r) => return Ok(Ok(SubmitOutcome::Refused(r))),
            };
            let g = match (marking.grade)(&row, &answers) {
                Ok(g) => g,
                Err(msg) => return Ok(Err(GradeFailure(msg).into())),
            };
            let json = serde_json::to_string(&answers).unwrap_or_default();
            let certifies = marking.certify.as_ref().is_some_and(|c| c.reads_quiz(&row.quiz_id));
            if !certifies && !super::hr::records_anything(&standing, g.percent) {
                // Nothing follows the grade: it commits in the same round trip.
                tx.commit_with_next();
            }
            let graded = tx
                .prepare_cached(concat!(
                    "UPDATE attempts SET status = 'graded', submitted_at = ?2, answers = ?3, score = ?4, max_score = ?5, percent = ?6, passed = ?7, result = ?8
                     WHERE id = ?1 AND status = 'open' RETURNING ",
                    attempt_cols!()
                ))?
                .query_row(params![attempt_id, now, json, g.score, g.max_score, g.percent, g.passed, g.result], row_attempt)?;
            super::hr::record_result_with(tx, caller.user_id, ("quiz", &row.quiz_id), g.percent, now, standing)?;
            let issued = match marking.certify.as_ref() {
                // Only a quiz the rule reads can complete a level.
                Some(c) if c.reads_quiz(&row.quiz_id) => super::certs::certify_in(tx, caller.user_id, c, now)?,
                _ => Vec::new(),
            };
            Ok(Ok(SubmitOutcome::Graded(graded, issued)))
        })
        .await
    }

    /// The attempt, finalised first if it is open and past its end (lazy finalisation:
    /// nothing runs at the deadline itself: the next write or the settle sweep does).
    pub async fn settle_attempt(
        &self,
        id: String,
        closes: Option<i64>,
        now: i64,
        marking: Marking,
    ) -> Result<Option<AttemptRow>, StoreError> {
        self.write(move |tx| match get(tx, &id)? {
            Some(row) => Ok(Some(settle(tx, row, closes, now, marking.parts())?)),
            None => Ok(None),
        })
        .await
    }

    /// Autosave (and sequential mode's step): stores what `prepare` makes of the answers
    /// as the open attempt's saved answers, and its new position when it gives one. Only
    /// from the device the attempt is bound to; one past its end is finalised instead.
    pub async fn save_answers<E: Send + 'static>(
        &self,
        id: String,
        caller: Caller,
        admit: Admit<E>,
        now: i64,
        marking: Marking,
    ) -> Result<Result<SaveOutcome, E>, StoreError> {
        self.write_learner(caller.user_id, move |tx| {
            let Some(Written { row, own, cohort, .. }) = get_with_overrides(tx, &id)?.filter(|w| w.row.user_id == caller.user_id) else {
                return Ok(Ok(SaveOutcome::NotFound));
            };
            let Admission {
                closes,
                answers,
                prepare,
                one_device,
            } = match admit(&row, own.as_ref(), cohort.as_ref()) {
                Ok(a) => a,
                Err(e) => return Ok(Err(e)),
            };
            let row = settle(tx, row, closes, now, marking.parts())?;
            if !row.status.is_open() {
                return Ok(Ok(SaveOutcome::Ended(row)));
            }
            if one_device && !claim_device(tx, &row, &caller.device_hash)? {
                return Ok(Ok(SaveOutcome::Refused(Refusal::OtherDevice)));
            }
            let (answers, position) = match prepare(&row, answers) {
                Ok(p) => p,
                Err(r) => return Ok(Ok(SaveOutcome::Refused(r))),
            };
            let saved = tx
                .prepare_cached(concat!(
                    "UPDATE attempts SET saved_answers = ?2, position = COALESCE(?3, position) WHERE id = ?1 RETURNING ",
                    attempt_cols!()
                ))?
                .query_row(
                    params![id, serde_json::to_string(&answers).unwrap_or_default(), position.map(|p| p as i64)],
                    row_attempt,
                )?;
            Ok(Ok(SaveOutcome::Saved(saved)))
        })
        .await
    }

    /// The learner gives up their open attempt (`status` is what the rules make of it:
    /// abandoned, for a practice quiz). Returns the attempt as it stands; an ended one is
    /// left as it is.
    pub async fn abandon_attempt(&self, id: String, user_id: i64, now: i64) -> Result<Option<AttemptRow>, StoreError> {
        self.write_learner(user_id, move |tx| {
            let Some(row) = get(tx, &id)?.filter(|r| r.user_id == user_id) else {
                return Ok(None);
            };
            if row.status.is_open() {
                tx.prepare_cached("UPDATE attempts SET status = 'abandoned', submitted_at = ?2 WHERE id = ?1 AND status = 'open'")?
                    .execute(params![id, now])?;
            }
            Ok(Some(get_ok(tx, &id)?))
        })
        .await
    }

    /// Releases an open attempt's device binding so the next device to write takes it;
    /// recorded in the audit log. Returns the attempt as it stands (None: no such attempt).
    pub async fn release_device(&self, id: String, actor_id: i64, now: i64) -> Result<Option<AttemptRow>, StoreError> {
        self.write(move |tx| {
            let Some(row) = get(tx, &id)? else { return Ok(None) };
            if row.status.is_open() {
                tx.prepare_cached("UPDATE attempts SET device_hash = NULL WHERE id = ?1")?
                    .execute([&id])?;
                let detail = format!("user:{}", row.user_id);
                super::certops::audit(tx, Some(actor_id), "release-device", &format!("attempt:{id}"), &detail, now)?;
            }
            Ok(Some(get_ok(tx, &id)?))
        })
        .await
    }

    /// Every attempt at the quiz still open, oldest first. Attempts past their end are
    /// listed too until the next write or the settle sweep (every 10 s) stores their end.
    /// Open attempts that may have ended by `judged`: past their own deadline, or at a
    /// quiz whose close (in `closed_quizzes`, or an override's) is past. Reads only
    /// those, through the partial indexes on open attempts, not every open attempt.
    pub async fn due_attempts(&self, judged: i64, closed_quizzes: Vec<String>) -> Result<Vec<String>, StoreError> {
        let closed = serde_json::to_string(&closed_quizzes).unwrap_or_else(|_| "[]".into());
        self.read(move |c| {
            let mut q = c.prepare_cached(&format!(
                "SELECT id FROM attempts WHERE status = 'open' AND deadline_at IS NOT NULL AND deadline_at < ?1
                 UNION
                 SELECT id FROM attempts WHERE status = 'open' AND quiz_id IN (
                     {}
                     UNION SELECT quiz_id FROM quiz_overrides WHERE closes IS NOT NULL AND closes < ?1)",
                c.json_texts(2)
            ))?;
            let ids = q
                .query_map(params![judged, closed], |r| r.get(0))?
                .collect::<super::db::Result<Vec<String>>>()?;
            Ok(ids)
        })
        .await
    }

    pub async fn open_attempts(&self, quiz_id: String) -> Result<Vec<OpenAttempt>, StoreError> {
        self.read(move |c| {
            let mut q = c.prepare_cached(
                "SELECT a.id, a.user_id, u.username, u.display_name, a.started_at, a.deadline_at, a.device_hash IS NOT NULL
                 FROM attempts a JOIN users u ON u.id = a.user_id
                 WHERE a.quiz_id = ?1 AND a.status = 'open' ORDER BY a.started_at, a.id",
            )?;
            let rows = q
                .query_map([quiz_id], |r| {
                    Ok(OpenAttempt {
                        id: r.get(0)?,
                        user_id: r.get(1)?,
                        username: r.get(2)?,
                        display_name: r.get(3)?,
                        started_at: r.get(4)?,
                        deadline_at: r.get(5)?,
                        device_bound: r.get(6)?,
                    })
                })?
                .collect::<super::db::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .await
    }

    /// Every graded attempt at a quiz with its learner, for the similarity report.
    pub async fn graded_attempts_detail(&self, quiz_id: String) -> Result<Vec<GradedAttempt>, StoreError> {
        self.read(move |c| {
            let mut q = c.prepare_cached(
                "SELECT a.id, a.user_id, u.username, u.display_name, a.started_at, a.submitted_at, a.answers, a.result
                 FROM attempts a JOIN users u ON u.id = a.user_id
                 WHERE a.quiz_id = ?1 AND a.status = 'graded' ORDER BY a.submitted_at, a.id",
            )?;
            let rows = q
                .query_map([quiz_id], |r| {
                    let started_at: i64 = r.get(4)?;
                    Ok(GradedAttempt {
                        id: r.get(0)?,
                        user_id: r.get(1)?,
                        username: r.get(2)?,
                        display_name: r.get(3)?,
                        started_at,
                        submitted_at: r.get::<_, Option<i64>>(5)?.unwrap_or(started_at),
                        answers: r.get::<_, Option<String>>(6)?.unwrap_or_default(),
                        result: r.get::<_, Option<String>>(7)?.unwrap_or_default(),
                    })
                })?
                .collect::<super::db::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .await
    }

    /// An attempt with its learner's own and cohort's override at its quiz, in one read.
    pub async fn attempt_with_overrides(&self, id: String) -> Result<Option<AttemptWithOverrides>, StoreError> {
        self.read(move |c| Ok(get_with_overrides(c, &id)?.map(|w| (w.row, w.own, w.cohort))))
            .await
    }

    /// The learner's figures at a quiz, their overrides there and their open attempt, in one read.
    pub async fn quiz_standing(&self, user_id: i64, quiz_id: String, cycle_levels: Vec<String>) -> Result<QuizStanding, StoreError> {
        self.read(move |c| {
            c.snapshot(|| -> Result<QuizStanding, StoreError> {
                let (own, cohort) = overrides_of(c, user_id, &quiz_id)?;
                Ok(QuizStanding {
                    counted: attempts_in_cycle(c, user_id, &quiz_id, &cycle_levels)? as u32,
                    summary: summary(c, user_id, &quiz_id)?,
                    open: open_of(c, user_id, &quiz_id)?,
                    own,
                    cohort,
                })
            })
        })
        .await
    }

    /// Like [`Store::attempt`], outside the async runtime (CLI, tests).
    pub fn attempt_blocking(&self, id: String) -> Result<Option<AttemptRow>, StoreError> {
        self.read_blocking(move |c| Ok(get(c, &id)?))
    }

    pub async fn attempt(&self, id: String) -> Result<Option<AttemptRow>, StoreError> {
        self.read(move |c| Ok(get(c, &id)?)).await
    }

    /// A learner's graded attempts in time order: (submitted_at, quiz id, percent).
    pub async fn score_history(&self, user_id: i64) -> Result<Vec<(i64, String, f64)>, StoreError> {
        self.read(move |c| Ok(score_history(c, user_id)?)).await
    }

    /// Graded attempts per quiz.
    pub async fn graded_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        self.read(|c| {
            let mut q = c.prepare("SELECT quiz_id, COUNT(*) FROM attempts WHERE status = 'graded' GROUP BY quiz_id")?;
            let rows = q
                .query_map((), |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<super::db::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .await
    }

    /// Every graded attempt at a quiz: (percent, answers JSON, grading JSON).
    pub async fn graded_attempts(&self, quiz_id: String) -> Result<Vec<(f64, String, String)>, StoreError> {
        self.read(move |c| {
            let mut q =
                c.prepare_cached("SELECT percent, answers, result FROM attempts WHERE quiz_id = ?1 AND status = 'graded' ORDER BY id")?;
            let rows = q
                .query_map([quiz_id], |r| {
                    Ok((
                        r.get(0)?,
                        r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                        r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                    ))
                })?
                .collect::<super::db::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .await
    }

    /// The learner's figures for every quiz they have attempted.
    pub async fn learner_summaries(&self, user_id: i64) -> Result<Vec<QuizSummaryRow>, StoreError> {
        self.read(move |c| Ok(summaries_of(c, user_id)?)).await
    }
}

/// How many of a learner's newest scores their chart shows.
pub const SCORE_HISTORY_POINTS: usize = 100;

/// A learner's newest [`SCORE_HISTORY_POINTS`] graded percentages, oldest first: (when, quiz, percent).
pub(super) fn score_history(c: &Conn, user_id: i64) -> super::db::Result<Vec<(i64, String, f64)>> {
    // SQLite's planner needs telling; PostgreSQL has no such hint and finds the index.
    let hint = if c.is_pg() {
        ""
    } else {
        " INDEXED BY attempts_graded_by_user_time"
    };
    let mut q = c.prepare_cached(&format!(
        "SELECT submitted_at, quiz_id, percent FROM attempts{hint}
         WHERE user_id = ?1 AND status = 'graded' ORDER BY submitted_at DESC LIMIT ?2"
    ))?;
    let mut rows = q
        .query_map(params![user_id, SCORE_HISTORY_POINTS as i64], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<super::db::Result<Vec<_>>>()?;
    rows.reverse();
    Ok(rows)
}

pub(super) fn summaries_of(c: &Conn, user_id: i64) -> super::db::Result<Vec<QuizSummaryRow>> {
    let mut stmt = c.prepare_cached("SELECT quiz_id, attempts, best, passed FROM quiz_tallies WHERE user_id = ?1 ORDER BY quiz_id")?;
    stmt.query_map([user_id], |r| {
        Ok(QuizSummaryRow {
            quiz_id: r.get(0)?,
            attempts: r.get::<_, i64>(1)? as u32,
            best_percent: r.get(2)?,
            passed: r.get(3)?,
            open_attempt: None,
        })
    })?
    .collect()
}

/// One attempt in a list: what it was and how it ended.
#[derive(Clone, Debug)]
pub struct AttemptLine {
    pub id: String,
    pub quiz_id: String,
    pub status: AttemptStatus,
    pub started_at: i64,
    pub submitted_at: Option<i64>,
    pub percent: Option<f64>,
}

/// The newest `per_quiz` attempts of the learner at each of `quiz_ids`, newest first per
/// quiz (each an index range, however long the learner's history).
pub(super) fn recent_attempts_of(c: &Conn, user_id: i64, quiz_ids: &[String], per_quiz: i64) -> super::db::Result<Vec<AttemptLine>> {
    let mut stmt = c.prepare_cached(
        "SELECT id, quiz_id, status, started_at, submitted_at, percent FROM attempts
         WHERE user_id = ?1 AND quiz_id = ?2 ORDER BY started_at DESC LIMIT ?3",
    )?;
    let mut out = Vec::new();
    for quiz_id in quiz_ids {
        let rows = stmt.query_map(params![user_id, quiz_id, per_quiz], |r| {
            Ok(AttemptLine {
                id: r.get(0)?,
                quiz_id: r.get(1)?,
                status: status_col(r, 2)?,
                started_at: r.get(3)?,
                submitted_at: r.get(4)?,
                percent: r.get(5)?,
            })
        })?;
        for row in rows {
            out.push(row?);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Role, upsert_user};

    fn plan(user_id: i64, id: &str, now: i64, limit: u32, questions: &'static [&'static str]) -> StartPlan {
        StartPlan {
            user_id,
            quiz_id: "q".into(),
            now,
            judged_now: now,
            id: id.into(),
            seed: 1,
            device_hash: "d".into(),
            cycle_levels: Vec::new(),
            seen: SeenScope::Quiz,
            terms: Box::new(move |_, _| {
                Ok(StartTerms {
                    closes: None,
                    attempts: limit,
                    deadline_at: Some(now + 1_000),
                    one_device: true,
                    retake_after: None,
                })
            }),
            draw: Box::new(move |_| questions.iter().map(|q| q.to_string()).collect()),
            marking: Marking {
                grade: Box::new(|_, _| Err(crate::i18n::Msg::plain("not graded"))),
                certify: None,
            },
        }
    }

    /// One transaction starts, resumes, settles an attempt whose time is up, keeps the
    /// limit and counts how often each question was shown (one row a question).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn start_settles_resumes_limits_and_counts_questions_seen() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db")).unwrap();
        let user = store
            .write(|c| Ok(upsert_user(c, "u", "n", Role::Learner, "h", 0)?.id))
            .await
            .unwrap();
        let started = store.start_attempt(plan(user, "a1", 0, 2, &["x", "y"])).await.unwrap();
        assert!(matches!(started, StartOutcome::Started(ref a) if a.status == AttemptStatus::Open));
        // Still open: resumed, not duplicated.
        let resumed = store.start_attempt(plan(user, "a2", 10, 2, &["x"])).await.unwrap();
        assert!(matches!(resumed, StartOutcome::Resumed(ref a) if a.id == "a1"));
        // Past its deadline: it is settled (nothing saved: expired) and a new one starts.
        let again = store.start_attempt(plan(user, "a3", 5_000, 2, &["x", "z"])).await.unwrap();
        assert!(matches!(again, StartOutcome::Started(ref a) if a.id == "a3"));
        let a1 = store.attempt("a1".into()).await.unwrap().unwrap();
        assert_eq!(a1.status, AttemptStatus::Expired);
        let seen = store.read(move |c| Ok(seen_counts(c, user, "q", SeenScope::Quiz)?)).await.unwrap();
        assert_eq!(seen, HashMap::from([("x".into(), 2), ("y".into(), 1), ("z".into(), 1)]));
        // The limit: two attempts used.
        let full = store.start_attempt(plan(user, "a4", 20_000, 2, &["x"])).await.unwrap();
        assert!(matches!(full, StartOutcome::NoAttemptsLeft { used: 2 }));
        // Outside the window: refused, nothing written.
        let mut closed = plan(user, "a5", 30_000, 0, &["x"]);
        closed.terms = Box::new(|_, _| Err(crate::msg!("quiz-closed")));
        assert!(matches!(store.start_attempt(closed).await.unwrap(), StartOutcome::NotNow(m) if m.id == "quiz-closed"));
        assert!(store.attempt("a5".into()).await.unwrap().is_none());
    }

    /// The settle sweep's candidates are the attempts that can have ended, and only those:
    /// open attempts without a deadline at an open quiz are never read, however many.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn due_attempts_are_those_past_a_deadline_or_a_close() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db")).unwrap();
        let open = |name: &'static str, quiz: &'static str, deadline: Option<i64>| {
            let store = store.clone();
            async move {
                let user = store
                    .write(move |c| Ok(upsert_user(c, name, name, Role::Learner, "h", 0)?.id))
                    .await
                    .unwrap();
                let mut p = plan(user, name, 0, 0, &["x"]);
                p.quiz_id = quiz.into();
                p.terms = Box::new(move |_, _| {
                    Ok(StartTerms {
                        closes: None,
                        attempts: 0,
                        deadline_at: deadline,
                        one_device: true,
                        retake_after: None,
                    })
                });
                assert!(matches!(store.start_attempt(p).await.unwrap(), StartOutcome::Started(_)));
            }
        };
        for (name, quiz, deadline) in [
            ("timed-past", "q", Some(1_000)),
            ("timed-later", "q", Some(9_000)),
            ("untimed", "q", None),
            ("untimed-closed-quiz", "shut", None),
            ("untimed-override-close", "late", None),
        ] {
            open(name, quiz, deadline).await;
        }
        store
            .write(|c| {
                c.execute(
                    "INSERT INTO quiz_overrides (quiz_id, cohort, closes, created_by, created_at) VALUES ('late', 'c', 4000, 1, 0)",
                    (),
                )?;
                Ok(())
            })
            .await
            .unwrap();
        let mut due = store.due_attempts(5_000, vec!["shut".into()]).await.unwrap();
        due.sort();
        assert_eq!(due, ["timed-past", "untimed-closed-quiz", "untimed-override-close"]);
        assert!(store.due_attempts(500, Vec::new()).await.unwrap().is_empty());
        let plan = store
            .read(|c| {
                let mut q = c.prepare(
                    "EXPLAIN QUERY PLAN SELECT id FROM attempts WHERE status = 'open' AND deadline_at IS NOT NULL AND deadline_at < 5",
                )?;
                Ok(q.query_map((), |r| r.get::<_, String>(3))?
                    .collect::<crate::store::db::Result<Vec<_>>>()?
                    .join("; "))
            })
            .await
            .unwrap();
        assert!(plan.contains("attempts_open_by_deadline"), "{plan}");
    }

    /// The triggers keep `quiz_tallies` equal to what aggregating every attempt gives,
    /// through inserts, grades, endings without a grade and deletes in any order.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn quiz_tallies_match_the_attempts_they_summarise() {
        use rand::{Rng, SeedableRng};
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db")).unwrap();
        let mismatch = store
            .write(|c| {
                let users: Vec<i64> = (0..3)
                    .map(|i| upsert_user(c, &format!("u{i}"), "n", Role::Learner, "h", 0).map(|u| u.id))
                    .collect::<Result<_, _>>()?;
                let mut rng = rand::rngs::StdRng::seed_from_u64(7);
                let aggregate = "SELECT user_id, quiz_id, COUNT(*), MAX(percent) FILTER (WHERE status = 'graded'), COALESCE(MAX(passed), 0)
                                 FROM attempts GROUP BY user_id, quiz_id ORDER BY 1, 2";
                let tallies = "SELECT user_id, quiz_id, attempts, best, passed FROM quiz_tallies ORDER BY 1, 2";
                type Tally = (i64, String, i64, Option<f64>, i64);
                let rows = |sql: &str| -> crate::store::db::Result<Vec<Tally>> {
                    c.prepare(sql)?.query_map((), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?.collect()
                };
                for step in 0..400 {
                    let user = users[rng.random_range(0..users.len())];
                    let quiz = ["a", "b"][rng.random_range(0..2)];
                    match rng.random_range(0..10) {
                        0 => {
                            c.execute("DELETE FROM attempts WHERE id = (SELECT id FROM attempts ORDER BY random() LIMIT 1)", ())?;
                        }
                        _ => {
                            // Close any open attempt first (one open per learner and quiz).
                            let percent = rng.random_range(0..=100) as f64;
                            let graded = rng.random_bool(0.7);
                            c.execute(
                                "UPDATE attempts SET status = ?3, percent = ?4, passed = ?5 WHERE user_id = ?1 AND quiz_id = ?2 AND status = 'open'",
                                params![user, quiz, if graded { "graded" } else { "expired" }, graded.then_some(percent), graded && percent >= 60.0],
                            )?;
                            c.execute(
                                "INSERT INTO attempts (id, user_id, quiz_id, seed, question_ids, started_at, status) VALUES (?1, ?2, ?3, 0, '[]', ?4, 'open')",
                                params![format!("x{step}"), user, quiz, step],
                            )?;
                        }
                    }
                    let (want, got) = (rows(aggregate)?, rows(tallies)?);
                    if want != got {
                        return Ok(Some(format!("after step {step}: attempts say {want:?}, tallies {got:?}")));
                    }
                }
                Ok(None)
            })
            .await
            .unwrap();
        assert_eq!(mismatch, None);
    }
}
