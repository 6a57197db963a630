//! The course model: authored files loaded into one typed, validated [`Curriculum`].
//! `model` is plain data; `load` does the IO and reports mistakes with file and line.

pub mod glossary;
mod lesson;
mod load;
mod model;

pub use lesson::{Directive, parse_lesson, scan_directives};
pub use load::{autoplay_scenarios, check, load, load_files, similar};
pub use model::{CASES_TITLE, Course, Curriculum, Lesson, Module, TEMPLATES_TITLE, lessons_covered};
