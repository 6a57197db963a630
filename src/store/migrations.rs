//! Schema migrations, applied in order on open. Never edit one that has shipped:
//! add a new one.

use rusqlite_migration::{M, Migrations};

/// Team sessions; the same text serves PostgreSQL (BIGINT is an INTEGER to SQLite).
pub const TEAM_SESSIONS: &str = r#"
-- Team sandbox sessions: teams play one scenario together, round by round, under
-- an instructor; a market scenario's teams compete in one market.
CREATE TABLE team_sessions (
    id TEXT PRIMARY KEY,
    scenario_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    seed BIGINT NOT NULL,
    title TEXT NOT NULL,
    cohort TEXT NOT NULL DEFAULT '',
    created_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    round INTEGER NOT NULL DEFAULT 0,
    deadline BIGINT,
    paused_left BIGINT,
    pick_roles INTEGER NOT NULL DEFAULT 0,
    revision BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL
);
CREATE INDEX team_sessions_due ON team_sessions (status, deadline);
CREATE TABLE session_teams (
    session_id TEXT NOT NULL REFERENCES team_sessions(id) ON DELETE CASCADE,
    team INTEGER NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (session_id, team)
);
CREATE TABLE session_members (
    session_id TEXT NOT NULL REFERENCES team_sessions(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL,
    team INTEGER NOT NULL,
    roles TEXT NOT NULL DEFAULT '',
    captain INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (session_id, user_id)
);
CREATE INDEX session_members_by_user ON session_members (user_id);
CREATE TABLE session_drafts (
    session_id TEXT NOT NULL REFERENCES team_sessions(id) ON DELETE CASCADE,
    team INTEGER NOT NULL,
    round INTEGER NOT NULL,
    decision TEXT NOT NULL,
    value TEXT NOT NULL,
    user_id BIGINT NOT NULL,
    submitted INTEGER NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (session_id, team, round, decision)
);
CREATE TABLE session_rounds (
    session_id TEXT NOT NULL REFERENCES team_sessions(id) ON DELETE CASCADE,
    team INTEGER NOT NULL,
    round INTEGER NOT NULL,
    decisions TEXT NOT NULL,
    defaulted INTEGER NOT NULL DEFAULT 0,
    submitted_by BIGINT,
    at BIGINT NOT NULL,
    PRIMARY KEY (session_id, team, round)
);
CREATE TABLE session_judging (
    session_id TEXT NOT NULL REFERENCES team_sessions(id) ON DELETE CASCADE,
    team INTEGER NOT NULL,
    judge_id BIGINT NOT NULL,
    scores TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    best INTEGER NOT NULL DEFAULT 0,
    at BIGINT NOT NULL,
    PRIMARY KEY (session_id, team, judge_id)
);
"#;

pub fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(
            r#"
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('learner', 'instructor', 'hr', 'admin')),
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE TABLE attempts (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    quiz_id TEXT NOT NULL,
    seed INTEGER NOT NULL,
    question_ids TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    deadline_at INTEGER,
    status TEXT NOT NULL CHECK (status IN ('open', 'graded', 'expired')),
    submitted_at INTEGER,
    answers TEXT,
    score REAL,
    max_score REAL,
    percent REAL,
    passed INTEGER,
    result TEXT
);
CREATE INDEX attempts_by_user_quiz ON attempts (user_id, quiz_id);
-- At most one open attempt per learner and quiz, whatever races the server has.
CREATE UNIQUE INDEX attempts_one_open ON attempts (user_id, quiz_id) WHERE status = 'open';
"#,
        ),
        M::up(
            r#"
-- Sandbox runs: the inputs (seed, decisions) are the record; the result is kept
-- for reading without recomputing, and can always be recomputed to check it.
CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    scenario_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    seed INTEGER NOT NULL,
    decisions TEXT NOT NULL DEFAULT '[]',
    rounds_played INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL CHECK (status IN ('open', 'finished', 'abandoned')),
    started_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    finished_at INTEGER,
    score INTEGER,
    result TEXT
);
CREATE INDEX runs_by_user_scenario ON runs (user_id, scenario_id);
CREATE UNIQUE INDEX runs_one_open ON runs (user_id, scenario_id) WHERE status = 'open';
"#,
        ),
        M::up(
            r#"
-- One submission per learner and exercise, revised in place until it is graded.
CREATE TABLE submissions (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    exercise_id TEXT NOT NULL,
    body TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    submitted_at INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('submitted', 'graded')),
    scores TEXT,
    total REAL,
    feedback TEXT,
    grader_id INTEGER REFERENCES users(id),
    graded_at INTEGER,
    UNIQUE (user_id, exercise_id)
);
CREATE INDEX submissions_queue ON submissions (status, submitted_at);
CREATE TABLE lesson_reads (
    user_id INTEGER NOT NULL REFERENCES users(id),
    lesson_id TEXT NOT NULL,
    read_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, lesson_id)
) WITHOUT ROWID;
-- A level is certified once per learner: the unique key makes issuing idempotent.
CREATE TABLE certificates (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    track_id TEXT NOT NULL,
    level_id TEXT NOT NULL,
    issued_at INTEGER NOT NULL,
    evidence TEXT NOT NULL,
    revoked_at INTEGER,
    revoke_reason TEXT,
    UNIQUE (user_id, track_id, level_id)
);
-- Server secrets created on first start (the credential signing key).
CREATE TABLE secrets (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
"#,
        ),
        M::up(
            r#"
-- HR groups learners by cohort and department.
ALTER TABLE users ADD COLUMN cohort TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN department TEXT NOT NULL DEFAULT '';
CREATE INDEX users_by_group ON users (role, cohort, department);
CREATE INDEX attempts_graded_by_quiz ON attempts (quiz_id, user_id, percent) WHERE status = 'graded';
CREATE INDEX certificates_by_level ON certificates (track_id, level_id);
"#,
        ),
        M::up(
            r#"
-- Running aggregates for the HR dashboard, kept up to date in the same transaction
-- as each graded attempt or finished run, so the dashboard reads a few thousand rows
-- however many learners there are. Buckets are the floor of the best score (0-100).
ALTER TABLE users ADD COLUMN first_active_at INTEGER;
CREATE INDEX users_first_active ON users (role, first_active_at);
CREATE TABLE best_scores (
    user_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    item_id TEXT NOT NULL,
    best REAL NOT NULL,
    PRIMARY KEY (user_id, kind, item_id)
) WITHOUT ROWID;
CREATE TABLE item_hist (
    cohort TEXT NOT NULL,
    department TEXT NOT NULL,
    kind TEXT NOT NULL,
    item_id TEXT NOT NULL,
    bucket INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (cohort, department, kind, item_id, bucket)
) WITHOUT ROWID;
INSERT INTO best_scores (user_id, kind, item_id, best)
    SELECT user_id, 'quiz', quiz_id, MAX(percent) FROM attempts WHERE status = 'graded' GROUP BY user_id, quiz_id;
INSERT INTO best_scores (user_id, kind, item_id, best)
    SELECT user_id, 'scenario', scenario_id, MAX(score) FROM runs WHERE status = 'finished' GROUP BY user_id, scenario_id;
INSERT INTO item_hist (cohort, department, kind, item_id, bucket, n)
    SELECT u.cohort, u.department, b.kind, b.item_id, CAST(b.best AS INTEGER), COUNT(*)
    FROM best_scores b JOIN users u ON u.id = b.user_id GROUP BY 1, 2, 3, 4, 5;
UPDATE users SET first_active_at = (
    SELECT MIN(t) FROM (
        SELECT MIN(submitted_at) AS t FROM attempts a WHERE a.user_id = users.id AND a.status = 'graded'
        UNION ALL SELECT MIN(finished_at) FROM runs r WHERE r.user_id = users.id AND r.status = 'finished'
        UNION ALL SELECT MIN(read_at) FROM lesson_reads l WHERE l.user_id = users.id));
"#,
        ),
        M::up(
            r#"
-- Certification operations: expiry and renewal, a slot in the published status
-- list, certificates imported from earlier systems, expiry reminders, and an audit
-- log of actions on people's records.
ALTER TABLE certificates ADD COLUMN expires_at INTEGER;
ALTER TABLE certificates ADD COLUMN renewed_at INTEGER;
ALTER TABLE certificates ADD COLUMN status_index INTEGER;
ALTER TABLE certificates ADD COLUMN imported INTEGER NOT NULL DEFAULT 0;
ALTER TABLE certificates ADD COLUMN reminded_for INTEGER;
UPDATE certificates SET status_index = rowid;
CREATE UNIQUE INDEX certificates_status_slot ON certificates (status_index);
CREATE INDEX certificates_by_expiry ON certificates (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor_id INTEGER,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
"#,
        ),
        M::up(
            r#"
-- exam integrity
-- SQLite cannot change a CHECK constraint, so attempts is rebuilt to allow `late`
-- (answers that arrived after the quiz closed: kept, never graded), with the
-- autosave, the late answers, the sequential-mode position and the bound device.
CREATE TABLE attempts_new (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    quiz_id TEXT NOT NULL,
    seed INTEGER NOT NULL,
    question_ids TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    deadline_at INTEGER,
    status TEXT NOT NULL CHECK (status IN ('open', 'graded', 'expired', 'late')),
    submitted_at INTEGER,
    answers TEXT,
    score REAL,
    max_score REAL,
    percent REAL,
    passed INTEGER,
    result TEXT,
    saved_answers TEXT,
    late_answers TEXT,
    position INTEGER NOT NULL DEFAULT 0,
    device_hash TEXT
);
INSERT INTO attempts_new (id, user_id, quiz_id, seed, question_ids, started_at, deadline_at, status, submitted_at, answers, score, max_score, percent, passed, result)
    SELECT id, user_id, quiz_id, seed, question_ids, started_at, deadline_at, status, submitted_at, answers, score, max_score, percent, passed, result FROM attempts;
DROP TABLE attempts;
ALTER TABLE attempts_new RENAME TO attempts;
CREATE INDEX attempts_by_user_quiz ON attempts (user_id, quiz_id);
CREATE UNIQUE INDEX attempts_one_open ON attempts (user_id, quiz_id) WHERE status = 'open';
CREATE INDEX attempts_graded_by_quiz ON attempts (quiz_id, user_id, percent) WHERE status = 'graded';
-- Accommodations: one override per learner, or per cohort, and quiz.
CREATE TABLE quiz_overrides (
    id INTEGER PRIMARY KEY,
    quiz_id TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
    cohort TEXT,
    extra_time INTEGER NOT NULL DEFAULT 0,
    extra_attempts INTEGER NOT NULL DEFAULT 0,
    opens INTEGER,
    closes INTEGER,
    created_by INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    CHECK ((user_id IS NULL) <> (cohort IS NULL))
);
CREATE UNIQUE INDEX quiz_overrides_user ON quiz_overrides (quiz_id, user_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX quiz_overrides_cohort ON quiz_overrides (quiz_id, cohort) WHERE cohort IS NOT NULL;
"#,
        ),
        M::up(
            r#"
-- Expiry reminders go to an address; an erased learner keeps a row (certificates
-- point at it) but nothing personal, and the certificate keeps the holder's name
-- a verifier needs.
ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN erased_at INTEGER;
ALTER TABLE certificates ADD COLUMN holder_name TEXT;
-- A suspended certificate is held back (its bit set in the suspension list) until reinstated.
ALTER TABLE certificates ADD COLUMN suspended_at INTEGER;
ALTER TABLE certificates ADD COLUMN suspend_reason TEXT;
"#,
        ),
        M::up(
            r#"
-- Status lists grow: a certificate's status entry is (list, index), and a list
-- holds 131,072 entries, so the server opens a further list when one is full.
ALTER TABLE certificates ADD COLUMN status_list INTEGER NOT NULL DEFAULT 0;
DROP INDEX certificates_status_slot;
CREATE UNIQUE INDEX certificates_status_slot ON certificates (status_list, status_index);
"#,
        ),
        M::up(
            r#"
-- How often each learner was shown each question of a quiz, kept as attempts start,
-- so drawing the least-seen questions reads one row a question, not every attempt.
CREATE TABLE question_seen (
    user_id INTEGER NOT NULL,
    quiz_id TEXT NOT NULL,
    question_id TEXT NOT NULL,
    seen INTEGER NOT NULL,
    PRIMARY KEY (user_id, quiz_id, question_id)
) WITHOUT ROWID;
INSERT INTO question_seen (user_id, quiz_id, question_id, seen)
    SELECT a.user_id, a.quiz_id, q.value, COUNT(*) FROM attempts a, json_each(a.question_ids) q
    GROUP BY a.user_id, a.quiz_id, q.value;
"#,
        ),
        M::up(
            r#"
-- The settle sweep finds open attempts that can have ended without reading the ones
-- that cannot (no time limit, quiz still open), however many of those pile up.
CREATE INDEX attempts_open_by_deadline ON attempts (deadline_at) WHERE status = 'open' AND deadline_at IS NOT NULL;
CREATE INDEX attempts_open_by_quiz ON attempts (quiz_id) WHERE status = 'open';
"#,
        ),
        M::up(
            r#"
-- A learner's figures per quiz (attempts, best graded percent, passed), kept by
-- triggers as attempts are written, so reading them costs one row however many
-- attempts there are. Every write path (starts, grades, the autosave sweep, imports,
-- erasure) keeps them without knowing they exist.
CREATE TABLE quiz_tallies (
    user_id INTEGER NOT NULL,
    quiz_id TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    best REAL,
    passed INTEGER NOT NULL,
    PRIMARY KEY (user_id, quiz_id)
) WITHOUT ROWID;
INSERT INTO quiz_tallies (user_id, quiz_id, attempts, best, passed)
    SELECT user_id, quiz_id, COUNT(*), MAX(percent) FILTER (WHERE status = 'graded'), COALESCE(MAX(passed), 0)
    FROM attempts GROUP BY user_id, quiz_id;
CREATE TRIGGER quiz_tallies_on_insert AFTER INSERT ON attempts BEGIN
    INSERT INTO quiz_tallies (user_id, quiz_id, attempts, best, passed)
        VALUES (NEW.user_id, NEW.quiz_id, 1, CASE WHEN NEW.status = 'graded' THEN NEW.percent END, COALESCE(NEW.passed, 0))
    ON CONFLICT (user_id, quiz_id) DO UPDATE SET
        attempts = attempts + 1,
        best = CASE WHEN excluded.best IS NULL THEN best WHEN best IS NULL OR excluded.best > best THEN excluded.best ELSE best END,
        passed = MAX(passed, excluded.passed);
END;
CREATE TRIGGER quiz_tallies_on_grade AFTER UPDATE OF status ON attempts
    WHEN NEW.status = 'graded' AND OLD.status != 'graded' BEGIN
    UPDATE quiz_tallies SET
        best = CASE WHEN NEW.percent IS NULL THEN best WHEN best IS NULL OR NEW.percent > best THEN NEW.percent ELSE best END,
        passed = MAX(passed, COALESCE(NEW.passed, 0))
    WHERE user_id = NEW.user_id AND quiz_id = NEW.quiz_id;
END;
CREATE TRIGGER quiz_tallies_on_delete AFTER DELETE ON attempts BEGIN
    DELETE FROM quiz_tallies WHERE user_id = OLD.user_id AND quiz_id = OLD.quiz_id;
    INSERT INTO quiz_tallies (user_id, quiz_id, attempts, best, passed)
        SELECT user_id, quiz_id, COUNT(*), MAX(percent) FILTER (WHERE status = 'graded'), COALESCE(MAX(passed), 0)
        FROM attempts WHERE user_id = OLD.user_id AND quiz_id = OLD.quiz_id GROUP BY user_id, quiz_id;
END;
-- The newest scores of a learner for their chart, without reading older ones.
CREATE INDEX attempts_graded_by_user_time ON attempts (user_id, submitted_at) WHERE status = 'graded';
"#,
        ),
        M::up(
            r#"
-- Practice attempts a learner gives up end `abandoned`. SQLite cannot change a CHECK
-- constraint, so attempts is rebuilt (its indexes and the tally triggers with it). An
-- exam's attempts counted since the learner's latest certificate (a renewal cycle)
-- and the end of their last sitting read a range of attempts_by_user_quiz_time.
CREATE TABLE attempts_new (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    quiz_id TEXT NOT NULL,
    seed INTEGER NOT NULL,
    question_ids TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    deadline_at INTEGER,
    status TEXT NOT NULL CHECK (status IN ('open', 'graded', 'expired', 'late', 'abandoned')),
    submitted_at INTEGER,
    answers TEXT,
    score REAL,
    max_score REAL,
    percent REAL,
    passed INTEGER,
    result TEXT,
    saved_answers TEXT,
    late_answers TEXT,
    position INTEGER NOT NULL DEFAULT 0,
    device_hash TEXT
);
INSERT INTO attempts_new SELECT id, user_id, quiz_id, seed, question_ids, started_at, deadline_at, status, submitted_at,
    answers, score, max_score, percent, passed, result, saved_answers, late_answers, position, device_hash FROM attempts;
DROP TABLE attempts;
ALTER TABLE attempts_new RENAME TO attempts;
CREATE INDEX attempts_by_user_quiz_time ON attempts (user_id, quiz_id, started_at);
CREATE UNIQUE INDEX attempts_one_open ON attempts (user_id, quiz_id) WHERE status = 'open';
CREATE INDEX attempts_graded_by_quiz ON attempts (quiz_id, user_id, percent) WHERE status = 'graded';
CREATE INDEX attempts_open_by_deadline ON attempts (deadline_at) WHERE status = 'open' AND deadline_at IS NOT NULL;
CREATE INDEX attempts_open_by_quiz ON attempts (quiz_id) WHERE status = 'open';
CREATE INDEX attempts_graded_by_user_time ON attempts (user_id, submitted_at) WHERE status = 'graded';
CREATE TRIGGER quiz_tallies_on_insert AFTER INSERT ON attempts BEGIN
    INSERT INTO quiz_tallies (user_id, quiz_id, attempts, best, passed)
        VALUES (NEW.user_id, NEW.quiz_id, 1, CASE WHEN NEW.status = 'graded' THEN NEW.percent END, COALESCE(NEW.passed, 0))
    ON CONFLICT (user_id, quiz_id) DO UPDATE SET
        attempts = attempts + 1,
        best = CASE WHEN excluded.best IS NULL THEN best WHEN best IS NULL OR excluded.best > best THEN excluded.best ELSE best END,
        passed = MAX(passed, excluded.passed);
END;
CREATE TRIGGER quiz_tallies_on_grade AFTER UPDATE OF status ON attempts
    WHEN NEW.status = 'graded' AND OLD.status != 'graded' BEGIN
    UPDATE quiz_tallies SET
        best = CASE WHEN NEW.percent IS NULL THEN best WHEN best IS NULL OR NEW.percent > best THEN NEW.percent ELSE best END,
        passed = MAX(passed, COALESCE(NEW.passed, 0))
    WHERE user_id = NEW.user_id AND quiz_id = NEW.quiz_id;
END;
CREATE TRIGGER quiz_tallies_on_delete AFTER DELETE ON attempts BEGIN
    DELETE FROM quiz_tallies WHERE user_id = OLD.user_id AND quiz_id = OLD.quiz_id;
    INSERT INTO quiz_tallies (user_id, quiz_id, attempts, best, passed)
        SELECT user_id, quiz_id, COUNT(*), MAX(percent) FILTER (WHERE status = 'graded'), COALESCE(MAX(passed), 0)
        FROM attempts WHERE user_id = OLD.user_id AND quiz_id = OLD.quiz_id GROUP BY user_id, quiz_id;
END;
"#,
        ),
        // Failed logins, counted per account and per address in the database, so the
        // limit holds across server instances and restarts.
        M::up(
            r#"
CREATE TABLE login_failures (key TEXT NOT NULL, at INTEGER NOT NULL);
CREATE INDEX login_failures_by_key ON login_failures (key, at);
CREATE INDEX login_failures_by_time ON login_failures (at);
"#,
        ),
        // Leases on background jobs, so that servers sharing a database run each once.
        M::up("CREATE TABLE job_leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, until INTEGER NOT NULL);"),
        M::up(TEAM_SESSIONS),
    ])
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        assert!(super::migrations().validate().is_ok());
    }
}
