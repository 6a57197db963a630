//! The built site: mdBook output with certbook's theme, no answer keys anywhere,
//! and a search index that finds Chinese words.

use crate::harness::fixture;
use certbook::course::Curriculum;
use certbook::site::search::{self, Index};
use std::path::Path;

fn build(root: &Path) -> (Curriculum, tempfile::TempDir) {
    let (cur, _) = certbook::course::load(root).unwrap_or_else(|d| panic!("{d}"));
    let out = tempfile::tempdir().unwrap();
    certbook::site::build(&cur, &out.path().join("site")).unwrap();
    (cur, out)
}

fn bundled() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every text file of the built site, with its path.
fn site_files(dir: &Path) -> Vec<(String, String)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| std::fs::read_to_string(e.path()).ok().map(|t| (e.path().display().to_string(), t)))
        .collect()
}

#[test]
fn no_question_prompt_key_or_explanation_reaches_the_built_site() {
    for root in [bundled().to_path_buf(), fixture("course-ok")] {
        let (cur, out) = build(&root);
        let files = site_files(&out.path().join("site"));
        assert!(files.len() > 20, "the site was not built");
        let mut secrets = Vec::new();
        for quiz in cur.quizzes.values() {
            for q in &quiz.questions {
                // Short strings ("e", "抽题一") could occur by chance; every real one is longer.
                secrets.extend(
                    [q.explanation.clone(), q.prompt.clone()]
                        .into_iter()
                        .filter(|s| s.chars().count() >= 6),
                );
            }
        }
        for (path, text) in &files {
            for s in &secrets {
                assert!(!text.contains(s.as_str()), "{path} contains quiz text {s:?}");
            }
            assert!(
                !text.contains("answer = ") && !text.contains("[[questions]]"),
                "{path} contains a question bank"
            );
        }
        // Every lesson page carries its quiz placeholder instead.
        for (course, _, lesson) in cur.lessons() {
            let page = std::fs::read_to_string(out.path().join("site").join(&course.id).join(format!("{}.html", lesson.id))).unwrap();
            for q in &lesson.quizzes {
                assert!(
                    page.contains(&format!("data-quiz=\"{q}\"")),
                    "{} lacks the placeholder for {q}",
                    lesson.id
                );
            }
            assert!(!page.contains("{{#quiz"), "{} still holds a raw directive", lesson.id);
        }
    }
}

#[test]
fn the_theme_script_and_styles_are_in_every_page() {
    let (_, out) = build(&fixture("course-ok"));
    let page = std::fs::read_to_string(out.path().join("site/demo/demo-types.html")).unwrap();
    assert!(
        page.contains("certbook.js") && page.contains("certbook.css"),
        "additional js/css missing: theme config was not applied"
    );
    assert!(page.contains("cb-topbar"), "header.hbs override missing");
    assert!(page.contains("lang=\"zh-CN\""));
    assert!(out.path().join("site/print.html").exists());
}

#[test]
fn search_finds_two_character_chinese_words() {
    let (cur, out) = build(bundled());
    let text = std::fs::read_to_string(out.path().join("site").join(search::INDEX_FILE)).unwrap();
    let index: Index = serde_json::from_str(&text).unwrap();
    assert_eq!(
        index.docs.len(),
        cur.pages().count(),
        "lessons, cases and templates are all indexed"
    );
    for word in ["留存", "转化", "用户运营"] {
        let hits = index.search(word);
        let containing: Vec<&str> = index
            .docs
            .iter()
            .filter(|d| d.text.contains(word) || d.title.contains(word))
            .map(|d| d.url.as_str())
            .collect();
        assert!(!containing.is_empty(), "no lesson mentions {word}");
        for url in &containing {
            assert!(hits.iter().any(|h| &h.url == url), "searching {word} misses {url}");
        }
    }
    // A word no lesson contains finds nothing.
    assert!(index.search("量子纠缠").is_empty());
}

#[test]
fn search_ranks_a_lesson_about_the_word_first() {
    let (_, out) = build(&fixture("course-ok"));
    let index: Index = serde_json::from_str(&std::fs::read_to_string(out.path().join("site").join(search::INDEX_FILE)).unwrap()).unwrap();
    let hits = index.search("留存");
    assert_eq!(
        hits.first().map(|d| d.title.as_str()),
        Some("题型大全"),
        "the lesson that teaches retention ranks first"
    );
    assert!(index.search("获客").iter().any(|d| d.title == "限时与限次"));
}

/// The home and certification pages describe the course's own track: the bundled
/// track's three chained levels and its rubric; a one-level track without exercises
/// says nothing of levels in turn, of kinds of requirement it lacks, or of a rubric.
#[test]
fn the_track_pages_describe_the_course_own_levels_and_requirements() {
    let (_, out) = build(bundled());
    let page = std::fs::read_to_string(out.path().join("site/certification.html")).unwrap();
    assert!(page.contains("3 个等级逐级取得"), "bundled track: levels in turn");
    assert!(page.contains("评分维度") && page.contains("开放练习由讲师评分"));

    let dir = tempfile::tempdir().unwrap();
    crate::harness::copy_dir(&fixture("course-ok"), dir.path());
    // One level, requiring only an exam: no exercises anywhere in the course.
    std::fs::write(
        dir.path().join("content/certification.toml"),
        "id = \"t\"\ntitle = \"单级认证\"\nissuer = \"测试\"\n\n[[level]]\nid = \"only\"\ntitle = \"唯一等级\"\nsummary = \"通过考试。\"\nquizzes = { timed = 60 }\n",
    )
    .unwrap();
    std::fs::remove_file(dir.path().join("content/exercises/demo.toml")).unwrap();
    let lesson = dir.path().join("content/demo/m1/03-browser.md");
    std::fs::write(
        &lesson,
        std::fs::read_to_string(&lesson).unwrap().replace("{{#exercise ex-demo}}", ""),
    )
    .unwrap();
    let timed = dir.path().join("quizzes/timed.toml");
    std::fs::write(
        &timed,
        std::fs::read_to_string(&timed)
            .unwrap()
            .replacen("title = \"限时测验\"", "title = \"限时测验\"\nmode = \"exam\"", 1),
    )
    .unwrap();
    let (_, out) = build(dir.path());
    let page = std::fs::read_to_string(out.path().join("site/certification.html")).unwrap();
    let home = std::fs::read_to_string(out.path().join("site/index.html")).unwrap();
    for text in [&page, &home] {
        assert!(!text.contains("逐级取得") && !text.contains("初级"), "one level, none in turn");
    }
    assert!(page.contains("考试达到及格线"));
    assert!(
        !page.contains("沙盘推演达到") && !page.contains("读完指定的课") && !page.contains("评分维度"),
        "only what the track asks"
    );
}

/// A Latin-script course: the word being typed matches as a prefix ("extin"), plurals
/// fold to their singular ("extinguisher" finds "extinguishers"), and a teaser is text,
/// not a table's pipes. Chinese search is unchanged (the tests above).
#[test]
fn english_search_matches_prefixes_and_plurals_and_teasers_are_plain_text() {
    let dir = tempfile::tempdir().unwrap();
    assert!(crate::harness::certbook_init(dir.path(), &["--lang", "en"]).status.success());
    let lesson = dir.path().join("content/basics/01-measure.md");
    let text = std::fs::read_to_string(&lesson).unwrap().replace(
        "## Cost per new customer",
        "| Tool | Use |\n| --- | --- |\n| Extinguishers | small fires |\n\n## Cost per new customer",
    );
    std::fs::write(&lesson, text).unwrap();
    let (cur, _) = certbook::course::load(dir.path()).unwrap_or_else(|d| panic!("{d}"));
    let index = Index::build(&cur);
    for query in ["extin", "extinguisher", "extinguishers", "Extinguishers small", "small fir"] {
        let hits: Vec<&str> = index.search(query).iter().map(|d| d.title.as_str()).collect();
        assert_eq!(hits, ["Measuring What Matters"], "{query}");
    }
    assert!(index.search("extinct").is_empty(), "a longer word is not a prefix match");
    let doc = index.docs.iter().find(|d| d.title == "Measuring What Matters").unwrap();
    assert!(
        doc.text.contains("Extinguishers small fires") && !doc.text.contains('|'),
        "{}",
        doc.text
    );
}
