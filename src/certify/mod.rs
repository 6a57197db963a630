//! Certification: the rubric instructors grade open exercises on, the exercises
//! themselves, the track of levels with their requirements, and deciding from a
//! learner's records which requirements and levels are met. Pure: the store
//! supplies the records, the server records the certificates.

pub mod credential;
mod evaluate;
pub mod import;
mod parse;
pub mod print;
pub mod remind;
mod schema;
pub mod submission;
pub mod validity;

pub use evaluate::{Catalog, LevelStatus, Records, Renewal, RequirementStatus, evaluate, renewal};
pub use parse::{default_rubric, parse_exercise, parse_rubric, parse_track};
pub use schema::*;
pub use submission::SubmissionStatus;
pub use validity::CertStatus;

/// `CB-XXXX-XXXX-XXXX`: 60 random bits in an alphabet without look-alike characters.
pub fn certificate_id() -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let bits: u64 = rand::random();
    let chars: Vec<char> = (0..12).map(|i| ALPHABET[((bits >> (i * 5)) & 31) as usize] as char).collect();
    format!(
        "CB-{}-{}-{}",
        chars[0..4].iter().collect::<String>(),
        chars[4..8].iter().collect::<String>(),
        chars[8..12].iter().collect::<String>()
    )
}
