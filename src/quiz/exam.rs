//! Exam rules that do not touch the database: a learner's effective limits (the bank's
//! settings adjusted by an override), and what a result may show in each review phase.

use super::schema::{Quiz, Shown};

/// An accommodation for one learner or one cohort.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Adjustment {
    /// Seconds added to the time limit (a timed quiz only).
    pub extra_time: i64,
    /// Attempts added to a limited quiz.
    pub extra_attempts: u32,
    /// Replace the bank's window when set (unix ms).
    pub opens: Option<i64>,
    pub closes: Option<i64>,
}

/// What applies to one learner at one quiz.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    pub opens: Option<i64>,
    pub closes: Option<i64>,
    /// Milliseconds from start, when timed.
    pub time_limit_ms: Option<i64>,
    /// 0 means unlimited.
    pub attempts: u32,
}

/// The one place a learner's limits are decided: the learner's own override wins over
/// their cohort's, and either adjusts the bank's settings.
pub fn limits(quiz: &Quiz, own: Option<&Adjustment>, cohort: Option<&Adjustment>) -> Limits {
    let adj = own.or(cohort).cloned().unwrap_or_default();
    Limits {
        opens: adj.opens.or(quiz.exam.opens),
        closes: adj.closes.or(quiz.exam.closes),
        time_limit_ms: quiz.time_limit.map(|s| (s as i64 + adj.extra_time.max(0)) * 1000),
        attempts: if quiz.attempts == 0 {
            0
        } else {
            quiz.attempts + adj.extra_attempts
        },
    }
}

/// The review phase a result is read in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// The submit response.
    Immediately,
    /// Reading the attempt later, while the quiz is open.
    Later,
    AfterClose,
}

pub fn shown(quiz: &Quiz, phase: Phase) -> Shown {
    match phase {
        Phase::Immediately => quiz.exam.review.immediately,
        Phase::Later => quiz.exam.review.later,
        Phase::AfterClose => quiz.exam.review.after_close,
    }
}
