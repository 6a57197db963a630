//! Accommodations: per-learner or per-cohort overrides of a quiz's limits.

use super::db::{Conn, Optional, Row, params};
use super::{Store, StoreError};

#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct OverrideRow {
    pub id: i64,
    pub quiz_id: String,
    pub user_id: Option<i64>,
    pub cohort: Option<String>,
    /// Seconds added to the time limit.
    pub extra_time: i64,
    pub extra_attempts: u32,
    /// Unix ms; replaces the bank's window when set.
    pub opens: Option<i64>,
    pub closes: Option<i64>,
}

impl OverrideRow {
    pub fn adjustment(&self) -> crate::quiz::exam::Adjustment {
        crate::quiz::exam::Adjustment {
            extra_time: self.extra_time,
            extra_attempts: self.extra_attempts,
            opens: self.opens,
            closes: self.closes,
        }
    }
}

const COLS: &str = "id, quiz_id, user_id, cohort, extra_time, extra_attempts, opens, closes";

fn row(r: &Row) -> super::db::Result<OverrideRow> {
    row_at(r, 0)
}

fn row_at(r: &Row, at: usize) -> super::db::Result<OverrideRow> {
    Ok(OverrideRow {
        id: r.get(at)?,
        quiz_id: r.get(at + 1)?,
        user_id: r.get(at + 2)?,
        cohort: r.get(at + 3)?,
        extra_time: r.get(at + 4)?,
        extra_attempts: r.get::<_, i64>(at + 5)? as u32,
        opens: r.get(at + 6)?,
        closes: r.get(at + 7)?,
    })
}

/// The override whose [`COLS`] start at column `at` of a joined row; `None` where the join found none.
pub(super) fn joined_at(r: &Row, at: usize) -> super::db::Result<Option<OverrideRow>> {
    match r.get::<_, Option<i64>>(at)? {
        Some(_) => row_at(r, at).map(Some),
        None => Ok(None),
    }
}

/// A join that adds a learner's own override (`o`) and their cohort's (`k`) at the quiz
/// `quiz` to a query over `u` (their user row), each as [`COLS`] after what it selects.
pub(super) fn join_overrides(quiz: &str) -> String {
    format!(
        "LEFT JOIN (SELECT {COLS} FROM quiz_overrides) o ON o.quiz_id = {quiz} AND o.user_id = u.id
         LEFT JOIN (SELECT {COLS} FROM quiz_overrides) k ON k.quiz_id = {quiz} AND k.cohort = u.cohort"
    )
}

/// The learner's own override and their cohort's, for the quiz.
pub(super) fn overrides_of(c: &Conn, user_id: i64, quiz_id: &str) -> super::db::Result<(Option<OverrideRow>, Option<OverrideRow>)> {
    let mut q = c.prepare_cached(&format!(
        "SELECT {COLS} FROM quiz_overrides WHERE quiz_id = ?1 AND (user_id = ?2 OR cohort = (SELECT cohort FROM users WHERE id = ?2))"
    ))?;
    let (mut own, mut cohort) = (None, None);
    for o in q.query_map(params![quiz_id, user_id], row)? {
        let o = o?;
        if o.user_id.is_some() {
            own = Some(o);
        } else {
            cohort = Some(o);
        }
    }
    Ok((own, cohort))
}

impl Store {
    /// Creates or replaces the override for the target at the quiz. `None` when the user does not exist.
    pub async fn put_override(&self, new: OverrideRow, by: i64, now: i64) -> Result<Option<OverrideRow>, StoreError> {
        self.write(move |tx| {
            if let Some(u) = new.user_id {
                let exists: Option<i64> = tx.query_row("SELECT id FROM users WHERE id = ?1", [u], |r| r.get(0)).optional()?;
                if exists.is_none() {
                    return Ok(None);
                }
            }
            tx.execute(
                "DELETE FROM quiz_overrides WHERE quiz_id = ?1 AND (user_id = ?2 OR cohort = ?3)",
                params![new.quiz_id, new.user_id, new.cohort],
            )?;
            let id: i64 = tx.query_row(
                "INSERT INTO quiz_overrides (quiz_id, user_id, cohort, extra_time, extra_attempts, opens, closes, created_by, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id",
                params![
                    new.quiz_id,
                    new.user_id,
                    new.cohort,
                    new.extra_time,
                    new.extra_attempts,
                    new.opens,
                    new.closes,
                    by,
                    now
                ],
                |r| r.get(0),
            )?;
            Ok(Some(tx.query_row(
                &format!("SELECT {COLS} FROM quiz_overrides WHERE id = ?1"),
                [id],
                row,
            )?))
        })
        .await
    }

    /// The learner's own and cohort overrides at each of `quiz_ids`, in one read.
    pub async fn learner_overrides(
        &self,
        user_id: i64,
        quiz_ids: Vec<String>,
    ) -> Result<Vec<(String, Option<OverrideRow>, Option<OverrideRow>)>, StoreError> {
        self.read(move |c| {
            let mut out = Vec::with_capacity(quiz_ids.len());
            for q in quiz_ids {
                let (own, cohort) = overrides_of(c, user_id, &q)?;
                out.push((q, own, cohort));
            }
            Ok(out)
        })
        .await
    }

    pub async fn overrides(&self, quiz_id: String) -> Result<Vec<OverrideRow>, StoreError> {
        self.read(move |c| {
            let mut q = c.prepare(&format!("SELECT {COLS} FROM quiz_overrides WHERE quiz_id = ?1 ORDER BY id"))?;
            let rows = q.query_map([quiz_id], row)?.collect::<super::db::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .await
    }

    /// Whether an override was deleted.
    pub async fn delete_override(&self, quiz_id: String, id: i64) -> Result<bool, StoreError> {
        self.write(move |tx| Ok(tx.execute("DELETE FROM quiz_overrides WHERE quiz_id = ?1 AND id = ?2", params![quiz_id, id])? > 0))
            .await
    }
}
