//! Team sandbox sessions: the session, its teams and members, each member's drafts,
//! each team's submitted rounds, and the judges' scores. Every change bumps the
//! session's `revision`, which live pages watch. A round is resolved by one
//! compare-and-set on `round`, so two servers closing it together resolve it once.

use super::db::{Conn, Optional, Row, params};
use super::{Store, StoreError};

#[derive(Clone, Debug, PartialEq)]
pub struct TeamSessionRow {
    pub id: String,
    pub scenario_id: String,
    pub version: u32,
    pub seed: u64,
    pub title: String,
    pub cohort: String,
    pub created_by: i64,
    pub created_at: i64,
    /// `ready` (no round open), `open`, `paused` or `finished`.
    pub status: String,
    /// Rounds resolved; an open round is `round + 1`.
    pub round: u32,
    pub deadline: Option<i64>,
    pub paused_left: Option<i64>,
    /// Learners pick their own roles.
    pub pick_roles: bool,
    pub revision: i64,
}

const SESSION_COLS: &str =
    "id, scenario_id, version, seed, title, cohort, created_by, created_at, status, round, deadline, paused_left, pick_roles, revision";

fn row_session(r: &Row) -> super::db::Result<TeamSessionRow> {
    Ok(TeamSessionRow {
        id: r.get(0)?,
        scenario_id: r.get(1)?,
        version: r.get(2)?,
        seed: r.get::<_, i64>(3)? as u64,
        title: r.get(4)?,
        cohort: r.get(5)?,
        created_by: r.get(6)?,
        created_at: r.get(7)?,
        status: r.get(8)?,
        round: r.get(9)?,
        deadline: r.get(10)?,
        paused_left: r.get(11)?,
        pick_roles: r.get::<_, i64>(12)? != 0,
        revision: r.get(13)?,
    })
}

#[derive(Clone, Debug, PartialEq)]
pub struct MemberRow {
    pub user_id: i64,
    pub display_name: String,
    pub username: String,
    pub team: u32,
    /// Role ids, in the scenario's order.
    pub roles: Vec<String>,
    pub captain: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DraftRow {
    pub team: u32,
    pub decision: String,
    /// JSON of the decision's value.
    pub value: String,
    pub user_id: i64,
    pub submitted: bool,
    pub updated_at: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TeamRoundRow {
    pub team: u32,
    pub round: u32,
    /// JSON of the team's decisions.
    pub decisions: String,
    pub defaulted: bool,
    pub submitted_by: Option<i64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct JudgingRow {
    pub team: u32,
    pub judge_id: i64,
    pub judge_name: String,
    /// JSON array of the rubric's scores.
    pub scores: String,
    pub comment: String,
    pub best: bool,
}

/// A session's pulse, for live pages.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Pulse {
    pub revision: i64,
    pub round: u32,
    pub status: String,
    /// The open round's deadline has passed: readers see it resolved.
    pub overdue: bool,
}

/// Everything about a session, read in one transaction.
#[derive(Clone, Debug)]
pub struct SessionSnapshot {
    pub session: TeamSessionRow,
    /// (team number, name), in order.
    pub teams: Vec<(u32, String)>,
    pub members: Vec<MemberRow>,
    /// Drafts of the open round.
    pub drafts: Vec<DraftRow>,
    pub rounds: Vec<TeamRoundRow>,
    pub judging: Vec<JudgingRow>,
}

/// A member as formed: user id, role ids, captain.
pub type NewMember = (i64, Vec<String>, bool);

pub struct NewTeamSession {
    pub id: String,
    pub scenario_id: String,
    pub version: u32,
    pub seed: u64,
    pub title: String,
    pub cohort: String,
    pub created_by: i64,
    pub pick_roles: bool,
    /// Each team's name and members (user id, roles, captain).
    pub teams: Vec<(String, Vec<NewMember>)>,
}

/// Why a change was not made.
#[derive(Clone, Debug, PartialEq)]
pub enum TeamRefusal {
    NotFound,
    /// The round is not open (or not this round any more).
    RoundNotOpen,
    /// The team has already submitted this round.
    TeamSubmitted,
    /// This decision was submitted by its role and is locked.
    DraftLocked,
}

fn get(c: &Conn, id: &str) -> super::db::Result<Option<TeamSessionRow>> {
    c.prepare_cached(&format!("SELECT {SESSION_COLS} FROM team_sessions WHERE id = ?1"))?
        .query_row([id], row_session)
        .optional()
}

fn bump(c: &Conn, id: &str, now: i64) -> super::db::Result<()> {
    c.execute(
        "UPDATE team_sessions SET revision = revision + 1, updated_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}

fn snapshot(c: &Conn, id: &str) -> super::db::Result<Option<SessionSnapshot>> {
    let Some(session) = get(c, id)? else { return Ok(None) };
    let teams = c
        .prepare_cached("SELECT team, name FROM session_teams WHERE session_id = ?1 ORDER BY team")?
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    let members = c
        .prepare_cached(
            "SELECT m.user_id, u.display_name, u.username, m.team, m.roles, m.captain FROM session_members m
             JOIN users u ON u.id = m.user_id WHERE m.session_id = ?1 ORDER BY m.team, u.display_name, m.user_id",
        )?
        .query_map([id], |r| {
            let roles: String = r.get(4)?;
            Ok(MemberRow {
                user_id: r.get(0)?,
                display_name: r.get(1)?,
                username: r.get(2)?,
                team: r.get(3)?,
                roles: roles.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
                captain: r.get::<_, i64>(5)? != 0,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let drafts = c
        .prepare_cached(
            "SELECT team, decision, value, user_id, submitted, updated_at FROM session_drafts
             WHERE session_id = ?1 AND round = ?2 ORDER BY team, decision",
        )?
        .query_map(params![id, session.round + 1], |r| {
            Ok(DraftRow {
                team: r.get(0)?,
                decision: r.get(1)?,
                value: r.get(2)?,
                user_id: r.get(3)?,
                submitted: r.get::<_, i64>(4)? != 0,
                updated_at: r.get(5)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let rounds = c
        .prepare_cached(
            "SELECT team, round, decisions, defaulted, submitted_by FROM session_rounds WHERE session_id = ?1 ORDER BY round, team",
        )?
        .query_map([id], |r| {
            Ok(TeamRoundRow {
                team: r.get(0)?,
                round: r.get(1)?,
                decisions: r.get(2)?,
                defaulted: r.get::<_, i64>(3)? != 0,
                submitted_by: r.get(4)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let judging = c
        .prepare_cached(
            "SELECT j.team, j.judge_id, u.display_name, j.scores, j.comment, j.best FROM session_judging j
             JOIN users u ON u.id = j.judge_id WHERE j.session_id = ?1 ORDER BY j.team, j.judge_id",
        )?
        .query_map([id], |r| {
            Ok(JudgingRow {
                team: r.get(0)?,
                judge_id: r.get(1)?,
                judge_name: r.get(2)?,
                scores: r.get(3)?,
                comment: r.get(4)?,
                best: r.get::<_, i64>(5)? != 0,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(SessionSnapshot {
        session,
        teams,
        members,
        drafts,
        rounds,
        judging,
    }))
}

/// The open round's number, if `round` is it and the session takes submissions.
fn open_round(s: &TeamSessionRow, round: u32) -> bool {
    s.status == "open" && s.round + 1 == round
}

impl Store {
    pub async fn create_team_session(&self, new: NewTeamSession, now: i64) -> Result<(), StoreError> {
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO team_sessions (id, scenario_id, version, seed, title, cohort, created_by, created_at, status, pick_roles, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'ready', ?9, ?8)",
                params![
                    new.id,
                    new.scenario_id,
                    new.version,
                    new.seed as i64,
                    new.title,
                    new.cohort,
                    new.created_by,
                    now,
                    new.pick_roles as i64
                ],
            )?;
            for (i, (name, members)) in new.teams.iter().enumerate() {
                tx.execute(
                    "INSERT INTO session_teams (session_id, team, name) VALUES (?1, ?2, ?3)",
                    params![new.id, i as i64 + 1, name],
                )?;
                for (user, roles, captain) in members {
                    tx.execute(
                        "INSERT INTO session_members (session_id, user_id, team, roles, captain) VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![new.id, user, i as i64 + 1, roles.join(","), *captain as i64],
                    )?;
                }
            }
            Ok(())
        })
        .await
    }

    pub async fn team_session(&self, id: String) -> Result<Option<SessionSnapshot>, StoreError> {
        self.read(move |c| Ok(snapshot(c, &id)?)).await
    }

    /// What live pages poll: the session's revision (every change bumps it), rounds
    /// resolved, status, and whether the open round's deadline has passed.
    pub async fn team_session_pulse(&self, id: String, now: i64) -> Result<Option<Pulse>, StoreError> {
        self.read(move |c| {
            Ok(
                c.prepare_cached("SELECT revision, round, status, deadline FROM team_sessions WHERE id = ?1")?
                    .query_row([&id], |r| {
                        let (status, deadline): (String, Option<i64>) = (r.get(2)?, r.get(3)?);
                        Ok(Pulse {
                            revision: r.get(0)?,
                            round: r.get(1)?,
                            overdue: status == "open" && deadline.is_some_and(|d| d <= now),
                            status,
                        })
                    })
                    .optional()?,
            )
        })
        .await
    }

    /// Sessions with an open round whose deadline has passed.
    pub async fn overdue_team_sessions(&self, now: i64) -> Result<Vec<String>, StoreError> {
        self.read(move |c| {
            Ok(
                c.prepare_cached("SELECT id FROM team_sessions WHERE status = 'open' AND deadline <= ?1")?
                    .query_map([now], |r| r.get(0))?
                    .collect::<Result<Vec<String>, _>>()?,
            )
        })
        .await
    }

    /// Sessions, newest first: all of them (`None`), or those a user is a member of.
    pub async fn team_sessions(&self, member: Option<i64>) -> Result<Vec<TeamSessionRow>, StoreError> {
        self.read(move |c| {
            let cols = SESSION_COLS.split(", ").map(|c| format!("s.{c}")).collect::<Vec<_>>().join(", ");
            let rows = match member {
                None => c
                    .prepare_cached(&format!("SELECT {cols} FROM team_sessions s ORDER BY s.created_at DESC, s.id"))?
                    .query_map(params![], row_session)?
                    .collect::<Result<Vec<_>, _>>()?,
                Some(u) => c
                    .prepare_cached(&format!(
                        "SELECT {cols} FROM team_sessions s JOIN session_members m ON m.session_id = s.id
                         WHERE m.user_id = ?1 ORDER BY s.created_at DESC, s.id"
                    ))?
                    .query_map([u], row_session)?
                    .collect::<Result<Vec<_>, _>>()?,
            };
            Ok(rows)
        })
        .await
    }

    /// Sets the session's clock: `status`, and the deadline or the time left while paused.
    /// Only when it still stands at `round`, so a late click cannot reopen a resolved round.
    pub async fn set_team_session_clock(
        &self,
        id: String,
        round: u32,
        (status, deadline, paused_left): (&'static str, Option<i64>, Option<i64>),
        now: i64,
    ) -> Result<bool, StoreError> {
        self.write(move |tx| {
            let n = tx.execute(
                "UPDATE team_sessions SET status = ?3, deadline = ?4, paused_left = ?5 WHERE id = ?1 AND round = ?2 AND status != 'finished'",
                params![id, round, status, deadline, paused_left],
            )?;
            if n > 0 {
                bump(tx, &id, now)?;
            }
            Ok(n > 0)
        })
        .await
    }

    /// Saves a member's draft of one decision for the open round.
    pub async fn save_team_draft(
        &self,
        id: String,
        (team, round): (u32, u32),
        decision: String,
        value: String,
        user_id: i64,
        now: i64,
    ) -> Result<Result<(), TeamRefusal>, StoreError> {
        self.write(move |tx| {
            if let Err(why) = team_may_draft(tx, &id, team, round)? {
                return Ok(Err(why));
            }
            let locked: Option<i64> = tx
                .query_row(
                    "SELECT submitted FROM session_drafts WHERE session_id = ?1 AND team = ?2 AND round = ?3 AND decision = ?4",
                    params![id, team, round, decision],
                    |r| r.get(0),
                )
                .optional()?;
            if locked == Some(1) {
                return Ok(Err(TeamRefusal::DraftLocked));
            }
            put_draft(tx, (&id, team, round), (&decision, &value, false), user_id, now)?;
            bump(tx, &id, now)?;
            Ok(Ok(()))
        })
        .await
    }

    /// Locks a role's decisions with the values given (saved as drafts too).
    pub async fn submit_team_role(
        &self,
        id: String,
        (team, round): (u32, u32),
        values: Vec<(String, String)>,
        user_id: i64,
        now: i64,
    ) -> Result<Result<(), TeamRefusal>, StoreError> {
        self.write(move |tx| {
            if let Err(why) = team_may_draft(tx, &id, team, round)? {
                return Ok(Err(why));
            }
            for (decision, value) in &values {
                put_draft(tx, (&id, team, round), (decision, value, true), user_id, now)?;
            }
            bump(tx, &id, now)?;
            Ok(Ok(()))
        })
        .await
    }

    /// Records a team's decisions for the open round, once: `Ok(false)` when the team
    /// had already submitted it.
    pub async fn submit_team_round(
        &self,
        id: String,
        (team, round): (u32, u32),
        decisions: String,
        user_id: i64,
        now: i64,
    ) -> Result<Result<bool, TeamRefusal>, StoreError> {
        self.write(move |tx| {
            let Some(s) = get(tx, &id)? else {
                return Ok(Err(TeamRefusal::NotFound));
            };
            if !open_round(&s, round) {
                return Ok(Err(TeamRefusal::RoundNotOpen));
            }
            let n = tx.execute(
                "INSERT INTO session_rounds (session_id, team, round, decisions, defaulted, submitted_by, at)
                 VALUES (?1, ?2, ?3, ?4, 0, ?5, ?6) ON CONFLICT (session_id, team, round) DO NOTHING",
                params![id, team, round, decisions, user_id, now],
            )?;
            if n > 0 {
                bump(tx, &id, now)?;
            }
            Ok(Ok(n > 0))
        })
        .await
    }

    /// Resolves round `round`: the teams in `defaults` (that had not submitted) play
    /// those decisions and are marked; the session moves on or, with `results` (each
    /// member's final score), finishes, recording the results (`kind` `team`) and
    /// issuing the certificates they complete. `Ok(false)` when someone resolved it first.
    pub async fn resolve_team_round(
        &self,
        id: String,
        round: u32,
        defaults: Vec<(u32, String)>,
        results: Option<Vec<(i64, String, f64)>>,
        now: i64,
        certify: Option<super::Certifier>,
    ) -> Result<bool, StoreError> {
        self.write(move |tx| {
            let status = if results.is_some() { "finished" } else { "ready" };
            let n = tx.execute(
                "UPDATE team_sessions SET round = ?2, status = ?3, deadline = NULL, paused_left = NULL
                 WHERE id = ?1 AND round = ?4 AND status IN ('open', 'paused')",
                params![id, round, status, round - 1],
            )?;
            if n == 0 {
                return Ok(false);
            }
            for (team, decisions) in &defaults {
                tx.execute(
                    "INSERT INTO session_rounds (session_id, team, round, decisions, defaulted, submitted_by, at)
                     VALUES (?1, ?2, ?3, ?4, 1, NULL, ?5) ON CONFLICT (session_id, team, round) DO NOTHING",
                    params![id, team, round, decisions, now],
                )?;
            }
            for (user, item, score) in results.iter().flatten() {
                super::hr::record_result(tx, *user, "team", item, *score, now)?;
                super::certs::certify_opt(tx, *user, certify.as_ref(), now)?;
            }
            bump(tx, &id, now)?;
            Ok(true)
        })
        .await
    }

    /// Moves a member to a team with roles (or adds them); `team` None removes them.
    pub async fn set_team_member(
        &self,
        id: String,
        user_id: i64,
        team: Option<u32>,
        roles: Vec<String>,
        captain: bool,
        now: i64,
    ) -> Result<bool, StoreError> {
        self.write(move |tx| {
            if get(tx, &id)?.is_none() {
                return Ok(false);
            }
            match team {
                None => {
                    tx.execute(
                        "DELETE FROM session_members WHERE session_id = ?1 AND user_id = ?2",
                        params![id, user_id],
                    )?;
                }
                Some(t) => {
                    if captain {
                        tx.execute(
                            "UPDATE session_members SET captain = 0 WHERE session_id = ?1 AND team = ?2",
                            params![id, t],
                        )?;
                    }
                    tx.execute(
                        "INSERT INTO session_members (session_id, user_id, team, roles, captain) VALUES (?1, ?2, ?3, ?4, ?5)
                         ON CONFLICT (session_id, user_id) DO UPDATE SET team = excluded.team, roles = excluded.roles, captain = excluded.captain",
                        params![id, user_id, t, roles.join(","), captain as i64],
                    )?;
                }
            }
            bump(tx, &id, now)?;
            Ok(true)
        })
        .await
    }

    /// A judge's rubric scores and comment for a team; `best` marks the judge's pick
    /// (one team per judge).
    pub async fn judge_team(
        &self,
        id: String,
        team: u32,
        judge_id: i64,
        (scores, comment, best): (String, String, bool),
        now: i64,
    ) -> Result<bool, StoreError> {
        self.write(move |tx| {
            if get(tx, &id)?.is_none() {
                return Ok(false);
            }
            if best {
                tx.execute(
                    "UPDATE session_judging SET best = 0 WHERE session_id = ?1 AND judge_id = ?2",
                    params![id, judge_id],
                )?;
            }
            tx.execute(
                "INSERT INTO session_judging (session_id, team, judge_id, scores, comment, best, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (session_id, team, judge_id) DO UPDATE SET scores = excluded.scores, comment = excluded.comment,
                    best = excluded.best, at = excluded.at",
                params![id, team, judge_id, scores, comment, best as i64, now],
            )?;
            bump(tx, &id, now)?;
            Ok(true)
        })
        .await
    }

    /// Learners of a cohort (all learners for ""), with their department, for forming teams.
    pub async fn cohort_learners(&self, cohort: String) -> Result<Vec<(i64, String, String)>, StoreError> {
        self.read(move |c| {
            Ok(c.prepare_cached(
                "SELECT id, username, department FROM users WHERE role = 'learner' AND erased_at IS NULL AND (?1 = '' OR cohort = ?1) ORDER BY id",
            )?
            .query_map([&cohort], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }
}

/// Whether the team may still draft round `round`: the round is open and the team has not submitted it.
fn team_may_draft(c: &Conn, id: &str, team: u32, round: u32) -> super::db::Result<Result<(), TeamRefusal>> {
    let Some(s) = get(c, id)? else {
        return Ok(Err(TeamRefusal::NotFound));
    };
    if !open_round(&s, round) {
        return Ok(Err(TeamRefusal::RoundNotOpen));
    }
    if team_submitted(c, id, team, round)? {
        return Ok(Err(TeamRefusal::TeamSubmitted));
    }
    Ok(Ok(()))
}

/// Writes one decision's draft; `submitted` locks it for the rest of the round.
fn put_draft(
    c: &Conn,
    (id, team, round): (&str, u32, u32),
    (decision, value, submitted): (&str, &str, bool),
    user_id: i64,
    now: i64,
) -> super::db::Result<()> {
    c.prepare_cached(
        "INSERT INTO session_drafts (session_id, team, round, decision, value, user_id, submitted, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (session_id, team, round, decision) DO UPDATE SET value = excluded.value, user_id = excluded.user_id,
            submitted = excluded.submitted, updated_at = excluded.updated_at",
    )?
    .execute(params![id, team, round, decision, value, user_id, submitted as i64, now])?;
    Ok(())
}

fn team_submitted(c: &Conn, id: &str, team: u32, round: u32) -> super::db::Result<bool> {
    Ok(
        c.prepare_cached("SELECT 1 FROM session_rounds WHERE session_id = ?1 AND team = ?2 AND round = ?3")?
            .query_row(params![id, team, round], |r| r.get::<_, i64>(0))
            .optional()?
            .is_some(),
    )
}
