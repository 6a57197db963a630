//! What HR reads: learners grouped by cohort and department, cohort figures,
//! transcripts, and CSV exports that stream row by row. Also the CSV import of
//! learners (all rows or none).

use super::{Role, Store, StoreError};
use rusqlite::{Connection, params};
use std::collections::BTreeMap;

/// Which learners a figure covers. Dates (ms) bound when results and certificates were earned.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub cohort: Option<String>,
    pub department: Option<String>,
    pub from: Option<i64>,
    pub to: Option<i64>,
}

impl Filter {
    /// SQL over `u` (users) and its parameters, appended to a WHERE clause.
    fn users_sql(&self) -> (String, Vec<String>) {
        let mut sql = String::from("u.role = 'learner'");
        let mut args = Vec::new();
        if let Some(c) = &self.cohort {
            args.push(c.clone());
            sql.push_str(&format!(" AND u.cohort = ?{}", args.len()));
        }
        if let Some(d) = &self.department {
            args.push(d.clone());
            sql.push_str(&format!(" AND u.department = ?{}", args.len()));
        }
        (sql, args)
    }

    fn window(&self, col: &str) -> String {
        let mut s = String::new();
        if let Some(f) = self.from {
            s.push_str(&format!(" AND {col} >= {f}"));
        }
        if let Some(t) = self.to {
            s.push_str(&format!(" AND {col} <= {t}"));
        }
        s
    }
}

/// One learner's best result on one item.
#[derive(Clone, Debug)]
pub struct BestRow {
    pub item: String,
    pub user_id: i64,
    pub best: f64,
    pub passed: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Cohort {
    pub learners: u64,
    /// Learners with any graded quiz, finished run or read lesson in the window.
    pub active: u64,
    /// Valid certificates per level.
    pub certified: BTreeMap<String, u64>,
    /// Days from account creation to each certificate, per level.
    pub days_to_level: BTreeMap<String, Vec<f64>>,
    pub quiz_best: Vec<BestRow>,
    pub scenario_best: Vec<BestRow>,
    pub cohorts: Vec<String>,
    pub departments: Vec<String>,
}

/// A learner row to import.
#[derive(Clone, Debug)]
pub struct NewLearner {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub cohort: String,
    pub department: String,
    pub password_hash: String,
}

fn params_of(args: &[String]) -> Vec<&dyn rusqlite::ToSql> {
    args.iter().map(|a| a as &dyn rusqlite::ToSql).collect()
}

fn cohort(c: &Connection, f: &Filter) -> rusqlite::Result<Cohort> {
    let (w, args) = f.users_sql();
    let p = params_of(&args);
    let mut out = Cohort {
        learners: c.query_row(&format!("SELECT COUNT(*) FROM users u WHERE {w}"), p.as_slice(), |r| {
            r.get::<_, i64>(0)
        })? as u64,
        ..Default::default()
    };
    out.active = c.query_row(
        &format!(
            "SELECT COUNT(*) FROM users u WHERE {w} AND (
               EXISTS (SELECT 1 FROM attempts a WHERE a.user_id = u.id AND a.status = 'graded'{})
            OR EXISTS (SELECT 1 FROM runs r WHERE r.user_id = u.id AND r.status = 'finished'{})
            OR EXISTS (SELECT 1 FROM lesson_reads l WHERE l.user_id = u.id{}))",
            f.window("a.submitted_at"),
            f.window("r.finished_at"),
            f.window("l.read_at")
        ),
        p.as_slice(),
        |r| r.get::<_, i64>(0),
    )? as u64;
    let mut q = c.prepare(&format!(
        "SELECT c.level_id, (c.issued_at - u.created_at) / 86400000.0 FROM certificates c JOIN users u ON u.id = c.user_id
         WHERE {w} AND c.revoked_at IS NULL{}",
        f.window("c.issued_at")
    ))?;
    let mut rows = q.query(p.as_slice())?;
    while let Some(r) = rows.next()? {
        let level: String = r.get(0)?;
        *out.certified.entry(level.clone()).or_default() += 1;
        out.days_to_level.entry(level).or_default().push(r.get(1)?);
    }
    let mut q = c.prepare(&format!(
        "SELECT a.quiz_id, a.user_id, MAX(a.percent), MAX(a.passed) FROM attempts a JOIN users u ON u.id = a.user_id
         WHERE {w} AND a.status = 'graded'{} GROUP BY a.quiz_id, a.user_id",
        f.window("a.submitted_at")
    ))?;
    out.quiz_best = q
        .query_map(p.as_slice(), |r| {
            Ok(BestRow {
                item: r.get(0)?,
                user_id: r.get(1)?,
                best: r.get(2)?,
                passed: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut q = c.prepare(&format!(
        "SELECT r.scenario_id, r.user_id, MAX(r.score) FROM runs r JOIN users u ON u.id = r.user_id
         WHERE {w} AND r.status = 'finished'{} GROUP BY r.scenario_id, r.user_id",
        f.window("r.finished_at")
    ))?;
    out.scenario_best = q
        .query_map(p.as_slice(), |r| {
            Ok(BestRow {
                item: r.get(0)?,
                user_id: r.get(1)?,
                best: r.get(2)?,
                passed: false,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    out.cohorts = c
        .prepare("SELECT DISTINCT cohort FROM users WHERE role = 'learner' AND cohort != '' ORDER BY cohort")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    out.departments = c
        .prepare("SELECT DISTINCT department FROM users WHERE role = 'learner' AND department != '' ORDER BY department")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(out)
}

/// Writes every learner as a CSV row (with one certificate column pair per level) to `sink`.
pub fn export_learners(c: &Connection, levels: &[String], sink: &mut dyn FnMut(&[String]) -> bool) -> rusqlite::Result<()> {
    let mut header = vec![
        "username",
        "display_name",
        "cohort",
        "department",
        "created_at",
        "quizzes_passed",
        "runs_finished",
        "exercises_graded",
    ]
    .into_iter()
    .map(String::from)
    .collect::<Vec<_>>();
    for l in levels {
        header.push(format!("{l}_certificate"));
        header.push(format!("{l}_issued_at"));
    }
    if !sink(&header) {
        return Ok(());
    }
    let mut q = c.prepare(
        "SELECT u.id, u.username, u.display_name, u.cohort, u.department, u.created_at,
            (SELECT COUNT(DISTINCT quiz_id) FROM attempts a WHERE a.user_id = u.id AND a.passed = 1),
            (SELECT COUNT(*) FROM runs r WHERE r.user_id = u.id AND r.status = 'finished'),
            (SELECT COUNT(*) FROM submissions s WHERE s.user_id = u.id AND s.status = 'graded'),
            (SELECT group_concat(c.level_id || ' ' || c.id || ' ' || c.issued_at, ';') FROM certificates c WHERE c.user_id = u.id AND c.revoked_at IS NULL)
         FROM users u WHERE u.role = 'learner' ORDER BY u.id",
    )?;
    let mut rows = q.query([])?;
    while let Some(r) = rows.next()? {
        let mut row: Vec<String> = vec![r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get::<_, i64>(5)?.to_string()];
        for i in 6..9 {
            row.push(r.get::<_, i64>(i)?.to_string());
        }
        let certs: Option<String> = r.get(9)?;
        let certs: BTreeMap<&str, (&str, &str)> = certs
            .as_deref()
            .unwrap_or("")
            .split(';')
            .filter_map(|c| {
                let mut p = c.split(' ');
                Some((p.next()?, (p.next()?, p.next()?)))
            })
            .collect();
        for l in levels {
            let (id, at) = certs.get(l.as_str()).copied().unwrap_or(("", ""));
            row.push(id.to_string());
            row.push(at.to_string());
        }
        if !sink(&row) {
            break;
        }
    }
    Ok(())
}

/// Writes every certificate (revoked ones included, marked) as CSV rows to `sink`.
pub fn export_certificates(c: &Connection, sink: &mut dyn FnMut(&[String]) -> bool) -> rusqlite::Result<()> {
    let header = [
        "id",
        "username",
        "display_name",
        "cohort",
        "department",
        "track",
        "level",
        "issued_at",
        "status",
        "revoked_at",
        "revoke_reason",
    ];
    if !sink(&header.map(String::from)) {
        return Ok(());
    }
    let mut q = c.prepare(
        "SELECT c.id, u.username, u.display_name, u.cohort, u.department, c.track_id, c.level_id, c.issued_at, c.revoked_at, c.revoke_reason
         FROM certificates c JOIN users u ON u.id = c.user_id ORDER BY c.issued_at, c.id",
    )?;
    let mut rows = q.query([])?;
    while let Some(r) = rows.next()? {
        let revoked: Option<i64> = r.get(8)?;
        let row = vec![
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(6)?,
            r.get::<_, i64>(7)?.to_string(),
            if revoked.is_some() { "revoked".into() } else { "valid".into() },
            revoked.map(|v| v.to_string()).unwrap_or_default(),
            r.get::<_, Option<String>>(9)?.unwrap_or_default(),
        ];
        if !sink(&row) {
            break;
        }
    }
    Ok(())
}

impl Store {
    pub async fn cohort(&self, f: Filter) -> Result<Cohort, StoreError> {
        self.read(move |c| Ok(cohort(c, &f)?)).await
    }

    /// Creates or updates every learner in one transaction: all or nothing.
    pub fn import_learners(&self, rows: Vec<NewLearner>, now: i64) -> Result<usize, StoreError> {
        self.write_blocking(move |tx| {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO users (username, display_name, role, password_hash, created_at, cohort, department) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (username) DO UPDATE SET display_name = excluded.display_name, role = excluded.role,
                   cohort = excluded.cohort, department = excluded.department,
                   password_hash = CASE WHEN excluded.password_hash = '' THEN users.password_hash ELSE excluded.password_hash END",
            )?;
            for r in &rows {
                stmt.execute(params![r.username, r.display_name, r.role.as_str(), r.password_hash, now, r.cohort, r.department])?;
            }
            Ok(rows.len())
        })
    }

    /// A learner's cohort and department.
    pub async fn user_groups(&self, id: i64) -> Result<Option<(String, String, i64)>, StoreError> {
        self.read(move |c| {
            use rusqlite::OptionalExtension;
            Ok(
                c.query_row("SELECT cohort, department, created_at FROM users WHERE id = ?1", [id], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })
                .optional()?,
            )
        })
        .await
    }
}
