//! Certification rules that require a team session score (`team_scenarios`): the loader
//! checks the scenario id and refuses it as a renewal requirement, and over HTTP the
//! members of the team that reached the minimum in a finished `duel` session are
//! certified while the other team's members are not.

use crate::harness::{Client, TestServer, copy_dir, fixture};
use serde_json::{Value, json};
use std::path::Path;

/// The minimum team score the added level asks for.
const MIN: u64 = 70;

/// The fixture course plus a level `team` (no level below needed) requiring
/// `team_scenarios = { <scenario> = MIN }`, with `more` appended to the level.
fn course_with_team_level(dir: &Path, scenario: &str, more: &str) {
    copy_dir(&fixture("course-ok"), dir);
    let cert = dir.join("content/certification.toml");
    let mut text = std::fs::read_to_string(&cert).unwrap();
    text.push_str(&format!(
        "\n[[level]]\nid = \"team\"\ntitle = \"演示团队\"\nsummary = \"团队推演达标。\"\nprevious = false\nteam_scenarios = {{ {scenario} = {MIN} }}\n{more}"
    ));
    std::fs::write(&cert, text).unwrap();
}

fn errors(dir: &Path) -> Vec<certbook::diag::Diagnostic> {
    certbook::course::load(dir).expect_err("the track is refused").0
}

#[test]
fn an_unknown_team_scenario_is_reported_with_the_id_meant() {
    let dir = tempfile::tempdir().unwrap();
    course_with_team_level(dir.path(), "dual", "");
    let d = errors(dir.path());
    let e = d
        .iter()
        .find(|e| e.message == "level `team` requires unknown scenario `dual`")
        .unwrap_or_else(|| panic!("{d:#?}"));
    assert_eq!(e.help.as_deref(), Some("did you mean `duel`?"));
    assert_eq!(e.file, Path::new("content/certification.toml"));
    let text = std::fs::read_to_string(dir.path().join("content/certification.toml")).unwrap();
    assert_eq!(e.line, text.lines().position(|l| l.starts_with("team_scenarios")).unwrap() + 1);
}

#[test]
fn a_team_scenario_needs_no_lesson_but_cannot_renew_a_certificate() {
    // A team session can be started on any scenario: one no lesson embeds still counts.
    let dir = tempfile::tempdir().unwrap();
    course_with_team_level(dir.path(), "duel", "");
    let lesson = dir.path().join("content/demo/m1/02-limits.md");
    let text = std::fs::read_to_string(&lesson).unwrap();
    std::fs::write(&lesson, text.replace("{{#sandbox duel}}", "")).unwrap();
    let (cur, _) = certbook::course::load(dir.path()).expect("a team scenario need not be embedded");
    let level = cur.track.as_ref().unwrap().levels.iter().find(|l| l.id == "team").unwrap();
    assert_eq!(
        level.requirements,
        [certbook::certify::Requirement::TeamScenario {
            id: "duel".into(),
            min: MIN as f64
        }]
    );

    let dir = tempfile::tempdir().unwrap();
    course_with_team_level(
        dir.path(),
        "duel",
        "valid_months = 12\n\n[level.renew]\nteam_scenarios = { duel = 80 }\n",
    );
    let d = errors(dir.path());
    let e = d
        .iter()
        .find(|e| e.message.contains("team results cannot renew a certificate"))
        .unwrap_or_else(|| panic!("{d:#?}"));
    assert_eq!(
        e.message,
        "level `team` renews with team session `duel`: team results cannot renew a certificate"
    );
    assert!(
        e.help
            .as_deref()
            .unwrap()
            .contains("renewal windows are not supported for team results")
    );
}

/// The team's marketing member spends `ads` and its pricing member sets `price`.
async fn play_round(id: &str, team: &[Client], round: u32, ads: u32, price: &str) {
    let path = format!("/api/team-sessions/{id}/submit");
    let (code, v) = team[0]
        .post_json(
            &path,
            &json!({ "round": round, "decisions": { "spend": { "ads": ads, "events": 0 } } }),
        )
        .await;
    assert_eq!(code, 200, "{v}");
    let (code, v) = team[1]
        .post_json(&path, &json!({ "round": round, "decisions": { "price": price } }))
        .await;
    assert_eq!(code, 200, "{v}");
}

/// The learner's standing on level `team`.
async fn team_level(c: &Client) -> (Value, Value) {
    let (code, p) = c.get("/api/progress").await;
    assert_eq!(code, 200, "{p}");
    let level = p["levels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["level"] == "team")
        .unwrap_or_else(|| panic!("level team: {p}"))
        .clone();
    let cert = p["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["level"] == "team")
        .cloned()
        .unwrap_or(Value::Null);
    (level, cert)
}

#[tokio::test]
async fn the_members_of_the_team_that_reached_the_minimum_in_a_team_session_are_certified() {
    let dir = tempfile::tempdir().unwrap();
    course_with_team_level(dir.path(), "duel", "");
    let (cur, _) = certbook::course::load(dir.path()).unwrap();
    let lesson = cur.lesson_for_scenario("duel").map(|(_, _, l)| l.id.clone()).unwrap();
    let lesson_url = cur.page_url(&lesson).unwrap();
    let label = format!("团队推演「小市场」达到 {MIN} 分");
    let s = TestServer::start_at(dir.path()).await;
    let ivy = s.login("ivy").await;
    let (id, teams) = crate::teams::create_session(&s, &ivy, 2).await;

    // Before the session the requirement is unmet, labelled and linked to the lesson
    // that embeds the scenario.
    let (level, _) = team_level(&teams[0][0]).await;
    let r = &level["requirements"][0];
    assert_eq!(
        (r["kind"].as_str(), r["id"].as_str(), r["min"].as_f64()),
        (Some("team_scenario"), Some("duel"), Some(MIN as f64))
    );
    assert_eq!(r["label"], label.as_str());
    assert_eq!(r["url"], lesson_url.as_str());
    assert_eq!((r["met"].as_bool(), r["value"].is_null()), (Some(false), true));

    // 队1 spends most of its cash on ads at a low price in round 1 (keeping the default
    // spend of 10 for each later round); 队2 spends nothing and prices high: 队1 takes
    // most of the market.
    for round in 1..=3u32 {
        let (code, v) = ivy
            .post_json(
                &format!("/api/team-sessions/{id}/control"),
                &json!({ "action": "open", "minutes": 10 }),
            )
            .await;
        assert_eq!(code, 200, "{v}");
        play_round(&id, &teams[0], round, if round == 1 { 80 } else { 10 }, "low").await;
        // Nothing is certified while the session runs.
        assert_eq!(team_level(&teams[0][0]).await.1, Value::Null);
        play_round(&id, &teams[1], round, 0, "high").await;
    }
    let (_, v) = ivy.get(&format!("/api/team-sessions/{id}")).await;
    assert_eq!(v["status"], "finished", "{v}");
    let scores: Vec<u64> = v["teams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["final_score"].as_u64().unwrap())
        .collect();
    assert!(scores[0] >= MIN && scores[1] < MIN, "one team on each side of {MIN}: {scores:?}");

    for (t, team) in teams.iter().enumerate() {
        for member in team {
            let (level, cert) = team_level(member).await;
            let r = &level["requirements"][0];
            assert_eq!(r["value"].as_f64(), Some(scores[t] as f64), "{level}");
            if t == 0 {
                assert_eq!((level["met"].as_bool(), level["held"].as_bool()), (Some(true), Some(true)));
                assert_eq!(cert["status"], "valid", "{cert}");
            } else {
                assert_eq!((level["met"].as_bool(), level["held"].as_bool()), (Some(false), Some(false)));
                assert_eq!(r["met"], false);
                assert_eq!(cert, Value::Null, "no certificate below the minimum");
            }
        }
    }
    // A learner in no session has no team result.
    let (level, cert) = team_level(&s.login("bob").await).await;
    assert!(level["requirements"][0]["value"].is_null() && cert.is_null());

    // The signed credential names the requirement in its criteria.
    let (_, cert) = team_level(&teams[0][1]).await;
    let (code, cred) = teams[0][1]
        .get(&format!("/api/certificates/{}/credential", cert["id"].as_str().unwrap()))
        .await;
    assert_eq!(code, 200, "{cred}");
    let narrative = cred["credentialSubject"]["achievement"]["criteria"]["narrative"].as_str().unwrap();
    assert!(narrative.contains(&label), "{narrative}");

    // The certification page lists the kind of requirement and the level's line.
    let page = reqwest::get(s.url("/certification.html")).await.unwrap().text().await.unwrap();
    assert!(page.contains("讲师组织的团队推演中"), "the kinds of requirement");
    assert!(page.contains(&format!("」团队得分 ≥ {MIN}")), "the level's requirement");
}
