//! Baseline for `scripts/bench-serve`: the cheapest "durable write per request" server
//! on this machine, to set certbook's figure against. A bare axum 0.8 server on tokio's
//! multi-thread runtime with one route, `POST /write`, that stores the request body with
//! one rusqlite INSERT (its own transaction, autocommit) into a WAL-mode SQLite file with
//! synchronous=NORMAL, as certbook does; the INSERT runs on the blocking pool (one
//! connection behind a mutex), so the async runtime never waits on disk, as in certbook.
//! No sessions, no CSRF, no validation: what is left is HTTP + JSON + one commit.
//!
//! usage: bench_baseline DB PORT   (GET /ready answers once it listens)

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use rusqlite::Connection;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

type Db = Arc<Mutex<Connection>>;

async fn write(State(db): State<Db>, body: String) -> Result<Json<Value>, (StatusCode, String)> {
    let id = tokio::task::spawn_blocking(move || {
        let conn = db.lock().unwrap_or_else(|p| p.into_inner());
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        conn.prepare_cached("INSERT INTO writes (body, at) VALUES (?1, ?2)")?
            .execute(rusqlite::params![body, now])?;
        Ok::<_, rusqlite::Error>(conn.last_insert_rowid())
    })
    .await
    .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
    .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    Ok(Json(json!({ "id": id })))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, db, port] = &args[..] else {
        eprintln!("usage: bench_baseline DB PORT");
        std::process::exit(2);
    };
    let conn = Connection::open(db)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.execute_batch("CREATE TABLE IF NOT EXISTS writes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, at INTEGER NOT NULL)")?;
    let app = axum::Router::new()
        .route("/write", post(write))
        .route("/ready", get(|| async { "ok" }))
        .with_state(Arc::new(Mutex::new(conn)));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port.parse::<u16>()?)).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
