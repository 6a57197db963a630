//! The HR view: cohort figures, filters, streamed CSV exports that round-trip,
//! CSV import that is all or nothing, and the role table for every route.

use crate::harness::{Client, TestServer, certify_alice};
use serde_json::{Value, json};

async fn csv_rows(c: &Client, s: &TestServer, path: &str) -> (String, Vec<csv::StringRecord>, csv::StringRecord) {
    let r = c.http.get(s.url(path)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let ctype = r.headers()["content-type"].to_str().unwrap().to_string();
    let text = r.text().await.unwrap();
    let text = text.strip_prefix('\u{feff}').expect("a BOM for spreadsheet programs").to_string();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let headers = rdr.headers().unwrap().clone();
    (ctype, rdr.records().map(Result::unwrap).collect(), headers)
}

#[tokio::test]
async fn hr_sees_cohort_figures_and_the_csv_exports_round_trip_every_learner_and_certificate() {
    let s = TestServer::start("course-ok").await;
    let (_, cert) = certify_alice(&s).await;
    let hana = s.login("hana").await;
    let (code, d) = hana.get("/api/hr/dashboard").await;
    assert_eq!(code, 200, "{d}");
    assert_eq!((d["learners"].as_u64(), d["active"].as_u64()), (Some(2), Some(1)));
    assert_eq!(d["levels"][0]["certified"], 1);
    assert_eq!(
        d["funnel"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["count"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        vec![2, 1, 1, 0]
    );
    let short = d["quizzes"].as_array().unwrap().iter().find(|q| q["id"] == "short").unwrap();
    assert_eq!(
        (short["learners"].as_u64(), short["pass_rate"].as_f64(), short["median"].as_f64()),
        (Some(1), Some(100.0), Some(100.0))
    );
    assert_eq!(hana.get("/api/hr/dashboard?from=2001-13-01").await.0, 400);
    // The running aggregates (no dates) and the live query (with dates) agree.
    let (_, live) = hana.get("/api/hr/dashboard?from=2000-01-01&to=2100-12-31").await;
    for key in ["learners", "active", "levels", "funnel", "quizzes", "scenarios"] {
        assert_eq!(live[key], d[key], "{key}");
    }
    let (_, none) = hana.get("/api/hr/dashboard?cohort=nobody").await;
    assert_eq!(
        (none["learners"].as_u64(), none["quizzes"].as_array().map(Vec::len)),
        (Some(0), Some(0))
    );

    let (ctype, learners, headers) = csv_rows(&hana, &s, "/api/hr/export/learners.csv").await;
    assert!(ctype.starts_with("text/csv"));
    let users: Vec<&str> = learners.iter().map(|r| r.get(0).unwrap()).collect();
    assert_eq!(users, vec!["alice", "bob"], "every learner, and only learners");
    let col = headers.iter().position(|h| h == "basic_certificate").unwrap();
    assert_eq!(learners[0].get(col), Some(cert.as_str()));
    assert_eq!(learners[1].get(col), Some(""));
    let (_, certs, _) = csv_rows(&hana, &s, "/api/hr/export/certificates.csv").await;
    assert_eq!(certs.len(), 1);
    assert_eq!(
        (certs[0].get(0), certs[0].get(1), certs[0].get(8)),
        (Some(cert.as_str()), Some("alice"), Some("valid"))
    );

    // The transcript holds the learner's whole record.
    let alice_id = s.login("alice").await.get("/api/me").await.1["user"]["id"].as_i64().unwrap();
    let (code, t) = hana.get(&format!("/api/hr/learners/{alice_id}/transcript")).await;
    assert_eq!(code, 200);
    assert_eq!(
        (t["certificates"][0]["id"].as_str(), t["quizzes"][0]["quiz"].as_str()),
        (Some(cert.as_str()), Some("short"))
    );
    assert_eq!(t["runs"][0]["status"], "finished");
    // The page renders the charts.
    let page = hana.http.get(s.url("/hr")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("<svg") && page.contains("学员认证漏斗"), "{page}");
    assert!(
        page.contains(&format!("/hr/learners/{alice_id}")),
        "the learner list links transcripts"
    );
    let tpage = hana
        .http
        .get(s.url(&format!("/hr/learners/{alice_id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        tpage.contains("成绩单：alice") && tpage.contains(&cert) && tpage.contains("三道小题") && tpage.contains("（有效期至 20"),
        "{tpage}"
    );
    assert_eq!(
        s.login("bob")
            .await
            .http
            .get(s.url(&format!("/hr/learners/{alice_id}")))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
}

#[test]
fn the_csv_import_reports_every_bad_row_by_line_and_keeps_the_good_file_whole() {
    let good = "username,display_name,role,cohort,department\nzhang,张三,learner,2026春,运营部\nli,李四,,2026春,市场部\n";
    let rows = certbook::app::accounts::parse_import(good).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (rows[1].3, rows[1].4.as_str(), rows[1].5.as_str()),
        (certbook::store::Role::Learner, "2026春", "市场部")
    );
    let bad = "username,display_name,role,cohort,department,password\nzhang,张三,learner,a,b,\n,无名,learner,a,b,\nwang,王五,boss,a,b,\nZHANG,重复,learner,a,b,\nzhao,赵六,learner,a,b,short\n";
    let errors = certbook::app::accounts::parse_import(bad).unwrap_err();
    assert_eq!(errors.len(), 4, "{errors:?}");
    assert!(errors[0].starts_with("line 3:") && errors[1].starts_with("line 4:") && errors[1].contains("boss"));
    assert!(errors[2].starts_with("line 5:") && errors[2].contains("line 2"));
    assert!(errors[3].starts_with("line 6:") && errors[3].contains("8"));
}

#[test]
fn a_file_with_one_bad_row_imports_nothing_and_a_good_one_imports_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hr.db");
    let bin = env!("CARGO_BIN_EXE_certbook");
    let run = |name: &str, text: &str| {
        let f = dir.path().join(name);
        std::fs::write(&f, text).unwrap();
        std::process::Command::new(bin)
            .args(["user", "import"])
            .arg(&f)
            .arg("--db")
            .arg(&db)
            .output()
            .unwrap()
    };
    let count = || {
        let store = certbook::store::Store::open(&db).unwrap();
        store.count_rows_blocking(certbook::store::Table::Users).unwrap()
    };
    let out = run(
        "bad.csv",
        "username,display_name,role,cohort,department\nzhang,张三,learner,c1,d1\nwang,王五,boss,c1,d1\n",
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.csv:line 3: unknown role `boss`") && err.contains("nothing was imported"),
        "{err}"
    );
    assert_eq!(count(), 0, "the good row before the bad one was not imported either");
    let out = run(
        "good.csv",
        "username,display_name,role,cohort,department\nzhang,张三,learner,c1,d1\nwang,王五,learner,c2,d1\n",
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(count(), 2);
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(printed.starts_with("username,password\n") && printed.contains("zhang,") && printed.contains("wang,"));
}

/// Every route, called as each kind of caller. `L` is the learner who owns the
/// records; `O` another learner.
#[tokio::test]
async fn every_route_allows_exactly_the_roles_it_should() {
    let s = TestServer::start("course-ok").await;
    let (_, cert) = certify_alice(&s).await;
    let alice = s.login("alice").await;
    alice
        .post_json("/api/exercises/ex-demo/submission", &json!({ "body": "一份足够长的练习答案。" }))
        .await;
    let (_, at) = alice.start("timed").await;
    let attempt = at["id"].as_str().unwrap().to_string();
    let (_, run) = alice.post_json("/api/scenarios/tiny/runs", &json!({})).await;
    let run = run["id"].as_str().unwrap().to_string();
    let ivy = s.login("ivy").await;
    let sub = ivy.get("/api/instructor/submissions").await.1["submissions"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let alice_id = alice.get("/api/me").await.1["user"]["id"].as_i64().unwrap();

    // "L" is the client that started the attempt: the attempt is bound to its device.
    let callers: Vec<(&str, Option<Client>)> = vec![
        ("anon", None),
        ("L", Some(alice)),
        ("O", Some(s.login("bob").await)),
        ("instructor", Some(s.login("ivy").await)),
        ("hr", Some(s.login("hana").await)),
        ("admin", Some(s.login("root").await)),
    ];
    let grade = json!({ "scores": { "knowledge": 70, "problem_solving": 70, "innovation": 70, "teamwork": 70, "communication": 70 } });
    // (method, path, body, expected status per caller: anon, L, O, instructor, hr, admin)
    let table: Vec<(&str, String, Value, [u16; 6])> = vec![
        ("GET", "/api/me".into(), Value::Null, [401, 200, 200, 200, 200, 200]),
        ("GET", "/api/quizzes/short".into(), Value::Null, [401, 200, 200, 200, 200, 200]),
        (
            "GET",
            format!("/api/attempts/{attempt}"),
            Value::Null,
            [401, 200, 404, 200, 200, 200],
        ),
        (
            "PUT",
            format!("/api/attempts/{attempt}/answers"),
            json!({ "answers": {} }),
            [401, 200, 404, 404, 404, 404],
        ),
        // Not a sequential quiz: its owner gets 409, everyone else "not found".
        (
            "POST",
            format!("/api/attempts/{attempt}/next"),
            json!({ "question": "q1", "answer": true }),
            [401, 409, 404, 404, 404, 404],
        ),
        (
            "POST",
            format!("/api/instructor/attempts/{attempt}/release-device"),
            Value::Null,
            [401, 403, 403, 200, 403, 200],
        ),
        (
            "POST",
            format!("/api/attempts/{attempt}/submit"),
            json!({ "answers": {} }),
            [401, 200, 404, 404, 404, 404],
        ),
        ("GET", "/api/scenarios/tiny".into(), Value::Null, [401, 200, 200, 200, 200, 200]),
        ("GET", format!("/api/runs/{run}"), Value::Null, [401, 200, 404, 200, 200, 200]),
        (
            "GET",
            format!("/api/runs/{run}/record"),
            Value::Null,
            [401, 200, 404, 200, 200, 200],
        ),
        (
            "POST",
            format!("/api/runs/{run}/rounds"),
            json!({ "round": 9, "decisions": {} }),
            [401, 409, 404, 404, 404, 404],
        ),
        ("GET", "/api/progress".into(), Value::Null, [401, 200, 200, 200, 200, 200]),
        ("GET", "/api/exercises/ex-demo".into(), Value::Null, [401, 200, 200, 200, 200, 200]),
        (
            "GET",
            "/api/instructor/quizzes/short".into(),
            Value::Null,
            [401, 403, 403, 200, 403, 200],
        ),
        (
            "GET",
            "/api/instructor/quizzes/short/analysis".into(),
            Value::Null,
            [401, 403, 403, 200, 403, 200],
        ),
        (
            "GET",
            "/api/instructor/submissions".into(),
            Value::Null,
            [401, 403, 403, 200, 403, 200],
        ),
        (
            "GET",
            format!("/api/instructor/submissions/{sub}"),
            Value::Null,
            [401, 403, 403, 200, 403, 200],
        ),
        (
            "POST",
            format!("/api/instructor/submissions/{sub}/grade"),
            grade,
            [401, 403, 403, 200, 403, 200],
        ),
        (
            "GET",
            format!("/api/certificates/{cert}"),
            Value::Null,
            [200, 200, 200, 200, 200, 200],
        ),
        (
            "GET",
            format!("/api/certificates/{cert}/credential"),
            Value::Null,
            [401, 200, 404, 200, 200, 200],
        ),
        ("GET", "/api/issuer".into(), Value::Null, [200, 200, 200, 200, 200, 200]),
        ("GET", "/api/hr/dashboard".into(), Value::Null, [401, 403, 403, 403, 200, 200]),
        (
            "GET",
            format!("/api/hr/learners/{alice_id}/transcript"),
            Value::Null,
            [401, 403, 403, 200, 200, 200],
        ),
        (
            "GET",
            "/api/hr/export/learners.csv".into(),
            Value::Null,
            [401, 403, 403, 403, 200, 200],
        ),
        (
            "GET",
            "/api/hr/export/certificates.csv".into(),
            Value::Null,
            [401, 403, 403, 403, 200, 200],
        ),
        (
            "PUT",
            "/api/instructor/quizzes/short/overrides".into(),
            json!({ "user_id": alice_id, "extra_time": 60 }),
            [401, 403, 403, 200, 200, 200],
        ),
        (
            "GET",
            "/api/instructor/quizzes/short/overrides".into(),
            Value::Null,
            [401, 403, 403, 200, 200, 200],
        ),
        (
            "GET",
            "/api/instructor/quizzes/short/similarity".into(),
            Value::Null,
            [401, 403, 403, 200, 403, 200],
        ),
        (
            "DELETE",
            "/api/instructor/quizzes/short/overrides/999".into(),
            Value::Null,
            [401, 403, 403, 404, 404, 404],
        ),
        ("GET", "/api/status/revocation".into(), Value::Null, [200, 200, 200, 200, 200, 200]),
        ("GET", "/api/status/lists/0".into(), Value::Null, [200, 200, 200, 200, 200, 200]),
        ("GET", "/api/status/lists/9".into(), Value::Null, [404, 404, 404, 404, 404, 404]),
        ("GET", "/api/hr/expiries".into(), Value::Null, [401, 403, 403, 403, 200, 200]),
        ("GET", "/api/status/suspension".into(), Value::Null, [200, 200, 200, 200, 200, 200]),
        (
            "POST",
            "/api/admin/certificates/suspend".into(),
            json!({ "ids": ["no-such-certificate"], "reason": "测试" }),
            [401, 403, 403, 403, 403, 422],
        ),
        (
            "POST",
            "/api/admin/certificates/reinstate".into(),
            json!({ "ids": ["no-such-certificate"] }),
            [401, 403, 403, 403, 403, 422],
        ),
        (
            "POST",
            "/api/hr/certificates/import".into(),
            json!({}),
            [401, 403, 403, 403, 415, 415],
        ),
        (
            "GET",
            "/api/hr/certificates.zip".into(),
            Value::Null,
            [401, 403, 403, 403, 200, 200],
        ),
        ("POST", "/api/admin/reminders/run".into(), json!({}), [401, 403, 403, 403, 403, 200]),
        ("GET", "/api/me/export".into(), Value::Null, [401, 200, 200, 200, 200, 200]),
        ("GET", "/api/admin/audit".into(), Value::Null, [401, 403, 403, 403, 403, 200]),
        (
            "POST",
            "/api/admin/users/999999/erase".into(),
            json!({}),
            [401, 403, 403, 403, 403, 404],
        ),
        ("GET", "/api/admin/users".into(), Value::Null, [401, 403, 403, 403, 403, 200]),
        (
            "POST",
            "/api/admin/certificates/revoke".into(),
            json!({ "ids": ["no-such-certificate"], "reason": "测试" }),
            [401, 403, 403, 403, 403, 422],
        ),
        (
            "POST",
            format!("/api/admin/certificates/{cert}/revoke"),
            json!({ "reason": "测试" }),
            [401, 403, 403, 403, 403, 200],
        ),
    ];
    let anon = s.anonymous();
    let mut failures = Vec::new();
    for (method, path, body, expected) in &table {
        for ((who, client), want) in callers.iter().zip(expected) {
            let c = client.as_ref().unwrap_or(&anon);
            let (got, resp) = if *method == "GET" {
                c.get(path).await
            } else {
                c.send_json(method.parse().unwrap(), path, body).await
            };
            if got != *want {
                failures.push(format!("{method} {path} as {who}: got {got}, want {want} ({resp})"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every state-changing route refuses a request without the session's CSRF token,
/// whoever sends it: a page on another site cannot act for a logged-in user.
#[tokio::test]
async fn every_state_changing_route_needs_the_csrf_token() {
    let s = TestServer::start("course-ok").await;
    let (_, cert) = certify_alice(&s).await;
    let root = s.login("root").await;
    let routes = [
        ("POST", "/api/logout".to_string()),
        ("POST", "/api/quizzes/short/attempts".into()),
        ("POST", "/api/attempts/x/submit".into()),
        ("PUT", "/api/attempts/x/answers".into()),
        ("POST", "/api/scenarios/tiny/runs".into()),
        ("POST", "/api/runs/x/rounds".into()),
        ("POST", "/api/lessons/demo-browser/read".into()),
        ("POST", "/api/exercises/ex-demo/submission".into()),
        ("POST", "/api/instructor/submissions/x/grade".into()),
        ("PUT", "/api/instructor/quizzes/short/overrides".into()),
        ("DELETE", "/api/instructor/quizzes/short/overrides/1".into()),
        ("POST", "/api/attempts/x/next".into()),
        ("POST", "/api/instructor/attempts/x/release-device".into()),
        ("POST", format!("/api/admin/certificates/{cert}/revoke")),
        ("POST", "/api/admin/certificates/revoke".into()),
        ("POST", "/api/hr/certificates/import".into()),
        ("POST", "/api/admin/reminders/run".into()),
        ("POST", "/api/admin/certificates/suspend".into()),
        ("POST", "/api/admin/certificates/reinstate".into()),
        ("POST", "/api/admin/users/1/erase".into()),
    ];
    for (method, path) in &routes {
        let method: reqwest::Method = method.parse().unwrap();
        let r = root
            .http
            .request(method.clone(), s.url(path))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{method} {path} without a token");
        let r = root
            .http
            .request(method.clone(), s.url(path))
            .header("x-csrf-token", "forged")
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{method} {path} with a wrong token");
    }
    // Forms: logout and grading need the hidden field.
    assert_eq!(
        root.http
            .post(s.url("/logout"))
            .form(&[("csrf", "forged")])
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        root.http
            .post(s.url("/instructor/grading/x"))
            .form(&[("csrf", "forged")])
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    // Nothing happened: the certificate is still valid and the session still works.
    assert_eq!(s.anonymous().get(&format!("/api/certificates/{cert}")).await.1["status"], "valid");
    assert_eq!(root.get("/api/me").await.0, 200);
}
