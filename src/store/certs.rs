//! Exercise submissions, lesson reads, certificates, the records certification is
//! decided from, and server secrets.

use super::db::{Conn, Optional, Row, params};
use super::{Store, StoreError};
use crate::certify::Records;
use crate::certify::SubmissionStatus;
use crate::certify::submission::{self, Resubmit};

#[derive(Clone, Debug, serde::Serialize)]
pub struct SubmissionRow {
    pub id: String,
    pub user_id: i64,
    pub exercise_id: String,
    pub body: String,
    pub revision: u32,
    pub submitted_at: i64,
    pub status: SubmissionStatus,
    /// Per-dimension scores (rubric order), when graded.
    pub scores: Option<Vec<f64>>,
    pub total: Option<f64>,
    pub feedback: Option<String>,
    pub grader_id: Option<i64>,
    pub graded_at: Option<i64>,
}

const SUBMISSION_COLS: &str =
    "id, user_id, exercise_id, body, revision, submitted_at, status, scores, total, feedback, grader_id, graded_at";

fn row_submission(r: &Row) -> super::db::Result<SubmissionRow> {
    let scores: Option<String> = r.get(7)?;
    Ok(SubmissionRow {
        id: r.get(0)?,
        user_id: r.get(1)?,
        exercise_id: r.get(2)?,
        body: r.get(3)?,
        revision: r.get(4)?,
        submitted_at: r.get(5)?,
        status: r.get(6)?,
        scores: scores.and_then(|s| serde_json::from_str(&s).ok()),
        total: r.get(8)?,
        feedback: r.get(9)?,
        grader_id: r.get(10)?,
        graded_at: r.get(11)?,
    })
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct CertificateRow {
    pub id: String,
    pub user_id: i64,
    pub track_id: String,
    pub level_id: String,
    pub issued_at: i64,
    pub evidence: String,
    pub revoked_at: Option<i64>,
    pub revoke_reason: Option<String>,
    /// The holder's display name.
    pub holder: String,
    /// When it stops being valid, if its level expires.
    pub expires_at: Option<i64>,
    /// The last renewal.
    pub renewed_at: Option<i64>,
    /// Its entry in the published status lists: list number and index.
    pub status_list: i64,
    pub status_index: i64,
    /// The holder's email address ('' when none or erased), hashed into the credential.
    pub holder_email: String,
    /// Brought in from an earlier system by HR, not earned here.
    pub imported: bool,
    pub suspended_at: Option<i64>,
    pub suspend_reason: Option<String>,
}

impl CertificateRow {
    pub fn status(&self, now: i64) -> crate::certify::CertStatus {
        crate::certify::CertStatus::of(self.revoked_at, self.suspended_at, self.expires_at, now)
    }
}

/// Columns in `CERT_SELECT`; queries may append more after them.
pub(super) const CERT_COLUMNS: usize = 17;

pub(super) const CERT_SELECT: &str =
    "SELECT c.id, c.user_id, c.track_id, c.level_id, c.issued_at, c.evidence, c.revoked_at, c.revoke_reason,
            COALESCE(c.holder_name, u.display_name), c.expires_at, c.renewed_at, c.status_index, c.imported,
            c.suspended_at, c.suspend_reason, c.status_list, u.email
     FROM certificates c JOIN users u ON u.id = c.user_id";

/// Entries in one published status list.
pub const STATUS_LIST_ENTRIES: i64 = crate::certify::credential::status::LIST_ENTRIES as i64;

/// A free status entry: (list, index). Random within the newest list that has room,
/// so indexes do not reveal issue order; a full list opens the next one.
pub(crate) fn free_status_slot(tx: &Conn) -> super::db::Result<(i64, i64)> {
    free_slot_in(tx, STATUS_LIST_ENTRIES)
}

/// [`free_status_slot`] for lists of `capacity` entries (tests use small ones).
fn free_slot_in(tx: &Conn, capacity: i64) -> super::db::Result<(i64, i64)> {
    let mut list: i64 = tx
        .prepare_cached("SELECT COALESCE(MAX(status_list), 0) FROM certificates")?
        .query_row((), |r| r.get(0))?;
    let used: i64 = tx
        .prepare_cached("SELECT COUNT(*) FROM certificates WHERE status_list = ?1 AND status_index < ?2")?
        .query_row(params![list, capacity], |r| r.get(0))?;
    if used >= capacity {
        list += 1;
    }
    let mut taken = tx.prepare_cached("SELECT EXISTS (SELECT 1 FROM certificates WHERE status_list = ?1 AND status_index = ?2)")?;
    // Random probes find a slot at once while the list is not nearly full ...
    for _ in 0..32 {
        let i = (rand::random::<u64>() % capacity as u64) as i64;
        if !taken.query_row(params![list, i], |r| r.get::<_, bool>(0))? {
            return Ok((list, i));
        }
    }
    // ... and near the end one pass over the list picks a random free slot, so
    // allocation never loops however full it is.
    let mut used = vec![false; capacity as usize];
    let mut q = tx.prepare_cached("SELECT status_index FROM certificates WHERE status_list = ?1")?;
    for i in q.query_map([list], |r| r.get::<_, i64>(0))? {
        if let Some(u) = used.get_mut(i? as usize) {
            *u = true;
        }
    }
    let free: Vec<usize> = (0..used.len()).filter(|&i| !used[i]).collect();
    let i = free[(rand::random::<u64>() % free.len() as u64) as usize];
    Ok((list, i as i64))
}

/// One certificate to issue.
pub struct NewCertificate {
    pub level: String,
    pub id: String,
    pub evidence: String,
    pub expires_at: Option<i64>,
}

pub(super) fn row_cert(r: &Row) -> super::db::Result<CertificateRow> {
    Ok(CertificateRow {
        id: r.get(0)?,
        user_id: r.get(1)?,
        track_id: r.get(2)?,
        level_id: r.get(3)?,
        issued_at: r.get(4)?,
        evidence: r.get(5)?,
        revoked_at: r.get(6)?,
        revoke_reason: r.get(7)?,
        holder: r.get(8)?,
        expires_at: r.get(9)?,
        renewed_at: r.get(10)?,
        status_index: r.get(11)?,
        imported: r.get(12)?,
        suspended_at: r.get(13)?,
        suspend_reason: r.get(14)?,
        status_list: r.get(15)?,
        holder_email: r.get(16)?,
    })
}

pub enum SaveSubmission {
    Saved(SubmissionRow),
    /// Graded work is final: the stored submission, unchanged.
    AlreadyGraded(SubmissionRow),
}

/// Reads everything certification is decided from, in one snapshot. Best quiz,
/// scenario and team session results come from `best_scores` (one row per item, kept
/// by `record_result`), so the cost does not grow with the learner's number of attempts.
pub(crate) fn records(c: &Conn, user_id: i64, track_id: &str) -> super::db::Result<Records> {
    let mut rec = Records::default();
    let mut q = c.prepare_cached("SELECT kind, item_id, best FROM best_scores WHERE user_id = ?1")?;
    for row in q.query_map([user_id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, f64>(2)?))
    })? {
        let (kind, item, best) = row?;
        match kind.as_str() {
            "quiz" => rec.quiz_best.insert(item, best),
            "scenario" => rec.scenario_best.insert(item, best),
            "team" => rec.team_best.insert(item, best),
            _ => None,
        };
    }
    others_since(c, user_id, track_id, i64::MIN, &mut rec)?;
    Ok(rec)
}

/// Like [`records`], counting only results achieved at or after `since` (renewal windows).
/// Team session results are left out: they are kept as bests without a date, and a
/// renewal cannot require them (the track's parser refuses `team_scenarios` there).
pub(crate) fn records_since(c: &Conn, user_id: i64, track_id: &str, since: i64) -> super::db::Result<Records> {
    let mut rec = Records::default();
    let mut q = c.prepare_cached(
        "SELECT quiz_id, MAX(percent) FROM attempts WHERE user_id = ?1 AND status = 'graded' AND submitted_at >= ?2 GROUP BY quiz_id",
    )?;
    for row in q.query_map(params![user_id, since], |r| Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?)))? {
        let (k, v) = row?;
        rec.quiz_best.insert(k, v);
    }
    let mut q = c.prepare_cached(
        "SELECT scenario_id, MAX(score) FROM runs WHERE user_id = ?1 AND status = 'finished' AND finished_at >= ?2 GROUP BY scenario_id",
    )?;
    for row in q.query_map(params![user_id, since], |r| Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?)))? {
        let (k, v) = row?;
        rec.scenario_best.insert(k, v);
    }
    others_since(c, user_id, track_id, since, &mut rec)?;
    Ok(rec)
}

/// Exercise grades, lesson reads and held levels: the records that are one row per item.
fn others_since(c: &Conn, user_id: i64, track_id: &str, since: i64, rec: &mut Records) -> super::db::Result<()> {
    let mut q =
        c.prepare_cached("SELECT exercise_id, total FROM submissions WHERE user_id = ?1 AND status = 'graded' AND graded_at >= ?2")?;
    for row in q.query_map(params![user_id, since], |r| Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?)))? {
        let (k, v) = row?;
        rec.exercise_score.insert(k, v);
    }
    let mut q = c.prepare_cached("SELECT lesson_id FROM lesson_reads WHERE user_id = ?1")?;
    for row in q.query_map([user_id], |r| r.get::<_, String>(0))? {
        rec.read.insert(row?);
    }
    let mut q = c.prepare_cached("SELECT level_id FROM certificates WHERE user_id = ?1 AND track_id = ?2")?;
    for row in q.query_map(params![user_id, track_id], |r| r.get::<_, String>(0))? {
        rec.held.insert(row?);
    }
    Ok(())
}

/// What a learner has, as certification rules ask for it: read in the snapshot or the
/// transaction the caller is in.
pub trait Evidence {
    /// Results achieved at or after `since` (`i64::MIN`: all of them).
    fn records_since(&mut self, since: i64) -> Result<Records, StoreError>;
    /// The learner's certificates, oldest first.
    fn held(&mut self) -> Result<Vec<CertificateRow>, StoreError>;
}

/// Which certificates to issue and which to renew (id, new expiry), as the rules decide.
#[derive(Default)]
pub struct Decision {
    pub issue: Vec<NewCertificate>,
    pub renew: Vec<(String, i64)>,
}

/// The certification rule, handed to the write that may complete a requirement so the
/// certificate is issued in the same transaction. The rule itself lives in the app layer.
pub struct Certifier {
    pub track_id: String,
    pub decide: Decide,
    /// The quizzes whose results the rule reads: another quiz's grade cannot complete a
    /// level, so grading it skips the rule (and its reads).
    pub quizzes: std::collections::HashSet<String>,
}

impl Certifier {
    /// Whether a grade at the quiz can change the rule's decision.
    pub fn reads_quiz(&self, quiz_id: &str) -> bool {
        self.quizzes.contains(quiz_id)
    }
}

/// The rule's decision from a learner's evidence.
pub type Decide = Box<dyn Fn(&mut dyn Evidence) -> Result<Decision, StoreError> + Send>;

pub(super) struct ConnEvidence<'a, 'c> {
    pub(super) c: &'a Conn<'c>,
    pub(super) user_id: i64,
    pub(super) track_id: &'a str,
}

impl Evidence for ConnEvidence<'_, '_> {
    fn records_since(&mut self, since: i64) -> Result<Records, StoreError> {
        Ok(if since == i64::MIN {
            records(self.c, self.user_id, self.track_id)?
        } else {
            records_since(self.c, self.user_id, self.track_id, since)?
        })
    }
    fn held(&mut self) -> Result<Vec<CertificateRow>, StoreError> {
        certificates_of(self.c, self.user_id)
    }
}

/// A learner's answers to every exercise, in exercise order.
pub(super) fn submissions_of(c: &Conn, user_id: i64) -> super::db::Result<Vec<SubmissionRow>> {
    c.prepare_cached(&format!(
        "SELECT {SUBMISSION_COLS} FROM submissions WHERE user_id = ?1 ORDER BY exercise_id"
    ))?
    .query_map([user_id], row_submission)?
    .collect()
}

pub(super) fn certificates_of(c: &Conn, user_id: i64) -> Result<Vec<CertificateRow>, StoreError> {
    let mut q = c.prepare_cached(&format!("{CERT_SELECT} WHERE c.user_id = ?1 ORDER BY c.issued_at, c.id"))?;
    let rows = q.query_map([user_id], row_cert)?.collect::<super::db::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Runs the certification rule for `user_id` inside the transaction `tx` and applies
/// its decision; returns the certificates issued or renewed.
pub(super) fn certify_in(tx: &Conn, user_id: i64, certifier: &Certifier, now: i64) -> Result<Vec<CertificateRow>, StoreError> {
    let decision = (certifier.decide)(&mut ConnEvidence {
        c: tx,
        user_id,
        track_id: &certifier.track_id,
    })?;
    let mut changed = issue_in(tx, user_id, &certifier.track_id, decision.issue, now)?;
    for (id, expires_at) in decision.renew {
        changed.extend(renew_in(tx, &id, expires_at, now)?);
    }
    for c in &changed {
        tracing::info!(user_id, level = %c.level_id, certificate = %c.id, expires_at = c.expires_at, "certificate issued or renewed");
    }
    Ok(changed)
}

/// Runs `certifier` when there is one (a course with a track).
pub(super) fn certify_opt(tx: &Conn, user_id: i64, certifier: Option<&Certifier>, now: i64) -> Result<Vec<CertificateRow>, StoreError> {
    match certifier {
        Some(c) => certify_in(tx, user_id, c, now),
        None => Ok(Vec::new()),
    }
}

/// Extends a certificate to `expires_at` (same id); `None` if it is revoked or gone.
fn renew_in(tx: &Conn, id: &str, expires_at: i64, now: i64) -> Result<Option<CertificateRow>, StoreError> {
    let n = tx
        .prepare_cached(
            "UPDATE certificates SET expires_at = ?2, renewed_at = ?3, reminded_for = NULL WHERE id = ?1 AND revoked_at IS NULL",
        )?
        .execute(params![id, expires_at, now])?;
    if n == 0 {
        return Ok(None);
    }
    Ok(Some(
        tx.prepare_cached(&format!("{CERT_SELECT} WHERE c.id = ?1"))?
            .query_row([id], row_cert)?,
    ))
}

/// Issues the given levels that the learner does not hold yet. Idempotent: the
/// unique key turns repeats into no-ops.
fn issue_in(tx: &Conn, user_id: i64, track_id: &str, levels: Vec<NewCertificate>, now: i64) -> Result<Vec<CertificateRow>, StoreError> {
    let mut issued = Vec::new();
    if !levels.is_empty() {
        super::lock_shared_rows(tx)?;
    }
    for c in levels {
        let (list, slot) = free_status_slot(tx)?;
        let n = tx
            .prepare_cached(
                "INSERT INTO certificates (id, user_id, track_id, level_id, issued_at, evidence, expires_at, status_list, status_index)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT DO NOTHING",
            )?
            .execute(params![c.id, user_id, track_id, c.level, now, c.evidence, c.expires_at, list, slot])?;
        if n == 1 {
            issued.push(
                tx.prepare_cached(&format!("{CERT_SELECT} WHERE c.id = ?1"))?
                    .query_row([&c.id], row_cert)?,
            );
        }
    }
    Ok(issued)
}

impl Store {
    pub async fn submission(&self, user_id: i64, exercise_id: String) -> Result<Option<SubmissionRow>, StoreError> {
        self.read(move |c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {SUBMISSION_COLS} FROM submissions WHERE user_id = ?1 AND exercise_id = ?2"
            ))?
            .query_row(params![user_id, exercise_id], row_submission)
            .optional()?)
        })
        .await
    }

    pub async fn submission_by_id(&self, id: String) -> Result<Option<SubmissionRow>, StoreError> {
        self.read(move |c| {
            Ok(
                c.prepare_cached(&format!("SELECT {SUBMISSION_COLS} FROM submissions WHERE id = ?1"))?
                    .query_row([id], row_submission)
                    .optional()?,
            )
        })
        .await
    }

    /// Saves a learner's answer, creating it or revising it while ungraded.
    pub async fn save_submission(
        &self,
        user_id: i64,
        exercise_id: String,
        body: String,
        new_id: String,
        now: i64,
    ) -> Result<SaveSubmission, StoreError> {
        self.write(move |tx| {
            let get = |tx: &Conn| {
                tx.prepare_cached(&format!("SELECT {SUBMISSION_COLS} FROM submissions WHERE user_id = ?1 AND exercise_id = ?2"))?
                    .query_row(params![user_id, exercise_id], row_submission)
                    .optional()
            };
            let current = get(tx)?;
            match submission::on_submit(current.as_ref().map(|s| (s.status, s.body == body))) {
                Resubmit::Refuse => return Ok(SaveSubmission::AlreadyGraded(current.ok_or(super::db::Error::NoRows)?)),
                Resubmit::Unchanged => return Ok(SaveSubmission::Saved(current.ok_or(super::db::Error::NoRows)?)),
                Resubmit::Revise => {
                    tx.prepare_cached(
                        "UPDATE submissions SET body = ?3, revision = revision + 1, submitted_at = ?4 WHERE user_id = ?1 AND exercise_id = ?2 AND status = 'submitted'",
                    )?
                    .execute(params![user_id, exercise_id, body, now])?;
                }
                Resubmit::Create => {
                    tx.prepare_cached(
                        "INSERT INTO submissions (id, user_id, exercise_id, body, submitted_at, status) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    )?
                    .execute(params![new_id, user_id, exercise_id, body, now, SubmissionStatus::Submitted])?;
                }
            }
            Ok(SaveSubmission::Saved(get(tx)?.ok_or(super::db::Error::NoRows)?))
        })
        .await
    }

    /// Ungraded submissions, oldest first, with the learner's display name.
    pub async fn grading_queue(&self, status: SubmissionStatus) -> Result<Vec<(SubmissionRow, String)>, StoreError> {
        self.read(move |c| {
            let mut q = c.prepare_cached(
                "SELECT s.id, s.user_id, s.exercise_id, s.body, s.revision, s.submitted_at, s.status, s.scores, s.total, s.feedback, s.grader_id, s.graded_at, u.display_name
                 FROM submissions s JOIN users u ON u.id = s.user_id WHERE s.status = ?1 ORDER BY s.submitted_at, s.id LIMIT 500",
            )?;
            let rows = q.query_map(params![status], |r| Ok((row_submission(r)?, r.get::<_, String>(12)?)))?.collect::<super::db::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .await
    }

    /// Records a grade on the rubric.
    pub async fn grade_submission(
        &self,
        id: String,
        (scores, total, feedback): (Vec<f64>, f64, String),
        grader_id: i64,
        now: i64,
        certify: Option<Certifier>,
    ) -> Result<Option<(SubmissionRow, Vec<CertificateRow>)>, StoreError> {
        self.write(move |tx| {
            let n = tx
                .prepare_cached("UPDATE submissions SET status = ?7, scores = ?2, total = ?3, feedback = ?4, grader_id = ?5, graded_at = ?6 WHERE id = ?1")?
                .execute(params![
                    id,
                    serde_json::to_string(&scores).unwrap_or_default(),
                    total,
                    feedback,
                    grader_id,
                    now,
                    submission::on_grade(SubmissionStatus::Submitted)
                ])?;
            if n == 0 {
                return Ok(None);
            }
            let graded = tx.prepare_cached(&format!("SELECT {SUBMISSION_COLS} FROM submissions WHERE id = ?1"))?.query_row([id], row_submission)?;
            let issued = certify_opt(tx, graded.user_id, certify.as_ref(), now)?;
            Ok(Some((graded, issued)))
        })
        .await
    }

    /// Marks a lesson read (once; the first time is kept).
    /// Returns the certificates that completes. A repeat writes nothing.
    pub async fn mark_read(
        &self,
        user_id: i64,
        lesson_id: String,
        now: i64,
        certify: Option<Certifier>,
    ) -> Result<Vec<CertificateRow>, StoreError> {
        self.write(move |tx| {
            let n = tx
                .prepare_cached("INSERT INTO lesson_reads (user_id, lesson_id, read_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING")?
                .execute(params![user_id, lesson_id, now])?;
            if n == 0 {
                return Ok(Vec::new());
            }
            super::hr::touch_active(tx, user_id, now)?;
            certify_opt(tx, user_id, certify.as_ref(), now)
        })
        .await
    }

    pub async fn records(&self, user_id: i64, track_id: String) -> Result<Records, StoreError> {
        self.read(move |c| Ok(records(c, user_id, &track_id)?)).await
    }

    /// Runs `f` over the learner's evidence in one read snapshot (progress pages: no write).
    pub async fn with_evidence<R, F>(&self, user_id: i64, track_id: String, f: F) -> Result<R, StoreError>
    where
        F: FnOnce(&mut dyn Evidence) -> Result<R, StoreError> + Send + 'static,
        R: Send + 'static,
    {
        self.read(move |c| {
            c.snapshot(|| {
                f(&mut ConnEvidence {
                    c,
                    user_id,
                    track_id: &track_id,
                })
            })
        })
        .await
    }

    /// Issues and renews what the rule decides for `user_id`, in one write (the start-up
    /// sweep and course reloads; everyday writes certify in their own transaction).
    pub async fn certify(&self, user_id: i64, certifier: Certifier, now: i64) -> Result<Vec<CertificateRow>, StoreError> {
        self.write(move |tx| certify_in(tx, user_id, &certifier, now)).await
    }

    pub async fn certificate(&self, id: String) -> Result<Option<CertificateRow>, StoreError> {
        self.read(move |c| {
            Ok(c.prepare_cached(&format!("{CERT_SELECT} WHERE c.id = ?1"))?
                .query_row([id], row_cert)
                .optional()?)
        })
        .await
    }

    pub async fn certificates_of(&self, user_id: i64) -> Result<Vec<CertificateRow>, StoreError> {
        self.read(move |c| certificates_of(c, user_id)).await
    }

    /// The slots of list 0 revoked (`revocation`) or suspended (`suspension`): the
    /// one-bit lists that credentials issued before the two-bit lists point at.
    pub async fn legacy_status_slots(&self, purpose: &'static str) -> Result<Vec<u64>, StoreError> {
        let column = if purpose == "suspension" { "suspended_at" } else { "revoked_at" };
        self.read(move |c| {
            let mut q = c.prepare_cached(&format!(
                "SELECT status_index FROM certificates WHERE {column} IS NOT NULL AND status_list = 0 AND status_index IS NOT NULL"
            ))?;
            let rows = q.query_map((), |r| r.get::<_, i64>(0))?.collect::<super::db::Result<Vec<_>>>()?;
            Ok(rows.into_iter().map(|i| i as u64).collect())
        })
        .await
    }

    /// Every entry of status list `list` that is not valid: (index, revoked, suspended).
    /// `None` when no certificate has an entry in that list.
    pub async fn status_list_entries(&self, list: i64) -> Result<Option<Vec<(u64, bool, bool)>>, StoreError> {
        self.read(move |c| {
            let exists: bool = c
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM certificates WHERE status_list = ?1)")?
                .query_row([list], |r| r.get(0))?;
            if !exists {
                return Ok(None);
            }
            let mut q = c.prepare_cached(
                "SELECT status_index, revoked_at IS NOT NULL, suspended_at IS NOT NULL FROM certificates
                 WHERE status_list = ?1 AND (revoked_at IS NOT NULL OR suspended_at IS NOT NULL)",
            )?;
            let rows = q
                .query_map([list], |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?, r.get(2)?)))?
                .collect::<super::db::Result<Vec<_>>>()?;
            Ok(Some(rows))
        })
        .await
    }

    /// Suspends (with a reason) or reinstates (`None`) every listed certificate, all or
    /// none: the ids that do not exist come back as the error.
    pub async fn set_suspension(
        &self,
        ids: Vec<String>,
        reason: Option<String>,
        actor: i64,
        now: i64,
    ) -> Result<Result<usize, Vec<String>>, StoreError> {
        self.write(move |tx| {
            let mut exists = tx.prepare_cached("SELECT EXISTS (SELECT 1 FROM certificates WHERE id = ?1)")?;
            let mut missing = Vec::new();
            for id in &ids {
                if !exists.query_row([id], |r| r.get::<_, bool>(0))? {
                    missing.push(id.clone());
                }
            }
            if !missing.is_empty() {
                return Ok(Err(missing));
            }
            let mut q = tx.prepare_cached(
                "UPDATE certificates SET suspended_at = CASE WHEN CAST(?2 AS TEXT) IS NULL THEN NULL ELSE COALESCE(suspended_at, ?3) END,
                   suspend_reason = ?2 WHERE id = ?1",
            )?;
            let action = if reason.is_some() {
                "suspend-certificate"
            } else {
                "reinstate-certificate"
            };
            for id in &ids {
                q.execute(params![id, reason, now])?;
                super::certops::audit(
                    tx,
                    Some(actor),
                    action,
                    &format!("certificate:{id}"),
                    reason.as_deref().unwrap_or(""),
                    now,
                )?;
            }
            Ok(Ok(ids.len()))
        })
        .await
    }

    /// Revokes every listed certificate with one reason, all or none: the ids that do
    /// not exist come back as the error.
    pub async fn revoke_many(
        &self,
        ids: Vec<String>,
        reason: String,
        actor: i64,
        now: i64,
    ) -> Result<Result<usize, Vec<String>>, StoreError> {
        self.write(move |tx| {
            let missing: Vec<String> = ids
                .iter()
                .filter(|id| {
                    !tx.query_row("SELECT EXISTS (SELECT 1 FROM certificates WHERE id = ?1)", [id], |r| {
                        r.get::<_, bool>(0)
                    })
                    .unwrap_or(false)
                })
                .cloned()
                .collect();
            if !missing.is_empty() {
                return Ok(Err(missing));
            }
            let mut q =
                tx.prepare_cached("UPDATE certificates SET revoked_at = COALESCE(revoked_at, ?2), revoke_reason = ?3 WHERE id = ?1")?;
            for id in &ids {
                q.execute(params![id, now, reason])?;
                super::certops::audit(tx, Some(actor), "revoke-certificate", &format!("certificate:{id}"), &reason, now)?;
            }
            Ok(Ok(ids.len()))
        })
        .await
    }

    /// Revokes a certificate; false if there is no such certificate.
    pub async fn revoke_certificate(&self, id: String, reason: String, actor: i64, now: i64) -> Result<bool, StoreError> {
        self.write(move |tx| {
            let found = tx
                .prepare_cached("UPDATE certificates SET revoked_at = COALESCE(revoked_at, ?2), revoke_reason = ?3 WHERE id = ?1")?
                .execute(params![id, now, reason])?
                == 1;
            if found {
                super::certops::audit(tx, Some(actor), "revoke-certificate", &format!("certificate:{id}"), &reason, now)?;
            }
            Ok(found)
        })
        .await
    }

    /// A named secret, created with `make` and stored on first use.
    pub fn secret_blocking(
        &self,
        name: &'static str,
        make: impl FnOnce() -> Vec<u8> + Send + 'static,
        now: i64,
    ) -> Result<Vec<u8>, StoreError> {
        self.write_blocking(move |tx| {
            if let Some(v) = tx
                .query_row("SELECT value FROM secrets WHERE name = ?1", [name], |r| r.get::<_, Vec<u8>>(0))
                .optional()?
            {
                return Ok(v);
            }
            let v = make();
            tx.execute(
                "INSERT INTO secrets (name, value, created_at) VALUES (?1, ?2, ?3)",
                params![name, v, now],
            )?;
            Ok(v)
        })
    }

    /// A server secret, if it has been made (reading never creates one).
    pub fn existing_secret_blocking(&self, name: &'static str) -> Result<Option<Vec<u8>>, StoreError> {
        self.read_blocking(move |c| {
            Ok(
                c.query_row("SELECT value FROM secrets WHERE name = ?1", [name], |r| r.get::<_, Vec<u8>>(0))
                    .optional()?,
            )
        })
    }

    /// Learners with any graded activity: whom a startup sweep re-evaluates.
    pub async fn active_learners(&self) -> Result<Vec<i64>, StoreError> {
        self.read(|c| {
            let mut q = c.prepare(
                "SELECT user_id FROM attempts WHERE status = 'graded' UNION SELECT user_id FROM runs WHERE status = 'finished'
                 UNION SELECT user_id FROM submissions WHERE status = 'graded' UNION SELECT user_id FROM lesson_reads",
            )?;
            let rows = q.query_map((), |r| r.get(0))?.collect::<super::db::Result<Vec<i64>>>()?;
            Ok(rows)
        })
        .await
    }
}

/// `submissions.status` is TEXT: `submitted` or `graded`.
impl super::db::ToParam for SubmissionStatus {
    fn to_value(&self) -> super::db::Value {
        super::db::Value::Text(self.as_str().into())
    }
}

impl super::db::FromCol for SubmissionStatus {
    fn from_value(v: super::db::Value) -> Result<Self, String> {
        let s = String::from_value(v)?;
        SubmissionStatus::parse(&s).ok_or_else(|| format!("unknown submission status {s:?}"))
    }
}

#[cfg(test)]
mod slot_tests {
    use super::*;
    use crate::store::{Role, upsert_user};

    fn store() -> (tempfile::TempDir, crate::store::Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::Store::open(&dir.path().join("t.db")).unwrap();
        store.write_blocking(|tx| upsert_user(tx, "u", "u", Role::Learner, "h", 0)).unwrap();
        (dir, store)
    }

    fn insert(tx: &Conn, n: usize, list: i64, index: i64) -> crate::store::db::Result<()> {
        tx.prepare_cached(
            "INSERT INTO certificates (id, user_id, track_id, level_id, issued_at, evidence, status_list, status_index)
             VALUES (?1, 1, 't', ?1, 0, '{}', ?2, ?3)",
        )?
        .execute(params![format!("c{n}"), list, index])?;
        Ok(())
    }

    #[test]
    fn a_full_list_opens_the_next_and_every_slot_is_used_once() {
        let (_dir, store) = store();
        let slots = store
            .write_blocking(|tx| {
                let mut slots = Vec::new();
                for n in 0..20 {
                    let (list, i) = free_slot_in(tx, 8)?;
                    insert(tx, n, list, i)?;
                    slots.push((list, i));
                }
                Ok(slots)
            })
            .unwrap();
        let mut sorted = slots.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 20, "unique slots: {slots:?}");
        for (k, (list, i)) in slots.iter().enumerate() {
            assert_eq!(*list, (k / 8) as i64, "the {k}th certificate");
            assert!((0..8).contains(i));
        }
    }

    #[test]
    fn the_last_free_entry_of_a_real_list_is_found_and_then_list_1_begins() {
        let (_dir, store) = store();
        let last = 70_001;
        let (before, after) = store
            .write_blocking(move |tx| {
                for i in 0..STATUS_LIST_ENTRIES {
                    if i != last {
                        insert(tx, i as usize, 0, i)?;
                    }
                }
                let before = free_status_slot(tx)?;
                insert(tx, usize::MAX, before.0, before.1)?;
                Ok((before, free_status_slot(tx)?))
            })
            .unwrap();
        assert_eq!(before, (0, last));
        assert_eq!(after.0, 1);
        assert!((0..STATUS_LIST_ENTRIES).contains(&after.1));
    }
}
