//! Theme and page templates. Defaults are compiled into the binary from the repo's
//! `templates/`, so `certbook` works on any course directory; a course directory's
//! own `templates/<same path>` overrides a default file.

use anyhow::{Context, Result};
use std::borrow::Cow;
use std::path::Path;

use crate::i18n::{Messages, fill_theme};

/// The page script's strings, written by the build (see [`messages_script`]).
pub const MESSAGES_JS: &str = "certbook-messages.js";

/// `window.CB_MSG = {...}`: the `js-` messages by their key, and the interface language.
pub fn messages_script(messages: &Messages) -> String {
    let table: serde_json::Map<String, serde_json::Value> = messages
        .with_prefix("js-")
        .into_iter()
        .map(|(k, v)| (k, serde_json::Value::String(v)))
        .collect();
    format!(
        "// Written by certbook build from templates/locales/{lang}: the page script's interface strings.\nwindow.CB_LANG = {lang:?};\nwindow.CB_MSG = {};\n",
        serde_json::to_string_pretty(&table).unwrap_or_default(),
        lang = messages.lang().tag(),
    )
}

/// Every template file certbook knows, with its built-in content.
pub const DEFAULTS: &[(&str, &str)] = &[
    ("theme/header.hbs", include_str!("../../templates/theme/header.hbs")),
    ("theme/certbook.css", include_str!("../../templates/theme/certbook.css")),
    ("theme/certbook.js", include_str!("../../templates/theme/certbook.js")),
    ("pages/layout.hbs", include_str!("../../templates/pages/layout.hbs")),
    ("pages/login.hbs", include_str!("../../templates/pages/login.hbs")),
    ("pages/account.hbs", include_str!("../../templates/pages/account.hbs")),
    ("pages/error.hbs", include_str!("../../templates/pages/error.hbs")),
    ("pages/verify.hbs", include_str!("../../templates/pages/verify.hbs")),
    ("pages/certificate.hbs", include_str!("../../templates/pages/certificate.hbs")),
    ("pages/grading.hbs", include_str!("../../templates/pages/grading.hbs")),
    ("pages/grade.hbs", include_str!("../../templates/pages/grade.hbs")),
    ("pages/hr.hbs", include_str!("../../templates/pages/hr.hbs")),
    ("pages/transcript.hbs", include_str!("../../templates/pages/transcript.hbs")),
    ("pages/attempt.hbs", include_str!("../../templates/pages/attempt.hbs")),
    ("pages/analysis.hbs", include_str!("../../templates/pages/analysis.hbs")),
    ("pages/analysis_quiz.hbs", include_str!("../../templates/pages/analysis_quiz.hbs")),
    ("pages/build.hbs", include_str!("../../templates/pages/build.hbs")),
    ("pages/certops.hbs", include_str!("../../templates/pages/certops.hbs")),
    ("pages/exam.hbs", include_str!("../../templates/pages/exam.hbs")),
    ("pages/teams.hbs", include_str!("../../templates/pages/teams.hbs")),
    ("pages/team.hbs", include_str!("../../templates/pages/team.hbs")),
];

/// The template `name` for the course at `root`: the course's override or the default.
pub fn template(root: &Path, name: &str) -> Cow<'static, str> {
    if let Ok(text) = std::fs::read_to_string(root.join("templates").join(name)) {
        return Cow::Owned(text);
    }
    DEFAULTS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| Cow::Borrowed(*t))
        .unwrap_or(Cow::Borrowed(""))
}

/// Writes the mdBook theme overrides into `theme_dir` and the extra CSS/JS into the
/// staged book root (where mdBook looks for `additional-css`/`additional-js`).
/// The header's `{{t "id"}}` are filled in from `messages`; the page script's strings
/// (every `js-` message) go to `certbook-messages.js`, loaded before `certbook.js`.
pub fn write_theme(root: &Path, theme_dir: &Path, messages: &Messages) -> Result<()> {
    std::fs::create_dir_all(theme_dir)?;
    let book_root = theme_dir.parent().unwrap_or(theme_dir);
    let header = fill_theme(&template(root, "theme/header.hbs"), messages);
    std::fs::write(theme_dir.join("header.hbs"), header.as_ref()).context("writing theme")?;
    std::fs::write(book_root.join(MESSAGES_JS), messages_script(messages))?;
    std::fs::write(book_root.join("certbook.css"), template(root, "theme/certbook.css").as_ref())?;
    std::fs::write(book_root.join("certbook.js"), template(root, "theme/certbook.js").as_ref())?;
    Ok(())
}
