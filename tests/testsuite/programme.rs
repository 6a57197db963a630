//! Running certification as a programme: HR's CSV import of earlier certificates,
//! the expiry list, a zip of PDFs, expiry reminders on the pages and by email (to a
//! local SMTP sink), and personal information: a learner's export and an admin's erasure.

use crate::harness::{TestServer, certify_alice};
use base64::Engine;
use certbook::store::Table;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const DAY: i64 = 86_400_000;

async fn user_id(s: &TestServer, name: &str) -> i64 {
    s.login(name).await.get("/api/me").await.1["user"]["id"].as_i64().unwrap()
}

async fn import(s: &TestServer, who: &str, csv: &str) -> (u16, Value) {
    s.login(who).await.post_raw("/api/hr/certificates/import", "text/csv", csv).await
}

async fn transcript(s: &TestServer, id: i64) -> Value {
    let (code, t) = s.login("hana").await.get(&format!("/api/hr/learners/{id}/transcript")).await;
    assert_eq!(code, 200, "{t}");
    t
}

#[tokio::test]
async fn a_csv_with_one_bad_row_imports_nothing_and_a_good_one_imports_every_row_marked_imported() {
    let s = TestServer::start("course-ok").await;
    let (alice, bob) = (user_id(&s, "alice").await, user_id(&s, "bob").await);
    let bad = "learner,level,issued,expires,note\n\
               alice,basic,2025-03-01,,旧系统 2025 春季批次\n\
               bob,演示高级,2024-06-30,2030-06-30,纸质证书扫描件\n\
               nobody,basic,2025-03-01,,\n";
    let (code, r) = import(&s, "hana", bad).await;
    assert_eq!(code, 422, "{r}");
    assert_eq!(r["rows"], json!([{ "line": 4, "reason": "没有学员账号「nobody」" }]), "{r}");
    assert_eq!(r["code"], "certops_import_refused", "{r}");
    assert_eq!(transcript(&s, alice).await["certificates"], json!([]), "nothing imported");
    assert_eq!(transcript(&s, bob).await["certificates"], json!([]), "nothing imported");

    // Format errors are all reported, each with its line.
    let (code, r) = import(
        &s,
        "hana",
        "learner,level,issued,expires,note\nalice,master,2025-03-01,,\nbob,basic,2025/03/01,,\n",
    )
    .await;
    assert_eq!(code, 422);
    let lines: Vec<i64> = r["rows"].as_array().unwrap().iter().map(|e| e["line"].as_i64().unwrap()).collect();
    assert_eq!(lines, vec![2, 3], "{r}");

    // Learners and instructors cannot import.
    assert_eq!(import(&s, "alice", bad).await.0, 403);
    assert_eq!(import(&s, "ivy", bad).await.0, 403);

    let good = bad.lines().take(3).collect::<Vec<_>>().join("\n");
    let (code, r) = import(&s, "hana", &good).await;
    assert_eq!(code, 200, "{r}");
    assert_eq!(r["imported"], 2);
    let ids: Vec<String> = r["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let (_, c) = s.anonymous().get(&format!("/api/certificates/{}", ids[0])).await;
    assert_eq!(
        (c["holder"].as_str(), c["level"].as_str(), c["imported"].as_bool()),
        (Some("alice"), Some("basic"), Some(true))
    );
    // No expiry given: the level's 12 months from the issue date.
    let issued = c["issued_at"].as_i64().unwrap();
    assert_eq!(c["valid_until"].as_i64(), Some(certbook::certify::validity::add_months(issued, 12)));
    assert_eq!(certbook::certify::validity::day(issued), "2025-03-01");
    let (_, c) = s.anonymous().get(&format!("/api/certificates/{}", ids[1])).await;
    assert_eq!((c["level"].as_str(), c["status"].as_str()), (Some("advanced"), Some("valid")));
    assert_eq!(certbook::certify::validity::day(c["valid_until"].as_i64().unwrap()), "2030-06-30");
    // The evidence says it was imported, with the note.
    let t = transcript(&s, alice).await;
    assert_eq!(t["certificates"][0]["imported"], true);
    let credential = s
        .login("alice")
        .await
        .get(&format!("/api/certificates/{}/credential", ids[0]))
        .await;
    assert_eq!(credential.0, 200);

    // The same rows again: both learners hold the levels now, so nothing is imported.
    let (code, r) = import(&s, "hana", &good).await;
    assert_eq!(code, 422);
    assert_eq!(r["rows"].as_array().unwrap().len(), 2, "{r}");
    assert!(r["rows"][0]["reason"].as_str().unwrap().contains(&ids[0]), "{r}");

    // The page form reports the same way, without script.
    let hana = s.login("hana").await;
    let page = hana
        .http
        .post(s.url("/hr/certificates/import"))
        .form(&[
            ("csrf", hana.csrf.as_str()),
            ("csv", "learner,level,issued\nbob,basic,2099-01-01\n"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 422);
    let html = page.text().await.unwrap();
    assert!(html.contains("第 2 行") && html.contains("未导入任何证书"), "{html}");
}

#[tokio::test]
async fn hr_sees_upcoming_and_recent_expiries_with_filters_and_downloads_the_pdfs_in_one_zip() {
    let s = TestServer::start("course-ok").await;
    let (_, alice_cert) = certify_alice(&s).await;
    // Now is 2027-01-15; bob's imported certificate expires on 2027-02-01, in 17 days.
    let (code, r) = import(&s, "hana", "learner,level,issued,expires,note\nbob,basic,2026-02-01,,\n").await;
    assert_eq!(code, 200, "{r}");
    let bob_cert = r["ids"][0].as_str().unwrap().to_string();
    s.store.set_user_cohort_blocking("bob", "2026春").unwrap();
    let hana = s.login("hana").await;
    // Logs in afresh each time: sessions last a week and the clock moves by months.
    let list = |q: &'static str| {
        let s = &s;
        async move {
            let (code, r) = s.login("hana").await.get(&format!("/api/hr/expiries{q}")).await;
            assert_eq!(code, 200, "{q}: {r}");
            r["certificates"].as_array().unwrap().clone()
        }
    };
    let soon = list("").await;
    assert_eq!(soon.len(), 1, "only bob's expires within 90 days: {soon:?}");
    assert_eq!(
        (soon[0]["id"].as_str(), soon[0]["days_left"].as_i64()),
        (Some(bob_cert.as_str()), Some(16))
    );
    let year = list("?ahead=400").await;
    assert_eq!(
        year.iter().map(|c| c["id"].as_str().unwrap()).collect::<Vec<_>>(),
        vec![bob_cert.as_str(), alice_cert.as_str()]
    );
    assert_eq!(list("?ahead=400&cohort=2026%E6%98%A5").await.len(), 1);
    assert_eq!(list("?ahead=400&level=advanced").await.len(), 0);
    assert_eq!(hana.get("/api/hr/expiries?ahead=99999").await.0, 400);
    assert_eq!(s.login("alice").await.get("/api/hr/expiries").await.0, 403);

    // A month on, bob's has expired: it shows as recently expired, until outside `past`.
    s.clock.advance(30 * DAY);
    let hana = s.login("hana").await;
    let recent = list("").await;
    assert_eq!(
        (recent[0]["status"].as_str(), recent[0]["days_left"].as_i64()),
        (Some("expired"), Some(-14))
    );
    assert_eq!(list("?past=7").await.len(), 0);
    let page = hana.http.get(s.url("/hr/certificates")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&bob_cert) && page.contains("已过期"), "{page}");

    // The zip holds one PDF per certificate that is not revoked.
    let r = hana.http.get(s.url("/api/hr/certificates.zip")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/zip");
    let bytes = r.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut names: Vec<String> = zip.file_names().map(String::from).collect();
    names.sort();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.iter().any(|n| n.starts_with(&alice_cert)) && names.iter().any(|n| n.starts_with(&bob_cert)));
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        assert_eq!(f.last_modified().map(|d| d.year()), Some(2027), "dated by the server's clock");
        let mut pdf = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut pdf).unwrap();
        assert!(pdf.starts_with(b"%PDF-"), "{}", f.name());
    }
    let (code, _) = s
        .login("root")
        .await
        .post_json("/api/admin/certificates/revoke", &json!({ "ids": [bob_cert], "reason": "离职" }))
        .await;
    assert_eq!(code, 200);
    let bytes = hana
        .http
        .get(s.url("/api/hr/certificates.zip"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap().len(), 1);
    assert_eq!(hana.get("/api/hr/certificates.zip?level=advanced").await.0, 404);
    assert_eq!(s.login("ivy").await.get("/api/hr/certificates.zip").await.0, 403);
}

/// A minimal SMTP server that keeps every message it is given.
pub(crate) async fn smtp_sink() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let messages = Arc::new(Mutex::new(Vec::new()));
    let kept = messages.clone();
    tokio::spawn(async move {
        while let Ok((conn, _)) = listener.accept().await {
            let kept = kept.clone();
            tokio::spawn(async move {
                let (r, mut w) = conn.into_split();
                let mut lines = BufReader::new(r).lines();
                w.write_all(b"220 sink ESMTP\r\n").await.unwrap();
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(buf) = data.as_mut() {
                        if line == "." {
                            kept.lock().unwrap().push(std::mem::take(buf));
                            data = None;
                            w.write_all(b"250 OK queued\r\n").await.unwrap();
                        } else {
                            buf.push_str(&line);
                            buf.push('\n');
                        }
                        continue;
                    }
                    let cmd = line.to_ascii_uppercase();
                    let reply: &[u8] = if cmd.starts_with("EHLO") {
                        b"250-sink\r\n250 8BITMIME\r\n"
                    } else if cmd.starts_with("DATA") {
                        data = Some(String::new());
                        b"354 go ahead\r\n"
                    } else if cmd.starts_with("QUIT") {
                        let _ = w.write_all(b"221 bye\r\n").await;
                        break;
                    } else {
                        b"250 OK\r\n"
                    };
                    w.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, messages)
}

/// The subject and body of a message lettre sent (base64 text, encoded-word subject).
fn decode(message: &str) -> (String, String, String) {
    let b64 = base64::engine::general_purpose::STANDARD;
    let (head, body) = message.split_once("\n\n").unwrap();
    let header = |name: &str| {
        let mut out = String::new();
        let mut on = false;
        for l in head.lines() {
            if l.to_ascii_lowercase().starts_with(&format!("{}:", name.to_ascii_lowercase())) {
                on = true;
                out.push_str(&l[name.len() + 1..]);
            } else if on && l.starts_with([' ', '\t']) {
                out.push_str(l);
            } else {
                on = false;
            }
        }
        out
    };
    let mut subject = Vec::new();
    for word in header("Subject").split_whitespace() {
        let inner = word
            .trim_start_matches("=?utf-8?b?")
            .trim_start_matches("=?UTF-8?B?")
            .trim_end_matches("?=");
        subject.extend(b64.decode(inner).unwrap_or_else(|_| word.as_bytes().to_vec()));
    }
    let body: String = body.lines().collect();
    let body = String::from_utf8(b64.decode(body.trim()).unwrap()).unwrap();
    (header("To"), String::from_utf8(subject).unwrap(), body)
}

#[tokio::test]
async fn reminders_show_on_the_learners_pages_and_go_out_by_email_once_per_expiry_date() {
    let (port, sink) = smtp_sink().await;
    let s = TestServer::start_with("course-ok", |state| {
        let m = certbook::mail::Mailer::new(&format!("smtp://127.0.0.1:{port}"), "测试学院 <noreply@test.local>").unwrap();
        state.mailer = Some(Arc::new(m));
    })
    .await;
    s.store.set_user_contact_blocking("alice", "alice@example.com").unwrap();
    let (_, cert) = certify_alice(&s).await;
    // Logs in afresh each time: sessions last a week and the clock moves by months.
    let run = || async { s.login("root").await.post_json("/api/admin/reminders/run", &json!({})).await };
    let (code, r) = run().await;
    assert_eq!(code, 200, "{r}");
    assert_eq!(
        (r["sent"].as_i64(), r["smtp"].as_bool()),
        (Some(0), Some(true)),
        "the window is not open yet"
    );
    assert_eq!(s.login("alice").await.get("/api/me").await.1["reminders"], json!([]));

    // 30 days before expiry the renewal window opens: one email, and a notice on her pages.
    let (_, c) = s.anonymous().get(&format!("/api/certificates/{cert}")).await;
    let until = c["valid_until"].as_i64().unwrap();
    s.clock.advance(until - 29 * DAY - s.clock.now_ms());
    let (_, r) = run().await;
    assert_eq!(r["sent"], 1, "{r}");
    let sent = sink.lock().unwrap().clone();
    assert_eq!(sent.len(), 1);
    let (to, subject, body) = decode(&sent[0]);
    assert!(to.contains("alice@example.com"), "{to}");
    let day = certbook::certify::validity::day(until);
    assert!(subject.contains("演示初级") && subject.contains(&day), "{subject}");
    assert!(
        body.contains(&cert) && body.contains("还剩 29 天") && body.contains("/account"),
        "{body}"
    );
    assert!(body.contains("续证要求"), "the email says what renews it: {body}");

    // Once per expiry date, however often the job runs.
    assert_eq!(run().await.1["sent"], 0);
    assert_eq!(sink.lock().unwrap().len(), 1);

    let alice = s.login("alice").await;
    let me = alice.get("/api/me").await.1;
    assert_eq!(me["reminders"][0]["certificate"], cert.as_str());
    assert_eq!(me["reminders"][0]["days_left"], 29);
    let page = alice.http.get(s.url("/account")).send().await.unwrap().text().await.unwrap();
    assert!(
        page.contains(&format!("data-reminder=\"{cert}\"")) && page.contains("还剩 29 天"),
        "{page}"
    );
    // Bob holds nothing: no reminder for him.
    assert_eq!(s.login("bob").await.get("/api/me").await.1["reminders"], json!([]));
    // Only admins run the job.
    assert_eq!(s.login("hana").await.post_json("/api/admin/reminders/run", &json!({})).await.0, 403);

    // Renewing moves the expiry date; the next window brings a new reminder.
    s.clock.advance(DAY);
    let alice = s.login("alice").await;
    let (_, at) = alice.start("short").await;
    alice
        .submit(at["id"].as_str().unwrap(), json!({ "q1": "B", "q2": true, "q3": "留存率" }))
        .await;
    alice.get("/api/progress").await;
    let (_, c) = s.anonymous().get(&format!("/api/certificates/{cert}")).await;
    let renewed = c["valid_until"].as_i64().unwrap();
    assert!(renewed > until, "renewed");
    assert_eq!(
        alice.get("/api/me").await.1["reminders"],
        json!([]),
        "nothing to remind of after renewal"
    );
    s.clock.advance(renewed - 10 * DAY - s.clock.now_ms());
    assert_eq!(run().await.1["sent"], 1);
    assert_eq!(sink.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_learner_downloads_all_their_data_and_none_of_anyone_elses() {
    let s = TestServer::start("course-ok").await;
    let (alice, cert) = certify_alice(&s).await;
    alice
        .post_json(
            "/api/exercises/ex-demo/submission",
            &json!({ "body": "爱丽丝的练习答案，足够长。" }),
        )
        .await;
    let bob = s.login("bob").await;
    bob.post_json("/api/lessons/demo-browser/read", &json!({})).await;
    let (_, at) = bob.start("short").await;
    let bob_attempt = at["id"].as_str().unwrap().to_string();
    bob.submit(&bob_attempt, json!({ "q1": "A", "q2": false, "q3": "鲍勃的答案" }))
        .await;
    bob.post_json(
        "/api/exercises/ex-demo/submission",
        &json!({ "body": "鲍勃的练习答案，也足够长。" }),
    )
    .await;

    let r = alice.http.get(s.url("/api/me/export")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
    let text = r.text().await.unwrap();
    let data: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(data["account"]["username"], "alice");
    // Every record of hers, compared with what the store holds.
    let alice_id = data["account"]["id"].as_i64().unwrap();
    let count = |table: Table| s.store.count_rows_of_blocking(table, alice_id).unwrap() as usize;
    assert_eq!(alice_id, user_id(&s, "alice").await);
    for (key, table) in [
        ("attempts", Table::Attempts),
        ("runs", Table::Runs),
        ("submissions", Table::Submissions),
        ("lesson_reads", Table::LessonReads),
        ("certificates", Table::Certificates),
        ("best_scores", Table::BestScores),
    ] {
        let n = count(table);
        assert!(n > 0, "alice has {key}");
        assert_eq!(data[key].as_array().unwrap().len(), n, "{key}");
    }
    assert_eq!(data["certificates"][0]["id"], cert.as_str());
    assert!(data["submissions"][0]["body"].as_str().unwrap().contains("爱丽丝"));
    assert!(data["attempts"][0]["answers"].is_object(), "answers are embedded as JSON");
    // Nothing of bob's.
    assert!(
        !text.contains(&bob_attempt) && !text.contains("鲍勃") && !text.contains("\"bob\""),
        "{text}"
    );
    assert!(!text.contains("token_hash") && !text.contains("password"), "no credentials");

    assert_eq!(s.anonymous().get("/api/me/export").await.0, 401);
    let (_, audit) = s.login("root").await.get("/api/admin/audit").await;
    assert_eq!(audit["entries"][0]["action"], "export-personal-data");
}

#[tokio::test]
async fn an_admin_erases_a_learner_whose_certificate_still_verifies_and_the_erasure_is_logged() {
    let s = TestServer::start("course-ok").await;
    let (alice, cert) = certify_alice(&s).await;
    let alice_id = user_id(&s, "alice").await;
    let hana = s.login("hana").await;
    let learners_before = hana.get("/api/hr/dashboard").await.1["learners"].as_i64().unwrap();
    assert_eq!(
        hana.post_json(&format!("/api/admin/users/{alice_id}/erase"), &json!({})).await.0,
        403,
        "HR cannot erase"
    );

    let root = s.login("root").await;
    let (code, r) = root.post_json(&format!("/api/admin/users/{alice_id}/erase"), &json!({})).await;
    assert_eq!(code, 200, "{r}");
    assert_eq!(
        (r["attempts"].as_i64(), r["runs"].as_i64(), r["certificates_kept"].as_i64()),
        (Some(1), Some(1), Some(1))
    );

    // She is logged out everywhere and cannot log in.
    assert_eq!(alice.get("/api/me").await.0, 401);
    let (code, _) = s
        .anonymous()
        .post_json("/api/login", &json!({ "username": "alice", "password": crate::harness::PASSWORD }))
        .await;
    assert_eq!(code, 401);
    // Her records are gone; her certificate keeps what a verifier needs.
    let t = transcript(&s, alice_id).await;
    assert_eq!(
        (t["quizzes"].as_array().unwrap().len(), t["runs"].as_array().unwrap().len()),
        (0, 0)
    );
    assert_eq!(t["user"]["display_name"], "已删除用户");
    let (code, c) = s.anonymous().get(&format!("/api/certificates/{cert}")).await;
    assert_eq!(code, 200);
    assert_eq!((c["holder"].as_str(), c["status"].as_str()), (Some("alice"), Some("valid")));
    let page = reqwest::get(s.url(&format!("/verify/{cert}"))).await.unwrap().text().await.unwrap();
    assert!(page.contains("data-status=\"valid\""));
    let evidence = s.store.certificate(cert.clone()).await.unwrap().unwrap().evidence;
    assert!(!evidence.contains("requirements"), "evidence emptied: {evidence}");
    // HR's figures no longer count her.
    assert_eq!(
        hana.get("/api/hr/dashboard").await.1["learners"].as_i64().unwrap(),
        learners_before - 1
    );

    let (_, audit) = root.get("/api/admin/audit").await;
    let e = &audit["entries"][0];
    assert_eq!(
        (e["action"].as_str(), e["actor"].as_str()),
        (Some("erase-personal-data"), Some("root"))
    );
    assert_eq!(e["target"], format!("user:{alice_id}"));
    assert_eq!(
        root.post_json(&format!("/api/admin/users/{alice_id}/erase"), &json!({})).await.0,
        404
    );
    let ivy = user_id(&s, "ivy").await;
    assert_eq!(root.post_json(&format!("/api/admin/users/{ivy}/erase"), &json!({})).await.0, 422);
}
