//! Progress, open exercises and their grading, certificates: issuing them the
//! moment a learner qualifies, verifying them in public, and the signed credential.

use super::AppState;
use super::auth::{CsrfSession, MaybeSession, Session, random_token};
use super::error::{ApiError, ApiJson, ApiPath, ErrorBody};
use crate::certify::{CertStatus, LevelStatus, evaluate, renewal, validity};
use crate::store::{CertificateRow, NewCertificate, Role, SaveSubmission, SubmissionRow};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::Digest;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(progress))
        .routes(routes!(mark_read))
        .routes(routes!(exercise))
        .routes(routes!(submit))
        .routes(routes!(queue))
        .routes(routes!(submission))
        .routes(routes!(grade))
        .routes(routes!(certificate_public))
        .routes(routes!(credential))
        .routes(routes!(revoke))
        .routes(routes!(issuer))
        .routes(routes!(status_list))
        .routes(routes!(revocation_list))
        .routes(routes!(suspension_list))
        .routes(routes!(suspend))
        .routes(routes!(reinstate))
        .routes(routes!(revoke_many))
        .route("/certificates/{id}/certificate.pdf", get(certificate_pdf_download))
        .route("/verify/{id}", get(verify_page))
        .route("/certificates/{id}", get(certificate_page))
}

/// Issues every level the learner now meets and does not hold, and renews every
/// expiring certificate whose renewal requirements are met inside its window.
/// Called after each graded item and whenever progress is read, so a crash between
/// the two is repaired the next time the learner (or the startup sweep) looks.
/// Returns each level's standing and the certificates issued or renewed now.
pub async fn certify_user(state: &AppState, user_id: i64) -> Result<(Vec<LevelStatus>, Vec<CertificateRow>), ApiError> {
    let cur = state.curriculum();
    let Some(track) = &cur.track else {
        return Ok((Vec::new(), Vec::new()));
    };
    let records = state.store.records(user_id, track.id.clone()).await?;
    let levels = evaluate(track, &cur, &records);
    let now = state.clock.now_ms();
    let due: Vec<NewCertificate> = levels
        .iter()
        .filter(|l| l.met && !l.held)
        .map(|l| {
            let evidence = json!({ "level": l.level, "evaluated_at": now, "requirements": l.requirements });
            let valid_months = track.levels.iter().find(|x| x.id == l.level).and_then(|x| x.valid_months);
            NewCertificate {
                level: l.level.clone(),
                id: crate::certify::certificate_id(),
                evidence: evidence.to_string(),
                expires_at: valid_months.map(|m| validity::add_months(now, m)),
            }
        })
        .collect();
    let mut changed = if due.is_empty() {
        Vec::new()
    } else {
        let issued = state.store.issue_certificates(user_id, track.id.clone(), due, now).await?;
        for c in &issued {
            tracing::info!(user_id, level = %c.level_id, certificate = %c.id, "certificate issued");
        }
        issued
    };
    let mut levels = if changed.is_empty() {
        levels
    } else {
        evaluate(track, &cur, &state.store.records(user_id, track.id.clone()).await?)
    };
    // Held certificates: expiry, and renewal once the window is open.
    for c in state.store.certificates_of(user_id).await? {
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
        // Only results from inside this window count, and not those the last renewal used.
        let since = opens.max(c.renewed_at.unwrap_or(i64::MIN));
        let rec = state.store.records_since(user_id, track.id.clone(), since).await?;
        let r = renewal(level, &cur, &rec, since);
        if r.met {
            let new_expiry = validity::renewed_expiry(expires, now, months);
            if let Some(renewed) = state.store.renew_certificate(c.id.clone(), new_expiry, now).await? {
                tracing::info!(user_id, certificate = %c.id, expires_at = new_expiry, "certificate renewed");
                status.expires_at = renewed.expires_at;
                changed.push(renewed);
                continue;
            }
        }
        status.renewal = Some(r);
    }
    Ok((levels, changed))
}

pub fn level_title(state: &AppState, level: &str) -> String {
    state
        .curriculum()
        .track
        .as_ref()
        .and_then(|t| t.levels.iter().find(|l| l.id == level))
        .map_or(level.to_string(), |l| l.title.clone())
}

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
    pub status: crate::certify::CertStatus,
    pub revoked_at: Option<i64>,
    pub revoke_reason: Option<String>,
    /// Brought in by HR from an earlier system.
    pub imported: bool,
    pub verify_url: String,
    /// The printable PDF.
    pub pdf_url: String,
}

pub fn certificate_json(state: &AppState, c: &CertificateRow) -> CertificateView {
    CertificateView {
        id: c.id.clone(),
        holder: c.holder.clone(),
        track: c.track_id.clone(),
        level: c.level_id.clone(),
        level_title: level_title(state, &c.level_id),
        issued_at: c.issued_at,
        valid_until: c.expires_at,
        renewed_at: c.renewed_at,
        status: c.status(state.clock.now_ms()),
        revoked_at: c.revoked_at,
        revoke_reason: c.revoke_reason.clone(),
        imported: c.imported,
        verify_url: format!("{}/verify/{}", state.public_url, c.id),
        pdf_url: format!("{}/certificates/{}/certificate.pdf", state.public_url, c.id),
    }
}

pub fn certificates_json(state: &AppState, cs: &[CertificateRow]) -> Vec<CertificateView> {
    cs.iter().map(|c| certificate_json(state, c)).collect()
}

#[derive(Serialize, ToSchema)]
struct TrackRef {
    id: String,
    title: String,
}

#[derive(Serialize, ToSchema)]
struct Progress {
    track: Option<TrackRef>,
    levels: Vec<LevelStatus>,
    certificates: Vec<CertificateView>,
}

/// The caller's standing on every certification level, and the certificates they hold.
#[utoipa::path(get, path = "/api/progress", tag = "certification", security(("session" = [])),
    responses((status = 200, body = Progress), (status = 401, body = ErrorBody)))]
async fn progress(State(state): State<AppState>, session: Session) -> Result<Json<Progress>, ApiError> {
    let (levels, _) = certify_user(&state, session.user.id).await?;
    let certs = state.store.certificates_of(session.user.id).await?;
    Ok(Json(Progress {
        track: state.curriculum().track.as_ref().map(|t| TrackRef {
            id: t.id.clone(),
            title: t.title.clone(),
        }),
        levels,
        certificates: certificates_json(&state, &certs),
    }))
}

#[derive(Serialize, ToSchema)]
struct ReadReceipt {
    lesson: String,
    read: bool,
    certificates_issued: Vec<CertificateView>,
}

/// Marks a lesson read (a `read` requirement counts it).
#[utoipa::path(post, path = "/api/lessons/{id}/read", tag = "certification", security(("session" = [], "csrf" = [])),
    params(("id" = String, Path, description = "lesson id")),
    responses((status = 200, body = ReadReceipt), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn mark_read(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ReadReceipt>, ApiError> {
    if !state.curriculum().pages().any(|(_, _, l)| l.id == id) {
        return Err(ApiError::NotFound(format!("没有这一课：{id}")));
    }
    state.store.mark_read(session.user.id, id.clone(), state.clock.now_ms()).await?;
    let (_, issued) = certify_user(&state, session.user.id).await?;
    Ok(Json(ReadReceipt {
        lesson: id,
        read: true,
        certificates_issued: certificates_json(&state, &issued),
    }))
}

fn find_exercise(state: &AppState, id: &str) -> Result<crate::certify::Exercise, ApiError> {
    state
        .curriculum()
        .exercises
        .get(id)
        .cloned()
        .ok_or_else(|| ApiError::NotFound(format!("没有这个练习：{id}")))
}

#[derive(Serialize, ToSchema)]
struct DimensionScore {
    id: String,
    title: String,
    score: Option<f64>,
}

/// A submission as its learner sees it (the grader's id stays internal).
#[derive(Serialize, ToSchema)]
struct SubmissionView {
    id: String,
    exercise_id: String,
    body: String,
    revision: u32,
    submitted_at: i64,
    /// `submitted` or `graded`.
    status: String,
    total: Option<f64>,
    feedback: Option<String>,
    graded_at: Option<i64>,
    dimensions: Vec<DimensionScore>,
}

fn submission_json(state: &AppState, s: &SubmissionRow) -> SubmissionView {
    let dimensions = state
        .curriculum()
        .rubric
        .dimensions
        .iter()
        .enumerate()
        .map(|(i, d)| DimensionScore {
            id: d.id.clone(),
            title: d.title.clone(),
            score: s.scores.as_ref().and_then(|v| v.get(i)).copied(),
        })
        .collect();
    SubmissionView {
        id: s.id.clone(),
        exercise_id: s.exercise_id.clone(),
        body: s.body.clone(),
        revision: s.revision,
        submitted_at: s.submitted_at,
        status: s.status.clone(),
        total: s.total,
        feedback: s.feedback.clone(),
        graded_at: s.graded_at,
        dimensions,
    }
}

#[derive(Serialize, ToSchema)]
struct ExerciseView {
    id: String,
    title: String,
    /// Total (0–100) needed to pass.
    pass: f64,
    min_chars: usize,
    max_chars: usize,
    submission: Option<SubmissionView>,
}

/// An exercise and the caller's submission to it.
#[utoipa::path(get, path = "/api/exercises/{id}", tag = "exercises", security(("session" = [])),
    params(("id" = String, Path, description = "exercise id")),
    responses((status = 200, body = ExerciseView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn exercise(State(state): State<AppState>, session: Session, ApiPath(id): ApiPath<String>) -> Result<Json<ExerciseView>, ApiError> {
    let ex = find_exercise(&state, &id)?;
    let sub = state.store.submission(session.user.id, id).await?;
    Ok(Json(ExerciseView {
        id: ex.id,
        title: ex.title,
        pass: ex.pass,
        min_chars: ex.min_chars,
        max_chars: ex.max_chars,
        submission: sub.as_ref().map(|s| submission_json(&state, s)),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ExerciseAnswer {
    body: String,
}

/// Submits (or, until graded, revises) the caller's answer to an exercise.
#[utoipa::path(post, path = "/api/exercises/{id}/submission", tag = "exercises", security(("session" = [], "csrf" = [])),
    params(("id" = String, Path, description = "exercise id")), request_body = ExerciseAnswer,
    responses((status = 200, body = SubmissionView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 400, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)))]
async fn submit(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<ExerciseAnswer>,
) -> Result<Json<SubmissionView>, ApiError> {
    let ex = find_exercise(&state, &id)?;
    let body = b.body.trim().to_string();
    let n = body.chars().count();
    if n < ex.min_chars || n > ex.max_chars {
        return Err(ApiError::Unprocessable(format!(
            "答案需要 {}～{} 个字，现在是 {n} 个字 (length out of range)",
            ex.min_chars, ex.max_chars
        )));
    }
    match state
        .store
        .save_submission(session.user.id, id, body, random_token(), state.clock.now_ms())
        .await?
    {
        SaveSubmission::Saved(s) => Ok(Json(submission_json(&state, &s))),
        SaveSubmission::AlreadyGraded(_) => Err(ApiError::Conflict("已经评分的答案不能再修改 (already graded)".into())),
    }
}

#[derive(Serialize, ToSchema)]
struct QueueItem {
    id: String,
    learner: String,
    user_id: i64,
    exercise_id: String,
    exercise_title: Option<String>,
    revision: u32,
    submitted_at: i64,
    chars: usize,
}

#[derive(Serialize, ToSchema)]
struct Queue {
    submissions: Vec<QueueItem>,
}

/// Instructors: submissions waiting for a grade, oldest first.
#[utoipa::path(get, path = "/api/instructor/submissions", tag = "grading", security(("session" = [])),
    responses((status = 200, body = Queue), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn queue(State(state): State<AppState>, session: Session) -> Result<Json<Queue>, ApiError> {
    session.require(&[Role::Instructor])?;
    let rows = state.store.grading_queue("submitted").await?;
    let submissions = rows
        .iter()
        .map(|(s, name)| QueueItem {
            id: s.id.clone(),
            learner: name.clone(),
            user_id: s.user_id,
            exercise_id: s.exercise_id.clone(),
            exercise_title: state.curriculum().exercises.get(&s.exercise_id).map(|e| e.title.clone()),
            revision: s.revision,
            submitted_at: s.submitted_at,
            chars: s.body.chars().count(),
        })
        .collect();
    Ok(Json(Queue { submissions }))
}

#[derive(Serialize, ToSchema)]
struct ExerciseBrief {
    title: String,
    prompt: String,
    pass: f64,
    /// Dimension weights, when the exercise sets its own.
    #[schema(value_type = Option<Object>)]
    weights: Option<Value>,
}

#[derive(Serialize, ToSchema)]
struct SubmissionForGrader {
    #[serde(flatten)]
    submission: SubmissionView,
    user_id: i64,
    exercise: Option<ExerciseBrief>,
    /// The rubric: dimensions with titles, descriptions and level descriptors.
    #[schema(value_type = Object)]
    rubric: Value,
}

/// Instructors: one submission with the exercise prompt and the rubric.
#[utoipa::path(get, path = "/api/instructor/submissions/{id}", tag = "grading", security(("session" = [])),
    params(("id" = String, Path, description = "submission id")),
    responses((status = 200, body = SubmissionForGrader), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn submission(
    State(state): State<AppState>,
    session: Session,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<SubmissionForGrader>, ApiError> {
    session.require(&[Role::Instructor])?;
    let s = state
        .store
        .submission_by_id(id)
        .await?
        .ok_or_else(|| ApiError::NotFound("没有这份提交 (no such submission)".into()))?;
    let cur = state.curriculum();
    let ex = cur.exercises.get(&s.exercise_id);
    Ok(Json(SubmissionForGrader {
        submission: submission_json(&state, &s),
        user_id: s.user_id,
        exercise: ex.map(|e| ExerciseBrief {
            title: e.title.clone(),
            prompt: e.prompt.clone(),
            pass: e.pass,
            weights: e.weights.as_ref().and_then(|w| serde_json::to_value(w).ok()),
        }),
        rubric: serde_json::to_value(&state.curriculum().rubric).map_err(|e| ApiError::Internal(e.to_string()))?,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct GradeBody {
    /// Per-dimension scores 0–100, by dimension id.
    scores: std::collections::BTreeMap<String, f64>,
    #[serde(default)]
    feedback: String,
}

#[derive(Serialize, ToSchema)]
struct Graded {
    #[serde(flatten)]
    submission: SubmissionView,
    certificates_issued: Vec<CertificateView>,
}

/// Instructors: grades a submission on every rubric dimension (0–100).
#[utoipa::path(post, path = "/api/instructor/submissions/{id}/grade", tag = "grading", security(("session" = [], "csrf" = [])),
    params(("id" = String, Path, description = "submission id")), request_body = GradeBody,
    responses((status = 200, body = Graded), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 400, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)))]
async fn grade(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
    ApiPath(id): ApiPath<String>,
    ApiJson(g): ApiJson<GradeBody>,
) -> Result<Json<Graded>, ApiError> {
    session.require(&[Role::Instructor])?;
    let (graded, issued) = apply_grade(&state, id, &g.scores, g.feedback, session.user.id).await?;
    Ok(Json(Graded {
        submission: submission_json(&state, &graded),
        certificates_issued: certificates_json(&state, &issued),
    }))
}

/// Checks and records a grade, then certifies the learner if it completed a level.
/// Shared by the API and the grading form.
pub async fn apply_grade(
    state: &AppState,
    id: String,
    given: &std::collections::BTreeMap<String, f64>,
    feedback: String,
    grader: i64,
) -> Result<(SubmissionRow, Vec<CertificateRow>), ApiError> {
    let s = state
        .store
        .submission_by_id(id.clone())
        .await?
        .ok_or_else(|| ApiError::NotFound("没有这份提交 (no such submission)".into()))?;
    let rubric = &state.curriculum().rubric;
    let mut scores = [0.0; 5];
    for (i, d) in rubric.dimensions.iter().enumerate() {
        match given.get(&d.id) {
            Some(v) if v.is_finite() && (0.0..=100.0).contains(v) => scores[i] = *v,
            _ => return Err(ApiError::Unprocessable(format!("「{}」({}) 需要 0～100 的分数", d.title, d.id))),
        }
    }
    if let Some(k) = given.keys().find(|k| !rubric.dimensions.iter().any(|d| &d.id == *k)) {
        return Err(ApiError::Unprocessable(format!("没有评分维度 `{k}`")));
    }
    if feedback.chars().count() > 20_000 {
        return Err(ApiError::Unprocessable("反馈太长（最多 20000 字）".into()));
    }
    let weights = state.curriculum().exercises.get(&s.exercise_id).and_then(|e| e.weights);
    let total = rubric.total(&scores, weights.as_ref());
    let graded = state
        .store
        .grade_submission(
            id,
            scores.to_vec(),
            total,
            feedback.trim().to_string(),
            grader,
            state.clock.now_ms(),
        )
        .await?
        .ok_or_else(|| ApiError::NotFound("没有这份提交 (no such submission)".into()))?;
    let (_, issued) = certify_user(state, graded.user_id).await?;
    Ok((graded, issued))
}

/// Public: what a verifier may know, and nothing more.
#[utoipa::path(get, path = "/api/certificates/{id}", tag = "certificates",
    params(("id" = String, Path, description = "certificate id, e.g. CB-XXXX-XXXX-XXXX")),
    responses((status = 200, body = CertificateView), (status = 404, body = ErrorBody)))]
async fn certificate_public(State(state): State<AppState>, ApiPath(id): ApiPath<String>) -> Result<Json<CertificateView>, ApiError> {
    let c = state
        .store
        .certificate(id)
        .await?
        .ok_or_else(|| ApiError::NotFound("没有这张证书 (no such certificate)".into()))?;
    Ok(Json(certificate_json(&state, &c)))
}

/// The holder's (or staff's) signed Open Badges 3.0 credential (a download).
#[utoipa::path(get, path = "/api/certificates/{id}/credential", tag = "certificates", security(("session" = [])),
    params(("id" = String, Path, description = "certificate id")),
    responses((status = 200, description = "a signed OpenBadgeCredential (eddsa-jcs-2022)", content_type = "application/json", body = Object),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn credential(State(state): State<AppState>, session: Session, ApiPath(id): ApiPath<String>) -> Result<impl IntoResponse, ApiError> {
    let c = state
        .store
        .certificate(id)
        .await?
        .filter(|c| c.user_id == session.user.id || session.is_staff())
        .ok_or_else(|| ApiError::NotFound("没有这张证书 (no such certificate)".into()))?;
    if c.revoked_at.is_some() {
        return Err(ApiError::Conflict("证书已被撤销 (revoked)".into()));
    }
    let doc = open_badge(&state, &c);
    let signed = state.issuer.sign_in_set(doc, &rfc3339(c.issued_at));
    let body = serde_json::to_string_pretty(&signed).map_err(|e| ApiError::Internal(e.to_string()))?;
    let name = format!("attachment; filename=\"{}.json\"", c.id);
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            (header::CONTENT_DISPOSITION, name),
        ],
        body,
    ))
}

/// Unix ms as a UTC date-time (whole seconds).
fn utc(ms: i64) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::from_unix_timestamp(ms / 1000).ok()
}

pub fn rfc3339(ms: i64) -> String {
    utc(ms)
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct RevokeBody {
    reason: String,
}

/// Admins: revokes a certificate, with a reason the verification page shows.
#[utoipa::path(post, path = "/api/admin/certificates/{id}/revoke", tag = "certificates", security(("session" = [], "csrf" = [])),
    params(("id" = String, Path, description = "certificate id")), request_body = RevokeBody,
    responses((status = 200, body = CertificateView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 400, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)))]
async fn revoke(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<RevokeBody>,
) -> Result<Json<CertificateView>, ApiError> {
    session.require(&[])?;
    let reason = b.reason.trim().to_string();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(ApiError::Unprocessable("撤销需要写明原因（最多 500 字）".into()));
    }
    if !state
        .store
        .revoke_certificate(id.clone(), reason, session.user.id, state.clock.now_ms())
        .await?
    {
        return Err(ApiError::NotFound("没有这张证书 (no such certificate)".into()));
    }
    let c = state
        .store
        .certificate(id)
        .await?
        .ok_or_else(|| ApiError::NotFound("no such certificate".into()))?;
    tracing::info!(certificate = %c.id, by = session.user.id, "certificate revoked");
    Ok(Json(certificate_json(&state, &c)))
}

#[derive(Serialize, ToSchema)]
struct IssuerView {
    /// `did:key:…` of the signing key.
    id: String,
    name: String,
    verification_method: String,
}

/// The issuer's public identity: pin this DID when verifying offline.
#[utoipa::path(get, path = "/api/issuer", tag = "certificates", responses((status = 200, body = IssuerView)))]
async fn issuer(State(state): State<AppState>) -> Json<IssuerView> {
    let name = state.curriculum().track.as_ref().map(|t| t.issuer.clone()).unwrap_or_default();
    Json(IssuerView {
        id: state.issuer.did.clone(),
        name,
        verification_method: state.issuer.method(),
    })
}

/// `2026 年 11 月 23 日 14:05 (UTC)`.
pub fn date_time(ms: i64) -> String {
    utc(ms)
        .map(|t| format!("{} {:02}:{:02} (UTC)", date(ms), t.hour(), t.minute()))
        .unwrap_or_default()
}

fn date(ms: i64) -> String {
    utc(ms)
        .map(|t| format!("{} 年 {} 月 {} 日", t.year(), u8::from(t.month()), t.day()))
        .unwrap_or_default()
}

/// The unsigned Open Badges 3.0 credential for a certificate.
pub fn open_badge(state: &AppState, c: &CertificateRow) -> Value {
    let cur = state.curriculum();
    let track = cur.track.as_ref();
    let level = track.and_then(|t| t.levels.iter().find(|l| l.id == c.level_id));
    let criteria: Vec<String> = level
        .map(|l| {
            crate::certify::evaluate(track.expect("a level has a track"), &state.curriculum(), &Default::default())
                .into_iter()
                .find(|s| s.level == l.id)
                .map(|s| {
                    s.requirements
                        .into_iter()
                        .map(|r| r.label.split('（').next().unwrap_or_default().to_string())
                        .collect()
                })
                .unwrap_or_default()
        })
        .unwrap_or_default();
    // One entry for both revocation and suspension: Open Badges 3.0 allows one.
    let list_url = format!("{}/api/status/lists/{}", state.public_url, c.status_list);
    let status = json!({
        "id": format!("{list_url}#{}", c.status_index),
        "type": "BitstringStatusListEntry",
        "statusPurpose": "message",
        "statusSize": crate::certify::credential::status::STATUS_SIZE,
        "statusListIndex": c.status_index.to_string(),
        "statusListCredential": list_url,
        "statusMessage": crate::certify::credential::status::status_messages(),
    });
    let mut doc = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": format!("{}/verify/{}", state.public_url, c.id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": { "id": state.issuer.did, "type": ["Profile"], "name": track.map(|t| t.issuer.clone()).unwrap_or_default(), "url": state.public_url },
        "validFrom": rfc3339(c.issued_at),
        "credentialStatus": status,
        "name": level_title(state, &c.level_id),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": c.holder,
            "identifier": holder_identifiers(state, c),
            "achievement": {
                "id": format!("{}/achievements/{}/{}", state.public_url, c.track_id, c.level_id),
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": level_title(state, &c.level_id),
                "description": level.map(|l| l.summary.clone()).unwrap_or_default(),
                "criteria": { "narrative": criteria.join("；") },
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
fn holder_identifiers(state: &AppState, c: &CertificateRow) -> Vec<Value> {
    use crate::certify::credential::{identity_hash, normalise_email};
    let salt: String = sha2::Sha256::digest(format!("certbook identity salt {} {}", state.issuer.did, c.id).as_bytes())
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
        "identityHash": identity_hash(&learner_urn(state, c.user_id), &salt), "salt": salt }));
    out
}

/// The learner's stable identifier at this issuer.
pub fn learner_urn(state: &AppState, user_id: i64) -> String {
    format!("urn:certbook:{}:learner:{user_id}", state.issuer.did)
}

fn page_data(state: &AppState, id: &str, c: Option<&CertificateRow>) -> Value {
    let cur = state.curriculum();
    let track = cur.track.as_ref();
    match c {
        None => json!({ "found": false, "id": id }),
        Some(c) => {
            let status = c.status(state.clock.now_ms());
            let verify_url = format!("{}/verify/{}", state.public_url, c.id);
            json!({
                "found": true, "id": c.id, "holder": c.holder, "level_title": level_title(state, &c.level_id),
                "track_title": track.map(|t| t.title.clone()).unwrap_or_default(),
                "issuer_name": track.map(|t| t.issuer.clone()).unwrap_or_default(), "issuer_did": state.issuer.did,
                "issued": date(c.issued_at), "valid": status == CertStatus::Valid,
                "status": status.as_str(), "expired": status == CertStatus::Expired, "revoked_flag": status == CertStatus::Revoked,
                "suspended": status == CertStatus::Suspended, "suspended_on": c.suspended_at.map(date),
                "expires": c.expires_at.map(date), "renewed": c.renewed_at.map(date), "imported": c.imported,
                "revoked": c.revoked_at.map(date), "revoke_reason": c.revoke_reason,
                "pdf_url": format!("/certificates/{}/certificate.pdf", c.id),
                "verify_url": verify_url,
            })
        }
    }
}

/// Public verification: holder, level, date and status, nothing private.
async fn verify_page(State(state): State<AppState>, Path(id): Path<String>) -> Result<axum::response::Response, ApiError> {
    let c = state.store.certificate(id.clone()).await?;
    let mut r = state
        .pages()
        .render("verify", "证书验证", None, None, page_data(&state, &id, c.as_ref()));
    if c.is_none() {
        *r.status_mut() = axum::http::StatusCode::NOT_FOUND;
    }
    Ok(r)
}

/// The printable certificate (public, like the verification page it links to).
async fn certificate_page(
    State(state): State<AppState>,
    MaybeSession(session): MaybeSession,
    Path(id): Path<String>,
) -> Result<axum::response::Response, ApiError> {
    match state.store.certificate(id.clone()).await? {
        Some(c) => {
            let mut data = page_data(&state, &id, Some(&c));
            data["qr_svg"] = json!(crate::certify::print::qr_svg(&format!("{}/verify/{}", state.public_url, c.id), 200));
            // The holder may add it to their LinkedIn profile.
            if session.as_ref().is_some_and(|s| s.user.id == c.user_id) && c.status(state.clock.now_ms()) == CertStatus::Valid {
                data["linkedin_url"] = json!(linkedin_url(&state, &c));
            }
            Ok(state.pages().render(
                "certificate",
                &level_title(&state, &c.level_id),
                session.as_ref().map(|s| &s.user),
                session.as_ref().map(|s| s.csrf.as_str()),
                data,
            ))
        }
        None => Ok(state
            .pages()
            .error(axum::http::StatusCode::NOT_FOUND, "查无此证书", "这个编号不是本系统颁发的证书。")),
    }
}

/// LinkedIn's "add licence or certification" form, filled in.
fn linkedin_url(state: &AppState, c: &CertificateRow) -> String {
    let cur = state.curriculum();
    let org = cur.track.as_ref().map(|t| t.issuer.clone()).unwrap_or_default();
    let ym = |ms: i64| utc(ms).map(|t| (t.year(), u8::from(t.month()))).unwrap_or((1970, 1));
    let (iy, im) = ym(c.issued_at);
    let mut params = vec![
        ("startTask", "CERTIFICATION_NAME".to_string()),
        ("name", level_title(state, &c.level_id)),
        ("organizationName", org),
        ("issueYear", iy.to_string()),
        ("issueMonth", im.to_string()),
        ("certUrl", format!("{}/verify/{}", state.public_url, c.id)),
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

/// Percent-encodes everything but unreserved characters (RFC 3986).
pub fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The CJK font PDFs are set in, found once (reading it is 20 MB of I/O).
fn pdf_font() -> Option<&'static crate::certify::print::FontData> {
    static FONT: std::sync::OnceLock<Option<crate::certify::print::FontData>> = std::sync::OnceLock::new();
    FONT.get_or_init(crate::certify::print::find_cjk_font).as_ref()
}

/// One certificate as a printable PDF page.
pub fn certificate_pdf(state: &AppState, c: &CertificateRow) -> Result<Vec<u8>, ApiError> {
    let font = pdf_font().ok_or_else(|| {
        ApiError::Unavailable(
            "服务器上没有可用的中文字体，无法生成 PDF；请安装 fonts-noto-cjk 或设置 CERTBOOK_PDF_FONT (no CJK font)".into(),
        )
    })?;
    let cur = state.curriculum();
    let status = c.status(state.clock.now_ms());
    let p = crate::certify::print::Printable {
        holder: c.holder.clone(),
        title: level_title(state, &c.level_id),
        organisation: cur.track.as_ref().map(|t| t.issuer.clone()).unwrap_or_default(),
        issued: day(c.issued_at),
        valid_until: c.expires_at.map(day),
        id: c.id.clone(),
        verify_url: format!("{}/verify/{}", state.public_url, c.id),
        status_note: match status {
            CertStatus::Valid => None,
            CertStatus::Expired => Some("已过期".into()),
            CertStatus::Suspended => Some("已暂停".into()),
            CertStatus::Revoked => Some("已撤销".into()),
        },
    };
    crate::certify::print::certificate_pdf(&p, font).map_err(|e| ApiError::Internal(format!("PDF: {e}")))
}

pub use crate::certify::validity::day;

/// Public, like the printable page: the certificate as a PDF download.
async fn certificate_pdf_download(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<axum::response::Response, ApiError> {
    let c = state
        .store
        .certificate(id)
        .await?
        .ok_or_else(|| ApiError::NotFound("没有这张证书 (no such certificate)".into()))?;
    let st = state.clone();
    let pdf = tokio::task::spawn_blocking(move || certificate_pdf(&st, &c).map(|b| (b, c.id)))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))??;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}.pdf\"", pdf.1)),
        ],
        pdf.0,
    )
        .into_response())
}

/// A signed BitstringStatusListCredential with the given subject fields.
fn signed_status_list(state: &AppState, url: String, subject: Value) -> Response {
    let now = rfc3339(state.clock.now_ms());
    let mut subject = subject;
    subject["id"] = json!(format!("{url}#list"));
    subject["type"] = json!("BitstringStatusList");
    // Milliseconds a verifier may cache it: the same minute as Cache-Control.
    subject["ttl"] = json!(60_000);
    let doc = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        // The bare DID: `Profile` is an Open Badges term, and these lists use the VC context alone.
        "issuer": state.issuer.did,
        "validFrom": now,
        "credentialSubject": subject,
    });
    let signed = state.issuer.sign(doc, &now);
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            // Verifiers may cache it briefly; a change shows within a minute.
            (header::CACHE_CONTROL, "public, max-age=60"),
        ],
        Json(signed),
    )
        .into_response()
}

/// A W3C Bitstring Status List (two bits an entry: 0 valid, 1 suspended, 2 revoked),
/// signed like the credentials: a verifier reads a credential's entry here without
/// telling us which one it holds.
#[utoipa::path(get, path = "/api/status/lists/{list}", tag = "certificates",
    params(("list" = u32, Path, description = "status list number, from a credential's statusListCredential")),
    responses((status = 200, description = "a signed BitstringStatusListCredential", content_type = "application/json", body = Object),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn status_list(State(state): State<AppState>, ApiPath(list): ApiPath<u32>) -> Result<Response, ApiError> {
    use crate::certify::credential::status::{LIST_ENTRIES, Listed, STATUS_SIZE, encode_list};
    let entries = state
        .store
        .status_list_entries(i64::from(list))
        .await?
        .ok_or_else(|| ApiError::NotFound("没有这个状态列表 (no such status list)".into()))?;
    let values: Vec<(u64, u8)> = entries
        .into_iter()
        .map(|(i, revoked, suspended)| (i, Listed::of(revoked, suspended) as u8))
        .collect();
    let url = format!("{}/api/status/lists/{list}", state.public_url);
    Ok(signed_status_list(
        &state,
        url,
        json!({
            // statusSize and statusMessage travel in each credential's entry (the VC
            // context defines them there only); the list carries the bits.
            "statusPurpose": "message",
            "encodedList": encode_list(LIST_ENTRIES, STATUS_SIZE, &values),
        }),
    ))
}

/// A one-bit list of the first list's entries for `purpose`, which credentials
/// issued before the two-bit lists name.
async fn legacy_status_list(state: &AppState, purpose: &'static str) -> Result<Response, ApiError> {
    use crate::certify::credential::status::{LIST_ENTRIES, encode_list};
    let set: Vec<(u64, u8)> = state
        .store
        .legacy_status_slots(purpose)
        .await?
        .into_iter()
        .map(|i| (i, 1))
        .collect();
    let url = format!("{}/api/status/{purpose}", state.public_url);
    Ok(signed_status_list(
        state,
        url,
        json!({ "statusPurpose": purpose, "encodedList": encode_list(LIST_ENTRIES, 1, &set) }),
    ))
}

/// The one-bit revocation list that credentials issued before the two-bit lists name.
#[utoipa::path(get, path = "/api/status/revocation", tag = "certificates",
    responses((status = 200, description = "a signed BitstringStatusListCredential", content_type = "application/json", body = Object)))]
async fn revocation_list(State(state): State<AppState>) -> Result<Response, ApiError> {
    legacy_status_list(&state, "revocation").await
}

/// The one-bit suspension list that credentials issued before the two-bit lists name.
#[utoipa::path(get, path = "/api/status/suspension", tag = "certificates",
    responses((status = 200, description = "a signed BitstringStatusListCredential", content_type = "application/json", body = Object)))]
async fn suspension_list(State(state): State<AppState>) -> Result<Response, ApiError> {
    legacy_status_list(&state, "suspension").await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct SuspendBody {
    /// Certificate ids; unknown ids refuse the whole request.
    ids: Vec<String>,
    /// Why (required to suspend; leave out to reinstate).
    reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct Changed {
    changed: usize,
}

async fn set_suspension(state: &AppState, session: &Session, ids: Vec<String>, reason: Option<String>) -> Result<Json<Changed>, ApiError> {
    session.require(&[])?;
    if ids.is_empty() || ids.len() > 10_000 {
        return Err(ApiError::Unprocessable("请列出 1～10000 个证书编号".into()));
    }
    match state
        .store
        .set_suspension(ids, reason, session.user.id, state.clock.now_ms())
        .await?
    {
        Ok(n) => Ok(Json(Changed { changed: n })),
        Err(missing) => Err(ApiError::Unprocessable(format!(
            "没有这些证书，未做任何更改：{} (unknown ids; nothing changed)",
            missing.join(", ")
        ))),
    }
}

/// Admins: suspends certificates with a reason, all or none. A suspended certificate
/// fails verification until it is reinstated; its bit is set in the suspension list.
#[utoipa::path(post, path = "/api/admin/certificates/suspend", tag = "certificates", security(("session" = [], "csrf" = [])),
    request_body = SuspendBody,
    responses((status = 200, body = Changed), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn suspend(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
    ApiJson(b): ApiJson<SuspendBody>,
) -> Result<Json<Changed>, ApiError> {
    let reason = b.reason.as_deref().map(str::trim).unwrap_or_default().to_string();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(ApiError::Unprocessable(
            "暂停需要写明原因（最多 500 字）(a reason is required)".into(),
        ));
    }
    set_suspension(&state, &session, b.ids, Some(reason)).await
}

/// Admins: lifts the suspension of certificates, all or none.
#[utoipa::path(post, path = "/api/admin/certificates/reinstate", tag = "certificates", security(("session" = [], "csrf" = [])),
    request_body = SuspendBody,
    responses((status = 200, body = Changed), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn reinstate(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
    ApiJson(b): ApiJson<SuspendBody>,
) -> Result<Json<Changed>, ApiError> {
    set_suspension(&state, &session, b.ids, None).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct BulkRevokeBody {
    /// Certificate ids; unknown ids refuse the whole request.
    ids: Vec<String>,
    reason: String,
}

#[derive(Serialize, ToSchema)]
struct BulkRevoked {
    revoked: usize,
}

/// Admins: revokes many certificates with one reason, all or none.
#[utoipa::path(post, path = "/api/admin/certificates/revoke", tag = "certificates", security(("session" = [], "csrf" = [])),
    request_body = BulkRevokeBody,
    responses((status = 200, body = BulkRevoked), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn revoke_many(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
    ApiJson(b): ApiJson<BulkRevokeBody>,
) -> Result<Json<BulkRevoked>, ApiError> {
    session.require(&[])?;
    let reason = b.reason.trim().to_string();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(ApiError::Unprocessable("撤销需要写明原因（最多 500 字）".into()));
    }
    if b.ids.is_empty() || b.ids.len() > 10_000 {
        return Err(ApiError::Unprocessable("请列出 1～10000 个证书编号".into()));
    }
    match state
        .store
        .revoke_many(b.ids, reason, session.user.id, state.clock.now_ms())
        .await?
    {
        Ok(n) => {
            tracing::info!(count = n, by = session.user.id, "certificates revoked in bulk");
            Ok(Json(BulkRevoked { revoked: n }))
        }
        Err(missing) => Err(ApiError::Unprocessable(format!(
            "没有这些证书，未撤销任何证书：{} (unknown ids; nothing revoked)",
            missing.join(", ")
        ))),
    }
}
