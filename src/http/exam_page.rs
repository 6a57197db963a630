//! The exam page for staff (考试设置与调整): a quiz's exam settings, its accommodations
//! (add, replace, delete) and its open attempts (release a device). Plain forms, no
//! script needed; the rules are the API's, in `super::exam`, and nothing is decided here
//! but how the form's text is read.

use super::AppState;
use super::auth::{MaybeSession, Session};
use super::error::{ApiError, ApiPath};
use super::exam::{INTEGRITY_ROLES, OVERRIDE_ROLES};
use super::quiz::show_time;
use crate::app::exams::{self, Learner, OverrideRequest};
use crate::quiz::Shown;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

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
        "只有讲师、人力资源与管理员可以管理考试调整。",
    )
}

/// The add form as sent; shown again with an error so nothing typed is lost.
#[derive(Deserialize, Serialize, Default)]
struct OverrideForm {
    #[serde(default, skip_serializing)]
    csrf: String,
    /// A learner's login name …
    #[serde(default)]
    learner: String,
    /// … or a cohort (the select's empty option is none).
    #[serde(default)]
    cohort: String,
    #[serde(default)]
    extra_minutes: String,
    #[serde(default)]
    extra_attempts: String,
    /// `datetime-local` values, read as UTC.
    #[serde(default)]
    opens: String,
    #[serde(default)]
    closes: String,
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// A whole number ≥ 0 from a form field; empty is 0.
fn count(v: &str, label: &str, en: &str) -> Result<u32, ApiError> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(0);
    }
    v.parse().map_err(|_| {
        ApiError::Unprocessable(format!(
            "{label}须为不小于 0 的整数，收到“{v}” ({en} must be a whole number, 0 or more)"
        ))
    })
}

/// A `datetime-local` value (`2027-01-15T09:00`, seconds optional) read as UTC — the page
/// says so, as every staff page shows times in UTC; empty is none.
fn utc_input(v: &str, label: &str, en: &str) -> Result<Option<i64>, ApiError> {
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
        .map_err(|_| {
            ApiError::Unprocessable(format!(
                "{label}格式应为 2027-01-15T09:00（UTC），收到“{v}” ({en}: expected YYYY-MM-DDTHH:MM in UTC)"
            ))
        })
}

impl OverrideForm {
    fn request(&self) -> Result<OverrideRequest, ApiError> {
        let nonempty = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let minutes = count(&self.extra_minutes, "额外时间（分钟）", "extra minutes")?;
        Ok(OverrideRequest {
            learner: nonempty(&self.learner).map(Learner::Login),
            cohort: nonempty(&self.cohort),
            extra_time: minutes
                .checked_mul(60)
                .ok_or_else(|| ApiError::Unprocessable("额外时间过长 (extra minutes too large)".into()))?,
            extra_attempts: count(&self.extra_attempts, "额外作答次数", "extra attempts")?,
            opens: utc_input(&self.opens, "开放时间", "opens")?,
            closes: utc_input(&self.closes, "关闭时间", "closes")?,
        })
    }
}

/// Seconds for people: 3600 → "60 分钟", 90 → "1 分 30 秒".
fn duration(secs: i64) -> String {
    match (secs / 60, secs % 60) {
        (m, 0) => format!("{m} 分钟"),
        (0, s) => format!("{s} 秒"),
        (m, s) => format!("{m} 分 {s} 秒"),
    }
}

fn shown(s: Shown) -> String {
    let parts: Vec<&str> = [
        (s.score, "分数"),
        (s.correctness, "对错"),
        (s.explanations, "解析"),
        (s.answers, "正确答案"),
    ]
    .into_iter()
    .filter_map(|(on, name)| on.then_some(name))
    .collect();
    if parts.is_empty() { "不显示".into() } else { parts.join("、") }
}

fn window(opens: Option<i64>, closes: Option<i64>) -> Option<String> {
    match (opens, closes) {
        (None, None) => None,
        (o, c) => Some(format!(
            "{} 至 {}",
            o.map_or("不限".into(), show_time),
            c.map_or("不限".into(), show_time)
        )),
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
    let cur = state.curriculum();
    let Some(quiz) = cur.quizzes.get(quiz_id) else {
        return Ok(state
            .pages()
            .error(StatusCode::NOT_FOUND, "没有这个测验", &format!("没有编号为 {quiz_id} 的测验。")));
    };
    let e = &quiz.exam;
    let settings = json!({
        "time_limit": quiz.time_limit.map(|s| duration(s as i64)),
        "attempts": quiz.attempts,
        "opens": e.opens.map(show_time),
        "closes": e.closes.map(show_time),
        "sequential": e.sequential,
        "shuffle": e.shuffle,
        "draw": quiz.draw.as_ref().map(|d| json!({ "count": d.count, "tags": d.tags.join("、") })),
        "questions": quiz.questions.len(),
        "review": [
            { "phase": "提交后立即", "shown": shown(e.review.immediately) },
            { "phase": "开放期间再查看", "shown": shown(e.review.later) },
            { "phase": "关闭之后", "shown": shown(e.review.after_close) },
        ],
        // Whether one is set only: the password itself never reaches a page.
        "password": e.password.is_some(),
        "allow": e.allow.iter().map(ToString::to_string).collect::<Vec<_>>().join("、"),
    });
    let admin = exams::exam_admin(&state.ctx(), &session.user, quiz_id).await?;
    let mut overrides = Vec::new();
    for (o, learner) in admin.overrides {
        let learner = learner.map(|u| json!({ "name": u.display_name, "username": u.username }));
        overrides.push(json!({
            "id": o.id, "learner": learner, "cohort": o.cohort,
            "extra_time": (o.extra_time > 0).then(|| duration(o.extra_time)),
            "extra_attempts": o.extra_attempts, "window": window(o.opens, o.closes),
        }));
    }
    let form_cohort = form.map(|f| f.cohort.as_str()).unwrap_or("");
    let cohorts: Vec<Value> = admin
        .cohorts
        .into_iter()
        .map(|c| json!({ "selected": c == form_cohort, "name": c }))
        .collect();
    let now = state.clock.now_ms();
    let attempts: Vec<Value> = admin
        .open_attempts
        .into_iter()
        .map(|a| {
            json!({
                "id": a.id, "name": a.display_name, "username": a.username, "user_id": a.user_id,
                "started": show_time(a.started_at), "deadline": a.deadline_at.map(show_time),
                "overdue": a.deadline_at.is_some_and(|d| d < now), "bound": a.device_bound,
            })
        })
        .collect();
    let data = json!({
        "quiz": { "id": quiz.id, "title": quiz.title }, "settings": settings,
        "overrides": overrides, "cohorts": cohorts, "attempts": attempts,
        "form": form, "error": error, "csrf": session.csrf,
        // Releasing a device is for instructors (and admins), not HR.
        "can_release": session.require(INTEGRITY_ROLES).is_ok(),
    });
    Ok(state
        .pages()
        .render("exam", "考试设置与调整", Some(&session.user), Some(&session.csrf), data))
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
            let mut r = render(state, session, quiz_id, form, Some(e.to_string())).await?;
            if r.status().is_success() {
                *r.status_mut() = e.status_code();
            }
            Ok(r)
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
        "只有讲师与管理员可以释放作答设备。",
    ) {
        Ok(s) => s,
        Err(r) => return Ok(*r),
    };
    session.check_csrf(Some(&f.csrf))?;
    let ctx = state.ctx();
    let Some(quiz_id) = exams::attempt_quiz(&ctx, &session.user, &id).await? else {
        return Ok(state
            .pages()
            .error(StatusCode::NOT_FOUND, "没有这次作答", "没有这次作答记录 (no such attempt)。"));
    };
    let done = exams::release(&ctx, &session.user, &id).await.map(drop).map_err(ApiError::from);
    answer(&state, &session, &quiz_id, None, done).await
}
