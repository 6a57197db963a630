//! The OpenAPI document of the JSON API. Paths and schemas come from the handlers'
//! `#[utoipa::path]` attributes as each module registers them, so the document
//! cannot list a route the server does not have, or miss one it does.

use super::error::ErrorBody;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "certbook API",
        description = "The JSON API behind the course pages. Log in with POST /api/login; the session is a cookie, and \
                       every state-changing call must echo the session's CSRF token (from /api/login or /api/me) in the \
                       X-CSRF-Token header. Errors are JSON `{\"error\": \"…\"}` with a 4xx status."
    ),
    modifiers(&Security),
    components(schemas(ErrorBody)),
    tags(
        (name = "account", description = "logging in and out"),
        (name = "quizzes", description = "server-graded quizzes"),
        (name = "sandbox", description = "simulated scenarios"),
        (name = "exercises", description = "open case exercises"),
        (name = "certification", description = "progress towards each level"),
        (name = "certificates", description = "issued certificates and their verification"),
        (name = "grading", description = "instructors grade exercises"),
        (name = "instructor", description = "quiz keys and item analysis"),
        (name = "exam", description = "exam integrity: overrides, device release, similarity report"),
        (name = "hr", description = "cohort figures, transcripts and exports"),
        (name = "admin", description = "accounts")
    )
)]
pub struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let c = api.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(super::auth::SESSION_COOKIE))),
        );
        c.add_security_scheme("csrf", SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-CSRF-Token"))));
    }
}
