//! Progress, open exercises and their grading, certificates: issuing them the
//! moment a learner qualifies, verifying them in public, and the signed credential.

use super::AppState;
use super::auth::{CsrfSession, Session, random_token};
use super::error::{ApiError, ApiJson};
use crate::certify::{LevelStatus, evaluate};
use crate::store::{CertificateRow, Role, SaveSubmission, SubmissionRow};
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/progress", get(progress))
        .route("/api/lessons/{id}/read", post(mark_read))
        .route("/api/exercises/{id}", get(exercise))
        .route("/api/exercises/{id}/submission", post(submit))
        .route("/api/instructor/submissions", get(queue))
        .route("/api/instructor/submissions/{id}", get(submission))
        .route("/api/instructor/submissions/{id}/grade", post(grade))
        .route("/api/certificates/{id}", get(certificate_public))
        .route("/api/certificates/{id}/credential", get(credential))
        .route("/api/admin/certificates/{id}/revoke", post(revoke))
        .route("/api/issuer", get(issuer))
        .route("/verify/{id}", get(verify_page))
        .route("/certificates/{id}", get(certificate_page))
}

/// Issues every level the learner now meets and does not hold. Called after each
/// graded item and whenever progress is read, so a crash between the two is
/// repaired the next time the learner (or the startup sweep) looks.
pub async fn certify_user(state: &AppState, user_id: i64) -> Result<(Vec<LevelStatus>, Vec<CertificateRow>), ApiError> {
    let Some(track) = &state.curriculum.track else {
        return Ok((Vec::new(), Vec::new()));
    };
    let records = state.store.records(user_id, track.id.clone()).await?;
    let levels = evaluate(track, &state.curriculum, &records);
    let now = state.clock.now_ms();
    let due: Vec<(String, String, String)> = levels
        .iter()
        .filter(|l| l.met && !l.held)
        .map(|l| {
            let evidence = json!({ "level": l.level, "evaluated_at": now, "requirements": l.requirements });
            (l.level.clone(), certificate_id(), evidence.to_string())
        })
        .collect();
    let issued = if due.is_empty() {
        Vec::new()
    } else {
        let issued = state.store.issue_certificates(user_id, track.id.clone(), due, now).await?;
        for c in &issued {
            tracing::info!(user_id, level = %c.level_id, certificate = %c.id, "certificate issued");
        }
        issued
    };
    let levels = if issued.is_empty() {
        levels
    } else {
        evaluate(track, &state.curriculum, &state.store.records(user_id, track.id.clone()).await?)
    };
    Ok((levels, issued))
}

/// `CB-XXXX-XXXX-XXXX`: 60 random bits in an alphabet without look-alike characters.
fn certificate_id() -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let bits: u64 = rand::random();
    let chars: Vec<char> = (0..12).map(|i| ALPHABET[((bits >> (i * 5)) & 31) as usize] as char).collect();
    format!(
        "CB-{}-{}-{}",
        chars[0..4].iter().collect::<String>(),
        chars[4..8].iter().collect::<String>(),
        chars[8..12].iter().collect::<String>()
    )
}

fn level_title(state: &AppState, level: &str) -> String {
    state
        .curriculum
        .track
        .as_ref()
        .and_then(|t| t.levels.iter().find(|l| l.id == level))
        .map_or(level.to_string(), |l| l.title.clone())
}

pub fn certificate_json(state: &AppState, c: &CertificateRow) -> Value {
    json!({
        "id": c.id,
        "holder": c.holder,
        "track": c.track_id,
        "level": c.level_id,
        "level_title": level_title(state, &c.level_id),
        "issued_at": c.issued_at,
        "status": if c.revoked_at.is_some() { "revoked" } else { "valid" },
        "revoked_at": c.revoked_at,
        "revoke_reason": c.revoke_reason,
        "verify_url": format!("{}/verify/{}", state.public_url, c.id),
    })
}

async fn progress(State(state): State<AppState>, session: Session) -> Result<Json<Value>, ApiError> {
    let (levels, _) = certify_user(&state, session.user.id).await?;
    let certs = state.store.certificates_of(session.user.id).await?;
    Ok(Json(json!({
        "track": state.curriculum.track.as_ref().map(|t| json!({ "id": t.id, "title": t.title })),
        "levels": levels,
        "certificates": certs.iter().map(|c| certificate_json(&state, c)).collect::<Vec<_>>(),
    })))
}

async fn mark_read(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    if !state.curriculum.pages().any(|(_, _, l)| l.id == id) {
        return Err(ApiError::NotFound(format!("没有这一课：{id}")));
    }
    state.store.mark_read(session.user.id, id.clone(), state.clock.now_ms()).await?;
    let (_, issued) = certify_user(&state, session.user.id).await?;
    Ok(Json(
        json!({ "lesson": id, "read": true, "certificates_issued": issued.iter().map(|c| certificate_json(&state, c)).collect::<Vec<_>>() }),
    ))
}

fn find_exercise(state: &AppState, id: &str) -> Result<crate::certify::Exercise, ApiError> {
    state
        .curriculum
        .exercises
        .get(id)
        .cloned()
        .ok_or_else(|| ApiError::NotFound(format!("没有这个练习：{id}")))
}

/// A submission as its learner sees it (the grader's id stays internal).
fn submission_json(state: &AppState, s: &SubmissionRow) -> Value {
    let dims: Vec<Value> = state
        .curriculum
        .rubric
        .dimensions
        .iter()
        .enumerate()
        .map(|(i, d)| json!({ "id": d.id, "title": d.title, "score": s.scores.as_ref().and_then(|v| v.get(i)) }))
        .collect();
    json!({
        "id": s.id, "exercise_id": s.exercise_id, "body": s.body, "revision": s.revision,
        "submitted_at": s.submitted_at, "status": s.status, "total": s.total,
        "feedback": s.feedback, "graded_at": s.graded_at, "dimensions": dims,
    })
}

async fn exercise(State(state): State<AppState>, session: Session, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let ex = find_exercise(&state, &id)?;
    let sub = state.store.submission(session.user.id, id).await?;
    Ok(Json(json!({
        "id": ex.id, "title": ex.title, "pass": ex.pass, "min_chars": ex.min_chars, "max_chars": ex.max_chars,
        "submission": sub.as_ref().map(|s| submission_json(&state, s)),
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SubmitBody {
    body: String,
}

async fn submit(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<SubmitBody>,
) -> Result<Json<Value>, ApiError> {
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

async fn queue(State(state): State<AppState>, session: Session) -> Result<Json<Value>, ApiError> {
    session.require(&[Role::Instructor])?;
    let rows = state.store.grading_queue("submitted").await?;
    let items: Vec<Value> = rows
        .iter()
        .map(|(s, name)| {
            json!({
                "id": s.id, "learner": name, "user_id": s.user_id, "exercise_id": s.exercise_id,
                "exercise_title": state.curriculum.exercises.get(&s.exercise_id).map(|e| e.title.clone()),
                "revision": s.revision, "submitted_at": s.submitted_at, "chars": s.body.chars().count(),
            })
        })
        .collect();
    Ok(Json(json!({ "submissions": items })))
}

async fn submission(State(state): State<AppState>, session: Session, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    session.require(&[Role::Instructor])?;
    let s = state
        .store
        .submission_by_id(id)
        .await?
        .ok_or_else(|| ApiError::NotFound("没有这份提交 (no such submission)".into()))?;
    let ex = state.curriculum.exercises.get(&s.exercise_id);
    let mut v = submission_json(&state, &s);
    v["user_id"] = json!(s.user_id);
    v["exercise"] = json!(ex.map(|e| json!({ "title": e.title, "prompt": e.prompt, "pass": e.pass, "weights": e.weights })));
    v["rubric"] = json!(state.curriculum.rubric);
    Ok(Json(v))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GradeBody {
    /// Per-dimension scores 0–100, by dimension id.
    scores: std::collections::BTreeMap<String, f64>,
    #[serde(default)]
    feedback: String,
}

async fn grade(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
    Path(id): Path<String>,
    ApiJson(g): ApiJson<GradeBody>,
) -> Result<Json<Value>, ApiError> {
    session.require(&[Role::Instructor])?;
    let (graded, issued) = apply_grade(&state, id, &g.scores, g.feedback, session.user.id).await?;
    let mut v = submission_json(&state, &graded);
    v["certificates_issued"] = json!(issued.iter().map(|c| certificate_json(&state, c)).collect::<Vec<_>>());
    Ok(Json(v))
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
    let rubric = &state.curriculum.rubric;
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
    let weights = state.curriculum.exercises.get(&s.exercise_id).and_then(|e| e.weights);
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
async fn certificate_public(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let c = state
        .store
        .certificate(id)
        .await?
        .ok_or_else(|| ApiError::NotFound("没有这张证书 (no such certificate)".into()))?;
    Ok(Json(certificate_json(&state, &c)))
}

/// The holder's (or staff's) signed Open Badges 3.0 credential.
async fn credential(State(state): State<AppState>, session: Session, Path(id): Path<String>) -> Result<impl IntoResponse, ApiError> {
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
    let signed = state.issuer.sign(doc, &rfc3339(c.issued_at));
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

pub fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms / 1000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RevokeBody {
    reason: String,
}

async fn revoke(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<RevokeBody>,
) -> Result<Json<Value>, ApiError> {
    session.require(&[])?;
    let reason = b.reason.trim().to_string();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(ApiError::Unprocessable("撤销需要写明原因（最多 500 字）".into()));
    }
    if !state.store.revoke_certificate(id.clone(), reason, state.clock.now_ms()).await? {
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

/// The issuer's public identity: pin this DID when verifying offline.
async fn issuer(State(state): State<AppState>) -> Json<Value> {
    let name = state.curriculum.track.as_ref().map(|t| t.issuer.clone()).unwrap_or_default();
    Json(json!({ "id": state.issuer.did, "name": name, "verification_method": state.issuer.method() }))
}

fn date(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms / 1000)
        .map(|t| format!("{} 年 {} 月 {} 日", t.year(), u8::from(t.month()), t.day()))
        .unwrap_or_default()
}

/// The unsigned Open Badges 3.0 credential for a certificate.
pub fn open_badge(state: &AppState, c: &CertificateRow) -> Value {
    let track = state.curriculum.track.as_ref();
    let level = track.and_then(|t| t.levels.iter().find(|l| l.id == c.level_id));
    let criteria: Vec<String> = level
        .map(|l| {
            crate::certify::evaluate(track.expect("a level has a track"), &state.curriculum, &Default::default())
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
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": format!("{}/verify/{}", state.public_url, c.id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": { "id": state.issuer.did, "type": ["Profile"], "name": track.map(|t| t.issuer.clone()).unwrap_or_default(), "url": state.public_url },
        "validFrom": rfc3339(c.issued_at),
        "name": level_title(state, &c.level_id),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": c.holder,
            "achievement": {
                "id": format!("{}/achievements/{}/{}", state.public_url, c.track_id, c.level_id),
                "type": ["Achievement"],
                "name": level_title(state, &c.level_id),
                "description": level.map(|l| l.summary.clone()).unwrap_or_default(),
                "criteria": { "narrative": criteria.join("；") },
            }
        }
    })
}

fn page_data(state: &AppState, id: &str, c: Option<&CertificateRow>) -> Value {
    let track = state.curriculum.track.as_ref();
    match c {
        None => json!({ "found": false, "id": id }),
        Some(c) => json!({
            "found": true, "id": c.id, "holder": c.holder, "level_title": level_title(state, &c.level_id),
            "track_title": track.map(|t| t.title.clone()).unwrap_or_default(),
            "issuer_name": track.map(|t| t.issuer.clone()).unwrap_or_default(), "issuer_did": state.issuer.did,
            "issued": date(c.issued_at), "valid": c.revoked_at.is_none(),
            "status": if c.revoked_at.is_some() { "revoked" } else { "valid" },
            "revoked": c.revoked_at.map(date), "verify_url": format!("{}/verify/{}", state.public_url, c.id),
        }),
    }
}

/// Public verification: holder, level, date and status, nothing private.
async fn verify_page(State(state): State<AppState>, Path(id): Path<String>) -> Result<axum::response::Response, ApiError> {
    let c = state.store.certificate(id.clone()).await?;
    let mut r = state
        .pages
        .render("verify", "证书验证", None, None, page_data(&state, &id, c.as_ref()));
    if c.is_none() {
        *r.status_mut() = axum::http::StatusCode::NOT_FOUND;
    }
    Ok(r)
}

/// The printable certificate (public, like the verification page it links to).
async fn certificate_page(State(state): State<AppState>, Path(id): Path<String>) -> Result<axum::response::Response, ApiError> {
    match state.store.certificate(id.clone()).await? {
        Some(c) => Ok(state.pages.render(
            "certificate",
            &level_title(&state, &c.level_id),
            None,
            None,
            page_data(&state, &id, Some(&c)),
        )),
        None => Ok(state
            .pages
            .error(axum::http::StatusCode::NOT_FOUND, "查无此证书", "这个编号不是本系统颁发的证书。")),
    }
}
