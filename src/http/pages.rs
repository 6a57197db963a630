//! Server-rendered pages (handlebars): the templates of `templates/pages/`, each
//! rendered inside `layout.hbs`. Handlebars escapes every value, so learner text
//! can never inject markup.

use crate::course::Curriculum;
use crate::site::theme;
use crate::store::User;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use handlebars::Handlebars;
use serde_json::{Value, json};

/// Content-Security-Policy of the server-rendered pages: no inline script.
pub const PAGE_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The one script server pages use, served from the binary: a print button, and a
/// file picker that fills a textarea (the CSV import; the form works without it too).
pub async fn script() -> impl IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        concat!(
            "document.querySelectorAll('[data-print]').forEach(function (b) { b.addEventListener('click', function () { window.print(); }); });\n",
            "document.querySelectorAll('input[type=file][data-fill]').forEach(function (f) { f.addEventListener('change', function () {\n",
            "  var t = document.getElementById(f.getAttribute('data-fill')); if (!t || !f.files[0]) return;\n",
            "  f.files[0].text().then(function (s) { t.value = s; });\n",
            "}); });\n",
        ),
    )
}

pub struct Pages {
    hbs: Handlebars<'static>,
    site_title: String,
    language: String,
}

const PAGES: &[&str] = &[
    "layout",
    "login",
    "account",
    "error",
    "verify",
    "certificate",
    "grading",
    "grade",
    "hr",
    "transcript",
    "analysis",
    "analysis_quiz",
    "build",
    "certops",
    "exam",
];

impl Pages {
    pub fn load(cur: &Curriculum) -> anyhow::Result<Pages> {
        let mut hbs = Handlebars::new();
        hbs.set_strict_mode(false);
        // `{{num x}}`: 90.0 → 90, 12345.67 → 12,345.7, missing → —.
        hbs.register_helper(
            "num",
            Box::new(
                |h: &handlebars::Helper,
                 _: &Handlebars,
                 _: &handlebars::Context,
                 _: &mut handlebars::RenderContext,
                 out: &mut dyn handlebars::Output| {
                    let text = match h.param(0).map(|p| p.value()) {
                        Some(Value::Number(n)) => crate::sandbox::format_number(n.as_f64().unwrap_or(0.0), 1),
                        Some(Value::String(s)) => s.clone(),
                        _ => "—".to_string(),
                    };
                    out.write(&text)?;
                    Ok(())
                },
            ),
        );
        // `{{day ms}}`: Unix milliseconds → 2026-11-23 (UTC).
        hbs.register_helper(
            "day",
            Box::new(
                |h: &handlebars::Helper,
                 _: &Handlebars,
                 _: &handlebars::Context,
                 _: &mut handlebars::RenderContext,
                 out: &mut dyn handlebars::Output| {
                    if let Some(ms) = h.param(0).and_then(|p| p.value().as_i64()) {
                        out.write(&crate::certify::validity::day(ms))?;
                    }
                    Ok(())
                },
            ),
        );
        for name in PAGES {
            let text = theme::template(&cur.root, &format!("pages/{name}.hbs"));
            hbs.register_template_string(name, text.as_ref())
                .map_err(|e| anyhow::anyhow!("template pages/{name}.hbs: {e}"))?;
        }
        Ok(Pages {
            hbs,
            site_title: cur.title.clone(),
            language: cur.language.clone(),
        })
    }

    /// Renders page `name` with `data` inside the layout.
    pub fn render(&self, name: &str, title: &str, user: Option<&User>, csrf: Option<&str>, data: Value) -> Response {
        let body = match self.hbs.render(name, &data) {
            Ok(b) => b,
            Err(e) => {
                tracing::error!("rendering {name}: {e}");
                return (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response();
            }
        };
        let layout = json!({
            "site_title": self.site_title, "language": self.language, "page_title": title,
            "user": user, "csrf": csrf, "body": body,
        });
        match self.hbs.render("layout", &layout) {
            Ok(html) => {
                let mut r = Html(html).into_response();
                // Server pages carry no inline script at all; learner text can never run.
                r.headers_mut().insert(
                    axum::http::header::CONTENT_SECURITY_POLICY,
                    axum::http::HeaderValue::from_static(PAGE_CSP),
                );
                r
            }
            Err(e) => {
                tracing::error!("rendering layout: {e}");
                (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
            }
        }
    }

    /// An error page with a status code.
    pub fn error(&self, status: StatusCode, title: &str, message: &str) -> Response {
        let mut r = self.render("error", title, None, None, json!({ "title": title, "message": message }));
        *r.status_mut() = status;
        r
    }
}

/// The caller of a staff page, if their role is one of `roles` (admin always passes);
/// otherwise the response to send: a login redirect back to `next`, or a 403 page saying `why`.
pub fn staff_session(
    state: &super::AppState,
    session: Option<super::auth::Session>,
    roles: &[crate::store::Role],
    next: &str,
    why: &str,
) -> Result<super::auth::Session, Box<Response>> {
    match session {
        None => Err(Box::new(
            axum::response::Redirect::to(&format!("/login?next={next}")).into_response(),
        )),
        Some(s) if s.require(roles).is_ok() => Ok(s),
        Some(_) => Err(Box::new(state.pages().error(StatusCode::FORBIDDEN, "没有权限", why))),
    }
}
