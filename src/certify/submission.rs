//! The life cycle of an answer to an open exercise: it is `submitted`, the learner may
//! revise it (each change a new revision) until an instructor grades it, and once
//! `graded` it is final for the learner; the instructor may grade it again. Pure
//! decisions; the store applies them.

use serde::Serialize;

/// Where a submission stands. Stored as TEXT: `submitted` or `graded`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SubmissionStatus {
    Submitted,
    Graded,
}

impl SubmissionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SubmissionStatus::Submitted => "submitted",
            SubmissionStatus::Graded => "graded",
        }
    }

    pub fn parse(s: &str) -> Option<SubmissionStatus> {
        [SubmissionStatus::Submitted, SubmissionStatus::Graded]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

impl std::fmt::Display for SubmissionStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a learner's submit does, given their current submission.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resubmit {
    /// The first answer: stored as revision 1.
    Create,
    /// The same text again (a retry): nothing changes.
    Unchanged,
    /// A changed text before grading: the next revision.
    Revise,
    /// Already graded: refused, the graded text stays.
    Refuse,
}

/// `current`: the submission's status and whether the text sent equals it.
pub fn on_submit(current: Option<(SubmissionStatus, bool)>) -> Resubmit {
    match current {
        None => Resubmit::Create,
        Some((SubmissionStatus::Graded, _)) => Resubmit::Refuse,
        Some((SubmissionStatus::Submitted, true)) => Resubmit::Unchanged,
        Some((SubmissionStatus::Submitted, false)) => Resubmit::Revise,
    }
}

/// Grading moves any submission to `graded` (a second grade replaces the first).
pub fn on_grade(_current: SubmissionStatus) -> SubmissionStatus {
    SubmissionStatus::Graded
}

#[cfg(test)]
mod tests {
    use super::SubmissionStatus::{Graded, Submitted};
    use super::*;

    #[test]
    fn every_transition() {
        assert_eq!(on_submit(None), Resubmit::Create);
        assert_eq!(on_submit(Some((Submitted, true))), Resubmit::Unchanged);
        assert_eq!(on_submit(Some((Submitted, false))), Resubmit::Revise);
        assert_eq!(on_submit(Some((Graded, true))), Resubmit::Refuse);
        assert_eq!(on_submit(Some((Graded, false))), Resubmit::Refuse);
        assert_eq!(on_grade(Submitted), Graded);
        assert_eq!(on_grade(Graded), Graded);
    }

    #[test]
    fn names_round_trip() {
        for s in [Submitted, Graded] {
            assert_eq!(SubmissionStatus::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert_eq!(SubmissionStatus::parse("draft"), None);
    }
}
