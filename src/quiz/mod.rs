//! Quizzes: the typed question model, parsing and validation of question banks,
//! drawing an attempt's questions, and grading. All pure functions: no IO, no SQL.

pub mod analysis;
pub mod exam;
mod grade;
pub mod lint;
mod parse;
pub mod review;
mod schema;
pub mod similarity;
pub mod variant;
mod view;

pub use grade::{Answer, GradedQuestion, Grading, grade};
pub use parse::{parse_bank, valid_id};
pub use schema::{Cell, Difficulty, Draw, Exam, Mode, Question, QuestionKind, Quiz, Review, Shown};
pub use view::{PublicQuestion, draw_questions, public_questions, sheet_questions};

/// Letter for a 0-based option index: 0 → "A".
pub fn letter(i: usize) -> String {
    char::from(b'A' + (i as u8)).to_string()
}

/// 0-based index for an option letter, if it is one of the first `count` letters.
pub fn index_of_letter(s: &str, count: usize) -> Option<usize> {
    let mut chars = s.trim().chars();
    let c = chars.next()?.to_ascii_uppercase();
    if chars.next().is_some() || !c.is_ascii_uppercase() {
        return None;
    }
    let i = (c as u8 - b'A') as usize;
    (i < count).then_some(i)
}
