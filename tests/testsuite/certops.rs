//! Certification operations: expiry and renewal, the published status list,
//! bulk revocation, the printable PDF with its QR code, and LinkedIn sharing.

use crate::harness::{TestServer, certify_alice};
use serde_json::{Value, json};

const DAY: i64 = 86_400_000;

async fn certificate(s: &TestServer, id: &str) -> Value {
    let (code, c) = s.anonymous().get(&format!("/api/certificates/{id}")).await;
    assert_eq!(code, 200);
    c
}

async fn verify_page(s: &TestServer, id: &str) -> String {
    reqwest::get(s.url(&format!("/verify/{id}"))).await.unwrap().text().await.unwrap()
}

#[tokio::test]
async fn a_certificate_expires_exactly_at_its_date_and_renewal_inside_the_window_keeps_its_id() {
    let s = TestServer::start("course-ok").await;
    let issued_at = s.clock.now_ms();
    let (alice, id) = certify_alice(&s).await;
    let c = certificate(&s, &id).await;
    let until = c["valid_until"].as_i64().expect("the level expires");
    assert_eq!(until, certbook::certify::validity::add_months(issued_at, 12));
    assert_eq!(c["status"], "valid");

    // One millisecond before: valid. At the date: expired, on the API and the public page.
    s.clock.advance(until - 1 - s.clock.now_ms());
    assert_eq!(certificate(&s, &id).await["status"], "valid");
    assert!(verify_page(&s, &id).await.contains("data-status=\"valid\""));
    s.clock.advance(1);
    assert_eq!(certificate(&s, &id).await["status"], "expired");
    let page = verify_page(&s, &id).await;
    assert!(page.contains("data-status=\"expired\"") && page.contains("证书已过期"), "{page}");

    // The renewal window is open: the learner (logged in again a year on) sees what renews it.
    drop(alice);
    let alice = s.login("alice").await;
    let (_, p) = alice.get("/api/progress").await;
    let basic = &p["levels"][0];
    assert_eq!(basic["certificate"], id.as_str());
    assert_eq!(basic["renewal"]["met"], false, "{basic}");
    assert_eq!(basic["renewal"]["requirements"][0]["id"], "short");

    // Passing the renewal quiz again renews the same certificate from today.
    s.clock.advance(DAY);
    let (_, at) = alice.start("short").await;
    let (code, r) = alice
        .submit(at["id"].as_str().unwrap(), json!({ "q1": "B", "q2": true, "q3": "留存率" }))
        .await;
    assert_eq!(code, 200, "{r}");
    assert_eq!(r["certificates_issued"][0]["id"], id.as_str(), "renewed, not reissued: {r}");
    let c = certificate(&s, &id).await;
    assert_eq!(c["status"], "valid");
    assert_eq!(c["valid_until"], certbook::certify::validity::add_months(s.clock.now_ms(), 12));
    let (_, p) = alice.get("/api/progress").await;
    assert_eq!(p["certificates"].as_array().unwrap().len(), 1, "still one certificate");
    assert!(verify_page(&s, &id).await.contains("data-status=\"valid\""));
}

#[tokio::test]
async fn results_from_before_the_window_do_not_renew() {
    let s = TestServer::start("course-ok").await;
    let (alice, id) = certify_alice(&s).await;
    let until = certificate(&s, &id).await["valid_until"].as_i64().unwrap();
    // Passed again 60 days before expiry: the 30-day window is not open yet.
    s.clock.advance(until - 60 * DAY - s.clock.now_ms());
    drop(alice);
    let alice = s.login("alice").await;
    let (_, at) = alice.start("short").await;
    alice
        .submit(at["id"].as_str().unwrap(), json!({ "q1": "B", "q2": true, "q3": "留存率" }))
        .await;
    s.clock.advance(45 * DAY);
    let alice = s.login("alice").await;
    let (_, p) = alice.get("/api/progress").await;
    assert_eq!(p["levels"][0]["renewal"]["met"], false, "{}", p["levels"][0]);
    assert_eq!(certificate(&s, &id).await["valid_until"], until);
}

/// Runs `certbook verify` on a credential file, pinning the issuer.
async fn verify_cli(path: &std::path::Path, did: &str) -> std::process::Output {
    let (path, did) = (path.to_path_buf(), did.to_string());
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_certbook"))
            .arg("verify")
            .arg(path)
            .args(["--issuer", &did])
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

fn status_bit(list: &Value, index: &str) -> bool {
    let encoded = list["credentialSubject"]["encodedList"].as_str().unwrap();
    certbook::certify::credential::status_bit(encoded, index.parse().unwrap()).unwrap()
}

#[tokio::test]
async fn a_revoked_credential_has_its_bit_set_in_the_signed_status_list_and_verify_reports_it() {
    let s = TestServer::start("course-ok").await;
    let (alice, id) = certify_alice(&s).await;
    let (_, cred) = alice.get(&format!("/api/certificates/{id}/credential")).await;
    let entry = &cred["credentialStatus"][0];
    assert_eq!(entry["type"], "BitstringStatusListEntry");
    assert_eq!(entry["statusPurpose"], "revocation");
    assert_eq!(entry["statusListCredential"], s.url("/api/status/revocation"));
    let index = entry["statusListIndex"].as_str().unwrap().to_string();
    assert!(cred["validUntil"].is_string());

    let (code, list) = s.anonymous().get("/api/status/revocation").await;
    assert_eq!(code, 200);
    let (_, issuer) = s.anonymous().get("/api/issuer").await;
    certbook::certify::credential::verify(&list, issuer["id"].as_str()).expect("the list is signed by the issuer");
    assert!(!status_bit(&list, &index));

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cred.json");
    std::fs::write(&path, cred.to_string()).unwrap();
    let did = issuer["id"].as_str().unwrap().to_string();
    let out = verify_cli(&path, &did).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("not revoked"));

    // Bulk revocation is all or none: one unknown id, nothing revoked.
    let root = s.login("root").await;
    let (code, e) = root
        .post_json(
            "/api/admin/certificates/revoke",
            &json!({ "ids": [id, "CB-NONE-NONE-NONE"], "reason": "考试违纪" }),
        )
        .await;
    assert_eq!(code, 422, "{e}");
    assert!(e["error"].as_str().unwrap().contains("CB-NONE-NONE-NONE"));
    assert!(!status_bit(&s.anonymous().get("/api/status/revocation").await.1, &index));
    assert_eq!(
        s.login("hana")
            .await
            .post_json("/api/admin/certificates/revoke", &json!({ "ids": [id], "reason": "x" }))
            .await
            .0,
        403
    );
    let (code, r) = root
        .post_json("/api/admin/certificates/revoke", &json!({ "ids": [id], "reason": "考试违纪" }))
        .await;
    assert_eq!((code, r["revoked"].as_i64()), (200, Some(1)));
    assert!(status_bit(&s.anonymous().get("/api/status/revocation").await.1, &index));
    assert_eq!(certificate(&s, &id).await["status"], "revoked");

    let out = verify_cli(&path, &did).await;
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("revoked"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn a_suspended_credential_fails_verification_until_it_is_reinstated() {
    let s = TestServer::start("course-ok").await;
    let (alice, id) = certify_alice(&s).await;
    let (_, cred) = alice.get(&format!("/api/certificates/{id}/credential")).await;
    let entry = &cred["credentialStatus"][1];
    assert_eq!(entry["statusPurpose"], "suspension");
    assert_eq!(entry["statusListCredential"], s.url("/api/status/suspension"));
    let index = entry["statusListIndex"].as_str().unwrap().to_string();
    let (_, issuer) = s.anonymous().get("/api/issuer").await;
    let did = issuer["id"].as_str().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cred.json");
    std::fs::write(&path, cred.to_string()).unwrap();
    let suspension = || async {
        let (code, list) = s.anonymous().get("/api/status/suspension").await;
        assert_eq!(code, 200);
        certbook::certify::credential::verify(&list, Some(&did)).expect("signed by the issuer");
        assert_eq!(list["credentialSubject"]["statusPurpose"], "suspension");
        status_bit(&list, &index)
    };
    assert!(!suspension().await);

    let root = s.login("root").await;
    let (code, _) = root.post_json("/api/admin/certificates/suspend", &json!({ "ids": [id] })).await;
    assert_eq!(code, 422, "a reason is required");
    let (code, r) = root
        .post_json("/api/admin/certificates/suspend", &json!({ "ids": [id], "reason": "违纪调查中" }))
        .await;
    assert_eq!((code, r["changed"].as_i64()), (200, Some(1)), "{r}");
    assert!(suspension().await);
    assert!(
        !status_bit(&s.anonymous().get("/api/status/revocation").await.1, &index),
        "not revoked"
    );
    assert_eq!(certificate(&s, &id).await["status"], "suspended");
    assert!(verify_page(&s, &id).await.contains("证书已暂停"));
    let out = verify_cli(&path, &did).await;
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("suspended"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let (code, _) = root.post_json("/api/admin/certificates/reinstate", &json!({ "ids": [id] })).await;
    assert_eq!(code, 200);
    assert!(!suspension().await);
    assert_eq!(certificate(&s, &id).await["status"], "valid");
    let out = verify_cli(&path, &did).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("not revoked") && stdout.contains("not suspended"), "{stdout}");
    assert_eq!(
        s.login("hana")
            .await
            .post_json("/api/admin/certificates/suspend", &json!({ "ids": [id], "reason": "x" }))
            .await
            .0,
        403
    );
    let (_, audit) = root.get("/api/admin/audit").await;
    let actions: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(&actions[..2], ["reinstate-certificate", "suspend-certificate"]);
}

#[tokio::test]
async fn the_certificate_prints_as_a_pdf_with_a_qr_code_and_the_holder_can_add_it_to_linkedin() {
    let s = TestServer::start("course-ok").await;
    let (alice, id) = certify_alice(&s).await;
    let r = reqwest::get(s.url(&format!("/certificates/{id}/certificate.pdf"))).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-") && pdf.len() < 300_000, "{} bytes", pdf.len());

    // Anyone sees the QR code; only the holder gets the LinkedIn link.
    let public = reqwest::get(s.url(&format!("/certificates/{id}")))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(public.contains("<svg") && public.contains("扫码验证"));
    assert!(!public.contains("linkedin.com"));
    let own = alice
        .http
        .get(s.url(&format!("/certificates/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let link = own
        .split("href=\"")
        .find(|p| p.starts_with("https://www.linkedin.com/profile/add"))
        .expect("a LinkedIn link");
    let link = link.split('"').next().unwrap().replace("&#x3D;", "=").replace("&amp;", "&");
    for part in [
        "startTask=CERTIFICATION_NAME",
        "certId=",
        "issueYear=",
        "expirationYear=",
        "organizationName=",
    ] {
        assert!(link.contains(part), "{part} in {link}");
    }
    assert!(
        link.contains(&certbook::http::certify::percent_encode(&s.url(&format!("/verify/{id}")))),
        "{link}"
    );
}
