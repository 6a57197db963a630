//! A real headless Chromium (Debian's chromium + chromedriver, driven over WebDriver
//! with fantoccini): log in, open a lesson, answer its quiz, see the score; search.
//! Screenshots land in target/screenshots/ for a person to look at.

use crate::harness::{PASSWORD, TestServer};
use fantoccini::{Client, ClientBuilder, Locator};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub(crate) struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts chromedriver, or returns None (skipping) when it is not installed outside CI.
pub(crate) fn start_driver() -> Option<Driver> {
    let path = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    if !std::path::Path::new(&path).exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromedriver is missing at {path}: .ci/run must install chromium-driver"
        );
        eprintln!("skipping the browser test: no chromedriver at {path} (apt-get install chromium chromium-driver)");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = Command::new(path)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(Driver { child, port });
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("chromedriver did not start");
}

pub(crate) async fn browser(driver: &Driver, profile: &std::path::Path) -> Client {
    let args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1000,1400",
    ];
    let mut args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    let mut caps = serde_json::Map::new();
    // Downloads land in the profile's own folder, where a test can look for them.
    let downloads = profile.join("downloads");
    let mut opts = serde_json::json!({ "args": args, "prefs": {
        "download.default_directory": downloads.display().to_string(),
        "download.prompt_for_download": false,
    } });
    if let Ok(bin) = std::env::var("CHROMIUM") {
        opts["binary"] = bin.into();
    } else if std::path::Path::new("/usr/bin/chromium").exists() {
        opts["binary"] = "/usr/bin/chromium".into();
    }
    caps.insert("goog:chromeOptions".into(), opts);
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("connect to chromedriver")
}

/// Every QR code found in a PNG image, decoded.
fn qr_codes(png: &[u8]) -> Vec<String> {
    let mut reader = png::Decoder::new(std::io::Cursor::new(png)).read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("PNG size")];
    let info = reader.next_frame(&mut buf).expect("PNG frame");
    let channels = info.color_type.samples();
    let (w, h) = (info.width as usize, info.height as usize);
    let luma = |x: usize, y: usize| {
        let p = &buf[(y * w + x) * channels..];
        if channels >= 3 {
            ((p[0] as u32 * 3 + p[1] as u32 * 6 + p[2] as u32) / 10) as u8
        } else {
            p[0]
        }
    };
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, luma);
    img.detect_grids()
        .iter()
        .filter_map(|g| g.decode().ok().map(|(_, text)| text))
        .collect()
}

/// The first page of a PDF as a PNG, with poppler's pdftoppm (None when it is not installed).
fn rasterise(pdf: &[u8]) -> Option<Vec<u8>> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("page.pdf"), pdf).unwrap();
    let out = Command::new("pdftoppm")
        .args(["-png", "-r", "110", "-f", "1", "-l", "1", "-singlefile", "page.pdf", "page"])
        .current_dir(dir.path())
        .output()
        .ok()?;
    assert!(out.status.success(), "pdftoppm: {}", String::from_utf8_lossy(&out.stderr));
    Some(std::fs::read(dir.path().join("page.png")).unwrap())
}

/// Logs in through the login form, which then redirects to `next`.
pub(crate) async fn log_in(c: &Client, s: &TestServer, user: &str, next: &str) -> Result<(), fantoccini::error::CmdError> {
    c.goto(&s.url(&format!("/login?next={next}"))).await?;
    c.find(Locator::Id("username")).await?.send_keys(user).await?;
    c.find(Locator::Id("password")).await?.send_keys(PASSWORD).await?;
    c.find(Locator::Css("form button[type=submit]")).await?.click().await?;
    // Wait for the redirect: a page opened before it lands cancels the login, and the
    // caller would then look at the login form instead of the page it asked for.
    let until = std::time::Instant::now() + Duration::from_secs(10);
    while c.current_url().await?.path() == "/login" {
        if std::time::Instant::now() > until {
            return Err(fantoccini::error::CmdError::WaitTimeout);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

/// Submits the open attempt and waits for the graded result box.
async fn submit_and_wait_for_result(c: &Client) -> Result<fantoccini::elements::Element, fantoccini::error::CmdError> {
    click(c, "form.cb-attempt button[type=submit]").await?;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("[data-cb-result]"))
        .await
}

pub(crate) async fn screenshot(c: &Client, name: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let png = c.screenshot().await.unwrap();
    std::fs::write(dir.join(name), png).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_learner_logs_in_answers_a_quiz_and_sees_the_score() {
    let Some(driver) = start_driver() else { return };
    let s = TestServer::start("course-ok").await;
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path()).await;
    let result = async {
        log_in(&c, &s, "alice", "/demo/demo-browser.html").await?;
        // Back on the lesson, logged in: the quiz offers to start.
        let start = c
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("section[data-quiz=short] button.cb-btn"))
            .await?;
        assert_eq!(start.text().await?, "开始作答");
        let account = c.find(Locator::Id("cb-account")).await?.text().await?;
        assert!(account.contains("alice"), "account bar: {account}");
        start.click().await?;
        c.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("fieldset[data-question=q1]"))
            .await?;
        c.find(Locator::Css("fieldset[data-question=q1] input[value=B]"))
            .await?
            .click()
            .await?;
        c.find(Locator::Css("fieldset[data-question=q2] input[value=true]"))
            .await?
            .click()
            .await?;
        c.find(Locator::Css("fieldset[data-question=q3] input[type=text]"))
            .await?
            .send_keys("留存率")
            .await?;
        screenshot(&c, "quiz-answered.png").await;
        let mut sheet = Vec::new();
        for label in c.find_all(Locator::Css("fieldset[data-question=q1] label")).await? {
            sheet.push(label.text().await?.trim().to_string());
        }
        let result = submit_and_wait_for_result(&c).await?;
        let text = result.text().await?;
        assert!(text.contains("通过") && text.contains("100%"), "result box: {text}");
        // The review shows q1's options in the (shuffled) order of the sheet, labelled as
        // there, with the learner's pick and the key on the option they chose.
        let mut reviewed = Vec::new();
        for li in c.find_all(Locator::Css("[data-cb-item=q1] .cb-review-options li")).await? {
            reviewed.push(li.text().await?);
        }
        assert_eq!(reviewed.len(), sheet.len(), "{reviewed:?} vs {sheet:?}");
        for (r, shown) in reviewed.iter().zip(&sheet) {
            assert!(r.starts_with(shown.as_str()), "review `{r}` where the sheet showed `{shown}`");
        }
        let chosen = c.find(Locator::Css("[data-cb-item=q1] li[data-cb-chosen]")).await?;
        let chosen_text = chosen.text().await?;
        assert!(
            chosen_text.contains("（收益 − 成本）÷ 成本") && chosen_text.contains("你的选择"),
            "{chosen_text}"
        );
        assert_eq!(chosen.attr("data-cb-key").await?.as_deref(), Some("1"));
        let q3 = c.find(Locator::Css("[data-cb-item=q3]")).await?.text().await?;
        assert!(q3.contains("你的答案：留存率"), "{q3}");
        screenshot(&c, "quiz-review.png").await;
        assert_eq!(result.attr("data-cb-result").await?.as_deref(), Some("pass"));
        let status = c.find(Locator::Css("[data-cb-status]")).await?.text().await?;
        assert!(status.contains("最好成绩 100%"), "status: {status}");
        screenshot(&c, "quiz-result.png").await;
        // The server recorded exactly one graded attempt.
        let graded: i64 = s.store.graded_counts().await.unwrap().iter().map(|(_, n)| n).sum();
        assert_eq!(graded, 1);
        // Search splits Chinese in the browser the way the index does.
        let input = c.find(Locator::Id("cb-search-input")).await?;
        input.send_keys("留存").await?;
        let first = c
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("#cb-search-results li a"))
            .await?;
        assert_eq!(first.text().await?, "题型大全");
        screenshot(&c, "search.png").await;
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    let _ = c.close().await;
    result.unwrap();
}

/// A sequential quiz in the browser: one question at a time with 下一题, never a way back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sequential_quiz_shows_one_question_at_a_time_in_the_browser() {
    let Some(driver) = start_driver() else { return };
    let s = TestServer::start("course-ok").await;
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path()).await;
    let result = async {
        log_in(&c, &s, "alice", "/demo/demo-limits.html").await?;
        c.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("section[data-quiz=sequential] button.cb-btn"))
            .await?
            .click()
            .await?;
        for (q, pick, last) in [("q1", "A", false), ("q2", "false", false), ("q3", "B", true)] {
            let fs = c
                .wait()
                .at_most(Duration::from_secs(10))
                .for_element(Locator::Css(&format!("section[data-quiz=sequential] fieldset[data-question={q}]")))
                .await?;
            center(&c, "section[data-quiz=sequential] form.cb-attempt").await?;
            let shown = c.find_all(Locator::Css("section[data-quiz=sequential] fieldset")).await?;
            assert_eq!(shown.len(), 1, "only {q} is on the page");
            let progress = c
                .find(Locator::Css("section[data-quiz=sequential] [data-cb-progress]"))
                .await?
                .text()
                .await?;
            assert!(progress.contains("/ 3"), "progress: {progress}");
            fs.find(Locator::Css(&format!("input[value={pick}]"))).await?.click().await?;
            let button = c
                .find(Locator::Css("section[data-quiz=sequential] form.cb-attempt button[type=submit]"))
                .await?;
            assert_eq!(button.text().await?, if last { "提交答案" } else { "下一题" });
            if last {
                screenshot(&c, "quiz-sequential.png").await;
            }
            button.click().await?;
        }
        let result = c
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("section[data-quiz=sequential] [data-cb-result]"))
            .await?;
        let text = result.text().await?;
        assert!(text.contains("通过") && text.contains("100%"), "result box: {text}");
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    let _ = c.close().await;
    result.unwrap();
}

/// Scrolls the element `css` to the middle of the window: clicked at the top edge, it can
/// land on mdBook's menu-bar hover strip instead (an intermittent ElementClickIntercepted).
async fn center(c: &Client, css: &str) -> Result<(), fantoccini::error::CmdError> {
    c.execute(
        // `instant`: mdBook's page scrolls smoothly, and a click during the animation
        // lands on its sticky menu bar.
        "document.querySelector(arguments[0]).scrollIntoView({ block: 'center', behavior: 'instant' });",
        vec![serde_json::json!(css)],
    )
    .await?;
    Ok(())
}

/// Clicks the element, first brought to the middle of the window.
async fn click(c: &Client, css: &str) -> Result<(), fantoccini::error::CmdError> {
    center(c, css).await?;
    c.find(Locator::Css(css)).await?.click().await
}

/// Answers question `q` correctly through the page's own controls.
async fn answer(c: &Client, q: &certbook::quiz::Question) -> Result<(), fantoccini::error::CmdError> {
    use certbook::quiz::{QuestionKind, letter};
    let fs = format!("fieldset[data-question={}]", q.id);
    center(c, &fs).await?;
    match &q.kind {
        QuestionKind::Single { answer, .. } => click(c, &format!("{fs} input[value={}]", letter(*answer))).await?,
        QuestionKind::Multiple { answer, .. } => {
            for i in answer {
                click(c, &format!("{fs} input[value={}]", letter(*i))).await?;
            }
        }
        QuestionKind::TrueFalse { answer } => click(c, &format!("{fs} input[value={answer}]")).await?,
        QuestionKind::Fill { answer } => {
            c.find(Locator::Css(&format!("{fs} input[type=text]")))
                .await?
                .send_keys(&answer[0])
                .await?
        }
        QuestionKind::Numeric { answer, .. } => {
            c.find(Locator::Css(&format!("{fs} input[type=text]")))
                .await?
                .send_keys(&answer.to_string())
                .await?
        }
        QuestionKind::Ordering { answer, .. } => {
            // Move each item up into place with its ↑ button, as a keyboard user would.
            for (target, key) in answer.iter().map(|i| letter(*i)).enumerate() {
                for clicks in 0.. {
                    assert!(clicks <= answer.len(), "the ↑ button does not move item {key}");
                    let mut keys = Vec::new();
                    for li in c.find_all(Locator::Css(&format!("{fs} ol li"))).await? {
                        keys.push(li.attr("data-key").await?.unwrap_or_default());
                    }
                    let at = keys.iter().position(|k| *k == key).expect("item on the page");
                    if at == target {
                        break;
                    }
                    click(c, &format!("{fs} ol li[data-key={key}] button")).await?;
                }
            }
        }
        QuestionKind::Matching { answer, .. } => {
            let selects = c.find_all(Locator::Css(&format!("{fs} select"))).await?;
            for (sel, i) in selects.into_iter().zip(answer) {
                sel.select_by_value(&letter(*i)).await?;
            }
        }
    }
    Ok(())
}

/// The open attempt's seed, read through the page's own session and the store: a variant
/// question's key depends on it.
async fn open_attempt_seed(c: &Client, s: &TestServer, quiz: &str) -> Result<u64, fantoccini::error::CmdError> {
    let id = c
        .execute_async(
            "fetch('/api/quizzes/' + arguments[0]).then(r => r.json()).then(j => arguments[1](j.open_attempt));",
            vec![serde_json::json!(quiz)],
        )
        .await?;
    let id = id.as_str().expect("an open attempt").to_string();
    Ok(s.store.attempt(id).await.unwrap().expect("stored").seed)
}

/// The first bundled lesson's practice quiz, through the page: an attempt given up with
/// 放弃本次作答 and a new one started; every question type answered right (a variant
/// question from the numbers on the sheet); the review marks each pick and key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_bundled_lesson_can_be_passed_with_every_question_type_in_the_browser() {
    let Some(driver) = start_driver() else { return };
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let (cur, _) = certbook::course::load(root).unwrap();
    let (course, _, lesson) = cur.lessons().next().unwrap();
    let quiz = cur.quizzes[&lesson.quizzes[0]].clone();
    assert!(
        quiz.questions.iter().any(|q| q.variant.is_some()),
        "the first lesson has a variant question"
    );
    let s = TestServer::start_at(root).await;
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path()).await;
    let result = async {
        log_in(&c, &s, "bob", &format!("/{}/{}.html", course.id, lesson.id)).await?;
        let sel = format!("section[data-quiz={}] button.cb-btn", quiz.id);
        start_sheet(&c, &sel).await?;
        // Give the first attempt up (accepting the confirmation) and start again.
        let first = open_attempt_seed(&c, &s, &quiz.id).await?;
        c.execute("window.confirm = () => true;", vec![]).await?;
        click(&c, "form.cb-attempt [data-cb-abandon]").await?;
        for tries in 0.. {
            assert!(tries < 100, "the sheet is still shown after giving up");
            if c.find_all(Locator::Css("form.cb-attempt")).await?.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // The standing reloads after the form goes: wait for its button.
        let restart = c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css(&sel)).await?;
        assert_eq!(restart.text().await?, "再做一次", "the standing after giving up");
        restart.click().await?;
        wait_for_sheet(&c).await?;
        let seed = open_attempt_seed(&c, &s, &quiz.id).await?;
        assert_ne!(seed, first, "a new attempt");
        let mut legends = std::collections::HashMap::new();
        for q in &quiz.questions {
            let q = q.instance(seed).unwrap();
            let legend = c
                .find(Locator::Css(&format!("fieldset[data-question={}] legend", q.id)))
                .await?
                .text()
                .await?;
            assert!(
                legend.contains(&q.prompt),
                "the sheet shows this attempt's variant: {legend} / {}",
                q.prompt
            );
            legends.insert(q.id.clone(), q.prompt.clone());
            answer(&c, &q).await?;
        }
        screenshot(&c, "bundled-quiz-answered.png").await;
        let result = submit_and_wait_for_result(&c).await?;
        let text = result.text().await?;
        assert!(text.contains("100%"), "every type answered through the UI must grade right: {text}");
        // The review of every question type: the prompt as shown, the pick and the key marked.
        for q in &quiz.questions {
            let item = c.find(Locator::Css(&format!("[data-cb-item={}]", q.id))).await?;
            let t = item.text().await?;
            assert!(t.contains(&legends[&q.id]) && t.contains("✓ 正确"), "{}: {t}", q.id);
            match q.kind.type_name() {
                "single" | "multiple" => {
                    let picked = item.find_all(Locator::Css("li[data-cb-chosen]")).await?.len();
                    let keyed = item.find_all(Locator::Css("li[data-cb-chosen][data-cb-key]")).await?.len();
                    assert!(picked > 0 && picked == keyed, "{}: the picks are the key: {t}", q.id);
                }
                _ => assert!(t.contains("你的答案：") && !t.contains("未作答"), "{}: {t}", q.id),
            }
        }
        screenshot(&c, "bundled-quiz-result.png").await;
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    let _ = c.close().await;
    result.unwrap();
}

/// Clicks the quiz's start button `button` once it shows, and waits for the answer sheet.
pub(crate) async fn start_sheet(c: &Client, button: &str) -> Result<(), fantoccini::error::CmdError> {
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(button))
        .await?
        .click()
        .await?;
    wait_for_sheet(c).await
}

async fn wait_for_sheet(c: &Client) -> Result<(), fantoccini::error::CmdError> {
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("form.cb-attempt"))
        .await?;
    Ok(())
}

/// Every bundled scenario opens in the lesson that embeds it: the first round's
/// decisions are drawn by the page script (a screenshot of each is kept to look at).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_bundled_scenario_opens_its_first_round_in_its_lesson() {
    let Some(driver) = start_driver() else { return };
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let (cur, _) = certbook::course::load(root).unwrap();
    let s = TestServer::start_at(root).await;
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path()).await;
    let result = async {
        let mut first = true;
        for id in cur.scenarios.keys() {
            let (_, _, lesson) = cur.lesson_for_scenario(id).unwrap_or_else(|| panic!("{id} is embedded"));
            let url = cur.page_url(&lesson.id).unwrap();
            if first {
                log_in(&c, &s, "alice", &url).await?;
                first = false;
            } else {
                c.goto(&s.url(&url)).await?;
            }
            c.wait()
                .at_most(Duration::from_secs(10))
                .for_element(Locator::Css(&format!("section[data-sandbox={id}] button.cb-btn")))
                .await?
                .click()
                .await?;
            let form = c
                .wait()
                .at_most(Duration::from_secs(10))
                .for_element(Locator::Css(&format!("section[data-sandbox={id}] form.cb-sb-round")))
                .await?;
            let decisions = form.find_all(Locator::Css("fieldset.cb-sb-decision")).await?;
            assert!(!decisions.is_empty(), "{id}: the first round shows its decisions");
            center(&c, &format!("section[data-sandbox={id}] form.cb-sb-round")).await?;
            screenshot(&c, &format!("scenario-{id}.png")).await;
        }
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    let _ = c.close().await;
    result.unwrap();
}

/// Counts the points drawn in one variable's chart.
async fn chart_points(c: &Client, var: &str) -> Result<usize, fantoccini::error::CmdError> {
    let sel = format!("section[data-sandbox=growth] figure[data-chart={var}] circle");
    Ok(c.find_all(Locator::Css(&sel)).await?.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_learner_plays_a_round_of_the_growth_sandbox_and_the_chart_updates() {
    let Some(driver) = start_driver() else { return };
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let s = TestServer::start_at(root).await;
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path()).await;
    let result = async {
        log_in(&c, &s, "alice", "/ops/ops-practice-channels.html").await?;
        let start = c
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("section[data-sandbox=growth] button.cb-btn"))
            .await?;
        assert_eq!(start.text().await?, "开始推演");
        start.click().await?;
        c.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("section[data-sandbox=growth] form.cb-sb-round"))
            .await?;
        assert_eq!(
            chart_points(&c, "active").await?,
            1,
            "before round 1 the chart has the starting point"
        );
        // Overspend first: the server refuses, the page says why and keeps the inputs.
        let social = c.find(Locator::Css("input[name='spend.social']")).await?;
        social.clear().await?;
        social.send_keys("80000").await?;
        let search = c.find(Locator::Css("input[name='spend.search']")).await?;
        search.clear().await?;
        search.send_keys("80000").await?;
        let kol = c.find(Locator::Css("input[name='spend.kol']")).await?;
        kol.clear().await?;
        kol.send_keys("60000").await?;
        c.find(Locator::Css("section[data-sandbox=growth] input[type=radio][value=guide]"))
            .await?
            .click()
            .await?;
        c.find(Locator::Css("form.cb-sb-round button[type=submit]")).await?.click().await?;
        let err = c
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("form.cb-sb-round .cb-error[role=alert]"))
            .await?;
        assert!(err.text().await?.contains("超过了可用的 200,000"), "{}", err.text().await?);
        assert_eq!(social.prop("value").await?.as_deref(), Some("80000"), "the learner's input is kept");
        kol.clear().await?;
        kol.send_keys("0").await?;
        search.clear().await?;
        search.send_keys("10000").await?;
        social.clear().await?;
        social.send_keys("20000").await?;
        c.find(Locator::Css("form.cb-sb-round button[type=submit]")).await?.click().await?;
        c.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("section[data-sandbox=growth] .cb-sb-report"))
            .await?;
        let progress = c
            .find(Locator::Css("section[data-sandbox=growth] .cb-sb-progress"))
            .await?
            .text()
            .await?;
        assert_eq!(progress, "第 2 / 6 轮");
        assert_eq!(chart_points(&c, "active").await?, 2, "the chart gained round 1's point");
        let budget = c.find(Locator::Css("tr[data-var=budget] .cb-sb-value")).await?.text().await?;
        assert_eq!(budget, "170,000 元");
        let report = c.find(Locator::Css(".cb-sb-report")).await?.text().await?;
        assert!(report.contains("周留存率提升到 80%"), "{report}");
        c.find(Locator::Css("section[data-sandbox=growth]")).await?.click().await.ok();
        screenshot(&c, "sandbox-growth-round1.png").await;
        // The server holds the round: one run, one round played.
        let first_run = s.store.ids_blocking(certbook::store::Table::Runs).unwrap().remove(0);
        let played = s.store.run(first_run).await.unwrap().unwrap().rounds_played;
        assert_eq!(played, 1);
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    let _ = c.close().await;
    result.unwrap();
}

/// Waits up to ten seconds for a finished download whose name starts with `prefix`.
async fn downloaded(profile: &std::path::Path, prefix: &str) -> Option<std::path::PathBuf> {
    for _ in 0..100 {
        if let Ok(rd) = std::fs::read_dir(profile.join("downloads")) {
            for e in rd.flatten() {
                let name = e.file_name().to_string_lossy().to_string();
                if name.starts_with(prefix) && !name.ends_with(".crdownload") {
                    return Some(e.path());
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_learner_reaches_a_level_in_the_browser_and_downloads_a_credential_that_verifies() {
    let Some(driver) = start_driver() else { return };
    let s = TestServer::start("course-ok").await;
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path()).await;
    let result = async {
        log_in(&c, &s, "alice", "/demo/demo-browser.html").await?;
        let read = c
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(".cb-read button"))
            .await?;
        read.click().await?;
        c.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::XPath("//div[@class='cb-read']/button[contains(., '已读完')]"))
            .await?;
        c.find(Locator::Css("section[data-quiz=short] button.cb-btn"))
            .await?
            .click()
            .await?;
        c.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("fieldset[data-question=q1]"))
            .await?;
        c.find(Locator::Css("fieldset[data-question=q1] input[value=B]"))
            .await?
            .click()
            .await?;
        c.find(Locator::Css("fieldset[data-question=q2] input[value=true]"))
            .await?
            .click()
            .await?;
        c.find(Locator::Css("fieldset[data-question=q3] input[type=text]"))
            .await?
            .send_keys("留存率")
            .await?;
        submit_and_wait_for_result(&c).await?;
        c.goto(&s.url("/demo/demo-limits.html")).await?;
        c.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("section[data-sandbox=tiny] button.cb-btn"))
            .await?
            .click()
            .await?;
        for round in 1..=2 {
            let form = c
                .wait()
                .at_most(Duration::from_secs(10))
                .for_element(Locator::Css("form.cb-sb-round"))
                .await?;
            let a = form.find(Locator::Css("input[name='spend.a']")).await?;
            a.clear().await?;
            a.send_keys("20").await?;
            form.find(Locator::Css("input[type=radio][value=safe]")).await?.click().await?;
            form.find(Locator::Css("button[type=submit]")).await?.click().await?;
            if round == 2 {
                c.wait()
                    .at_most(Duration::from_secs(10))
                    .for_element(Locator::Css(".cb-sb-result"))
                    .await?;
            } else {
                c.wait()
                    .at_most(Duration::from_secs(10))
                    .for_element(Locator::XPath("//p[@class='cb-sb-progress' and contains(., '第 2 / 2 轮')]"))
                    .await?;
            }
        }
        c.goto(&s.url("/account")).await?;
        let cert = c.find(Locator::Css("[data-certificate]")).await?;
        assert!(cert.text().await?.contains("演示初级"));
        screenshot(&c, "progress-certified.png").await;
        cert.find(Locator::Css("a[download]")).await?.click().await?;
        let file = downloaded(profile.path(), "CB-").await.expect("the credential downloads");
        let did = s.anonymous().get("/api/issuer").await.1["id"].as_str().unwrap().to_string();
        let out = crate::harness::certbook_verify(&s, &file, &["--issuer", &did]).await;
        assert!(out.status.success(), "{}", crate::harness::output_text(&out));
        // The printable certificate and its public verification page.
        c.find(Locator::Css("[data-certificate] a[href^='/certificates/']"))
            .await?
            .click()
            .await?;
        let holder = c
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(".cb-cert-holder"))
            .await?;
        assert_eq!(holder.text().await?, "alice");
        screenshot(&c, "certificate.png").await;
        // The QR code on the page, and on the page as printed, leads to the verification page.
        let id = c.current_url().await?.path().trim_start_matches("/certificates/").to_string();
        let want = format!("{}/verify/{id}", s.base);
        assert_eq!(qr_codes(&c.screenshot().await?), vec![want.clone()], "QR in the screenshot");
        let pdf = c.print(fantoccini::wd::PrintConfiguration::default()).await?;
        assert!(pdf.starts_with(b"%PDF-"));
        match rasterise(&pdf) {
            Some(png) => assert_eq!(qr_codes(&png), vec![want], "QR in the printed page"),
            None => assert!(std::env::var_os("CI").is_none(), ".ci/run must install poppler-utils (pdftoppm)"),
        }
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    let _ = c.close().await;
    result.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hr_opens_the_dashboard_sees_the_charts_and_downloads_the_csv() {
    let Some(driver) = start_driver() else { return };
    let s = TestServer::start("course-ok").await;
    // Some activity to chart.
    let bob = crate::harness::TestServer::login(&s, "bob").await;
    let (_, a) = bob.start("short").await;
    bob.submit(
        a["id"].as_str().unwrap(),
        serde_json::json!({ "q1": "B", "q2": true, "q3": "留存" }),
    )
    .await;
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path()).await;
    let result = async {
        log_in(&c, &s, "hana", "/hr").await?;
        let learners = c
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("[data-hr-learners]"))
            .await?;
        assert_eq!(learners.text().await?, "2");
        let charts = c.find_all(Locator::Css("svg.cb-chart")).await?;
        assert_eq!(charts.len(), 2, "the funnel and the pass-rate chart");
        let funnel = charts[0].text().await?;
        assert!(funnel.contains("全部学员") && funnel.contains("已开始学习"), "{funnel}");
        screenshot(&c, "hr-dashboard.png").await;
        c.find(Locator::Css("a[href='/api/hr/export/learners.csv']")).await?.click().await?;
        let file = downloaded(profile.path(), "learners").await.expect("the CSV downloads");
        let text = std::fs::read_to_string(file).unwrap();
        assert!(text.contains("alice") && text.contains("bob"), "{text}");
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    let _ = c.close().await;
    result.unwrap();
}

/// A starter course from `certbook init --lang en`, in the browser: its practice quiz of
/// every question type can be passed, and search finds an English word as it is typed
/// ("extin") and in the plural.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_init_course_quiz_is_passed_and_english_search_finds_prefixes_in_the_browser() {
    let Some(driver) = start_driver() else { return };
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("course");
    assert!(crate::harness::certbook_init(&root, &["--lang", "en"]).status.success());
    let lesson = root.join("content/basics/01-measure.md");
    let text = std::fs::read_to_string(&lesson).unwrap().replace(
        "## Cost per new customer",
        "Keep fire extinguishers by the door.\n\n## Cost per new customer",
    );
    std::fs::write(&lesson, text).unwrap();
    let (cur, _) = certbook::course::load(&root).unwrap();
    let quiz = cur.quizzes["measure-practice"].clone();
    let s = TestServer::start_at(&root).await;
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path()).await;
    let result = async {
        log_in(&c, &s, "bob", "/basics/measure.html").await?;
        start_sheet(&c, "section[data-quiz=measure-practice] button.cb-btn").await?;
        let seed = open_attempt_seed(&c, &s, &quiz.id).await?;
        for q in &quiz.questions {
            answer(&c, &q.instance(seed).unwrap()).await?;
        }
        let result = submit_and_wait_for_result(&c).await?;
        let text = result.text().await?;
        assert!(text.contains("100%"), "every type answered through the UI grades right: {text}");
        for query in ["extin", "extinguisher"] {
            let input = c.find(Locator::Id("cb-search-input")).await?;
            input.clear().await?;
            input.send_keys(query).await?;
            let first = c
                .wait()
                .at_most(Duration::from_secs(10))
                .for_element(Locator::Css("#cb-search-results li a"))
                .await?;
            assert_eq!(first.text().await?, "Measuring What Matters", "{query}");
            c.execute("document.getElementById('cb-search-results').textContent = '';", vec![])
                .await?;
        }
        screenshot(&c, "init-search.png").await;
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    let _ = c.close().await;
    result.unwrap();
}
