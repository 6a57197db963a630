//! The static site: drives mdBook (via `mdbook-driver`) over a staging copy of the
//! lessons, turns `{{#quiz}}` directives into placeholders, and writes certbook's own
//! Chinese-aware search index. Nothing from a question bank's key reaches the output.

mod preprocess;
pub mod search;
mod stage;
pub mod theme;

use crate::course::Curriculum;
use anyhow::{Context, Result};
use mdbook_driver::MDBook;
use mdbook_driver::config::Config;
use std::path::{Path, PathBuf};

pub use preprocess::{Placeholders, html_escape};

/// What a build produced.
#[derive(Debug)]
pub struct BuildReport {
    pub dest: PathBuf,
    pub pages: usize,
    pub search_terms: usize,
}

/// Builds the site for `cur` into `dest` (replaced whole).
/// mdBook's sidebar toggle is a `<label>` carrying `aria-label` and (from its script)
/// `aria-expanded`, which a label may not have (axe: WCAG 4.1.2). As a button (the role
/// those attributes belong to) it is valid; certbook.js makes Enter and Space press it.
fn sidebar_toggle_as_button(dest: &Path) -> Result<()> {
    const TAG: &str = "<label id=\"mdbook-sidebar-toggle\"";
    for entry in walkdir::WalkDir::new(dest) {
        let entry = entry?;
        if entry.path().extension().is_none_or(|x| x != "html") {
            continue;
        }
        let html = std::fs::read_to_string(entry.path())?;
        if html.contains(TAG) {
            let fixed = html.replacen(TAG, &format!("{TAG} role=\"button\" tabindex=\"0\""), 1);
            std::fs::write(entry.path(), fixed).with_context(|| format!("writing {}", entry.path().display()))?;
        }
    }
    Ok(())
}

pub fn build(cur: &Curriculum, dest: &Path) -> Result<BuildReport> {
    // mdBook resolves a relative build dir against the (temporary) book root.
    let dest = &std::path::absolute(dest).with_context(|| format!("resolving {}", dest.display()))?;
    let stage = stage::Stage::create(cur)?;
    let mut cfg = Config::default();
    cfg.book.title = Some(cur.title.clone());
    cfg.book.language = Some(cur.language.clone());
    if !cur.description.is_empty() {
        cfg.book.description = Some(cur.description.clone());
    }
    cfg.build.build_dir = dest.to_path_buf();
    cfg.build.create_missing = false;
    // mdBook's own search index cannot split Chinese; ours replaces it (see `search`).
    cfg.set("output.html.theme", stage.theme_dir())?;
    cfg.set("output.html.additional-css", vec!["certbook.css"])?;
    cfg.set("output.html.additional-js", vec![theme::MESSAGES_JS, "certbook.js"])?;
    cfg.set("output.html.hash-files", false)?;
    let summary = mdbook_summary::parse_summary(&stage.summary).context("generated SUMMARY.md is invalid")?;
    let mut book = MDBook::load_with_config_and_summary(stage.root(), cfg, summary).context("loading the staged book")?;
    book.with_preprocessor(Placeholders::new(cur));
    if dest.exists() {
        std::fs::remove_dir_all(dest).with_context(|| format!("removing old {}", dest.display()))?;
    }
    book.build().context("mdBook failed to render the site")?;
    sidebar_toggle_as_button(dest)?;
    for course in &cur.courses {
        let dir = dest.join(&course.id).join("downloads");
        for t in &course.templates {
            std::fs::create_dir_all(&dir)?;
            std::fs::write(dir.join(format!("{}.md", t.id)), stage::template_download(t)).context("writing template downloads")?;
        }
    }
    let index = search::Index::build(cur);
    let search_terms = index.terms.len();
    std::fs::write(dest.join(search::INDEX_FILE), serde_json::to_vec(&index)?).context("writing the search index")?;
    Ok(BuildReport {
        dest: dest.to_path_buf(),
        pages: cur.pages().count(),
        search_terms,
    })
}
