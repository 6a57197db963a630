//! The API's error type: a status code and a plain message for the caller; internal
//! details go to the log, never to the response.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("请先登录 (login required)")]
    Unauthorized,
    #[error("登录失败：用户名或密码不正确 (wrong username or password)")]
    BadCredentials,
    #[error("没有权限访问 (forbidden for your role)")]
    Forbidden,
    /// 403 for a state-changing call without the session's CSRF token: not a role
    /// problem, so the caller is told to reload rather than to ask for access.
    #[error("缺少或错误的 CSRF 令牌，请刷新页面后重试 (missing or wrong CSRF token)")]
    Csrf,
    /// 403 with a reason the caller can act on (a wrong exam password, a refused address).
    #[error("{0}")]
    Refused(String),
    /// 403 for a missing or wrong exam password; the body says so, so the page can ask for it.
    #[error("请输入正确的考试密码 (exam password missing or wrong)")]
    PasswordRequired,
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Unprocessable(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    TooManyRequests(String),
    /// 429 that knows when the caller may try again: sent as `Retry-After` (seconds).
    #[error("{message}")]
    Throttled { message: String, retry_after_s: i64 },
    #[error("{0}")]
    Unavailable(String),
    #[error("服务器内部错误，请稍后再试 (internal error)")]
    Internal(String),
}

impl ApiError {
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
        let message = self.to_string();
        match self {
            ApiError::PasswordRequired => (
                status,
                Json(ErrorBody {
                    password_required: true,
                    ..ErrorBody::new(message)
                }),
            )
                .into_response(),
            // A machine-readable code, so a page script can refetch the token and retry.
            ApiError::Csrf => (
                status,
                Json(ErrorBody {
                    code: Some("csrf".into()),
                    ..ErrorBody::new(message)
                }),
            )
                .into_response(),
            ApiError::Throttled { retry_after_s, .. } => (
                status,
                [(header::RETRY_AFTER, retry_after_s.max(1).to_string())],
                Json(ErrorBody::new(message)),
            )
                .into_response(),
            _ => (status, Json(ErrorBody::new(message))).into_response(),
        }
    }
}

/// The message for an answer that axum's extractors (or a bare status) made: theirs is
/// terse English, ours says the same in both languages. Details of 5xx stay in the log.
pub fn rejection_message(status: StatusCode, detail: &str) -> String {
    let detail = detail.trim();
    let with = |zh: &str, en: &str| match detail {
        "" => format!("{zh} ({en})"),
        d => format!("{zh} ({en}: {d})"),
    };
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => "请求内容过大 (request body too large)".into(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => with("不支持的请求内容类型", "unsupported media type"),
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => with("请求格式不正确", "invalid request"),
        StatusCode::METHOD_NOT_ALLOWED => "不支持此请求方法 (method not allowed)".into(),
        StatusCode::REQUEST_TIMEOUT => "请求超时，请重试 (request timed out)".into(),
        StatusCode::NOT_FOUND => "未找到 (not found)".into(),
        s if s.is_server_error() => {
            if !detail.is_empty() {
                tracing::error!("{s}: {detail}");
            }
            "服务器内部错误，请稍后再试 (internal error)".into()
        }
        s => with("无法处理该请求", s.canonical_reason().unwrap_or("request refused")),
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
                let detail = format!("invalid JSON request: {}", rejection.body_text());
                let message = match status {
                    StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => format!("请求内容不是有效的 JSON ({detail})"),
                    _ => rejection_message(status, &rejection.body_text()),
                };
                Err((status, Json(ErrorBody::new(message))).into_response())
            }
        }
    }
}

/// The body of every 4xx/5xx answer from the JSON API.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// What went wrong, for a person to read (Chinese, with an English gloss).
    pub error: String,
    /// Set on some errors a script can act on: `csrf` (reload the token and retry).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The exam asks for its password: the page shows the password field.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub password_required: bool,
}

impl ErrorBody {
    pub fn new(error: String) -> ErrorBody {
        ErrorBody {
            error,
            code: None,
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
            Err(rejection) => Err(ApiError::BadRequest(format!("invalid path: {}", rejection.body_text())).into_response()),
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
            Err(rejection) => Err(ApiError::BadRequest(format!("invalid query: {}", rejection.body_text())).into_response()),
        }
    }
}
