//! Certification over HTTP: open exercises and grading, automatic certificates,
//! public verification, signed credentials and revocation.

use crate::harness::{Client, TestServer, certbook_verify, certify_alice, output_text};
use serde_json::{Value, json};

async fn pass_short_quiz(c: &Client) -> (u16, Value) {
    let (_, a) = c.start("short").await;
    let id = a["id"].as_str().unwrap().to_string();
    c.submit(&id, json!({ "q1": "B", "q2": true, "q3": "留存率" })).await
}

async fn play_tiny(c: &Client) -> (String, u32) {
    let (_, run) = c.post_json("/api/scenarios/tiny/runs", &json!({})).await;
    let id = run["id"].as_str().unwrap().to_string();
    let r = c
        .post_json(
            &format!("/api/runs/{id}/rounds"),
            &json!({ "round": 1, "decisions": { "spend": { "a": 50, "b": 10 }, "plan": "safe" } }),
        )
        .await;
    assert_eq!(r.0, 200, "{}", r.1);
    (id, 2)
}

async fn certificates(s: &TestServer) -> i64 {
    s.store.count_rows_blocking(certbook::store::Table::Certificates).unwrap()
}

#[tokio::test]
async fn meeting_a_level_issues_exactly_one_certificate_even_when_the_last_items_arrive_together() {
    let s = TestServer::start("course-ok").await;
    let alice = s.login("alice").await;
    let (code, p) = alice.get("/api/progress").await;
    assert_eq!(code, 200);
    assert_eq!(p["levels"][0]["met"], false);
    assert_eq!(alice.post_json("/api/lessons/demo-browser/read", &json!({})).await.0, 200);
    let (run, round) = play_tiny(&alice).await;
    let (_, attempt) = alice.start("short").await;
    let attempt = attempt["id"].as_str().unwrap().to_string();
    // The quiz and the last sandbox round complete the level at the same moment.
    let last_round = json!({ "round": round, "decisions": { "spend": { "a": 0, "b": 0 }, "plan": "safe" } });
    let round_path = format!("/api/runs/{run}/rounds");
    let (quiz, sandbox) = tokio::join!(
        alice.submit(&attempt, json!({ "q1": "B", "q2": true, "q3": "留存率" })),
        alice.post_json(&round_path, &last_round)
    );
    assert_eq!((quiz.0, sandbox.0), (200, 200), "{} {}", quiz.1, sandbox.1);
    let issued = quiz.1["certificates_issued"].as_array().unwrap().len() + sandbox.1["certificates_issued"].as_array().unwrap().len();
    assert_eq!(issued, 1, "one response announces the certificate");
    assert_eq!(certificates(&s).await, 1);
    // Repeating anything issues nothing more.
    pass_short_quiz(&alice).await;
    let (_, p) = alice.get("/api/progress").await;
    assert_eq!(certificates(&s).await, 1);
    assert_eq!(
        (p["levels"][0]["held"].as_bool(), p["levels"][1]["met"].as_bool()),
        (Some(true), Some(false))
    );
    let cert = &p["certificates"][0];
    assert_eq!((cert["level"].as_str(), cert["status"].as_str()), (Some("basic"), Some("valid")));
    // Bob has done nothing and holds nothing.
    let (_, bp) = s.login("bob").await.get("/api/progress").await;
    assert_eq!(bp["certificates"], json!([]));
}

#[tokio::test]
async fn a_certificate_due_but_not_issued_is_shown_by_progress_and_issued_by_the_sweep_not_by_a_read() {
    let s = TestServer::start("course-ok").await;
    let alice = s.login("alice").await;
    alice.post_json("/api/lessons/demo-browser/read", &json!({})).await;
    let (run, round) = play_tiny(&alice).await;
    let last_round = json!({ "round": round, "decisions": { "spend": { "a": 0, "b": 0 }, "plan": "safe" } });
    alice.post_json(&format!("/api/runs/{run}/rounds"), &last_round).await;
    pass_short_quiz(&alice).await;
    // Simulate a crash between the last grade and the certificate: the record is gone.
    s.store.forget_certificates_blocking(None).unwrap();
    assert_eq!(certificates(&s).await, 0);
    // Reading progress writes nothing: it shows the level met, with no certificate yet.
    let (_, p) = alice.get("/api/progress").await;
    assert_eq!(p["certificates"], json!([]), "{p}");
    let basic = p["levels"].as_array().unwrap().iter().find(|l| l["level"] == "basic").unwrap();
    assert_eq!((basic["met"].as_bool(), basic["held"].as_bool()), (Some(true), Some(false)), "{p}");
    assert_eq!(certificates(&s).await, 0);
    // The sweep (at start-up and after a course reload) issues it, once.
    certbook::app::certification::certify_everyone(&s.state.ctx()).await;
    certbook::app::certification::certify_everyone(&s.state.ctx()).await;
    assert_eq!(certificates(&s).await, 1);
    let (_, p) = alice.get("/api/progress").await;
    assert_eq!(p["certificates"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn anyone_can_verify_a_certificate_and_a_revoked_one_shows_as_revoked() {
    let s = TestServer::start("course-ok").await;
    let (alice, id) = certify_alice(&s).await;
    let anon = s.anonymous();
    let page = anon.http.get(s.url(&format!("/verify/{id}"))).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("✓ 有效证书") && html.contains("alice") && html.contains("演示初级"),
        "{html}"
    );
    assert!(
        !html.contains("evaluated_at") && !html.contains("demo-browser") && !html.contains("三道小题"),
        "no evidence or private data"
    );
    assert_eq!(
        anon.http.get(s.url("/verify/CB-NOPE-NOPE-NOPE")).send().await.unwrap().status(),
        404
    );
    let (code, public) = anon.get(&format!("/api/certificates/{id}")).await;
    assert_eq!((code, public["status"].as_str()), (200, Some("valid")));
    assert!(public.get("evidence").is_none() && public.get("user_id").is_none());

    // Only an admin revokes, and only with a reason.
    let path = format!("/api/admin/certificates/{id}/revoke");
    assert_eq!(alice.post_json(&path, &json!({ "reason": "x" })).await.0, 403);
    assert_eq!(s.login("hana").await.post_json(&path, &json!({ "reason": "x" })).await.0, 403);
    let root = s.login("root").await;
    assert_eq!(root.post_json(&path, &json!({ "reason": "  " })).await.0, 422);
    let (code, r) = root.post_json(&path, &json!({ "reason": "考试作弊" })).await;
    assert_eq!((code, r["status"].as_str()), (200, Some("revoked")));
    let html = anon
        .http
        .get(s.url(&format!("/verify/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("证书已撤销") && !html.contains("✓ 有效证书"), "{html}");
    assert_eq!(
        alice.get(&format!("/api/certificates/{id}/credential")).await.0,
        409,
        "no credential for a revoked certificate"
    );
}

#[tokio::test]
async fn the_signed_credential_verifies_offline_and_an_edited_or_forged_one_fails() {
    let s = TestServer::start("course-ok").await;
    let (alice, id) = certify_alice(&s).await;
    let (code, cred) = alice.get(&format!("/api/certificates/{id}/credential")).await;
    assert_eq!(code, 200);
    assert_eq!(cred["type"], json!(["VerifiableCredential", "OpenBadgeCredential"]));
    // One proof in a set (the 1EdTech schema's shape), carrying the document's context.
    assert_eq!(cred["proof"][0]["cryptosuite"], "eddsa-jcs-2022");
    assert_eq!(cred["proof"][0]["@context"], cred["@context"]);
    // What the level asks, in the course's language, without anyone's progress.
    assert_eq!(
        cred["credentialSubject"]["achievement"]["criteria"]["narrative"],
        "读完「浏览器测验」；测验「三道小题」≥ 60%；沙盘「小沙盘」≥ 1 分"
    );
    assert_eq!(s.login("bob").await.get(&format!("/api/certificates/{id}/credential")).await.0, 404);
    let (_, issuer) = s.anonymous().get("/api/issuer").await;
    let did = issuer["id"].as_str().unwrap().to_string();
    assert_eq!(cred["issuer"]["id"], did.as_str());
    // The holder is bound by a salted hash of a learner URN (alice has no email address).
    let ids = cred["credentialSubject"]["identifier"].as_array().unwrap();
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_eq!(
        (ids[0]["identityType"].as_str(), ids[0]["hashed"].as_bool()),
        (Some("systemId"), Some(true))
    );
    assert!(ids[0]["identityHash"].as_str().unwrap().starts_with("sha256$"));

    let dir = tempfile::tempdir().unwrap();
    let verify = |name: &str, v: &Value, args: &'static [&'static str]| {
        let path = dir.path().join(name);
        std::fs::write(&path, serde_json::to_string_pretty(v).unwrap()).unwrap();
        let did = did.clone();
        let s = &s;
        async move {
            let mut all = vec!["--issuer", did.as_str()];
            all.extend_from_slice(args);
            certbook_verify(s, &path, &all).await
        }
    };
    let ok = verify("good.json", &cred, &[]).await;
    assert!(ok.status.success(), "{}", output_text(&ok));
    let text = output_text(&ok);
    assert!(
        text.contains("演示初级") && text.contains("checked: signature (eddsa-jcs-2022), issuer pinned, dates, status"),
        "{text}"
    );
    assert!(!text.contains("skipped"), "{text}");

    let mut edited = cred.clone();
    edited["credentialSubject"]["name"] = json!("mallory");
    let out = verify("edited.json", &edited, &[]).await;
    assert!(!out.status.success());
    assert!(output_text(&out).contains("does not match"));

    // Re-signed with a key of the forger's own: the signature is fine, the issuer is not.
    let forger = certbook::certify::credential::Issuer::from_seed(&[42u8; 32]).unwrap();
    let mut unsigned = cred.clone();
    unsigned.as_object_mut().unwrap().remove("proof");
    unsigned["issuer"]["id"] = json!(forger.did);
    let forged = forger.sign_in_set(unsigned, "2026-01-01T00:00:00Z");
    let out = verify("forged.json", &forged, &[]).await;
    assert!(!out.status.success());
    assert!(output_text(&out).contains("expected issuer"));
}

#[tokio::test]
async fn an_instructor_grades_an_exercise_on_the_rubric_and_the_learner_sees_the_feedback() {
    let s = TestServer::start("course-ok").await;
    let alice = s.login("alice").await;
    let (code, ex) = alice.get("/api/exercises/ex-demo").await;
    assert_eq!((code, &ex["submission"]), (200, &Value::Null));
    let path = "/api/exercises/ex-demo/submission";
    assert_eq!(alice.post_json(path, &json!({ "body": "太短" })).await.0, 422);
    let first = "<script>alert(1)</script> 目标：拉新一千人；结果：达成八成；下一步：优化渠道。";
    let (code, sub) = alice.post_json(path, &json!({ "body": first })).await;
    assert_eq!((code, sub["revision"].as_u64()), (200, Some(1)));
    let (code, sub) = alice
        .post_json(path, &json!({ "body": format!("{first} 补充：预算超支一成。") }))
        .await;
    assert_eq!(
        (code, sub["revision"].as_u64(), sub["status"].as_str()),
        (200, Some(2), Some("submitted"))
    );

    // Only instructors (and admins) see the queue.
    assert_eq!(alice.get("/api/instructor/submissions").await.0, 403);
    assert_eq!(s.login("hana").await.get("/api/instructor/submissions").await.0, 403);
    let ivy = s.login("ivy").await;
    let (_, q) = ivy.get("/api/instructor/submissions").await;
    assert_eq!(q["submissions"].as_array().unwrap().len(), 1);
    let sid = q["submissions"][0]["id"].as_str().unwrap().to_string();

    // The grading page shows the learner's text escaped, never as markup.
    let page = ivy
        .http
        .get(s.url(&format!("/instructor/grading/{sid}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !page.contains("<script>alert(1)"),
        "{page}"
    );

    let grade = format!("/api/instructor/submissions/{sid}/grade");
    let bad = json!({ "scores": { "knowledge": 80, "problem_solving": 101, "innovation": 70, "teamwork": 70, "communication": 70 } });
    assert_eq!(ivy.post_json(&grade, &bad).await.0, 422);
    assert_eq!(alice.post_json(&grade, &bad).await.0, 403);
    let scores = json!({ "knowledge": 80, "problem_solving": 90, "innovation": 60, "teamwork": 70, "communication": 100 });
    let (code, graded) = ivy
        .post_json(&grade, &json!({ "scores": scores, "feedback": "结构清楚，下次把预算数字写具体。" }))
        .await;
    assert_eq!(code, 200, "{graded}");
    // Equal weights (the fixture has no rubric file): (80+90+60+70+100)/5 = 80.
    assert_eq!(graded["total"].as_f64(), Some(80.0));
    // Graded work is final for the learner, and the feedback reaches them.
    assert_eq!(alice.post_json(path, &json!({ "body": "我想再改一下这一份答案。" })).await.0, 409);
    let (_, ex) = alice.get("/api/exercises/ex-demo").await;
    assert_eq!(ex["submission"]["feedback"], "结构清楚，下次把预算数字写具体。");
    assert_eq!(ex["submission"]["dimensions"][4]["score"].as_f64(), Some(100.0));
    assert!(
        ivy.get("/api/instructor/submissions").await.1["submissions"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn the_grading_form_works_without_script_and_needs_the_csrf_token() {
    let s = TestServer::start("course-ok").await;
    let alice = s.login("alice").await;
    alice
        .post_json(
            "/api/exercises/ex-demo/submission",
            &json!({ "body": "目标、结果与下一步都写在这里了。" }),
        )
        .await;
    let ivy = s.login("ivy").await;
    let queue = ivy
        .http
        .get(s.url("/instructor/grading"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(queue.contains("写一段复盘") && queue.contains("alice"), "{queue}");
    let sid = ivy.get("/api/instructor/submissions").await.1["submissions"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let url = s.url(&format!("/instructor/grading/{sid}"));
    let mut form = vec![
        ("knowledge", "70"),
        ("problem_solving", "70"),
        ("innovation", "70"),
        ("teamwork", "70"),
        ("communication", "70"),
        ("feedback", "好"),
    ];
    let no_csrf = ivy.http.post(&url).form(&form).send().await.unwrap();
    assert_eq!(no_csrf.status(), 403);
    form.push(("csrf", ivy.csrf.as_str()));
    let r = ivy.http.post(&url).form(&form).send().await.unwrap();
    assert!(r.status().is_success() || r.status().is_redirection(), "{}", r.status());
    let (_, ex) = alice.get("/api/exercises/ex-demo").await;
    assert_eq!(
        (ex["submission"]["status"].as_str(), ex["submission"]["total"].as_f64()),
        (Some("graded"), Some(70.0))
    );
    // A learner is refused the page; a visitor is sent to log in.
    assert_eq!(alice.http.get(&url).send().await.unwrap().status(), 403);
}

#[tokio::test]
async fn item_analysis_reports_each_questions_facility_and_choices_to_instructors_only() {
    let s = TestServer::start("course-ok").await;
    let alice = s.login("alice").await;
    let bob = s.login("bob").await;
    let (_, a) = alice.start("short").await;
    alice
        .submit(a["id"].as_str().unwrap(), json!({ "q1": "B", "q2": true, "q3": "留存率" }))
        .await;
    let (_, b) = bob.start("short").await;
    bob.submit(b["id"].as_str().unwrap(), json!({ "q1": "A", "q2": true, "q3": "转化率" }))
        .await;
    assert_eq!(alice.get("/api/instructor/quizzes/short/analysis").await.0, 403);
    let (code, r) = s.login("ivy").await.get("/api/instructor/quizzes/short/analysis").await;
    assert_eq!(code, 200);
    assert_eq!(r["attempts"], 2);
    let q1 = &r["questions"][0];
    assert_eq!((q1["facility"].as_f64(), q1["discrimination"].as_f64()), (Some(0.5), Some(1.0)));
    assert_eq!(
        (q1["options"][0]["share"].as_f64(), q1["options"][1]["share"].as_f64()),
        (Some(0.5), Some(0.5))
    );
    assert_eq!(r["questions"][1]["facility"].as_f64(), Some(1.0));
    assert_eq!(r["questions"][2]["facility"].as_f64(), Some(0.5));
    let page = s
        .login("ivy")
        .await
        .http
        .get(s.url("/instructor/analysis/short"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("ROI 的计算公式是？") && page.contains("区分度 1"), "{page}");
    assert_eq!(alice.http.get(s.url("/instructor/analysis")).send().await.unwrap().status(), 403);
}
