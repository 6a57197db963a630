//! Interface strings from Fluent catalogues (`templates/locales/<lang>/*.ftl`).
//!
//! The course's `language` picks the catalogue: `zh…` is Chinese (zh-CN), anything
//! else English (en). The built-in catalogues are compiled in; a course's own
//! `templates/locales/<lang>/*.ftl` may override any message or add new ones. The
//! pages use `{{t "id"}}`, the theme's header is filled in at build time, the page
//! script gets every `js-` message from the build, and errors carry a [`Msg`] that
//! the HTTP layer renders in the course's language.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use fluent_syntax::ast;
use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

/// The catalogues certbook ships, by language tag, each a list of (file, text).
pub const CATALOGUES: &[(&str, &[(&str, &str)])] = &[("en", &catalogue!("en")), ("zh-CN", &catalogue!("zh-CN"))];

macro_rules! catalogue {
    ($lang:literal) => {
        [
            ("common.ftl", include_str!(concat!("../templates/locales/", $lang, "/common.ftl"))),
            ("errors.ftl", include_str!(concat!("../templates/locales/", $lang, "/errors.ftl"))),
            ("pages.ftl", include_str!(concat!("../templates/locales/", $lang, "/pages.ftl"))),
            ("staff.ftl", include_str!(concat!("../templates/locales/", $lang, "/staff.ftl"))),
            ("exams.ftl", include_str!(concat!("../templates/locales/", $lang, "/exams.ftl"))),
            ("theme.ftl", include_str!(concat!("../templates/locales/", $lang, "/theme.ftl"))),
            ("certify.ftl", include_str!(concat!("../templates/locales/", $lang, "/certify.ftl"))),
            ("site.ftl", include_str!(concat!("../templates/locales/", $lang, "/site.ftl"))),
        ]
    };
}
use catalogue;

/// The languages the interface is complete in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    ZhCn,
    En,
}

impl Lang {
    /// The interface language for a course's `language` (a BCP 47 tag).
    pub fn of(language: &str) -> Lang {
        if language.trim().to_ascii_lowercase().starts_with("zh") {
            Lang::ZhCn
        } else {
            Lang::En
        }
    }

    pub fn tag(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }
}

/// A message to show someone: an id in the catalogues and its arguments. Errors carry
/// one, so the API can answer with the id as a stable code and the text in the
/// course's language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Msg {
    pub id: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl Msg {
    pub fn new(id: &'static str) -> Msg {
        Msg { id, args: Vec::new() }
    }

    /// A text that is not in the catalogues yet (code `plain`): being moved there, and
    /// the CJK scan test lists what remains.
    pub fn plain(text: impl Into<String>) -> Msg {
        Msg::new("plain").arg("text", text.into())
    }

    pub fn arg(mut self, name: &'static str, value: impl ToString) -> Msg {
        self.args.push((name, value.to_string()));
        self
    }

    /// The API's error code: the id with `_` for `-` (`no-such-lesson` → `no_such_lesson`).
    pub fn code(&self) -> String {
        self.id.replace('-', "_")
    }
}

/// `msg!("no-such-lesson", lesson = id)`: a [`Msg`] with named arguments.
#[macro_export]
macro_rules! msg {
    ($id:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::i18n::Msg::new($id)$(.arg(stringify!($name), $value))*
    };
}

/// One catalogue file that does not parse: where, and what the parser said.
#[derive(Debug)]
pub struct CatalogueError {
    /// The file, relative to the course directory.
    pub file: PathBuf,
    pub text: String,
    pub span: std::ops::Range<usize>,
    pub message: String,
    /// Set when the file parses but defines a message certbook does not have (a typo,
    /// or a message for the course's own templates): the id.
    pub unknown: Option<String>,
}

/// A language's messages: the built-in catalogue with a course's overrides on top.
pub struct Messages {
    lang: Lang,
    bundle: FluentBundle<Arc<FluentResource>>,
}

impl std::fmt::Debug for Messages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Messages({})", self.lang.tag())
    }
}

/// The parsed built-in catalogues, once per process.
static BUILTIN: LazyLock<Vec<(Lang, Vec<Arc<FluentResource>>)>> = LazyLock::new(|| {
    CATALOGUES
        .iter()
        .map(|(tag, files)| {
            let resources = files
                .iter()
                .map(|(file, text)| {
                    let res = FluentResource::try_new(text.to_string())
                        .unwrap_or_else(|(_, e)| panic!("built-in catalogue {tag}/{file} does not parse: {e:?}"));
                    Arc::new(res)
                })
                .collect();
            (Lang::of(tag), resources)
        })
        .collect()
});

impl Messages {
    /// The built-in messages of `lang`.
    pub fn builtin(lang: Lang) -> Messages {
        Self::with(lang, Vec::new())
    }

    /// The messages for the course at `root` in its `language`: the built-in catalogue
    /// and the course's `templates/locales/<lang>/*.ftl`. A file that does not parse is
    /// reported (and what did parse of it still applies).
    pub fn load(root: &Path, language: &str) -> (Messages, Vec<CatalogueError>) {
        let lang = Lang::of(language);
        // The catalogue's own folder, then the course's language's if that differs (a
        // `fr` course translates the English base in templates/locales/fr/).
        let mut dirs = vec![lang.tag().to_string()];
        let tag = language.trim();
        if !tag.is_empty() && !tag.eq_ignore_ascii_case(lang.tag()) && !tag.contains(['/', '\\', '.']) {
            dirs.push(tag.to_string());
        }
        let mut files: Vec<PathBuf> = Vec::new();
        for d in &dirs {
            let dir = PathBuf::from("templates").join("locales").join(d);
            let mut these: Vec<PathBuf> = std::fs::read_dir(root.join(&dir))
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "ftl"))
                .map(|p| dir.join(p.file_name().unwrap_or_default()))
                .collect();
            these.sort();
            files.extend(these);
        }
        let builtin = builtin_ids(lang);
        let mut own = Vec::new();
        let mut errors = Vec::new();
        for file in files {
            let Ok(text) = std::fs::read_to_string(root.join(&file)) else {
                continue;
            };
            let res = match FluentResource::try_new(text.clone()) {
                Ok(res) => res,
                Err((res, errs)) => {
                    for e in errs {
                        errors.push(CatalogueError {
                            file: file.clone(),
                            text: text.clone(),
                            span: e.slice.clone().unwrap_or(e.pos.clone()),
                            message: e.kind.to_string(),
                            unknown: None,
                        });
                    }
                    res
                }
            };
            for id in message_ids(&res) {
                if !builtin.contains(&id) {
                    let at = text
                        .match_indices(id.as_str())
                        .map(|(i, _)| i)
                        .find(|&i| (i == 0 || text.as_bytes()[i - 1] == b'\n') && text[i + id.len()..].trim_start().starts_with('='))
                        .unwrap_or(0);
                    errors.push(CatalogueError {
                        file: file.clone(),
                        text: text.clone(),
                        span: at..at + id.len(),
                        message: format!("certbook has no message `{id}`"),
                        unknown: Some(id),
                    });
                }
            }
            own.push(Arc::new(res));
        }
        (Self::with(lang, own), errors)
    }

    fn with(lang: Lang, own: Vec<Arc<FluentResource>>) -> Messages {
        let mut bundle = FluentBundle::new_concurrent(vec![lang.tag().parse().expect("a valid tag")]);
        // Bidi isolation marks would end up in HTML, PDFs and signed credentials.
        bundle.set_use_isolating(false);
        let builtin = BUILTIN
            .iter()
            .find(|(l, _)| *l == lang)
            .map(|(_, r)| r.as_slice())
            .unwrap_or_default();
        for res in builtin {
            bundle.add_resource_overriding(Arc::clone(res));
        }
        for res in own {
            bundle.add_resource_overriding(res);
        }
        Messages { lang, bundle }
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The text of message `id` without arguments.
    pub fn get(&self, id: &str) -> String {
        self.format(id, &[])
    }

    /// The text of `m` in this language.
    pub fn text(&self, m: &Msg) -> String {
        let args: Vec<(&str, &str)> = m.args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.format(m.id, &args)
    }

    /// The text of message `id` with string arguments. An unknown id shows as itself
    /// (a test keeps every id the code uses in both catalogues).
    pub fn format(&self, id: &str, args: &[(&str, &str)]) -> String {
        let Some(pattern) = self.bundle.get_message(id).and_then(|m| m.value()) else {
            tracing::warn!("no message `{id}` in the {} catalogue", self.lang.tag());
            return id.to_string();
        };
        let mut fargs = FluentArgs::new();
        for (k, v) in args {
            // A plain number is passed as one, so a message can choose its plural form
            // (`{ $n -> [one] … *[other] … }`); it prints with the same digits.
            if is_plain_number(v) {
                fargs.set(*k, fluent_bundle::FluentValue::try_number(v));
            } else {
                fargs.set(*k, *v);
            }
        }
        let mut errors = Vec::new();
        self.bundle.format_pattern(pattern, Some(&fargs), &mut errors).into_owned()
    }

    pub fn has(&self, id: &str) -> bool {
        self.bundle.has_message(id)
    }

    /// Every message whose id starts with `prefix`, by the rest of its id, with each
    /// variable left as `{name}` for the page script to fill in.
    pub fn with_prefix(&self, prefix: &str) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for id in self.ids() {
            let Some(key) = id.strip_prefix(prefix) else { continue };
            let Some(pattern) = self.bundle.get_message(&id).and_then(|m| m.value()) else {
                continue;
            };
            let mut names = Vec::new();
            variables(pattern, &mut names);
            let mut fargs = FluentArgs::new();
            for n in &names {
                fargs.set(n.clone(), format!("{{{n}}}"));
            }
            let mut errors = Vec::new();
            let text = self.bundle.format_pattern(pattern, Some(&fargs), &mut errors).into_owned();
            out.push((key.to_string(), text));
        }
        out.sort();
        out
    }

    /// The ids of every built-in message in this language.
    pub fn ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = builtin_ids(self.lang);
        ids.sort();
        ids.dedup();
        ids
    }
}

/// `12`, `-3`, `87.5`: digits with at most one point, no leading zero (which a number
/// would not print back).
fn is_plain_number(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && !frac.is_empty()
        && whole.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
        && (whole == "0" || !whole.starts_with('0'))
}

/// The ids of the built-in messages of `lang`.
pub fn builtin_ids(lang: Lang) -> Vec<String> {
    BUILTIN
        .iter()
        .filter(|(l, _)| *l == lang)
        .flat_map(|(_, r)| r.iter())
        .flat_map(|r| message_ids(r))
        .collect()
}

/// The message ids a resource defines.
pub fn message_ids(res: &FluentResource) -> Vec<String> {
    res.entries()
        .filter_map(|e| match e {
            ast::Entry::Message(m) => Some(m.id.name.to_string()),
            _ => None,
        })
        .collect()
}

fn variables(pattern: &ast::Pattern<&str>, out: &mut Vec<String>) {
    for el in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = el {
            expression_variables(expression, out);
        }
    }
}

fn expression_variables(e: &ast::Expression<&str>, out: &mut Vec<String>) {
    match e {
        ast::Expression::Inline(i) => inline_variables(i, out),
        ast::Expression::Select { selector, variants } => {
            inline_variables(selector, out);
            for v in variants {
                variables(&v.value, out);
            }
        }
    }
}

fn inline_variables(i: &ast::InlineExpression<&str>, out: &mut Vec<String>) {
    match i {
        ast::InlineExpression::VariableReference { id } if !out.iter().any(|n| n == id.name) => out.push(id.name.to_string()),
        ast::InlineExpression::Placeable { expression } => expression_variables(expression, out),
        _ => {}
    }
}

/// `{{t "id"}}` in a theme file (filled in at build time, before mdBook sees it),
/// replaced by the message's text, HTML-escaped.
pub fn fill_theme(text: &str, messages: &Messages) -> Cow<'static, str> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("{{t \"") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 5..];
        match after.find("\"}}") {
            Some(end) => {
                out.push_str(&escape_html(&messages.get(&after[..end])));
                rest = &after[end + 3..];
            }
            None => {
                out.push_str(&rest[at..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Files whose Chinese literals are data about Chinese text, not interface strings.
    const CJK_IS_DATA: &[(&str, &str)] = &[
        (
            "src/quiz/lint.rs",
            "words that show a question names an option by letter or position",
        ),
        ("src/quiz/parse.rs", "examples of Chinese answers in `check`'s help"),
        ("src/site/search.rs", "the Chinese tokeniser's documentation"),
    ];

    /// Chinese string literals in `dir`'s files (outside comments and test modules).
    fn cjk_literals(dir: &str, ext: &str) -> Vec<String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut found = Vec::new();
        for entry in walkdir::WalkDir::new(root.join(dir)).sort_by_file_name() {
            let entry = entry.unwrap();
            let path = entry.path();
            if path.extension().is_none_or(|x| x != ext) {
                continue;
            }
            let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            if CJK_IS_DATA.iter().any(|(f, _)| *f == rel) {
                continue;
            }
            let text = std::fs::read_to_string(path).unwrap();
            for (n, line) in text.lines().enumerate() {
                if line.trim_start().starts_with("#[cfg(test)]") {
                    break;
                }
                let code = line.split("//").next().unwrap_or("");
                let code = if line.trim_start().starts_with("//") || line.trim_start().starts_with("{{!") {
                    ""
                } else {
                    code
                };
                if code.chars().any(|c| {
                    ('\u{4e00}'..='\u{9fff}').contains(&c)
                        || ('\u{3000}'..='\u{303f}').contains(&c)
                        || ('\u{ff01}'..='\u{ff5e}').contains(&c)
                }) {
                    found.push(format!("{rel}:{}: {}", n + 1, line.trim()));
                }
            }
        }
        found
    }

    #[test]
    fn no_interface_string_is_written_in_code_outside_the_catalogues() {
        let mut found = cjk_literals("src", "rs");
        found.extend(cjk_literals("templates/theme", "js"));
        found.extend(cjk_literals("templates/theme", "hbs"));
        found.extend(cjk_literals("templates/pages", "hbs"));
        assert!(found.is_empty(), "Chinese literals outside the catalogues:\n{}", found.join("\n"));
    }

    #[test]
    fn both_languages_have_the_same_messages_and_each_formats() {
        let en = Messages::builtin(Lang::En);
        let zh = Messages::builtin(Lang::ZhCn);
        let (e, z) = (en.ids(), zh.ids());
        let only_en: Vec<_> = e.iter().filter(|id| !z.contains(id)).collect();
        let only_zh: Vec<_> = z.iter().filter(|id| !e.contains(id)).collect();
        assert!(
            only_en.is_empty() && only_zh.is_empty(),
            "only in en: {only_en:?}; only in zh-CN: {only_zh:?}"
        );
        assert!(e.len() > 10);
        for id in &e {
            assert!(!en.get(id).trim().is_empty(), "{id} is empty in en");
            assert!(!zh.get(id).trim().is_empty(), "{id} is empty in zh-CN");
        }
    }

    #[test]
    fn the_language_tag_picks_the_catalogue_and_arguments_fill_in() {
        assert_eq!(Lang::of("zh-CN"), Lang::ZhCn);
        assert_eq!(Lang::of("zh"), Lang::ZhCn);
        assert_eq!(Lang::of("en-GB"), Lang::En);
        assert_eq!(Lang::of("fr"), Lang::En);
        let en = Messages::builtin(Lang::En);
        assert_eq!(en.text(&crate::msg!("test-greeting", name = "Ann")), "Hello, Ann!");
        let zh = Messages::builtin(Lang::ZhCn);
        assert_eq!(zh.text(&crate::msg!("test-greeting", name = "安")), "你好，安！");
        assert_eq!(en.get("no-such-id-anywhere"), "no-such-id-anywhere");
        assert_eq!(crate::msg!("no-such-lesson").code(), "no_such_lesson");
    }

    #[test]
    fn a_course_overrides_a_message_and_a_broken_file_is_reported_with_its_place() {
        let dir = tempfile::tempdir().unwrap();
        let loc = dir.path().join("templates/locales/en");
        std::fs::create_dir_all(&loc).unwrap();
        std::fs::write(loc.join("mine.ftl"), "test-greeting = Welcome, { $name }.\nnew-one = Added\n").unwrap();
        std::fs::write(loc.join("broken.ftl"), "ok-one = Fine\nbad one = nope\n").unwrap();
        let (m, errors) = Messages::load(dir.path(), "en");
        assert_eq!(m.text(&crate::msg!("test-greeting", name = "Ann")), "Welcome, Ann.");
        assert_eq!(m.get("new-one"), "Added");
        assert_eq!(m.get("ok-one"), "Fine", "what parses of a broken file still applies");
        let syntax: Vec<_> = errors.iter().filter(|e| e.unknown.is_none()).collect();
        assert_eq!(syntax.len(), 1, "{errors:?}");
        assert_eq!(syntax[0].file, Path::new("templates/locales/en/broken.ftl"));
        assert_eq!(&syntax[0].text[syntax[0].span.start..syntax[0].span.start + 3], "bad");
        // Messages certbook does not have are reported by id, at their line.
        let unknown: Vec<_> = errors
            .iter()
            .filter_map(|e| Some((e.unknown.as_deref()?, &e.text[e.span.clone()])))
            .collect();
        assert_eq!(unknown, [("ok-one", "ok-one"), ("new-one", "new-one")]);
        // A course in a third language translates the English base in its own folder.
        let fr = dir.path().join("templates/locales/fr");
        std::fs::create_dir_all(&fr).unwrap();
        std::fs::write(fr.join("a.ftl"), "test-greeting = Bonjour, { $name } !\n").unwrap();
        let (m, _) = Messages::load(dir.path(), "fr");
        assert_eq!(m.text(&crate::msg!("test-greeting", name = "Ann")), "Bonjour, Ann !");
        assert_eq!(m.get("new-one"), "Added", "what it leaves out comes from the English base");
        // The Chinese catalogue is untouched by English overrides.
        let (zh, _) = Messages::load(dir.path(), "zh-CN");
        assert_eq!(zh.text(&crate::msg!("test-greeting", name = "安")), "你好，安！");
    }

    #[test]
    fn numbers_choose_their_plural_form_and_print_as_given() {
        let dir = tempfile::tempdir().unwrap();
        let loc = dir.path().join("templates/locales/en");
        std::fs::create_dir_all(&loc).unwrap();
        std::fs::write(
            loc.join("x.ftl"),
            "x-lessons = { $n ->\n    [one] one lesson\n   *[other] { $n } lessons\n}\n",
        )
        .unwrap();
        let (m, _) = Messages::load(dir.path(), "en");
        let lessons = |n: &str| m.format("x-lessons", &[("n", n)]);
        assert_eq!(lessons("1"), "one lesson");
        assert_eq!(lessons("12"), "12 lessons");
        assert_eq!(lessons("2.50"), "2.50 lessons");
        assert_eq!(lessons("007"), "007 lessons");
        assert_eq!(lessons("1,234"), "1,234 lessons");
        assert!(!is_plain_number("1e5") && !is_plain_number("NaN") && !is_plain_number("") && !is_plain_number("3."));
    }

    #[test]
    fn script_messages_keep_their_variables_as_placeholders() {
        let en = Messages::builtin(Lang::En);
        let js = en.with_prefix("test-");
        let greeting = js.iter().find(|(k, _)| k == "greeting").unwrap();
        assert_eq!(greeting.1, "Hello, {name}!");
    }

    #[test]
    fn theme_files_get_their_text_filled_in_and_escaped() {
        let dir = tempfile::tempdir().unwrap();
        let loc = dir.path().join("templates/locales/en");
        std::fs::create_dir_all(&loc).unwrap();
        std::fs::write(loc.join("x.ftl"), "x-label = Search <all> \"here\"\n").unwrap();
        let (m, _) = Messages::load(dir.path(), "en");
        let out = fill_theme(r#"<a title="{{t "x-label"}}">{{ path_to_root }}</a>{{t "x"#, &m);
        assert_eq!(
            out,
            r#"<a title="Search &lt;all&gt; &quot;here&quot;">{{ path_to_root }}</a>{{t "x"#
        );
    }
}
