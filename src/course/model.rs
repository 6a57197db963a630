//! Plain data for a loaded curriculum. No IO here.

use crate::certify::{Catalog, Exercise, Requirement, Rubric, Track};
use crate::quiz::Quiz;
use crate::sandbox::Scenario;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The message id of the section title of a course's case studies.
pub const CASES_TITLE: &str = "site-cases-title";
/// The message id of the section title of a course's document templates.
pub const TEMPLATES_TITLE: &str = "site-templates-title";

/// Everything under one course directory: site settings, courses in order, quiz banks.
#[derive(Clone, Debug)]
pub struct Curriculum {
    /// The course directory everything was loaded from.
    pub root: PathBuf,
    pub title: String,
    pub language: String,
    pub description: String,
    pub courses: Vec<Course>,
    /// Quiz banks by id.
    pub quizzes: BTreeMap<String, Quiz>,
    /// Sandbox scenarios by id.
    pub scenarios: BTreeMap<String, Scenario>,
    /// Open exercises graded by instructors, by id.
    pub exercises: BTreeMap<String, Exercise>,
    /// How exercises are graded.
    pub rubric: Rubric,
    /// The certification track, when the course has `content/certification.toml`.
    pub track: Option<Track>,
    /// The glossary (`content/glossary.toml`), in its order; empty without one.
    pub glossary: Vec<super::glossary::Term>,
    /// The interface's messages in the course's language, with the course's overrides.
    pub messages: std::sync::Arc<crate::i18n::Messages>,
}

/// One course (a folder under `content/`).
#[derive(Clone, Debug)]
pub struct Course {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub modules: Vec<Module>,
    /// Case studies (背景 → 策略 → 结果 → 启示, with an exercise).
    pub cases: Vec<Lesson>,
    /// Fill-in document templates learners download.
    pub templates: Vec<Lesson>,
}

/// A module: an ordered group of lessons.
#[derive(Clone, Debug)]
pub struct Module {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub lessons: Vec<Lesson>,
}

/// A lesson: front matter plus markdown body.
#[derive(Clone, Debug)]
pub struct Lesson {
    pub id: String,
    pub title: String,
    pub minutes: Option<u32>,
    pub objectives: Vec<String>,
    /// Markdown after the front matter.
    pub body: String,
    /// Path relative to the course directory.
    pub source: PathBuf,
    /// Quiz ids the lesson embeds, in order.
    pub quizzes: Vec<String>,
    /// Scenario ids the lesson embeds, in order.
    pub scenarios: Vec<String>,
    /// Exercise ids the lesson embeds, in order.
    pub exercises: Vec<String>,
}

impl Curriculum {
    /// Every lesson with its course and module, in reading order.
    pub fn lessons(&self) -> impl Iterator<Item = (&Course, &Module, &Lesson)> {
        self.courses
            .iter()
            .flat_map(|c| c.modules.iter().flat_map(move |m| m.lessons.iter().map(move |l| (c, m, l))))
    }

    /// The title of a section [`pages`](Self::pages) names: a module's title as it is,
    /// the cases and templates sections in the course's language.
    pub fn section_title(&self, section: &str) -> String {
        if section == CASES_TITLE || section == TEMPLATES_TITLE {
            self.messages.get(section)
        } else {
            section.to_string()
        }
    }

    /// Every page with content: lessons, cases and templates, each with its
    /// course and its section (a module's title, or [`CASES_TITLE`] or
    /// [`TEMPLATES_TITLE`]: see [`section_title`](Self::section_title)), in reading order.
    pub fn pages(&self) -> impl Iterator<Item = (&Course, &str, &Lesson)> {
        self.courses.iter().flat_map(|c| {
            let lessons = c
                .modules
                .iter()
                .flat_map(move |m| m.lessons.iter().map(move |l| (c, m.title.as_str(), l)));
            let cases = c.cases.iter().map(move |l| (c, CASES_TITLE, l));
            let templates = c.templates.iter().map(move |l| (c, TEMPLATES_TITLE, l));
            lessons.chain(cases).chain(templates)
        })
    }

    /// The site URL of a lesson, case or template page.
    pub fn page_url(&self, id: &str) -> Option<String> {
        self.pages()
            .find(|(_, _, l)| l.id == id)
            .map(|(c, _, l)| format!("/{}/{}.html", c.id, l.id))
    }

    /// The lesson that embeds a scenario.
    pub fn lesson_for_scenario(&self, id: &str) -> Option<(&Course, &str, &Lesson)> {
        self.pages().find(|(_, _, l)| l.scenarios.iter().any(|s| s == id))
    }

    /// The page that embeds an exercise.
    pub fn lesson_for_exercise(&self, id: &str) -> Option<(&Course, &str, &Lesson)> {
        self.pages().find(|(_, _, l)| l.exercises.iter().any(|s| s == id))
    }

    /// The first lesson that embeds quiz `id`, for links back from results.
    pub fn lesson_for_quiz(&self, id: &str) -> Option<(&Course, &str, &Lesson)> {
        self.pages().find(|(_, _, l)| l.quizzes.iter().any(|q| q == id))
    }
}

/// The lessons a `read` requirement covers: a course's or module's lessons, or one page.
pub fn lessons_covered<'a>(cur: &'a Curriculum, id: &str) -> Vec<&'a str> {
    if let Some(c) = cur.courses.iter().find(|c| c.id == id) {
        return c.modules.iter().flat_map(|m| m.lessons.iter().map(|l| l.id.as_str())).collect();
    }
    if let Some(m) = cur.courses.iter().flat_map(|c| &c.modules).find(|m| m.id == id) {
        return m.lessons.iter().map(|l| l.id.as_str()).collect();
    }
    cur.pages().filter(|(_, _, l)| l.id == id).map(|(_, _, l)| l.id.as_str()).collect()
}

impl Catalog for Curriculum {
    fn activity_title(&self, r: &Requirement) -> Option<String> {
        match r {
            Requirement::Quiz { id, .. } => self.quizzes.get(id).map(|q| q.title.clone()),
            Requirement::Scenario { id, .. } | Requirement::TeamScenario { id, .. } => self.scenarios.get(id).map(|s| s.title.clone()),
            Requirement::Exercise { id, .. } => self.exercises.get(id).map(|e| e.title.clone()),
            Requirement::Read { id } => self.reading_title(id),
        }
    }

    fn activity_url(&self, r: &Requirement) -> Option<String> {
        let page = match r {
            Requirement::Quiz { id, .. } => self.lesson_for_quiz(id),
            // A team session has no page of its own: the lesson that embeds the scenario.
            Requirement::Scenario { id, .. } | Requirement::TeamScenario { id, .. } => self.lesson_for_scenario(id),
            Requirement::Exercise { id, .. } => self.lesson_for_exercise(id),
            Requirement::Read { id } => return lessons_covered(self, id).first().and_then(|l| self.page_url(l)),
        };
        page.and_then(|(_, _, l)| self.page_url(&l.id))
    }

    fn lessons_covered(&self, id: &str) -> Vec<&str> {
        lessons_covered(self, id)
    }

    fn reading_title(&self, id: &str) -> Option<String> {
        let course = self.courses.iter().find(|c| c.id == id).map(|c| c.title.clone());
        course
            .or_else(|| {
                self.courses
                    .iter()
                    .flat_map(|c| &c.modules)
                    .find(|m| m.id == id)
                    .map(|m| m.title.clone())
            })
            .or_else(|| self.pages().find(|(_, _, l)| l.id == id).map(|(_, _, l)| l.title.clone()))
    }

    fn page_url(&self, id: &str) -> Option<String> {
        Curriculum::page_url(self, id)
    }
}
