//! A temporary mdBook source tree: one chapter per course, module and lesson (named by
//! id, so URLs survive file renames), a generated SUMMARY, and the theme files.

use super::theme;
use crate::course::{CASES_TITLE, Curriculum, Lesson, TEMPLATES_TITLE};
use crate::i18n::Messages;
use anyhow::{Context, Result};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub struct Stage {
    dir: PathBuf,
    pub summary: String,
}

impl Drop for Stage {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Stage {
    pub fn root(&self) -> &Path {
        &self.dir
    }

    pub fn theme_dir(&self) -> PathBuf {
        self.dir.join("theme")
    }

    pub fn create(cur: &Curriculum) -> Result<Stage> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let dir = std::env::temp_dir().join(format!("certbook-stage-{}-{nanos}", std::process::id()));
        let src = dir.join("src");
        std::fs::create_dir_all(&src).with_context(|| format!("creating {}", src.display()))?;
        let mut stage = Stage {
            dir,
            summary: String::new(),
        };
        let m = &*cur.messages;
        let mut summary = format!("# Summary\n\n[{}](index.md)\n", md_escape(&m.get("site-home")));
        write_file(&src.join("index.md"), &home_page(cur))?;
        if let Some(track) = &cur.track {
            let label = m.format("site-certification-link", &[("track", &track.title)]);
            let _ = writeln!(summary, "[{}](certification.md)", md_escape(&label));
            write_file(&src.join("certification.md"), &track_page(cur, track))?;
        }
        if !cur.glossary.is_empty() {
            let _ = writeln!(summary, "[{}](glossary.md)", md_escape(&m.get("site-glossary")));
            write_file(&src.join("glossary.md"), &glossary_page(&cur.glossary, m))?;
        }
        summary.push('\n');
        for course in &cur.courses {
            let cdir = src.join(&course.id);
            std::fs::create_dir_all(&cdir)?;
            let _ = write!(
                summary,
                "# {}\n\n- [{}]({}/index.md)\n",
                md_escape(&course.title),
                md_escape(&m.get("site-course-overview")),
                course.id
            );
            write_file(&cdir.join("index.md"), &course_page(course, m))?;
            for module in &course.modules {
                let _ = writeln!(summary, "- [{}]({}/{}.md)", md_escape(&module.title), course.id, module.id);
                write_file(&cdir.join(format!("{}.md", module.id)), &module_page(module, m))?;
                for lesson in &module.lessons {
                    let _ = writeln!(summary, "    - [{}]({}/{}.md)", md_escape(&lesson.title), course.id, lesson.id);
                    write_file(&cdir.join(format!("{}.md", lesson.id)), &lesson_page(lesson, m))?;
                }
            }
            for (section, slug, pages) in [
                (CASES_TITLE, "cases", &course.cases),
                (TEMPLATES_TITLE, "templates", &course.templates),
            ] {
                if pages.is_empty() {
                    continue;
                }
                let section = m.get(section);
                let _ = writeln!(summary, "- [{}]({}/{slug}.md)", md_escape(&section), course.id);
                write_file(&cdir.join(format!("{slug}.md")), &section_page(&section, pages))?;
                for page in pages {
                    let _ = writeln!(summary, "    - [{}]({}/{}.md)", md_escape(&page.title), course.id, page.id);
                    let text = if slug == "templates" {
                        template_page(page, m)
                    } else {
                        lesson_page(page, m)
                    };
                    write_file(&cdir.join(format!("{}.md", page.id)), &text)?;
                }
            }
            summary.push('\n');
        }
        theme::write_theme(&cur.root, &stage.theme_dir(), &cur.messages)?;
        stage.summary = summary;
        Ok(stage)
    }
}

fn write_file(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

/// Escapes the characters that would break a SUMMARY link label.
fn md_escape(s: &str) -> String {
    s.replace('[', "\\[").replace(']', "\\]")
}

fn home_page(cur: &Curriculum) -> String {
    let m = &*cur.messages;
    let mut s = format!("# {}\n\n{}\n\n", cur.title, cur.description);
    for c in &cur.courses {
        let lessons: usize = c.modules.iter().map(|m| m.lessons.len()).sum();
        let facts = m.format(
            "site-home-course",
            &[
                ("summary", &c.summary),
                ("modules", &c.modules.len().to_string()),
                ("lessons", &lessons.to_string()),
            ],
        );
        let _ = writeln!(s, "- **[{}]({}/index.md)**{facts}", c.title, c.id);
    }
    if let Some(t) = &cur.track {
        let order = levels_in_turn(t, m)
            .map(|l| m.format("site-home-track-order", &[("order", &l)]))
            .unwrap_or_default();
        let _ = writeln!(s, "\n{}", m.format("site-home-track", &[("track", &t.title), ("order", &order)]));
    }
    s.push_str("\n<div class=\"cb-home-account\" data-cb-account></div>\n");
    s
}

/// The page learners and HR read to understand the certification track: what each
/// level means and exactly what it takes, with links to every item.
fn track_page(cur: &Curriculum, track: &crate::certify::Track) -> String {
    use crate::certify::Requirement;
    let link = |id: &str| -> Option<(String, String)> {
        for c in &cur.courses {
            if c.id == id {
                return Some((c.title.clone(), format!("{}/index.md", c.id)));
            }
            for m in &c.modules {
                if m.id == id {
                    return Some((m.title.clone(), format!("{}/{}.md", c.id, m.id)));
                }
            }
        }
        cur.pages()
            .find(|(_, _, l)| l.id == id)
            .map(|(c, _, l)| (l.title.clone(), format!("{}/{}.md", c.id, l.id)))
    };
    let page_of = |found: Option<(&crate::course::Course, &str, &Lesson)>| found.map(|(c, _, l)| format!("{}/{}.md", c.id, l.id));
    let m = &*cur.messages;
    let mut s = format!(
        "# {}\n\n{}\n\n",
        m.format("site-track-title", &[("track", &track.title)]),
        track.description
    );
    let _ = write!(s, "## {}\n\n", m.get("site-track-how"));
    if let Some(order) = levels_in_turn(track, m) {
        let _ = writeln!(s, "- {}", m.format("site-track-order", &[("order", &order)]));
    }
    // Only the kinds of requirement this track has.
    let has = |f: fn(&Requirement) -> bool| track.levels.iter().flat_map(|l| l.requirements.iter().chain(&l.renewal)).any(f);
    let kinds: Vec<String> = [
        (has(|r| matches!(r, Requirement::Read { .. })), "site-req-kind-read"),
        (has(|r| matches!(r, Requirement::Quiz { .. })), "site-req-kind-quiz"),
        (has(|r| matches!(r, Requirement::Scenario { .. })), "site-req-kind-scenario"),
        (
            has(|r| matches!(r, Requirement::TeamScenario { .. })),
            "site-req-kind-team-scenario",
        ),
        (has(|r| matches!(r, Requirement::Exercise { .. })), "site-req-kind-exercise"),
    ]
    .into_iter()
    .filter(|(on, _)| *on)
    .map(|(_, id)| m.get(id))
    .collect();
    if !kinds.is_empty() {
        let kinds = kinds.join(&m.get("site-list-separator"));
        let _ = writeln!(s, "- {}", m.format("site-req-kinds", &[("kinds", &kinds)]));
    }
    let _ = write!(s, "- {}\n- {}\n\n", m.get("site-track-automatic"), m.get("site-track-verify"));
    for (i, level) in track.levels.iter().enumerate() {
        let _ = write!(s, "## {}\n\n{}\n\n", md_escape(&level.title), level.summary);
        if level.previous && i > 0 {
            let level = md_escape(&track.levels[i - 1].title);
            let _ = writeln!(s, "- {}", m.format("site-req-previous", &[("level", &level)]));
        }
        for r in &level.requirements {
            // An item's line, linked to its page when it has one.
            let item = |linked: &str, unlinked: &str, title: &str, url: Option<String>, min: String| {
                let title = md_escape(title);
                match url {
                    Some(url) => m.format(linked, &[("title", &title), ("url", &url), ("min", &min)]),
                    None => m.format(unlinked, &[("title", &title), ("min", &min)]),
                }
            };
            let line = match r {
                Requirement::Read { id } => match link(id) {
                    Some((t, url)) => m.format("site-req-read", &[("title", &md_escape(&t)), ("url", &url)]),
                    None => m.format("site-req-read-id", &[("id", id)]),
                },
                Requirement::Quiz { id, min } => {
                    let t = cur.quizzes.get(id).map_or(id.clone(), |q| q.title.clone());
                    let url = page_of(cur.lesson_for_quiz(id));
                    item("site-req-quiz", "site-req-quiz-unlinked", &t, url, min.to_string())
                }
                Requirement::Scenario { id, min } => {
                    let t = cur.scenarios.get(id).map_or(id.clone(), |x| x.title.clone());
                    let url = page_of(cur.lesson_for_scenario(id));
                    item("site-req-scenario", "site-req-scenario-unlinked", &t, url, min.to_string())
                }
                Requirement::TeamScenario { id, min } => {
                    let t = cur.scenarios.get(id).map_or(id.clone(), |x| x.title.clone());
                    let url = page_of(cur.lesson_for_scenario(id));
                    item(
                        "site-req-team-scenario",
                        "site-req-team-scenario-unlinked",
                        &t,
                        url,
                        min.to_string(),
                    )
                }
                Requirement::Exercise { id, min } => {
                    let t = cur.exercises.get(id).map_or(id.clone(), |x| x.title.clone());
                    let url = page_of(cur.lesson_for_exercise(id));
                    item("site-req-exercise", "site-req-exercise-unlinked", &t, url, min.to_string())
                }
            };
            let _ = writeln!(s, "- {line}");
        }
        s.push('\n');
        for r in &level.requirements {
            if let Requirement::Quiz { id, .. } = r
                && let Some(quiz) = cur.quizzes.get(id)
            {
                blueprint(&mut s, quiz, m);
            }
        }
    }
    // The rubric only matters where there is open work to grade.
    if !cur.exercises.is_empty() {
        let n = cur.rubric.dimensions.len();
        let _ = write!(
            s,
            "## {}\n\n{}\n\n| {} | {} |\n| --- | --- |\n",
            m.get("site-rubric-title"),
            m.format("site-rubric-intro", &[("n", &n.to_string())]),
            m.get("site-rubric-criterion"),
            m.get("site-rubric-weight"),
        );
        let total: f64 = cur.rubric.dimensions.iter().map(|d| d.weight).sum();
        for d in &cur.rubric.dimensions {
            let _ = writeln!(s, "| {} | {}% |", d.title, (d.weight * 100.0 / total).round());
        }
    }
    s
}

/// "初级、中级、高级 三个等级逐级取得" for a track whose levels each need the one before;
/// `None` for a single level or levels taken independently.
fn levels_in_turn(track: &crate::certify::Track, m: &Messages) -> Option<String> {
    let chained = track.levels.len() > 1 && track.levels.iter().skip(1).all(|l| l.previous);
    chained.then(|| {
        let names: Vec<String> = track.levels.iter().map(|l| md_escape(&l.title)).collect();
        let count = names.len().to_string();
        let names = names.join(&m.get("site-list-separator"));
        m.format("site-levels-in-turn", &[("names", &names), ("count", &count)])
    })
}

/// An exam's test specification: its length, time, pass mark and retake rule, and each
/// blueprint cell with the questions drawn and the size of the pool they come from.
fn blueprint(s: &mut String, quiz: &crate::quiz::Quiz, m: &Messages) {
    let Some(draw) = &quiz.draw else { return };
    let _ = write!(
        s,
        "**{}**{}",
        md_escape(&quiz.title),
        m.format("site-exam-per-attempt", &[("n", &draw.count().to_string())])
    );
    if let Some(t) = quiz.time_limit {
        s.push_str(&m.format("site-exam-time-limit", &[("minutes", &t.div_ceil(60).to_string())]));
    }
    s.push_str(&m.format("site-exam-pass-mark", &[("mark", &quiz.pass_mark.to_string())]));
    if quiz.attempts > 0 {
        s.push_str(&m.format("site-exam-attempts", &[("n", &quiz.attempts.to_string())]));
    }
    if let Some(wait) = quiz.exam.retake_after {
        let days = (wait as f64 / 86_400_000.0).ceil().to_string();
        s.push_str(&m.format("site-exam-retake", &[("days", &days)]));
    }
    let _ = write!(
        s,
        "{}\n\n| {} | {} | {} | {} | {} |\n| --- | --- | --- | --- | --- |\n",
        m.get("site-exam-draw"),
        m.get("site-exam-col-topic"),
        m.get("site-exam-col-skill"),
        m.get("site-exam-col-difficulty"),
        m.get("site-exam-col-drawn"),
        m.get("site-exam-col-pool"),
    );
    let mixed = m.get("site-exam-mixed-topic");
    for c in &draw.cells {
        let difficulty = if c.difficulty.is_empty() {
            m.get("site-exam-any-difficulty")
        } else {
            let labels: Vec<String> = c.difficulty.iter().map(|d| m.get(d.message_id())).collect();
            labels.join(&m.get("site-list-separator"))
        };
        let _ = writeln!(
            s,
            "| {} | {} | {difficulty} | {} | {} |",
            md_escape(c.topic.as_deref().unwrap_or(&mixed)),
            md_escape(c.skill.as_deref().unwrap_or("—")),
            c.count,
            c.pool.len()
        );
    }
    s.push('\n');
}

fn course_page(c: &crate::course::Course, m: &Messages) -> String {
    let mut s = format!(
        "# {}\n\n{}\n\n| {} | {} | {} |\n| --- | --- | --- |\n",
        c.title,
        c.summary,
        m.get("site-course-col-module"),
        m.get("site-course-col-lessons"),
        m.get("site-course-col-time"),
    );
    for module in &c.modules {
        let minutes: u32 = module.lessons.iter().filter_map(|l| l.minutes).sum();
        let _ = writeln!(
            s,
            "| [{}]({}.md) | {} | {} |",
            module.title,
            module.id,
            module.lessons.len(),
            m.format("site-minutes", &[("n", &minutes.to_string())])
        );
    }
    s
}

fn module_page(module: &crate::course::Module, m: &Messages) -> String {
    let mut s = format!("# {}\n\n{}\n\n", module.title, module.summary);
    for (i, l) in module.lessons.iter().enumerate() {
        let _ = writeln!(
            s,
            "{}. [{}]({}.md){}",
            i + 1,
            l.title,
            l.id,
            l.minutes
                .map(|n| format!(" · {}", m.format("site-minutes", &[("n", &n.to_string())])))
                .unwrap_or_default()
        );
    }
    s
}

fn lesson_page(l: &crate::course::Lesson, m: &Messages) -> String {
    let mut s = format!("# {}\n\n", l.title);
    if let Some(n) = l.minutes {
        let _ = writeln!(
            s,
            "<p class=\"cb-meta\">{}</p>\n",
            m.format("site-lesson-time", &[("n", &n.to_string())])
        );
    }
    if !l.objectives.is_empty() {
        let _ = write!(s, "<div class=\"cb-objectives\">\n\n**{}**\n\n", m.get("site-lesson-objectives"));
        for o in &l.objectives {
            let _ = writeln!(s, "- {o}");
        }
        s.push_str("\n</div>\n\n");
    }
    s.push_str(&l.body);
    // The page script turns this into a "mark as read" button for a logged-in learner.
    let _ = write!(
        s,
        "\n\n<div class=\"cb-read\" data-lesson=\"{}\"></div>\n",
        crate::site::preprocess::html_escape(&l.id)
    );
    s
}

fn section_page(title: &str, pages: &[Lesson]) -> String {
    let mut s = format!("# {title}\n\n");
    for (i, p) in pages.iter().enumerate() {
        let _ = writeln!(s, "{}. [{}]({}.md)", i + 1, p.title, p.id);
    }
    s
}

/// A template page: a download link for the fill-in file, then the template itself.
fn template_page(t: &Lesson, m: &Messages) -> String {
    let mut s = lesson_page(t, m);
    let link = format!(
        "<p class=\"cb-download\"><a href=\"downloads/{id}.md\" download>{}</a></p>\n\n",
        m.get("site-template-download"),
        id = t.id
    );
    let at = s.find("\n\n").map(|i| i + 2).unwrap_or(s.len());
    s.insert_str(at, &link);
    s
}

/// The text a learner downloads for template `t`: title and body, ready to fill in.
pub fn template_download(t: &Lesson) -> String {
    format!("# {}\n\n{}", t.title, t.body)
}

/// The glossary page: one heading per term, with the id lessons link to as its anchor.
fn glossary_page(terms: &[crate::course::glossary::Term], m: &Messages) -> String {
    let mut out = format!("# {}\n\n{}\n", m.get("site-glossary"), m.get("site-glossary-intro"));
    for t in terms {
        let _ = write!(out, "\n## {} {{#{}}}\n\n{}\n", md_escape(&t.term), t.id, t.definition.trim());
        if let Some(d) = t.differs.as_deref().filter(|d| !d.trim().is_empty()) {
            let _ = write!(out, "\n> {}\n", m.format("site-glossary-differs", &[("text", d.trim())]));
        }
    }
    out
}
