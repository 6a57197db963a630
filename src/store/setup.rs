//! Writes the app never makes itself, for tests and benches: states to start from
//! (a crash-left database, contact details set directly, a large made-up history).

use super::db::params;
use super::hr::record_result;
use super::{Store, StoreError};

/// A learner with a made-up history, for [`Store::seed_learners_blocking`].
pub struct SeededLearner {
    pub username: String,
    pub password_hash: String,
    pub created_at: i64,
    pub cohort: String,
    pub department: String,
    pub attempts: Vec<SeededAttempt>,
    pub run: Option<SeededRun>,
    pub certificate: Option<SeededCertificate>,
}

/// A graded attempt scored out of 100, submitted when it started.
pub struct SeededAttempt {
    pub quiz_id: String,
    pub at: i64,
    pub percent: f64,
    pub passed: bool,
}

/// A finished sandbox run.
pub struct SeededRun {
    pub scenario_id: String,
    pub rounds: u32,
    pub at: i64,
    pub score: i64,
}

/// A certificate with empty evidence.
pub struct SeededCertificate {
    pub track_id: String,
    pub level_id: String,
    pub issued_at: i64,
}

impl Store {
    /// Sets an account's email address as given, untrimmed; false: no such account (for tests).
    pub fn set_user_contact_blocking(&self, username: &str, email: &str) -> Result<bool, StoreError> {
        let (username, email) = (username.to_string(), email.to_string());
        self.write_blocking(move |tx| Ok(tx.execute("UPDATE users SET email = ?2 WHERE username = ?1", params![username, email])? > 0))
    }

    /// Moves an account to a cohort without moving its results in the HR figures; false: no such account (for tests).
    pub fn set_user_cohort_blocking(&self, username: &str, cohort: &str) -> Result<bool, StoreError> {
        let (username, cohort) = (username.to_string(), cohort.to_string());
        self.write_blocking(move |tx| Ok(tx.execute("UPDATE users SET cohort = ?2 WHERE username = ?1", params![username, cohort])? > 0))
    }

    /// Deletes the certificates of one account (`None`: everyone's), as a crash between a grade and its certificate would leave it (for tests).
    pub fn forget_certificates_blocking(&self, username: Option<&str>) -> Result<usize, StoreError> {
        let username = username.map(String::from);
        self.write_blocking(move |tx| {
            Ok(match username {
                None => tx.execute("DELETE FROM certificates", ())?,
                Some(u) => tx.execute(
                    "DELETE FROM certificates WHERE user_id = (SELECT id FROM users WHERE username = ?1)",
                    [u],
                )?,
            })
        })
    }

    /// Adds `rows` filler secrets of `bytes` zero bytes each in one transaction, so copying the database takes a while (for tests of backups).
    pub fn add_padding_blocking(&self, rows: usize, bytes: usize) -> Result<(), StoreError> {
        self.write_blocking(move |tx| {
            let mut stmt = tx.prepare("INSERT INTO secrets (name, value, created_at) VALUES (?1, zeroblob(?2), 0)")?;
            for i in 0..rows {
                stmt.execute(params![format!("padding-{i}"), bytes as i64])?;
            }
            Ok(())
        })
    }

    /// Inserts learners drawn one at a time from `learners`, in one transaction, recording their results as grading does; returns how many (for benches).
    pub fn seed_learners_blocking(&self, learners: impl Iterator<Item = SeededLearner> + Send + 'static) -> Result<usize, StoreError> {
        self.write_blocking(move |tx| {
            let mut user = tx.prepare(
                "INSERT INTO users (username, display_name, role, password_hash, created_at, cohort, department) VALUES (?1, ?1, 'learner', ?2, ?3, ?4, ?5) RETURNING id",
            )?;
            let mut attempt = tx.prepare(
                "INSERT INTO attempts (id, user_id, quiz_id, seed, question_ids, started_at, status, submitted_at, answers, score, max_score, percent, passed)
                 VALUES (?1, ?2, ?3, 0, '[]', ?4, 'graded', ?4, '{}', ?5, 100, ?5, ?6)",
            )?;
            let mut run = tx.prepare(
                "INSERT INTO runs (id, user_id, scenario_id, version, seed, decisions, rounds_played, status, started_at, updated_at, finished_at, score)
                 VALUES (?1, ?2, ?3, 1, 1, '[]', ?4, 'finished', ?5, ?5, ?5, ?6)",
            )?;
            let mut cert = tx.prepare(
                "INSERT INTO certificates (id, user_id, track_id, level_id, issued_at, evidence) VALUES (?1, ?2, ?3, ?4, ?5, '{}')",
            )?;
            let mut n = 0;
            for l in learners {
                let u: i64 = user.query_row(params![l.username, l.password_hash, l.created_at, l.cohort, l.department], |r| r.get(0))?;
                for (i, a) in l.attempts.iter().enumerate() {
                    attempt.execute(params![format!("{u}-{i}"), u, a.quiz_id, a.at, a.percent, a.passed])?;
                    record_result(tx, u, "quiz", &a.quiz_id, a.percent, a.at)?;
                }
                if let Some(r) = &l.run {
                    run.execute(params![format!("r{u}"), u, r.scenario_id, r.rounds, r.at, r.score])?;
                    record_result(tx, u, "scenario", &r.scenario_id, r.score as f64, r.at)?;
                }
                if let Some(c) = &l.certificate {
                    cert.execute(params![format!("CB-{u}"), u, c.track_id, c.level_id, c.issued_at])?;
                }
                n += 1;
            }
            Ok(n)
        })
    }

    /// Refreshes the query planner's statistics, as after a bulk load (for benches and operators).
    pub fn analyze_blocking(&self) -> Result<(), StoreError> {
        self.write_blocking(|tx| Ok(tx.execute_batch("ANALYZE")?))
    }
}
