//! Certification files: the track (`content/certification.toml`), the rubric and an
//! exercise. Each parser gets every input; what parses is loaded in place of the
//! fixture course's file, so requirements are cross-checked against its quizzes,
//! scenarios, exercises and lessons, then evaluated for a learner with nothing
//! done and one with everything done.
#![no_main]

use certbook::certify::{parse_exercise, parse_rubric, parse_track};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

const TRACK: &str = "content/certification.toml";
const RUBRIC: &str = "content/rubric.toml";
const EXERCISE: &str = "content/exercises/demo.toml";

fuzz_target!(|data: &[u8]| {
    let Some(text) = certbook_fuzz::text(data) else {
        return;
    };
    for (file, ok) in [
        (TRACK, parse_track(Path::new(TRACK), text).map(drop)),
        (RUBRIC, parse_rubric(Path::new(RUBRIC), text).map(drop)),
        (EXERCISE, parse_exercise(Path::new(EXERCISE), text).map(drop)),
    ] {
        match ok {
            Ok(()) => certbook_fuzz::load_with(file, text),
            Err(diags) => {
                for d in &diags {
                    let _ = d.render_text(text);
                }
            }
        }
    }
});
