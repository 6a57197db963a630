//! Every GET route, as every role, leaves the database exactly as it was: the
//! routes come from the OpenAPI document plus the server-rendered pages listed
//! below, and the database is digested (every table, every row) after each request.

use crate::harness::{Client, TestServer, fixture};
use certbook::store::{Store, Table};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// Server-rendered GET routes that are not in the OpenAPI document (src/http/*.rs
/// `.route(…, get(…))`, src/http/mod.rs), plus the document itself and the static site.
const PAGE_ROUTES: &[&str] = &[
    "/",
    "/api/openapi.json",
    "/static/pages.js",
    "/login",
    "/account",
    "/verify/{id}",
    "/certificates/{id}",
    "/certificates/{id}/certificate.pdf",
    "/instructor/grading",
    "/instructor/grading/{id}",
    "/instructor/analysis",
    "/instructor/analysis/{id}",
    "/instructor/build",
    "/instructor/quizzes/{id}/exam",
    "/hr",
    "/hr/learners/{id}",
    "/hr/certificates",
    "/sessions",
    "/sessions/{id}",
    "/static/teams.js",
];

/// Fewer GET paths than this in the OpenAPI document means the document is broken,
/// and the sweep would prove little.
const MIN_OPENAPI_GETS: usize = 20;

/// Reads, plays and passes everything the fixture's first level asks for.
async fn qualify(c: &Client) {
    let r = c.post_json("/api/lessons/demo-browser/read", &json!({})).await;
    assert!(success(r.0), "{}", r.1);
    let (code, run) = c.post_json("/api/scenarios/tiny/runs", &json!({})).await;
    assert!(success(code), "{run}");
    let id = run["id"].as_str().unwrap().to_string();
    for (round, a) in [(1, 50), (2, 0)] {
        let d = json!({ "round": round, "decisions": { "spend": { "a": a, "b": 0 }, "plan": "safe" } });
        let r = c.post_json(&format!("/api/runs/{id}/rounds"), &d).await;
        assert!(success(r.0), "{}", r.1);
    }
    let (code, at) = c.start("short").await;
    assert!(success(code), "{at}");
    let r = c
        .submit(at["id"].as_str().unwrap(), json!({ "q1": "B", "q2": true, "q3": "留存率" }))
        .await;
    assert!(success(r.0), "{}", r.1);
}

fn success(code: u16) -> bool {
    (200..300).contains(&code)
}

fn id_of(v: &Value) -> String {
    match &v["id"] {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => panic!("no id in {v} ({other})"),
    }
}

/// Every concrete path for `template`: each `{param}` is replaced by every id of the
/// collection named by the path segment before it (`/api/quizzes/{id}` → quiz ids).
fn expand(template: &str, ids: &BTreeMap<&str, Vec<String>>) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut prev = "";
    for seg in template.split('/').skip(1) {
        let values = if seg.starts_with('{') {
            match ids.get(prev) {
                Some(v) => v.clone(),
                None => vec![seg.to_string()], // left unsubstituted: the caller fails on it
            }
        } else {
            vec![seg.to_string()]
        };
        out = out.iter().flat_map(|p| values.iter().map(move |v| format!("{p}/{v}"))).collect();
        prev = seg;
    }
    if template == "/" { vec!["/".to_string()] } else { out }
}

fn changed_tables(before: &BTreeMap<String, String>, after: &BTreeMap<String, String>) -> Vec<String> {
    let keys: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    keys.into_iter().filter(|k| before.get(*k) != after.get(*k)).cloned().collect()
}

/// The one documented write a GET makes: `GET /api/me/export` records the export in
/// the audit log (src/app/programme.rs `personal_data`: "the export is written to
/// the audit log"), a deliberate accountability record for a personal-data download.
/// It is allowed only as exactly that: `audit_log` alone changed, by exactly one new
/// `export-personal-data` row whose actor and target are the caller. Anything else
/// the route writes is reported like any other route's writes.
/// `actor_id, action, target` of an audit log row.
type AuditRow = (Option<i64>, String, String);

async fn allowed_write(store: &Store, role: &str, route: &str, changed: &[String], audit_max: i64) -> bool {
    if route != "/api/me/export" || changed != ["audit_log"] {
        return false;
    }
    let rows: Vec<AuditRow> = store
        .audit_log(i64::MAX)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.id > audit_max)
        .map(|e| (e.actor_id, e.action, e.target))
        .collect();
    let me = store.user_by_username(role.to_string()).await.ok().flatten().map(|u| u.id);
    match (me, rows.as_slice()) {
        (Some(me), [(Some(actor), action, target)]) => *actor == me && action == "export-personal-data" && *target == format!("user:{me}"),
        _ => false,
    }
}

#[tokio::test]
async fn no_get_route_writes_to_the_database_as_any_role() {
    let started = std::time::Instant::now();
    let s = TestServer::start("course-ok").await;
    let (cur, _) = certbook::course::load(&fixture("course-ok")).expect("course loads");

    // Everyone logs in first: the sessions exist before the first digest, so any
    // later change to `sessions` is a GET writing, and is reported like any other.
    let anonymous = s.anonymous();
    let alice = s.login("alice").await;
    let bob = s.login("bob").await;
    let ivy = s.login("ivy").await;
    let hana = s.login("hana").await;
    let root = s.login("root").await;

    // State worth reading. Bob earns the first level and keeps his certificate.
    qualify(&bob).await;
    // Alice earns it too, submits an exercise (left ungraded), and opens a sandbox
    // run she does not finish.
    qualify(&alice).await;
    let (code, sub) = alice
        .post_json(
            "/api/exercises/ex-demo/submission",
            &json!({ "body": "目标、结果与下一步都写在这里了。" }),
        )
        .await;
    assert!(success(code), "{sub}");
    let (code, open_run) = alice.post_json("/api/scenarios/tiny/runs", &json!({})).await;
    assert!(success(code), "{open_run}");
    // A team session whose open round's deadline passes below: reading it must show
    // the round resolved without storing anything.
    let (code, team_session) = ivy
        .post_json(
            "/api/team-sessions",
            &json!({ "scenario": "duel", "form": "csv", "csv": "alice,A,marketing;pricing\nbob,B,marketing;pricing\n" }),
        )
        .await;
    assert!(success(code), "{team_session}");
    let team_session = id_of(&team_session);
    let (code, v) = ivy
        .post_json(
            &format!("/api/team-sessions/{team_session}/control"),
            &json!({ "action": "open", "minutes": 1 }),
        )
        .await;
    assert!(success(code), "{v}");
    // Both open an attempt at the timed quiz (60 s) and let it run out below.
    let (code, alice_timed) = alice.start("timed").await;
    assert!(success(code), "{alice_timed}");
    let (code, bob_timed) = bob.start("timed").await;
    assert!(success(code), "{bob_timed}");
    let timed_limit_ms = cur.quizzes["timed"].time_limit.expect("timed has a time limit") as i64 * 1000;
    s.clock.advance(timed_limit_ms + 10 * 60 * 1000);

    let held = |who: &'static str| {
        let s = &s;
        async move {
            let id = s.store.user_by_username(who.to_string()).await.unwrap().unwrap().id;
            s.store.count_rows_of_blocking(Table::Certificates, id).unwrap()
        }
    };
    assert_eq!((held("alice").await, held("bob").await), (1, 1), "both earned the first level");
    // Alice meets the level but her certificate is gone (as after a crash between
    // the grade and the issue): a GET that certifies on read would issue it now.
    s.store.forget_certificates_blocking(Some("alice")).unwrap();
    assert_eq!((held("alice").await, held("bob").await), (0, 1));

    // Real ids for every path parameter.
    let (code, users) = root.get("/api/admin/users").await;
    assert_eq!(code, 200, "{users}");
    let user_ids: Vec<String> = users["users"].as_array().unwrap().iter().map(id_of).collect();
    assert_eq!(user_ids.len(), 5, "{users}");
    let (code, queue) = ivy.get("/api/instructor/submissions").await;
    assert_eq!(code, 200, "{queue}");
    let submission_ids: Vec<String> = queue["submissions"].as_array().unwrap().iter().map(id_of).collect();
    assert!(!submission_ids.is_empty(), "{queue}");
    let mut cert_ids = s.store.ids_blocking(Table::Certificates).unwrap();
    cert_ids.sort();
    let attempt_ids = s.store.ids_blocking(Table::Attempts).unwrap();
    assert!(attempt_ids.contains(&id_of(&alice_timed)) && attempt_ids.contains(&id_of(&bob_timed)));
    let run_ids = s.store.ids_blocking(Table::Runs).unwrap();
    assert!(run_ids.contains(&id_of(&open_run)));
    // Names for the random ids, so failure messages say whose attempt or run it was.
    let labels: Vec<(String, String)> = vec![
        (id_of(&alice_timed), "<alice's expired timed attempt>".to_string()),
        (id_of(&bob_timed), "<bob's expired timed attempt>".to_string()),
        (id_of(&open_run), "<alice's open run>".to_string()),
    ];
    let label = |route: &str| labels.iter().fold(route.to_string(), |r, (id, name)| r.replace(id.as_str(), name));
    let quiz_ids: Vec<String> = cur.quizzes.keys().cloned().collect();
    let ids: BTreeMap<&str, Vec<String>> = [
        ("quizzes", quiz_ids.clone()),
        ("analysis", quiz_ids),
        ("attempts", attempt_ids),
        ("runs", run_ids),
        ("scenarios", cur.scenarios.keys().cloned().collect()),
        ("exercises", cur.exercises.keys().cloned().collect()),
        ("submissions", submission_ids.clone()),
        ("grading", submission_ids),
        ("certificates", cert_ids.clone()),
        ("verify", cert_ids),
        ("learners", user_ids.clone()),
        ("users", user_ids),
        ("lists", vec!["0".to_string()]),
        ("team-sessions", vec![team_session.clone()]),
        ("sessions", vec![team_session.clone()]),
    ]
    .into_iter()
    .collect();

    // Every GET in the OpenAPI document, then the pages.
    let (code, doc) = anonymous.get("/api/openapi.json").await;
    assert_eq!(code, 200, "{doc}");
    let api_gets: Vec<String> = doc["paths"]
        .as_object()
        .expect("the document has paths")
        .iter()
        .filter(|(_, ops)| ops.get("get").is_some())
        .map(|(p, _)| p.clone())
        .collect();
    assert!(
        api_gets.len() >= MIN_OPENAPI_GETS,
        "only {} GET paths in the OpenAPI document: {api_gets:?}",
        api_gets.len()
    );
    let templates: Vec<&str> = api_gets.iter().map(String::as_str).chain(PAGE_ROUTES.iter().copied()).collect();
    let routes: Vec<String> = templates.iter().flat_map(|t| expand(t, &ids)).collect();
    let unsubstituted: Vec<&String> = routes.iter().filter(|r| r.contains('{')).collect();
    assert!(unsubstituted.is_empty(), "no ids for {unsubstituted:?}");

    let roles: [(&str, &Client); 6] = [
        ("anonymous", &anonymous),
        ("alice", &alice),
        ("bob", &bob),
        ("ivy", &ivy),
        ("hana", &hana),
        ("root", &root),
    ];
    let first = s.store.digest_blocking().unwrap();
    // Every table's rows, to put back after a GET that wrote, so one route's lazy
    // write (issuing a due certificate, settling an expired attempt) cannot hide the
    // same write by a later route.
    let snap = s.store.snapshot_blocking().unwrap();
    let audit_max = s.store.audit_log(1).await.unwrap().first().map_or(0, |e| e.id);
    let mut writes: Vec<(String, String, u16, Vec<String>)> = Vec::new();
    let mut allowed: Vec<(String, String)> = Vec::new();
    let mut ok: BTreeMap<&str, usize> = BTreeMap::new();
    let mut server_errors: Vec<String> = Vec::new();
    for (role, client) in roles {
        for route in &routes {
            let code = if route.ends_with("/events") {
                // An event stream never ends: its status and first event are what it serves.
                let r = client.http.get(format!("{}{route}", client.base())).send().await.unwrap();
                let code = r.status().as_u16();
                let mut r = r;
                let _ = tokio::time::timeout(std::time::Duration::from_secs(2), r.chunk()).await;
                code
            } else {
                client.get(route).await.0
            };
            if code == 200 {
                *ok.entry(role).or_default() += 1;
            }
            // Pages render in strict mode: a field a template names and its view lacks is a 500.
            if code >= 500 {
                server_errors.push(format!("{role} GET {} ({code})", label(route)));
            }
            let now = s.store.digest_blocking().unwrap();
            let changed = changed_tables(&first, &now);
            if changed.is_empty() {
                continue;
            }
            if allowed_write(&s.store, role, route, &changed, audit_max).await {
                allowed.push((role.to_string(), route.clone()));
            } else {
                writes.push((role.to_string(), label(route), code, changed.clone()));
            }
            // Back to the state before the sweep, so the next route meets the same traps.
            s.store.restore_blocking(&snap, &changed).unwrap();
            let back = s.store.digest_blocking().unwrap();
            assert_eq!(
                changed_tables(&first, &back),
                Vec::<String>::new(),
                "restoring after {role} GET {route}"
            );
        }
    }
    let end = s.store.digest_blocking().unwrap();

    println!(
        "get_writes: {} OpenAPI GET paths + {} page routes = {} requests per role, {} in all; 200s by role: {ok:?}; {:.1?}",
        api_gets.len(),
        PAGE_ROUTES.len(),
        routes.len(),
        routes.len() * roles.len(),
        started.elapsed()
    );
    for (role, route) in &allowed {
        println!("get_writes: allowed {role} GET {route}: one export-personal-data audit row");
    }
    for (role, route, code, tables) in &writes {
        println!("get_writes: WRITE {role} GET {route} ({code}) changed {tables:?}");
    }

    assert!(server_errors.is_empty(), "GETs answered 5xx: {server_errors:?}");
    // The sweep was real: staff and learners got answers, not only 401s and 404s.
    for (role, min) in [("alice", 15), ("bob", 15), ("ivy", 25), ("hana", 15), ("root", 30)] {
        let n = ok.get(role).copied().unwrap_or(0);
        assert!(n >= min, "{role} had only {n} GETs answered 200 (want ≥ {min}); {ok:?}");
    }
    assert!(
        writes.is_empty() && end == first,
        "GET requests wrote to the database: {}; tables changed over the whole sweep: {:?}",
        writes
            .iter()
            .map(|(role, route, code, t)| format!("{role} GET {route} ({code}) → {}", t.join(", ")))
            .collect::<Vec<_>>()
            .join("; "),
        changed_tables(&first, &end)
    );
}
