//! The API's error type: a status code, a stable code and a message in the course's
//! language for the caller; internal details go to the log, never to the response.

use crate::i18n::{Lang, Messages, Msg};
use crate::msg;
use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

#[derive(Debug)]
pub enum ApiError {
    BadRequest(Msg),
    Unauthorized,
    BadCredentials,
    Forbidden,
    /// 403 for a state-changing call without the session's CSRF token: not a role
    /// problem, so the caller is told to reload rather than to ask for access.
    Csrf,
    /// 403 with a reason the caller can act on (a wrong exam password, a refused address).
    Refused(Msg),
    /// 403 for a missing or wrong exam password; the body says so, so the page can ask for it.
    PasswordRequired,
    NotFound(Msg),
    Conflict(Msg),
    Unprocessable(Msg),
    PayloadTooLarge(Msg),
    UnsupportedMediaType(Msg),
    TooManyRequests(Msg),
    /// 429 that knows when the caller may try again: sent as `Retry-After` (seconds).
    Throttled {
        message: Msg,
        retry_after_s: i64,
    },
    Unavailable(Msg),
    /// The detail is for the log; the caller reads `internal-error`.
    Internal(String),
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&ENGLISH.text(&self.message()))
    }
}

/// The English catalogue: what an error says where the course's messages are not at hand.
static ENGLISH: std::sync::LazyLock<Messages> = std::sync::LazyLock::new(|| Messages::builtin(Lang::En));

impl ApiError {
    /// What to tell the caller: its id is the error's code.
    pub fn message(&self) -> Msg {
        match self {
            ApiError::Unauthorized => msg!("login-required"),
            ApiError::BadCredentials => msg!("wrong-credentials"),
            ApiError::Forbidden => msg!("forbidden"),
            ApiError::Csrf => msg!("csrf"),
            ApiError::PasswordRequired => msg!("exam-password-required"),
            ApiError::Internal(_) => msg!("internal-error"),
            ApiError::BadRequest(m)
            | ApiError::Refused(m)
            | ApiError::NotFound(m)
            | ApiError::Conflict(m)
            | ApiError::Unprocessable(m)
            | ApiError::PayloadTooLarge(m)
            | ApiError::UnsupportedMediaType(m)
            | ApiError::TooManyRequests(m)
            | ApiError::Unavailable(m)
            | ApiError::Throttled { message: m, .. } => m.clone(),
        }
    }

    pub fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized | ApiError::BadCredentials => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden | ApiError::Csrf | ApiError::Refused(_) | ApiError::PasswordRequired => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::TooManyRequests(_) | ApiError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl From<crate::app::Error> for ApiError {
    fn from(e: crate::app::Error) -> Self {
        use crate::app::Error;
        match e {
            Error::NotFound(m) => ApiError::NotFound(m),
            Error::Conflict(m) => ApiError::Conflict(m),
            Error::Unprocessable(m) => ApiError::Unprocessable(m),
            Error::Forbidden => ApiError::Forbidden,
            Error::BadRequest(m) => ApiError::BadRequest(m),
            Error::Refused(m) => ApiError::Refused(m),
            Error::PasswordRequired => ApiError::PasswordRequired,
            Error::Unavailable(m) => ApiError::Unavailable(m),
            Error::Internal(m) => ApiError::Internal(m),
            Error::TooLarge(m) => ApiError::PayloadTooLarge(m),
            Error::Csrf => ApiError::Csrf,
            Error::Throttled { message, retry_after_s } => ApiError::Throttled { message, retry_after_s },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(detail) = &self {
            tracing::error!("internal error: {detail}");
        }
        let status = self.status_code();
        let body = ErrorBody {
            password_required: matches!(self, ApiError::PasswordRequired),
            ..ErrorBody::of(&self.message(), &ENGLISH)
        };
        let mut r = match self {
            ApiError::Throttled { retry_after_s, .. } => {
                (status, [(header::RETRY_AFTER, retry_after_s.max(1).to_string())], Json(&body)).into_response()
            }
            _ => (status, Json(&body)).into_response(),
        };
        // The server's middleware renders it again in the course's language.
        r.extensions_mut().insert(Localize(self.message(), body.password_required));
        r
    }
}

/// An error response's message, for the middleware that renders it in the course's
/// language (`IntoResponse` has no access to the course).
#[derive(Clone)]
pub struct Localize(pub Msg, pub bool);

impl Localize {
    /// The JSON body again, in `messages`' language.
    pub fn body(&self, messages: &Messages) -> ErrorBody {
        ErrorBody {
            password_required: self.1,
            ..ErrorBody::of(&self.0, messages)
        }
    }
}

/// The message for an answer that axum's extractors (or a bare status) made: theirs is
/// terse English; ours has a code and says it in the course's language. Details of 5xx
/// stay in the log.
pub fn rejection_message(status: StatusCode, detail: &str) -> Msg {
    let detail = detail.trim();
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => msg!("request-too-large"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => msg!("unsupported-media-type", detail = detail),
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => msg!("invalid-request", detail = detail),
        StatusCode::METHOD_NOT_ALLOWED => msg!("method-not-allowed"),
        StatusCode::REQUEST_TIMEOUT => msg!("request-timeout"),
        StatusCode::NOT_FOUND => msg!("not-found"),
        s if s.is_server_error() => {
            if !detail.is_empty() {
                tracing::error!("{s}: {detail}");
            }
            msg!("internal-error")
        }
        s => msg!("request-refused", detail = s.canonical_reason().unwrap_or("")),
    }
}

/// `Json<T>` whose rejection (bad content type, syntax, wrong shape, too large) is a
/// 4xx [`ApiError`] with a message, never a panic or a plain-text body.
pub struct ApiJson<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => {
                let status = rejection.status();
                let message = match status {
                    StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => {
                        msg!("invalid-json", detail = rejection.body_text())
                    }
                    _ => rejection_message(status, &rejection.body_text()),
                };
                Err(rejected(status, message))
            }
        }
    }
}

/// An error answer made outside a handler (an extractor's rejection).
pub fn rejected(status: StatusCode, message: Msg) -> Response {
    let mut r = (status, Json(ErrorBody::of(&message, &ENGLISH))).into_response();
    r.extensions_mut().insert(Localize(message, false));
    r
}

/// The body of every 4xx/5xx answer from the JSON API.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// What went wrong, for a person to read, in the course's language.
    pub error: String,
    /// What went wrong, for a program: stable across languages and releases, e.g.
    /// `login_required`, `csrf` (reload the token and retry), `no_such_lesson`.
    pub code: String,
    /// The exam asks for its password: the page shows the password field.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub password_required: bool,
}

impl ErrorBody {
    pub fn of(message: &Msg, messages: &Messages) -> ErrorBody {
        ErrorBody {
            error: messages.text(message),
            code: message.code(),
            password_required: false,
        }
    }
}

/// `Path<T>` whose rejection (an id that is not a number, say) is a JSON 4xx like every other error.
pub struct ApiPath<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for ApiPath<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(ApiPath(v)),
            Err(rejection) => Err(ApiError::BadRequest(msg!("invalid-path", detail = rejection.body_text())).into_response()),
        }
    }
}

/// `Query<T>` whose rejection is a JSON 400 with a message.
pub struct ApiQuery<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for ApiQuery<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(rejection) => Err(ApiError::BadRequest(msg!("invalid-query", detail = rejection.body_text())).into_response()),
        }
    }
}
