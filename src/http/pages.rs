//! Server-rendered pages (handlebars): the templates of `templates/pages/`, each
//! rendered inside `layout.hbs`. Handlebars escapes every value, so learner text
//! can never inject markup.

use crate::course::Curriculum;
use crate::site::theme;
use crate::store::User;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use handlebars::{Handlebars, HelperDef, RenderError, RenderErrorReason};
use serde::Serialize;
use serde_json::Value;

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
    messages: std::sync::Arc<crate::i18n::Messages>,
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
    "attempt",
    "analysis",
    "analysis_quiz",
    "build",
    "certops",
    "exam",
    "teams",
    "team",
];

impl Pages {
    pub fn load(cur: &Curriculum) -> anyhow::Result<Pages> {
        let mut hbs = registry(std::sync::Arc::clone(&cur.messages));
        for name in PAGES {
            let text = theme::template(&cur.root, &format!("pages/{name}.hbs"));
            hbs.register_template_string(name, text.as_ref())
                .map_err(|e| anyhow::anyhow!("template pages/{name}.hbs: {e}"))?;
        }
        Ok(Pages {
            hbs,
            site_title: cur.title.clone(),
            language: cur.messages.lang().tag().to_string(),
            messages: std::sync::Arc::clone(&cur.messages),
        })
    }

    /// Renders page `name` with its view model inside the layout.
    pub fn render<T: Serialize>(&self, name: &str, title: &str, user: Option<&User>, csrf: Option<&str>, data: &T) -> Response {
        let body = match self.hbs.render(name, data) {
            Ok(b) => b,
            Err(e) => {
                tracing::error!("rendering templates/pages/{name}.hbs: {e}");
                return (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response();
            }
        };
        let layout = Layout {
            site_title: &self.site_title,
            language: &self.language,
            page_title: title,
            user,
            csrf,
            body,
        };
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
                tracing::error!("rendering templates/pages/layout.hbs: {e}");
                (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
            }
        }
    }

    /// The course's interface messages.
    pub fn messages(&self) -> &crate::i18n::Messages {
        &self.messages
    }

    /// Message `id` in the course's language.
    pub fn t(&self, id: &str) -> String {
        self.messages.get(id)
    }

    /// The text of `m` in the course's language.
    pub fn text(&self, m: &crate::i18n::Msg) -> String {
        self.messages.text(m)
    }

    /// An error page titled with message `title` that says `why`.
    pub fn refusal(&self, status: StatusCode, title: &str, why: &crate::i18n::Msg) -> Response {
        self.error(status, &self.t(title), &self.text(why))
    }

    /// An error page with a status code.
    pub fn error(&self, status: StatusCode, title: &str, message: &str) -> Response {
        with_status(self.render("error", title, None, None, &ErrorPage { title, message }), status)
    }
}

/// Handlebars in strict mode with the pages' helpers.
fn registry(messages: std::sync::Arc<crate::i18n::Messages>) -> Handlebars<'static> {
    let mut hbs = Handlebars::new();
    // `{{t "id"}}` or `{{t "id" name=value}}`: a message in the course's language.
    hbs.register_helper("t", Box::new(Translate(messages)));
    // A field a template names but the view lacks is an error, not an empty string.
    hbs.set_strict_mode(true);
    hbs.register_helper("if", Box::new(StrictIf { positive: true }));
    hbs.register_helper("unless", Box::new(StrictIf { positive: false }));
    // `{{num x}}`: 90.0 → 90, 12345.67 → 12,345.7, null → —.
    hbs.register_helper(
        "num",
        Box::new(
            |h: &handlebars::Helper,
             _: &Handlebars,
             _: &handlebars::Context,
             _: &mut handlebars::RenderContext,
             out: &mut dyn handlebars::Output| {
                let text = match present(h, "num")? {
                    Value::Number(n) => crate::sandbox::format_number(n.as_f64().unwrap_or(0.0), 1),
                    Value::String(s) => s.clone(),
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
                if let Some(ms) = present(h, "day")?.as_i64() {
                    out.write(&crate::certify::validity::day(ms))?;
                }
                Ok(())
            },
        ),
    );
    hbs
}

struct Translate(std::sync::Arc<crate::i18n::Messages>);

impl HelperDef for Translate {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &handlebars::Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc handlebars::Context,
        _: &mut handlebars::RenderContext<'reg, 'rc>,
        out: &mut dyn handlebars::Output,
    ) -> handlebars::HelperResult {
        let id = present(h, "t")?
            .as_str()
            .ok_or_else(|| RenderErrorReason::InvalidParamType("a message id in quotes"))?;
        if !self.0.has(id) {
            return Err(RenderErrorReason::Other(format!("no message `{id}` in the catalogue")).into());
        }
        let mut args: Vec<(&str, String)> = Vec::new();
        for (k, v) in h.hash() {
            if v.is_value_missing() {
                return Err(RenderErrorReason::MissingVariable(v.relative_path().cloned()).into());
            }
            let text = match v.value() {
                // A missing value reads "—", as `{{num}}` shows it.
                Value::String(s) if s.is_empty() => "—".to_string(),
                Value::String(s) => s.clone(),
                Value::Number(n) => crate::sandbox::format_number(n.as_f64().unwrap_or(0.0), 1),
                Value::Null => "—".to_string(),
                other => other.to_string(),
            };
            args.push((k, text));
        }
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        // Escaped like any other value: a course's message cannot inject markup.
        out.write(&handlebars::html_escape(&self.0.format(id, &args)))?;
        Ok(())
    }
}

/// A rendered page answered with `status` (a refused form, a page not found), unless
/// rendering it failed: that 500 stays a 500, so a broken template is never shown as
/// a plain 404 or 422.
pub fn with_status(mut r: Response, status: StatusCode) -> Response {
    if r.status().is_success() {
        *r.status_mut() = status;
    }
    r
}

/// What `layout.hbs` shows around every page.
#[derive(Serialize)]
struct Layout<'a> {
    site_title: &'a str,
    language: &'a str,
    page_title: &'a str,
    user: Option<&'a User>,
    csrf: Option<&'a str>,
    body: String,
}

#[derive(Serialize)]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
}

/// The first parameter of helper `name`; in strict mode a missing field is an error.
fn present<'a>(h: &'a handlebars::Helper, name: &'static str) -> Result<&'a Value, RenderError> {
    match h.param(0) {
        Some(p) if !p.is_value_missing() => Ok(p.value()),
        Some(p) => Err(RenderErrorReason::MissingVariable(p.relative_path().cloned()).into()),
        None => Err(RenderErrorReason::ParamNotFoundForIndex(name, 0).into()),
    }
}

/// `{{#if}}` and `{{#unless}}` that refuse a field the view does not have (the built-in
/// ones read a missing field as false, so a misspelt name silently hides a section).
struct StrictIf {
    positive: bool,
}

impl HelperDef for StrictIf {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &handlebars::Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc handlebars::Context,
        rc: &mut handlebars::RenderContext<'reg, 'rc>,
        out: &mut dyn handlebars::Output,
    ) -> handlebars::HelperResult {
        use handlebars::{JsonTruthy, Renderable};
        let truthy = present(h, "if")?.is_truthy(false);
        match if truthy == self.positive { h.template() } else { h.inverse() } {
            Some(t) => t.render(r, ctx, rc, out),
            None => Ok(()),
        }
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
        Some(_) => Err(Box::new(state.pages().error(
            StatusCode::FORBIDDEN,
            &state.pages().t("pages-forbidden-title"),
            why,
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::registry;
    use serde_json::json;

    fn render(template: &str, data: serde_json::Value) -> Result<String, String> {
        let en = std::sync::Arc::new(crate::i18n::Messages::builtin(crate::i18n::Lang::En));
        registry(en).render_template(template, &data).map_err(|e| e.to_string())
    }

    #[test]
    fn a_field_the_view_lacks_is_an_error_not_an_empty_string() {
        let view = json!({ "title": "初级", "score": null, "items": [] });
        assert_eq!(render("{{title}}", view.clone()).unwrap(), "初级");
        for t in [
            "{{titel}}",
            "{{#if titel}}x{{/if}}",
            "{{#unless titel}}x{{/unless}}",
            "{{num scroe}}",
            "{{day issued}}",
            "{{#each itmes}}x{{/each}}",
        ] {
            assert!(render(t, view.clone()).is_err(), "{t} rendered with a missing field");
        }
    }

    #[test]
    fn present_fields_render_as_before() {
        let view = json!({ "score": null, "best": 87.5, "zero": 0, "big": 12345.67, "on": true, "off": false, "at": 1_800_000_000_000i64 });
        assert_eq!(render("{{num score}}", view.clone()).unwrap(), "—");
        assert_eq!(render("{{num best}}|{{num big}}", view.clone()).unwrap(), "87.5|12,345.7");
        assert_eq!(
            render(
                "{{#if on}}a{{else}}b{{/if}}{{#if off}}c{{else}}d{{/if}}{{#unless off}}e{{/unless}}",
                view.clone()
            )
            .unwrap(),
            "ade"
        );
        assert_eq!(
            render("{{#if zero}}z{{else}}none{{/if}}{{#if score}}s{{else}}null{{/if}}", view.clone()).unwrap(),
            "nonenull"
        );
        assert_eq!(render("{{day at}}", view).unwrap(), "2027-01-15");
    }

    #[test]
    fn t_renders_a_message_with_its_arguments_escaped_and_refuses_an_unknown_id() {
        let view = json!({ "who": "<Ann>" });
        assert_eq!(
            render(r#"{{t "test-greeting" name=who}}"#, view.clone()).unwrap(),
            "Hello, &lt;Ann&gt;!"
        );
        assert!(render(r#"{{t "no-such-message"}}"#, view.clone()).is_err());
        assert!(render(r#"{{t "test-greeting" name=whoo}}"#, view).is_err());
    }
}
