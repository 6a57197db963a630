//! Progress, open exercises and their grading, certificates: the API and pages over
//! [`crate::app::certification`] and [`crate::app::grading`], which hold the rules.

use super::AppState;
use super::auth::{CsrfSession, MaybeSession, Session};
use super::error::{ApiError, ApiJson, ApiPath, ErrorBody};
use crate::app::certification;
use crate::app::grading;
use crate::app::views::{self, CertificateView};
use crate::certify::LevelStatus;
use crate::course::Curriculum;
use crate::store::SubmissionRow;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use serde_json::Value;
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
    let ctx = state.ctx();
    let (levels, certs) = certification::progress(&ctx, session.user.id).await?;
    Ok(Json(Progress {
        track: ctx.cur.track.as_ref().map(|t| TrackRef {
            id: t.id.clone(),
            title: t.title.clone(),
        }),
        levels,
        certificates: CertificateView::all(&ctx, &certs),
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
    let ctx = state.ctx();
    let issued = certification::mark_read(&ctx, session.user.id, &id).await?;
    Ok(Json(ReadReceipt {
        lesson: id,
        read: true,
        certificates_issued: CertificateView::all(&ctx, &issued),
    }))
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
    status: crate::certify::SubmissionStatus,
    total: Option<f64>,
    feedback: Option<String>,
    graded_at: Option<i64>,
    dimensions: Vec<DimensionScore>,
}

fn submission_json(cur: &Curriculum, s: &SubmissionRow) -> SubmissionView {
    let dimensions = cur
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
        status: s.status,
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
    let ctx = state.ctx();
    let (ex, sub) = grading::exercise_for(&ctx, session.user.id, &id).await?;
    Ok(Json(ExerciseView {
        id: ex.id,
        title: ex.title,
        pass: ex.pass,
        min_chars: ex.min_chars,
        max_chars: ex.max_chars,
        submission: sub.as_ref().map(|s| submission_json(&ctx.cur, s)),
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
    let ctx = state.ctx();
    let s = grading::submit(&ctx, session.user.id, &id, &b.body).await?;
    Ok(Json(submission_json(&ctx.cur, &s)))
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
    let ctx = state.ctx();
    let rows = grading::queue(&ctx, &session.user).await?;
    let submissions = rows
        .iter()
        .map(|(s, name)| QueueItem {
            id: s.id.clone(),
            learner: name.clone(),
            user_id: s.user_id,
            exercise_id: s.exercise_id.clone(),
            exercise_title: ctx.cur.exercises.get(&s.exercise_id).map(|e| e.title.clone()),
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
    weights: Option<Vec<f64>>,
}

#[derive(Serialize, ToSchema)]
struct SubmissionForGrader {
    #[serde(flatten)]
    submission: SubmissionView,
    user_id: i64,
    exercise: Option<ExerciseBrief>,
    /// The rubric: dimensions with titles, descriptions and level descriptors.
    #[schema(value_type = Object)]
    rubric: crate::certify::Rubric,
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
    let ctx = state.ctx();
    let s = grading::submission(&ctx, &session.user, &id).await?;
    let ex = ctx.cur.exercises.get(&s.exercise_id);
    Ok(Json(SubmissionForGrader {
        submission: submission_json(&ctx.cur, &s),
        user_id: s.user_id,
        exercise: ex.map(|e| ExerciseBrief {
            title: e.title.clone(),
            prompt: e.prompt.clone(),
            pass: e.pass,
            weights: e.weights.map(|w| w.to_vec()),
        }),
        rubric: ctx.cur.rubric.clone(),
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
    let ctx = state.ctx();
    let (graded, issued) = grading::grade(&ctx, &session.user, &id, &g.scores, &g.feedback).await?;
    Ok(Json(Graded {
        submission: submission_json(&ctx.cur, &graded),
        certificates_issued: CertificateView::all(&ctx, &issued),
    }))
}

/// Public: what a verifier may know, and nothing more.
#[utoipa::path(get, path = "/api/certificates/{id}", tag = "certificates",
    params(("id" = String, Path, description = "certificate id, e.g. CB-XXXX-XXXX-XXXX")),
    responses((status = 200, body = CertificateView), (status = 404, body = ErrorBody)))]
async fn certificate_public(State(state): State<AppState>, ApiPath(id): ApiPath<String>) -> Result<Json<CertificateView>, ApiError> {
    let ctx = state.ctx();
    let c = certification::certificate(&ctx, &id).await?;
    Ok(Json(CertificateView::of(&ctx, &c)))
}

/// The holder's (or staff's) signed Open Badges 3.0 credential (a download).
#[utoipa::path(get, path = "/api/certificates/{id}/credential", tag = "certificates", security(("session" = [])),
    params(("id" = String, Path, description = "certificate id")),
    responses((status = 200, description = "a signed OpenBadgeCredential (eddsa-jcs-2022)", content_type = "application/json", body = Object),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn credential(State(state): State<AppState>, session: Session, ApiPath(id): ApiPath<String>) -> Result<impl IntoResponse, ApiError> {
    let signed = certification::credential(&state.ctx(), &session.user, &id).await?;
    let body = serde_json::to_string_pretty(&signed.doc).map_err(|e| ApiError::Internal(e.to_string()))?;
    let name = format!("attachment; filename=\"{}.json\"", signed.certificate);
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            (header::CONTENT_DISPOSITION, name),
        ],
        body,
    ))
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
    let ctx = state.ctx();
    let c = certification::revoke(&ctx, &session.user, &id, &b.reason).await?;
    Ok(Json(CertificateView::of(&ctx, &c)))
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

/// Public verification: holder, level, date and status, nothing private.
async fn verify_page(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let page = views::certificate::verify(&state.ctx(), &id).await?;
    let pages = state.pages();
    let r = pages.render("verify", &pages.t("verify-title"), None, None, &page);
    Ok(match page.cert {
        Some(_) => r,
        None => super::pages::with_status(r, axum::http::StatusCode::NOT_FOUND),
    })
}

/// The printable certificate (public, like the verification page it links to).
async fn certificate_page(
    State(state): State<AppState>,
    MaybeSession(session): MaybeSession,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let viewer = session.as_ref().map(|s| &s.user);
    match views::certificate::certificate(&state.ctx(), viewer, &id).await? {
        Some(page) => Ok(state.pages().render(
            "certificate",
            &page.cert.level_title,
            viewer,
            session.as_ref().map(|s| s.csrf.as_str()),
            &page,
        )),
        None => {
            let pages = state.pages();
            Ok(pages.error(
                axum::http::StatusCode::NOT_FOUND,
                &pages.t("cert-unknown-title"),
                &pages.t("cert-unknown-message"),
            ))
        }
    }
}

pub use crate::certify::validity::day;

/// Public, like the printable page: the certificate as a PDF download.
async fn certificate_pdf_download(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<axum::response::Response, ApiError> {
    let c = certification::certificate(&state.ctx(), &id).await?;
    let st = state.clone();
    let pdf = tokio::task::spawn_blocking(move || certification::certificate_pdf(&st.ctx(), &c).map(|b| (b, c.id)))
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

/// A signed status list as verifiers fetch it.
fn status_list_response(signed: Value) -> Response {
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
    Ok(status_list_response(certification::status_list(&state.ctx(), list).await?))
}

/// The one-bit revocation list that credentials issued before the two-bit lists name.
#[utoipa::path(get, path = "/api/status/revocation", tag = "certificates",
    responses((status = 200, description = "a signed BitstringStatusListCredential", content_type = "application/json", body = Object)))]
async fn revocation_list(State(state): State<AppState>) -> Result<Response, ApiError> {
    Ok(status_list_response(
        certification::legacy_status_list(&state.ctx(), "revocation").await?,
    ))
}

/// The one-bit suspension list that credentials issued before the two-bit lists name.
#[utoipa::path(get, path = "/api/status/suspension", tag = "certificates",
    responses((status = 200, description = "a signed BitstringStatusListCredential", content_type = "application/json", body = Object)))]
async fn suspension_list(State(state): State<AppState>) -> Result<Response, ApiError> {
    Ok(status_list_response(
        certification::legacy_status_list(&state.ctx(), "suspension").await?,
    ))
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
    let changed = certification::suspend(&state.ctx(), &session.user, b.ids, b.reason.as_deref()).await?;
    Ok(Json(Changed { changed }))
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
    let changed = certification::reinstate(&state.ctx(), &session.user, b.ids).await?;
    Ok(Json(Changed { changed }))
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
    let revoked = certification::revoke_many(&state.ctx(), &session.user, b.ids, &b.reason).await?;
    Ok(Json(BulkRevoked { revoked }))
}
