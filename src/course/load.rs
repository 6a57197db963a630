//! Loads a course directory from disk into a [`Curriculum`], collecting every
//! authoring mistake (with file, line and fix) rather than stopping at the first.

use super::glossary::{self, Term};
use super::lesson::{parse_lesson, scan_directives};
use super::model::{Course, Curriculum, Lesson, Module};
use crate::certify::{Exercise, Requirement, Track, default_rubric, parse_exercise, parse_rubric, parse_track};
use crate::diag::{Diagnostic, Diagnostics};

/// Where a course keeps its glossary.
pub const GLOSSARY_FILE: &str = "content/glossary.toml";
use crate::quiz::{Quiz, parse_bank};
use crate::sandbox::{Scenario, autoplay, parse_scenario};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSite {
    title: String,
    #[serde(default = "default_language")]
    language: String,
    #[serde(default)]
    description: String,
    courses: Vec<Spanned<String>>,
}

fn default_language() -> String {
    "zh-CN".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCourse {
    id: Spanned<String>,
    title: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    modules: Vec<RawModule>,
    /// Case studies, in order (paths relative to the course folder).
    #[serde(default)]
    cases: Vec<Spanned<String>>,
    /// Downloadable document templates, in order.
    #[serde(default)]
    templates: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModule {
    id: Spanned<String>,
    title: String,
    #[serde(default)]
    summary: String,
    lessons: Vec<Spanned<String>>,
}

/// Directives mdBook itself understands; anything else that is not certbook's is a typo.
const MDBOOK_DIRECTIVES: &[&str] = &["include", "rustdoc_include", "playground", "title"];

/// Loads and validates everything under `root`. On success returns the curriculum
/// and its warnings; on failure every diagnostic, errors and warnings.
pub fn load(root: &Path) -> Result<(Curriculum, Diagnostics), Diagnostics> {
    load_from(root, Files::Disk)
}

/// [`load`] from files held in memory (path relative to the course directory →
/// text) instead of the disk: same parsing and cross-checks, for tests and fuzzing.
/// `root` only names the directory in the curriculum.
pub fn load_files(root: &Path, files: &BTreeMap<PathBuf, String>) -> Result<(Curriculum, Diagnostics), Diagnostics> {
    load_from(root, Files::Memory(files))
}

/// Where the loader reads the course's files.
enum Files<'a> {
    Disk,
    Memory(&'a BTreeMap<PathBuf, String>),
}

fn load_from(root: &Path, files: Files) -> Result<(Curriculum, Diagnostics), Diagnostics> {
    let mut l = Loader {
        root,
        files,
        broken_quizzes: Default::default(),
        scenarios: Default::default(),
        broken_scenarios: Default::default(),
        exercises: Default::default(),
        diags: Diagnostics::default(),
        texts: HashMap::new(),
        ids: HashMap::new(),
    };
    let curriculum = l.site();
    l.diags.sort();
    match curriculum {
        Some(c) if !l.diags.has_errors() => Ok((c, l.diags)),
        _ => Err(l.diags),
    }
}

struct Loader<'a> {
    root: &'a Path,
    files: Files<'a>,
    /// Ids of banks that exist but failed to load: no "unknown quiz" for them.
    broken_quizzes: std::collections::HashSet<String>,
    /// Ids of loaded scenarios, for `{{#sandbox id}}`.
    scenarios: std::collections::BTreeSet<String>,
    broken_scenarios: std::collections::HashSet<String>,
    /// Ids of exercises (loaded or broken), for `{{#exercise id}}`.
    exercises: std::collections::BTreeSet<String>,
    diags: Diagnostics,
    /// File texts by relative path, so later checks can point into them.
    texts: HashMap<PathBuf, String>,
    /// Course, module and lesson ids (one namespace: they share URLs) → where first seen.
    ids: HashMap<String, PathBuf>,
}

impl Loader<'_> {
    fn read(&mut self, rel: &Path) -> Option<String> {
        let text = match self.files {
            Files::Disk => std::fs::read_to_string(self.root.join(rel)).ok()?,
            Files::Memory(files) => files.get(rel)?.clone(),
        };
        self.texts.insert(rel.to_path_buf(), text.clone());
        Some(text)
    }

    fn err(&mut self, file: &Path, span: Option<std::ops::Range<usize>>, msg: impl Into<String>, help: impl Into<String>) {
        let text = self.texts.get(file).map(String::as_str).unwrap_or("");
        self.diags.push(Diagnostic::error(file, text, span, msg).help(help));
    }

    /// Parses a TOML file into `T`, reporting a syntax or shape error with its place.
    fn parse_toml<T: serde::de::DeserializeOwned>(&mut self, file: &Path, text: &str, help: &str) -> Option<T> {
        match toml::from_str(text) {
            Ok(r) => Some(r),
            Err(e) => {
                self.err(file, e.span(), format!("TOML: {}", e.message().trim()), help);
                None
            }
        }
    }

    /// The interface messages; a course catalogue that does not parse is an error at its line.
    fn messages(&mut self, language: &str) -> std::sync::Arc<crate::i18n::Messages> {
        let (messages, errors) = crate::i18n::Messages::load(self.root, language);
        // A message of the course's own is fine where its own templates use it (read only
        // when the course defines such messages).
        let own_templates: String = if errors.iter().any(|e| e.unknown.is_some()) {
            walkdir::WalkDir::new(self.root.join("templates"))
                .into_iter()
                .flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == "hbs" || x == "js"))
                .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                .collect()
        } else {
            String::new()
        };
        let builtin = crate::i18n::builtin_ids(messages.lang());
        for e in errors {
            let Some(id) = &e.unknown else {
                self.diags.push(
                    Diagnostic::error(&e.file, &e.text, Some(e.span), format!("Fluent: {}", e.message))
                        .help("a message is `id = text` on one line (continuation lines indented); see docs/translation.md"),
                );
                continue;
            };
            if own_templates.contains(&format!("\"{id}\"")) || own_templates.contains(&format!("T.{}", id.trim_start_matches("js-"))) {
                continue;
            }
            let close: Vec<&str> = builtin.iter().map(String::as_str).filter(|k| similar(k, id)).collect();
            let help = if close.is_empty() {
                "use an id from `certbook messages` (or use the message in a template of your own)".to_string()
            } else {
                format!("did you mean `{}`?", close.join("`, `"))
            };
            self.diags.push(
                Diagnostic::warning(
                    &e.file,
                    &e.text,
                    Some(e.span),
                    format!("{}, and no template of the course uses it", e.message),
                )
                .help(help),
            );
        }
        std::sync::Arc::new(messages)
    }

    fn site(&mut self) -> Option<Curriculum> {
        let file = PathBuf::from("course.toml");
        let Some(text) = self.read(&file) else {
            self.err(
                &file,
                None,
                format!("no course.toml in {}", self.root.display()),
                "point at the course directory (the one holding course.toml)",
            );
            return None;
        };
        let raw: RawSite = self.parse_toml(&file, &text, "fix course.toml (needs `title` and `courses = [\"folder\", ...]`)")?;
        let mut quizzes = self.quizzes();
        self.resolve_pools(&mut quizzes);
        let scenarios = self.scenarios();
        self.scenarios = scenarios.keys().cloned().collect();
        let exercises = self.exercises();
        let messages = self.messages(&raw.language);
        let rubric = self.rubric(&messages);
        let track = self.track();
        let glossary = self.glossary();
        let mut courses = Vec::new();
        for dir in &raw.courses {
            if let Some(c) = self.course(&file, dir, &quizzes) {
                courses.push(c);
            }
        }
        let curriculum = Curriculum {
            root: self.root.to_path_buf(),
            title: raw.title,
            language: raw.language,
            description: raw.description,
            courses,
            quizzes,
            scenarios,
            exercises,
            rubric,
            track,
            glossary,
            messages,
        };
        self.scenario_links(&curriculum);
        self.glossary_links(&curriculum);
        self.track_links(&curriculum);
        let mut curriculum = curriculum;
        reading_order(&mut curriculum);
        for ex in curriculum.exercises.values() {
            if curriculum.lesson_for_exercise(&ex.id).is_none() {
                let text = self.texts.get(&ex.source).cloned().unwrap_or_default();
                self.diags.push(
                    Diagnostic::warning(
                        &ex.source,
                        &text,
                        Some(0..0),
                        format!("exercise `{}` is not embedded in any lesson", ex.id),
                    )
                    .help(format!("add `{{{{#exercise {}}}}}` to a lesson or case", ex.id)),
                );
            }
        }
        for (id, quiz) in &curriculum.quizzes {
            if curriculum.lesson_for_quiz(id).is_none() {
                let text = self.texts.get(&quiz.source).map(String::as_str).unwrap_or("");
                self.diags.push(
                    Diagnostic::warning(&quiz.source, text, Some(0..0), format!("quiz `{id}` is not embedded in any lesson"))
                        .help(format!("add `{{{{#quiz {id}}}}}` to a lesson, or delete the bank")),
                );
            }
        }
        Some(curriculum)
    }

    fn quizzes(&mut self) -> BTreeMap<String, Quiz> {
        let mut out = BTreeMap::new();
        for rel in self.toml_files("quizzes") {
            let Some(text) = self.read(&rel) else {
                continue;
            };
            let (quiz, diags) = parse_bank(&rel, &text);
            self.diags.0.extend(diags);
            if quiz.is_none()
                && let Some(id) = declared_id(&text)
            {
                self.broken_quizzes.insert(id);
            }
            if let Some(quiz) = quiz {
                if let Some(first) = out.get(&quiz.id).map(|q: &Quiz| q.source.clone()) {
                    let at = text.find("id").map(|i| i..i + 2);
                    self.err(
                        &rel,
                        at,
                        format!("duplicate quiz id `{}` (also in {})", quiz.id, first.display()),
                        "give every quiz bank its own id",
                    );
                } else {
                    out.insert(quiz.id.clone(), quiz);
                }
            }
        }
        out
    }

    /// Fills the pools of blueprint cells that draw from other banks: each admitted
    /// question is copied into the drawing bank as `bank/question`, so grading, reviews and
    /// item analysis read it like the bank's own. Only banks whose questions are their own
    /// are drawn from (no exam draws from another exam). An empty cell is an error; a pool
    /// under three times its draw is a warning (a retake would repeat too many questions).
    fn resolve_pools(&mut self, quizzes: &mut BTreeMap<String, Quiz>) {
        let sources: Vec<Quiz> = quizzes
            .values()
            .filter(|q| q.draw.as_ref().is_none_or(|d| d.cells.iter().all(|c| c.banks.is_empty())))
            .cloned()
            .collect();
        for quiz in quizzes.values_mut() {
            let Some(draw) = quiz.draw.as_mut() else { continue };
            let text = self.texts.get(&quiz.source).cloned().unwrap_or_default();
            let mut copied: Vec<crate::quiz::Question> = Vec::new();
            for cell in draw.cells.iter_mut().filter(|c| !c.banks.is_empty()) {
                for pattern in &cell.banks {
                    let broken = self.broken_quizzes.iter().any(|b| crate::quiz::Cell::pattern_matches(pattern, b));
                    if !broken && !sources.iter().any(|b| crate::quiz::Cell::pattern_matches(pattern, &b.id)) {
                        let at = Some(cell.span.clone());
                        self.diags.push(
                            Diagnostic::error(
                                &quiz.source,
                                &text,
                                at,
                                format!("`banks` entry `{pattern}` matches no question bank"),
                            )
                            .help("use a bank id, or a prefix ending in `*` such as \"ops-skills-*\""),
                        );
                    }
                }
                let banks: Vec<&Quiz> = sources.iter().filter(|b| cell.draws_from(&b.id)).collect();
                for bank in banks {
                    let admitted: Vec<&crate::quiz::Question> = bank.questions.iter().filter(|q| cell.admits(q)).collect();
                    for q in admitted {
                        let id = if bank.id == quiz.id {
                            q.id.clone()
                        } else {
                            format!("{}/{}", bank.id, q.id)
                        };
                        if bank.id != quiz.id && !copied.iter().any(|c| c.id == id) {
                            copied.push(crate::quiz::Question {
                                id: id.clone(),
                                ..q.clone()
                            });
                        }
                        if !cell.pool.contains(&id) {
                            cell.pool.push(id);
                        }
                    }
                }
                let (count, pool) = (cell.count, cell.pool.len());
                let at = Some(cell.span.clone());
                let what = cell.topic.clone().unwrap_or_else(|| cell.banks.join(", "));
                if pool == 0 {
                    self.diags.push(
                        Diagnostic::error(&quiz.source, &text, at, format!("blueprint cell `{what}` has no questions"))
                            .help("check its `banks`, `tags` and `difficulty`: no question matches all three"),
                    );
                } else if count > pool {
                    self.diags.push(
                        Diagnostic::error(
                            &quiz.source,
                            &text,
                            at,
                            format!("blueprint cell `{what}` draws {count} from a pool of {pool}"),
                        )
                        .help("lower `count`, or widen `banks`, `tags` or `difficulty`"),
                    );
                } else if pool < 3 * count {
                    self.diags.push(
                        Diagnostic::warning(
                            &quiz.source,
                            &text,
                            at,
                            format!("blueprint cell `{what}` draws {count} from a pool of only {pool} (under 3× the draw)"),
                        )
                        .help("a retake will repeat many of the same questions: widen the pool or draw fewer"),
                    );
                }
            }
            quiz.questions.extend(copied);
        }
        let unfilled: Vec<String> = quizzes
            .values()
            .filter(|q| q.draw.as_ref().is_some_and(|d| d.cells.iter().any(|c| c.pool.len() < c.count)))
            .map(|q| q.id.clone())
            .collect();
        for id in unfilled {
            quizzes.remove(&id);
            self.broken_quizzes.insert(id);
        }
    }

    fn scenarios(&mut self) -> BTreeMap<String, Scenario> {
        let mut out = BTreeMap::new();
        for rel in self.toml_files("content/scenarios") {
            let Some(text) = self.read(&rel) else {
                continue;
            };
            let (sc, diags) = parse_scenario(&rel, &text);
            self.diags.0.extend(diags);
            match sc {
                None => {
                    if let Some(id) = declared_id(&text) {
                        self.broken_scenarios.insert(id);
                    }
                }
                Some(sc) => {
                    if let Some(first) = out.get(&sc.id).map(|s: &Scenario| s.source.clone()) {
                        let at = text.find("id").map(|i| i..i + 2);
                        self.err(
                            &rel,
                            at,
                            format!("duplicate scenario id `{}` (also in {})", sc.id, first.display()),
                            "give every scenario its own id",
                        );
                    } else {
                        out.insert(sc.id.clone(), sc);
                    }
                }
            }
        }
        out
    }

    /// The `.toml` files directly in `dir`, sorted, as paths relative to the root.
    fn toml_files(&self, dir: &str) -> Vec<PathBuf> {
        let is_toml = |p: &Path| p.extension().is_some_and(|x| x == "toml");
        let mut files: Vec<PathBuf> = match self.files {
            Files::Disk => std::fs::read_dir(self.root.join(dir))
                .map(|rd| {
                    rd.filter_map(|e| e.ok())
                        .map(|e| e.path())
                        .filter(|p| is_toml(p))
                        .map(|p| p.strip_prefix(self.root).map(Path::to_path_buf).unwrap_or(p))
                        .collect()
                })
                .unwrap_or_default(),
            Files::Memory(files) => files
                .keys()
                .filter(|p| is_toml(p) && p.parent() == Some(Path::new(dir)))
                .cloned()
                .collect(),
        };
        files.sort();
        files
    }

    fn exercises(&mut self) -> BTreeMap<String, Exercise> {
        let mut out = BTreeMap::new();
        for rel in self.toml_files("content/exercises") {
            let Some(text) = self.read(&rel) else {
                continue;
            };
            if let Some(id) = declared_id(&text) {
                self.exercises.insert(id);
            }
            match parse_exercise(&rel, &text) {
                Err(d) => self.diags.0.extend(d),
                Ok(ex) => {
                    if let Some(first) = out.get(&ex.id).map(|e: &Exercise| e.source.clone()) {
                        let at = text.find("id").map(|i| i..i + 2);
                        self.err(
                            &rel,
                            at,
                            format!("duplicate exercise id `{}` (also in {})", ex.id, first.display()),
                            "give every exercise its own id",
                        );
                    } else {
                        out.insert(ex.id.clone(), ex);
                    }
                }
            }
        }
        out
    }

    /// The glossary, if the course has one: ids well formed and unique, every term defined.
    fn glossary(&mut self) -> Vec<Term> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RawGlossary {
            #[serde(default)]
            term: Vec<Term>,
        }
        let file = PathBuf::from(GLOSSARY_FILE);
        let Some(text) = self.read(&file) else { return Vec::new() };
        let help = "each entry is `[[term]]` with `id`, `term`, `names = [...]`, `definition` and optionally `differs`";
        let Some(raw) = self.parse_toml::<RawGlossary>(&file, &text, help) else {
            return Vec::new();
        };
        let mut seen = std::collections::HashSet::new();
        let at = |id: &str| text.find(&format!("\"{id}\"")).map(|i| i + 1..i + 1 + id.len());
        for t in &raw.term {
            if !glossary::valid_id(&t.id) {
                self.err(
                    &file,
                    at(&t.id),
                    format!("glossary id `{}` is not usable in a link", t.id),
                    "use lowercase ASCII letters, digits and hyphens, e.g. `ltv-cac`",
                );
            } else if !seen.insert(t.id.clone()) {
                self.err(
                    &file,
                    at(&t.id),
                    format!("glossary id `{}` is defined twice", t.id),
                    "give every term one entry: one definition per term",
                );
            }
            if t.definition.trim().is_empty() {
                self.err(
                    &file,
                    at(&t.id),
                    format!("glossary term `{}` has no definition", t.id),
                    "write `definition = \"...\"`",
                );
            }
        }
        raw.term
    }

    /// Every glossary link names a term; a page that uses a term's name in its prose
    /// links the term (a warning: the reader should find the one definition).
    fn glossary_links(&mut self, cur: &Curriculum) {
        for (_, _, page) in cur.pages() {
            let text = self.texts.get(&page.source).cloned().unwrap_or_default();
            let offset = text.len().saturating_sub(page.body.len());
            for (id, span) in glossary::links(&page.body) {
                if !cur.glossary.iter().any(|t| t.id == id) {
                    let known: Vec<&str> = cur.glossary.iter().map(|t| t.id.as_str()).filter(|k| similar(k, &id)).collect();
                    let help = match (cur.glossary.is_empty(), known.is_empty()) {
                        (true, _) => format!("define it in {GLOSSARY_FILE}"),
                        (false, true) => format!("add the term to {GLOSSARY_FILE} or fix the id"),
                        (false, false) => format!("did you mean `{}`?", known.join("`, `")),
                    };
                    self.err(
                        &page.source,
                        Some(offset + span.start..offset + span.end),
                        format!("no glossary term `{id}`"),
                        help,
                    );
                }
            }
            for (term, at) in glossary::unlinked(&page.body, &cur.glossary) {
                let name = term
                    .names
                    .iter()
                    .find(|n| page.body[at..].starts_with(n.as_str()))
                    .cloned()
                    .unwrap_or_default();
                self.diags.push(
                    Diagnostic::warning(
                        &page.source,
                        &text,
                        Some(offset + at..offset + at + name.len()),
                        format!("\"{name}\" is a glossary term (`{}`) but this page never links it", term.id),
                    )
                    .help(format!("link its first use: `[{name}]({}{})`", glossary::SCHEME, term.id)),
                );
            }
        }
    }

    fn rubric(&mut self, messages: &crate::i18n::Messages) -> crate::certify::Rubric {
        let rel = PathBuf::from("content/rubric.toml");
        match self.read(&rel) {
            None => default_rubric(messages),
            Some(text) => parse_rubric(&rel, &text, messages).unwrap_or_else(|d| {
                self.diags.0.extend(d);
                default_rubric(messages)
            }),
        }
    }

    fn track(&mut self) -> Option<Track> {
        let rel = PathBuf::from("content/certification.toml");
        let text = self.read(&rel)?;
        parse_track(&rel, &text).map_err(|d| self.diags.0.extend(d)).ok()
    }

    /// Every requirement names something that exists and that a learner can reach.
    fn track_links(&mut self, cur: &Curriculum) {
        let Some(track) = &cur.track else {
            return;
        };
        for level in &track.levels {
            let renewal = level.renewal.iter().zip(&level.renewal_spans);
            for (r, span) in level.requirements.iter().zip(&level.spans).chain(renewal) {
                let (kind, known, reachable): (&str, Vec<&str>, bool) = match r {
                    Requirement::Quiz { id, .. } => (
                        "quiz",
                        cur.quizzes.keys().map(String::as_str).collect(),
                        cur.lesson_for_quiz(id).is_some(),
                    ),
                    Requirement::Scenario { id, .. } => (
                        "scenario",
                        cur.scenarios.keys().map(String::as_str).collect(),
                        cur.lesson_for_scenario(id).is_some(),
                    ),
                    // Instructors start team sessions on any scenario of the course.
                    Requirement::TeamScenario { .. } => ("scenario", cur.scenarios.keys().map(String::as_str).collect(), true),
                    Requirement::Exercise { id, .. } => (
                        "exercise",
                        cur.exercises.keys().map(String::as_str).collect(),
                        cur.lesson_for_exercise(id).is_some(),
                    ),
                    Requirement::Read { id } => (
                        "lesson, module or course",
                        cur.courses
                            .iter()
                            .flat_map(|c| std::iter::once(c.id.as_str()).chain(c.modules.iter().map(|m| m.id.as_str())))
                            .chain(cur.pages().map(|(_, _, l)| l.id.as_str()))
                            .collect(),
                        !super::lessons_covered(cur, id).is_empty(),
                    ),
                };
                let id = r.item();
                // A file that exists but failed to load is reported once, in itself.
                let broken = match r {
                    Requirement::Quiz { .. } => self.broken_quizzes.contains(id),
                    Requirement::Scenario { .. } | Requirement::TeamScenario { .. } => self.broken_scenarios.contains(id),
                    Requirement::Exercise { .. } => self.exercises.contains(id) && !known.contains(&id),
                    Requirement::Read { .. } => false,
                };
                if broken {
                    continue;
                }
                let exists = match r {
                    Requirement::Read { .. } => reachable,
                    _ => known.contains(&id),
                };
                if !exists {
                    let close: Vec<&str> = known.iter().copied().filter(|k| similar(k, id)).collect();
                    let help = if close.is_empty() {
                        format!("use the id of an existing {kind}")
                    } else {
                        format!("did you mean `{}`?", close.join("`, `"))
                    };
                    self.err(
                        &track.source,
                        Some(span.clone()),
                        format!("level `{}` requires unknown {kind} `{id}`", level.id),
                        help,
                    );
                } else if let Requirement::Quiz { .. } = r
                    && cur.quizzes.get(id).is_some_and(|q| q.mode == crate::quiz::Mode::Practice)
                {
                    self.err(
                        &track.source,
                        Some(span.clone()),
                        format!("level `{}` requires practice quiz `{id}`: practice cannot certify", level.id),
                        "require an exam (a bank with `mode = \"exam\"`), or count the lesson as read with `read`",
                    );
                } else if !reachable {
                    self.err(
                        &track.source,
                        Some(span.clone()),
                        format!(
                            "no learner can meet level `{}`: {kind} `{id}` is not embedded in any lesson",
                            level.id
                        ),
                        "embed it in a lesson, or drop the requirement",
                    );
                }
            }
        }
    }

    /// Scenario feedback links to lessons; every scenario should be played somewhere.
    fn scenario_links(&mut self, cur: &Curriculum) {
        for sc in cur.scenarios.values() {
            let text = self.texts.get(&sc.source).cloned().unwrap_or_default();
            // The n-th link to an id is reported at the n-th `lesson = "id"` in the file, so
            // every reference shows at its own line.
            let mut seen: HashMap<&str, usize> = HashMap::new();
            for lesson in sc.lesson_links() {
                if !cur.pages().any(|(_, _, l)| l.id == lesson) {
                    let n = seen.entry(lesson).or_default();
                    let at = lesson_refs(&text, lesson).get(*n).map(|&i| i..i + lesson.len() + 2);
                    *n += 1;
                    self.err(
                        &sc.source,
                        at,
                        format!("`lesson = \"{lesson}\"` names no lesson"),
                        "link feedback to the id of a lesson, case or template",
                    );
                }
            }
            if !cur.pages().any(|(_, _, l)| l.scenarios.contains(&sc.id)) {
                self.diags.push(
                    Diagnostic::warning(
                        &sc.source,
                        &text,
                        Some(0..0),
                        format!("scenario `{}` is not embedded in any lesson", sc.id),
                    )
                    .help(format!("add `{{{{#sandbox {}}}}}` to a lesson", sc.id)),
                );
            }
        }
    }

    /// Records an id in the shared namespace; reports a duplicate or malformed one.
    fn claim_id(&mut self, file: &Path, id: &Spanned<String>, what: &str) -> bool {
        if !crate::quiz::valid_id(id.get_ref()) {
            self.err(
                file,
                Some(id.span()),
                format!("invalid {what} id `{}`", id.get_ref()),
                "use lowercase letters, digits and `-`",
            );
            return false;
        }
        if let Some(first) = self.ids.get(id.get_ref()).cloned() {
            self.err(
                file,
                Some(id.span()),
                format!("duplicate id `{}` (already used in {})", id.get_ref(), first.display()),
                format!("give this {what} its own id"),
            );
            return false;
        }
        self.ids.insert(id.get_ref().clone(), file.to_path_buf());
        true
    }

    fn course(&mut self, site_file: &Path, dir: &Spanned<String>, quizzes: &BTreeMap<String, Quiz>) -> Option<Course> {
        let base = Path::new("content").join(dir.get_ref());
        let file = base.join("course.toml");
        let Some(text) = self.read(&file) else {
            self.err(
                site_file,
                Some(dir.span()),
                format!("course folder `{}` has no course.toml", base.display()),
                format!("create {} or remove the course from `courses`", file.display()),
            );
            return None;
        };
        let raw: RawCourse = self.parse_toml(
            &file,
            &text,
            "a course needs `id`, `title` and `[[modules]]` with `id`, `title`, `lessons`",
        )?;
        self.claim_id(&file, &raw.id, "course");
        let mut modules = Vec::new();
        for m in raw.modules {
            self.claim_id(&file, &m.id, "module");
            let mut lessons = Vec::new();
            for entry in &m.lessons {
                if let Some(lesson) = self.lesson(&file, &base, entry, quizzes) {
                    lessons.push(lesson);
                }
            }
            modules.push(Module {
                id: m.id.into_inner(),
                title: m.title,
                summary: m.summary,
                lessons,
            });
        }
        let cases = raw.cases.iter().filter_map(|e| self.lesson(&file, &base, e, quizzes)).collect();
        let templates = raw.templates.iter().filter_map(|e| self.lesson(&file, &base, e, quizzes)).collect();
        Some(Course {
            id: raw.id.into_inner(),
            title: raw.title,
            summary: raw.summary,
            modules,
            cases,
            templates,
        })
    }

    fn lesson(&mut self, course_file: &Path, base: &Path, entry: &Spanned<String>, quizzes: &BTreeMap<String, Quiz>) -> Option<Lesson> {
        let rel = base.join(entry.get_ref());
        let Some(text) = self.read(&rel) else {
            self.err(
                course_file,
                Some(entry.span()),
                format!("lesson file `{}` does not exist", rel.display()),
                "fix the path (relative to the course folder) or create the file",
            );
            return None;
        };
        let parsed = match parse_lesson(&rel, &text) {
            Ok(p) => p,
            Err(d) => {
                self.diags.push(d);
                return None;
            }
        };
        let fm = parsed.front;
        let id_at = text[parsed.front_span.clone()].find("id").map(|i| parsed.front_span.start + i);
        let id_span = id_at.map(|i| i..i + 2).unwrap_or(0..0);
        let Some(id) = fm.id else {
            self.err(
                &rel,
                Some(0..0),
                "the lesson has no `id`",
                "add `id = \"...\"` to the front matter; it must never change once learners have records",
            );
            return None;
        };
        self.claim_id(&rel, &Spanned::new(id_span, id.clone()), "lesson");
        let title = fm.title.unwrap_or_else(|| {
            self.err(
                &rel,
                Some(0..0),
                "the lesson has no `title`",
                "add `title = \"...\"` to the front matter",
            );
            String::new()
        });
        let mut embedded = Vec::new();
        let mut sandboxes = Vec::new();
        let mut exercises = Vec::new();
        for d in scan_directives(&parsed.body) {
            let span = Some(parsed.body_offset + d.span.start..parsed.body_offset + d.span.end);
            match d.name.as_str() {
                "quiz" if quizzes.contains_key(&d.arg) => embedded.push(d.arg),
                "quiz" if self.broken_quizzes.contains(&d.arg) => {}
                "quiz" if d.arg.is_empty() => self.err(&rel, span, "`{{#quiz}}` names no quiz", "write `{{#quiz <quiz id>}}`"),
                "quiz" => {
                    let known: Vec<&str> = quizzes.keys().map(String::as_str).filter(|k| similar(k, &d.arg)).collect();
                    let help = if known.is_empty() {
                        "check the `id` at the top of the bank in quizzes/".to_string()
                    } else {
                        format!("did you mean `{}`?", known.join("`, `"))
                    };
                    self.err(&rel, span, format!("unknown quiz `{}`", d.arg), help);
                }
                "sandbox" if self.scenarios.contains(&d.arg) => sandboxes.push(d.arg),
                "sandbox" if self.broken_scenarios.contains(&d.arg) => {}
                "sandbox" => {
                    let known: Vec<&str> = self.scenarios.iter().map(String::as_str).filter(|k| similar(k, &d.arg)).collect();
                    let help = if known.is_empty() {
                        "check the `id` at the top of the scenario in content/scenarios/".to_string()
                    } else {
                        format!("did you mean `{}`?", known.join("`, `"))
                    };
                    self.err(&rel, span, format!("unknown scenario `{}`", d.arg), help);
                }
                "exercise" if self.exercises.contains(&d.arg) => exercises.push(d.arg),
                "exercise" => {
                    let known: Vec<&str> = self.exercises.iter().map(String::as_str).filter(|k| similar(k, &d.arg)).collect();
                    let help = if known.is_empty() {
                        "check the `id` at the top of the exercise in content/exercises/".to_string()
                    } else {
                        format!("did you mean `{}`?", known.join("`, `"))
                    };
                    self.err(&rel, span, format!("unknown exercise `{}`", d.arg), help);
                }
                name if MDBOOK_DIRECTIVES.contains(&name) => {}
                name => self.err(
                    &rel,
                    span,
                    format!("unknown directive `{{{{#{name}}}}}`"),
                    "certbook knows `{{#quiz id}}`, `{{#sandbox id}}` and `{{#exercise id}}`; mdBook knows include, rustdoc_include, playground and title",
                ),
            }
        }
        Some(Lesson {
            id,
            title,
            minutes: fm.minutes,
            objectives: fm.objectives,
            body: parsed.body,
            source: rel,
            quizzes: embedded,
            scenarios: sandboxes,
            exercises,
        })
    }
}

/// Where `lesson = "id"` names `id` in a scenario's text: the offsets of the quoted id.
fn lesson_refs(text: &str, id: &str) -> Vec<usize> {
    let quoted = format!("\"{id}\"");
    text.match_indices(&quoted)
        .map(|(i, _)| i)
        .filter(|&i| {
            let line = text[..i].rsplit('\n').next().unwrap_or_default();
            line.trim_start().starts_with("lesson") && line.trim_end().ends_with('=')
        })
        .collect()
}

/// The `id` a TOML file declares, read even when the file fails to load, so
/// references to it are not reported a second time as unknown.
fn declared_id(text: &str) -> Option<String> {
    let id = |t: toml::Table| t.get("id")?.as_str().map(str::to_string);
    match text.parse::<toml::Table>() {
        Ok(t) => id(t),
        // A syntax error elsewhere in the file: its top-level `id = "…"` line alone still parses.
        Err(_) => text
            .lines()
            .take_while(|l| !l.trim_start().starts_with('['))
            .filter(|l| l.trim_start().starts_with("id"))
            .find_map(|l| l.parse::<toml::Table>().ok().and_then(id)),
    }
}

/// "Did you mean": within two edits (insert, delete, substitute, swap).
pub fn similar(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().abs_diff(b.len()) > 2 {
        return false;
    }
    // Optimal string alignment distance.
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()] <= 2
}

/// Plays every scenario with random decisions and reports the formulas that produce
/// NaN or infinity or push state outside its bounds. Part of `check`, not of every
/// load: it costs a few milliseconds per scenario.
pub fn autoplay_scenarios(cur: &Curriculum, plays: u64) -> Diagnostics {
    autoplay_each(&cur.root, cur.scenarios.values(), plays)
}

fn autoplay_each<'s>(root: &Path, scenarios: impl Iterator<Item = &'s Scenario>, plays: u64) -> Diagnostics {
    let mut diags = Diagnostics::default();
    for sc in scenarios {
        let text = std::fs::read_to_string(root.join(&sc.source)).unwrap_or_default();
        for f in autoplay(sc, plays) {
            diags.push(Diagnostic::error(&sc.source, &text, Some(f.span), f.message).help(
                "guard the formula (e.g. max(0, …), min(…, upper bound), divide by max(1, x)) so every decision keeps state in bounds",
            ));
        }
    }
    diags
}

/// Everything `certbook check` reports: the loader's findings and automatic play of the
/// scenarios. A scenario that parses is played even when other files have errors, so a
/// newcomer sees every problem in one run. Returns the curriculum when it loaded.
pub fn check(root: &Path, plays: u64) -> (Option<Curriculum>, Diagnostics) {
    match load(root) {
        Ok((cur, mut warnings)) => {
            warnings.0.extend(autoplay_scenarios(&cur, plays).0);
            warnings.sort();
            (Some(cur), warnings)
        }
        Err(mut diags) => {
            let parsed: Vec<Scenario> = scenario_files(root)
                .into_iter()
                .filter_map(|rel| {
                    let text = std::fs::read_to_string(root.join(&rel)).ok()?;
                    parse_scenario(&rel, &text).0
                })
                .collect();
            diags.0.extend(autoplay_each(root, parsed.iter(), plays).0);
            diags.sort();
            (None, diags)
        }
    }
}

/// The scenario files of the course at `root`, relative to it, sorted.
fn scenario_files(root: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root.join("content/scenarios"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .filter_map(|p| p.strip_prefix(root).ok().map(Path::to_path_buf))
        .collect();
    out.sort();
    out
}

/// Puts each level's requirements in the order a learner meets them: what to read,
/// then quizzes, sandboxes, team sessions and exercises, each in the course's reading order.
fn reading_order(cur: &mut Curriculum) {
    use crate::certify::Requirement;
    let position: HashMap<String, usize> = cur.pages().enumerate().map(|(i, (_, _, l))| (l.id.clone(), i)).collect();
    let place = |cur: &Curriculum, r: &Requirement| -> (u8, usize) {
        let page = match r {
            Requirement::Read { id } => super::lessons_covered(cur, id).first().map(|l| l.to_string()),
            Requirement::Quiz { id, .. } => cur.lesson_for_quiz(id).map(|(_, _, l)| l.id.clone()),
            Requirement::Scenario { id, .. } | Requirement::TeamScenario { id, .. } => {
                cur.lesson_for_scenario(id).map(|(_, _, l)| l.id.clone())
            }
            Requirement::Exercise { id, .. } => cur.lesson_for_exercise(id).map(|(_, _, l)| l.id.clone()),
        };
        let kind = match r {
            Requirement::Read { .. } => 0,
            Requirement::Quiz { .. } => 1,
            Requirement::Scenario { .. } => 2,
            Requirement::TeamScenario { .. } => 3,
            Requirement::Exercise { .. } => 4,
        };
        (kind, page.and_then(|p| position.get(&p).copied()).unwrap_or(usize::MAX))
    };
    let Some(track) = cur.track.take() else {
        return;
    };
    let mut track = track;
    for level in &mut track.levels {
        let mut both: Vec<_> = level.requirements.drain(..).zip(level.spans.drain(..)).collect();
        both.sort_by_key(|(r, _)| place(cur, r));
        (level.requirements, level.spans) = both.into_iter().unzip();
    }
    cur.track = Some(track);
}
