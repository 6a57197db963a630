//! Quiz attempts. Starting and submitting are single transactions on the writer,
//! so the attempt limit holds under concurrency and a retried submit is recorded once.

use super::{Store, StoreError};
use rusqlite::{Connection, OptionalExtension, Row, params};
use std::collections::HashMap;

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
    /// "open", "graded" or "expired".
    pub status: String,
    pub submitted_at: Option<i64>,
    /// The grading as JSON (graded attempts only).
    pub result: Option<String>,
    pub percent: Option<f64>,
    pub passed: bool,
}

const GET_ATTEMPT: &str = "SELECT id, user_id, quiz_id, seed, question_ids, started_at, deadline_at, status, submitted_at, result, percent, passed FROM attempts WHERE id = ?1";

fn row_attempt(r: &Row) -> rusqlite::Result<AttemptRow> {
    let ids: String = r.get(4)?;
    Ok(AttemptRow {
        id: r.get(0)?,
        user_id: r.get(1)?,
        quiz_id: r.get(2)?,
        seed: r.get::<_, i64>(3)? as u64,
        question_ids: serde_json::from_str(&ids).unwrap_or_default(),
        started_at: r.get(5)?,
        deadline_at: r.get(6)?,
        status: r.get(7)?,
        submitted_at: r.get(8)?,
        result: r.get(9)?,
        percent: r.get(10)?,
        passed: r.get::<_, Option<bool>>(11)?.unwrap_or(false),
    })
}

/// A new attempt to insert if the learner may start one.
pub struct NewAttempt {
    pub id: String,
    pub seed: u64,
    pub question_ids: Vec<String>,
    pub deadline_at: Option<i64>,
}

pub enum StartOutcome {
    /// An attempt still open (within its time) is resumed, not duplicated.
    Resumed(AttemptRow),
    Started(AttemptRow),
    NoAttemptsLeft {
        used: u32,
    },
}

pub enum SubmitOutcome {
    Graded(AttemptRow),
    /// Submitted before: the stored outcome, unchanged.
    AlreadySubmitted(AttemptRow),
    /// Past the deadline: the answers are kept, the attempt scores nothing.
    Expired(AttemptRow),
    NotFound,
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

fn get(conn: &Connection, id: &str) -> rusqlite::Result<Option<AttemptRow>> {
    conn.prepare_cached(GET_ATTEMPT)?.query_row([id], row_attempt).optional()
}

/// Closes attempts whose time ran out without a submit.
fn expire_overdue(conn: &Connection, user_id: i64, quiz_id: &str, now: i64) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE attempts SET status = 'expired', score = 0, percent = 0, passed = 0
         WHERE user_id = ?1 AND quiz_id = ?2 AND status = 'open' AND deadline_at IS NOT NULL AND deadline_at < ?3",
    )?
    .execute(params![user_id, quiz_id, now])?;
    Ok(())
}

fn summary(conn: &Connection, user_id: i64, quiz_id: &str) -> rusqlite::Result<QuizSummaryRow> {
    conn.prepare_cached(
        "SELECT COUNT(*), MAX(percent) FILTER (WHERE status = 'graded'), COALESCE(MAX(passed), 0),
                MAX(id) FILTER (WHERE status = 'open')
         FROM attempts WHERE user_id = ?1 AND quiz_id = ?2",
    )?
    .query_row(params![user_id, quiz_id], |r| {
        Ok(QuizSummaryRow {
            quiz_id: quiz_id.to_string(),
            attempts: r.get::<_, i64>(0)? as u32,
            best_percent: r.get(1)?,
            passed: r.get(2)?,
            open_attempt: r.get(3)?,
        })
    })
}

impl Store {
    /// Resumes the learner's open attempt, or starts `new` if the limit (`0` = none) allows.
    pub async fn start_attempt(
        &self,
        user_id: i64,
        quiz_id: String,
        limit: u32,
        now: i64,
        new: NewAttempt,
    ) -> Result<StartOutcome, StoreError> {
        self.write(move |tx| {
            expire_overdue(tx, user_id, &quiz_id, now)?;
            let open: Option<String> = tx
                .query_row("SELECT id FROM attempts WHERE user_id = ?1 AND quiz_id = ?2 AND status = 'open'", params![user_id, quiz_id], |r| r.get(0))
                .optional()?;
            if let Some(id) = open {
                return Ok(StartOutcome::Resumed(get(tx, &id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?));
            }
            let used: i64 = tx.prepare_cached("SELECT COUNT(*) FROM attempts WHERE user_id = ?1 AND quiz_id = ?2")?.query_row( params![user_id, quiz_id], |r| r.get(0))?;
            if limit > 0 && used >= limit as i64 {
                return Ok(StartOutcome::NoAttemptsLeft { used: used as u32 });
            }
            tx.prepare_cached("INSERT INTO attempts (id, user_id, quiz_id, seed, question_ids, started_at, deadline_at, status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'open')")?.execute(
                params![new.id, user_id, quiz_id, new.seed as i64, serde_json::to_string(&new.question_ids).unwrap_or_default(), now, new.deadline_at],
            )?;
            Ok(StartOutcome::Started(get(tx, &new.id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?))
        })
        .await
    }

    /// Submits the learner's answers once. `grade` turns the open attempt into
    /// (score, max, percent, passed, result JSON) or a message for a malformed answer.
    pub async fn submit_attempt<G>(
        &self,
        attempt_id: String,
        user_id: i64,
        answers: String,
        now: i64,
        grade: G,
    ) -> Result<Result<SubmitOutcome, String>, StoreError>
    where
        G: FnOnce(&AttemptRow) -> Result<(f64, f64, f64, bool, String), String> + Send + 'static,
    {
        self.write(move |tx| {
            let Some(row) = get(tx, &attempt_id)?.filter(|r| r.user_id == user_id) else {
                return Ok(Ok(SubmitOutcome::NotFound));
            };
            if row.status != "open" {
                return Ok(Ok(SubmitOutcome::AlreadySubmitted(row)));
            }
            if row.deadline_at.is_some_and(|d| now > d) {
                tx.prepare_cached("UPDATE attempts SET status = 'expired', submitted_at = ?2, answers = ?3, score = 0, percent = 0, passed = 0 WHERE id = ?1")?.execute(
                    params![attempt_id, now, answers],
                )?;
                return Ok(Ok(SubmitOutcome::Expired(get(tx, &attempt_id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?)));
            }
            let (score, max, percent, passed, result) = match grade(&row) {
                Ok(g) => g,
                Err(msg) => return Ok(Err(msg)),
            };
            tx.prepare_cached("UPDATE attempts SET status = 'graded', submitted_at = ?2, answers = ?3, score = ?4, max_score = ?5, percent = ?6, passed = ?7, result = ?8
                 WHERE id = ?1 AND status = 'open'")?.execute(
                params![attempt_id, now, answers, score, max, percent, passed, result],
            )?;
            super::hr::record_result(tx, user_id, "quiz", &row.quiz_id, percent, now)?;
            Ok(Ok(SubmitOutcome::Graded(get(tx, &attempt_id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?)))
        })
        .await
    }

    /// How often the learner has been shown each question of the quiz, over all their attempts.
    pub async fn question_usage(&self, user_id: i64, quiz_id: String) -> Result<HashMap<String, u32>, StoreError> {
        self.read(move |c| {
            let mut q = c.prepare_cached("SELECT question_ids FROM attempts WHERE user_id = ?1 AND quiz_id = ?2")?;
            let mut seen = HashMap::new();
            for ids in q.query_map(params![user_id, quiz_id], |r| r.get::<_, String>(0))? {
                for id in serde_json::from_str::<Vec<String>>(&ids?).unwrap_or_default() {
                    *seen.entry(id).or_insert(0) += 1;
                }
            }
            Ok(seen)
        })
        .await
    }

    pub async fn attempt(&self, id: String) -> Result<Option<AttemptRow>, StoreError> {
        self.read(move |c| Ok(get(c, &id)?)).await
    }

    /// The learner's figures for one quiz (overdue open attempts count as used, not open).
    pub async fn quiz_summary(&self, user_id: i64, quiz_id: String, now: i64) -> Result<QuizSummaryRow, StoreError> {
        self.read(move |c| {
            let mut s = summary(c, user_id, &quiz_id)?;
            if let Some(open) = &s.open_attempt {
                let overdue = get(c, open)?.and_then(|a| a.deadline_at).is_some_and(|d| d < now);
                if overdue {
                    s.open_attempt = None;
                }
            }
            Ok(s)
        })
        .await
    }

    /// A learner's graded attempts in time order: (submitted_at, quiz id, percent).
    pub async fn score_history(&self, user_id: i64) -> Result<Vec<(i64, String, f64)>, StoreError> {
        self.read(move |c| {
            let mut q = c.prepare_cached(
                "SELECT submitted_at, quiz_id, percent FROM attempts WHERE user_id = ?1 AND status = 'graded' ORDER BY submitted_at, id",
            )?;
            let rows = q
                .query_map([user_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .await
    }

    /// Graded attempts per quiz.
    pub async fn graded_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        self.read(|c| {
            let mut q = c.prepare("SELECT quiz_id, COUNT(*) FROM attempts WHERE status = 'graded' GROUP BY quiz_id")?;
            let rows = q
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
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
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .await
    }

    /// The learner's figures for every quiz they have attempted.
    pub async fn learner_summaries(&self, user_id: i64) -> Result<Vec<QuizSummaryRow>, StoreError> {
        self.read(move |c| {
            let mut stmt = c.prepare(
                "SELECT quiz_id, COUNT(*), MAX(percent) FILTER (WHERE status = 'graded'), COALESCE(MAX(passed), 0)
                 FROM attempts WHERE user_id = ?1 GROUP BY quiz_id ORDER BY quiz_id",
            )?;
            let rows = stmt
                .query_map([user_id], |r| {
                    Ok(QuizSummaryRow {
                        quiz_id: r.get(0)?,
                        attempts: r.get::<_, i64>(1)? as u32,
                        best_percent: r.get(2)?,
                        passed: r.get(3)?,
                        open_attempt: None,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .await
    }
}
