//! The validated quiz model that grading and the server use.

use super::variant::{Rendered, Values, Variant, question_seed};
use serde::Serialize;
use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::Arc;

/// A question bank as embedded by `{{#quiz id}}`.
#[derive(Clone, Debug, Serialize)]
pub struct Quiz {
    pub id: String,
    pub title: String,
    /// Practice (friendly, unlimited by default) or exam (drawn, timed, limited, keys withheld).
    pub mode: Mode,
    /// Percent of points needed to pass, 0–100.
    pub pass_mark: f64,
    /// Attempts allowed per learner; 0 means unlimited.
    pub attempts: u32,
    /// Seconds from start to submit, if limited.
    pub time_limit: Option<u32>,
    /// Random draw instead of the full list.
    pub draw: Option<Draw>,
    pub questions: Vec<Question>,
    /// Exam integrity settings (shuffle, window, review, password, address ranges).
    pub exam: Exam,
    /// File the bank came from, relative to the course directory.
    #[serde(skip)]
    pub source: PathBuf,
}

/// What a bank is for. Practice: attempts unlimited unless set, full review after each
/// attempt, no device binding, an open attempt can be abandoned or resumed anywhere.
/// Exam: the review withholds keys and explanations until the quiz closes, one device per
/// attempt, and an optional wait between sittings.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    #[default]
    Practice,
    Exam,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Practice => "practice",
            Mode::Exam => "exam",
        }
    }
}

/// A random draw per attempt instead of the full list: a blueprint of cells (a test
/// specification table), each drawing `count` questions from its own pool.
#[derive(Clone, Debug, Serialize)]
pub struct Draw {
    pub cells: Vec<Cell>,
}

impl Draw {
    /// Questions an attempt gets.
    pub fn count(&self) -> usize {
        self.cells.iter().map(|c| c.count).sum()
    }
}

/// One cell of a blueprint: `count` questions from the questions of `banks` (this bank's
/// own when empty) carrying any of `tags` (any when empty) at one of `difficulty` (any
/// when empty).
#[derive(Clone, Debug, Serialize)]
pub struct Cell {
    pub count: usize,
    pub tags: Vec<String>,
    pub difficulty: Vec<Difficulty>,
    /// Bank ids, or prefixes ending in `*` (`ops-skills-*`; `*` is every bank).
    pub banks: Vec<String>,
    /// What the cell covers, for the certification page (e.g. 指标与数据分析).
    pub topic: Option<String>,
    /// The core skill it assesses (e.g. 数据分析能力).
    pub skill: Option<String>,
    /// Ids (in the quiz's `questions`) of the questions it draws from: resolved when the
    /// course loads, since other banks' questions are copied in as `bank/question`.
    pub pool: Vec<String>,
    /// Where the cell was written, for diagnostics.
    #[serde(skip)]
    pub span: std::ops::Range<usize>,
}

impl Cell {
    /// Whether `q` belongs in this cell (by tags and difficulty; the bank is the caller's).
    pub fn admits(&self, q: &Question) -> bool {
        (self.tags.is_empty() || q.tags.iter().any(|t| self.tags.contains(t)))
            && (self.difficulty.is_empty() || q.difficulty.is_some_and(|d| self.difficulty.contains(&d)))
    }

    /// Whether the bank `id` is one the cell draws from.
    pub fn draws_from(&self, id: &str) -> bool {
        self.banks.iter().any(|b| Cell::pattern_matches(b, id))
    }

    /// A `banks` entry names the bank `id`: itself, or a prefix ending in `*`.
    pub fn pattern_matches(pattern: &str, id: &str) -> bool {
        pattern == id || pattern.strip_suffix('*').is_some_and(|prefix| id.starts_with(prefix))
    }
}

/// How an exam is run. The defaults are those of a practice quiz: shuffled, always
/// open, all questions at once, everything shown right after submitting.
#[derive(Clone, Debug, Serialize)]
pub struct Exam {
    /// Shuffle question and option order per attempt (from the attempt's seed).
    pub shuffle: bool,
    /// Unix ms from which attempts may start.
    pub opens: Option<i64>,
    /// Unix ms after which nothing is graded; open attempts are finalised from their autosave.
    pub closes: Option<i64>,
    /// One question at a time, no going back.
    pub sequential: bool,
    pub review: Review,
    /// Learners must send it to start an attempt.
    pub password: Option<String>,
    /// Client address ranges allowed to start and answer; empty means anywhere.
    pub allow: Vec<ipnet::IpNet>,
    /// An attempt stays on the device that started it (until an instructor releases it).
    pub one_device: bool,
    /// Milliseconds a learner waits after an attempt ends before starting another.
    pub retake_after: Option<i64>,
}

impl Default for Exam {
    fn default() -> Self {
        Exam {
            shuffle: true,
            opens: None,
            closes: None,
            sequential: false,
            review: Review::default(),
            password: None,
            allow: Vec::new(),
            one_device: false,
            retake_after: None,
        }
    }
}

/// What a learner sees of a graded attempt in each phase.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
pub struct Review {
    /// In the submit response.
    pub immediately: Shown,
    /// Reading the attempt later while the quiz is open.
    pub later: Shown,
    /// Reading it after the quiz closes.
    pub after_close: Shown,
}

impl Review {
    /// An exam's default: the score at once; correctness, keys and explanations after it closes.
    pub const EXAM: Review = Review {
        immediately: Shown::SCORE,
        later: Shown::SCORE,
        after_close: Shown::ALL,
    };
}

impl Default for Review {
    fn default() -> Self {
        Review {
            immediately: Shown::ALL,
            later: Shown::ALL,
            after_close: Shown::ALL,
        }
    }
}

/// The parts of a result a learner may see: `score`, `correctness` (right/wrong per
/// question), `explanations`, `answers` (the correct answers).
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Shown {
    pub score: bool,
    pub correctness: bool,
    pub explanations: bool,
    pub answers: bool,
}

impl Shown {
    pub const SCORE: Shown = Shown {
        score: true,
        correctness: false,
        explanations: false,
        answers: false,
    };
    pub const ALL: Shown = Shown {
        score: true,
        correctness: true,
        explanations: true,
        answers: true,
    };
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Difficulty {
    Easy,
    Medium,
    Hard,
}

impl Difficulty {
    pub fn parse(s: &str) -> Option<Difficulty> {
        match s {
            "easy" => Some(Difficulty::Easy),
            "medium" => Some(Difficulty::Medium),
            "hard" => Some(Difficulty::Hard),
            _ => None,
        }
    }

    /// As a quiz file names it (`easy`, `medium`, `hard`).
    pub fn label(self) -> &'static str {
        match self {
            Difficulty::Easy => "easy",
            Difficulty::Medium => "medium",
            Difficulty::Hard => "hard",
        }
    }

    /// The message naming it on the certification page.
    pub fn message_id(self) -> &'static str {
        match self {
            Difficulty::Easy => "quiz-difficulty-easy",
            Difficulty::Medium => "quiz-difficulty-medium",
            Difficulty::Hard => "quiz-difficulty-hard",
        }
    }
}

/// One question with its key.
#[derive(Clone, Debug, Serialize)]
pub struct Question {
    /// Unique within the bank.
    pub id: String,
    pub prompt: String,
    pub points: f64,
    pub explanation: String,
    pub difficulty: Option<Difficulty>,
    pub tags: Vec<String>,
    pub kind: QuestionKind,
    /// Seeded variables and templates (numeric and single choice): the texts above are
    /// then templates, and [`Question::instance`] gives what an attempt shows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<Arc<Variant>>,
    /// The values an instance of a variant drew (`None` for a question as written).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drawn: Option<Values>,
}

/// How often a variant is drawn again (deterministically) when a seed gives a key that is
/// not a finite number or options that read alike; `check` reports any such seed it samples.
const REDRAWS: u64 = 8;

impl Question {
    /// The question as the attempt with `attempt_seed` shows it: a variant with its
    /// numbers drawn and its key computed, any other question as written.
    pub fn instance(&self, attempt_seed: u64) -> Result<Cow<'_, Question>, String> {
        let Some(v) = &self.variant else {
            return Ok(Cow::Borrowed(self));
        };
        let seed = question_seed(attempt_seed, &self.id);
        let mut last = String::new();
        for k in 0..REDRAWS {
            match v.render(seed.wrapping_add(k)) {
                Ok(r) => return Ok(Cow::Owned(self.with(r))),
                Err(e) => last = e,
            }
        }
        Err(format!("question `{}`: {last}", self.id))
    }

    /// This template filled in with a rendered variant.
    pub fn with(&self, r: Rendered) -> Question {
        let mut kind = self.kind.clone();
        match &mut kind {
            QuestionKind::Single { options, .. } => *options = r.options,
            QuestionKind::Numeric { answer, .. } => *answer = r.answer.unwrap_or(*answer),
            _ => {}
        }
        Question {
            id: self.id.clone(),
            prompt: r.prompt,
            points: self.points,
            explanation: r.explanation,
            difficulty: self.difficulty,
            tags: self.tags.clone(),
            kind,
            variant: None,
            drawn: Some(r.values),
        }
    }
}

/// The question types and their keys (0-based indexes into the authored lists).
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum QuestionKind {
    Single {
        options: Vec<String>,
        answer: usize,
    },
    Multiple {
        options: Vec<String>,
        answer: Vec<usize>,
    },
    TrueFalse {
        answer: bool,
    },
    Fill {
        answer: Vec<String>,
    },
    Numeric {
        answer: f64,
        tolerance: f64,
        unit: Option<String>,
    },
    Ordering {
        items: Vec<String>,
        answer: Vec<usize>,
    },
    Matching {
        left: Vec<String>,
        right: Vec<String>,
        answer: Vec<usize>,
    },
}

impl QuestionKind {
    /// The type name used in files and the API.
    pub fn type_name(&self) -> &'static str {
        match self {
            QuestionKind::Single { .. } => "single",
            QuestionKind::Multiple { .. } => "multiple",
            QuestionKind::TrueFalse { .. } => "truefalse",
            QuestionKind::Fill { .. } => "fill",
            QuestionKind::Numeric { .. } => "numeric",
            QuestionKind::Ordering { .. } => "ordering",
            QuestionKind::Matching { .. } => "matching",
        }
    }
}

impl Quiz {
    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }
}
