//! Two certbook servers on one PostgreSQL database, as behind a load balancer with no
//! sticky sessions: a session made on one works on the other, a logout on one holds on
//! the other within 1 s, a certificate is issued once when both see the last
//! requirement at the same moment, status-list slots stay unique, and failed logins
//! count across both.

use crate::harness::{PASSWORD, TestServer, fresh_pg_database, pg_admin_url};
use serde_json::json;

/// Two servers on one fresh database.
async fn pair(test: &str) -> Option<(TestServer, TestServer)> {
    let admin = pg_admin_url(test)?;
    let url = fresh_pg_database(&admin);
    let a = TestServer::start_on("course-ok", &url).await;
    let b = TestServer::start_on("course-ok", &url).await;
    Some((a, b))
}

/// The same client (cookie jar and CSRF token) aimed at another server.
fn moved(c: &crate::harness::Client, to: &TestServer) -> crate::harness::Client {
    c.with_base(&to.base)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_works_on_both_and_a_logout_holds_on_both_within_a_second() {
    let Some((a, b)) = pair("a_session_works_on_both").await else {
        return;
    };
    let alice = a.login("alice").await;
    let on_b = moved(&alice, &b);
    let (code, me) = on_b.get("/api/me").await;
    assert_eq!((code, me["user"]["username"].as_str()), (200, Some("alice")), "{me}");
    // A write made through B with the session and CSRF token from A.
    let (code, r) = on_b.post_json("/api/lessons/demo-browser/read", &json!({})).await;
    assert_eq!(code, 200, "{r}");
    // Logged out on A: B may serve its cached session for under a second, no longer.
    assert_eq!(alice.post_json("/api/logout", &json!({})).await.0, 204);
    b.clock.advance(1_001);
    assert_eq!(on_b.get("/api/me").await.0, 401, "B still honours a session ended on A");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_logins_count_across_both_servers() {
    let Some((a, b)) = pair("failed_logins_count_across_both_servers").await else {
        return;
    };
    for i in 0..5 {
        let s = if i % 2 == 0 { &a } else { &b };
        let (code, _) = s
            .anonymous()
            .post_json("/api/login", &json!({"username": "bob", "password": "wrong"}))
            .await;
        assert_eq!(code, 401, "failure {i}");
    }
    // The sixth try, with the right password, is refused on either server.
    for s in [&a, &b] {
        let (code, body) = s
            .anonymous()
            .post_json("/api/login", &json!({"username": "bob", "password": PASSWORD}))
            .await;
        assert_eq!(code, 429, "{body}");
    }
}

/// Alice meets the fixture level's last requirement on both servers at once, fifty
/// times over (a fresh database each round): exactly one certificate each time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_level_met_on_two_servers_at_once_issues_one_certificate() {
    let Some(admin) = pg_admin_url("a_level_met_on_two_servers_at_once") else {
        return;
    };
    let rounds: usize = std::env::var("CERTBOOK_RACE_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(50);
    for round in 0..rounds {
        let url = fresh_pg_database(&admin);
        let a = TestServer::start_on("course-ok", &url).await;
        let b = TestServer::start_on("course-ok", &url).await;
        let alice = a.login("alice").await;
        // The sandbox and the quiz first; the lesson read is the last requirement.
        crate::harness::finish_tiny(&alice).await;
        let (_, at) = alice.start("short").await;
        let (code, r) = alice
            .submit(at["id"].as_str().unwrap(), json!({ "q1": "B", "q2": true, "q3": "留存率" }))
            .await;
        assert_eq!(code, 200, "{r}");
        let on_b = moved(&alice, &b);
        let read = "/api/lessons/demo-browser/read";
        let empty = json!({});
        let (ra, rb) = tokio::join!(alice.post_json(read, &empty), on_b.post_json(read, &empty));
        assert_eq!((ra.0, rb.0), (200, 200), "round {round}: {} / {}", ra.1, rb.1);
        let issued =
            ra.1["certificates_issued"].as_array().map_or(0, Vec::len) + rb.1["certificates_issued"].as_array().map_or(0, Vec::len);
        let (_, p) = alice.get("/api/progress").await;
        assert_eq!(p["certificates"].as_array().unwrap().len(), 1, "round {round}: {p}");
        assert!(issued <= 1, "round {round}: both servers issued one: {} / {}", ra.1, rb.1);
    }
}

/// Learners certified through both servers at the same time: every certificate gets a
/// status-list slot of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificates_issued_on_both_servers_get_distinct_status_slots() {
    let Some((a, b)) = pair("certificates_issued_on_both_servers").await else {
        return;
    };
    let hash = certbook::app::accounts::hash_password(PASSWORD).unwrap();
    let names: Vec<String> = (0..12).map(|i| format!("l{i}")).collect();
    for n in &names {
        a.store
            .save_account_blocking(n.clone(), n.clone(), certbook::store::Role::Learner, hash.clone(), None, 0)
            .unwrap();
    }
    let mut tasks = Vec::new();
    for (i, n) in names.iter().enumerate() {
        let server = if i % 2 == 0 { &a } else { &b };
        let c = server.login(n).await;
        tasks.push(async move { crate::harness::certify(&c).await });
    }
    let ids: Vec<String> = futures_util::future::join_all(tasks).await;
    let admin = a.login("root").await;
    let mut slots = std::collections::BTreeSet::new();
    for id in &ids {
        let (code, cred) = admin.get(&format!("/api/certificates/{id}/credential")).await;
        assert_eq!(code, 200, "{cred}");
        let entry = &cred["credentialStatus"];
        let slot = format!("{}#{}", entry["statusListCredential"], entry["statusListIndex"]);
        assert!(slots.insert(slot.clone()), "slot {slot} handed out twice");
    }
    assert_eq!(slots.len(), names.len());
}

/// `serve --api-only`: the API and the server pages answer, the static site does not
/// (a web server in front serves it from `certbook build`).
#[tokio::test]
async fn an_api_only_server_answers_the_api_and_pages_but_not_the_site() {
    let s = TestServer::start_with("course-ok", |state| state.api_only = true).await;
    let anon = s.anonymous();
    assert_eq!(anon.get("/index.html").await.0, 404);
    assert_eq!(anon.get("/demo/demo-browser.html").await.0, 404);
    assert_eq!(anon.get("/login").await.0, 200);
    assert_eq!(anon.get("/api/me").await.0, 401);
    let alice = s.login("alice").await;
    assert_eq!(alice.get("/account").await.0, 200);
    let full = TestServer::start("course-ok").await;
    assert_eq!(
        full.anonymous().get("/index.html").await.0,
        200,
        "the same course serves its site by default"
    );
}

/// The hourly reminder job runs on every server; each due reminder goes out once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reminder_job_on_two_servers_sends_each_reminder_once() {
    let Some(admin) = pg_admin_url("the_reminder_job_on_two_servers") else {
        return;
    };
    let url = fresh_pg_database(&admin);
    let (port, sink) = crate::programme::smtp_sink().await;
    let mailer = move |state: &mut certbook::http::AppState| {
        let m = certbook::mail::Mailer::new(&format!("smtp://127.0.0.1:{port}"), "测试学院 <noreply@test.local>").unwrap();
        state.mailer = Some(std::sync::Arc::new(m));
    };
    let a = TestServer::start_on_with("course-ok", &url, mailer).await;
    let b = TestServer::start_on_with("course-ok", &url, mailer).await;
    a.store.set_user_contact_blocking("alice", "alice@example.com").unwrap();
    let alice = a.login("alice").await;
    let cert = crate::harness::certify(&alice).await;
    let (_, c) = a.anonymous().get(&format!("/api/certificates/{cert}")).await;
    let until = c["valid_until"].as_i64().unwrap();
    for s in [&a, &b] {
        s.clock.advance(until - 10 * 86_400_000 - s.clock.now_ms());
    }
    let (ra, rb) = (a.login("root").await, b.login("root").await);
    let empty = json!({});
    let run = "/api/admin/reminders/run";
    let ((ca, ja), (cb, jb)) = tokio::join!(ra.post_json(run, &empty), rb.post_json(run, &empty));
    assert_eq!((ca, cb), (200, 200), "{ja} / {jb}");
    assert_eq!(ja["sent"].as_i64().unwrap() + jb["sent"].as_i64().unwrap(), 1, "{ja} / {jb}");
    assert_eq!(sink.lock().unwrap().len(), 1, "one email in the mailbox");
    // A later run on either server sends nothing more.
    assert_eq!(rb.post_json(run, &empty).await.1["sent"], 0);
    assert_eq!(sink.lock().unwrap().len(), 1);
}

/// `db copy`: a used SQLite installation copied into PostgreSQL serves the same
/// transcript, certificate and credential; a second copy into the filled database is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sqlite_installation_copied_to_postgres_serves_the_same_records() {
    let Some(admin) = pg_admin_url("an_sqlite_installation_copied_to_postgres") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("old.db");
    let lite = certbook::store::Store::open(&file).unwrap();
    let old = TestServer::start_store_public("course-ok", lite.clone()).await;
    let (alice, cert) = crate::harness::certify_alice(&old).await;
    let (_, a) = alice.start("all-types").await;
    alice.submit(a["id"].as_str().unwrap(), json!({ "multiple": ["A"] })).await;
    let ivy = old.login("ivy").await;
    let alice_id = alice.get("/api/me").await.1["user"]["id"].as_i64().unwrap();
    let transcript = format!("/api/hr/learners/{alice_id}/transcript");
    let before = (
        ivy.get(&transcript).await,
        old.anonymous().get(&format!("/api/certificates/{cert}")).await,
    );
    let credential = alice.get(&format!("/api/certificates/{cert}/credential")).await.1;
    let url = fresh_pg_database(&admin);
    let pg = certbook::store::Store::open_spec(&url).unwrap();
    let (lite2, pg2) = (lite.clone(), pg.clone());
    let copied = tokio::task::spawn_blocking(move || lite2.copy_to(&pg2)).await.unwrap().unwrap();
    let users = copied.iter().find(|t| t.table == "users").unwrap();
    assert_eq!(users.rows, 5, "{copied:?}");
    assert!(copied.iter().find(|t| t.table == "attempts").unwrap().rows >= 2);
    drop(old);
    let new = TestServer::start_store_public("course-ok", pg.clone()).await;
    let ivy = new.login("ivy").await;
    let after = (
        ivy.get(&transcript).await,
        new.anonymous().get(&format!("/api/certificates/{cert}")).await,
    );
    let strip = |v: &serde_json::Value| v.to_string().replace(&new.base, "").replace(&old_base(&before.1), "");
    assert_eq!((before.0).0, (after.0).0);
    assert_eq!(strip(&(before.0).1), strip(&(after.0).1), "the transcript");
    assert_eq!((before.1).0, (after.1).0);
    assert_eq!(strip(&(before.1).1), strip(&(after.1).1), "the certificate");
    // The issuer key came along: the credential issued before is signed by the same DID.
    let (_, issuer) = new.anonymous().get("/api/issuer").await;
    assert_eq!(issuer["id"], credential["issuer"]["id"], "{issuer} / {}", credential["issuer"]);
    // A new account after the copy gets a fresh id (the identity sequence continues).
    let hash = certbook::app::accounts::hash_password(PASSWORD).unwrap();
    new.store
        .save_account_blocking("zoe".into(), "zoe".into(), certbook::store::Role::Learner, hash, None, 0)
        .unwrap();
    new.login("zoe").await;
    // The target now holds data: a second copy is refused.
    let (lite3, pg3) = (lite.clone(), pg.clone());
    let again = tokio::task::spawn_blocking(move || lite3.copy_to(&pg3)).await.unwrap();
    assert!(again.unwrap_err().to_string().contains("not empty"));
}

/// The server address a certificate's URLs carry.
fn old_base(c: &(u16, serde_json::Value)) -> String {
    let url = c.1["verify_url"].as_str().unwrap_or_default();
    url.split("/verify/").next().unwrap_or_default().to_string()
}

/// A job lease goes to one server at a time, and to another once it runs out; on
/// SQLite and (when there is one) on a PostgreSQL database two servers share.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_lease_goes_to_one_server_until_it_runs_out() {
    let dir = tempfile::tempdir().unwrap();
    let mut stores = vec![{
        let s = certbook::store::Store::open(&dir.path().join("lease.db")).unwrap();
        (s.clone(), s)
    }];
    if let Some(admin) = pg_admin_url("a_job_lease_goes_to_one_server") {
        let url = fresh_pg_database(&admin);
        stores.push((
            certbook::store::Store::open_spec(&url).unwrap(),
            certbook::store::Store::open_spec(&url).unwrap(),
        ));
    }
    for (a, b) in stores {
        let (ta, tb) = tokio::join!(
            a.take_lease("sweep", "a".into(), 1_000, 60_000),
            b.take_lease("sweep", "b".into(), 1_000, 60_000)
        );
        assert!(ta.unwrap() ^ tb.unwrap(), "exactly one takes it");
        assert!(!b.take_lease("sweep", "c".into(), 60_999, 60_000).await.unwrap(), "still running");
        assert!(
            b.take_lease("sweep", "c".into(), 61_000, 60_000).await.unwrap(),
            "ran out: the next one takes it"
        );
        assert!(
            a.take_lease("other", "a".into(), 61_000, 60_000).await.unwrap(),
            "another job is another lease"
        );
    }
}

/// A team session across two servers: a teammate's page on B hears a draft made on A
/// within the stream's poll (no shared memory between the servers), and the last two
/// teams submitting at the same moment on different servers resolve the round once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_team_session_runs_across_both_servers() {
    let Some((a, b)) = pair("a_team_session_runs_across_both_servers").await else {
        return;
    };
    let ivy = a.login("ivy").await;
    let csv = "alice,A,marketing;pricing\nbob,B,marketing;pricing\n";
    let (code, v) = ivy
        .post_json("/api/team-sessions", &json!({ "scenario": "duel", "form": "csv", "csv": csv }))
        .await;
    assert_eq!(code, 201, "{v}");
    let id = v["id"].as_str().unwrap().to_string();
    let (code, _) = moved(&ivy, &b)
        .post_json(
            &format!("/api/team-sessions/{id}/control"),
            &json!({ "action": "open", "minutes": 10 }),
        )
        .await;
    assert_eq!(code, 200);
    let alice = a.login("alice").await;
    let alice_b = moved(&alice, &b);
    // Alice's second device listens on B; she drafts on A.
    let mut stream = crate::teams::listen(&alice_b, &b, &id).await;
    let started = std::time::Instant::now();
    let (code, _) = alice
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/team-sessions/{id}/draft"),
            &json!({ "round": 1, "decision": "spend", "value": { "ads": 20, "events": 0 } }),
        )
        .await;
    assert_eq!(code, 204);
    let next = tokio::time::timeout(std::time::Duration::from_secs(3), stream.chunk())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(String::from_utf8_lossy(&next).contains("event: update"));
    assert!(
        started.elapsed() < std::time::Duration::from_millis(2_500),
        "{:?}",
        started.elapsed()
    );
    let (_, seen) = alice_b.get(&format!("/api/team-sessions/{id}")).await;
    assert_eq!(seen["my_team"]["drafts"][0]["value"]["ads"], 20.0, "B reads the draft made on A");

    // Both teams submit at once, one through each server: the round resolves once.
    let bob = b.login("bob").await;
    let submit = |c: crate::harness::Client| {
        let id = id.clone();
        async move {
            c.post_json(
                &format!("/api/team-sessions/{id}/submit"),
                &json!({ "round": 1, "decisions": { "spend": { "ads": 10, "events": 0 }, "price": "mid" } }),
            )
            .await
        }
    };
    let (ra, rb) = tokio::join!(submit(alice), submit(bob));
    assert_eq!((ra.0, rb.0), (200, 200), "{} {}", ra.1, rb.1);
    let stored = a.store.team_session(id.clone()).await.unwrap().unwrap();
    assert_eq!(stored.session.round, 1);
    assert_eq!(
        stored.rounds.iter().filter(|r| r.round == 1).count(),
        2,
        "one row per team, none defaulted"
    );
    assert!(stored.rounds.iter().all(|r| !r.defaulted));
}
