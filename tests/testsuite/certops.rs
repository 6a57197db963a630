//! Certification operations: expiry and renewal, the published status list,
//! bulk revocation, the printable PDF with its QR code, and LinkedIn sharing.

use crate::harness::{TestServer, certbook_verify, certify_alice, output_text};
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
async fn verify_cli(s: &TestServer, path: &std::path::Path, did: &str) -> std::process::Output {
    certbook_verify(s, path, &["--issuer", did]).await
}

/// The two-bit entry at `index` of the signed status list `url`, after checking the
/// issuer signed it.
async fn entry_value(s: &TestServer, url: &str, index: u64) -> u8 {
    let (code, list) = s.anonymous().get(url.strip_prefix(&s.base).unwrap()).await;
    assert_eq!(code, 200, "{list}");
    let (_, issuer) = s.anonymous().get("/api/issuer").await;
    certbook::certify::credential::verify(&list, issuer["id"].as_str()).expect("the list is signed by the issuer");
    assert_eq!(list["credentialSubject"]["statusPurpose"], "message");
    let encoded = list["credentialSubject"]["encodedList"].as_str().unwrap();
    certbook::certify::credential::status::read_list(encoded, index, 2).unwrap()
}

/// The status entry of a downloaded credential: its list URL and index.
fn status_entry(cred: &Value) -> (String, u64) {
    let entry = &cred["credentialStatus"];
    assert!(entry.is_object(), "one entry, as Open Badges 3.0 allows: {entry}");
    assert_eq!(entry["type"], "BitstringStatusListEntry");
    assert_eq!(
        (entry["statusPurpose"].as_str(), entry["statusSize"].as_u64()),
        (Some("message"), Some(2))
    );
    assert_eq!(
        entry["statusMessage"],
        json!([{"status": "0x0", "message": "valid"}, {"status": "0x1", "message": "suspended"},
               {"status": "0x2", "message": "revoked"}, {"status": "0x3", "message": "undefined"}])
    );
    (
        entry["statusListCredential"].as_str().unwrap().to_string(),
        entry["statusListIndex"].as_str().unwrap().parse().unwrap(),
    )
}

/// The one-bit legacy list `purpose` at `index` (what credentials issued before the
/// two-bit lists name).
async fn legacy_bit(s: &TestServer, purpose: &str, index: u64) -> u8 {
    let (code, list) = s.anonymous().get(&format!("/api/status/{purpose}")).await;
    assert_eq!(code, 200);
    assert_eq!(list["credentialSubject"]["statusPurpose"], purpose);
    let encoded = list["credentialSubject"]["encodedList"].as_str().unwrap();
    certbook::certify::credential::status::read_list(encoded, index, 1).unwrap()
}

#[tokio::test]
async fn a_revoked_credential_reads_revoked_in_the_signed_status_list_and_verify_reports_it() {
    let s = TestServer::start("course-ok").await;
    let (alice, id) = certify_alice(&s).await;
    let (_, cred) = alice.get(&format!("/api/certificates/{id}/credential")).await;
    let (list, index) = status_entry(&cred);
    assert_eq!(list, s.url("/api/status/lists/0"));
    assert!(cred["validUntil"].is_string());
    assert_eq!(entry_value(&s, &list, index).await, 0);
    assert_eq!(
        s.anonymous().get("/api/status/lists/1").await.0,
        404,
        "no certificate in list 1 yet"
    );
    assert_eq!(s.anonymous().get("/api/status/lists/x").await.0, 400);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cred.json");
    std::fs::write(&path, cred.to_string()).unwrap();
    let (_, issuer) = s.anonymous().get("/api/issuer").await;
    let did = issuer["id"].as_str().unwrap().to_string();
    let out = verify_cli(&s, &path, &did).await;
    assert!(out.status.success(), "{}", output_text(&out));
    assert!(output_text(&out).contains("status: valid"), "{}", output_text(&out));

    // Bulk revocation is all or none: one unknown id, nothing revoked.
    let root = s.login("root").await;
    let (code, e) = root
        .post_json(
            "/api/admin/certificates/revoke",
            &json!({ "ids": [id, "CB-NONE-NONE-NONE"], "reason": "考试违纪" }),
        )
        .await;
    assert_eq!(code, 422, "{e}");
    assert_eq!(e["code"], "cert_unknown_ids_none_revoked", "{e}");
    assert!(e["error"].as_str().unwrap().contains("CB-NONE-NONE-NONE"));
    assert_eq!(entry_value(&s, &list, index).await, 0);
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
    assert_eq!(entry_value(&s, &list, index).await, 2, "0x2 revoked");
    assert_eq!(
        (legacy_bit(&s, "revocation", index).await, legacy_bit(&s, "suspension", index).await),
        (1, 0)
    );
    assert_eq!(certificate(&s, &id).await["status"], "revoked");

    let out = verify_cli(&s, &path, &did).await;
    assert!(!out.status.success());
    assert!(output_text(&out).contains("status list says: revoked"), "{}", output_text(&out));
}

#[tokio::test]
async fn a_suspended_credential_fails_verification_until_it_is_reinstated() {
    let s = TestServer::start("course-ok").await;
    let (alice, id) = certify_alice(&s).await;
    let (_, cred) = alice.get(&format!("/api/certificates/{id}/credential")).await;
    let (list, index) = status_entry(&cred);
    let (_, issuer) = s.anonymous().get("/api/issuer").await;
    let did = issuer["id"].as_str().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cred.json");
    std::fs::write(&path, cred.to_string()).unwrap();

    let root = s.login("root").await;
    let (code, _) = root.post_json("/api/admin/certificates/suspend", &json!({ "ids": [id] })).await;
    assert_eq!(code, 422, "a reason is required");
    let (code, r) = root
        .post_json("/api/admin/certificates/suspend", &json!({ "ids": [id], "reason": "违纪调查中" }))
        .await;
    assert_eq!((code, r["changed"].as_i64()), (200, Some(1)), "{r}");
    assert_eq!(entry_value(&s, &list, index).await, 1, "0x1 suspended");
    assert_eq!(
        (legacy_bit(&s, "revocation", index).await, legacy_bit(&s, "suspension", index).await),
        (0, 1)
    );
    assert_eq!(certificate(&s, &id).await["status"], "suspended");
    assert!(verify_page(&s, &id).await.contains("证书已暂停"));
    let out = verify_cli(&s, &path, &did).await;
    assert!(!out.status.success());
    assert!(output_text(&out).contains("status list says: suspended"), "{}", output_text(&out));

    let (code, _) = root.post_json("/api/admin/certificates/reinstate", &json!({ "ids": [id] })).await;
    assert_eq!(code, 200);
    assert_eq!(entry_value(&s, &list, index).await, 0);
    assert_eq!(certificate(&s, &id).await["status"], "valid");
    let out = verify_cli(&s, &path, &did).await;
    assert!(out.status.success(), "{}", output_text(&out));
    assert!(output_text(&out).contains("status: valid"), "{}", output_text(&out));
    // Revoked while suspended reads revoked: revocation is final.
    root.post_json("/api/admin/certificates/suspend", &json!({ "ids": [id], "reason": "再次调查" }))
        .await;
    root.post_json("/api/admin/certificates/revoke", &json!({ "ids": [id], "reason": "查实" }))
        .await;
    assert_eq!(entry_value(&s, &list, index).await, 2);
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
    assert!(
        actions.contains(&"reinstate-certificate") && actions.contains(&"suspend-certificate"),
        "{actions:?}"
    );
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
        link.contains(&certbook::app::views::percent_encode(&s.url(&format!("/verify/{id}")))),
        "{link}"
    );
}
