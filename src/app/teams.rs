//! Team sandbox sessions: an instructor forms teams from a cohort and runs the
//! session round by round (open with a deadline, extend, pause, close); members
//! draft the decisions their roles own and submit them; a round resolves when every
//! team is in or the instructor closes it (a late team plays the scenario's
//! defaults). Debrief, what-if replays and judging read the same record. Outcomes
//! are always recomputed from (scenario version, seed, every team's decisions).

use super::{Ctx, Error, Result, require};
use crate::sandbox::{
    DecisionValue, Decisions, Opening, Playthrough, Scenario, SessionRecord, SimError, Team, TeamRecord, simulate_with_standings,
};
use crate::store::{NewMember, NewTeamSession, Role, SessionSnapshot, TeamRefusal, User};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, LazyLock, Mutex};

/// The judges' rubric, in order (the source course's five dimensions), as message ids.
pub const RUBRIC: [&str; 5] = [
    "team-rubric-knowledge",
    "team-rubric-problem-solving",
    "team-rubric-innovation",
    "team-rubric-teamwork",
    "team-rubric-communication",
];

/// A session as read, with every team's playthrough recomputed.
pub struct Loaded {
    pub snap: SessionSnapshot,
    pub scenario: Scenario,
    pub record: SessionRecord,
    /// One per team: resolved rounds and the open round's opening.
    pub plays: Arc<Vec<Playthrough>>,
    /// Every team's score after each resolved round.
    pub standings: Arc<Vec<Vec<u32>>>,
}

impl Loaded {
    /// The caller's membership, if any.
    pub fn member(&self, user: i64) -> Option<&crate::store::MemberRow> {
        self.snap.members.iter().find(|m| m.user_id == user)
    }

    /// The open round's number, when a round is open.
    pub fn open_round(&self) -> Option<u32> {
        matches!(self.snap.session.status.as_str(), "open" | "paused").then_some(self.snap.session.round + 1)
    }

    /// The decisions a member may make: those of their roles (all, without roles).
    pub fn owns(&self, m: &crate::store::MemberRow, decision: &str) -> bool {
        match self.scenario.role_of(decision) {
            None => true,
            Some(r) => m.roles.contains(&r.id) || (m.captain && !self.role_held(m.team, &r.id)),
        }
    }

    /// Whether some member of the team holds the role (an unheld role falls to the captain).
    fn role_held(&self, team: u32, role: &str) -> bool {
        self.snap
            .members
            .iter()
            .any(|m| m.team == team && m.roles.iter().any(|r| r == role))
    }

    /// The team's drafts of the open round, as decisions (unparseable drafts left out).
    pub fn drafts(&self, team: u32) -> Decisions {
        self.snap
            .drafts
            .iter()
            .filter(|d| d.team == team)
            .filter_map(|d| Some((d.decision.clone(), serde_json::from_str::<DecisionValue>(&d.value).ok()?)))
            .collect()
    }

    /// Whether the team has submitted the open round.
    pub fn submitted(&self, team: u32) -> bool {
        self.open_round()
            .is_some_and(|r| self.snap.rounds.iter().any(|x| x.team == team && x.round == r))
    }

    pub fn opening(&self, team: u32) -> Option<&Opening> {
        self.plays.get(team as usize - 1).and_then(|p| p.next.as_ref())
    }
}

fn not_found() -> Error {
    Error::NotFound(crate::msg!("team-session-not-found"))
}

fn refusal(r: TeamRefusal) -> Error {
    match r {
        TeamRefusal::NotFound => not_found(),
        TeamRefusal::RoundNotOpen => Error::Conflict(crate::msg!("team-round-not-open")),
        TeamRefusal::TeamSubmitted => Error::Conflict(crate::msg!("team-round-submitted")),
        TeamRefusal::DraftLocked => Error::Conflict(crate::msg!("team-decision-locked")),
    }
}

fn sim_error(e: SimError) -> Error {
    match e {
        SimError::Decision { message, .. } => Error::Unprocessable(message),
        other => Error::Internal(format!("sandbox model failed: {other}")),
    }
}

fn json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::Internal(e.to_string()))
}

fn staff(actor: &User) -> Result<()> {
    require(actor, &[Role::Instructor])
}

/// The session's replayable record from what is stored (resolved rounds only).
fn record_of(snap: &SessionSnapshot) -> SessionRecord {
    let s = &snap.session;
    let teams = snap
        .teams
        .iter()
        .map(|(n, name)| {
            let rows: Vec<_> = snap.rounds.iter().filter(|r| r.team == *n && r.round <= s.round).collect();
            TeamRecord {
                name: name.clone(),
                decisions: rows
                    .iter()
                    .map(|r| serde_json::from_str(&r.decisions).unwrap_or_default())
                    .collect(),
                defaulted: rows.iter().filter(|r| r.defaulted).map(|r| r.round).collect(),
            }
        })
        .collect();
    SessionRecord {
        scenario: s.scenario_id.clone(),
        version: s.version,
        seed: s.seed,
        teams,
        results: None,
    }
}

fn compute(sc: &Scenario, record: &SessionRecord) -> Result<(Vec<Playthrough>, Vec<Vec<u32>>)> {
    let teams: Vec<Team> = record.teams.iter().map(|t| Team::Plays(&t.decisions)).collect();
    simulate_with_standings(sc, record.seed, &teams).map_err(|(_, e)| sim_error(e))
}

type Computed = (Arc<Vec<Playthrough>>, Arc<Vec<Vec<u32>>>);

/// Recent sessions' outcomes, keyed by (course build, session, rounds resolved).
/// Resolved rounds never change, so drafts, submissions and every member's page
/// between two resolutions share one computation instead of replaying per request.
static COMPUTED: LazyLock<Mutex<HashMap<ComputedKey, Computed>>> = LazyLock::new(Default::default);

/// (course build, session id, rounds resolved).
type ComputedKey = (usize, String, u32);

fn computed(ctx: &Ctx<'_>, sc: &Scenario, snap: &SessionSnapshot, record: &SessionRecord) -> Result<Computed> {
    let key = (Arc::as_ptr(&ctx.cur) as usize, snap.session.id.clone(), snap.session.round);
    if let Some(hit) = COMPUTED.lock().expect("computed sessions").get(&key) {
        return Ok(hit.clone());
    }
    let (plays, standings) = compute(sc, record)?;
    let value = (Arc::new(plays), Arc::new(standings));
    let mut cache = COMPUTED.lock().expect("computed sessions");
    if cache.len() >= 64 {
        cache.clear();
    }
    cache.insert(key, value.clone());
    Ok(value)
}

/// A session as stored, recomputed.
async fn load_stored(ctx: &Ctx<'_>, id: &str) -> Result<Loaded> {
    let snap = ctx.store.team_session(id.to_string()).await?.ok_or_else(not_found)?;
    let sc = super::runs::scenario(ctx, &snap.session.scenario_id)?;
    if sc.version != snap.session.version {
        return Err(Error::Conflict(crate::msg!(
            "run-scenario-changed-version",
            run_version = snap.session.version,
            current_version = sc.version
        )));
    }
    build(ctx, snap, sc)
}

fn build(ctx: &Ctx<'_>, snap: SessionSnapshot, sc: Scenario) -> Result<Loaded> {
    let record = record_of(&snap);
    let (plays, standings) = computed(ctx, &sc, &snap, &record)?;
    Ok(Loaded {
        snap,
        scenario: sc,
        record,
        plays,
        standings,
    })
}

fn overdue(l: &Loaded, now: i64) -> bool {
    let s = &l.snap.session;
    s.status == "open" && s.deadline.is_some_and(|d| d <= now)
}

/// What the teams that have not submitted the open round play: the defaults.
fn late_defaults(l: &Loaded) -> Result<Vec<(u32, String)>> {
    let mut out = Vec::new();
    for (n, _) in &l.snap.teams {
        if !l.submitted(*n) {
            let o = l
                .opening(*n)
                .ok_or_else(|| Error::Internal("no opening for an open round".into()))?;
            out.push((*n, json(&o.defaults(&l.scenario))?));
        }
    }
    Ok(out)
}

/// Reads a session, without writing anything. A round whose deadline has passed is
/// shown resolved, late teams on their defaults, exactly as the next change or the
/// server's upkeep (every few seconds) stores it.
pub async fn load(ctx: &Ctx<'_>, id: &str) -> Result<Loaded> {
    let l = load_stored(ctx, id).await?;
    if !overdue(&l, ctx.clock.now_ms()) {
        return Ok(l);
    }
    as_resolved(ctx, &l)
}

/// The session as it stands once its open round resolves: late teams on their
/// defaults, the round counted, the session finished after the last. What readers
/// see past a deadline, and what resolving stores.
fn as_resolved(ctx: &Ctx<'_>, l: &Loaded) -> Result<Loaded> {
    let defaults = late_defaults(l)?;
    let (mut snap, scenario) = (l.snap.clone(), l.scenario.clone());
    let round = snap.session.round + 1;
    for (team, decisions) in defaults {
        snap.rounds.push(crate::store::TeamRoundRow {
            team,
            round,
            decisions,
            defaulted: true,
            submitted_by: None,
        });
    }
    snap.session.round = round;
    snap.session.status = if round >= scenario.rounds { "finished" } else { "ready" }.to_string();
    snap.session.deadline = None;
    snap.drafts.clear();
    build(ctx, snap, scenario)
}

/// Reads a session to change it: a round whose deadline has passed is stored
/// resolved first, so the change applies to the session as everyone sees it.
async fn load_mut(ctx: &Ctx<'_>, id: &str) -> Result<Loaded> {
    let l = load_stored(ctx, id).await?;
    if overdue(&l, ctx.clock.now_ms()) {
        resolve(ctx, &l).await?;
        return load_stored(ctx, id).await;
    }
    Ok(l)
}

/// Upkeep: stores the resolution of every round whose deadline has passed (and the
/// members' results of sessions that ends). Safe on several servers at once: a
/// round resolves by compare-and-set. Returns how many sessions it closed.
pub async fn close_overdue(ctx: &Ctx<'_>) -> Result<usize> {
    let ids = ctx.store.overdue_team_sessions(ctx.clock.now_ms()).await?;
    for id in &ids {
        load_mut(ctx, id).await?;
    }
    Ok(ids.len())
}

/// Resolves the open round: teams that have not submitted play their defaults.
async fn resolve(ctx: &Ctx<'_>, l: &Loaded) -> Result<()> {
    let Some(round) = l.open_round() else { return Ok(()) };
    let defaults = late_defaults(l)?;
    let after = as_resolved(ctx, l)?;
    // The last round: each member's result is their team's final score, recorded in
    // the transaction that resolves it, so a crash cannot keep one without the other.
    let results = (after.snap.session.status == "finished").then(|| {
        after
            .snap
            .members
            .iter()
            .filter_map(|m| {
                let score = after.plays.get(m.team as usize - 1)?.result.as_ref()?.score;
                Some((m.user_id, l.scenario.id.clone(), score as f64))
            })
            .collect()
    });
    ctx.store
        .resolve_team_round(
            l.snap.session.id.clone(),
            round,
            defaults,
            results,
            ctx.clock.now_ms(),
            super::certification::certifier(ctx),
        )
        .await?;
    Ok(())
}

/// How teams are formed from the cohort's learners.
pub enum Formation {
    /// Shuffled and dealt into `n` teams.
    Random(u32),
    /// One team per department.
    Department,
    /// `username,team[,role;role]` lines; `captain` after the roles marks the captain.
    Csv(String),
}

pub struct NewSession {
    pub scenario: String,
    pub title: String,
    pub cohort: String,
    pub formation: Formation,
    pub pick_roles: bool,
}

/// Creates a session and forms its teams; returns its id.
pub async fn create(ctx: &Ctx<'_>, actor: &User, new: NewSession) -> Result<String> {
    staff(actor)?;
    let sc = super::runs::scenario(ctx, &new.scenario)?;
    let learners = ctx.store.cohort_learners(new.cohort.clone()).await?;
    let seed = rand::random::<u64>() >> 11;
    // Each team: name, member ids to deal roles to, or members the CSV gave whole.
    let mut teams: Vec<(String, Vec<i64>, Vec<NewMember>)> = Vec::new();
    match new.formation {
        Formation::Random(n) => {
            if n == 0 || n as usize > learners.len().max(1) {
                return Err(Error::Unprocessable(crate::msg!(
                    "team-count-bad",
                    teams = n,
                    learners = learners.len()
                )));
            }
            let mut ids: Vec<i64> = learners.iter().map(|l| l.0).collect();
            use rand::seq::SliceRandom;
            ids.shuffle(&mut rand::rng());
            for i in 0..n as usize {
                let members = ids.iter().skip(i).step_by(n as usize).copied().collect();
                teams.push((team_name(ctx, i), members, Vec::new()));
            }
        }
        Formation::Department => {
            let mut by: BTreeMap<String, Vec<i64>> = BTreeMap::new();
            for (id, _, dept) in &learners {
                by.entry(dept.clone()).or_default().push(*id);
            }
            for (i, (dept, ids)) in by.into_iter().enumerate() {
                let name = if dept.is_empty() { team_name(ctx, i) } else { dept };
                teams.push((name, ids, Vec::new()));
            }
        }
        Formation::Csv(text) => {
            let by_name: BTreeMap<String, i64> = learners.iter().map(|l| (l.1.to_lowercase(), l.0)).collect();
            let mut named: Vec<(String, Vec<NewMember>)> = Vec::new();
            for (i, line) in text.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let cells: Vec<&str> = line.split(',').map(str::trim).collect();
                let (Some(user), Some(team)) = (cells.first(), cells.get(1).filter(|t| !t.is_empty())) else {
                    return Err(Error::Unprocessable(crate::msg!("team-csv-bad-line", line = i + 1)));
                };
                let Some(&uid) = by_name.get(&user.to_lowercase()) else {
                    return Err(Error::Unprocessable(crate::msg!(
                        "team-csv-unknown-learner",
                        line = i + 1,
                        user = *user
                    )));
                };
                let roles: Vec<String> = cells.get(2).map_or(Vec::new(), |r| {
                    r.split(';').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect()
                });
                if let Some(bad) = roles.iter().find(|r| !sc.roles.iter().any(|x| &x.id == *r)) {
                    return Err(Error::Unprocessable(crate::msg!(
                        "team-csv-unknown-role",
                        line = i + 1,
                        role = bad.as_str()
                    )));
                }
                if named.iter().any(|t| t.1.iter().any(|m| m.0 == uid)) {
                    return Err(Error::Unprocessable(crate::msg!("team-csv-twice", line = i + 1, user = *user)));
                }
                let captain = cells.get(3).is_some_and(|c| c.eq_ignore_ascii_case("captain"));
                match named.iter_mut().find(|t| t.0 == *team) {
                    Some(t) => t.1.push((uid, roles, captain)),
                    None => named.push((team.to_string(), vec![(uid, roles, captain)])),
                }
            }
            teams = named.into_iter().map(|(n, m)| (n, Vec::new(), m)).collect();
        }
    }
    teams.retain(|t| !t.1.is_empty() || !t.2.is_empty());
    if let Some(m) = &sc.market {
        let n = teams.len() as u32;
        if n < m.teams.0 || n > m.teams.1 {
            return Err(Error::Unprocessable(crate::msg!(
                "team-count-market",
                teams = n,
                least = m.teams.0,
                most = m.teams.1
            )));
        }
    }
    if teams.is_empty() {
        return Err(Error::Unprocessable(crate::msg!("team-no-learners")));
    }
    let (least, most) = sc.members;
    if let Some((name, n)) = teams
        .iter()
        .map(|t| (&t.0, t.1.len().max(t.2.len()) as u32))
        .find(|(_, n)| *n < least || *n > most)
    {
        return Err(Error::Unprocessable(crate::msg!(
            "team-size-bad",
            team = name.as_str(),
            size = n,
            least = least,
            most = most
        )));
    }
    // Roles are dealt round the team unless learners pick them or the CSV gave them.
    let roles: Vec<String> = sc.roles.iter().map(|r| r.id.clone()).collect();
    let teams = teams
        .into_iter()
        .map(|(name, ids, given)| {
            if !given.is_empty() {
                let has_captain = given.iter().any(|g| g.2);
                let members = given
                    .into_iter()
                    .enumerate()
                    .map(|(i, (u, r, c))| (u, r, c || (!has_captain && i == 0)))
                    .collect();
                return (name, members);
            }
            let k = ids.len().max(1);
            let members = ids
                .iter()
                .enumerate()
                .map(|(i, u)| {
                    let mine = if new.pick_roles {
                        Vec::new()
                    } else {
                        roles
                            .iter()
                            .enumerate()
                            .filter(|(j, _)| j % k == i)
                            .map(|(_, r)| r.clone())
                            .collect()
                    };
                    (*u, mine, i == 0)
                })
                .collect();
            (name, members)
        })
        .collect();
    let id = super::ordered_id(ctx.clock.now_ms());
    let title = if new.title.trim().is_empty() {
        sc.title.clone()
    } else {
        new.title.trim().to_string()
    };
    ctx.store
        .create_team_session(
            NewTeamSession {
                id: id.clone(),
                scenario_id: sc.id.clone(),
                version: sc.version,
                seed,
                title,
                cohort: new.cohort,
                created_by: actor.id,
                pick_roles: new.pick_roles,
                teams,
            },
            ctx.clock.now_ms(),
        )
        .await?;
    Ok(id)
}

fn team_name(ctx: &Ctx<'_>, i: usize) -> String {
    ctx.cur.messages.text(&crate::msg!("team-default-name", n = i + 1))
}

/// What the instructor does to the session's clock.
pub enum Control {
    /// Opens the next round for this many minutes.
    Open(u32),
    Extend(u32),
    Pause,
    Resume,
    /// Resolves the open round now; late teams play the defaults.
    Close,
}

pub async fn control(ctx: &Ctx<'_>, actor: &User, id: &str, c: Control) -> Result<Loaded> {
    staff(actor)?;
    let l = load_mut(ctx, id).await?;
    let s = &l.snap.session;
    let now = ctx.clock.now_ms();
    let minutes = |m: u32| i64::from(m.clamp(1, 24 * 60)) * 60_000;
    let wrong = || Error::Conflict(crate::msg!("team-session-wrong-state", status = s.status.as_str()));
    let clock = match c {
        Control::Open(m) if s.status == "ready" => ("open", Some(now + minutes(m)), None),
        Control::Extend(m) if s.status == "open" => ("open", s.deadline.map(|d| d.max(now) + minutes(m)), None),
        Control::Pause if s.status == "open" => ("paused", None, s.deadline.map(|d| (d - now).max(0))),
        Control::Resume if s.status == "paused" => ("open", Some(now + s.paused_left.unwrap_or(60_000)), None),
        Control::Close if matches!(s.status.as_str(), "open" | "paused") => {
            resolve(ctx, &l).await?;
            return load(ctx, id).await;
        }
        _ => return Err(wrong()),
    };
    if !ctx.store.set_team_session_clock(s.id.clone(), s.round, clock, now).await? {
        return Err(wrong());
    }
    load(ctx, id).await
}

/// A session for one of its members or staff.
pub async fn visible(ctx: &Ctx<'_>, actor: &User, id: &str) -> Result<Loaded> {
    let l = load(ctx, id).await?;
    if l.member(actor.id).is_none() && !super::is_staff(actor) {
        return Err(not_found());
    }
    Ok(l)
}

fn membership<'l>(l: &'l Loaded, actor: &User) -> Result<&'l crate::store::MemberRow> {
    l.member(actor.id).ok_or_else(not_found)
}

/// Whether the team itself submitted round `round` (a retry's answer is the session as it is).
fn team_played(l: &Loaded, team: u32, round: u32) -> bool {
    l.snap.rounds.iter().any(|r| r.team == team && r.round == round && !r.defaulted)
}

fn check_round(l: &Loaded, round: u32) -> Result<()> {
    match l.open_round() {
        Some(r) if r == round && l.snap.session.status == "open" => Ok(()),
        _ => Err(Error::Conflict(crate::msg!("team-round-not-open"))),
    }
}

/// Saves a member's draft of one decision their role owns; teammates see it live.
pub async fn draft(ctx: &Ctx<'_>, actor: &User, id: &str, round: u32, decision: &str, value: DecisionValue) -> Result<()> {
    let l = load_mut(ctx, id).await?;
    let m = membership(&l, actor)?;
    check_round(&l, round)?;
    if !l.scenario.decisions.iter().any(|d| d.id == decision) {
        return Err(Error::Unprocessable(crate::msg!("sandbox-no-such-decision", decision = decision)));
    }
    if !l.owns(m, decision) {
        return Err(Error::Refused(crate::msg!("team-decision-not-yours", decision = decision)));
    }
    ctx.store
        .save_team_draft(
            id.to_string(),
            (m.team, round),
            decision.to_string(),
            json(&value)?,
            actor.id,
            ctx.clock.now_ms(),
        )
        .await?
        .map_err(refusal)
}

/// Submits the decisions the member's roles own. When every decision of the round
/// is in, the team's round is submitted; when every team is in, the round resolves.
pub async fn submit(ctx: &Ctx<'_>, actor: &User, id: &str, round: u32, given: Decisions) -> Result<Loaded> {
    let l = load_mut(ctx, id).await?;
    let m = membership(&l, actor)?;
    if team_played(&l, m.team, round) {
        // A retry after the team's round went in (even once the round resolved): the
        // same answer, nothing played twice.
        return Ok(l);
    }
    check_round(&l, round)?;
    let opening = l
        .opening(m.team)
        .ok_or_else(|| Error::Conflict(crate::msg!("team-round-not-open")))?;
    let mine: Vec<&str> = opening.decisions.iter().map(|d| d.id.as_str()).filter(|d| l.owns(m, d)).collect();
    if let Some(k) = given.keys().find(|k| !mine.contains(&k.as_str())) {
        return Err(Error::Refused(crate::msg!("team-decision-not-yours", decision = k.as_str())));
    }
    // Checked against the round's offer for the member's own decisions, all of them.
    let mut offer = opening.clone();
    offer.decisions.retain(|d| mine.contains(&d.id.as_str()));
    offer.check(&given).map_err(sim_error)?;
    let values = given.iter().map(|(k, v)| Ok((k.clone(), json(v)?))).collect::<Result<Vec<_>>>()?;
    ctx.store
        .submit_team_role(id.to_string(), (m.team, round), values, actor.id, ctx.clock.now_ms())
        .await?
        .map_err(refusal)?;
    let team = m.team;
    let l = load(ctx, id).await?;
    let all_in = l.opening(team).is_some_and(|o| {
        o.decisions
            .iter()
            .all(|d| l.snap.drafts.iter().any(|x| x.team == team && x.decision == d.id && x.submitted))
    });
    if all_in {
        return submit_team(ctx, actor, l, team, round).await;
    }
    Ok(l)
}

/// The captain submits the team's round as drafted; decisions nobody drafted play the defaults.
pub async fn confirm(ctx: &Ctx<'_>, actor: &User, id: &str, round: u32) -> Result<Loaded> {
    let l = load_mut(ctx, id).await?;
    let m = membership(&l, actor)?;
    if !m.captain {
        return Err(Error::Refused(crate::msg!("team-captain-only")));
    }
    if team_played(&l, m.team, round) {
        return Ok(l);
    }
    check_round(&l, round)?;
    let team = m.team;
    submit_team(ctx, actor, l, team, round).await
}

async fn submit_team(ctx: &Ctx<'_>, actor: &User, l: Loaded, team: u32, round: u32) -> Result<Loaded> {
    let opening = l.opening(team).ok_or_else(|| Error::Conflict(crate::msg!("team-round-not-open")))?;
    let mut decisions = opening.defaults(&l.scenario);
    for (k, v) in l.drafts(team) {
        if decisions.contains_key(&k) {
            decisions.insert(k, v);
        }
    }
    opening.check(&decisions).map_err(sim_error)?;
    ctx.store
        .submit_team_round(
            l.snap.session.id.clone(),
            (team, round),
            json(&decisions)?,
            actor.id,
            ctx.clock.now_ms(),
        )
        .await?
        .map_err(refusal)?;
    let l = load(ctx, &l.snap.session.id).await?;
    if l.snap.teams.iter().all(|(n, _)| l.submitted(*n)) {
        resolve(ctx, &l).await?;
        return load(ctx, &l.snap.session.id).await;
    }
    Ok(l)
}

/// A member picks their roles (when the session lets learners pick).
pub async fn pick_roles(ctx: &Ctx<'_>, actor: &User, id: &str, roles: Vec<String>) -> Result<Loaded> {
    let l = load_mut(ctx, id).await?;
    let m = membership(&l, actor)?;
    if !l.snap.session.pick_roles {
        return Err(Error::Refused(crate::msg!("team-roles-assigned")));
    }
    known_roles(&l.scenario, &roles)?;
    let (team, captain) = (m.team, m.captain);
    ctx.store
        .set_team_member(id.to_string(), actor.id, Some(team), roles, captain, ctx.clock.now_ms())
        .await?;
    load(ctx, id).await
}

/// Refuses a role the scenario does not have.
fn known_roles(sc: &Scenario, roles: &[String]) -> Result<()> {
    match roles.iter().find(|r| !sc.roles.iter().any(|x| &x.id == *r)) {
        Some(bad) => Err(Error::Unprocessable(crate::msg!("team-no-such-role", role = bad.as_str()))),
        None => Ok(()),
    }
}

/// The instructor moves a learner between teams or changes their roles.
pub async fn assign(
    ctx: &Ctx<'_>,
    actor: &User,
    id: &str,
    user: i64,
    team: Option<u32>,
    roles: Vec<String>,
    captain: bool,
) -> Result<Loaded> {
    staff(actor)?;
    let l = load_mut(ctx, id).await?;
    if let Some(t) = team.filter(|t| !l.snap.teams.iter().any(|(n, _)| n == t)) {
        return Err(Error::Unprocessable(crate::msg!("team-no-such-team", team = t)));
    }
    known_roles(&l.scenario, &roles)?;
    let learner = ctx.store.user_by_id(user).await?.filter(|u| u.role == Role::Learner);
    if learner.is_none() {
        return Err(Error::Unprocessable(crate::msg!("team-no-such-learner", user = user)));
    }
    ctx.store
        .set_team_member(id.to_string(), user, team, roles, captain, ctx.clock.now_ms())
        .await?;
    load(ctx, id).await
}

/// What-if: the session recomputed with one team's decisions of one round changed,
/// beside the real one. Nothing is stored.
pub async fn what_if(
    ctx: &Ctx<'_>,
    actor: &User,
    id: &str,
    team: u32,
    round: u32,
    change: Decisions,
) -> Result<(Loaded, Vec<Playthrough>, Vec<Vec<u32>>)> {
    staff(actor)?;
    let l = load(ctx, id).await?;
    let mut record = l.record.clone();
    let t = record
        .teams
        .get_mut((team as usize).wrapping_sub(1))
        .ok_or_else(|| Error::Unprocessable(crate::msg!("team-no-such-team", team = team)))?;
    let played = t
        .decisions
        .get_mut((round as usize).wrapping_sub(1))
        .ok_or_else(|| Error::Unprocessable(crate::msg!("team-what-if-round", round = round)))?;
    for (k, v) in change {
        if !played.contains_key(&k) {
            return Err(Error::Unprocessable(crate::msg!("sandbox-no-such-decision", decision = k.as_str())));
        }
        played.insert(k, v);
    }
    let (plays, standings) = compute(&l.scenario, &record)?;
    Ok((l, plays, standings))
}

/// A judge's rubric scores (1–5 each) and comment for a team, and their pick of the best.
pub async fn judge(ctx: &Ctx<'_>, actor: &User, id: &str, team: u32, scores: Vec<u32>, comment: String, best: bool) -> Result<Loaded> {
    staff(actor)?;
    let l = load_mut(ctx, id).await?;
    if !l.snap.teams.iter().any(|(n, _)| *n == team) {
        return Err(Error::Unprocessable(crate::msg!("team-no-such-team", team = team)));
    }
    if scores.len() != RUBRIC.len() || scores.iter().any(|s| !(1..=5).contains(s)) {
        return Err(Error::Unprocessable(crate::msg!("team-rubric-bad", count = RUBRIC.len())));
    }
    ctx.store
        .judge_team(
            id.to_string(),
            team,
            actor.id,
            (json(&scores)?, comment.trim().to_string(), best),
            ctx.clock.now_ms(),
        )
        .await?;
    load(ctx, id).await
}

/// The replayable record with its results (what `certbook sandbox replay` checks).
pub async fn record(ctx: &Ctx<'_>, actor: &User, id: &str) -> Result<SessionRecord> {
    let l = visible(ctx, actor, id).await?;
    let mut rec = l.record.clone();
    rec.results = Some(l.plays.iter().map(|p| crate::sandbox::RunResult::of(&l.scenario, p)).collect());
    Ok(rec)
}

/// A learner's part in one team session, as their transcript shows it.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct MemberResult {
    pub session: String,
    pub title: String,
    pub scenario: String,
    pub team: String,
    /// `ready`, `open`, `paused` or `finished`.
    pub status: String,
    /// The team's score, once the session is over.
    pub score: Option<u32>,
    /// The judges' mean total (out of 25 on the five-dimension rubric), if judged.
    pub judged: Option<f64>,
    /// Some judge picked the team as the best.
    pub best: bool,
}

/// Every team session a learner is in, with their team's score and judging.
pub async fn results_of(ctx: &Ctx<'_>, user: i64) -> Result<Vec<MemberResult>> {
    let mut out = Vec::new();
    for row in ctx.store.team_sessions(Some(user)).await? {
        // A session of a scenario this course no longer has (or has changed) is listed without numbers.
        let loaded = load(ctx, &row.id).await.ok();
        let Some(team) = loaded.as_ref().and_then(|l| l.member(user).map(|m| m.team)) else {
            continue;
        };
        let l = loaded.as_ref().expect("loaded above");
        let marks: Vec<u32> = l
            .snap
            .judging
            .iter()
            .filter(|j| j.team == team)
            .map(|j| serde_json::from_str::<Vec<u32>>(&j.scores).unwrap_or_default().iter().sum())
            .collect();
        out.push(MemberResult {
            session: row.id.clone(),
            title: row.title.clone(),
            scenario: l.scenario.title.clone(),
            team: l.snap.teams.iter().find(|t| t.0 == team).map_or_else(String::new, |t| t.1.clone()),
            status: l.snap.session.status.clone(),
            score: l.plays.get(team as usize - 1).and_then(|p| p.result.as_ref()).map(|r| r.score),
            judged: (!marks.is_empty()).then(|| (marks.iter().sum::<u32>() as f64 / marks.len() as f64 * 10.0).round() / 10.0),
            best: l.snap.judging.iter().any(|j| j.team == team && j.best),
        });
    }
    Ok(out)
}

/// Sessions the caller runs (staff: all) or plays in.
pub async fn list(ctx: &Ctx<'_>, actor: &User) -> Result<Vec<crate::store::TeamSessionRow>> {
    let member = if super::is_staff(actor) { None } else { Some(actor.id) };
    Ok(ctx.store.team_sessions(member).await?)
}
