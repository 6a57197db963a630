//! A team session in real headless Chromium: an instructor creates a session of
//! 产品运营沙盘 from the page, three teams of two (six browser sessions) play all
//! eight rounds from their own screens, a teammate's draft appears live, and the
//! instructor reads the leaderboard and debrief and runs a what-if.

use crate::browser::{browser, log_in, screenshot, start_driver};
use crate::harness::{PASSWORD, TestServer};
use certbook::store::Role;
use fantoccini::{Client, Locator};
use std::time::Duration;

type R<T> = Result<T, fantoccini::error::CmdError>;

async fn attr(c: &Client, css: &str, name: &str) -> R<Option<String>> {
    c.find(Locator::Css(css)).await?.attr(name).await
}

/// Waits until the session page's root shows `name = value` (the page sets them after each draw).
async fn until(c: &Client, name: &str, value: &str) -> R<()> {
    for _ in 0..300 {
        if attr(c, "#cb-team", name).await?.as_deref() == Some(value) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let page = c
        .execute(
            "var r = document.getElementById('cb-team'); return [r.getAttribute('data-revision'), document.getElementById('cb-team-status').textContent, document.getElementById('cb-team-error').textContent].join(' | ');",
            vec![],
        )
        .await?;
    panic!(
        "the page never showed {name}={value} (it shows {:?}; revision | status | error: {page})",
        attr(c, "#cb-team", name).await?
    );
}

/// Clicks "submit my decisions" until the page shows them in (its inputs locked), the
/// team in, or the round resolved. A live redraw can move the button between the
/// driver's scroll and its click, and a person would simply click again.
async fn submit_mine(c: &Client, resolved: u32) -> R<()> {
    let done = format!(
        "var r = document.getElementById('cb-team');
         if (r.getAttribute('data-round') !== '{resolved}') return true;
         if (document.querySelector('#cb-team-round .cb-team-in')) return true;
         var mine = document.querySelectorAll('#cb-team-round fieldset[data-mine=\"1\"]');
         return mine.length > 0 && Array.prototype.every.call(mine, function (f) {{
           return Array.prototype.every.call(f.querySelectorAll('input'), function (i) {{ return i.disabled; }});
         }});"
    );
    for _ in 0..3 {
        click(c, "button[data-action=submit]").await?;
        for _ in 0..30 {
            if c.execute(&done, vec![]).await?.as_bool() == Some(true) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    panic!("the submission never showed: {}", page_state(c).await?);
}

/// The page's revision, status line and error line, for a failure message.
async fn page_state(c: &Client) -> R<String> {
    let v = c
        .execute(
            "var r = document.getElementById('cb-team'); return [r.getAttribute('data-round'), r.getAttribute('data-revision'), document.getElementById('cb-team-status').textContent, document.getElementById('cb-team-error').textContent, JSON.stringify(window.cbTeamErrors || [])].join(' | ');",
            vec![],
        )
        .await?;
    Ok(v.as_str().unwrap_or_default().to_string())
}

/// Like [`until`], returning what the page shows instead of panicking.
async fn until_quiet(c: &Client, name: &str, value: &str) -> R<Result<(), String>> {
    for _ in 0..300 {
        if attr(c, "#cb-team", name).await?.as_deref() == Some(value) {
            return Ok(Ok(()));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(Err(format!(
        "the instructor's page never showed {name}={value}: {}",
        page_state(c).await?
    )))
}

/// Clicks `css`, finding it again if a live redraw replaced it meanwhile.
async fn click(c: &Client, css: &str) -> R<()> {
    let mut tries = 0;
    loop {
        let e = c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css(css)).await?;
        let done = async {
            c.execute("arguments[0].scrollIntoView({block: 'center'});", vec![serde_json::to_value(&e)?])
                .await?;
            e.click().await
        }
        .await;
        match done {
            Err(fantoccini::error::CmdError::Standard(w))
                if w.error == fantoccini::error::ErrorStatus::StaleElementReference && tries < 10 =>
            {
                tries += 1;
            }
            other => return other,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_teams_of_two_and_an_instructor_play_product_ops_to_the_end_in_the_browser() {
    let Some(driver) = start_driver() else { return };
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let s = TestServer::start_at(root).await;
    let hash = certbook::app::accounts::hash_password(PASSWORD).unwrap();
    for i in 1..=6 {
        s.store
            .save_account_blocking(format!("m{i}"), format!("队员{i}"), Role::Learner, hash.clone(), None, 0)
            .unwrap();
    }
    let rounds = s.state.curriculum().scenarios["product-ops"].rounds;
    let profiles: Vec<tempfile::TempDir> = (0..7).map(|_| tempfile::tempdir().unwrap()).collect();
    let ivy = browser(&driver, profiles[0].path()).await;
    let mut members = Vec::new();
    for p in &profiles[1..] {
        members.push(browser(&driver, p.path()).await);
    }
    let result = async {
        // The instructor creates the session from the page: three teams of two, roles split.
        log_in(&ivy, &s, "ivy", "/sessions").await?;
        ivy.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("form.cb-team-create"))
            .await?;
        ivy.find(Locator::Css("#cb-tc-scenario option[value=product-ops]"))
            .await?
            .click()
            .await?;
        ivy.find(Locator::Id("cb-tc-title")).await?.send_keys("周五小组挑战赛").await?;
        ivy.find(Locator::Css("input[name=form][value=csv]")).await?.click().await?;
        let csv: String = (1..=6)
            .map(|i| {
                let team = (i + 1) / 2;
                if i % 2 == 1 {
                    format!("m{i},第{team}队,product;marketing,captain\n")
                } else {
                    format!("m{i},第{team}队,operations;data\n")
                }
            })
            .collect();
        ivy.find(Locator::Id("cb-tc-csv")).await?.send_keys(&csv).await?;
        click(&ivy, "form.cb-team-create button[type=submit]").await?;
        ivy.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("#cb-team[data-status=ready]"))
            .await?;
        let url = ivy.current_url().await?;
        let path = url.path().to_string();
        assert!(path.starts_with("/sessions/"), "{path}");
        for (i, m) in members.iter().enumerate() {
            log_in(m, &s, &format!("m{}", i + 1), &path).await?;
            m.wait()
                .at_most(Duration::from_secs(10))
                .for_element(Locator::Css("#cb-team[data-status=ready]"))
                .await?;
        }

        for round in 1..=rounds {
            click(&ivy, "button[data-action=open]").await?;
            // Each page must have the previous round resolved and this one open (a
            // page still showing the last round's form would submit to a closed round).
            for m in &members {
                until(m, "data-round", &(round - 1).to_string()).await?;
                until(m, "data-status", "open").await?;
            }
            if round == 1 {
                // Member 2 (operations) changes a channel amount: member 1 sees the draft without reloading.
                let input = members[1]
                    .wait()
                    .at_most(Duration::from_secs(10))
                    .for_element(Locator::Css("fieldset[data-mine='1'] input[type=number]"))
                    .await?;
                input.clear().await?;
                input.send_keys("0").await?;
                let seen = members[0]
                    .wait()
                    .at_most(Duration::from_secs(5))
                    .for_element(Locator::Css("fieldset[data-mine='0'] .cb-team-draft"))
                    .await?;
                assert!(seen.text().await?.contains("队员2"), "{}", seen.text().await?);
                screenshot(&members[0], "team-member-round1.png").await;
                screenshot(&ivy, "team-console-round1.png").await;
            }
            for m in &members {
                submit_mine(m, round - 1).await?;
            }
            if let Err(e) = until_quiet(&ivy, "data-round", &round.to_string()).await? {
                let mut pages = Vec::new();
                for (i, m) in members.iter().enumerate() {
                    pages.push(format!("member {}: {}", i + 1, page_state(m).await?));
                }
                let id = path.trim_start_matches("/sessions/").to_string();
                let stored = s.store.team_session(id).await.unwrap().unwrap();
                panic!(
                    "{e}\n{}\nstored: round {} {} rev {}; rows {:?}; drafts {:?}",
                    pages.join("\n"),
                    stored.session.round,
                    stored.session.status,
                    stored.session.revision,
                    stored.rounds.iter().map(|r| (r.team, r.round, r.defaulted)).collect::<Vec<_>>(),
                    stored
                        .drafts
                        .iter()
                        .map(|d| (d.team, d.decision.clone(), d.submitted))
                        .collect::<Vec<_>>()
                );
            }
        }
        until(&ivy, "data-status", "finished").await?;
        // No page met an error on the way (a failed request or a part that failed to draw).
        for (who, c) in std::iter::once(("ivy", &ivy)).chain(members.iter().map(|m| ("member", m))) {
            let err = c.find(Locator::Id("cb-team-error")).await?.text().await?;
            assert!(err.is_empty(), "{who}'s page shows an error: {err}");
            let thrown = c.execute("return window.cbTeamErrors || [];", vec![]).await?;
            assert_eq!(thrown, serde_json::json!([]), "{who}'s page failed to draw");
        }
        for m in &members {
            until(m, "data-status", "finished").await?;
            let result = m
                .wait()
                .at_most(Duration::from_secs(10))
                .for_element(Locator::Css(".cb-team-result"))
                .await?;
            assert!(result.text().await?.contains("最终得分"));
        }
        // Phone width: the member's page still reads.
        members[2].set_window_size(390, 844).await?;
        screenshot(&members[2], "team-member-finished-phone.png").await;

        // The leaderboard and the debrief show every team.
        let rows = ivy.find_all(Locator::Css("table.cb-team-board tbody tr")).await?;
        assert_eq!(rows.len(), 3);
        // The market report: a column per team.
        let report = ivy.find_all(Locator::Css("table.cb-market-report thead th")).await?;
        assert_eq!(report.len(), 1 + 3);
        // What-if: team 2 changes its first decision of round 2; the whole market is recomputed.
        ivy.find(Locator::Css("#cb-wi-team option[value='2']")).await?.click().await?;
        ivy.find(Locator::Css("#cb-wi-round option[value='2']")).await?.click().await?;
        ivy.find(Locator::Css("#cb-wi-decision option[value='dev']")).await?.click().await?;
        let value = ivy.find(Locator::Id("cb-wi-value")).await?;
        value.clear().await?;
        value.send_keys(r#"{"onboard": 0, "core": 300, "social": 0, "member": 0}"#).await?;
        click(&ivy, "button[data-action=what-if]").await?;
        let rows = ivy
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("table.cb-what-if-table"))
            .await?
            .find_all(Locator::Css("tbody tr"))
            .await?;
        assert_eq!(rows.len(), 3);
        let mut deltas = Vec::new();
        for r in &rows {
            deltas.push(r.find(Locator::Css("td:last-child")).await?.text().await?);
        }
        assert!(deltas.iter().any(|d| d != "0"), "the change moved some team's score: {deltas:?}");
        screenshot(&ivy, "team-debrief.png").await;
        // Judging: the instructor scores team 1's presentation and marks it best.
        let form = "fieldset[data-judge-team='1']";
        let first = ivy.find(Locator::Css(&format!("{form} input[data-rubric='0']"))).await?;
        first.clear().await?;
        first.send_keys("5").await?;
        ivy.find(Locator::Css(&format!("{form} textarea")))
            .await?
            .send_keys("定位清楚，数据讲得明白")
            .await?;
        ivy.find(Locator::Css(&format!("{form} input[type=checkbox]")))
            .await?
            .click()
            .await?;
        click(&ivy, &format!("{form} button[data-action=judge]")).await?;
        let row = ivy
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("table.cb-judging tbody tr"))
            .await?;
        let text = row.text().await?;
        assert!(text.contains("★") && text.contains("5 / 3 / 3 / 3 / 3 = 17"), "{text}");
        // Members read the judges' comments once the session is over.
        for _ in 0..50 {
            if members[1].find(Locator::Css("table.cb-judging")).await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let seen = members[1].find(Locator::Css("table.cb-judging")).await?.text().await?;
        assert!(seen.contains("定位清楚"), "{seen}");
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    let _ = ivy.close().await;
    for m in members {
        let _ = m.close().await;
    }
    result.unwrap();
}
