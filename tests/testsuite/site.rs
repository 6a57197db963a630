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
