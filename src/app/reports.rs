//! HR reports: the CSV exports of learners and certificates (HR and admin only).

use super::{Ctx, Result, require};
use crate::store::{Role, Store, StoreError, User};

/// An export HR may run: what it writes, produced row by row on a reader.
pub enum CsvExport {
    /// One row per learner, with a column for each level of the track.
    Learners { levels: Vec<String> },
    /// One row per certificate.
    Certificates,
}

impl CsvExport {
    /// The file name it downloads as.
    pub fn file_name(&self) -> &'static str {
        match self {
            CsvExport::Learners { .. } => "learners.csv",
            CsvExport::Certificates => "certificates.csv",
        }
    }

    /// Produces the rows (header first) into `sink`, in the calling thread, until the
    /// sink returns `false`.
    pub fn write_blocking(self, store: &Store, sink: &mut dyn FnMut(&[String]) -> bool) -> Result<(), StoreError> {
        match self {
            CsvExport::Learners { levels } => store.export_learners_blocking(&levels, sink),
            CsvExport::Certificates => store.export_certificates_blocking(sink),
        }
    }
}

/// HR: the learners export, with the live track's levels.
pub fn learners_export(ctx: &Ctx<'_>, actor: &User) -> Result<CsvExport> {
    require(actor, &[Role::Hr])?;
    let levels = ctx.cur.track.iter().flat_map(|t| t.levels.iter().map(|l| l.id.clone())).collect();
    Ok(CsvExport::Learners { levels })
}

/// HR: the certificates export.
pub fn certificates_export(actor: &User) -> Result<CsvExport> {
    require(actor, &[Role::Hr])?;
    Ok(CsvExport::Certificates)
}
