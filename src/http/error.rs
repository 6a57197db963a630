//! The API's error type: a status code and a plain message for the caller; internal
//! details go to the log, never to the response.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

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
            ApiError::Forbidden | ApiError::Refused(_) | ApiError::PasswordRequired => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
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

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(detail) = &self {
            tracing::error!("internal error: {detail}");
        }
        if let ApiError::PasswordRequired = &self {
            return (
                self.status_code(),
                Json(json!({ "error": self.to_string(), "password_required": true })),
            )
                .into_response();
        }
        (self.status_code(), Json(json!({ "error": self.to_string() }))).into_response()
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
                let body = json!({ "error": format!("invalid JSON request: {}", rejection.body_text()) });
                Err((status, Json(body)).into_response())
            }
        }
    }
}

/// The body of every 4xx/5xx answer from the JSON API.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// What went wrong, for a person to read (Chinese, with an English gloss).
    pub error: String,
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
