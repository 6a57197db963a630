//! Lesson files (front matter + markdown) and course files (`course.toml` of the site
//! and of a course). Parsed alone, then loaded in place of the fixture course's file
//! (directive checks, id namespace, search index, placeholders, rendered diagnostics).
#![no_main]

use certbook::course::{parse_lesson, scan_directives};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

const LESSON: &str = "content/demo/m1/01-types.md";

fuzz_target!(|data: &[u8]| {
    let Some(text) = certbook_fuzz::text(data) else {
        return;
    };
    match parse_lesson(Path::new(LESSON), text) {
        Ok(l) => {
            let _ = scan_directives(&l.body);
            let _ = certbook::site::search::plain_text(&l.body);
            certbook_fuzz::load_with(LESSON, text);
        }
        Err(d) => {
            let _ = d.render_text(text);
            // Not a lesson: try it as the site's and the course's course.toml. The site's
            // is read first, so a TOML error there is quick; the course's is read after
            // every bank and scenario, so only TOML worth it goes there.
            certbook_fuzz::load_with("course.toml", text);
            if text.parse::<toml::Table>().is_ok() {
                certbook_fuzz::load_with("content/demo/course.toml", text);
            }
        }
    }
});
