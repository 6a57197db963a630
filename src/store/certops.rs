//! Certification operations on people's records: HR's import of earlier
//! certificates, the expiry list and reminders, a learner's data export and erasure
//! (个人信息保护法), and the audit log of these actions.

use super::certs::{CERT_COLUMNS, CERT_SELECT, free_status_slot, row_cert};
use super::db::{Conn, Optional, Row, Value as DbValue, params};
use super::hr::Groups;
use super::{CertificateRow, Store, StoreError};
use crate::certify::import::ImportedCertificate;
use crate::i18n::Msg;
use serde_json::{Map, Value, json};

/// A certificate with the holder's groups and address, for HR's lists and reminders.
#[derive(Clone, Debug)]
pub struct HeldCertificate {
    pub cert: CertificateRow,
    pub username: String,
    pub cohort: String,
    pub department: String,
    pub email: String,
}

/// Which certificates an HR list or bulk download covers. With an expiry bound,
/// only certificates that expire; revoked ones never.
#[derive(Clone, Debug, Default)]
pub struct CertFilter {
    /// Expiring at or after (ms).
    pub from: Option<i64>,
    /// Expiring at or before (ms).
    pub to: Option<i64>,
    pub level: Option<String>,
    pub cohort: Option<String>,
    pub department: Option<String>,
}

/// One entry of the audit log.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    /// Unix ms.
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor: Option<String>,
    pub action: String,
    pub target: String,
    pub detail: String,
}

/// What erasing a learner removed.
#[derive(Clone, Debug, Default, serde::Serialize, utoipa::ToSchema)]
pub struct Erased {
    pub attempts: usize,
    pub runs: usize,
    pub submissions: usize,
    pub lesson_reads: usize,
    pub sessions: usize,
    /// Certificates kept, with only what verification needs (holder name, level, dates, status).
    pub certificates_kept: usize,
}

const HELD_SELECT: &str = "u.username, u.cohort, u.department, u.email";

fn held(c: &Conn, sql: &str, args: &[&dyn super::db::ToParam]) -> super::db::Result<Vec<HeldCertificate>> {
    let mut q = c.prepare_cached(sql)?;
    q.query_map(args, |r| {
        Ok(HeldCertificate {
            cert: row_cert(r)?,
            username: r.get(CERT_COLUMNS)?,
            cohort: r.get(CERT_COLUMNS + 1)?,
            department: r.get(CERT_COLUMNS + 2)?,
            email: r.get(CERT_COLUMNS + 3)?,
        })
    })?
    .collect()
}

/// Records an action on people's records, inside the transaction that performs it.
pub(crate) fn audit(tx: &Conn, actor: Option<i64>, action: &str, target: &str, detail: &str, now: i64) -> super::db::Result<()> {
    tx.prepare_cached("INSERT INTO audit_log (at, actor_id, action, target, detail) VALUES (?1, ?2, ?3, ?4, ?5)")?
        .execute(params![now, actor, action, target, detail])?;
    Ok(())
}

/// The columns of a row as a JSON object; text that holds JSON (answers, results,
/// evidence) is embedded as JSON rather than as a string.
fn row_json(r: &Row, names: &[String]) -> super::db::Result<Value> {
    let mut m = Map::new();
    for (i, name) in names.iter().enumerate() {
        let v = match r.value(i)? {
            DbValue::Null => Value::Null,
            DbValue::Int(n) => json!(n),
            DbValue::Real(x) => json!(x),
            DbValue::Text(s) => match s.trim_start().chars().next() {
                Some('{' | '[') => serde_json::from_str(&s).unwrap_or(Value::String(s)),
                _ => Value::String(s),
            },
            DbValue::Blob(b) => json!(format!("{} bytes", b.len())),
        };
        m.insert(name.clone(), v);
    }
    Ok(Value::Object(m))
}

fn rows_json(c: &Conn, sql: &str, user_id: i64) -> super::db::Result<Vec<Value>> {
    let mut q = c.prepare(sql)?;
    let names: Vec<String> = q.column_names();
    q.query_map([user_id], |r| row_json(r, &names))?.collect()
}

impl Store {
    /// Imports checked rows as certificates marked imported, all or none: a learner
    /// that does not exist or already holds the level fails the whole file, with its
    /// line, as does any row the file check refused (`refused`: then the rows are only
    /// checked, and `Err` holds this check's problems, perhaps none). Every problem
    /// comes back with its line, in line order, as a message the caller says in the
    /// course's language.
    pub async fn import_certificates(
        &self,
        track_id: String,
        rows: Vec<ImportedCertificate>,
        ids: Vec<String>,
        refused: bool,
        actor: i64,
        now: i64,
    ) -> Result<Result<Vec<String>, Vec<(u64, Msg)>>, StoreError> {
        self.write(move |tx| {
            let mut errors = Vec::new();
            let mut users = Vec::with_capacity(rows.len());
            for row in &rows {
                let user: Option<(i64, String, Option<i64>)> = tx
                    .prepare_cached("SELECT id, role, erased_at FROM users WHERE username = ?1")?
                    .query_row([&row.username], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .optional()?;
                let reason = match user {
                    None | Some((_, _, Some(_))) => Some(crate::msg!("certops-import-no-such-learner", learner = &row.username)),
                    Some((_, ref role, _)) if role != "learner" => {
                        Some(crate::msg!("certops-import-not-a-learner", learner = &row.username))
                    }
                    Some((id, _, _)) => {
                        let held: Option<String> = tx
                            .prepare_cached("SELECT id FROM certificates WHERE user_id = ?1 AND track_id = ?2 AND level_id = ?3")?
                            .query_row(params![id, track_id, row.level], |r| r.get(0))
                            .optional()?;
                        users.push(id);
                        held.map(|c| crate::msg!("certops-import-already-held", learner = &row.username, certificate = c))
                    }
                };
                if let Some(reason) = reason {
                    errors.push((row.line, reason));
                }
            }
            if refused || !errors.is_empty() {
                errors.sort_by_key(|e| e.0);
                return Ok(Err(errors));
            }
            let mut insert = tx.prepare_cached(
                "INSERT INTO certificates (id, user_id, track_id, level_id, issued_at, evidence, expires_at, status_list, status_index, imported)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1)",
            )?;
            for ((row, user_id), id) in rows.iter().zip(&users).zip(&ids) {
                let evidence =
                    json!({ "imported": true, "note": row.note, "imported_by": actor, "imported_at": now, "csv_line": row.line });
                let (list, slot) = free_status_slot(tx)?;
                insert.execute(params![
                    id,
                    user_id,
                    track_id,
                    row.level,
                    row.issued_at,
                    evidence.to_string(),
                    row.expires_at,
                    list,
                    slot
                ])?;
            }
            audit(
                tx,
                Some(actor),
                "import-certificates",
                &format!("track:{track_id}"),
                &format!("{} imported", ids.len()),
                now,
            )?;
            Ok(Ok(ids))
        })
        .await
    }

    /// Certificates (not revoked) matching the filter, soonest expiry first.
    pub async fn certificates_where(&self, f: CertFilter) -> Result<Vec<HeldCertificate>, StoreError> {
        self.read(move |c| Ok(certificates_where(c, &f)?)).await
    }

    /// [`Store::certificates_where`] and the learners' cohorts and departments (for
    /// the filter form), in one snapshot.
    pub async fn certificates_and_groups(&self, f: CertFilter) -> Result<(Vec<HeldCertificate>, Groups), StoreError> {
        self.read(move |c| c.snapshot(|| Ok((certificates_where(c, &f)?, super::hr::groups_of(c)?))))
            .await
    }

    /// Certificates whose reminder for their current expiry date has not gone out,
    /// expiring after `now` and no later than `horizon`.
    pub async fn reminder_candidates(&self, now: i64, horizon: i64) -> Result<Vec<HeldCertificate>, StoreError> {
        self.read(move |c| {
            let sql = fix_held_sql(&format!(
                "{CERT_SELECT} WHERE c.revoked_at IS NULL AND u.erased_at IS NULL AND c.expires_at > ?1 AND c.expires_at <= ?2
                   AND (c.reminded_for IS NULL OR c.reminded_for != c.expires_at) ORDER BY c.expires_at"
            ));
            Ok(held(c, &sql, &[&now, &horizon])?)
        })
        .await
    }

    /// Logs that a claimed reminder went out (the claim set `reminded_for`; a renewal
    /// moves the expiry, so the next expiry gets its own reminder).
    pub async fn reminder_sent(&self, id: String, now: i64) -> Result<(), StoreError> {
        self.write(move |tx| Ok(audit(tx, None, "expiry-reminder", &format!("certificate:{id}"), "email sent", now)?))
            .await
    }

    /// Claims the reminder for the expiry `expires_at` of certificate `id` before it is
    /// sent: true for exactly one caller, however many servers run the job at once.
    pub async fn claim_reminder(&self, id: String, expires_at: i64) -> Result<bool, StoreError> {
        self.write(move |tx| {
            Ok(tx
                .prepare_cached("UPDATE certificates SET reminded_for = ?2 WHERE id = ?1 AND (reminded_for IS NULL OR reminded_for <> ?2)")?
                .execute(params![id, expires_at])?
                == 1)
        })
        .await
    }

    /// Gives a claimed reminder back when it could not be sent, so the next run tries again.
    pub async fn release_reminder(&self, id: String, expires_at: i64) -> Result<(), StoreError> {
        self.write(move |tx| {
            tx.prepare_cached("UPDATE certificates SET reminded_for = NULL WHERE id = ?1 AND reminded_for = ?2")?
                .execute(params![id, expires_at])?;
            Ok(())
        })
        .await
    }

    /// Records an action (revocation, export) in the audit log.
    pub async fn record_audit(&self, actor: i64, action: &'static str, target: String, detail: String, now: i64) -> Result<(), StoreError> {
        self.write(move |tx| Ok(audit(tx, Some(actor), action, &target, &detail, now)?))
            .await
    }

    /// The newest audit entries.
    pub async fn audit_log(&self, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
        self.read(move |c| {
            let mut q = c.prepare_cached(
                "SELECT a.id, a.at, a.actor_id, u.username, a.action, a.target, a.detail
                 FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id ORDER BY a.id DESC LIMIT ?1",
            )?;
            let rows = q
                .query_map([limit], |r| {
                    Ok(AuditEntry {
                        id: r.get(0)?,
                        at: r.get(1)?,
                        actor_id: r.get(2)?,
                        actor: r.get(3)?,
                        action: r.get(4)?,
                        target: r.get(5)?,
                        detail: r.get(6)?,
                    })
                })?
                .collect::<super::db::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .await
    }

    /// Everything stored about one user, table by table (个人信息保护法 access right).
    /// Session tokens are left out: they are credentials, not information about the person.
    pub async fn personal_data(&self, user_id: i64) -> Result<Value, StoreError> {
        self.read(move |c| {
            let one = |sql: &str| -> super::db::Result<Value> { Ok(rows_json(c, sql, user_id)?.into_iter().next().unwrap_or(Value::Null)) };
            Ok(json!({
                "account": one("SELECT id, username, display_name, role, email, cohort, department, created_at, first_active_at FROM users WHERE id = ?1")?,
                "sessions": rows_json(c, "SELECT created_at, expires_at FROM sessions WHERE user_id = ?1 ORDER BY created_at", user_id)?,
                "lesson_reads": rows_json(c, "SELECT lesson_id, read_at FROM lesson_reads WHERE user_id = ?1 ORDER BY read_at", user_id)?,
                "attempts": rows_json(c, "SELECT id, quiz_id, status, seed, started_at, deadline_at, submitted_at, question_ids, answers, saved_answers, late_answers, score, max_score, percent, passed, result FROM attempts WHERE user_id = ?1 ORDER BY started_at", user_id)?,
                "runs": rows_json(c, "SELECT id, scenario_id, version, seed, status, decisions, rounds_played, started_at, updated_at, finished_at, score, result FROM runs WHERE user_id = ?1 ORDER BY started_at", user_id)?,
                "submissions": rows_json(c, "SELECT id, exercise_id, body, revision, submitted_at, status, scores, total, feedback, graded_at FROM submissions WHERE user_id = ?1 ORDER BY submitted_at", user_id)?,
                "best_scores": rows_json(c, "SELECT kind, item_id, best FROM best_scores WHERE user_id = ?1 ORDER BY kind, item_id", user_id)?,
                "certificates": rows_json(c, "SELECT id, track_id, level_id, issued_at, expires_at, renewed_at, revoked_at, revoke_reason, imported, evidence FROM certificates WHERE user_id = ?1 ORDER BY issued_at", user_id)?,
                "quiz_overrides": rows_json(c, "SELECT quiz_id, extra_time, extra_attempts, opens, closes, created_at FROM quiz_overrides WHERE user_id = ?1", user_id)?,
                "team_sessions": rows_json(c, "SELECT m.session_id, s.title, s.scenario_id, m.team, m.roles, m.captain FROM session_members m JOIN team_sessions s ON s.id = m.session_id WHERE m.user_id = ?1 ORDER BY s.created_at", user_id)?,
                "team_drafts": rows_json(c, "SELECT session_id, team, round, decision, value, submitted, updated_at FROM session_drafts WHERE user_id = ?1 ORDER BY updated_at", user_id)?,
            }))
        })
        .await
    }

    /// Erases a learner's personal data on request: results, work, reads and sessions
    /// go, the account is anonymised and can no longer log in, and each certificate
    /// keeps only what verification needs (holder name, level, dates, status), so a
    /// certificate shown to an employer still verifies. The account is renamed
    /// `erased_name` (the caller's text, in the course's language). Logged with the
    /// admin's id. `Err`: why not (no such learner, or already erased; not a learner).
    pub async fn erase_learner(&self, user_id: i64, actor: i64, now: i64, erased_name: String) -> Result<Result<Erased, Msg>, StoreError> {
        self.write(move |tx| {
            let found: Option<(String, String)> = tx
                .query_row(
                    "SELECT display_name, role FROM users WHERE id = ?1 AND erased_at IS NULL",
                    [user_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let Some((name, role)) = found else {
                return Ok(Err(crate::msg!("certops-erase-no-such-learner")));
            };
            if role != "learner" {
                return Ok(Err(crate::msg!("certops-erase-not-a-learner")));
            }
            // The HR histograms drop this learner's results, as the learner list does.
            let best: Vec<(String, String, f64)> = tx
                .prepare("SELECT kind, item_id, best FROM best_scores WHERE user_id = ?1")?
                .query_map([user_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<super::db::Result<_>>()?;
            let (cohort, dept): (String, String) = tx.query_row("SELECT cohort, department FROM users WHERE id = ?1", [user_id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
            for (kind, item, score) in &best {
                tx.execute(
                    "UPDATE item_hist SET n = n - 1 WHERE cohort = ?1 AND department = ?2 AND kind = ?3 AND item_id = ?4 AND bucket = ?5",
                    params![cohort, dept, kind, item, score.clamp(0.0, 100.0).floor() as i64],
                )?;
            }
            let del = |table: &str| tx.execute(&format!("DELETE FROM {table} WHERE user_id = ?1"), [user_id]);
            let erased = Erased {
                attempts: del("attempts")?,
                runs: del("runs")?,
                submissions: del("submissions")?,
                lesson_reads: del("lesson_reads")?,
                sessions: del("sessions")?,
                certificates_kept: tx.execute(
                    "UPDATE certificates SET holder_name = COALESCE(holder_name, ?2), evidence = ?3 WHERE user_id = ?1",
                    params![user_id, name, json!({ "erased_at": now }).to_string()],
                )?,
            };
            del("best_scores")?;
            del("question_seen")?;
            del("quiz_overrides")?;
            // Out of their teams; the teams' decisions stay, as the session's record.
            del("session_members")?;
            tx.execute(
                "UPDATE users SET username = 'erased-' || id, display_name = ?3, password_hash = '', email = '',
                   cohort = '', department = '', first_active_at = NULL, erased_at = ?2 WHERE id = ?1",
                params![user_id, now, erased_name],
            )?;
            let detail = serde_json::to_string(&erased).unwrap_or_default();
            audit(tx, Some(actor), "erase-personal-data", &format!("user:{user_id}"), &detail, now)?;
            Ok(Ok(erased))
        })
        .await
    }
}

/// `CERT_SELECT` with the holder's username, groups and address appended.
fn fix_held_sql(sql: &str) -> String {
    sql.replacen(
        " FROM certificates c JOIN users u ON u.id = c.user_id",
        &format!(", {HELD_SELECT} FROM certificates c JOIN users u ON u.id = c.user_id"),
        1,
    )
}

fn certificates_where(c: &Conn, f: &CertFilter) -> super::db::Result<Vec<HeldCertificate>> {
    let sql = fix_held_sql(&format!(
        "{CERT_SELECT} WHERE c.revoked_at IS NULL
           AND (CAST(?1 AS BIGINT) IS NULL OR c.expires_at >= ?1) AND (CAST(?2 AS BIGINT) IS NULL OR c.expires_at <= ?2)
           AND (CAST(?3 AS TEXT) IS NULL OR c.level_id = ?3) AND (CAST(?4 AS TEXT) IS NULL OR u.cohort = ?4)
           AND (CAST(?5 AS TEXT) IS NULL OR u.department = ?5)
         ORDER BY c.expires_at IS NULL, c.expires_at, c.id LIMIT 5000"
    ));
    held(c, &sql, &[&f.from, &f.to, &f.level, &f.cohort, &f.department])
}
