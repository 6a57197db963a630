//! Team sandbox sessions: determinism of a market session, what-if against a fresh
//! replay, and over HTTP the privacy of a team's drafts, role ownership, deadlines
//! that play the defaults, retried submissions and a restart mid-session.

use crate::harness::{Client, PASSWORD, TestServer, fixture, fresh_pg_database};
use certbook::course::Curriculum;
use certbook::sandbox::{Decisions, Scenario, SessionRecord, Team, TeamRecord, simulate_teams};
use certbook::store::{Role, Store};
use serde_json::{Value, json};
use std::sync::OnceLock;

fn duel() -> &'static Scenario {
    static CUR: OnceLock<Curriculum> = OnceLock::new();
    let cur = CUR.get_or_init(|| certbook::course::load(&fixture("course-ok")).unwrap().0);
    &cur.scenarios["duel"]
}

fn d(ads: u32, events: u32, price: &str) -> Decisions {
    serde_json::from_value(json!({ "spend": { "ads": ads, "events": events }, "price": price })).unwrap()
}

/// Four teams with different plans over the three rounds.
fn four_teams() -> Vec<TeamRecord> {
    let plans = [
        [d(30, 20, "low"), d(20, 10, "mid"), d(10, 0, "mid")],
        [d(10, 0, "high"), d(10, 0, "high"), d(10, 0, "high")],
        [d(0, 0, "mid"), d(0, 0, "mid"), d(0, 0, "mid")],
        [d(50, 50, "mid"), d(0, 0, "low"), d(0, 0, "low")],
    ];
    plans
        .iter()
        .enumerate()
        .map(|(i, p)| TeamRecord {
            name: format!("T{}", i + 1),
            decisions: p.to_vec(),
            defaulted: Vec::new(),
        })
        .collect()
}

fn session(teams: Vec<TeamRecord>) -> SessionRecord {
    let mut rec = SessionRecord {
        scenario: "duel".into(),
        version: 1,
        seed: 42,
        teams,
        results: None,
    };
    rec.results = Some(rec.compute(duel()).unwrap());
    rec
}

#[test]
fn a_four_team_session_replays_to_identical_bytes_and_a_change_reaches_others_only_through_the_market() {
    let rec = session(four_teams());
    let bytes = serde_json::to_string(&rec).unwrap();
    for _ in 0..20 {
        assert_eq!(serde_json::to_string(&session(four_teams())).unwrap(), bytes);
    }
    rec.replay(duel()).expect("a stored session replays");

    // Team 1 spends more in round 2: its rivals' share of demand (and users) falls,
    // while what depends on their own decisions alone (cash) stays to the unit.
    let mut changed = four_teams();
    changed[0].decisions[1] = d(30, 10, "mid");
    let other = session(changed);
    let (a, b) = (rec.results.as_ref().unwrap(), other.results.as_ref().unwrap());
    for t in 1..4 {
        assert_eq!(a[t].states[1], b[t].states[1], "round 1 is before the change");
        assert_eq!(a[t].states[3]["cash"], b[t].states[3]["cash"], "team {t}'s own spending is its own");
        assert!(
            b[t].states[2]["users"] < a[t].states[2]["users"],
            "team {t} lost demand to the bigger spender"
        );
        assert!(b[t].states[2]["share"] < a[t].states[2]["share"]);
    }
    assert!(b[0].states[2]["users"] > a[0].states[2]["users"]);

    // A tampered record is caught (team 1 is the first whose stored numbers no longer
    // follow: team 3's change reached it through the market).
    let mut tampered = rec.clone();
    tampered.teams[2].decisions[0] = d(10, 0, "mid");
    let err = tampered.replay(duel()).unwrap_err().to_string();
    assert!(err.contains("team 1: the replay differs"), "{err}");
}

/// The golden four-team session of 产品运营沙盘: it replays to the digit, the team that
/// plays the course's strategy wins, and the market separates the others.
#[test]
fn the_golden_product_ops_session_replays_and_the_course_strategy_wins() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/sandbox/product-ops-session.json");
    let rec: SessionRecord = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    static BUNDLED: OnceLock<Curriculum> = OnceLock::new();
    let cur = BUNDLED.get_or_init(|| certbook::course::load(std::path::Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap().0);
    let sc = &cur.scenarios["product-ops"];
    let results = rec.replay(sc).unwrap_or_else(|e| panic!("{e}"));
    let scores: Vec<u32> = results.iter().map(|r| r.score.as_ref().unwrap().score).collect();
    assert_eq!(rec.teams.len(), 4);
    let best = scores.iter().copied().max().unwrap();
    assert_eq!(scores[0], best, "the team playing the course's strategy wins: {scores:?}");
    assert!(
        best - scores.iter().copied().min().unwrap() >= 30,
        "the market separates the teams: {scores:?}"
    );
}

#[test]
fn a_single_player_meets_the_simulated_rivals_and_defaults_are_played_for_them() {
    let sc = duel();
    let mine = vec![d(30, 20, "low"), d(20, 10, "mid"), d(10, 0, "mid")];
    let solo = certbook::sandbox::simulate(sc, 5, &mine).unwrap();
    let rivals = sc.market.as_ref().unwrap().rivals as usize;
    let mut teams = vec![Team::Plays(&mine)];
    teams.extend(std::iter::repeat_n(Team::Defaults, rivals));
    let all = simulate_teams(sc, 5, &teams).unwrap();
    assert_eq!(solo.states, all[0].states);
    // Every rival played the declared defaults.
    for p in &all[1..] {
        assert!(p.reports.iter().all(|r| r.decisions == d(10, 0, "mid")));
    }
    // Alone against nobody the learner would have the whole market.
    let alone = simulate_teams(sc, 5, &[Team::Plays(&mine)]).unwrap();
    assert!(alone[0].states[1][2] > solo.states[1][2], "share alone beats share among rivals");
}

/// Adds learners l1…ln (cohort "c1"), returning their logins.
fn add_learners(s: &TestServer, n: usize) -> Vec<String> {
    let hash = certbook::app::accounts::hash_password(PASSWORD).unwrap();
    (1..=n)
        .map(|i| {
            let login = format!("l{i}");
            s.store
                .save_account_blocking(login.clone(), format!("学员{i}"), Role::Learner, hash.clone(), None, 0)
                .unwrap();
            login
        })
        .collect()
}

/// ivy creates a duel session of `teams` teams of two from a CSV: learners l1…l(2·teams),
/// team N is l(2N−1) (marketing, captain) and l(2N) (pricing).
pub(crate) async fn create_session(s: &TestServer, ivy: &Client, teams: usize) -> (String, Vec<Vec<Client>>) {
    let logins = add_learners(s, teams * 2);
    let csv: String = logins
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let role = if i % 2 == 0 { "marketing" } else { "pricing" };
            let captain = if i % 2 == 0 { ",captain" } else { "" };
            format!("{l},队{},{role}{captain}\n", i / 2 + 1)
        })
        .collect();
    let (code, v) = ivy
        .post_json(
            "/api/team-sessions",
            &json!({ "scenario": "duel", "title": "周五挑战赛", "form": "csv", "csv": csv }),
        )
        .await;
    assert_eq!(code, 201, "{v}");
    let id = v["id"].as_str().unwrap().to_string();
    assert_eq!(v["teams"].as_array().unwrap().len(), teams);
    let mut clients = Vec::new();
    for t in 0..teams {
        let mut team = Vec::new();
        for m in 0..2 {
            team.push(s.login(&logins[t * 2 + m]).await);
        }
        clients.push(team);
    }
    (id, clients)
}

/// Opens session `id`'s event stream at `base` for `client` and reads its first event
/// (the session as it stands); the response goes on streaming.
pub(crate) async fn listen(client: &Client, base: &TestServer, id: &str) -> reqwest::Response {
    let mut stream = client
        .http
        .get(base.url(&format!("/api/team-sessions/{id}/events")))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    let first = String::from_utf8(stream.chunk().await.unwrap().unwrap().to_vec()).unwrap();
    assert!(first.contains("event: update"), "{first}");
    stream
}

async fn control(ivy: &Client, id: &str, action: &str, minutes: u32) -> Value {
    let (code, v) = ivy
        .post_json(
            &format!("/api/team-sessions/{id}/control"),
            &json!({ "action": action, "minutes": minutes }),
        )
        .await;
    assert_eq!(code, 200, "{action}: {v}");
    v
}

/// Both members submit their role's decision for `round`.
async fn play_round(id: &str, team: &[Client], round: u32, ads: u32, price: &str) -> Value {
    let (code, v) = team[0]
        .post_json(
            &format!("/api/team-sessions/{id}/submit"),
            &json!({ "round": round, "decisions": { "spend": { "ads": ads, "events": 0 } } }),
        )
        .await;
    assert_eq!(code, 200, "{v}");
    let (code, v) = team[1]
        .post_json(
            &format!("/api/team-sessions/{id}/submit"),
            &json!({ "round": round, "decisions": { "price": price } }),
        )
        .await;
    assert_eq!(code, 200, "{v}");
    v
}

#[tokio::test]
async fn teams_play_a_market_session_to_the_end_over_http_and_the_record_replays_in_a_fresh_process() {
    let s = TestServer::start("course-ok").await;
    let ivy = s.login("ivy").await;
    let (id, teams) = create_session(&s, &ivy, 3).await;
    for round in 1..=3u32 {
        let v = control(&ivy, &id, "open", 10).await;
        assert_eq!(v["open_round"], round);
        for (t, team) in teams.iter().enumerate() {
            let v = play_round(&id, team, round, 10 * (t as u32 + 1), "mid").await;
            let last = t == teams.len() - 1;
            assert_eq!(
                v["round"],
                if last { round } else { round - 1 },
                "the round resolves when the last team is in"
            );
        }
    }
    let (_, v) = ivy.get(&format!("/api/team-sessions/{id}")).await;
    assert_eq!(v["status"], "finished");
    let scores: Vec<u64> = v["teams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["final_score"].as_u64().unwrap())
        .collect();
    assert!(scores[2] > scores[0], "the team that spent most won more of the market: {scores:?}");
    assert_eq!(v["leaderboard"].as_array().unwrap().len(), 3);

    // Each member's result is recorded (the transcript's scenario results read it).
    let (_, mine) = teams[2][1].get(&format!("/api/team-sessions/{id}")).await;
    assert_eq!(mine["my_team"]["result"]["score"].as_u64().unwrap(), scores[2]);

    let (code, rec) = ivy.get(&format!("/api/team-sessions/{id}/record")).await;
    assert_eq!(code, 200);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("session.json");
    std::fs::write(&file, rec.to_string()).unwrap();
    let bin = env!("CARGO_BIN_EXE_certbook");
    let out = std::process::Command::new(bin)
        .args(["sandbox", "replay"])
        .arg(&file)
        .arg("--dir")
        .arg(fixture("course-ok"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("3 team(s), 3 round(s) replayed"));
    let mut tampered = rec.clone();
    tampered["teams"][1]["decisions"][0]["price"] = json!("low");
    std::fs::write(&file, tampered.to_string()).unwrap();
    let out = std::process::Command::new(bin)
        .args(["sandbox", "replay"])
        .arg(&file)
        .arg("--dir")
        .arg(fixture("course-ok"))
        .output()
        .unwrap();
    assert!(!out.status.success());
}

#[tokio::test]
async fn a_member_sees_only_their_own_team_and_a_role_cannot_make_another_roles_decision() {
    let s = TestServer::start("course-ok").await;
    let ivy = s.login("ivy").await;
    let (id, teams) = create_session(&s, &ivy, 2).await;
    control(&ivy, &id, "open", 10).await;
    let path = format!("/api/team-sessions/{id}/draft");
    let (code, v) = teams[0][0]
        .send_json(
            reqwest::Method::PUT,
            &path,
            &json!({ "round": 1, "decision": "spend", "value": { "ads": 40, "events": 10 } }),
        )
        .await;
    assert_eq!(code, 204, "{v}");

    // The teammate sees the draft; the other team does not.
    let (_, mate) = teams[0][1].get(&format!("/api/team-sessions/{id}")).await;
    assert_eq!(mate["my_team"]["drafts"][0]["value"]["ads"], 40.0);
    assert!(mate["all_teams"].is_null());
    let (_, rival) = teams[1][0].get(&format!("/api/team-sessions/{id}")).await;
    assert_eq!(rival["my_team"]["team"], 2);
    assert!(rival["my_team"]["drafts"].as_array().unwrap().is_empty());
    assert!(!rival.to_string().contains("\"ads\":40"), "team 1's draft leaked to team 2");
    // Staff see every team.
    let (_, staff) = ivy.get(&format!("/api/team-sessions/{id}")).await;
    assert_eq!(staff["all_teams"].as_array().unwrap().len(), 2);

    // The pricing member cannot draft or submit the marketing decision.
    let (code, v) = teams[0][1]
        .send_json(
            reqwest::Method::PUT,
            &path,
            &json!({ "round": 1, "decision": "spend", "value": { "ads": 0, "events": 0 } }),
        )
        .await;
    assert_eq!((code, v["code"].as_str()), (403, Some("team_decision_not_yours")));
    let (code, v) = teams[0][1]
        .post_json(
            &format!("/api/team-sessions/{id}/submit"),
            &json!({ "round": 1, "decisions": { "spend": { "ads": 0, "events": 0 } } }),
        )
        .await;
    assert_eq!((code, v["code"].as_str()), (403, Some("team_decision_not_yours")));
    // A list naming a learner twice is refused at its line, and nothing is created.
    let (code, v) = ivy
        .post_json(
            "/api/team-sessions",
            &json!({ "scenario": "duel", "form": "csv", "csv": "l1,A\nl2,B\nl1,B\n" }),
        )
        .await;
    assert_eq!((code, v["code"].as_str()), (422, Some("team_csv_twice")), "{v}");
    assert_eq!(ivy.get("/api/team-sessions").await.1.as_array().unwrap().len(), 1);
    // A learner outside the session does not see it; a learner cannot run it.
    let alice = s.login("alice").await;
    assert_eq!(alice.get(&format!("/api/team-sessions/{id}")).await.0, 404);
    let (code, _) = teams[0][0]
        .post_json(&format!("/api/team-sessions/{id}/control"), &json!({ "action": "close" }))
        .await;
    assert_eq!(code, 403);
    // A bad amount is refused with the sandbox's own message, and changes nothing.
    let (code, v) = teams[0][0]
        .post_json(
            &format!("/api/team-sessions/{id}/submit"),
            &json!({ "round": 1, "decisions": { "spend": { "ads": 90, "events": 50 } } }),
        )
        .await;
    assert_eq!((code, v["code"].as_str()), (422, Some("sandbox_allocation_over_total")));
}

#[tokio::test]
async fn a_missed_deadline_plays_the_defaults_and_flags_the_team_and_a_retry_plays_once() {
    let s = TestServer::start("course-ok").await;
    let ivy = s.login("ivy").await;
    let (id, teams) = create_session(&s, &ivy, 3).await;
    control(&ivy, &id, "open", 2).await;
    play_round(&id, &teams[0], 1, 50, "low").await;
    // A retried submission (a double click, a lost response) changes nothing.
    let again = play_round(&id, &teams[0], 1, 50, "low").await;
    assert_eq!(again["round"], 0);
    play_round(&id, &teams[1], 1, 20, "mid").await;
    // Team 3 drafted but never submitted; the deadline passes.
    s.clock.advance(2 * 60_000 + 1);
    let (_, v) = ivy.get(&format!("/api/team-sessions/{id}")).await;
    assert_eq!(v["round"], 1, "the round resolved at its deadline: {v}");
    assert_eq!(v["status"], "ready");
    let flags: Vec<&Value> = v["teams"].as_array().unwrap().iter().map(|t| &t["defaulted"]).collect();
    assert_eq!(flags, [&json!([]), &json!([]), &json!([1])]);
    let t3 = &v["all_teams"][2]["reports"][0]["decisions"];
    assert_eq!(
        t3,
        &json!({ "spend": { "ads": 10.0, "events": 0.0 }, "price": "mid" }),
        "the scenario's defaults"
    );
    let t1 = &v["all_teams"][0]["reports"];
    assert_eq!(t1.as_array().unwrap().len(), 1, "team 1's round was played once");
    // Reading stored nothing; the server's upkeep stores the resolution (once, however
    // many servers run it).
    let stored = s.store.team_session(id.clone()).await.unwrap().unwrap();
    assert_eq!((stored.session.round, stored.session.status.as_str()), (0, "open"));
    assert_eq!(certbook::app::teams::close_overdue(&s.state.ctx()).await.unwrap(), 1);
    assert_eq!(certbook::app::teams::close_overdue(&s.state.ctx()).await.unwrap(), 0);
    let stored = s.store.team_session(id.clone()).await.unwrap().unwrap();
    assert_eq!((stored.session.round, stored.session.status.as_str()), (1, "ready"));
    assert!(stored.rounds.iter().any(|r| r.team == 3 && r.round == 1 && r.defaulted));
    let (_, after) = ivy.get(&format!("/api/team-sessions/{id}")).await;
    assert_eq!(after["all_teams"], v["all_teams"], "what readers saw is what was stored");
    // Team 1 retries its submission after the round resolved: answered, nothing replayed.
    let retried = play_round(&id, &teams[0], 1, 50, "low").await;
    assert_eq!(retried["round"], 1);
    assert_eq!(retried["my_team"]["reports"].as_array().unwrap().len(), 1);
    // Too late: the round is over.
    let (code, v) = teams[2][0]
        .post_json(
            &format!("/api/team-sessions/{id}/submit"),
            &json!({ "round": 1, "decisions": { "spend": { "ads": 0, "events": 0 } } }),
        )
        .await;
    assert_eq!((code, v["code"].as_str()), (409, Some("team_round_not_open")));
}

#[tokio::test]
async fn a_restart_mid_session_resumes_the_same_round_and_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let spec = match std::env::var("CERTBOOK_TEST_POSTGRES") {
        Ok(admin) if !admin.is_empty() => fresh_pg_database(&admin),
        _ => dir.path().join("teams.db").display().to_string(),
    };
    let s = TestServer::start_store_public("course-ok", Store::open_spec(&spec).unwrap()).await;
    let ivy = s.login("ivy").await;
    let (id, teams) = create_session(&s, &ivy, 2).await;
    let before = control(&ivy, &id, "open", 15).await;
    play_round(&id, &teams[0], 1, 30, "low").await;
    let path = format!("/api/team-sessions/{id}/draft");
    teams[1][0]
        .send_json(
            reqwest::Method::PUT,
            &path,
            &json!({ "round": 1, "decision": "spend", "value": { "ads": 20, "events": 0 } }),
        )
        .await;
    drop(teams);
    drop(s);

    let s = TestServer::start_store_public("course-ok", Store::open_spec(&spec).unwrap()).await;
    let ivy = s.login("ivy").await;
    let (_, after) = ivy.get(&format!("/api/team-sessions/{id}")).await;
    assert_eq!(after["open_round"], 1);
    assert_eq!(after["deadline"], before["deadline"]);
    assert_eq!(after["status"], "open");
    assert_eq!(after["teams"][0]["submitted"], true);
    assert_eq!(
        after["all_teams"][1]["drafts"][0]["value"]["ads"], 20.0,
        "a draft survives the restart"
    );
    // The session carries on where it was.
    let l3 = s.login("l3").await;
    let l4 = s.login("l4").await;
    let v = play_round(&id, &[l3, l4], 1, 20, "mid").await;
    assert_eq!(v["round"], 1);
}

#[tokio::test]
async fn a_teammate_hears_a_draft_on_the_live_stream_and_the_instructor_runs_a_what_if_and_judges() {
    let s = TestServer::start("course-ok").await;
    let ivy = s.login("ivy").await;
    let (id, teams) = create_session(&s, &ivy, 2).await;
    control(&ivy, &id, "open", 10).await;
    let mut stream = listen(&teams[0][1], &s, &id).await;
    let started = std::time::Instant::now();
    teams[0][0]
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/team-sessions/{id}/draft"),
            &json!({ "round": 1, "decision": "spend", "value": { "ads": 30, "events": 0 } }),
        )
        .await;
    let next = tokio::time::timeout(std::time::Duration::from_secs(3), stream.chunk())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(String::from_utf8_lossy(&next).contains("event: update"));
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    // Another team's member cannot listen to this session... they can: it is theirs too.
    // A learner outside it cannot.
    let alice = s.login("alice").await;
    assert_eq!(
        alice
            .http
            .get(s.url(&format!("/api/team-sessions/{id}/events")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    for round in 1..=3 {
        if round > 1 {
            control(&ivy, &id, "open", 10).await;
        }
        play_round(&id, &teams[0], round, 30, "mid").await;
        play_round(&id, &teams[1], round, 10, "mid").await;
    }
    // What-if: team 2 had spent 60 in round 2. Equals a fresh replay with that change.
    let (code, w) = ivy
        .post_json(
            &format!("/api/team-sessions/{id}/what-if"),
            &json!({ "team": 2, "round": 2, "decisions": { "spend": { "ads": 60, "events": 0 } } }),
        )
        .await;
    assert_eq!(code, 200, "{w}");
    let (_, rec) = ivy.get(&format!("/api/team-sessions/{id}/record")).await;
    let mut rec: SessionRecord = serde_json::from_value(rec).unwrap();
    rec.teams[1].decisions[1].insert("spend".into(), serde_json::from_value(json!({ "ads": 60, "events": 0 })).unwrap());
    let fresh = rec.compute(duel()).unwrap();
    for t in 0..2 {
        let users = |v: &Value| v["state"].as_array().unwrap().iter().find(|s| s["id"] == "users").unwrap()["values"].clone();
        let want: Vec<f64> = fresh[t].states.iter().map(|s| s["users"]).collect();
        assert_eq!(users(&w["what_if"][t]), json!(want), "team {}", t + 1);
        assert_ne!(users(&w["what_if"][t]), users(&w["real"][t]), "the change moved team {}", t + 1);
    }
    // Judging: five scores from 1 to 5, the best team marked; a learner cannot judge.
    let (code, v) = ivy
        .post_json(
            &format!("/api/team-sessions/{id}/judging"),
            &json!({ "team": 1, "scores": [5, 4, 4, 5, 3], "comment": "数据讲得清楚", "best": true }),
        )
        .await;
    assert_eq!(code, 200, "{v}");
    assert_eq!(v["judging"][0]["total"], 21);
    let (code, _) = ivy
        .post_json(
            &format!("/api/team-sessions/{id}/judging"),
            &json!({ "team": 1, "scores": [6, 4, 4, 5, 3] }),
        )
        .await;
    assert_eq!(code, 422);
    let (code, _) = teams[0][0]
        .post_json(
            &format!("/api/team-sessions/{id}/judging"),
            &json!({ "team": 2, "scores": [5, 5, 5, 5, 5] }),
        )
        .await;
    assert_eq!(code, 403);
    let (_, mine) = teams[0][1].get(&format!("/api/team-sessions/{id}")).await;
    assert_eq!(
        mine["judging"][0]["comment"], "数据讲得清楚",
        "members read the judges' comments once finished"
    );
}
