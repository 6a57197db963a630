//! Certification: issuing and renewing certificates the moment a learner qualifies,
//! revoking and suspending them, the signed Open Badges credential and status lists,
//! the printable PDF, and expiry reminders.

use super::{Ctx, Error, Result, is_staff, require};
use crate::certify::credential::status::{LIST_ENTRIES, Listed, STATUS_SIZE, encode_list, status_messages};
use crate::certify::remind::{self, Reminder};
use crate::certify::validity::{self, rfc3339};
use crate::certify::{CertStatus, LevelStatus, Records, evaluate, renewal};
use crate::course::Curriculum;
use crate::store::{CertificateRow, Certifier, Decision, Evidence, NewCertificate, StoreError, User};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::Digest;

const DAY_MS: i64 = 86_400_000;

fn no_such_certificate() -> Error {
    Error::NotFound(crate::msg!("cert-not-found"))
}

/// The certification rule: from a learner's evidence, each level's standing, and which
/// certificates are due — levels met and not held, and expiring certificates whose
/// renewal requirements are met inside their window (counting only results from inside
/// the window, and not those the last renewal used). Pure but for the evidence reads.
fn standing(cur: &Curriculum, now: i64, ev: &mut dyn Evidence) -> Result<(Vec<LevelStatus>, Decision, Records), StoreError> {
    let records = ev.records_since(i64::MIN)?;
    let Some(track) = &cur.track else {
        return Ok((Vec::new(), Decision::default(), records));
    };
    let mut levels = evaluate(track, cur, &cur.messages, &records);
    let mut decision = Decision::default();
    for l in levels.iter().filter(|l| l.met && !l.held) {
        let evidence = json!({ "level": l.level, "evaluated_at": now, "requirements": l.requirements });
        let valid_months = track.levels.iter().find(|x| x.id == l.level).and_then(|x| x.valid_months);
        decision.issue.push(NewCertificate {
            level: l.level.clone(),
            id: crate::certify::certificate_id(),
            evidence: evidence.to_string(),
            expires_at: valid_months.map(|m| validity::add_months(now, m)),
        });
    }
    for c in ev.held()? {
        let (Some(status), Some(level)) = (
            levels.iter_mut().find(|l| l.level == c.level_id),
            track.levels.iter().find(|l| l.id == c.level_id),
        ) else {
            continue;
        };
        status.certificate = Some(c.id.clone());
        status.expires_at = c.expires_at;
        let (Some(expires), Some(months)) = (c.expires_at, level.valid_months) else {
            continue;
        };
        let opens = validity::window_opens(expires, level.renew_window_days);
        if level.renewal.is_empty() || c.revoked_at.is_some() || now < opens {
            continue;
        }
        let since = opens.max(c.renewed_at.unwrap_or(i64::MIN));
        let r = renewal(level, cur, &cur.messages, &ev.records_since(since)?, since);
        if r.met {
            decision.renew.push((c.id.clone(), validity::renewed_expiry(expires, now, months)));
        }
        status.renewal = Some(r);
    }
    Ok((levels, decision, records))
}

/// The rule as the store runs it inside a write that may complete a requirement, so a
/// certificate is issued in the transaction that earns it. `None` without a track.
pub fn certifier(ctx: &Ctx<'_>) -> Option<Certifier> {
    let track = ctx.cur.track.as_ref()?;
    let quizzes = track
        .levels
        .iter()
        .flat_map(|l| l.requirements.iter().chain(&l.renewal))
        .filter_map(|r| match r {
            crate::certify::Requirement::Quiz { id, .. } => Some(id.clone()),
            _ => None,
        })
        .collect();
    let cur = ctx.cur.clone();
    let now = ctx.clock.now_ms();
    Some(Certifier {
        track_id: track.id.clone(),
        decide: Box::new(move |ev| Ok(standing(&cur, now, ev)?.1)),
        quizzes,
    })
}

/// Issues and renews whatever is due for one learner, in one write. Everyday writes
/// certify inside their own transaction; this repairs what a crash or a course change
/// (new requirements met by results already stored) left due.
pub async fn certify_user(ctx: &Ctx<'_>, user_id: i64) -> Result<Vec<CertificateRow>> {
    match certifier(ctx) {
        Some(c) => Ok(ctx.store.certify(user_id, c, ctx.clock.now_ms()).await?),
        None => Ok(Vec::new()),
    }
}

/// Certifies every active learner: certificates due but not issued (a crash between
/// a grade and its certificate, a course change) are issued. Failures are logged, per learner.
pub async fn certify_everyone(ctx: &Ctx<'_>) {
    match ctx.store.active_learners().await {
        Ok(users) => {
            for u in users {
                if let Err(e) = certify_user(ctx, u).await {
                    tracing::error!("certification sweep for user {u}: {e}");
                }
            }
        }
        Err(e) => tracing::error!("certification sweep: {e}"),
    }
}

/// The learner's standing on every level and the certificates they hold, read in one
/// snapshot. Writes nothing: what is due is issued by the write that earned it.
pub async fn progress(ctx: &Ctx<'_>, user_id: i64) -> Result<(Vec<LevelStatus>, Vec<CertificateRow>)> {
    let read = standing_reader(ctx);
    let track = ctx.cur.track.as_ref().map_or(String::new(), |t| t.id.clone());
    Ok(ctx
        .store
        .with_evidence(user_id, track, move |ev| {
            let (levels, _) = read(ev)?;
            Ok((levels, ev.held()?))
        })
        .await?)
}

/// Reads a learner's standing on every level, and the records it was judged on, as the
/// pages show it: nothing is issued (see [`certifier`] for the writes that issue).
pub fn standing_reader(
    ctx: &Ctx<'_>,
) -> impl FnOnce(&mut dyn Evidence) -> Result<(Vec<LevelStatus>, Records), StoreError> + Send + 'static {
    let cur = ctx.cur.clone();
    let now = ctx.clock.now_ms();
    move |ev| {
        let (levels, _, records) = standing(&cur, now, ev)?;
        Ok((levels, records))
    }
}

/// Marks a lesson read; returns the certificates that completes.
pub async fn mark_read(ctx: &Ctx<'_>, user_id: i64, lesson: &str) -> Result<Vec<CertificateRow>> {
    if !ctx.cur.pages().any(|(_, _, l)| l.id == lesson) {
        return Err(Error::NotFound(crate::msg!("progress-unknown-lesson", lesson = lesson)));
    }
    Ok(ctx
        .store
        .mark_read(user_id, lesson.to_string(), ctx.clock.now_ms(), certifier(ctx))
        .await?)
}

/// The level's title, or its id when the live track no longer has it.
pub fn level_title(cur: &Curriculum, level: &str) -> String {
    cur.track
        .as_ref()
        .and_then(|t| t.levels.iter().find(|l| l.id == level))
        .map_or(level.to_string(), |l| l.title.clone())
}

/// A certificate by id, `None` when this server did not issue it.
pub async fn find_certificate(ctx: &Ctx<'_>, id: &str) -> Result<Option<CertificateRow>> {
    Ok(ctx.store.certificate(id.to_string()).await?)
}

/// A certificate by id (public: anyone may verify one).
pub async fn certificate(ctx: &Ctx<'_>, id: &str) -> Result<CertificateRow> {
    find_certificate(ctx, id).await?.ok_or_else(no_such_certificate)
}

/// A signed credential, named by its certificate.
pub struct SignedCredential {
    pub certificate: String,
    pub doc: Value,
}

/// The signed Open Badges 3.0 credential of a certificate, for its holder or staff.
/// Others are told it does not exist; a revoked certificate has none.
pub async fn credential(ctx: &Ctx<'_>, actor: &User, id: &str) -> Result<SignedCredential> {
    let c = find_certificate(ctx, id)
        .await?
        .filter(|c| c.user_id == actor.id || is_staff(actor))
        .ok_or_else(no_such_certificate)?;
    if c.revoked_at.is_some() {
        return Err(Error::Conflict(crate::msg!("cert-revoked")));
    }
    let doc = ctx.issuer.sign_in_set(open_badge(ctx, &c), &rfc3339(c.issued_at));
    Ok(SignedCredential { certificate: c.id, doc })
}

/// The unsigned Open Badges 3.0 credential for a certificate. Its criteria are written
/// in the course's language when it is signed (a credential downloaded earlier keeps
/// the words it was signed with).
pub fn open_badge(ctx: &Ctx<'_>, c: &CertificateRow) -> Value {
    let cur = &*ctx.cur;
    let track = cur.track.as_ref();
    let level = track.and_then(|t| t.levels.iter().find(|l| l.id == c.level_id));
    let criteria: Vec<String> = level
        .map(|l| l.requirements.iter().map(|r| cur.messages.text(&r.criterion(cur))).collect())
        .unwrap_or_default();
    let base = ctx.public_url;
    // One entry for both revocation and suspension: Open Badges 3.0 allows one.
    let list_url = format!("{base}/api/status/lists/{}", c.status_list);
    let status = json!({
        "id": format!("{list_url}#{}", c.status_index),
        "type": "BitstringStatusListEntry",
        "statusPurpose": "message",
        "statusSize": STATUS_SIZE,
        "statusListIndex": c.status_index.to_string(),
        "statusListCredential": list_url,
        "statusMessage": status_messages(),
    });
    let mut doc = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": format!("{base}/verify/{}", c.id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": { "id": ctx.issuer.did, "type": ["Profile"], "name": track.map(|t| t.issuer.clone()).unwrap_or_default(), "url": base },
        "validFrom": rfc3339(c.issued_at),
        "credentialStatus": status,
        "name": level_title(cur, &c.level_id),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": c.holder,
            "identifier": holder_identifiers(ctx, c),
            "achievement": {
                "id": format!("{base}/achievements/{}/{}", c.track_id, c.level_id),
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": level_title(cur, &c.level_id),
                "description": level.map(|l| l.summary.clone()).unwrap_or_default(),
                "criteria": { "narrative": criteria.join(&cur.messages.get("cert-criteria-separator")) },
            }
        }
    });
    if let Some(until) = c.expires_at {
        doc["validUntil"] = json!(rfc3339(until));
    }
    doc
}

/// Who holds it, without saying who: salted SHA-256 of the holder's email address
/// (when the account has one), so HR can check it against the address they know, and
/// of the issuer's learner URN, so the issuer can match it to its records. The salt is
/// per certificate, so two credentials of one person do not share a hash.
fn holder_identifiers(ctx: &Ctx<'_>, c: &CertificateRow) -> Vec<Value> {
    use crate::certify::credential::{identity_hash, normalise_email};
    let salt: String = sha2::Sha256::digest(format!("certbook identity salt {} {}", ctx.issuer.did, c.id).as_bytes())
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut out = Vec::new();
    let email = normalise_email(&c.holder_email);
    if !email.is_empty() {
        out.push(json!({ "type": "IdentityObject", "identityType": "emailAddress", "hashed": true,
            "identityHash": identity_hash(&email, &salt), "salt": salt }));
    }
    out.push(json!({ "type": "IdentityObject", "identityType": "systemId", "hashed": true,
        "identityHash": identity_hash(&learner_urn(ctx, c.user_id), &salt), "salt": salt }));
    out
}

/// The learner's stable identifier at this issuer.
pub fn learner_urn(ctx: &Ctx<'_>, user_id: i64) -> String {
    format!("urn:certbook:{}:learner:{user_id}", ctx.issuer.did)
}

/// A signed BitstringStatusListCredential with the given subject fields.
fn signed_status_list(ctx: &Ctx<'_>, url: String, mut subject: Value) -> Value {
    let now = rfc3339(ctx.clock.now_ms());
    subject["id"] = json!(format!("{url}#list"));
    subject["type"] = json!("BitstringStatusList");
    // Milliseconds a verifier may cache it: the same minute as Cache-Control.
    subject["ttl"] = json!(60_000);
    let doc = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        // The bare DID: `Profile` is an Open Badges term, and these lists use the VC context alone.
        "issuer": ctx.issuer.did,
        "validFrom": now,
        "credentialSubject": subject,
    });
    ctx.issuer.sign(doc, &now)
}

/// Status list `list` (two bits an entry: 0 valid, 1 suspended, 2 revoked), signed.
pub async fn status_list(ctx: &Ctx<'_>, list: u32) -> Result<Value> {
    let entries = ctx
        .store
        .status_list_entries(i64::from(list))
        .await?
        .ok_or_else(|| Error::NotFound(crate::msg!("cert-no-such-status-list")))?;
    let values: Vec<(u64, u8)> = entries
        .into_iter()
        .map(|(i, revoked, suspended)| (i, Listed::of(revoked, suspended) as u8))
        .collect();
    let url = format!("{}/api/status/lists/{list}", ctx.public_url);
    Ok(signed_status_list(
        ctx,
        url,
        json!({
            // statusSize and statusMessage travel in each credential's entry (the VC
            // context defines them there only); the list carries the bits.
            "statusPurpose": "message",
            "encodedList": encode_list(LIST_ENTRIES, STATUS_SIZE, &values),
        }),
    ))
}

/// A one-bit list of the first list's entries for `purpose` (`revocation` or
/// `suspension`), which credentials issued before the two-bit lists name.
pub async fn legacy_status_list(ctx: &Ctx<'_>, purpose: &'static str) -> Result<Value> {
    let set: Vec<(u64, u8)> = ctx.store.legacy_status_slots(purpose).await?.into_iter().map(|i| (i, 1)).collect();
    let url = format!("{}/api/status/{purpose}", ctx.public_url);
    Ok(signed_status_list(
        ctx,
        url,
        json!({ "statusPurpose": purpose, "encodedList": encode_list(LIST_ENTRIES, 1, &set) }),
    ))
}

/// A reason of 1–500 characters, trimmed, or the error `message`.
fn reason(given: &str, message: crate::i18n::Msg) -> Result<String> {
    let reason = given.trim().to_string();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(Error::Unprocessable(message));
    }
    Ok(reason)
}

fn revoke_reason() -> crate::i18n::Msg {
    crate::msg!("cert-revoke-reason-required")
}

/// 1 to 10000 certificate ids, the most one request may change.
fn check_ids(ids: &[String]) -> Result<()> {
    if ids.is_empty() || ids.len() > 10_000 {
        return Err(Error::Unprocessable(crate::msg!("cert-ids-count")));
    }
    Ok(())
}

/// Admins: revokes a certificate, with a reason the verification page shows.
pub async fn revoke(ctx: &Ctx<'_>, actor: &User, id: &str, given_reason: &str) -> Result<CertificateRow> {
    require(actor, &[])?;
    let reason = reason(given_reason, revoke_reason())?;
    if !ctx
        .store
        .revoke_certificate(id.to_string(), reason, actor.id, ctx.clock.now_ms())
        .await?
    {
        return Err(no_such_certificate());
    }
    let c = find_certificate(ctx, id).await?.ok_or_else(no_such_certificate)?;
    tracing::info!(certificate = %c.id, by = actor.id, "certificate revoked");
    Ok(c)
}

/// Admins: revokes many certificates with one reason, all or none; returns how many.
pub async fn revoke_many(ctx: &Ctx<'_>, actor: &User, ids: Vec<String>, given_reason: &str) -> Result<usize> {
    require(actor, &[])?;
    let reason = reason(given_reason, revoke_reason())?;
    check_ids(&ids)?;
    match ctx.store.revoke_many(ids, reason, actor.id, ctx.clock.now_ms()).await? {
        Ok(n) => {
            tracing::info!(count = n, by = actor.id, "certificates revoked in bulk");
            Ok(n)
        }
        Err(missing) => Err(Error::Unprocessable(crate::msg!(
            "cert-unknown-ids-none-revoked",
            ids = missing.join(", ")
        ))),
    }
}

/// Admins: suspends certificates with a reason, all or none; returns how many changed.
/// A suspended certificate fails verification until it is reinstated.
pub async fn suspend(ctx: &Ctx<'_>, actor: &User, ids: Vec<String>, given_reason: Option<&str>) -> Result<usize> {
    // The reason is checked before the role, as the API has always answered.
    let reason = reason(given_reason.unwrap_or_default(), crate::msg!("cert-suspend-reason-required"))?;
    set_suspension(ctx, actor, ids, Some(reason)).await
}

/// Admins: lifts the suspension of certificates, all or none; returns how many changed.
pub async fn reinstate(ctx: &Ctx<'_>, actor: &User, ids: Vec<String>) -> Result<usize> {
    set_suspension(ctx, actor, ids, None).await
}

async fn set_suspension(ctx: &Ctx<'_>, actor: &User, ids: Vec<String>, reason: Option<String>) -> Result<usize> {
    require(actor, &[])?;
    check_ids(&ids)?;
    match ctx.store.set_suspension(ids, reason, actor.id, ctx.clock.now_ms()).await? {
        Ok(n) => Ok(n),
        Err(missing) => Err(Error::Unprocessable(crate::msg!(
            "cert-unknown-ids-none-changed",
            ids = missing.join(", ")
        ))),
    }
}

/// The CJK font PDFs are set in, found once (reading it is 20 MB of I/O).
fn pdf_font() -> Option<&'static crate::certify::print::FontData> {
    static FONT: std::sync::OnceLock<Option<crate::certify::print::FontData>> = std::sync::OnceLock::new();
    FONT.get_or_init(crate::certify::print::find_cjk_font).as_ref()
}

/// One certificate as a printable PDF page (CPU-heavy: call off the async runtime).
pub fn certificate_pdf(ctx: &Ctx<'_>, c: &CertificateRow) -> Result<Vec<u8>> {
    let font = pdf_font().ok_or_else(|| Error::Unavailable(crate::msg!("pdf-no-font")))?;
    let cur = &*ctx.cur;
    let p = crate::certify::print::Printable {
        holder: c.holder.clone(),
        title: level_title(cur, &c.level_id),
        organisation: cur.track.as_ref().map(|t| t.issuer.clone()).unwrap_or_default(),
        issued: validity::day(c.issued_at),
        valid_until: c.expires_at.map(validity::day),
        id: c.id.clone(),
        verify_url: format!("{}/verify/{}", ctx.public_url, c.id),
        status_note: match c.status(ctx.clock.now_ms()) {
            CertStatus::Valid => None,
            CertStatus::Expired => Some(cur.messages.get("pdf-status-expired")),
            CertStatus::Suspended => Some(cur.messages.get("pdf-status-suspended")),
            CertStatus::Revoked => Some(cur.messages.get("pdf-status-revoked")),
        },
    };
    crate::certify::print::certificate_pdf(&p, font, &cur.messages).map_err(|e| Error::Internal(format!("PDF: {e}")))
}

/// What one pass of the reminder job did.
#[derive(Serialize, utoipa::ToSchema, Default, Debug)]
pub struct ReminderRun {
    /// Emails accepted by the SMTP server.
    pub sent: usize,
    /// Holders without an email address (they still see the reminder on their pages).
    pub no_address: usize,
    /// Sends that failed; they are retried on the next pass.
    pub failed: usize,
    /// Whether SMTP is configured at all.
    pub smtp: bool,
}

/// Sends the expiry reminders that are due: once per certificate and expiry date, from
/// the day its level's renewal window opens. Without SMTP it only counts them. Runs
/// hourly in `serve` and on demand.
pub async fn send_due_reminders(ctx: &Ctx<'_>) -> Result<ReminderRun> {
    let cur = &*ctx.cur;
    let Some(track) = &cur.track else {
        return Ok(ReminderRun::default());
    };
    let now = ctx.clock.now_ms();
    let widest = track.levels.iter().map(|l| l.renew_window_days).max().unwrap_or(0) as i64;
    let mut run = ReminderRun {
        smtp: ctx.mailer.is_some(),
        ..Default::default()
    };
    for h in ctx.store.reminder_candidates(now, now + widest * DAY_MS).await? {
        let c = &h.cert;
        let Some(r) = remind::reminder(track, cur, &cur.messages, &c.id, &c.level_id, c.expires_at, false, now).filter(|r| !r.expired)
        else {
            continue;
        };
        let (Some(mailer), false) = (ctx.mailer, h.email.is_empty()) else {
            run.no_address += 1;
            continue;
        };
        // Claimed before it is sent: another server running the same job skips it.
        if !ctx.store.claim_reminder(c.id.clone(), r.expires_at).await? {
            continue;
        }
        let (subject, body) = remind::email(&cur.messages, &c.holder, &track.issuer, &r, &format!("{}/account", ctx.public_url));
        match mailer.send(&c.holder, &h.email, &subject, body).await {
            Ok(()) => {
                ctx.store.reminder_sent(c.id.clone(), now).await?;
                run.sent += 1;
            }
            Err(e) => {
                tracing::warn!(certificate = %c.id, "expiry reminder not sent: {e}");
                ctx.store.release_reminder(c.id.clone(), r.expires_at).await?;
                run.failed += 1;
            }
        }
    }
    Ok(run)
}

/// Admins: sends the due expiry reminders now.
pub async fn run_reminders(ctx: &Ctx<'_>, actor: &User) -> Result<ReminderRun> {
    require(actor, &[])?;
    send_due_reminders(ctx).await
}

/// The reminders a user's pages show.
pub async fn reminders_for(ctx: &Ctx<'_>, user_id: i64) -> Result<Vec<Reminder>> {
    Ok(reminders(ctx, &ctx.store.certificates_of(user_id).await?))
}

/// Which of these certificates their holder should be reminded of now.
pub fn reminders(ctx: &Ctx<'_>, certs: &[CertificateRow]) -> Vec<Reminder> {
    let cur = &*ctx.cur;
    let Some(track) = &cur.track else {
        return Vec::new();
    };
    let now = ctx.clock.now_ms();
    certs
        .iter()
        .filter_map(|c| {
            remind::reminder(
                track,
                cur,
                &cur.messages,
                &c.id,
                &c.level_id,
                c.expires_at,
                c.revoked_at.is_some(),
                now,
            )
        })
        .collect()
}
