//! `certbook verify FILE`: check a signed Open Badges credential offline.

use crate::certify::credential::{Issuer, verify};
use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;

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
    /// Do not fetch the published status lists (revocation and suspension are then not checked).
    #[arg(long)]
    pub offline: bool,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(&a.file).with_context(|| format!("cannot read {}", a.file.display()))?;
    let doc: serde_json::Value = serde_json::from_str(&text).with_context(|| format!("{} is not JSON", a.file.display()))?;
    let pinned = match (&a.issuer, &a.db) {
        (Some(did), _) => Some(did.clone()),
        (None, Some(db)) => {
            let store = crate::store::Store::open(db).with_context(|| format!("opening {}", db.display()))?;
            let seed = store
                .read_blocking(|c| {
                    Ok(
                        c.query_row("SELECT value FROM secrets WHERE name = 'credential-signing-key'", [], |r| {
                            r.get::<_, Vec<u8>>(0)
                        })?,
                    )
                })
                .context("the database holds no signing key")?;
            Some(Issuer::from_seed(&seed).map_err(anyhow::Error::msg)?.did)
        }
        (None, None) => None,
    };
    let v = match verify(&doc, pinned.as_deref()) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("invalid: {e}");
            return Ok(ExitCode::FAILURE);
        }
    };
    println!("valid signature: 「{}」 for {} (issued {})", v.name, v.holder, v.valid_from);
    println!("issuer: {}", v.issuer);
    println!("verification page: {}", v.id);
    if pinned.is_none() {
        println!("note: the issuer was not pinned; pass --issuer DID (from the verification page) to be sure who signed it");
    }
    let mut ok = true;
    if let Some(until) = &v.valid_until {
        let expires = time::OffsetDateTime::parse(until, &time::format_description::well_known::Rfc3339)
            .with_context(|| format!("validUntil `{until}` is not a date"))?;
        if expires <= time::OffsetDateTime::now_utc() {
            eprintln!("invalid: the credential expired on {until}");
            ok = false;
        } else {
            println!("valid until {until}");
        }
    }
    if v.status.is_empty() {
        println!("status: the credential names no status list");
    }
    for (purpose, url, index) in &v.status {
        if a.offline {
            println!("status: {purpose} not checked (--offline)");
            continue;
        }
        match status_set(url, *index, &v.issuer, purpose) {
            Ok(true) if purpose == "suspension" => {
                eprintln!("invalid: the issuer has suspended this credential (bit {index} of {url})");
                ok = false;
            }
            Ok(true) => {
                eprintln!("invalid: the issuer has revoked this credential (bit {index} of {url})");
                ok = false;
            }
            Ok(false) => println!("status: not {} (bit {index} of {url})", past_tense(purpose)),
            Err(e) => println!("status: could not check {purpose} at {url}: {e}"),
        }
    }
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn past_tense(purpose: &str) -> &str {
    match purpose {
        "revocation" => "revoked",
        "suspension" => "suspended",
        other => other,
    }
}

/// Fetches the status list, checks it is signed by the credential's own issuer and is
/// for `purpose`, reads the bit.
fn status_set(url: &str, index: u64, issuer: &str, purpose: &str) -> Result<bool, String> {
    let body = ureq::get(url)
        .config()
        .timeout_global(Some(std::time::Duration::from_secs(10)))
        .build()
        .call()
        .map_err(|e| e.to_string())?
        .body_mut()
        .read_to_string()
        .map_err(|e| e.to_string())?;
    let list: serde_json::Value = serde_json::from_str(&body).map_err(|e| format!("not JSON: {e}"))?;
    verify(&list, Some(issuer)).map_err(|e| format!("the status list is not signed by the issuer: {e}"))?;
    if list.pointer("/credentialSubject/statusPurpose").and_then(|p| p.as_str()) != Some(purpose) {
        return Err(format!("the status list is not a {purpose} list"));
    }
    let encoded = list
        .pointer("/credentialSubject/encodedList")
        .and_then(|p| p.as_str())
        .ok_or("the status list has no encodedList")?;
    crate::certify::credential::status_bit(encoded, index)
}
