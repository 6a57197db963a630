//! `certbook verify` fails closed: a check it could not make fails unless the user
//! opted out of it, duplicate JSON keys are refused, and the holder's email can be
//! checked against the salted hash the credential carries.

use crate::harness::{TestServer, certbook_verify, certify_alice, output_text};
use serde_json::json;

async fn downloaded(s: &TestServer) -> (tempfile::TempDir, std::path::PathBuf, serde_json::Value, String) {
    s.store.set_user_contact_blocking("alice", " Alice@Example.com").unwrap();
    let (alice, id) = certify_alice(s).await;
    let (code, cred) = alice.get(&format!("/api/certificates/{id}/credential")).await;
    assert_eq!(code, 200);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cred.json");
    std::fs::write(&path, serde_json::to_string_pretty(&cred).unwrap()).unwrap();
    let did = s.anonymous().get("/api/issuer").await.1["id"].as_str().unwrap().to_string();
    (dir, path, cred, did)
}

#[tokio::test]
async fn an_unpinned_issuer_fails_unless_the_user_accepts_any_signer() {
    let s = TestServer::start("course-ok").await;
    let (_dir, path, _, did) = downloaded(&s).await;
    let out = certbook_verify(&s, &path, &[]).await;
    assert!(!out.status.success(), "{}", output_text(&out));
    assert!(output_text(&out).contains("the issuer is not pinned"), "{}", output_text(&out));
    assert!(output_text(&out).contains("result: INVALID"));

    let out = certbook_verify(&s, &path, &["--allow-unpinned"]).await;
    assert!(out.status.success(), "{}", output_text(&out));
    assert!(output_text(&out).contains("skipped: issuer pinning"), "{}", output_text(&out));

    // A credential signed by an attacker's own did:key passes only unpinned, and says so.
    let forger = certbook::certify::credential::Issuer::from_seed(&[3u8; 32]).unwrap();
    let mut unsigned: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    unsigned.as_object_mut().unwrap().remove("proof");
    unsigned["issuer"]["id"] = json!(forger.did);
    unsigned.as_object_mut().unwrap().remove("credentialStatus");
    let forged = path.with_file_name("forged.json");
    std::fs::write(&forged, forger.sign_in_set(unsigned, "2026-01-01T00:00:00Z").to_string()).unwrap();
    let out = certbook_verify(&s, &forged, &[]).await;
    assert!(!out.status.success(), "{}", output_text(&out));
    let out = certbook_verify(&s, &forged, &["--issuer", &did]).await;
    assert!(output_text(&out).contains("expected issuer"), "{}", output_text(&out));
}

#[tokio::test]
async fn an_unreachable_status_list_fails_unless_the_user_goes_offline() {
    let s = TestServer::start("course-ok").await;
    let (_dir, path, _, did) = downloaded(&s).await;
    let ok = certbook_verify(&s, &path, &["--issuer", &did]).await;
    assert!(ok.status.success(), "{}", output_text(&ok));
    // The server goes away: its status list can no longer be read.
    drop(s);
    let s2 = TestServer::start("course-ok").await;
    let out = certbook_verify(&s2, &path, &["--issuer", &did]).await;
    assert!(!out.status.success(), "a revoked credential would pass here: {}", output_text(&out));
    assert!(output_text(&out).contains("could not check the status"), "{}", output_text(&out));
    let out = certbook_verify(&s2, &path, &["--issuer", &did, "--offline"]).await;
    assert!(out.status.success(), "{}", output_text(&out));
    let text = output_text(&out);
    assert!(
        text.contains("skipped: status (--offline)") && !text.contains("checked: signature (eddsa-jcs-2022), issuer pinned, dates, status"),
        "{text}"
    );
}

#[tokio::test]
async fn a_duplicated_key_is_refused_even_when_the_signature_covers_one_of_them() {
    let s = TestServer::start("course-ok").await;
    let (_dir, path, cred, did) = downloaded(&s).await;
    // A first-wins reader would show "mallory"; serde keeps the signed last value.
    let text = std::fs::read_to_string(&path).unwrap();
    let holder = cred["credentialSubject"]["name"].as_str().unwrap();
    let needle = format!("\"name\": \"{holder}\"");
    assert!(text.contains(&needle), "{text}");
    let doubled = text.replacen(&needle, &format!("\"name\": \"mallory\", {needle}"), 1);
    let dup = path.with_file_name("dup.json");
    std::fs::write(&dup, doubled).unwrap();
    let out = certbook_verify(&s, &dup, &["--issuer", &did]).await;
    assert!(!out.status.success(), "{}", output_text(&out));
    assert!(output_text(&out).contains("`name` appears twice"), "{}", output_text(&out));
}

#[tokio::test]
async fn the_holder_email_is_checked_against_its_salted_hash() {
    let s = TestServer::start("course-ok").await;
    let (_dir, path, cred, did) = downloaded(&s).await;
    let ids = cred["credentialSubject"]["identifier"].as_array().unwrap();
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert_eq!(ids[0]["identityType"], "emailAddress");
    assert!(
        !cred.to_string().to_lowercase().contains("alice@example.com"),
        "the address itself is not in it"
    );
    let out = certbook_verify(&s, &path, &["--issuer", &did, "--holder-email", "alice@example.com"]).await;
    assert!(out.status.success(), "{}", output_text(&out));
    assert!(output_text(&out).contains("holder: issued to alice@example.com"));
    let out = certbook_verify(&s, &path, &["--issuer", &did, "--holder-email", "bob@example.com"]).await;
    assert!(!out.status.success());
    assert!(output_text(&out).contains("not issued to bob@example.com"), "{}", output_text(&out));
}

#[tokio::test]
async fn dates_are_judged_at_the_given_instant() {
    let s = TestServer::start("course-ok").await;
    let (_dir, path, cred, did) = downloaded(&s).await;
    let until = cred["validUntil"].as_str().unwrap().to_string();
    let out = certbook_verify(&s, &path, &["--issuer", &did, "--at", &until]).await;
    assert!(!out.status.success(), "{}", output_text(&out));
    assert!(output_text(&out).contains("expired on"), "{}", output_text(&out));
    let out = certbook_verify(&s, &path, &["--issuer", &did, "--at", "2000-01-01T00:00:00Z"]).await;
    assert!(!out.status.success());
    assert!(output_text(&out).contains("not valid before"), "{}", output_text(&out));
}
