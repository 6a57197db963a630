//! HR's CSV exports, written row by row to a sink that returns `false` to stop.
//! Blocking: for the CLI, which runs outside the async runtime.

use super::Result;
use crate::course::Curriculum;
use crate::store::Store;

/// One row per learner, with a column pair per level of the course's track.
pub fn learners(store: &Store, cur: &Curriculum, sink: &mut dyn FnMut(&[String]) -> bool) -> Result<()> {
    let levels: Vec<String> = cur.track.iter().flat_map(|t| t.levels.iter().map(|l| l.id.clone())).collect();
    Ok(store.export_learners_blocking(&levels, sink)?)
}

/// One row per certificate.
pub fn certificates(store: &Store, sink: &mut dyn FnMut(&[String]) -> bool) -> Result<()> {
    Ok(store.export_certificates_blocking(sink)?)
}
