//! Web hardening: login redirects stay on this site, every error the framework makes is
//! JSON on the API (HTML on pages), a CSRF failure says so, and a throttled login
//! says when to come back.

use crate::harness::{PASSWORD, TestServer};
use certbook::http::auth::LoginLimiter;
use serde_json::{Value, json};

/// A browser-like client that shows redirects instead of following them.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The value of hidden field `name` in a rendered form (handlebars escapes a few characters).
fn hidden(page: &str, name: &str) -> String {
    let raw = page
        .split(&format!("name=\"{name}\" value=\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no {name} field in {page}"))
        .split('"')
        .next()
        .unwrap();
    raw.replace("&#x3D;", "=")
        .replace("&#x27;", "'")
        .replace("&#x60;", "`")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Opens `/login?next=<query>` (`query` already URL-encoded) and submits the form as
/// alice; returns the answer to the POST.
async fn login_through_form(s: &TestServer, c: &reqwest::Client, query: &str) -> reqwest::Response {
    let page = c
        .get(s.url(&format!("/login?next={query}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let (csrf, next) = (hidden(&page, "csrf"), hidden(&page, "next"));
    c.post(s.url("/login"))
        .form(&[("username", "alice"), ("password", PASSWORD), ("csrf", &csrf), ("next", &next)])
        .send()
        .await
        .unwrap()
}

/// Submits the login form as alice with `next` exactly as given (no page in between).
async fn login_posting_next(s: &TestServer, c: &reqwest::Client, next: &str) -> reqwest::Response {
    let page = c.get(s.url("/login")).send().await.unwrap().text().await.unwrap();
    let csrf = hidden(&page, "csrf");
    c.post(s.url("/login"))
        .form(&[("username", "alice"), ("password", PASSWORD), ("csrf", &csrf), ("next", next)])
        .send()
        .await
        .unwrap()
}

/// The `Location` of a redirect, checked to point at this server.
fn same_site_location(s: &TestServer, r: &reqwest::Response, what: &str) -> String {
    assert_eq!(r.status(), 303, "{what}");
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    let base = reqwest::Url::parse(&s.base).unwrap();
    let target = base.join(&loc).unwrap();
    assert_eq!(
        target.origin(),
        base.origin(),
        "{what}: Location {loc:?} leaves the site ({target})"
    );
    loc
}

fn content_type(r: &reqwest::Response) -> String {
    r.headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// Status, content type and JSON body of an API answer; the body must be JSON.
async fn json_answer(r: reqwest::Response) -> (u16, String, Value) {
    let (status, ct) = (r.status().as_u16(), content_type(&r));
    let text = r.text().await.unwrap();
    let v = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{status} is not JSON ({ct}): {text:?}"));
    (status, ct, v)
}

#[tokio::test]
async fn login_never_redirects_off_site() {
    let s = TestServer::start("course-ok").await;
    let c = browser();
    // Through the page: `next` arrives in the query, rides the form, comes back in the POST.
    for query in [
        "/%09/evil.com",
        "//evil.com",
        "/%5C%5Cevil.com",
        "/%5Cevil.com",
        "https://evil.com",
        "/%0d%0a/evil.com",
        "/%0b/evil.com",
        "%20//evil.com",
    ] {
        let r = login_through_form(&s, &c, query).await;
        let loc = same_site_location(&s, &r, query);
        assert_eq!(loc, "/index.html", "next={query}");
    }
    // Posted straight at the form handler, as a forged page would.
    for next in [
        "/\t/evil.com",
        "/\n/evil.com",
        "//evil.com",
        "/\\evil.com",
        "/\\\\evil.com",
        "https://evil.com",
        "/ /evil.com",
        "/\u{7f}/evil.com",
    ] {
        let r = login_posting_next(&s, &c, next).await;
        let loc = same_site_location(&s, &r, &format!("{next:?}"));
        assert_eq!(loc, "/index.html", "next={next:?}");
    }
    // An ordinary same-site path with a query is still honoured, through the page and straight.
    let r = login_through_form(&s, &c, "/account%3Fx%3D1").await;
    assert_eq!(same_site_location(&s, &r, "page"), "/account?x=1");
    let r = login_posting_next(&s, &c, "/account?x=1").await;
    assert_eq!(same_site_location(&s, &r, "post"), "/account?x=1");
}

#[tokio::test]
async fn a_next_with_cr_lf_redirects_home_instead_of_failing() {
    let s = TestServer::start("course-ok").await;
    for next in ["/\r\n/evil.com", "/account\r\nSet-Cookie: certbook_session=forged", "/\r"] {
        let c = browser();
        let r = login_posting_next(&s, &c, next).await;
        let cookies: Vec<String> = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect();
        assert_eq!(r.status(), 303, "{next:?}: {:?}", r.text().await);
        assert_eq!(r.headers()["location"], "/index.html", "{next:?}");
        assert!(
            cookies.iter().any(|c| c.starts_with("certbook_session=") && !c.contains("forged")),
            "{next:?}: {cookies:?}"
        );
        // The session works: the redirect was a real login, not a half-finished one.
        let me = c.get(s.url("/api/me")).send().await.unwrap();
        assert_eq!(me.status(), 200, "{next:?}");
    }
}

#[tokio::test]
async fn an_oversized_body_is_a_json_413_on_the_api() {
    let s = TestServer::start("course-ok").await;
    let hana = s.login("hana").await;
    let huge_csv = format!("learner,level,issued,expires,note\n{}", "x".repeat(300 * 1024));
    // A CSV upload (read as raw bytes, not through the JSON extractor).
    let r = hana
        .http
        .post(s.url("/api/hr/certificates/import"))
        .header("x-csrf-token", &hana.csrf)
        .header("content-type", "text/csv")
        .body(huge_csv)
        .send()
        .await
        .unwrap();
    let (status, ct, v) = json_answer(r).await;
    assert_eq!(status, 413);
    assert!(ct.starts_with("application/json"), "{ct}");
    assert_eq!(v["code"], "request_too_large", "{v}");
    assert!(!v["error"].as_str().unwrap().is_empty(), "{v}");
    // A JSON body: the same status and code.
    let huge = json!({ "username": "alice", "password": "x".repeat(300 * 1024) });
    let r = s.anonymous().http.post(s.url("/api/login")).json(&huge).send().await.unwrap();
    let (status, _, v) = json_answer(r).await;
    assert_eq!(status, 413);
    assert_eq!(v["code"], "request_too_large", "{v}");
}

#[tokio::test]
async fn framework_errors_are_json_on_the_api_and_html_on_pages() {
    let s = TestServer::start("course-ok").await;
    let c = browser();
    // Malformed login forms: a missing field, the wrong content type, too large a body.
    let missing = c
        .post(s.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("username=alice")
        .send()
        .await
        .unwrap();
    let json_body = c.post(s.url("/login")).json(&json!({ "username": "alice" })).send().await.unwrap();
    let oversized = c
        .post(s.url("/login"))
        .form(&[("username", "alice"), ("password", &"x".repeat(300 * 1024)), ("csrf", "x")])
        .send()
        .await
        .unwrap();
    for (r, want) in [(missing, 422), (json_body, 415), (oversized, 413)] {
        let ct = content_type(&r);
        assert_eq!(r.status().as_u16(), want);
        assert!(ct.starts_with("text/html"), "{want}: {ct}");
        let page = r.text().await.unwrap();
        assert!(page.contains("<html") && page.contains("cb-card"), "{want}: {page}");
    }
    // The API: a wrong method keeps its Allow header and gains a JSON message.
    let r = s.anonymous().http.delete(s.url("/api/me")).send().await.unwrap();
    assert!(r.headers().contains_key("allow"), "{:?}", r.headers());
    let (status, ct, v) = json_answer(r).await;
    assert_eq!(status, 405);
    assert!(ct.starts_with("application/json"), "{ct}");
    assert!(v["error"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
    assert_eq!(v["code"], "method_not_allowed", "{v}");
    // JSON rejections stay JSON with a code and a message.
    let alice = s.login("alice").await;
    let (code, v) = alice.post_raw("/api/quizzes/all-types/attempts", "text/plain", "{}").await;
    assert_eq!(code, 415, "{v}");
    assert_eq!(v["code"], "unsupported_media_type", "{v}");
    assert!(
        v["error"].as_str().is_some_and(|m| m.contains("不支持")),
        "the course's language: {v}"
    );
}

#[tokio::test]
async fn a_csrf_failure_says_csrf_and_a_role_failure_says_role() {
    let s = TestServer::start("course-ok").await;
    let alice = s.login("alice").await;
    // No header at all, then a wrong one.
    let r = alice
        .http
        .post(s.url("/api/quizzes/all-types/attempts"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let missing = json_answer(r).await;
    let (code, wrong) = {
        let mut forged = s.login("alice").await;
        forged.csrf = "forged".into();
        forged.start("all-types").await
    };
    for (code, v) in [(missing.0, missing.2), (code, wrong)] {
        assert_eq!(code, 403, "{v}");
        assert!(v["error"].as_str().unwrap().contains("令牌"), "{v}");
        assert_eq!(v["code"], "csrf", "{v}");
    }
    // The right token but the wrong role: the role's code, not csrf.
    let (code, v) = alice
        .post_raw("/api/hr/certificates/import", "text/csv", "learner,level,issued,expires,note\n")
        .await;
    assert_eq!(code, 403, "{v}");
    assert_eq!(v["code"], "forbidden", "{v}");
}

#[tokio::test]
async fn a_throttled_login_says_when_to_retry() {
    let s = TestServer::start("course-ok").await;
    let c = s.anonymous();
    let wrong = json!({ "username": "alice", "password": "wrong password" });
    for i in 0..LoginLimiter::PER_ACCOUNT {
        assert_eq!(c.post_json("/api/login", &wrong).await.0, 401, "failure {i}");
    }
    let retry_after = |r: &reqwest::Response| -> i64 {
        let v = r.headers().get("retry-after").expect("429 carries Retry-After");
        v.to_str().unwrap().parse().expect("Retry-After is whole seconds")
    };
    let r = c.http.post(s.url("/api/login")).json(&wrong).send().await.unwrap();
    assert_eq!(r.status(), 429);
    let window_s = LoginLimiter::WINDOW_MS / 1000;
    // Every failure came at the same instant, so the whole window remains.
    assert_eq!(retry_after(&r), window_s);
    // The wait counts down with the clock, from the oldest failure that matters.
    s.clock.advance(5 * 60 * 1000 + 500);
    let r = c.http.post(s.url("/api/login")).json(&wrong).send().await.unwrap();
    assert_eq!(r.status(), 429);
    let left = retry_after(&r);
    assert_eq!(left, window_s - 5 * 60, "rounded up to whole seconds");
    assert!(left > 0);
    // The login form says the same.
    let b = browser();
    let page = b.get(s.url("/login")).send().await.unwrap().text().await.unwrap();
    let csrf = hidden(&page, "csrf");
    let r = b
        .post(s.url("/login"))
        .form(&[("username", "alice"), ("password", "wrong"), ("csrf", &csrf), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(retry_after(&r), left);
    assert!(content_type(&r).starts_with("text/html"));
    // After the wait, the right password gets in.
    s.clock.advance(left * 1000);
    let right = json!({ "username": "alice", "password": PASSWORD });
    assert_eq!(c.post_json("/api/login", &right).await.0, 200);
}
