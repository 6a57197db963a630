//! Shared by the fuzz targets: the `tests/fixtures/course-ok` course held in memory,
//! loading it with one file replaced by the fuzzer's input, and exercising what a
//! loaded course feeds (search index, placeholders, certification standing, the
//! diagnostics `certbook check` prints).

use certbook::course::{Curriculum, load_files};
use certbook::diag::Diagnostics;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The repository root (the fuzz crate lives in `fuzz/`).
pub fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// Loaders read files with `read_to_string`: only valid UTF-8 ever reaches them.
pub fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// Every file of the fixture course (path relative to the course → text), read once.
pub fn fixture() -> &'static BTreeMap<PathBuf, String> {
    static FILES: OnceLock<BTreeMap<PathBuf, String>> = OnceLock::new();
    FILES.get_or_init(|| {
        let root = repo().join("tests/fixtures/course-ok");
        let mut files = BTreeMap::new();
        let mut dirs = vec![root.clone()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("fixture course").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if let Ok(text) = std::fs::read_to_string(&path) {
                    files.insert(path.strip_prefix(&root).unwrap().to_path_buf(), text);
                }
            }
        }
        assert!(load_files(Path::new("fixture"), &files).is_ok(), "the fixture course must load");
        files
    })
}

/// Loads the fixture course with `rel` replaced by `text`, exactly as `certbook check`
/// would load it from disk, renders every diagnostic as `check` prints it, and, when
/// it loads, exercises what is built from a curriculum.
pub fn load_with(rel: &str, text: &str) {
    let mut files = fixture().clone();
    files.insert(PathBuf::from(rel), text.to_string());
    match load_files(Path::new("fixture"), &files) {
        Ok((cur, warnings)) => {
            render(&warnings, &files);
            use_curriculum(&cur);
        }
        Err(diags) => render(&diags, &files),
    }
}

/// Renders every diagnostic with its snippet, as `certbook check` does.
pub fn render(diags: &Diagnostics, files: &BTreeMap<PathBuf, String>) {
    let _ = diags.to_string();
    for d in &diags.0 {
        let text = files.get(&d.file).map(String::as_str).unwrap_or("");
        let _ = d.render_text(text);
    }
}

/// What the site, the server and certification compute from a loaded curriculum.
pub fn use_curriculum(cur: &Curriculum) {
    use certbook::certify::{Records, evaluate, renewal, validity};
    let index = certbook::site::search::Index::build(cur);
    for (_, _, lesson) in cur.pages() {
        let _ = index.search(&lesson.title);
    }
    let placeholders = certbook::site::Placeholders::new(cur);
    for (_, _, lesson) in cur.pages() {
        let _ = placeholders.replace(&lesson.body);
    }
    if let Some(track) = &cur.track {
        // Nothing done, and everything done with full marks.
        let mut all = Records::default();
        for (_, _, l) in cur.pages() {
            all.read.insert(l.id.clone());
        }
        for level in &track.levels {
            for r in level.requirements.iter().chain(&level.renewal) {
                all.quiz_best.insert(r.item().to_string(), 100.0);
                all.scenario_best.insert(r.item().to_string(), 100.0);
                all.exercise_score.insert(r.item().to_string(), 100.0);
            }
        }
        let now = 1_767_225_600_000; // 2026-01-01
        for rec in [Records::default(), all] {
            let _ = evaluate(track, cur, &rec);
            for level in &track.levels {
                if let Some(months) = level.valid_months {
                    let expires = validity::add_months(now, months);
                    let opens = validity::window_opens(expires, level.renew_window_days);
                    let _ = renewal(level, cur, &rec, opens);
                    let _ = validity::renewed_expiry(expires, now, months);
                }
            }
        }
    }
}
