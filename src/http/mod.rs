//! The server: the built static site plus the JSON API and a few server-rendered
//! pages, on one port. Handlers are thin: extract, call a service in [`crate::app`], map.

mod account;
mod api_doc;
pub mod auth;
pub mod certify;
mod certops;
pub mod error;
mod exam;
mod exam_page;
mod grading;
mod hr;
mod pages;
mod quiz;
mod sandbox;
mod staff;
mod team_pages;
mod teams;

pub use quiz::SubmitBody;

use crate::clock::Clock;
use crate::course::Curriculum;
use crate::store::Store;
use arc_swap::ArcSwap;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use std::path::PathBuf;
use std::sync::Arc;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// What one good build of the course puts live; `serve --watch` swaps it whole.
pub struct Live {
    pub curriculum: Arc<Curriculum>,
    pub pages: Arc<pages::Pages>,
    /// The built site served at `/`.
    pub site_dir: PathBuf,
    /// Unix ms when this build went live.
    pub built_at: i64,
}

/// Shared server state; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    live: Arc<ArcSwap<Live>>,
    /// Why the newest edit of the course did not go live (`serve --watch`); `None` when it did.
    pub build_error: Arc<std::sync::Mutex<Option<BuildFailure>>>,
    /// The server rebuilds the course when its files change (`serve --watch`).
    pub watching: bool,
    /// The static site is served elsewhere (a web server or CDN in front): only the API
    /// and the server pages are answered here (`serve --api-only`).
    pub api_only: bool,
    /// Proxies whose `X-Forwarded-For` names the client (`serve --trusted-proxy`).
    pub trusted_proxies: Arc<Vec<ipnet::IpNet>>,
    pub store: Store,
    pub clock: Clock,
    /// Mark cookies `Secure` (set when served behind TLS).
    pub secure_cookies: bool,
    pub sessions: Arc<auth::SessionCache>,
    /// Signs Open Badges credentials; its key is created on first start and kept in the database.
    pub issuer: Arc<crate::certify::credential::Issuer>,
    /// The address people reach this server at (verification links, credential ids).
    pub public_url: String,
    /// Sends expiry reminders when SMTP is configured (`serve --smtp-url`).
    pub mailer: Option<Arc<crate::mail::Mailer>>,
    /// Wakes live team-session pages on this server.
    pub live_sessions: Arc<teams::LiveSessions>,
}

/// A rebuild that failed while the last good build stayed live.
#[derive(Clone, Debug)]
pub struct BuildFailure {
    /// Unix ms.
    pub at: i64,
    /// The diagnostics, as `certbook check` prints them (no colours).
    pub report: String,
}

impl AppState {
    pub fn new(curriculum: Curriculum, store: Store, site_dir: PathBuf, clock: Clock) -> anyhow::Result<Self> {
        let pages = pages::Pages::load(&curriculum)?;
        let live = Live {
            curriculum: Arc::new(curriculum),
            pages: Arc::new(pages),
            site_dir,
            built_at: clock.now_ms(),
        };
        let seed = store.secret_blocking("credential-signing-key", || rand::random::<[u8; 32]>().to_vec(), clock.now_ms())?;
        let issuer = crate::certify::credential::Issuer::from_seed(&seed).map_err(anyhow::Error::msg)?;
        // Instances sharing a PostgreSQL database see each other's logouts within 1 s.
        let session_ttl = if store.is_postgres() {
            auth::SessionCache::SHARED_TTL_MS
        } else {
            auth::SessionCache::TTL_MS
        };
        Ok(AppState {
            live: Arc::new(ArcSwap::from_pointee(live)),
            build_error: Default::default(),
            watching: false,
            api_only: false,
            trusted_proxies: Arc::default(),
            store,
            clock,
            secure_cookies: false,
            sessions: Arc::new(auth::SessionCache::new(session_ttl)),
            issuer: Arc::new(issuer),
            public_url: "http://127.0.0.1:3000".into(),
            mailer: None,
            live_sessions: teams::live(),
        })
    }

    /// The services' view of this state, with the live build as of now.
    pub fn ctx(&self) -> crate::app::Ctx<'_> {
        crate::app::Ctx {
            store: &self.store,
            clock: &self.clock,
            issuer: &self.issuer,
            public_url: &self.public_url,
            mailer: self.mailer.as_deref(),
            cur: self.curriculum(),
        }
    }

    /// The course as last built successfully.
    pub fn curriculum(&self) -> Arc<Curriculum> {
        Arc::clone(&self.live.load().curriculum)
    }

    pub fn pages(&self) -> Arc<pages::Pages> {
        Arc::clone(&self.live.load().pages)
    }

    pub fn site_dir(&self) -> PathBuf {
        self.live.load().site_dir.clone()
    }

    /// Unix ms when the live build went live.
    pub fn built_at(&self) -> i64 {
        self.live.load().built_at
    }

    /// Puts a new good build live: requests already running finish on the old one.
    pub fn publish(&self, curriculum: Curriculum, site_dir: PathBuf) -> anyhow::Result<()> {
        let pages = pages::Pages::load(&curriculum)?;
        self.live.store(Arc::new(Live {
            curriculum: Arc::new(curriculum),
            pages: Arc::new(pages),
            site_dir,
            built_at: self.clock.now_ms(),
        }));
        *self.build_error.lock().unwrap_or_else(|e| e.into_inner()) = None;
        Ok(())
    }

    /// Records a failed rebuild (the live build is unchanged).
    pub fn build_failed(&self, report: String) {
        *self.build_error.lock().unwrap_or_else(|e| e.into_inner()) = Some(BuildFailure {
            at: self.clock.now_ms(),
            report,
        });
    }

    pub fn last_build_failure(&self) -> Option<BuildFailure> {
        self.build_error.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// The built site, from whichever directory is live now.
async fn site(State(state): State<AppState>, req: axum::extract::Request) -> axum::response::Response {
    use tower::ServiceExt;
    if state.api_only {
        let pages = state.pages();
        return pages.error(
            axum::http::StatusCode::NOT_FOUND,
            &pages.t("pages-not-served-title"),
            &pages.t("pages-not-served"),
        );
    }
    let dir = state.site_dir();
    let service = ServeDir::new(&dir).not_found_service(ServeFile::new(dir.join("404.html")));
    match service.oneshot(req).await {
        Ok(r) => r.into_response(),
        Err(never) => match never {},
    }
}

/// Largest request body accepted (answers to a long quiz fit easily).
const BODY_LIMIT: usize = 256 * 1024;

/// Axum's own answers — extractor rejections (a malformed form, a body over
/// [`BODY_LIMIT`], a CSV upload too large), 405s, 408s — are bare English text or empty.
/// The API promises JSON `{"error"}` and pages promise HTML, so those are rewritten here,
/// once for every handler; the status and other headers (`Allow`) stay.
async fn explain_bare_errors(
    State(state): State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let api = req.uri().path().starts_with("/api/");
    let mut res = next.run(req).await;
    let status = res.status();
    // An API error, written in English where the course was not at hand: say it in the course's language.
    if let Some(l) = res.extensions_mut().remove::<error::Localize>() {
        let (mut parts, _) = res.into_parts();
        parts.headers.remove(header::CONTENT_LENGTH);
        let body = serde_json::to_vec(&l.body(state.pages().messages())).unwrap_or_default();
        return Response::from_parts(parts, axum::body::Body::from(body));
    }
    let bare = match res.headers().get(header::CONTENT_TYPE) {
        Some(ct) => ct.to_str().is_ok_and(|ct| ct.starts_with("text/plain")),
        None => api,
    };
    if !(status.is_client_error() || status.is_server_error()) || !bare {
        return res;
    }
    let (parts, body) = res.into_parts();
    // Rejection texts are a line; anything longer is not one and is not echoed.
    let detail = axum::body::to_bytes(body, 4096)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let message = error::rejection_message(status, &detail);
    let pages = state.pages();
    let mut fresh = if api {
        (status, axum::Json(error::ErrorBody::of(&message, pages.messages()))).into_response()
    } else {
        let title = if status.is_server_error() {
            "page-error-title"
        } else {
            "page-refused-title"
        };
        pages.refusal(status, title, &message)
    };
    let own: Vec<_> = fresh.headers().keys().cloned().collect();
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH && !own.contains(name) {
            fresh.headers_mut().append(name.clone(), value.clone());
        }
    }
    fresh
}

/// Content-Security-Policy of the static site (mdBook pages carry inline scripts).
const SITE_CSP: &str = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// The whole application.
pub fn router(state: AppState) -> Router {
    let (api, doc) = api_router();
    let doc = Arc::new(doc.to_json().unwrap_or_default());
    api.route(
        "/api/openapi.json",
        axum::routing::get(move || async move { ([(header::CONTENT_TYPE, "application/json")], doc.as_str().to_owned()) }),
    )
    .route("/static/pages.js", axum::routing::get(pages::script))
    .fallback(site)
    .layer(DefaultBodyLimit::max(BODY_LIMIT))
    // A request may take at most 30 s to answer, and its body may not trickle in
    // slower than 10 s between chunks: slow clients cannot hold the server.
    .layer(tower_http::timeout::TimeoutLayer::with_status_code(
        axum::http::StatusCode::REQUEST_TIMEOUT,
        std::time::Duration::from_secs(30),
    ))
    .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(std::time::Duration::from_secs(
        10,
    )))
    // Outside the timeouts, so their 408s are explained too.
    .layer(axum::middleware::from_fn_with_state(state.clone(), explain_bare_errors))
    // The built site needs mdBook's inline scripts; server pages set a strict policy of their own.
    .layer(SetResponseHeaderLayer::if_not_present(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(SITE_CSP),
    ))
    .layer(SetResponseHeaderLayer::overriding(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    ))
    .layer(SetResponseHeaderLayer::overriding(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("DENY"),
    ))
    .layer(SetResponseHeaderLayer::overriding(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    ))
    .with_state(state)
}

/// Every route with its OpenAPI description (pages included; only `#[utoipa::path]` handlers are documented).
pub fn api_router() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    use utoipa::OpenApi;
    utoipa_axum::router::OpenApiRouter::with_openapi(api_doc::ApiDoc::openapi())
        .merge(account::router())
        .merge(quiz::router())
        .merge(sandbox::router())
        .merge(teams::router())
        .merge(team_pages::router())
        .merge(certify::router())
        .merge(grading::router())
        .merge(hr::router())
        .merge(staff::router())
        .merge(exam::router())
        .merge(exam_page::router())
        .merge(certops::router())
        .split_for_parts()
}

/// Serves `router(state)` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
