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
    match verify(&doc, pinned.as_deref()) {
        Ok(v) => {
            println!("valid signature: 「{}」 for {} (issued {})", v.name, v.holder, v.valid_from);
            println!("issuer: {}", v.issuer);
            println!("status online: {}", v.id);
            if pinned.is_none() {
                println!("note: the issuer was not pinned; pass --issuer DID (from the verification page) to be sure who signed it");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("invalid: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}
