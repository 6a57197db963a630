//! certbook: a training-and-certification courseware engine.
//!
//! Authored files (`course.toml`, `content/`, `quizzes/`, `templates/`) load into one
//! validated [`course::Curriculum`]; [`site`] turns it into a static site with mdBook,
//! and [`http`] serves that site with a JSON API backed by the SQLite [`store`].
//! Domain modules (`course`, `quiz`, `sandbox`) know nothing of `store` or `http`.

pub mod certify;
pub mod cli;
pub mod clock;
pub mod course;
pub mod diag;
pub mod http;
pub mod mail;
pub mod quiz;
pub mod sandbox;
pub mod site;
pub mod store;
