//! Running the certification programme: importing earlier certificates, the
//! personal-data export, erasure on request, and the audit log.

use super::{Ctx, Error, Result, require};
use crate::certify::import::RowError;
use crate::store::{AuditEntry, Erased, Role, StoreError, User};
use serde_json::{Value, json};

/// HR: imports earlier certifications from CSV. Every row is checked first: one bad
/// row imports nothing. Returns the new ids in the file's order, or every bad row.
pub async fn import_certificates(ctx: &Ctx<'_>, actor: &User, text: &str) -> Result<Result<Vec<String>, Vec<RowError>>> {
    require(actor, &[Role::Hr])?;
    let track = ctx
        .cur
        .track
        .as_ref()
        .ok_or_else(|| Error::Conflict("课程没有认证体系，无法导入证书 (the course has no certification track)".into()))?;
    let now = ctx.clock.now_ms();
    let (rows, errors) = crate::certify::import::parse_csv(text, track, now);
    let ids = rows.iter().map(|_| crate::certify::certificate_id()).collect();
    let out = ctx
        .store
        .import_certificates(track.id.clone(), rows, ids, errors, actor.id, now)
        .await?;
    if let Ok(ids) = &out {
        tracing::info!(count = ids.len(), by = actor.id, "certificates imported");
    }
    Ok(out)
}

/// Anyone: everything certbook stores about them; the export is written to the audit log.
pub async fn personal_data(ctx: &Ctx<'_>, actor: &User) -> Result<Value> {
    let now = ctx.clock.now_ms();
    let mut data = ctx.store.personal_data(actor.id).await?;
    data["exported_at"] = json!(crate::certify::validity::rfc3339(now));
    data["service"] = json!(ctx.public_url);
    ctx.store
        .record_audit(actor.id, "export-personal-data", format!("user:{}", actor.id), String::new(), now)
        .await?;
    Ok(data)
}

/// Admins: erases a learner's personal data. The caller must also drop the learner's
/// cached sessions.
pub async fn erase_learner(ctx: &Ctx<'_>, actor: &User, id: i64) -> Result<Erased> {
    require(actor, &[])?;
    match ctx.store.erase_learner(id, actor.id, ctx.clock.now_ms()).await {
        Ok(Some(e)) => {
            tracing::info!(user = id, by = actor.id, "personal data erased");
            Ok(e)
        }
        Ok(None) => Err(Error::NotFound(
            "没有这位学员，或已删除 (no such learner, or already erased)".into(),
        )),
        Err(StoreError::Invalid(m)) => Err(Error::Unprocessable(m)),
        Err(e) => Err(e.into()),
    }
}

/// Admins: the newest `limit` entries of the audit log.
pub async fn audit_log(ctx: &Ctx<'_>, actor: &User, limit: i64) -> Result<Vec<AuditEntry>> {
    require(actor, &[])?;
    Ok(ctx.store.audit_log(limit).await?)
}
