//! `certbook init [DIR] [--lang en|zh-CN]`: write a small course that checks clean and
//! shows every feature once (templates/init/<lang>/, built into the binary).

use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Directory to create the course in (created if missing).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Language of the starter course.
    #[arg(long, value_enum, default_value = "zh-CN")]
    pub lang: Lang,
    /// Write into a directory that is not empty (starter files are overwritten, others kept).
    #[arg(long)]
    pub force: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum Lang {
    #[value(name = "en")]
    En,
    #[value(name = "zh-CN")]
    ZhCn,
}

/// The starter course's files of one language: (path in the course, text).
macro_rules! starter {
    ($lang:literal: $($file:literal),* $(,)?) => {
        &[$(($file, include_str!(concat!("../../templates/init/", $lang, "/", $file)))),*]
    };
}

type Files = &'static [(&'static str, &'static str)];

fn files(lang: Lang) -> Files {
    match lang {
        Lang::En => starter!("en":
            "course.toml", "content/basics/course.toml", "content/basics/01-measure.md", "content/basics/02-practise.md",
            "content/certification.toml", "content/exercises/review.toml", "content/scenarios/budget.toml",
            "quizzes/measure-practice.toml", "quizzes/level-exam.toml",
        ),
        Lang::ZhCn => starter!("zh-CN":
            "course.toml", "content/basics/course.toml", "content/basics/01-measure.md", "content/basics/02-practise.md",
            "content/certification.toml", "content/exercises/review.toml", "content/scenarios/budget.toml",
            "quizzes/measure-practice.toml", "quizzes/level-exam.toml",
        ),
    }
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    write(&a.dir, a.lang, a.force)?;
    let dir = a.dir.display();
    println!("wrote a starter course in {dir}");
    println!("next:");
    println!("  certbook check {dir}         (every mistake, with file and line)");
    println!("  certbook serve {dir} --demo  (demo accounts; then open http://127.0.0.1:3000)");
    println!("  docs/authoring.md: what every file means");
    Ok(ExitCode::SUCCESS)
}

/// Writes the starter course into `dir`; refuses a directory with anything in it unless `force`.
pub fn write(dir: &Path, lang: Lang, force: bool) -> anyhow::Result<()> {
    let occupied = std::fs::read_dir(dir).map(|mut d| d.next().is_some()).unwrap_or(false);
    if occupied && !force {
        bail!(
            "{} is not empty: choose a new directory, or pass --force to write the starter files into it (files with the same names are overwritten)",
            dir.display()
        );
    }
    for (rel, text) in files(lang) {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}
