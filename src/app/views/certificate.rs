//! The public pages of a certificate: its verification page and the printable
//! certificate. They show what a verifier needs, nothing private.

use super::{date, percent_encode, utc};
use crate::app::certification::{find_certificate, level_title};
use crate::app::{Ctx, Result};
use crate::certify::CertStatus;
use crate::store::{CertificateRow, User};
use serde::Serialize;

/// A certificate's public facts, dates written out.
#[derive(Serialize)]
pub struct CertificateFacts {
    pub id: String,
    pub holder: String,
    pub level_title: String,
    pub track_title: String,
    pub issuer_name: String,
    pub issuer_did: String,
    pub issued: String,
    pub status: &'static str,
    pub valid: bool,
    pub expired: bool,
    pub revoked_flag: bool,
    pub suspended: bool,
    pub suspended_on: Option<String>,
    pub expires: Option<String>,
    pub renewed: Option<String>,
    pub revoked: Option<String>,
    pub revoke_reason: Option<String>,
    pub imported: bool,
    pub pdf_url: String,
    pub verify_url: String,
}

impl CertificateFacts {
    fn of(ctx: &Ctx<'_>, c: &CertificateRow) -> CertificateFacts {
        let track = ctx.cur.track.as_ref();
        let status = c.status(ctx.clock.now_ms());
        let m = &ctx.cur.messages;
        let date = |ms: i64| date(m, ms);
        CertificateFacts {
            id: c.id.clone(),
            holder: c.holder.clone(),
            level_title: level_title(&ctx.cur, &c.level_id),
            track_title: track.map(|t| t.title.clone()).unwrap_or_default(),
            issuer_name: track.map(|t| t.issuer.clone()).unwrap_or_default(),
            issuer_did: ctx.issuer.did.clone(),
            issued: date(c.issued_at),
            status: status.as_str(),
            valid: status == CertStatus::Valid,
            expired: status == CertStatus::Expired,
            revoked_flag: status == CertStatus::Revoked,
            suspended: status == CertStatus::Suspended,
            suspended_on: c.suspended_at.map(date),
            expires: c.expires_at.map(date),
            renewed: c.renewed_at.map(date),
            revoked: c.revoked_at.map(date),
            revoke_reason: c.revoke_reason.clone(),
            imported: c.imported,
            pdf_url: format!("/certificates/{}/certificate.pdf", c.id),
            verify_url: format!("{}/verify/{}", ctx.public_url, c.id),
        }
    }
}

#[derive(Serialize)]
pub struct VerifyPage {
    /// The id asked about, found or not.
    pub id: String,
    /// `valid`, `expired`, `suspended`, `revoked`, or `unknown` when not found.
    pub status: &'static str,
    pub cert: Option<CertificateFacts>,
}

/// What the verification page of `id` says.
pub async fn verify(ctx: &Ctx<'_>, id: &str) -> Result<VerifyPage> {
    let cert = find_certificate(ctx, id).await?.map(|c| CertificateFacts::of(ctx, &c));
    Ok(VerifyPage {
        id: id.to_string(),
        status: cert.as_ref().map_or("unknown", |c| c.status),
        cert,
    })
}

#[derive(Serialize)]
pub struct CertificatePage {
    #[serde(flatten)]
    pub cert: CertificateFacts,
    /// A QR code of the verification link.
    pub qr_svg: String,
    /// Only for the holder, while valid: add it to a LinkedIn profile.
    pub linkedin_url: Option<String>,
}

/// The printable certificate `id` as `viewer` sees it; `None` if it is not ours.
pub async fn certificate(ctx: &Ctx<'_>, viewer: Option<&User>, id: &str) -> Result<Option<CertificatePage>> {
    let Some(c) = find_certificate(ctx, id).await? else {
        return Ok(None);
    };
    let cert = CertificateFacts::of(ctx, &c);
    let linkedin_url = (viewer.is_some_and(|u| u.id == c.user_id) && cert.valid).then(|| linkedin_url(ctx, &c));
    Ok(Some(CertificatePage {
        qr_svg: crate::certify::print::qr_svg(&cert.verify_url, 200),
        linkedin_url,
        cert,
    }))
}

/// LinkedIn's "add licence or certification" form, filled in.
fn linkedin_url(ctx: &Ctx<'_>, c: &CertificateRow) -> String {
    let org = ctx.cur.track.as_ref().map(|t| t.issuer.clone()).unwrap_or_default();
    let ym = |ms: i64| utc(ms).map(|t| (t.year(), u8::from(t.month()))).unwrap_or((1970, 1));
    let (iy, im) = ym(c.issued_at);
    let mut params = vec![
        ("startTask", "CERTIFICATION_NAME".to_string()),
        ("name", level_title(&ctx.cur, &c.level_id)),
        ("organizationName", org),
        ("issueYear", iy.to_string()),
        ("issueMonth", im.to_string()),
        ("certUrl", format!("{}/verify/{}", ctx.public_url, c.id)),
        ("certId", c.id.clone()),
    ];
    if let Some(e) = c.expires_at {
        let (ey, em) = ym(e);
        params.push(("expirationYear", ey.to_string()));
        params.push(("expirationMonth", em.to_string()));
    }
    let query: Vec<String> = params.into_iter().map(|(k, v)| format!("{k}={}", percent_encode(&v))).collect();
    format!("https://www.linkedin.com/profile/add?{}", query.join("&"))
}
