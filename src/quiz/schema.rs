//! The validated quiz model that grading and the server use.

use serde::Serialize;
use std::path::PathBuf;

/// A question bank as embedded by `{{#quiz id}}`.
#[derive(Clone, Debug, Serialize)]
pub struct Quiz {
    pub id: String,
    pub title: String,
    /// Percent of points needed to pass, 0–100.
    pub pass_mark: f64,
    /// Attempts allowed per learner; 0 means unlimited.
    pub attempts: u32,
    /// Seconds from start to submit, if limited.
    pub time_limit: Option<u32>,
    /// Random draw instead of the full list.
    pub draw: Option<Draw>,
    pub questions: Vec<Question>,
    /// File the bank came from, relative to the course directory.
    #[serde(skip)]
    pub source: PathBuf,
}

/// Draw `count` questions per attempt from those tagged with any of `tags` (all when empty).
#[derive(Clone, Debug, Serialize)]
pub struct Draw {
    pub count: usize,
    pub tags: Vec<String>,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Difficulty {
    Easy,
    Medium,
    Hard,
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
