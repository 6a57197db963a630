//! certbook: a training-and-certification courseware engine.
//!
//! Authored files (`course.toml`, `content/`, `quizzes/`, `templates/`) load into one
//! validated [`course::Curriculum`]; [`site`] turns it into a static site with mdBook,
//! and [`http`] serves that site with a JSON API backed by the SQLite [`store`].
//!
//! Layers: `http` and `cli` → [`app`] (use cases: who may do what, and the rules) →
//! domain (`course`, `quiz`, `sandbox`, `certify`: pure, no IO) and [`store`] (the
//! only SQL). Handlers extract, call one service and map its result; the CLI calls
//! the same services. `certify` does not import `course`: the course implements
//! [`certify::Catalog`] for it.

pub mod app;
pub mod certify;
pub mod cli;
pub mod clock;
pub mod course;
pub mod diag;
pub mod http;
pub mod i18n;
pub mod mail;
pub mod quiz;
pub mod sandbox;
pub mod site;
pub mod store;
