//! Accessibility: axe-core (npm, pinned in tests/interop) run inside headless Chromium on
//! every page type, in both interface languages: no WCAG 2 A/AA violation; and on an
//! English course, no Chinese anywhere in the interface.

use crate::browser::{browser, log_in, screenshot, start_driver, start_sheet};
use crate::harness::TestServer;
use fantoccini::{Client, Locator};
use serde_json::json;
use std::time::Duration;

/// axe-core's script, from tests/interop's lockfile (`npm ci --prefix tests/interop`).
fn axe_source() -> Option<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/node_modules/axe-core/axe.min.js");
    match std::fs::read_to_string(&path) {
        Ok(s) => Some(s),
        Err(_) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "axe-core is missing at {}: .ci/run must run npm ci --prefix tests/interop",
                path.display()
            );
            eprintln!("skipping the accessibility test: run npm ci --prefix tests/interop");
            None
        }
    }
}

/// The WCAG 2 A and AA violations axe-core finds on the page the browser shows; on an
/// English course's page, also any Chinese the page shows (its text, labels, titles and
/// placeholders).
async fn axe_violations(c: &Client, axe: &str, page: &str) -> Result<Vec<String>, fantoccini::error::CmdError> {
    let mut found = Vec::new();
    if page.starts_with("en ") {
        let shown = c
            .execute(
                "return document.title + '\\n' + document.body.innerText + '\\n' +
                   Array.from(document.querySelectorAll('[placeholder],[title],[aria-label],[alt],input[type=submit],input[type=button]'))
                     .map(e => [e.placeholder, e.title, e.getAttribute('aria-label'), e.alt, e.value].filter(Boolean).join(' ')).join('\\n');",
                vec![],
            )
            .await?;
        let shown = shown.as_str().unwrap_or_default();
        let chinese: Vec<&str> = shown.lines().filter(|l| l.chars().any(is_cjk)).take(5).collect();
        if !chinese.is_empty() {
            found.push(format!("{page}: Chinese on an English course's page: {chinese:?}"));
        }
    }
    // What was checked, to look at: target/screenshots/a11y-….png.
    let slug: String = page.chars().map(|ch| if ch.is_ascii_alphanumeric() { ch } else { '-' }).collect();
    screenshot(c, &format!("a11y-{slug}.png")).await;
    c.execute(axe, vec![]).await?;
    let axe_found = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } })
               .then(r => done(r.violations.map(v => v.id + ' (' + v.nodes.length + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' — ' + (n.failureSummary || '').replace(/\\s+/g, ' ')).join(' | '))))
               .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await?;
    found.extend(
        axe_found
            .as_array()
            .into_iter()
            .flatten()
            .map(|v| format!("{page}: {}", v.as_str().unwrap_or_default())),
    );
    Ok(found)
}

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3000}'..='\u{303f}').contains(&c) || ('\u{ff01}'..='\u{ff5e}').contains(&c)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_type_passes_axe_in_both_languages_and_an_english_course_shows_no_chinese() {
    let Some(driver) = start_driver() else { return };
    let Some(axe) = axe_source() else { return };
    let mut violations = Vec::new();
    for lang in ["zh-CN", "en"] {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("course");
        assert!(crate::harness::certbook_init(&root, &["--lang", lang]).status.success());
        let s = TestServer::start_at(&root).await;
        // Something on every staff page: a submission to grade and a certificate to show.
        let alice = s.login("alice").await;
        let essay = "Goal, result and next step: ".repeat(4);
        let (code, v) = alice.post_json("/api/exercises/review/submission", &json!({ "body": essay })).await;
        assert_eq!(code, 200, "{v}");
        let cert = crate::harness::import_certificate(&s, "alice", "starter").await;
        let root = s.login("root").await;
        let profile = tempfile::tempdir().unwrap();
        let c = browser(&driver, profile.path()).await;
        let result = async {
            c.goto(&s.url("/login")).await?;
            violations.extend(axe_violations(&c, &axe, &format!("{lang} /login")).await?);
            log_in(&c, &s, "alice", "/basics/measure.html").await?;
            start_sheet(&c, "section[data-quiz=measure-practice] button.cb-btn").await?;
            violations.extend(axe_violations(&c, &axe, &format!("{lang} lesson with a quiz open")).await?);
            c.goto(&s.url("/basics/practise.html")).await?;
            c.wait()
                .at_most(Duration::from_secs(10))
                .for_element(Locator::Css("section[data-sandbox=budget] button.cb-btn"))
                .await?
                .click()
                .await?;
            c.wait()
                .at_most(Duration::from_secs(10))
                .for_element(Locator::Css("section[data-sandbox=budget] form.cb-sb-round"))
                .await?;
            violations.extend(axe_violations(&c, &axe, &format!("{lang} lesson with a scenario open")).await?);
            for path in ["/account".to_string(), format!("/certificates/{cert}"), format!("/verify/{cert}")] {
                c.goto(&s.url(&path)).await?;
                violations.extend(axe_violations(&c, &axe, &format!("{lang} {path}")).await?);
            }
            c.delete_all_cookies().await?;
            log_in(&c, &s, "root", "/instructor/grading").await?;
            for path in [
                "/instructor/grading",
                "/instructor/quizzes/level-exam/exam",
                "/instructor/analysis",
                "/hr",
                "/hr/certificates",
            ] {
                c.goto(&s.url(path)).await?;
                // The page itself, not the login form it would send a stranger to.
                assert_eq!(c.current_url().await?.path(), path, "{lang}: root was not let in");
                violations.extend(axe_violations(&c, &axe, &format!("{lang} {path}")).await?);
            }
            // The pages these lead to: grading alice's submission, her transcript.
            for (from, link) in [
                ("/instructor/grading", "a[href^='/instructor/grading/']"),
                ("/hr", "a[href^='/hr/learners/']"),
            ] {
                c.goto(&s.url(from)).await?;
                let href = c.find(Locator::Css(link)).await?.attr("href").await?.unwrap_or_default();
                c.goto(&s.url(&href)).await?;
                violations.extend(axe_violations(&c, &axe, &format!("{lang} {href}")).await?);
            }
            // A team session with a round open: the list, the console, a member's page.
            let (code, v) = root
                .post_json("/api/team-sessions", &json!({ "scenario": "budget", "form": "random", "teams": 2 }))
                .await;
            assert_eq!(code, 201, "{v}");
            let session = format!("/sessions/{}", v["id"].as_str().unwrap());
            let open = json!({ "action": "open", "minutes": 10 });
            assert_eq!(
                root.post_json(&format!("/api/team-sessions/{}/control", v["id"].as_str().unwrap()), &open)
                    .await
                    .0,
                200
            );
            for path in ["/sessions", session.as_str()] {
                c.goto(&s.url(path)).await?;
                if path != "/sessions" {
                    c.wait()
                        .at_most(Duration::from_secs(10))
                        .for_element(Locator::Css("#cb-team[data-status=open]"))
                        .await?;
                }
                violations.extend(axe_violations(&c, &axe, &format!("{lang} {path} (instructor)")).await?);
            }
            c.delete_all_cookies().await?;
            log_in(&c, &s, "alice", &session).await?;
            c.wait()
                .at_most(Duration::from_secs(10))
                .for_element(Locator::Css("#cb-team[data-status=open] fieldset[data-mine='1']"))
                .await?;
            violations.extend(axe_violations(&c, &axe, &format!("{lang} {session} (member)")).await?);
            Ok::<_, fantoccini::error::CmdError>(())
        }
        .await;
        c.close().await.unwrap();
        result.unwrap();
    }
    assert!(violations.is_empty(), "axe-core found:\n{}", violations.join("\n"));
}
