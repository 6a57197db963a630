//! A sandbox scenario (`content/scenarios/*.toml`) with every formula compiled; one
//! that loads must also play (automatic play, a recorded run replayed) and load as
//! part of the fixture course.
#![no_main]

use certbook::sandbox::{RunRecord, autoplay, parse_scenario, simulate};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

const FILE: &str = "content/scenarios/tiny.toml";

fuzz_target!(|data: &[u8]| {
    let Some(text) = certbook_fuzz::text(data) else {
        return;
    };
    let (sc, diags) = parse_scenario(Path::new(FILE), text);
    for d in &diags {
        let _ = d.render_text(text);
    }
    let Some(sc) = sc else {
        return;
    };
    let _ = autoplay(&sc, 3);
    // No decisions at all: the engine must refuse, not panic.
    let _ = simulate(&sc, 7, &[]);
    let run = RunRecord {
        scenario: sc.id.clone(),
        version: sc.version,
        seed: 7,
        decisions: Vec::new(),
        result: None,
    };
    let _ = run.replay(&sc);
    certbook_fuzz::load_with(FILE, text);
});
