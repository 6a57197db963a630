//! The exam page (考试设置与调整) over HTTP, as a browser without script uses it:
//! the settings, accommodations added and deleted by form, refused forms that change
//! nothing, who may use it, and releasing a device.

use crate::exam::{attempt_id, bank, server_with};
use crate::harness::{Client, PASSWORD, TestServer};
use serde_json::{Value, json};

/// A staff member's browser that does not follow redirects, so a form's 303 shows.
struct Browser {
    http: reqwest::Client,
    base: String,
    csrf: String,
}

impl Browser {
    async fn login(s: &TestServer, user: &str) -> Browser {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let r = http
            .post(s.url("/api/login"))
            .json(&json!({ "username": user, "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let me: Value = r.json().await.unwrap();
        Browser {
            http,
            base: s.base.clone(),
            csrf: me["csrf"].as_str().unwrap().to_string(),
        }
    }

    async fn page(&self, path: &str) -> (u16, String) {
        let r = self.http.get(format!("{}{path}", self.base)).send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    /// Posts the form with this session's CSRF token: (status, Location, body).
    async fn submit(&self, path: &str, fields: &[(&str, &str)]) -> (u16, String, String) {
        let mut form = fields.to_vec();
        form.push(("csrf", &self.csrf));
        self.post(path, &form).await
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> (u16, String, String) {
        let r = self.http.post(format!("{}{path}", self.base)).form(form).send().await.unwrap();
        let location = r
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_string())
            .unwrap_or_default();
        (r.status().as_u16(), location, r.text().await.unwrap())
    }
}

/// The quiz's overrides through the JSON API.
async fn list(c: &Client) -> Value {
    c.get("/api/instructor/quizzes/acc/overrides").await.1["overrides"].clone()
}

const PAGE: &str = "/instructor/quizzes/acc/exam";
const ADD: &str = "/instructor/quizzes/acc/exam/overrides";

/// A timed, limited exam with a password (which the page must never show).
async fn server() -> (TestServer, tempfile::TempDir) {
    let head = "time_limit = 600\nattempts = 1\npassword = \"考场-42\"\nsequential = true\ncloses = 2027-02-01T09:00:00+08:00\n[review]\nimmediately = [\"score\"]";
    server_with(&[("acc", bank("acc", head, 3))]).await
}

#[tokio::test]
async fn exam_page_shows_the_settings_and_adds_and_deletes_overrides_by_form() {
    let (s, _dir) = server().await;
    s.store.set_user_cohort_blocking("bob", "2027春").unwrap();
    let alice = s.login("alice").await;
    let ivy = Browser::login(&s, "ivy").await;
    let (code, html) = ivy.page(PAGE).await;
    assert_eq!(code, 200, "{html}");
    for shown in [
        "考试设置与调整：考试 acc",
        "10 分钟",
        "每人 1 次",
        "2027-02-01 01:00 UTC",
        "是，一次一题",
        "提交后立即：分数",
        "已设置",
        "UTC",
        "还没有调整",
        "<option value=\"2027春\"",
    ] {
        assert!(html.contains(shown), "{shown} missing from {html}");
    }
    assert!(!html.contains("考场-42"), "the exam password is never shown");

    // Alice gets 15 more minutes, one more attempt and her own window.
    let fields = [
        ("learner", " alice "),
        ("cohort", ""),
        ("extra_minutes", "15"),
        ("extra_attempts", "1"),
        ("opens", "2027-01-15T09:00"),
        ("closes", "2027-01-16T11:30"),
    ];
    let (code, location, _) = ivy.submit(ADD, &fields).await;
    assert_eq!((code, location.as_str()), (303, PAGE));
    let (_, status) = alice.get("/api/quizzes/acc").await;
    assert_eq!(status["time_limit"], 600 + 15 * 60, "{status}");
    assert_eq!(status["attempts_allowed"], 2, "{status}");
    assert_eq!(
        (status["opens_ms"].as_i64(), status["closes_ms"].as_i64()),
        (Some(1_800_003_600_000), Some(1_800_099_000_000)),
        "read as UTC: {status}"
    );
    let (_, html) = ivy.page(PAGE).await;
    assert!(html.contains("alice（alice）") && html.contains("+15 分钟"), "{html}");
    let row = html.split("<tr data-override=").nth(1).unwrap();
    assert!(
        row.contains(&format!("name=\"csrf\" value=\"{}\"", ivy.csrf)),
        "the 删除 form carries the token: {row}"
    );
    assert!(html.contains("2027-01-15 09:00 UTC 至 2027-01-16 11:30 UTC"), "{html}");
    // The cohort gets 5 minutes: a second override.
    let (code, _, _) = ivy.submit(ADD, &[("cohort", "2027春"), ("extra_minutes", "5")]).await;
    assert_eq!(code, 303);

    // Refused forms say why in Chinese, keep what was typed and change nothing.
    let ivy_api = s.login("ivy").await;
    let before = list(&ivy_api).await;
    assert_eq!(before.as_array().unwrap().len(), 2);
    for (fields, message) in [
        (vec![("learner", "nobody"), ("extra_minutes", "20")], "没有登录名为“nobody”的学员"),
        (vec![("learner", "bob"), ("cohort", "2027春")], "只选其一"),
        (vec![("extra_minutes", "20")], "只选其一"),
        (
            vec![("learner", "bob"), ("opens", "2027-01-16T10:00"), ("closes", "2027-01-16T09:00")],
            "关闭时间须晚于开放时间",
        ),
        (vec![("learner", "bob"), ("extra_minutes", "-5")], "须为不小于 0 的整数"),
        (
            vec![("learner", "bob"), ("extra_attempts", "两次")],
            "额外作答次数须为不小于 0 的整数",
        ),
        (vec![("learner", "bob"), ("opens", "明天")], "开放时间格式应为"),
    ] {
        let (code, _, html) = ivy.submit(ADD, &fields).await;
        assert_eq!(code, 422, "{fields:?}: {html}");
        assert!(html.contains(message), "{message} missing: {html}");
        assert!(html.contains("class=\"cb-error\""), "{html}");
    }
    let (_, _, html) = ivy.submit(ADD, &[("learner", "nobody"), ("extra_minutes", "20")]).await;
    assert!(
        html.contains("value=\"nobody\"") && html.contains("value=\"20\""),
        "the form keeps what was typed: {html}"
    );
    assert_eq!(list(&ivy_api).await, before);

    // Forms without this session's token are refused.
    let (code, _, _) = ivy.post(ADD, &[("learner", "bob"), ("extra_minutes", "30")]).await;
    assert_eq!(code, 403);
    let (code, _, _) = ivy
        .post(ADD, &[("learner", "bob"), ("extra_minutes", "30"), ("csrf", "forged")])
        .await;
    assert_eq!(code, 403);
    assert_eq!(list(&ivy_api).await, before);

    // Deleting alice's override by form puts her back on the bank's limits.
    let oid = before.as_array().unwrap().iter().find(|o| o["user_id"].is_i64()).unwrap()["id"]
        .as_i64()
        .unwrap();
    let delete = format!("/instructor/quizzes/acc/exam/overrides/{oid}/delete");
    assert_eq!(ivy.post(&delete, &[]).await.0, 403, "no token");
    let (code, location, _) = ivy.submit(&delete, &[]).await;
    assert_eq!((code, location.as_str()), (303, PAGE));
    let (_, status) = alice.get("/api/quizzes/acc").await;
    assert_eq!(
        (status["time_limit"].as_i64(), status["attempts_allowed"].as_i64()),
        (Some(600), Some(1))
    );
    assert_eq!(list(&ivy_api).await.as_array().unwrap().len(), 1);
    let (code, _, html) = ivy.submit(&delete, &[]).await;
    assert_eq!(code, 404);
    assert!(html.contains("没有这条调整"), "{html}");
    // Replacing: the cohort's override saved again is one row with the new value.
    ivy.submit(ADD, &[("cohort", "2027春"), ("extra_minutes", "45")]).await;
    let after = list(&ivy_api).await;
    assert_eq!(after.as_array().unwrap().len(), 1);
    assert_eq!(after[0]["extra_time"], 45 * 60);
    // Unknown quiz.
    assert_eq!(ivy.page("/instructor/quizzes/nope/exam").await.0, 404);
}

#[tokio::test]
async fn exam_page_is_for_instructors_hr_and_admins() {
    let (s, _dir) = server().await;
    let alice = Browser::login(&s, "alice").await;
    assert_eq!(alice.page(PAGE).await.0, 403);
    let (code, _, _) = alice.submit(ADD, &[("learner", "alice"), ("extra_minutes", "60")]).await;
    assert_eq!(code, 403);
    let anonymous = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = anonymous.get(s.url(PAGE)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], "/login?next=/instructor/quizzes/acc/exam");
    assert_eq!(Browser::login(&s, "root").await.page(PAGE).await.0, 200);
    // HR sets accommodations but does not release devices.
    let hana = Browser::login(&s, "hana").await;
    let (code, html) = hana.page(PAGE).await;
    assert_eq!(code, 200);
    assert!(!html.contains("题目分析"), "no link to pages HR cannot open");
    let (code, _, _) = hana.submit(ADD, &[("learner", "alice"), ("extra_minutes", "60")]).await;
    assert_eq!(code, 303);
    assert_eq!(s.login("alice").await.get("/api/quizzes/acc").await.1["time_limit"], 4200);
    let (code, _, _) = hana.submit("/instructor/attempts/whatever/release", &[]).await;
    assert_eq!(code, 403);
    assert!(
        hana.page("/hr").await.1.contains("href=\"/instructor/quizzes/acc/exam\""),
        "HR finds it on the dashboard"
    );
    // Instructors find it from the quiz analysis.
    let ivy = Browser::login(&s, "ivy").await;
    assert!(
        ivy.page("/instructor/analysis")
            .await
            .1
            .contains("href=\"/instructor/quizzes/acc/exam\"")
    );
    assert!(
        ivy.page("/instructor/analysis/acc")
            .await
            .1
            .contains("href=\"/instructor/quizzes/acc/exam\"")
    );
}

#[tokio::test]
async fn exam_page_releases_a_device_so_a_second_browser_can_continue() {
    let (s, _dir) = server_with(&[("dev", bank("dev", "mode = \"exam\"\nshuffle = false\ntime_limit = 600", 3))]).await;
    let page = "/instructor/quizzes/dev/exam";
    let first = s.login("alice").await;
    let (code, a) = first.start("dev").await;
    assert_eq!(code, 201, "{a}");
    let id = attempt_id(&a);
    let second = s.login("alice").await;
    assert_eq!(second.start("dev").await.0, 409, "another device");
    let ivy = Browser::login(&s, "ivy").await;
    let (_, html) = ivy.page(page).await;
    let row = html
        .split("<tr data-attempt=")
        .nth(1)
        .unwrap_or_else(|| panic!("no open attempt on {html}"));
    assert!(row.contains("alice（alice）") && row.contains("2027-01-15 08:10 UTC"), "{row}");
    assert!(row.contains("<td>是</td>") && row.contains("释放设备"), "{row}");
    assert!(
        row.contains(&format!("name=\"csrf\" value=\"{}\"", ivy.csrf)),
        "the button's form carries the token: {row}"
    );
    let release = format!("/instructor/attempts/{id}/release");
    assert_eq!(ivy.post(&release, &[("csrf", "forged")]).await.0, 403);
    assert_eq!(second.start("dev").await.0, 409, "a refused form releases nothing");
    let (code, location, _) = ivy.submit(&release, &[]).await;
    assert_eq!((code, location.as_str()), (303, page));
    let (_, html) = ivy.page(page).await;
    assert!(html.contains("否（下一台作答的设备接管）"), "{html}");
    // The second browser takes the attempt over and finishes it.
    assert_eq!(second.start("dev").await.0, 200);
    let (code, r) = second.submit(&id, json!({ "q1": "B", "q2": "C", "q3": "D" })).await;
    assert_eq!((code, r["percent"].as_f64()), (200, Some(100.0)), "{r}");
    // Nothing to release once it has ended; no such attempt.
    let (code, _, html) = ivy.submit(&release, &[]).await;
    assert_eq!(code, 409);
    assert!(html.contains("本次作答已结束") && html.contains("现在没有进行中的作答"), "{html}");
    assert_eq!(ivy.submit("/instructor/attempts/nope/release", &[]).await.0, 404);
}

/// A course's own page template that names a field its view lacks fails loudly: the
/// page is a 500 (strict templates), never an empty heading, and never disguised as the
/// page's usual 404.
#[tokio::test]
async fn a_page_template_naming_a_missing_field_is_a_server_error_not_a_blank_or_a_404() {
    let dir = tempfile::tempdir().unwrap();
    crate::harness::copy_dir(&crate::harness::fixture("course-ok"), dir.path());
    let pages = dir.path().join("templates/pages");
    std::fs::create_dir_all(&pages).unwrap();
    std::fs::write(pages.join("verify.hbs"), "<h1>{{titel}}</h1>\n").unwrap();
    let s = crate::harness::TestServer::start_at(dir.path()).await;
    let page = |c: crate::harness::Client| async move {
        let r = c.http.get(format!("{}/verify/no-such-certificate", c.base())).send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    };
    let (code, body) = page(s.anonymous()).await;
    assert_eq!(code, 500, "{body}");
    std::fs::write(pages.join("verify.hbs"), "<h1>{{id}}</h1>\n").unwrap();
    let s = crate::harness::TestServer::start_at(dir.path()).await;
    let (code, body) = page(s.anonymous()).await;
    assert_eq!((code, body.contains("<h1>no-such-certificate</h1>")), (404, true), "{body}");
}
