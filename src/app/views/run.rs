//! A sandbox run as its page shows it: visible state across rounds, what happened in
//! each round, the next round's decisions, and the score at the end. The page never
//! computes an outcome; it draws what this says.

use super::CertificateView;
use crate::app::runs::Shown;
use crate::course::Curriculum;
use crate::sandbox::{Decisions, Message, MessageKind, OpenDecision, Playthrough, Scenario};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct RunView {
    pub id: String,
    pub scenario_id: String,
    pub version: u32,
    pub seed: u64,
    /// `open`, `finished` or `abandoned`.
    pub status: String,
    pub rounds: u32,
    pub rounds_played: u32,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    /// Visible state variables, each with its value after every round.
    pub state: Vec<VarView>,
    /// What happened in each round played.
    pub reports: Vec<RoundView>,
    /// The next round's situation and decisions, while open.
    pub next: Option<NextRound>,
    /// Score, objectives and advice, once finished.
    pub result: Option<ResultView>,
    /// Staff reading someone's run see whose it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificates_issued: Option<Vec<CertificateView>>,
}

/// A line to read, with a link to the lesson that explains it.
#[derive(Serialize, ToSchema)]
pub struct MessageView {
    #[schema(value_type = String)]
    pub kind: MessageKind,
    pub text: String,
    pub lesson_url: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct VarView {
    pub id: String,
    pub label: String,
    pub unit: String,
    pub decimals: u32,
    pub percent: bool,
    /// Drawn as a chart.
    pub chart: bool,
    /// Before round 1, then after each round played.
    pub values: Vec<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct RoundView {
    pub round: u32,
    pub title: String,
    pub opening: Vec<MessageView>,
    #[schema(value_type = Object)]
    pub decisions: Decisions,
    pub messages: Vec<MessageView>,
}

#[derive(Serialize, ToSchema)]
pub struct NextRound {
    pub round: u32,
    pub title: String,
    pub text: String,
    pub messages: Vec<MessageView>,
    #[schema(value_type = Vec<Object>)]
    pub decisions: Vec<OpenDecision>,
}

#[derive(Serialize, ToSchema)]
pub struct ResultView {
    /// 0–100.
    pub score: u32,
    pub objectives: Vec<ObjectiveView>,
    pub feedback: Vec<MessageView>,
}

#[derive(Serialize, ToSchema)]
pub struct ObjectiveView {
    pub label: String,
    /// 0–1.
    pub score: f64,
    pub met: bool,
    pub feedback: String,
    pub lesson_url: Option<String>,
}

fn messages(cur: &Curriculum, ms: &[Message]) -> Vec<MessageView> {
    ms.iter()
        .map(|m| MessageView {
            kind: m.kind,
            text: m.text.clone(),
            lesson_url: m.lesson.as_deref().and_then(|l| cur.page_url(l)),
        })
        .collect()
}

/// Visible state variables with their values across rounds.
pub fn vars(sc: &Scenario, p: &Playthrough) -> Vec<VarView> {
    sc.state
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.hidden)
        .map(|(i, s)| VarView {
            id: s.id.clone(),
            label: s.label.clone(),
            unit: s.unit.clone(),
            decimals: s.decimals,
            percent: s.percent,
            chart: s.chart,
            values: p.states.iter().map(|row| row[i]).collect(),
        })
        .collect()
}

/// What happened in each round played.
pub fn reports(cur: &Curriculum, p: &Playthrough) -> Vec<RoundView> {
    p.reports
        .iter()
        .map(|r| RoundView {
            round: r.round,
            title: r.opening.title.clone(),
            opening: messages(cur, &r.opening.messages),
            decisions: r.decisions.clone(),
            messages: messages(cur, &r.messages),
        })
        .collect()
}

pub fn next(cur: &Curriculum, p: &Playthrough) -> Option<NextRound> {
    p.next.as_ref().map(|o| NextRound {
        round: o.round,
        title: o.title.clone(),
        text: o.text.clone(),
        messages: messages(cur, &o.messages),
        decisions: o.decisions.clone(),
    })
}

pub fn result(cur: &Curriculum, p: &Playthrough) -> Option<ResultView> {
    p.result.as_ref().map(|s| ResultView {
        score: s.score,
        objectives: s
            .objectives
            .iter()
            .map(|o| ObjectiveView {
                label: o.label.clone(),
                score: o.score,
                met: o.met,
                feedback: o.feedback.clone(),
                lesson_url: o.lesson.as_deref().and_then(|l| cur.page_url(l)),
            })
            .collect(),
        feedback: messages(cur, &s.feedback),
    })
}

impl RunView {
    pub fn of(cur: &Curriculum, shown: &Shown) -> RunView {
        let Shown {
            scenario: sc,
            row,
            play: p,
        } = shown;
        RunView {
            id: row.id.clone(),
            scenario_id: row.scenario_id.clone(),
            version: row.version,
            seed: row.seed,
            status: row.status.to_string(),
            rounds: sc.rounds,
            rounds_played: row.rounds_played,
            started_at: row.started_at,
            finished_at: row.finished_at,
            state: vars(sc, p),
            reports: reports(cur, p),
            next: next(cur, p),
            result: result(cur, p),
            user_id: None,
            certificates_issued: None,
        }
    }
}
