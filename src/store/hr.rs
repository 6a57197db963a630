//! What HR reads: learners grouped by cohort and department, cohort figures,
//! transcripts, and CSV exports that stream row by row. Also the CSV import of
//! learners (all rows or none).

use super::db::{Conn, params};
use super::{Role, Store, StoreError};
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
        let mut sql = String::from("u.role = 'learner' AND u.erased_at IS NULL");
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

/// Records a learner's result on an item: keeps their best, moves them between
/// histogram buckets when it improves, and marks them active. Called inside the
/// transaction that records the result.
pub(crate) fn record_result(tx: &Conn, user_id: i64, kind: &str, item: &str, score: f64, now: i64) -> super::db::Result<()> {
    use super::db::Optional;
    static SQL: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| format!("SELECT {} FROM users u WHERE u.id = ?1", standing_cols("?2", "?3")));
    let standing = tx
        .prepare_cached(&SQL)?
        .query_row(params![user_id, kind, item], |r| Standing::read(r, 0))
        .optional()?;
    match standing {
        Some(s) => record_result_with(tx, user_id, (kind, item), score, now, s),
        None => Ok(()),
    }
}

/// What recording a result needs to know of the learner first: their group, first
/// activity and best at the item. A hot write reads it with what it reads anyway.
pub(crate) struct Standing {
    first_active: Option<i64>,
    cohort: String,
    department: String,
    best: Option<f64>,
}

/// The columns [`Standing::read`] reads, from a query over the learner's user row `u`,
/// for the item of kind `kind` and id `item` (SQL expressions).
pub(crate) fn standing_cols(kind: &str, item: &str) -> String {
    format!(
        "u.first_active_at, u.cohort, u.department,
         (SELECT best FROM best_scores b WHERE b.user_id = u.id AND b.kind = {kind} AND b.item_id = {item})"
    )
}

impl Standing {
    /// Reads the [`standing_cols`] starting at column `at`.
    pub(crate) fn read(r: &super::db::Row, at: usize) -> super::db::Result<Standing> {
        Ok(Standing {
            first_active: r.get(at)?,
            cohort: r.get(at + 1)?,
            department: r.get(at + 2)?,
            best: r.get(at + 3)?,
        })
    }
}

/// [`record_result`] with the learner's standing already read.
pub(crate) fn record_result_with(
    tx: &Conn,
    user_id: i64,
    (kind, item): (&str, &str),
    score: f64,
    now: i64,
    s: Standing,
) -> super::db::Result<()> {
    if s.first_active.is_none() {
        touch_active(tx, user_id, now)?;
    }
    if !beats_best(&s, score) {
        return Ok(());
    }
    tx.prepare_cached(
        "INSERT INTO best_scores (user_id, kind, item_id, best) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (user_id, kind, item_id) DO UPDATE SET best = excluded.best",
    )?
    .execute(params![user_id, kind, item, score])?;
    super::lock_shared_rows(tx)?;
    let (cohort, dept) = (s.cohort, s.department);
    if let Some(o) = s.best {
        tx.prepare_cached(
            "UPDATE item_hist SET n = n - 1 WHERE cohort = ?1 AND department = ?2 AND kind = ?3 AND item_id = ?4 AND bucket = ?5",
        )?
        .execute(params![cohort, dept, kind, item, bucket(o)])?;
    }
    tx.prepare_cached(
        "INSERT INTO item_hist (cohort, department, kind, item_id, bucket, n) VALUES (?1, ?2, ?3, ?4, ?5, 1)
         ON CONFLICT (cohort, department, kind, item_id, bucket) DO UPDATE SET n = item_hist.n + 1",
    )?
    .execute(params![cohort, dept, kind, item, bucket(score)])?;
    Ok(())
}

/// Whether `score` is a new best for the learner's standing (and so is recorded).
fn beats_best(s: &Standing, score: f64) -> bool {
    !s.best.is_some_and(|o| o >= score)
}

/// Whether [`record_result_with`] writes anything for this standing and score.
pub(crate) fn records_anything(s: &Standing, score: f64) -> bool {
    s.first_active.is_none() || beats_best(s, score)
}

/// Marks a learner active (a lesson read counts).
pub(crate) fn touch_active(tx: &Conn, user_id: i64, now: i64) -> super::db::Result<()> {
    tx.prepare_cached("UPDATE users SET first_active_at = ?2 WHERE id = ?1 AND first_active_at IS NULL")?
        .execute(params![user_id, now])?;
    Ok(())
}

fn bucket(score: f64) -> i64 {
    score.clamp(0.0, 100.0).floor() as i64
}

/// Rebuilds the histograms from the best scores (after learners change group).
fn rebuild_hist(tx: &Conn) -> super::db::Result<()> {
    tx.execute_batch(
        "DELETE FROM item_hist;
         INSERT INTO item_hist (cohort, department, kind, item_id, bucket, n)
         SELECT u.cohort, u.department, b.kind, b.item_id, CAST(b.best AS INTEGER), COUNT(*)
         FROM best_scores b JOIN users u ON u.id = b.user_id GROUP BY 1, 2, 3, 4, 5;",
    )
}

/// One item's distribution of learners' best scores: bucket (floor of the score) → learners.
#[derive(Clone, Debug, Default)]
pub struct Histogram {
    pub counts: BTreeMap<i64, u64>,
}

impl Histogram {
    pub fn learners(&self) -> u64 {
        self.counts.values().sum()
    }

    pub fn at_least(&self, min: f64) -> u64 {
        self.counts.iter().filter(|(b, _)| **b as f64 >= min.ceil()).map(|(_, n)| n).sum()
    }

    /// The median bucket (lower median), to one point.
    pub fn median(&self) -> Option<f64> {
        let n = self.learners();
        if n == 0 {
            return None;
        }
        let mut seen = 0;
        for (b, c) in &self.counts {
            seen += c;
            if seen * 2 >= n {
                return Some(*b as f64);
            }
        }
        None
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
    /// Per (kind, item): the distribution of best scores.
    pub hist: BTreeMap<(String, String), Histogram>,
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
    /// For expiry reminders; empty keeps the address already on file.
    pub email: String,
}

fn params_of(args: &[String]) -> Vec<&dyn super::db::ToParam> {
    args.iter().map(|a| a as &dyn super::db::ToParam).collect()
}

fn cohort(c: &Conn, f: &Filter) -> super::db::Result<Cohort> {
    let (w, args) = f.users_sql();
    let p = params_of(&args);
    let mut out = Cohort {
        learners: c.query_row(&format!("SELECT COUNT(*) FROM users u WHERE {w}"), p.as_slice(), |r| {
            r.get::<_, i64>(0)
        })? as u64,
        ..Default::default()
    };
    groups(c, &mut out)?;
    certified(c, f, &w, p.as_slice(), &mut out)?;
    if f.from.is_none() && f.to.is_none() {
        // Without a date window the running aggregates answer everything.
        out.active = c.query_row(
            &format!("SELECT COUNT(*) FROM users u WHERE {w} AND u.first_active_at IS NOT NULL"),
            p.as_slice(),
            |r| r.get::<_, i64>(0),
        )? as u64;
        let mut hw = String::from("1 = 1");
        let mut hargs: Vec<String> = Vec::new();
        if let Some(x) = &f.cohort {
            hargs.push(x.clone());
            hw.push_str(&format!(" AND cohort = ?{}", hargs.len()));
        }
        if let Some(x) = &f.department {
            hargs.push(x.clone());
            hw.push_str(&format!(" AND department = ?{}", hargs.len()));
        }
        let hp = params_of(&hargs);
        let mut q = c.prepare(&format!(
            "SELECT kind, item_id, bucket, SUM(n) FROM item_hist WHERE {hw} GROUP BY kind, item_id, bucket HAVING SUM(n) > 0"
        ))?;
        q.for_each(hp.as_slice(), |r| {
            let h = out.hist.entry((r.get(0)?, r.get(1)?)).or_default();
            h.counts.insert(r.get(2)?, r.get::<_, i64>(3)? as u64);
            Ok(true)
        })?;
        return Ok(out);
    }
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
        .collect::<super::db::Result<_>>()?;
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
        .collect::<super::db::Result<_>>()?;
    for r in out
        .quiz_best
        .iter()
        .map(|r| ("quiz", r))
        .chain(out.scenario_best.iter().map(|r| ("scenario", r)))
    {
        *out.hist
            .entry((r.0.to_string(), r.1.item.clone()))
            .or_default()
            .counts
            .entry(bucket(r.1.best))
            .or_default() += 1;
    }
    Ok(out)
}

fn certified(c: &Conn, f: &Filter, w: &str, p: &[&dyn super::db::ToParam], out: &mut Cohort) -> super::db::Result<()> {
    let mut q = c.prepare(&format!(
        "SELECT c.level_id, (c.issued_at - u.created_at) / 86400000.0 FROM certificates c JOIN users u ON u.id = c.user_id
         WHERE {w} AND c.revoked_at IS NULL{}",
        f.window("c.issued_at")
    ))?;
    q.for_each(p, |r| {
        let level: String = r.get(0)?;
        *out.certified.entry(level.clone()).or_default() += 1;
        out.days_to_level.entry(level).or_default().push(r.get(1)?);
        Ok(true)
    })?;
    Ok(())
}

/// The learners' cohorts, in order.
fn cohort_names(c: &Conn) -> super::db::Result<Vec<String>> {
    c.prepare_cached("SELECT DISTINCT cohort FROM users WHERE role = 'learner' AND cohort != '' ORDER BY cohort")?
        .query_map((), |r| r.get(0))?
        .collect()
}

/// The learners' cohorts and departments, each in order.
#[derive(Clone, Debug, Default)]
pub struct Groups {
    pub cohorts: Vec<String>,
    pub departments: Vec<String>,
}

pub(super) fn groups_of(c: &Conn) -> super::db::Result<Groups> {
    Ok(Groups {
        cohorts: cohort_names(c)?,
        departments: c
            .prepare_cached("SELECT DISTINCT department FROM users WHERE role = 'learner' AND department != '' ORDER BY department")?
            .query_map((), |r| r.get(0))?
            .collect::<super::db::Result<_>>()?,
    })
}

fn groups(c: &Conn, out: &mut Cohort) -> super::db::Result<()> {
    let g = groups_of(c)?;
    out.cohorts = g.cohorts;
    out.departments = g.departments;
    Ok(())
}

/// Writes every learner as a CSV row (with one certificate column pair per level) to `sink`.
pub(crate) fn export_learners(c: &Conn, levels: &[String], sink: &mut (dyn FnMut(&[String]) -> bool + Send)) -> super::db::Result<()> {
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
    let mut q = c.prepare(&format!(
        "SELECT u.id, u.username, u.display_name, u.cohort, u.department, u.created_at,
            (SELECT COUNT(DISTINCT quiz_id) FROM attempts a WHERE a.user_id = u.id AND a.passed = 1),
            (SELECT COUNT(*) FROM runs r WHERE r.user_id = u.id AND r.status = 'finished'),
            (SELECT COUNT(*) FROM submissions s WHERE s.user_id = u.id AND s.status = 'graded'),
            (SELECT {} FROM certificates c WHERE c.user_id = u.id AND c.revoked_at IS NULL)
         FROM users u WHERE u.role = 'learner' AND u.erased_at IS NULL ORDER BY u.id",
        c.group_concat("c.level_id || ' ' || c.id || ' ' || c.issued_at", ";")
    ))?;
    q.for_each((), |r| {
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
        Ok(sink(&row))
    })?;
    Ok(())
}

/// Writes every certificate (revoked ones included, marked) as CSV rows to `sink`.
pub(crate) fn export_certificates(c: &Conn, sink: &mut (dyn FnMut(&[String]) -> bool + Send)) -> super::db::Result<()> {
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
    q.for_each((), |r| {
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
        Ok(sink(&row))
    })?;
    Ok(())
}

/// A learner in a list: id, username, display name, cohort, department, levels held.
pub type LearnerRow = (i64, String, String, String, String, Vec<String>);

impl Store {
    /// Learners matching the filter's cohort and department, by username, at most `limit`.
    pub async fn learners(&self, f: Filter, limit: i64) -> Result<Vec<LearnerRow>, StoreError> {
        self.read(move |c| {
            let (w, mut args) = f.users_sql();
            args.push(limit.to_string());
            let p = params_of(&args);
            let mut q = c.prepare(&format!(
                "SELECT u.id, u.username, u.display_name, u.cohort, u.department,
                        (SELECT {} FROM certificates c WHERE c.user_id = u.id AND c.revoked_at IS NULL)
                 FROM users u WHERE {w} ORDER BY u.username LIMIT ?{}",
                c.group_concat("level_id", " "),
                args.len()
            ))?;
            let rows = q
                .query_map(p.as_slice(), |r| {
                    let levels: Option<String> = r.get(5)?;
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        levels.map(|l| l.split(' ').map(String::from).collect()).unwrap_or_default(),
                    ))
                })?
                .collect::<super::db::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .await
    }

    pub async fn cohort(&self, f: Filter) -> Result<Cohort, StoreError> {
        self.read(move |c| Ok(cohort(c, &f)?)).await
    }

    /// The learners' cohorts alone (the figures of [`Store::cohort`] cost far more).
    pub async fn cohort_names(&self) -> Result<Vec<String>, StoreError> {
        self.read(|c| Ok(cohort_names(c)?)).await
    }

    /// [`export_learners`] on a reader, in the calling thread (the CLI).
    pub fn export_learners_blocking(&self, levels: &[String], sink: &mut (dyn FnMut(&[String]) -> bool + Send)) -> Result<(), StoreError> {
        self.read_blocking(|c| Ok(export_learners(c, levels, sink)?))
    }

    /// [`export_certificates`] on a reader, in the calling thread (the CLI).
    pub fn export_certificates_blocking(&self, sink: &mut (dyn FnMut(&[String]) -> bool + Send)) -> Result<(), StoreError> {
        self.read_blocking(|c| Ok(export_certificates(c, sink)?))
    }

    /// Creates or updates every learner in one transaction: all or nothing.
    pub fn import_learners(&self, rows: Vec<NewLearner>, now: i64) -> Result<usize, StoreError> {
        self.write_blocking(move |tx| {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO users (username, display_name, role, password_hash, created_at, cohort, department, email) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (username) DO UPDATE SET display_name = excluded.display_name, role = excluded.role,
                   cohort = excluded.cohort, department = excluded.department,
                   email = CASE WHEN excluded.email = '' THEN users.email ELSE excluded.email END,
                   password_hash = CASE WHEN excluded.password_hash = '' THEN users.password_hash ELSE excluded.password_hash END",
            )?;
            for r in &rows {
                stmt.execute(params![r.username, r.display_name, r.role.as_str(), r.password_hash, now, r.cohort, r.department, r.email])?;
            }
            // A learner who moved group takes their results along.
            rebuild_hist(tx)?;
            Ok(rows.len())
        })
    }

    /// A learner's cohort and department.
    /// Cohort, department, when the account was made, and when it was erased.
    pub async fn user_groups(&self, id: i64) -> Result<Option<(String, String, i64, Option<i64>)>, StoreError> {
        self.read(move |c| {
            use super::db::Optional;
            Ok(c.query_row(
                "SELECT cohort, department, created_at, erased_at FROM users WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?)
        })
        .await
    }
}
