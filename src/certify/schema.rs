//! The certification model: rubric, exercises, track, levels and requirements.

use serde::Serialize;
use std::path::PathBuf;

/// The five dimensions of the 数字精益运营师 assessment, in this order everywhere:
/// each id and the message naming it when the rubric gives no title.
pub const DIMENSIONS: [(&str, &str); 5] = [
    ("knowledge", "cert-dimension-knowledge"),
    ("problem_solving", "cert-dimension-problem-solving"),
    ("innovation", "cert-dimension-innovation"),
    ("teamwork", "cert-dimension-teamwork"),
    ("communication", "cert-dimension-communication"),
];

/// How open work is graded: a weight and level descriptors per dimension.
#[derive(Clone, Debug, Serialize)]
pub struct Rubric {
    pub dimensions: Vec<Dimension>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Dimension {
    pub id: String,
    pub title: String,
    pub weight: f64,
    /// Descriptors from the highest band down: a score ≥ `min` earns `text`.
    pub levels: Vec<Band>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Band {
    pub min: f64,
    pub text: String,
}

impl Rubric {
    /// The weighted total (0–100) of per-dimension scores (0–100), with optional weights.
    pub fn total(&self, scores: &[f64; 5], weights: Option<&[f64; 5]>) -> f64 {
        let w: Vec<f64> = match weights {
            Some(w) => w.to_vec(),
            None => self.dimensions.iter().map(|d| d.weight).collect(),
        };
        let sum: f64 = w.iter().sum();
        let t: f64 = scores.iter().zip(&w).map(|(s, w)| s * w).sum::<f64>() / sum;
        (t * 10.0).round() / 10.0
    }
}

/// An open exercise, graded by an instructor on the rubric.
#[derive(Clone, Debug, Serialize)]
pub struct Exercise {
    pub id: String,
    pub title: String,
    /// Markdown shown to the learner.
    pub prompt: String,
    pub minutes: Option<u32>,
    /// Rubric total needed to pass, 0–100.
    pub pass: f64,
    /// Per-dimension weights replacing the rubric's, in [`DIMENSIONS`] order.
    pub weights: Option<[f64; 5]>,
    pub min_chars: usize,
    pub max_chars: usize,
    #[serde(skip)]
    pub source: PathBuf,
}

/// The certification track (数字精益运营师) and its levels, lowest first.
#[derive(Clone, Debug, Serialize)]
pub struct Track {
    pub id: String,
    pub title: String,
    pub issuer: String,
    pub description: String,
    pub levels: Vec<Level>,
    #[serde(skip)]
    pub source: PathBuf,
}

#[derive(Clone, Debug, Serialize)]
pub struct Level {
    pub id: String,
    pub title: String,
    pub summary: String,
    /// The level below must be held first.
    pub previous: bool,
    pub requirements: Vec<Requirement>,
    /// Where each requirement was written, for diagnostics.
    #[serde(skip)]
    pub spans: Vec<std::ops::Range<usize>>,
    /// Months a certificate stays valid; `None`: it does not expire.
    pub valid_months: Option<u32>,
    /// What renews a certificate (results achieved inside the renewal window);
    /// empty: an expiring certificate cannot be renewed, only earned anew by HR's import.
    pub renewal: Vec<Requirement>,
    #[serde(skip)]
    pub renewal_spans: Vec<std::ops::Range<usize>>,
    /// Days before expiry the renewal window opens (reminders start then too).
    pub renew_window_days: u32,
}

#[derive(Clone, Debug, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Requirement {
    /// Best graded attempt at the quiz, in percent.
    Quiz { id: String, min: f64 },
    /// Best finished run of the scenario, 0–100.
    Scenario { id: String, min: f64 },
    /// Best final score of the learner's team in a finished team session on the
    /// scenario, 0–100 (`team_scenarios` in certification.toml).
    #[serde(rename = "team_scenario")]
    TeamScenario { id: String, min: f64 },
    /// The graded exercise's rubric total, 0–100.
    Exercise { id: String, min: f64 },
    /// A lesson marked as read, or every lesson of a module or course.
    Read { id: String },
}

impl Requirement {
    /// What it asks, without anyone's progress (the signed credential's criteria),
    /// as a message for the course's language.
    pub fn criterion(&self, cur: &dyn super::Catalog) -> crate::i18n::Msg {
        super::evaluate::criterion(cur, self)
    }

    pub fn item(&self) -> &str {
        match self {
            Requirement::Quiz { id, .. }
            | Requirement::Scenario { id, .. }
            | Requirement::TeamScenario { id, .. }
            | Requirement::Exercise { id, .. }
            | Requirement::Read { id } => id,
        }
    }
}
