//! `certbook verify FILE`: check a signed Open Badges credential. It fails closed:
//! a check it could not make is a failure unless the user said to skip it, and the
//! report names every check made and every check skipped.

use crate::certify::credential::{self, Issuer, StatusEntry, Verified, status, strict};
use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The credential (JSON) downloaded from a certificate.
    pub file: PathBuf,
    /// The issuer DID to require (as published at /api/issuer and on every verification page).
    #[arg(long)]
    pub issuer: Option<String>,
    /// Or take the issuer from this server database (its signing key).
    #[arg(long, conflicts_with = "issuer")]
    pub db: Option<PathBuf>,
    /// Accept a credential from whoever signed it (only the signature is then checked,
    /// not who made it).
    #[arg(long, conflicts_with_all = ["issuer", "db"])]
    pub allow_unpinned: bool,
    /// Do not fetch the published status list: accept a credential without knowing
    /// whether it was revoked or suspended.
    #[arg(long)]
    pub offline: bool,
    /// Also check that the credential was issued to this email address (it carries
    /// only a salted hash of it).
    #[arg(long)]
    pub holder_email: Option<String>,
    /// Judge validFrom and validUntil at this instant (RFC 3339) instead of now, e.g.
    /// whether it was valid on a hiring date. The status list is always today's.
    #[arg(long, value_parser = parse_instant)]
    pub at: Option<OffsetDateTime>,
}

fn parse_instant(s: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(s, &Rfc3339).map_err(|e| format!("not an RFC 3339 date-time (2026-12-03T09:00:00Z): {e}"))
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(&a.file).with_context(|| format!("cannot read {}", a.file.display()))?;
    let mut report = Report::default();
    let doc = match strict::parse(&text) {
        Ok(d) => d,
        Err(e) => return Ok(report.fail(format!("{} is not acceptable JSON: {e}", a.file.display()))),
    };
    let pinned = match (&a.issuer, &a.db) {
        (Some(did), _) => Some(did.clone()),
        (None, Some(db)) => {
            let store = crate::store::Store::open(db).with_context(|| format!("opening {}", db.display()))?;
            let seed = store
                .existing_secret_blocking("credential-signing-key")?
                .with_context(|| format!("{} holds no signing key", db.display()))?;
            Some(Issuer::from_seed(&seed).map_err(anyhow::Error::msg)?.did)
        }
        (None, None) => None,
    };
    let v = match credential::verify(&doc, pinned.as_deref()) {
        Ok(v) => v,
        Err(e) => return Ok(report.fail(e)),
    };
    report.checked("signature (eddsa-jcs-2022)");
    println!("\"{}\" for {} (issued {})", v.name, v.holder, v.valid_from);
    println!("issuer: {}", v.issuer);
    println!("verification page: {}", v.id);
    if v.legacy_proof {
        println!(
            "warning: signed in certbook's earlier proof format, which only certbook accepts; \
             download the credential again for one that any standard verifier accepts"
        );
    }
    match (&pinned, a.allow_unpinned) {
        (Some(_), _) => report.checked("issuer pinned"),
        (None, true) => report.skipped("issuer pinning (--allow-unpinned): anyone can sign with a key of their own"),
        (None, false) => report.error(
            "the issuer is not pinned, so this proves only that someone signed it; pass --issuer DID \
             (on the verification page and at /api/issuer) or --db PATH, or --allow-unpinned to accept any signer",
        ),
    }
    dates(&v, a.at.unwrap_or_else(OffsetDateTime::now_utc), &mut report)?;
    if let Some(email) = &a.holder_email {
        holder(&v, email, &mut report);
    }
    if v.status.is_empty() {
        println!("status: the credential names no status list");
    }
    for entry in &v.status {
        if a.offline {
            report.skipped("status (--offline): revocation and suspension not checked");
            continue;
        }
        match entry_status(entry, &v.issuer) {
            Ok((0, message)) => {
                println!("status: {message} (entry {} of {})", entry.index, entry.list);
                report.checked("status");
            }
            Ok((_, message)) => report.error(format!(
                "the issuer's status list says: {message} (entry {} of {})",
                entry.index, entry.list
            )),
            Err(e) => report.error(format!(
                "could not check the status at {}: {e} (pass --offline to accept it without a status check)",
                entry.list
            )),
        }
    }
    Ok(report.finish())
}

fn dates(v: &Verified, now: OffsetDateTime, report: &mut Report) -> anyhow::Result<()> {
    let from = OffsetDateTime::parse(&v.valid_from, &Rfc3339).with_context(|| format!("validFrom `{}` is not a date", v.valid_from))?;
    if from > now {
        report.error(format!("the credential is not valid before {}", v.valid_from));
    }
    match &v.valid_until {
        Some(until) => {
            let expires = OffsetDateTime::parse(until, &Rfc3339).with_context(|| format!("validUntil `{until}` is not a date"))?;
            if expires <= now {
                report.error(format!("the credential expired on {until}"));
            } else {
                println!("valid until {until}");
            }
        }
        None => println!("valid with no end date"),
    }
    report.checked("dates");
    Ok(())
}

fn holder(v: &Verified, email: &str, report: &mut Report) {
    let email = credential::normalise_email(email);
    let hashed: Vec<_> = v.identifiers.iter().filter(|i| i.kind == "emailAddress").collect();
    if hashed.is_empty() {
        report.error("the credential carries no email address of its holder to compare with");
    } else if hashed.iter().any(|i| i.matches(&email)) {
        println!("holder: issued to {email}");
        report.checked("holder email");
    } else {
        report.error(format!("the credential was not issued to {email}"));
    }
}

/// Fetches the status list, checks the issuer signed it for the entry's purpose, and
/// reads the entry: its value and what the value means.
fn entry_status(entry: &StatusEntry, issuer: &str) -> Result<(u8, String), String> {
    let body = ureq::get(&entry.list)
        .config()
        .timeout_global(Some(std::time::Duration::from_secs(10)))
        .build()
        .call()
        .map_err(|e| e.to_string())?
        .body_mut()
        .read_to_string()
        .map_err(|e| e.to_string())?;
    let list = strict::parse(&body).map_err(|e| format!("the status list is not acceptable JSON: {e}"))?;
    credential::verify(&list, Some(issuer)).map_err(|e| format!("the status list is not signed by the issuer: {e}"))?;
    let purposes = match list.pointer("/credentialSubject/statusPurpose") {
        Some(serde_json::Value::String(p)) => vec![p.clone()],
        Some(serde_json::Value::Array(a)) => a.iter().filter_map(|p| p.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    };
    if !purposes.contains(&entry.purpose) {
        return Err(format!("the status list is not a `{}` list", entry.purpose));
    }
    let encoded = list
        .pointer("/credentialSubject/encodedList")
        .and_then(|p| p.as_str())
        .ok_or("the status list has no encodedList")?;
    let value = status::read_list(encoded, entry.index, entry.size)?;
    let message = match (entry.messages.get(value as usize), entry.purpose.as_str(), value) {
        (Some(m), _, _) if !m.is_empty() => m.clone(),
        (_, "revocation", 1) => "revoked".into(),
        (_, "suspension", 1) => "suspended".into(),
        (_, "revocation", _) => "not revoked".into(),
        (_, "suspension", _) => "not suspended".into(),
        (_, purpose, v) => format!("{purpose} status 0x{v:x}"),
    };
    Ok((value, message))
}

/// What was checked, what was skipped, what failed.
#[derive(Default)]
struct Report {
    checked: Vec<String>,
    skipped: Vec<String>,
    errors: usize,
}

impl Report {
    fn checked(&mut self, what: &str) {
        if !self.checked.iter().any(|c| c == what) {
            self.checked.push(what.to_string());
        }
    }
    fn skipped(&mut self, what: &str) {
        if !self.skipped.iter().any(|c| c == what) {
            self.skipped.push(what.to_string());
        }
    }
    fn error(&mut self, e: impl std::fmt::Display) {
        eprintln!("invalid: {e}");
        self.errors += 1;
    }
    fn fail(mut self, e: impl std::fmt::Display) -> ExitCode {
        self.error(e);
        self.finish()
    }
    fn finish(self) -> ExitCode {
        println!(
            "checked: {}",
            if self.checked.is_empty() {
                "nothing".into()
            } else {
                self.checked.join(", ")
            }
        );
        for s in &self.skipped {
            println!("skipped: {s}");
        }
        if self.errors == 0 {
            println!("result: valid");
            ExitCode::SUCCESS
        } else {
            println!(
                "result: INVALID ({} problem{})",
                self.errors,
                if self.errors == 1 { "" } else { "s" }
            );
            ExitCode::FAILURE
        }
    }
}
