//! HR's certificate page: certificates expiring soon or expired recently, and the
//! import of earlier certificates.

use crate::app::certification::level_title;
use crate::app::{Ctx, Result, require};
use crate::certify::CertStatus;
use crate::certify::import::RowError;
use crate::store::{CertFilter, HeldCertificate, Role, User};
use serde::Serialize;
use utoipa::ToSchema;

const DAY_MS: i64 = 86_400_000;

/// A certificate in HR's expiry list.
#[derive(Serialize, ToSchema)]
pub struct ExpiryRow {
    pub id: String,
    pub user_id: i64,
    pub username: String,
    pub holder: String,
    pub cohort: String,
    pub department: String,
    pub level: String,
    pub level_title: String,
    /// Unix ms.
    pub issued_at: i64,
    pub expires_at: Option<i64>,
    pub renewed_at: Option<i64>,
    pub status: CertStatus,
    /// Whole days until expiry; negative once expired.
    pub days_left: Option<i64>,
    pub imported: bool,
    /// Whether the holder has an email address (reminders are sent there).
    pub has_email: bool,
}

impl ExpiryRow {
    fn of(ctx: &Ctx<'_>, h: HeldCertificate, now: i64) -> ExpiryRow {
        let c = h.cert;
        ExpiryRow {
            level_title: level_title(&ctx.cur, &c.level_id),
            status: c.status(now),
            days_left: c.expires_at.map(|e| (e - now).div_euclid(DAY_MS)),
            id: c.id,
            user_id: c.user_id,
            username: h.username,
            holder: c.holder,
            cohort: h.cohort,
            department: h.department,
            level: c.level_id,
            issued_at: c.issued_at,
            expires_at: c.expires_at,
            renewed_at: c.renewed_at,
            imported: c.imported,
            has_email: !h.email.is_empty(),
        }
    }
}

/// HR: the certificates the filter selects, expiring soonest first.
pub async fn expiries(ctx: &Ctx<'_>, actor: &User, f: CertFilter) -> Result<Vec<ExpiryRow>> {
    require(actor, &[Role::Hr])?;
    let now = ctx.clock.now_ms();
    Ok(ctx
        .store
        .certificates_where(f)
        .await?
        .into_iter()
        .map(|h| ExpiryRow::of(ctx, h, now))
        .collect())
}

/// The filter as the form had it.
#[derive(Serialize)]
pub struct ExpiryEcho {
    pub ahead: u32,
    pub past: u32,
    pub level: Option<String>,
    pub cohort: Option<String>,
    pub department: Option<String>,
}

/// What the import form did.
#[derive(Serialize)]
pub struct ImportOutcome {
    pub ok: bool,
    /// Certificates imported.
    pub count: usize,
    /// Each bad row with its line, or why nothing was imported.
    pub errors: Vec<String>,
}

impl ImportOutcome {
    /// What an import did, as the page says it.
    pub fn of(done: &Result<std::result::Result<Vec<String>, Vec<RowError>>>, messages: &crate::i18n::Messages) -> ImportOutcome {
        let refused = |errors| ImportOutcome {
            ok: false,
            count: 0,
            errors,
        };
        match done {
            Ok(Ok(ids)) => ImportOutcome {
                ok: true,
                count: ids.len(),
                errors: Vec::new(),
            },
            Ok(Err(rows)) => refused(rows.iter().map(|r| r.text(messages)).collect()),
            Err(e) => refused(vec![messages.text(&e.message())]),
        }
    }
}

#[derive(Serialize)]
pub struct CertopsPage {
    pub rows: Vec<ExpiryLine>,
    pub levels: Vec<LevelChoice>,
    pub cohorts: Vec<String>,
    pub departments: Vec<String>,
    pub q: ExpiryEcho,
    pub import: Option<ImportOutcome>,
    /// The text of a refused import, to correct and send again.
    pub csv: String,
    /// The CSV header imports need.
    pub header: &'static str,
    pub csrf: String,
}

#[derive(Serialize)]
pub struct ExpiryLine {
    pub row: ExpiryRow,
    pub expired: bool,
}

#[derive(Serialize)]
pub struct LevelChoice {
    pub id: String,
    pub title: String,
    pub selected: bool,
}

/// The page; `import` and `csv` are what the import form just did and sent.
pub async fn page(
    ctx: &Ctx<'_>,
    actor: &User,
    csrf: &str,
    (f, q): (CertFilter, ExpiryEcho),
    (import, csv): (Option<ImportOutcome>, String),
) -> Result<CertopsPage> {
    require(actor, &[Role::Hr])?;
    let now = ctx.clock.now_ms();
    let (held, groups) = ctx.store.certificates_and_groups(f).await?;
    Ok(CertopsPage {
        rows: held
            .into_iter()
            .map(|h| {
                let row = ExpiryRow::of(ctx, h, now);
                ExpiryLine {
                    expired: row.status == CertStatus::Expired,
                    row,
                }
            })
            .collect(),
        levels: ctx
            .cur
            .track
            .iter()
            .flat_map(|t| &t.levels)
            .map(|l| LevelChoice {
                id: l.id.clone(),
                title: l.title.clone(),
                selected: q.level.as_deref() == Some(l.id.as_str()),
            })
            .collect(),
        cohorts: groups.cohorts,
        departments: groups.departments,
        q,
        import,
        csv,
        header: crate::certify::import::HEADER,
        csrf: csrf.to_string(),
    })
}
