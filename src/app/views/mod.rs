//! What each server page shows, as typed view models: one service per page that reads
//! what it needs in one go and returns a struct the page's template is rendered with.
//! The templates run in strict mode, so a field a template names and its view lacks is
//! an error, not an empty string. Charts are drawn here as SVG.

pub mod account;
pub mod certificate;
pub mod certops;
pub mod charts;
pub mod exam;
pub mod hr;
pub mod run;
pub mod staff;
pub mod teams;

use super::Ctx;
use super::certification::level_title;
use crate::certify::CertStatus;
use crate::store::CertificateRow;
use serde::Serialize;
use utoipa::ToSchema;

/// A certificate as anyone may see it: what a verifier needs, nothing more.
#[derive(Serialize, ToSchema)]
pub struct CertificateView {
    pub id: String,
    pub holder: String,
    pub track: String,
    pub level: String,
    pub level_title: String,
    /// Unix milliseconds.
    pub issued_at: i64,
    /// Unix ms it stops being valid; `null`: it does not expire.
    pub valid_until: Option<i64>,
    pub renewed_at: Option<i64>,
    pub status: CertStatus,
    pub revoked_at: Option<i64>,
    pub revoke_reason: Option<String>,
    /// Brought in by HR from an earlier system.
    pub imported: bool,
    pub verify_url: String,
    /// The printable PDF.
    pub pdf_url: String,
}

impl CertificateView {
    pub fn of(ctx: &Ctx<'_>, c: &CertificateRow) -> CertificateView {
        CertificateView {
            id: c.id.clone(),
            holder: c.holder.clone(),
            track: c.track_id.clone(),
            level: c.level_id.clone(),
            level_title: level_title(&ctx.cur, &c.level_id),
            issued_at: c.issued_at,
            valid_until: c.expires_at,
            renewed_at: c.renewed_at,
            status: c.status(ctx.clock.now_ms()),
            revoked_at: c.revoked_at,
            revoke_reason: c.revoke_reason.clone(),
            imported: c.imported,
            verify_url: format!("{}/verify/{}", ctx.public_url, c.id),
            pdf_url: format!("{}/certificates/{}/certificate.pdf", ctx.public_url, c.id),
        }
    }

    pub fn all(ctx: &Ctx<'_>, cs: &[CertificateRow]) -> Vec<CertificateView> {
        cs.iter().map(|c| CertificateView::of(ctx, c)).collect()
    }
}

/// Unix ms as a UTC date-time (whole seconds).
fn utc(ms: i64) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)).ok()
}

/// A day written out in `messages`' language (message `date-long`): `2026 年 11 月 23 日`,
/// `23 November 2026`.
pub fn date(messages: &crate::i18n::Messages, ms: i64) -> String {
    utc(ms)
        .map(|t| {
            let (year, month, day) = (t.year().to_string(), u8::from(t.month()).to_string(), t.day().to_string());
            let month_name = t.month().to_string();
            messages.format(
                "date-long",
                &[("year", &year), ("month", &month), ("day", &day), ("month_name", &month_name)],
            )
        })
        .unwrap_or_default()
}

/// [`date`] with the time of day: `2026 年 11 月 23 日 14:05 (UTC)`.
pub fn date_time(messages: &crate::i18n::Messages, ms: i64) -> String {
    utc(ms)
        .map(|t| format!("{} {:02}:{:02} (UTC)", date(messages, ms), t.hour(), t.minute()))
        .unwrap_or_default()
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
pub fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
