//! `certbook messages [--lang en|zh-CN] [DIR]`: print the interface's messages as Fluent,
//! to copy what a course changes into its `templates/locales/<lang>/`.

use crate::i18n::{CATALOGUES, Lang, Messages};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Language whose messages to print.
    #[arg(long, value_enum, default_value = "en")]
    pub lang: super::init::Lang,
    /// A course directory: also says which messages its own catalogue changes.
    pub dir: Option<PathBuf>,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let lang = match a.lang {
        super::init::Lang::En => Lang::En,
        super::init::Lang::ZhCn => Lang::ZhCn,
    };
    let files = CATALOGUES
        .iter()
        .find(|(tag, _)| *tag == lang.tag())
        .map(|(_, f)| *f)
        .unwrap_or_default();
    for (file, text) in files {
        println!("### templates/locales/{}/{file}\n\n{}", lang.tag(), text.trim_end());
        println!();
    }
    if let Some(dir) = a.dir {
        let (messages, problems) = Messages::load(&dir, lang.tag());
        let builtin = Messages::builtin(lang);
        let changed: Vec<String> = crate::i18n::builtin_ids(lang)
            .into_iter()
            .filter(|id| messages.get(id) != builtin.get(id))
            .collect();
        println!(
            "### {}: the course changes {} message(s){}",
            dir.display(),
            changed.len(),
            if changed.is_empty() { "" } else { ":" }
        );
        for id in changed {
            println!("#   {id} = {}", messages.get(&id));
        }
        for p in problems.iter().filter(|p| p.unknown.is_some()) {
            println!("#   {} adds {}", p.file.display(), p.unknown.as_deref().unwrap_or_default());
        }
    }
    Ok(ExitCode::SUCCESS)
}
