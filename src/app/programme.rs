//! Running the certification programme: importing earlier certificates, the
//! expiry list, the PDF zip, the personal-data export, erasure on request, and the audit log.

use super::{Ctx, Error, Result, require};
use crate::certify::import::RowError;
use crate::store::{AuditEntry, CertFilter, Erased, HeldCertificate, Role, User};
use serde_json::{Value, json};

/// HR: imports earlier certifications from CSV. Every row is checked first: one bad
/// row imports nothing. Returns the new ids in the file's order, or every bad row.
pub async fn import_certificates(ctx: &Ctx<'_>, actor: &User, text: &str) -> Result<Result<Vec<String>, Vec<RowError>>> {
    require(actor, &[Role::Hr])?;
    let track = ctx
        .cur
        .track
        .as_ref()
        .ok_or_else(|| Error::Conflict(crate::msg!("certops-import-no-track")))?;
    let now = ctx.clock.now_ms();
    let (rows, mut errors) = crate::certify::import::parse_csv_in(text, track, now, &ctx.cur.messages);
    let ids = rows.iter().map(|_| crate::certify::certificate_id()).collect();
    let out = ctx
        .store
        .import_certificates(track.id.clone(), rows, ids, !errors.is_empty(), actor.id, now)
        .await?;
    match out {
        Ok(ids) => {
            tracing::info!(count = ids.len(), by = actor.id, "certificates imported");
            Ok(Ok(ids))
        }
        Err(problems) => {
            // The store's problems (unknown learner, level held) in the course's language.
            errors.extend(problems.into_iter().map(|(line, reason)| RowError {
                line,
                reason: ctx.cur.messages.text(&reason),
            }));
            errors.sort_by_key(|e| e.line);
            Ok(Err(errors))
        }
    }
}

/// Anyone: everything certbook stores about them; the export is written to the audit log.
pub async fn personal_data(ctx: &Ctx<'_>, actor: &User) -> Result<Value> {
    let now = ctx.clock.now_ms();
    let mut data = ctx.store.personal_data(actor.id).await?;
    if let Some(attempts) = data["attempts"].as_array_mut() {
        let mut quizzes: Vec<String> = attempts.iter().filter_map(|a| a["quiz_id"].as_str().map(str::to_string)).collect();
        quizzes.sort();
        quizzes.dedup();
        // What each quiz's review shows this learner now: the phase by their own close.
        let mut shown = std::collections::HashMap::new();
        for (id, own, cohort) in ctx.store.learner_overrides(actor.id, quizzes).await? {
            if let Some(quiz) = ctx.cur.quizzes.get(&id) {
                shown.insert(id, super::exams::shown_now(quiz, own.as_ref(), cohort.as_ref(), now));
            }
        }
        for a in attempts.iter_mut() {
            if let Some(s) = a["quiz_id"].as_str().and_then(|q| shown.get(q)) {
                withhold_keys(a, *s);
            }
        }
    }
    data["exported_at"] = json!(crate::certify::validity::rfc3339(now));
    data["service"] = json!(ctx.public_url);
    ctx.store
        .record_audit(actor.id, "export-personal-data", format!("user:{}", actor.id), String::new(), now)
        .await?;
    Ok(data)
}

/// Takes out of an exported attempt's stored grading what its quiz's review does not show
/// the learner now (keys, a variant's computed values, explanations, right/wrong), as the
/// attempt's own API does: the export must not hand over an exam's keys early.
fn withhold_keys(attempt: &mut Value, shown: crate::quiz::Shown) {
    // The export reads JSON columns as JSON; an ungraded attempt has no grading.
    let Some(questions) = attempt
        .get_mut("result")
        .and_then(|r| r.get_mut("questions"))
        .and_then(Value::as_array_mut)
    else {
        return;
    };
    for q in questions.iter_mut().filter_map(Value::as_object_mut) {
        if !shown.answers {
            q.remove("correct_answer");
            q.remove("variant");
        }
        if !shown.explanations {
            q.remove("explanation");
        }
        if !shown.correctness {
            q.remove("correct");
            q.remove("awarded");
        }
    }
}

/// Admins: erases a learner's personal data. The caller must also drop the learner's
/// cached sessions.
pub async fn erase_learner(ctx: &Ctx<'_>, actor: &User, id: i64) -> Result<Erased> {
    require(actor, &[])?;
    let erased_name = ctx.cur.messages.get("certops-erased-user-name");
    match ctx.store.erase_learner(id, actor.id, ctx.clock.now_ms(), erased_name).await? {
        Ok(e) => {
            tracing::info!(user = id, by = actor.id, "personal data erased");
            Ok(e)
        }
        Err(m) if m.id == "certops-erase-no-such-learner" => Err(Error::NotFound(m)),
        Err(m) => Err(Error::Unprocessable(m)),
    }
}

/// Admins, from the transcript page's form: erases the learner only when `confirm` is
/// their login name typed again, so a slip of the mouse erases nothing.
pub async fn erase_confirmed(ctx: &Ctx<'_>, actor: &User, id: i64, confirm: &str) -> Result<Erased> {
    require(actor, &[])?;
    let username = ctx.store.user_by_id(id).await?.map(|u| u.username);
    if username.as_deref() != Some(confirm.trim()) {
        return Err(Error::Unprocessable(crate::msg!("certops-erase-confirm-mismatch")));
    }
    erase_learner(ctx, actor, id).await
}

/// Admins: the newest `limit` entries of the audit log.
pub async fn audit_log(ctx: &Ctx<'_>, actor: &User, limit: i64) -> Result<Vec<AuditEntry>> {
    require(actor, &[])?;
    Ok(ctx.store.audit_log(limit).await?)
}

/// Most certificates one zip holds (about 20 KB each).
pub const ZIP_MAX: usize = 2000;

/// HR: certificates matching the filter, with their holders.
pub async fn certificates_where(ctx: &Ctx<'_>, actor: &User, f: CertFilter) -> Result<Vec<HeldCertificate>> {
    require(actor, &[Role::Hr])?;
    Ok(ctx.store.certificates_where(f).await?)
}

/// HR: the certificates a PDF zip of the filter holds: at least one, at most [`ZIP_MAX`].
pub async fn zip_selection(ctx: &Ctx<'_>, actor: &User, f: CertFilter) -> Result<Vec<HeldCertificate>> {
    let certs = certificates_where(ctx, actor, f).await?;
    if certs.is_empty() {
        return Err(Error::NotFound(crate::msg!("certops-zip-none-match")));
    }
    if certs.len() > ZIP_MAX {
        return Err(Error::TooLarge(crate::msg!(
            "certops-zip-too-many",
            count = certs.len(),
            max = ZIP_MAX
        )));
    }
    Ok(certs)
}

/// The printable PDFs of `certs` in one zip, dated `now` (blocking: run it off the
/// async threads).
pub fn certificates_zip(ctx: &Ctx<'_>, certs: &[HeldCertificate], now: i64) -> Result<Vec<u8>> {
    use std::io::Write;
    let zip_err = |e: &dyn std::fmt::Display| Error::Internal(format!("zip: {e}"));
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    // PDFs are compressed already; storing them keeps the zip fast to build.
    let mut opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    // Dated today (UTC) rather than the format's default of 1980.
    if let Ok(t) = time::OffsetDateTime::from_unix_timestamp(now.div_euclid(1000))
        && let Ok(d) = zip::DateTime::from_date_and_time(t.year() as u16, t.month() as u8, t.day(), t.hour(), t.minute(), t.second())
    {
        opts = opts.last_modified_time(d);
    }
    for h in certs {
        let pdf = super::certification::certificate_pdf(ctx, &h.cert)?;
        let name = format!("{}-{}-{}.pdf", h.cert.id, h.username, h.cert.level_id).replace(['/', '\\'], "_");
        w.start_file(name, opts).map_err(|e| zip_err(&e))?;
        w.write_all(&pdf).map_err(|e| zip_err(&e))?;
    }
    Ok(w.finish().map_err(|e| zip_err(&e))?.into_inner())
}
