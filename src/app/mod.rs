//! Use cases: the one home of each rule between the callers (`http`, `cli`) and the
//! domain (`course`, `quiz`, `sandbox`, `certify`) and the `store`. One module per
//! family; a service takes a [`Ctx`] (or, offline in the CLI, just the store), checks
//! who may do what, applies the rules and returns typed results or an [`Error`].
//! Nothing here knows HTTP.

pub mod accounts;
pub mod certification;
pub mod exams;
pub mod grading;
pub mod programme;
pub mod reports;
pub mod runs;
pub mod sessions;
pub mod teams;
pub mod views;

use crate::certify::credential::Issuer;
use crate::clock::Clock;
use crate::course::Curriculum;
pub use crate::i18n::Msg;
use crate::mail::Mailer;
use crate::store::{Role, Store, StoreError, User};
use std::sync::Arc;

/// What a service works with, borrowed from the server's state for one call.
/// `cur` is the build that was live when the call began: one call sees one build,
/// even if `serve --watch` swaps in another meanwhile.
pub struct Ctx<'a> {
    pub store: &'a Store,
    pub clock: &'a Clock,
    /// Signs credentials and status lists.
    pub issuer: &'a Issuer,
    /// The address people reach the server at (verification links, credential ids).
    pub public_url: &'a str,
    /// Sends expiry reminders, when SMTP is configured.
    pub mailer: Option<&'a Mailer>,
    pub cur: Arc<Curriculum>,
}

/// Why a use case refused or failed. Each carries a [`Msg`]: its id is the API's
/// error code, and the HTTP layer renders its text in the course's language.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not found: {0:?}")]
    NotFound(Msg),
    #[error("conflict: {0:?}")]
    Conflict(Msg),
    #[error("unprocessable: {0:?}")]
    Unprocessable(Msg),
    /// The caller's role does not allow it.
    #[error("forbidden for your role")]
    Forbidden,
    /// A malformed request the caller must fix.
    #[error("bad request: {0:?}")]
    BadRequest(Msg),
    /// Refused with a reason the caller can act on (a refused address).
    #[error("refused: {0:?}")]
    Refused(Msg),
    /// The exam's password is missing or wrong.
    #[error("exam password missing or wrong")]
    PasswordRequired,
    /// Something the server lacks (a font, a mail server).
    #[error("unavailable: {0:?}")]
    Unavailable(Msg),
    /// A failure the caller cannot act on; the detail is for the log.
    #[error("{0}")]
    Internal(String),
    /// More than one request may ask for (a zip over its limit).
    #[error("too large: {0:?}")]
    TooLarge(Msg),
    /// A state-changing call without the session's CSRF token.
    #[error("CSRF token missing or wrong")]
    Csrf,
    /// Too many failed logins; try again after `retry_after_s`.
    #[error("throttled: {message:?}")]
    Throttled { message: Msg, retry_after_s: i64 },
}

impl Error {
    /// What to tell the caller (an internal failure's detail stays in the log).
    pub fn message(&self) -> Msg {
        match self {
            Error::NotFound(m)
            | Error::Conflict(m)
            | Error::Unprocessable(m)
            | Error::BadRequest(m)
            | Error::Refused(m)
            | Error::Unavailable(m)
            | Error::TooLarge(m)
            | Error::Throttled { message: m, .. } => m.clone(),
            Error::Forbidden => crate::msg!("forbidden"),
            Error::PasswordRequired => crate::msg!("exam-password-required"),
            Error::Csrf => crate::msg!("csrf"),
            Error::Internal(_) => crate::msg!("internal-error"),
        }
    }
}

impl From<crate::store::GradeFailure> for Error {
    fn from(e: crate::store::GradeFailure) -> Self {
        Error::Unprocessable(e.0)
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        Error::Internal(e.to_string())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Requires one of `roles` (admin passes every check), like the session's own check.
pub fn require(actor: &User, roles: &[Role]) -> Result<()> {
    if actor.role == Role::Admin || roles.contains(&actor.role) {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

/// Staff may read any learner's records.
pub fn is_staff(actor: &User) -> bool {
    matches!(actor.role, Role::Instructor | Role::Hr | Role::Admin)
}

/// A record id that sorts by creation time: the milliseconds in hex, then 128 random
/// bits. New rows land at the end of the id index instead of at random places in
/// it, so inserting stays as cheap with a million rows as with a hundred.
pub fn ordered_id(now_ms: i64) -> String {
    use base64::Engine;
    let b: [u8; 16] = rand::random();
    format!(
        "{:012x}{}",
        now_ms.max(0),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
    )
}

/// A random URL-safe token of 256 bits (session tokens, ids, generated passwords).
pub fn random_token() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}
