//! The server: the built static site plus the JSON API and a few server-rendered
//! pages, on one port. Handlers are thin: extract, call the domain or the store, map.

mod account;
pub mod auth;
pub mod certify;
mod charts;
pub mod error;
mod grading;
mod hr;
mod pages;
mod quiz;
mod sandbox;
mod staff;

use crate::clock::Clock;
use crate::course::Curriculum;
use crate::store::Store;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use std::path::PathBuf;
use std::sync::Arc;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// Shared server state; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub curriculum: Arc<Curriculum>,
    pub store: Store,
    pub clock: Clock,
    /// The built site served at `/`.
    pub site_dir: PathBuf,
    pub pages: Arc<pages::Pages>,
    /// Mark cookies `Secure` (set when served behind TLS).
    pub secure_cookies: bool,
    pub sessions: Arc<auth::SessionCache>,
    pub logins: Arc<auth::LoginLimiter>,
    /// Signs Open Badges credentials; its key is created on first start and kept in the database.
    pub issuer: Arc<crate::certify::credential::Issuer>,
    /// The address people reach this server at (verification links, credential ids).
    pub public_url: String,
}

impl AppState {
    pub fn new(curriculum: Curriculum, store: Store, site_dir: PathBuf, clock: Clock) -> anyhow::Result<Self> {
        let pages = pages::Pages::load(&curriculum)?;
        let seed = store.secret_blocking("credential-signing-key", || rand::random::<[u8; 32]>().to_vec(), clock.now_ms())?;
        let issuer = crate::certify::credential::Issuer::from_seed(&seed).map_err(anyhow::Error::msg)?;
        Ok(AppState {
            curriculum: Arc::new(curriculum),
            store,
            clock,
            site_dir,
            pages: Arc::new(pages),
            secure_cookies: false,
            sessions: Default::default(),
            logins: Default::default(),
            issuer: Arc::new(issuer),
            public_url: "http://127.0.0.1:3000".into(),
        })
    }
}

/// Largest request body accepted (answers to a long quiz fit easily).
const BODY_LIMIT: usize = 256 * 1024;

/// Content-Security-Policy of the static site (mdBook pages carry inline scripts).
const SITE_CSP: &str = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// The whole application.
pub fn router(state: AppState) -> Router {
    let site = ServeDir::new(&state.site_dir).not_found_service(ServeFile::new(state.site_dir.join("404.html")));
    Router::new()
        .merge(account::router())
        .merge(quiz::router())
        .merge(sandbox::router())
        .merge(certify::router())
        .merge(grading::router())
        .merge(hr::router())
        .merge(staff::router())
        .route("/static/pages.js", axum::routing::get(pages::script))
        .fallback_service(site)
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
