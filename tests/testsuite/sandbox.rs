//! Sandbox scenarios: determinism, golden runs of the bundled scenarios, bounds
//! under random play, `check` diagnostics, and playing over HTTP.

use crate::harness::{TestServer, fixture};
use certbook::course::Curriculum;
use certbook::sandbox::{RunRecord, Scenario, Sim, parse_scenario, random_decisions};
use proptest::prelude::*;
use rand::SeedableRng;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn bundled() -> &'static Curriculum {
    static CUR: OnceLock<Curriculum> = OnceLock::new();
    CUR.get_or_init(|| {
        certbook::course::load(Path::new(env!("CARGO_MANIFEST_DIR")))
            .expect("bundled course loads")
            .0
    })
}

/// The golden single-player runs (team sessions, `*-session.json`, are replayed in teams.rs).
fn golden_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/sandbox");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.to_string_lossy().ends_with("-session.json"))
        .collect();
    files.sort();
    files
}

fn read_run(path: &Path) -> RunRecord {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn scenario(id: &str) -> &'static Scenario {
    bundled().scenarios.get(id).unwrap_or_else(|| panic!("bundled scenario {id}"))
}

#[test]
fn every_bundled_scenario_has_good_naive_and_reckless_golden_runs() {
    let files = golden_files();
    for id in bundled().scenarios.keys() {
        for kind in ["good", "naive", "reckless"] {
            let want = format!("{id}-{kind}.json");
            assert!(files.iter().any(|f| f.ends_with(&want)), "missing tests/golden/sandbox/{want}");
        }
    }
}

#[test]
fn golden_runs_replay_to_the_exact_state_and_score() {
    for path in golden_files() {
        let run = read_run(&path);
        let stored = run.result.clone().expect("golden runs hold their result");
        let replayed = run
            .replay(scenario(&run.scenario))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(replayed, stored);
        // The model rewards what the course teaches.
        let score = stored.score.expect("golden runs are finished").score;
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let band = match name.rsplit('-').next().unwrap() {
            "good" => 80..=95,
            "naive" => 30..=60,
            "reckless" => 0..=29,
            other => panic!("unexpected golden run kind {other}"),
        };
        assert!(band.contains(&score), "{name} scored {score}, outside {band:?}");
    }
}

#[test]
fn a_run_replays_identically_100_times_and_a_changed_decision_changes_it() {
    let run = read_run(&golden_files().into_iter().find(|p| p.ends_with("growth-good.json")).unwrap());
    let sc = scenario("growth");
    let first = serde_json::to_string(&run.compute(sc).unwrap()).unwrap();
    for _ in 0..100 {
        assert_eq!(serde_json::to_string(&run.compute(sc).unwrap()).unwrap(), first);
    }
    let mut changed = run.clone();
    let spend = changed.decisions[1].get_mut("spend").unwrap();
    let certbook::sandbox::DecisionValue::Allocation(m) = spend else {
        panic!("spend is an allocation")
    };
    *m.get_mut("social").unwrap() -= 1000.0;
    assert_ne!(serde_json::to_string(&changed.compute(sc).unwrap()).unwrap(), first);
    assert!(changed.replay(sc).is_err(), "the stored result no longer matches");
    let mut reseeded = run.clone();
    reseeded.seed += 1;
    assert_ne!(serde_json::to_string(&reseeded.compute(sc).unwrap()).unwrap(), first);
}

#[test]
fn the_cli_replays_a_stored_run_in_a_fresh_process_and_rejects_a_tampered_one() {
    let root = env!("CARGO_MANIFEST_DIR");
    let bin = env!("CARGO_BIN_EXE_certbook");
    let golden = Path::new(root).join("tests/golden/sandbox/growth-good.json");
    let out = std::process::Command::new(bin)
        .args(["sandbox", "replay"])
        .arg(&golden)
        .args(["--dir", root])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("identical"), "{stdout}");

    let mut run: Value = serde_json::from_str(&std::fs::read_to_string(&golden).unwrap()).unwrap();
    run["result"]["score"]["score"] = json!(100);
    let dir = tempfile::tempdir().unwrap();
    let forged = dir.path().join("forged.json");
    std::fs::write(&forged, run.to_string()).unwrap();
    let out = std::process::Command::new(bin)
        .args(["sandbox", "replay"])
        .arg(&forged)
        .args(["--dir", root])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("differs"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    /// Whatever valid decisions a learner makes, every state variable stays within
    /// its bounds without being clamped, and no value is NaN or infinite.
    #[test]
    fn random_valid_decisions_keep_every_scenario_in_bounds(seed in 0u64..(1 << 53), chooser in any::<u64>()) {
        for sc in bundled().scenarios.values() {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(chooser);
            let mut sim = Sim::new(sc, seed);
            for _ in 0..sc.rounds {
                let opening = sim.open().unwrap();
                let d = random_decisions(&opening, &mut rng);
                sim.play(&opening, &d).unwrap();
                for (var, v) in sc.state.iter().zip(&sim.state) {
                    prop_assert!(v.is_finite(), "{}: {} is {}", sc.id, var.id, v);
                    prop_assert!(var.min.is_none_or(|m| *v >= m) && var.max.is_none_or(|m| *v <= m));
                }
            }
            prop_assert!(sim.violations.is_empty(), "{}: {:?}", sc.id, sim.violations);
            let card = sim.score().unwrap();
            prop_assert!(card.score <= 100);
        }
    }
}

#[test]
fn automatic_play_finds_nothing_wrong_in_the_bundled_scenarios() {
    let diags = certbook::course::autoplay_scenarios(bundled(), 300);
    assert!(diags.0.is_empty(), "{:#?}", diags.0);
}

#[test]
fn check_reports_scenario_mistakes_with_their_lines() {
    let diags = certbook::course::load(&fixture("broken")).expect_err("broken").0;
    let find = |needle: &str| {
        diags
            .iter()
            .find(|d| d.file.ends_with("bad.toml") && d.message.contains(needle))
            .unwrap_or_else(|| panic!("no diagnostic containing {needle:?} in {diags:#?}"))
    };
    assert_eq!(find("unknown variable `spnd`").line, 25);
    assert!(
        find("unknown variable `spnd`")
            .help
            .as_deref()
            .unwrap()
            .contains("did you mean `spend`")
    );
    assert_eq!(find("cannot parse formula").line, 29);
    assert_eq!(find("round 5 does not exist").line, 33);
    assert_eq!(find("unknown variable `profit`").line, 38);
    assert_eq!(find("maximums add up to 60, below the exact total 100").line, 14);
}

#[test]
fn automatic_play_reports_division_by_zero_and_values_out_of_bounds() {
    let path = fixture("broken").join("content/scenarios/blowup.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let (sc, diags) = parse_scenario(Path::new("blowup.toml"), &text);
    assert!(diags.is_empty(), "{diags:#?}");
    let findings = certbook::sandbox::autoplay(&sc.unwrap(), 50);
    let line = |f: &certbook::sandbox::Finding| certbook::diag::line_col(&text, f.span.start).0;
    let inf = findings.iter().find(|f| f.message.contains("gives inf")).expect("100 / 0 is found");
    assert_eq!(line(inf), 31);
    let over = findings
        .iter()
        .find(|f| f.message.contains("above its max 100"))
        .expect("level overflow is found");
    assert_eq!(line(over), 27);
    assert!(over.message.contains("`level`") && over.message.contains("seed"));
}

// ---------- over HTTP ----------

fn alloc(a: f64, b: f64, plan: &str) -> Value {
    json!({ "spend": { "a": a, "b": b }, "plan": plan })
}

async fn play(c: &crate::harness::Client, run: &str, round: u32, d: Value) -> (u16, Value) {
    c.post_json(&format!("/api/runs/{run}/rounds"), &json!({ "round": round, "decisions": d }))
        .await
}

#[tokio::test]
async fn a_learner_plays_a_scenario_to_the_end_and_the_stored_run_replays() {
    let s = TestServer::start("course-ok").await;
    let alice = s.login("alice").await;
    let (code, status) = alice.get("/api/scenarios/tiny").await;
    assert_eq!((code, status["runs_left"].as_u64()), (200, Some(2)));
    let (code, run) = alice.post_json("/api/scenarios/tiny/runs", &json!({})).await;
    assert_eq!(code, 201, "{run}");
    let id = run["id"].as_str().unwrap().to_string();
    assert_eq!(run["next"]["round"], 1);
    assert!(!run.to_string().contains("spend.a * rate"), "formulas never reach the page");
    assert!(
        run["state"].as_array().unwrap().iter().all(|v| v["id"] != "risk"),
        "hidden state stays hidden"
    );

    let (code, r1) = play(&alice, &id, 1, alloc(40.0, 20.0, "risky")).await;
    assert_eq!(code, 200, "{r1}");
    assert_eq!(r1["rounds_played"], 1);
    let cash = r1["state"].as_array().unwrap().iter().find(|v| v["id"] == "cash").unwrap();
    assert_eq!(cash["values"], json!([100.0, 40.0]));
    assert_eq!(r1["next"]["decisions"][0]["total"], 40.0, "the round offers what is left");
    assert!(r1["next"]["messages"][0]["text"].as_str().unwrap().contains("现金 40"));
    // Reloading resumes the same run where it stands.
    let (code, resumed) = alice.post_json("/api/scenarios/tiny/runs", &json!({})).await;
    assert_eq!((code, &resumed["id"], &resumed["rounds_played"]), (200, &json!(id), &json!(1)));

    let (code, done) = play(&alice, &id, 2, alloc(40.0, 0.0, "safe")).await;
    assert_eq!(code, 200, "{done}");
    assert_eq!(done["status"], "finished");
    let score = done["result"]["score"].as_u64().unwrap();
    assert!(score > 0 && score <= 100);
    assert_eq!(
        done["result"]["objectives"][0]["lesson_url"].as_str().is_some(),
        done["result"]["objectives"][0]["met"] == false
    );
    let (_, status) = alice.get("/api/scenarios/tiny").await;
    assert_eq!(
        (status["best_score"].as_u64(), status["runs_left"].as_u64()),
        (Some(score), Some(1))
    );

    // The downloadable record replays to the same result.
    let (code, record) = alice.get(&format!("/api/runs/{id}/record")).await;
    assert_eq!(code, 200);
    let rec: RunRecord = serde_json::from_value(record).unwrap();
    let (cur, _) = certbook::course::load(&fixture("course-ok")).unwrap();
    let replayed = rec.replay(&cur.scenarios["tiny"]).expect("the stored run replays");
    assert_eq!(replayed.score.unwrap().score as u64, score);
}

#[tokio::test]
async fn tampered_or_out_of_range_decisions_get_a_4xx_and_change_nothing() {
    let s = TestServer::start("course-ok").await;
    let alice = s.login("alice").await;
    let (_, run) = alice.post_json("/api/scenarios/tiny/runs", &json!({})).await;
    let id = run["id"].as_str().unwrap().to_string();
    let cases = [
        (alloc(70.0, 50.0, "safe"), "超过了可用的 100"),
        (alloc(-10.0, 0.0, "safe"), "必须在 0～100 之间"),
        (alloc(0.0, 70.0, "safe"), "必须在 0～60 之间"),
        (alloc(15.0, 0.0, "safe"), "10 的整数倍"),
        (alloc(10.0, 0.0, "yolo"), "「yolo」不是本轮「方案」的选项"),
        (json!({ "spend": { "a": 10, "b": 0 } }), "缺少决策「方案」"),
        (
            json!({ "spend": { "a": 10, "b": 0, "c": 5 }, "plan": "safe" }),
            "「c」不是「投放」的选项",
        ),
        (
            json!({ "spend": { "a": 10, "b": 0 }, "plan": "safe", "cheat": "x" }),
            "本轮没有决策「cheat」",
        ),
        (json!({ "spend": "all", "plan": "safe" }), "「投放」需要为每个选项填写数额"),
    ];
    for (d, needle) in cases {
        let (code, body) = play(&alice, &id, 1, d.clone()).await;
        assert_eq!(code, 422, "{d}: {body}");
        assert!(body["error"].as_str().unwrap().contains(needle), "{d}: {body}");
    }
    let (code, body) = play(&alice, &id, 2, alloc(10.0, 0.0, "safe")).await;
    assert_eq!(code, 409, "cannot skip a round: {body}");
    let (code, body) = alice
        .post_raw(&format!("/api/runs/{id}/rounds"), "application/json", "{\"round\": 1")
        .await;
    assert!((400..500).contains(&code), "{body}");
    let (_, now) = alice.get(&format!("/api/runs/{id}")).await;
    assert_eq!(now["rounds_played"], 0, "nothing was recorded");
}

#[tokio::test]
async fn another_learner_can_neither_read_nor_continue_a_run_and_staff_can_read_it() {
    let s = TestServer::start("course-ok").await;
    let alice = s.login("alice").await;
    let bob = s.login("bob").await;
    let (_, run) = alice.post_json("/api/scenarios/tiny/runs", &json!({})).await;
    let id = run["id"].as_str().unwrap().to_string();
    assert_eq!(bob.get(&format!("/api/runs/{id}")).await.0, 404);
    assert_eq!(bob.get(&format!("/api/runs/{id}/record")).await.0, 404);
    assert_eq!(play(&bob, &id, 1, alloc(10.0, 0.0, "safe")).await.0, 404);
    assert_eq!(s.anonymous().get(&format!("/api/runs/{id}")).await.0, 401);
    assert_eq!(s.login("ivy").await.get(&format!("/api/runs/{id}")).await.0, 200);
    assert_eq!(s.login("hana").await.get(&format!("/api/runs/{id}")).await.0, 200);
    let (_, now) = alice.get(&format!("/api/runs/{id}")).await;
    assert_eq!(now["rounds_played"], 0);
}

#[tokio::test]
async fn a_double_submitted_round_is_played_once_and_runs_stop_at_the_limit() {
    let s = TestServer::start("course-ok").await;
    let alice = s.login("alice").await;
    for n in 0..2 {
        let (code, run) = alice.post_json("/api/scenarios/tiny/runs", &json!({})).await;
        assert_eq!(code, 201, "run {n}: {run}");
        let id = run["id"].as_str().unwrap().to_string();
        let d = alloc(50.0, 10.0, "safe");
        let (a, b) = tokio::join!(play(&alice, &id, 1, d.clone()), play(&alice, &id, 1, d.clone()));
        assert_eq!((a.0, b.0), (200, 200));
        assert_eq!(a.1, b.1, "both see the one recorded round");
        // The same round with different decisions is a conflict, not a replay.
        assert_eq!(play(&alice, &id, 1, alloc(0.0, 0.0, "safe")).await.0, 409);
        let (code, done) = play(&alice, &id, 2, alloc(0.0, 0.0, "safe")).await;
        assert_eq!((code, &done["status"]), (200, &json!("finished")));
        // A retry of the final round returns the same finished run.
        let (code, again) = play(&alice, &id, 2, alloc(0.0, 0.0, "safe")).await;
        assert_eq!((code, &again["result"]), (200, &done["result"]));
        assert_eq!(play(&alice, &id, 3, alloc(0.0, 0.0, "safe")).await.0, 409);
    }
    let (code, body) = alice.post_json("/api/scenarios/tiny/runs", &json!({})).await;
    assert_eq!(code, 409, "{body}");
    let rows = s.store.count_rows_blocking(certbook::store::Table::Runs).unwrap();
    assert_eq!(rows, 2);
    assert_eq!(alice.post_json("/api/scenarios/nope/runs", &json!({})).await.0, 404);
}

#[tokio::test]
async fn the_bundled_growth_scenario_plays_to_the_end_over_http() {
    let s = TestServer::start_at(Path::new(env!("CARGO_MANIFEST_DIR"))).await;
    let alice = s.login("alice").await;
    let golden = read_run(&golden_files().into_iter().find(|p| p.ends_with("growth-good.json")).unwrap());
    let (code, run) = alice.post_json("/api/scenarios/growth/runs", &json!({})).await;
    assert_eq!(code, 201);
    let id = run["id"].as_str().unwrap().to_string();
    let mut last = run;
    for (i, d) in golden.decisions.iter().enumerate() {
        let (code, v) = play(&alice, &id, i as u32 + 1, serde_json::to_value(d).unwrap()).await;
        assert_eq!(code, 200, "round {}: {v}", i + 1);
        last = v;
    }
    assert_eq!(last["status"], "finished");
    let score = last["result"]["score"].as_u64().unwrap();
    // Another seed than the golden run, same strategy: still a good score.
    assert!((75..=100).contains(&score), "{score}");
    assert!(
        last["reports"][2]["opening"][0]["text"].as_str().unwrap().contains("30%"),
        "round 3 announces the price rise"
    );
}
