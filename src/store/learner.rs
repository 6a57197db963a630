//! Everything one learner has done, read in one snapshot: their own progress page and
//! the transcript staff read.

use super::attempts::{AttemptLine, QuizSummaryRow, recent_attempts_of, score_history, summaries_of};
use super::certs::{ConnEvidence, certificates_of, submissions_of};
use super::runs::runs_of;
use super::{CertificateRow, Evidence, RunRow, Store, StoreError, SubmissionRow};

/// A learner's results, one read.
pub struct LearnerFile {
    /// Per quiz attempted: attempts, best, passed.
    pub quizzes: Vec<QuizSummaryRow>,
    /// Newest first.
    pub runs: Vec<RunRow>,
    /// Graded percentages in submission order: (when, quiz, percent).
    pub scores: Vec<(i64, String, f64)>,
    /// One per exercise answered, in exercise order.
    pub submissions: Vec<SubmissionRow>,
    pub certificates: Vec<CertificateRow>,
    /// The newest [`RECENT_PER_QUIZ`] attempts at each quiz attempted, newest first per quiz.
    pub recent: Vec<AttemptLine>,
}

/// Attempts per quiz a learner's file lists.
pub const RECENT_PER_QUIZ: i64 = 5;

impl Store {
    /// The learner's file and what `standing` makes of their evidence for `track_id`,
    /// from one snapshot, so the page never shows a level met by results it does not list.
    pub async fn learner_file<R, F>(&self, user_id: i64, track_id: String, standing: F) -> Result<(R, LearnerFile), StoreError>
    where
        F: FnOnce(&mut dyn Evidence) -> Result<R, StoreError> + Send + 'static,
        R: Send + 'static,
    {
        self.read(move |c| {
            c.snapshot(|| -> Result<(R, LearnerFile), StoreError> {
                let r = standing(&mut ConnEvidence {
                    c,
                    user_id,
                    track_id: &track_id,
                })?;
                let quizzes = summaries_of(c, user_id)?;
                let ids: Vec<String> = quizzes.iter().map(|q| q.quiz_id.clone()).collect();
                let file = LearnerFile {
                    recent: recent_attempts_of(c, user_id, &ids, RECENT_PER_QUIZ)?,
                    quizzes,
                    runs: runs_of(c, user_id)?,
                    scores: score_history(c, user_id)?,
                    submissions: submissions_of(c, user_id)?,
                    certificates: certificates_of(c, user_id)?,
                };
                Ok((r, file))
            })
        })
        .await
    }
}
