//! A temporary mdBook source tree: one chapter per course, module and lesson (named by
//! id, so URLs survive file renames), a generated SUMMARY, and the theme files.

use super::theme;
use crate::course::{CASES_TITLE, Curriculum, Lesson, TEMPLATES_TITLE};
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
        let mut summary = String::from("# Summary\n\n[首页](index.md)\n\n");
        write_file(&src.join("index.md"), &home_page(cur))?;
        for course in &cur.courses {
            let cdir = src.join(&course.id);
            std::fs::create_dir_all(&cdir)?;
            let _ = write!(summary, "# {}\n\n- [课程概览]({}/index.md)\n", md_escape(&course.title), course.id);
            write_file(&cdir.join("index.md"), &course_page(course))?;
            for module in &course.modules {
                let _ = writeln!(summary, "- [{}]({}/{}.md)", md_escape(&module.title), course.id, module.id);
                write_file(&cdir.join(format!("{}.md", module.id)), &module_page(module))?;
                for lesson in &module.lessons {
                    let _ = writeln!(summary, "    - [{}]({}/{}.md)", md_escape(&lesson.title), course.id, lesson.id);
                    write_file(&cdir.join(format!("{}.md", lesson.id)), &lesson_page(lesson))?;
                }
            }
            for (section, slug, pages) in [
                (CASES_TITLE, "cases", &course.cases),
                (TEMPLATES_TITLE, "templates", &course.templates),
            ] {
                if pages.is_empty() {
                    continue;
                }
                let _ = writeln!(summary, "- [{section}]({}/{slug}.md)", course.id);
                write_file(&cdir.join(format!("{slug}.md")), &section_page(section, pages))?;
                for page in pages {
                    let _ = writeln!(summary, "    - [{}]({}/{}.md)", md_escape(&page.title), course.id, page.id);
                    let text = if slug == "templates" {
                        template_page(page)
                    } else {
                        lesson_page(page)
                    };
                    write_file(&cdir.join(format!("{}.md", page.id)), &text)?;
                }
            }
            summary.push('\n');
        }
        theme::write_theme(&cur.root, &stage.theme_dir())?;
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
    let mut s = format!("# {}\n\n{}\n\n", cur.title, cur.description);
    for c in &cur.courses {
        let lessons: usize = c.modules.iter().map(|m| m.lessons.len()).sum();
        let _ = writeln!(
            s,
            "- **[{}]({}/index.md)**：{}（{} 个模块，{} 课）",
            c.title,
            c.id,
            c.summary,
            c.modules.len(),
            lessons
        );
    }
    s.push_str("\n<div class=\"cb-home-account\" data-cb-account></div>\n");
    s
}

fn course_page(c: &crate::course::Course) -> String {
    let mut s = format!(
        "# {}\n\n{}\n\n| 模块 | 课时 | 预计学习时间 |\n| --- | --- | --- |\n",
        c.title, c.summary
    );
    for m in &c.modules {
        let minutes: u32 = m.lessons.iter().filter_map(|l| l.minutes).sum();
        let _ = writeln!(s, "| [{}]({}.md) | {} | {} 分钟 |", m.title, m.id, m.lessons.len(), minutes);
    }
    s
}

fn module_page(m: &crate::course::Module) -> String {
    let mut s = format!("# {}\n\n{}\n\n", m.title, m.summary);
    for (i, l) in m.lessons.iter().enumerate() {
        let _ = writeln!(
            s,
            "{}. [{}]({}.md){}",
            i + 1,
            l.title,
            l.id,
            l.minutes.map(|n| format!(" · {n} 分钟")).unwrap_or_default()
        );
    }
    s
}

fn lesson_page(l: &crate::course::Lesson) -> String {
    let mut s = format!("# {}\n\n", l.title);
    if let Some(n) = l.minutes {
        let _ = writeln!(s, "<p class=\"cb-meta\">预计学习时间：{n} 分钟</p>\n");
    }
    if !l.objectives.is_empty() {
        s.push_str("<div class=\"cb-objectives\">\n\n**学习目标**\n\n");
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
fn template_page(t: &Lesson) -> String {
    let mut s = lesson_page(t);
    let link = format!(
        "<p class=\"cb-download\"><a href=\"downloads/{id}.md\" download>下载模板（Markdown 文件）</a></p>\n\n",
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
