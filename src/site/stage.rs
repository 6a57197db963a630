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
        let mut summary = String::from("# Summary\n\n[首页](index.md)\n");
        write_file(&src.join("index.md"), &home_page(cur))?;
        if let Some(track) = &cur.track {
            let _ = writeln!(summary, "[{}认证说明](certification.md)", md_escape(&track.title));
            write_file(&src.join("certification.md"), &track_page(cur, track))?;
        }
        if !cur.glossary.is_empty() {
            summary.push_str("[术语表](glossary.md)\n");
            write_file(&src.join("glossary.md"), &glossary_page(&cur.glossary))?;
        }
        summary.push('\n');
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
    if let Some(t) = &cur.track {
        let _ = writeln!(
            s,
            "\n学完课程可以申请 **[{}认证](certification.md)**：{}达到要求时自动发证。",
            t.title,
            levels_in_turn(t).map(|l| format!("{l}，")).unwrap_or_default()
        );
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
    let mut s = format!("# {}认证说明\n\n{}\n\n", track.title, track.description);
    s.push_str("## 怎样取得证书\n\n");
    if let Some(order) = levels_in_turn(track) {
        let _ = writeln!(s, "- {order}：先取得前一级，后一级的要求才会生效。");
    }
    // Only the kinds of requirement this track has.
    let has = |f: fn(&Requirement) -> bool| track.levels.iter().flat_map(|l| l.requirements.iter().chain(&l.renewal)).any(f);
    let kinds: Vec<&str> = [
        (
            has(|r| matches!(r, Requirement::Read { .. })),
            "读完指定的课（在课末点「标记本课为已读」）",
        ),
        (has(|r| matches!(r, Requirement::Quiz { .. })), "考试达到及格线（取最好一次）"),
        (
            has(|r| matches!(r, Requirement::Scenario { .. })),
            "沙盘推演达到指定得分（取最好一次）",
        ),
        (has(|r| matches!(r, Requirement::Exercise { .. })), "开放练习由讲师评分达到指定分数"),
    ]
    .into_iter()
    .filter_map(|(on, text)| on.then_some(text))
    .collect();
    if !kinds.is_empty() {
        let _ = writeln!(s, "- 要求包括：{}。课后小测只用于练习，不计入认证。", kinds.join("、"));
    }
    s.push_str(
        "- 满足某一级的全部要求时，系统立即自动发证，不需要申请。在「我的进度」页面可以随时看到每一项要求的完成情况和下一步该做什么。\n\
         - 每张证书都有编号和公开的验证页，任何人都可以核验；持证人还可以下载带数字签名的电子凭证（Open Badges 3.0），离线也能验证真伪。证书被撤销后，验证页会显示「已撤销」。\n\n",
    );
    for (i, level) in track.levels.iter().enumerate() {
        let _ = write!(s, "## {}\n\n{}\n\n", md_escape(&level.title), level.summary);
        if level.previous && i > 0 {
            let _ = writeln!(s, "- 先取得 **{}**", md_escape(&track.levels[i - 1].title));
        }
        for r in &level.requirements {
            let line = match r {
                Requirement::Read { id } => match link(id) {
                    Some((t, url)) => format!("读完「[{}]({url})」", md_escape(&t)),
                    None => format!("读完 {id}"),
                },
                Requirement::Quiz { id, min } => {
                    let t = cur.quizzes.get(id).map_or(id.clone(), |q| q.title.clone());
                    match page_of(cur.lesson_for_quiz(id)) {
                        Some(url) => format!("测验「[{}]({url})」≥ {min}%", md_escape(&t)),
                        None => format!("测验「{}」≥ {min}%", md_escape(&t)),
                    }
                }
                Requirement::Scenario { id, min } => {
                    let t = cur.scenarios.get(id).map_or(id.clone(), |x| x.title.clone());
                    match page_of(cur.lesson_for_scenario(id)) {
                        Some(url) => format!("沙盘「[{}]({url})」得分 ≥ {min}", md_escape(&t)),
                        None => format!("沙盘「{}」得分 ≥ {min}", md_escape(&t)),
                    }
                }
                Requirement::Exercise { id, min } => {
                    let t = cur.exercises.get(id).map_or(id.clone(), |x| x.title.clone());
                    match page_of(cur.lesson_for_exercise(id)) {
                        Some(url) => format!("练习「[{}]({url})」讲师评分 ≥ {min}", md_escape(&t)),
                        None => format!("练习「{}」讲师评分 ≥ {min}", md_escape(&t)),
                    }
                }
            };
            let _ = writeln!(s, "- {line}");
        }
        s.push('\n');
        for r in &level.requirements {
            if let Requirement::Quiz { id, .. } = r
                && let Some(quiz) = cur.quizzes.get(id)
            {
                blueprint(&mut s, quiz);
            }
        }
    }
    // The rubric only matters where there is open work to grade.
    if !cur.exercises.is_empty() {
        let n = cur.rubric.dimensions.len();
        let _ = write!(
            s,
            "## 评分维度\n\n开放练习按 {n} 个维度评分，每个维度 0–100 分，按权重加权得出总分：\n\n| 维度 | 权重 |\n| --- | --- |\n"
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
fn levels_in_turn(track: &crate::certify::Track) -> Option<String> {
    let chained = track.levels.len() > 1 && track.levels.iter().skip(1).all(|l| l.previous);
    chained.then(|| {
        let names: Vec<String> = track.levels.iter().map(|l| md_escape(&l.title)).collect();
        format!("{} {} 个等级逐级取得", names.join("、"), names.len())
    })
}

/// An exam's test specification: its length, time, pass mark and retake rule, and each
/// blueprint cell with the questions drawn and the size of the pool they come from.
fn blueprint(s: &mut String, quiz: &crate::quiz::Quiz) {
    let Some(draw) = &quiz.draw else { return };
    let _ = write!(s, "**{}**：每次 {} 题", md_escape(&quiz.title), draw.count());
    if let Some(t) = quiz.time_limit {
        let _ = write!(s, "，限时 {} 分钟", t.div_ceil(60));
    }
    let _ = write!(s, "，{} 分及格", quiz.pass_mark);
    if quiz.attempts > 0 {
        let _ = write!(s, "，每个认证周期可考 {} 次", quiz.attempts);
    }
    if let Some(wait) = quiz.exam.retake_after {
        let _ = write!(s, "，两次考试至少间隔 {} 天", (wait as f64 / 86_400_000.0).ceil());
    }
    s.push_str("。题目按下表从题库中随机抽取，优先抽你没见过的题；考试结束前不公布答案和解析。\n\n| 内容 | 考查的核心技能 | 难度 | 抽题数 | 题库题数 |\n| --- | --- | --- | --- | --- |\n");
    for c in &draw.cells {
        let difficulty = if c.difficulty.is_empty() {
            "不限".to_string()
        } else {
            c.difficulty.iter().map(|d| d.label()).collect::<Vec<_>>().join("、")
        };
        let _ = writeln!(
            s,
            "| {} | {} | {difficulty} | {} | {} |",
            md_escape(c.topic.as_deref().unwrap_or("综合")),
            md_escape(c.skill.as_deref().unwrap_or("—")),
            c.count,
            c.pool.len()
        );
    }
    s.push('\n');
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

/// The glossary page: one heading per term, with the id lessons link to as its anchor.
fn glossary_page(terms: &[crate::course::glossary::Term]) -> String {
    let mut out = String::from("# 术语表\n\n课程里每个指标和术语只有这一个定义；课文中术语的链接都指向这里。\n");
    for t in terms {
        let _ = write!(out, "\n## {} {{#{}}}\n\n{}\n", md_escape(&t.term), t.id, t.definition.trim());
        if let Some(d) = t.differs.as_deref().filter(|d| !d.trim().is_empty()) {
            let _ = write!(out, "\n> 口径说明：{}\n", d.trim());
        }
    }
    out
}
