//! Certification: the rubric instructors grade open exercises on, the exercises
//! themselves, the track of levels with their requirements, and deciding from a
//! learner's records which requirements and levels are met. Pure: the store
//! supplies the records, the server records the certificates.

pub mod credential;
mod evaluate;
mod parse;
pub mod print;
mod schema;
pub mod validity;

pub use evaluate::{LevelStatus, Records, Renewal, RequirementStatus, evaluate, lessons_covered, renewal};
pub use parse::{default_rubric, parse_exercise, parse_rubric, parse_track};
pub use schema::*;
pub use validity::CertStatus;
