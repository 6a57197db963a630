//! A team session as its pages show it. A member sees their own team's state,
//! drafts and reports, and of the other teams only names, who has submitted and
//! the leaderboard; staff see every team.

use super::run::{NextRound, ResultView, RoundView, VarView, next, reports, result, vars};
use crate::app::teams::{Loaded, RUBRIC};
use crate::course::Curriculum;
use crate::sandbox::{DecisionValue, Decisions, Playthrough};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct TeamSessionView {
    pub id: String,
    pub scenario_id: String,
    pub scenario_title: String,
    pub title: String,
    /// `ready` (between rounds), `open`, `paused` or `finished`.
    pub status: String,
    pub rounds: u32,
    /// Rounds resolved.
    pub round: u32,
    /// The round taking submissions (or paused), if any.
    pub open_round: Option<u32>,
    /// Unix ms.
    pub deadline: Option<i64>,
    /// Milliseconds left: to the deadline, or frozen while paused.
    pub time_left_ms: Option<i64>,
    pub revision: i64,
    pub market: bool,
    pub pick_roles: bool,
    pub roles: Vec<RoleView>,
    pub teams: Vec<TeamSummary>,
    /// `leaderboard[r][t]`: team t's score after round r + 1.
    pub leaderboard: Vec<Vec<u32>>,
    /// The caller's place, when a member.
    pub me: Option<MeView>,
    /// The caller's team's play, when a member.
    pub my_team: Option<TeamPlay>,
    /// Every team's play, for staff.
    pub all_teams: Option<Vec<TeamPlay>>,
    pub rubric: Vec<String>,
    /// Judges' scores, for staff and, once finished, for members.
    pub judging: Vec<JudgingView>,
}

#[derive(Serialize, ToSchema)]
pub struct RoleView {
    pub id: String,
    pub label: String,
    pub decisions: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TeamSummary {
    pub team: u32,
    pub name: String,
    pub members: Vec<MemberView>,
    /// Has submitted the open round.
    pub submitted: bool,
    /// Rounds it missed (the defaults were played).
    pub defaulted: Vec<u32>,
    /// After the last round.
    pub final_score: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct MemberView {
    pub user_id: i64,
    pub name: String,
    pub roles: Vec<String>,
    pub captain: bool,
}

#[derive(Serialize, ToSchema)]
pub struct MeView {
    pub team: u32,
    pub roles: Vec<String>,
    pub captain: bool,
    /// Decisions of the open round the caller may make.
    pub owns: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TeamPlay {
    pub team: u32,
    pub name: String,
    pub state: Vec<VarView>,
    pub reports: Vec<RoundView>,
    pub next: Option<NextRound>,
    pub result: Option<ResultView>,
    /// The open round's drafts, as typed by the team's members.
    pub drafts: Vec<DraftView>,
    /// What the open round plays for a decision nobody drafts (the form starts there).
    #[schema(value_type = Object)]
    pub defaults: Decisions,
}

#[derive(Serialize, ToSchema)]
pub struct DraftView {
    pub decision: String,
    #[schema(value_type = Object)]
    pub value: Option<DecisionValue>,
    pub user_id: i64,
    pub user_name: String,
    pub submitted: bool,
}

#[derive(Serialize, ToSchema)]
pub struct JudgingView {
    pub team: u32,
    pub judge: String,
    pub scores: Vec<u32>,
    pub total: u32,
    pub comment: String,
    pub best: bool,
}

fn play(cur: &Curriculum, l: &Loaded, team: u32, p: &Playthrough) -> TeamPlay {
    let name = |u: i64| {
        l.snap
            .members
            .iter()
            .find(|m| m.user_id == u)
            .map_or_else(String::new, |m| m.display_name.clone())
    };
    TeamPlay {
        team,
        name: l.snap.teams.iter().find(|t| t.0 == team).map_or_else(String::new, |t| t.1.clone()),
        state: vars(&l.scenario, p),
        reports: reports(cur, p),
        next: if l.open_round().is_some() { next(cur, p) } else { None },
        result: result(cur, p),
        drafts: l
            .snap
            .drafts
            .iter()
            .filter(|d| d.team == team)
            .map(|d| DraftView {
                decision: d.decision.clone(),
                value: serde_json::from_str(&d.value).ok(),
                user_id: d.user_id,
                user_name: name(d.user_id),
                submitted: d.submitted,
            })
            .collect(),
        defaults: l.opening(team).map(|o| o.defaults(&l.scenario)).unwrap_or_default(),
    }
}

impl TeamSessionView {
    pub fn of(cur: &Curriculum, l: &Loaded, viewer: i64, staff: bool, now: i64) -> TeamSessionView {
        let s = &l.snap.session;
        let me = l.member(viewer);
        let plays = |t: u32| l.plays.get(t as usize - 1);
        TeamSessionView {
            id: s.id.clone(),
            scenario_id: s.scenario_id.clone(),
            scenario_title: l.scenario.title.clone(),
            title: s.title.clone(),
            status: s.status.clone(),
            rounds: l.scenario.rounds,
            round: s.round,
            open_round: l.open_round(),
            deadline: s.deadline,
            time_left_ms: match s.status.as_str() {
                "open" => s.deadline.map(|d| (d - now).max(0)),
                "paused" => s.paused_left,
                _ => None,
            },
            revision: s.revision,
            market: l.scenario.market.is_some(),
            pick_roles: s.pick_roles,
            roles: l
                .scenario
                .roles
                .iter()
                .map(|r| RoleView {
                    id: r.id.clone(),
                    label: r.label.clone(),
                    decisions: r.decisions.clone(),
                })
                .collect(),
            teams: l
                .snap
                .teams
                .iter()
                .map(|(n, name)| TeamSummary {
                    team: *n,
                    name: name.clone(),
                    members: l
                        .snap
                        .members
                        .iter()
                        .filter(|m| m.team == *n)
                        .map(|m| MemberView {
                            user_id: m.user_id,
                            name: m.display_name.clone(),
                            roles: m.roles.clone(),
                            captain: m.captain,
                        })
                        .collect(),
                    submitted: l.submitted(*n),
                    defaulted: l.record.teams.get(*n as usize - 1).map_or_else(Vec::new, |t| t.defaulted.clone()),
                    final_score: plays(*n).and_then(|p| p.result.as_ref()).map(|r| r.score),
                })
                .collect(),
            leaderboard: l.standings.to_vec(),
            me: me.map(|m| MeView {
                team: m.team,
                roles: m.roles.clone(),
                captain: m.captain,
                owns: l
                    .opening(m.team)
                    .map(|o| o.decisions.iter().filter(|d| l.owns(m, &d.id)).map(|d| d.id.clone()).collect())
                    .unwrap_or_default(),
            }),
            my_team: me.and_then(|m| plays(m.team).map(|p| play(cur, l, m.team, p))),
            all_teams: staff.then(|| {
                l.snap
                    .teams
                    .iter()
                    .filter_map(|(n, _)| plays(*n).map(|p| play(cur, l, *n, p)))
                    .collect()
            }),
            rubric: RUBRIC.iter().map(|id| cur.messages.get(id)).collect(),
            judging: if staff || s.status == "finished" {
                l.snap
                    .judging
                    .iter()
                    .map(|j| {
                        let scores: Vec<u32> = serde_json::from_str(&j.scores).unwrap_or_default();
                        JudgingView {
                            team: j.team,
                            judge: j.judge_name.clone(),
                            total: scores.iter().sum(),
                            scores,
                            comment: j.comment.clone(),
                            best: j.best,
                        }
                    })
                    .collect()
            } else {
                Vec::new()
            },
        }
    }
}

/// A what-if beside the real session: every team's final (or current) score and
/// the visible state after the changed round on, both ways.
#[derive(Serialize, ToSchema)]
pub struct WhatIfView {
    pub team: u32,
    pub round: u32,
    #[schema(value_type = Object)]
    pub change: Decisions,
    pub real: Vec<TeamOutcome>,
    pub what_if: Vec<TeamOutcome>,
}

#[derive(Serialize, ToSchema)]
pub struct TeamOutcome {
    pub team: u32,
    pub name: String,
    /// Score after each round.
    pub scores: Vec<u32>,
    pub state: Vec<VarView>,
}

impl WhatIfView {
    pub fn of(l: &Loaded, team: u32, round: u32, change: Decisions, plays: &[Playthrough], standings: &[Vec<u32>]) -> WhatIfView {
        let outcome = |plays: &[Playthrough], standings: &[Vec<u32>]| {
            l.snap
                .teams
                .iter()
                .zip(plays)
                .enumerate()
                .map(|(i, ((n, name), p))| TeamOutcome {
                    team: *n,
                    name: name.clone(),
                    scores: standings.iter().map(|r| r[i]).collect(),
                    state: vars(&l.scenario, p),
                })
                .collect()
        };
        WhatIfView {
            team,
            round,
            change,
            real: outcome(&l.plays, &l.standings),
            what_if: outcome(plays, standings),
        }
    }
}
