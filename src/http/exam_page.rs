//! The exam page for staff (考试设置与调整): a quiz's exam settings, its accommodations
//! (add, replace, delete) and its open attempts (release a device). Plain forms, no
//! script needed; the rules are the API's, in `super::exam`, and nothing is decided here
//! but how the form's text is read.

use super::AppState;
use super::auth::{MaybeSession, Session};
use super::error::{ApiError, ApiPath};
use super::exam::{INTEGRITY_ROLES, OVERRIDE_ROLES};
use crate::app::exams::{self, Learner, OverrideRequest};
use crate::app::views::exam::{self as views, OverrideDraft};
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

pub fn router() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .route("/instructor/quizzes/{id}/exam", get(exam_page))
        .route("/instructor/quizzes/{id}/exam/overrides", post(override_form))
        .route("/instructor/quizzes/{id}/exam/overrides/{oid}/delete", post(delete_form))
        .route("/instructor/attempts/{id}/release", post(release_form))
}

fn page_path(quiz_id: &str) -> String {
    format!("/instructor/quizzes/{quiz_id}/exam")
}

fn staff(state: &AppState, session: Option<Session>, quiz_id: &str) -> Result<Session, Box<Response>> {
    super::pages::staff_session(
        state,
        session,
        OVERRIDE_ROLES,
        &page_path(quiz_id),
        &state.pages().t("exam-settings-staff-only"),
    )
}

#[derive(Deserialize)]
struct OverrideForm {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    draft: OverrideDraft,
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// A whole number ≥ 0 from a form field; empty is 0. `Err`: the value as typed.
fn count(v: &str) -> Result<u32, String> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(0);
    }
    v.parse().map_err(|_| v.to_string())
}

/// A `datetime-local` value (`2027-01-15T09:00`, seconds optional) read as UTC — the page
/// says so, as every staff page shows times in UTC; empty is none. `Err`: the value as typed.
fn utc_input(v: &str) -> Result<Option<i64>, String> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let minutes = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let seconds = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    time::PrimitiveDateTime::parse(v, &minutes)
        .or_else(|_| time::PrimitiveDateTime::parse(v, &seconds))
        .map(|t| t.assume_utc().unix_timestamp() * 1000)
        .map(Some)
        .map_err(|_| v.to_string())
}

impl OverrideForm {
    fn request(&self) -> Result<OverrideRequest, ApiError> {
        let d = &self.draft;
        let nonempty = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let refuse = ApiError::Unprocessable;
        let minutes = count(&d.extra_minutes).map_err(|v| refuse(crate::msg!("exam-settings-extra-minutes-invalid", value = v)))?;
        Ok(OverrideRequest {
            learner: nonempty(&d.learner).map(Learner::Login),
            cohort: nonempty(&d.cohort),
            extra_time: minutes
                .checked_mul(60)
                .ok_or_else(|| refuse(crate::msg!("exam-settings-extra-minutes-too-large")))?,
            extra_attempts: count(&d.extra_attempts).map_err(|v| refuse(crate::msg!("exam-settings-extra-attempts-invalid", value = v)))?,
            opens: utc_input(&d.opens).map_err(|v| refuse(crate::msg!("exam-settings-opens-invalid", value = v)))?,
            closes: utc_input(&d.closes).map_err(|v| refuse(crate::msg!("exam-settings-closes-invalid", value = v)))?,
        })
    }
}

/// The page, with the add form refilled and an error when a form was refused.
async fn render(
    state: &AppState,
    session: &Session,
    quiz_id: &str,
    form: Option<&OverrideForm>,
    error: Option<String>,
) -> Result<Response, ApiError> {
    let draft = form.map(|f| f.draft.clone()).unwrap_or_default();
    match views::exam_page(&state.ctx(), &session.user, &session.csrf, quiz_id, (draft, error)).await {
        Ok(page) => {
            let pages = state.pages();
            Ok(pages.render(
                "exam",
                &pages.t("exam-settings-title"),
                Some(&session.user),
                Some(&session.csrf),
                &page,
            ))
        }
        Err(crate::app::Error::NotFound(m)) => {
            let pages = state.pages();
            Ok(pages.refusal(StatusCode::NOT_FOUND, "exam-settings-no-such-quiz-title", &m))
        }
        Err(e) => Err(e.into()),
    }
}

/// After a form: back to the page (303), or the page again with the error when it is
/// the user's to fix (a refused form changes nothing).
async fn answer(
    state: &AppState,
    session: &Session,
    quiz_id: &str,
    form: Option<&OverrideForm>,
    done: Result<(), ApiError>,
) -> Result<Response, ApiError> {
    match done {
        Ok(()) => Ok(Redirect::to(&page_path(quiz_id)).into_response()),
        Err(e @ (ApiError::Unprocessable(_) | ApiError::NotFound(_) | ApiError::Conflict(_))) => {
            let why = state.pages().text(&e.message());
            let r = render(state, session, quiz_id, form, Some(why)).await?;
            Ok(super::pages::with_status(r, e.status_code()))
        }
        Err(e) => Err(e),
    }
}

async fn exam_page(
    State(state): State<AppState>,
    MaybeSession(session): MaybeSession,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let session = match staff(&state, session, &id) {
        Ok(s) => s,
        Err(r) => return Ok(*r),
    };
    render(&state, &session, &id, None, None).await
}

/// Adds an override, or replaces the learner's or cohort's existing one.
async fn override_form(
    State(state): State<AppState>,
    MaybeSession(session): MaybeSession,
    ApiPath(id): ApiPath<String>,
    Form(f): Form<OverrideForm>,
) -> Result<Response, ApiError> {
    let session = match staff(&state, session, &id) {
        Ok(s) => s,
        Err(r) => return Ok(*r),
    };
    session.check_csrf(Some(&f.csrf))?;
    let done = match f.request() {
        Ok(req) => exams::save_override(&state.ctx(), &session.user, &id, req)
            .await
            .map(drop)
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    answer(&state, &session, &id, Some(&f), done).await
}

async fn delete_form(
    State(state): State<AppState>,
    MaybeSession(session): MaybeSession,
    ApiPath((id, oid)): ApiPath<(String, i64)>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, ApiError> {
    let session = match staff(&state, session, &id) {
        Ok(s) => s,
        Err(r) => return Ok(*r),
    };
    session.check_csrf(Some(&f.csrf))?;
    let done = exams::remove_override(&state.ctx(), &session.user, &id, oid)
        .await
        .map_err(ApiError::from);
    answer(&state, &session, &id, None, done).await
}

/// Releases an open attempt from its device; back to its quiz's exam page.
async fn release_form(
    State(state): State<AppState>,
    MaybeSession(session): MaybeSession,
    ApiPath(id): ApiPath<String>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, ApiError> {
    let session = match super::pages::staff_session(
        &state,
        session,
        INTEGRITY_ROLES,
        "/instructor/analysis",
        &state.pages().t("exam-settings-release-staff-only"),
    ) {
        Ok(s) => s,
        Err(r) => return Ok(*r),
    };
    session.check_csrf(Some(&f.csrf))?;
    let ctx = state.ctx();
    let Some(quiz_id) = exams::attempt_quiz(&ctx, &session.user, &id).await? else {
        let pages = state.pages();
        return Ok(pages.error(
            StatusCode::NOT_FOUND,
            &pages.t("exam-settings-no-such-attempt-title"),
            &pages.t("exam-settings-no-such-attempt"),
        ));
    };
    let done = exams::release(&ctx, &session.user, &id).await.map(drop).map_err(ApiError::from);
    answer(&state, &session, &quiz_id, None, done).await
}
