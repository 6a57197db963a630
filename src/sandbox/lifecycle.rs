//! The life cycle of a run: a run starts `open`, each round played keeps it open
//! until the last one finishes it, and an open run whose scenario changed version is
//! `abandoned` when the learner starts again. Pure decisions; the store applies them.

use serde::Serialize;

/// Where a run stands. Stored as TEXT: `open`, `finished` or `abandoned`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    Open,
    Finished,
    /// Its scenario changed version while it was open.
    Abandoned,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Open => "open",
            RunStatus::Finished => "finished",
            RunStatus::Abandoned => "abandoned",
        }
    }

    pub fn parse(s: &str) -> Option<RunStatus> {
        match s {
            "open" => Some(RunStatus::Open),
            "finished" => Some(RunStatus::Finished),
            "abandoned" => Some(RunStatus::Abandoned),
            _ => None,
        }
    }

    /// Open and finished runs count against a scenario's run limit; abandoned ones do not.
    pub fn counts_against_limit(self) -> bool {
        self != RunStatus::Abandoned
    }
}

impl std::fmt::Display for RunStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What starting a scenario does, given the learner's open run of it (if any).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Start {
    /// The open run is of the current version: carry on with it.
    Resume,
    /// Begin a new run; `abandon`: the open run of an older version is abandoned first.
    Begin { abandon: bool },
}

/// Resume an open run of the current version; otherwise abandon it and begin anew.
pub fn on_start(open_version: Option<u32>, current_version: u32) -> Start {
    match open_version {
        Some(v) if v == current_version => Start::Resume,
        Some(_) => Start::Begin { abandon: true },
        None => Start::Begin { abandon: false },
    }
}

/// Whether a new run fits the limit (`None` or `Some(0)`: no limit), given the runs
/// that count against it.
pub fn may_begin(limit: Option<u32>, used: u32) -> bool {
    match limit {
        Some(l) if l > 0 => used < l,
        _ => true,
    }
}

/// What a request to play round `round` (1-based) meets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoundStep {
    /// The round was played already: a retry (same decisions) or a conflict.
    AlreadyPlayed,
    /// The run is no longer open.
    Over,
    /// Not the next round; the next one is `expected`.
    OutOfOrder { expected: u32 },
    /// The next round: play it.
    Play,
}

pub fn round_step(status: RunStatus, rounds_played: u32, round: u32) -> RoundStep {
    if round <= rounds_played {
        RoundStep::AlreadyPlayed
    } else if status != RunStatus::Open {
        RoundStep::Over
    } else if round != rounds_played + 1 {
        RoundStep::OutOfOrder {
            expected: rounds_played + 1,
        }
    } else {
        RoundStep::Play
    }
}

/// The status after a round is recorded: finished once the scenario produced a score.
pub fn after_round(scored: bool) -> RunStatus {
    if scored { RunStatus::Finished } else { RunStatus::Open }
}

/// Whether a round may be recorded on a run the caller read with `played_before`
/// rounds: only on an open run nobody moved on since (compare-and-set).
pub fn may_record(status: RunStatus, rounds_played: u32, played_before: u32) -> bool {
    status == RunStatus::Open && rounds_played == played_before
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_text_round_trips() {
        for s in [RunStatus::Open, RunStatus::Finished, RunStatus::Abandoned] {
            assert_eq!(RunStatus::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), serde_json::json!(s.as_str()));
        }
        assert_eq!(RunStatus::parse("closed"), None);
        assert_eq!(RunStatus::parse("Open"), None);
    }

    #[test]
    fn only_abandoned_runs_do_not_count() {
        assert!(RunStatus::Open.counts_against_limit());
        assert!(RunStatus::Finished.counts_against_limit());
        assert!(!RunStatus::Abandoned.counts_against_limit());
    }

    #[test]
    fn start_resumes_the_current_version_and_abandons_an_old_one() {
        assert_eq!(on_start(None, 3), Start::Begin { abandon: false });
        assert_eq!(on_start(Some(3), 3), Start::Resume);
        assert_eq!(on_start(Some(2), 3), Start::Begin { abandon: true });
        assert_eq!(on_start(Some(4), 3), Start::Begin { abandon: true });
    }

    #[test]
    fn the_limit_caps_new_runs() {
        assert!(may_begin(None, 100));
        assert!(may_begin(Some(0), 100));
        assert!(may_begin(Some(2), 1));
        assert!(!may_begin(Some(2), 2));
        assert!(!may_begin(Some(2), 3));
    }

    #[test]
    fn round_steps() {
        use RunStatus::*;
        assert_eq!(round_step(Open, 0, 1), RoundStep::Play);
        assert_eq!(round_step(Open, 2, 3), RoundStep::Play);
        assert_eq!(round_step(Open, 2, 2), RoundStep::AlreadyPlayed);
        assert_eq!(round_step(Open, 2, 1), RoundStep::AlreadyPlayed);
        assert_eq!(round_step(Open, 0, 0), RoundStep::AlreadyPlayed);
        assert_eq!(round_step(Open, 2, 5), RoundStep::OutOfOrder { expected: 3 });
        // A replayed round is recognised even after the run ended.
        assert_eq!(round_step(Finished, 4, 4), RoundStep::AlreadyPlayed);
        assert_eq!(round_step(Finished, 4, 5), RoundStep::Over);
        assert_eq!(round_step(Abandoned, 1, 2), RoundStep::Over);
        assert_eq!(round_step(Abandoned, 1, 7), RoundStep::Over);
    }

    #[test]
    fn a_scored_round_finishes_the_run() {
        assert_eq!(after_round(false), RunStatus::Open);
        assert_eq!(after_round(true), RunStatus::Finished);
    }

    #[test]
    fn a_round_is_recorded_only_where_the_caller_read_the_run() {
        assert!(may_record(RunStatus::Open, 2, 2));
        assert!(!may_record(RunStatus::Open, 3, 2));
        assert!(!may_record(RunStatus::Finished, 2, 2));
        assert!(!may_record(RunStatus::Abandoned, 2, 2));
    }
}
