//! Exam rules that do not touch the database: a learner's effective limits (the bank's
//! settings adjusted by an override), what a result may show in each review phase,
//! sequential mode (one question at a time, no going back) and one device per attempt.

use super::schema::{Mode, Quiz, Shown};
use serde_json::Value;
use std::collections::BTreeMap;

/// An accommodation for one learner or one cohort.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Adjustment {
    /// Seconds added to the time limit (a timed quiz only).
    pub extra_time: i64,
    /// Attempts added to a limited quiz.
    pub extra_attempts: u32,
    /// Replace the bank's window when set (unix ms).
    pub opens: Option<i64>,
    pub closes: Option<i64>,
}

/// What applies to one learner at one quiz.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    pub opens: Option<i64>,
    pub closes: Option<i64>,
    /// Milliseconds from start, when timed.
    pub time_limit_ms: Option<i64>,
    /// 0 means unlimited.
    pub attempts: u32,
}

/// The one place a learner's limits are decided: the learner's own override wins over
/// their cohort's, and either adjusts the bank's settings.
pub fn limits(quiz: &Quiz, own: Option<&Adjustment>, cohort: Option<&Adjustment>) -> Limits {
    let adj = own.or(cohort).cloned().unwrap_or_default();
    Limits {
        opens: adj.opens.or(quiz.exam.opens),
        closes: adj.closes.or(quiz.exam.closes),
        time_limit_ms: quiz.time_limit.map(|s| (s as i64 + adj.extra_time.max(0)) * 1000),
        attempts: if quiz.attempts == 0 {
            0
        } else {
            quiz.attempts + adj.extra_attempts
        },
    }
}

/// When a learner whose last attempt ended at `last_ended` may start another: `None` at
/// once, else the instant the exam's `retake_after` wait is over (if still ahead of `now`).
pub fn retake_opens(quiz: &Quiz, last_ended: Option<i64>, now: i64) -> Option<i64> {
    let opens = last_ended? + quiz.exam.retake_after?;
    (opens > now).then_some(opens)
}

/// The review phase a result is read in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// The submit response.
    Immediately,
    /// Reading the attempt later, while the quiz is open.
    Later,
    AfterClose,
}

pub fn shown(quiz: &Quiz, phase: Phase) -> Shown {
    match phase {
        Phase::Immediately => quiz.exam.review.immediately,
        Phase::Later => quiz.exam.review.later,
        Phase::AfterClose => quiz.exam.review.after_close,
    }
}

/// Why a learner's write to an attempt is refused (409): sequential mode and the device binding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// An answer to a question already answered in sequential mode.
    GoingBack(String),
    /// An answer to a question not reached yet in sequential mode.
    Skipping(String),
    /// Stepping through a quiz that shows all questions at once.
    NotSequential,
    /// The attempt is bound to another device.
    OtherDevice,
}

impl Refusal {
    /// What the learner reads (its id is the API's error code).
    pub fn msg(&self) -> crate::i18n::Msg {
        match self {
            Refusal::GoingBack(q) => crate::msg!("exam-attempt-going-back", question = q),
            Refusal::Skipping(q) => crate::msg!("exam-attempt-skipping", question = q),
            Refusal::NotSequential => crate::msg!("exam-attempt-not-sequential"),
            Refusal::OtherDevice => crate::msg!("exam-attempt-other-device"),
        }
    }
}

/// Answers as stored: a JSON null is no answer.
fn given(v: Option<&Value>) -> Option<&Value> {
    v.filter(|v| !v.is_null())
}

/// What a sequential attempt at `position` stores when the learner sends `sent` (autosave
/// or submit): answers to earlier questions must be missing or unchanged, later questions
/// must have none, and the current question's answer replaces its draft (a key sent as
/// null clears it; a key left out keeps it). Keys outside the attempt are dropped here
/// (grading refuses them before this runs).
pub fn sequential_answers(
    ids: &[String],
    position: usize,
    recorded: &BTreeMap<String, Value>,
    sent: &BTreeMap<String, Value>,
) -> Result<BTreeMap<String, Value>, Refusal> {
    let mut out: BTreeMap<String, Value> = ids
        .iter()
        .take(position.saturating_add(1))
        .filter_map(|id| given(recorded.get(id)).map(|v| (id.clone(), v.clone())))
        .collect();
    for (id, v) in sent {
        let Some(i) = ids.iter().position(|q| q == id) else { continue };
        if i < position {
            if given(Some(v)) != given(recorded.get(id)) {
                return Err(Refusal::GoingBack(id.clone()));
            }
        } else if i > position {
            if !v.is_null() {
                return Err(Refusal::Skipping(id.clone()));
            }
        } else if v.is_null() {
            out.remove(id);
        } else {
            out.insert(id.clone(), v.clone());
        }
    }
    Ok(out)
}

/// Sequential mode's step: records `answer` (none = left blank) to the current question
/// `question` and moves on. Resending the answer just recorded (a retried request whose
/// response was lost) changes nothing; any other answer to an earlier question is refused.
pub fn sequential_next(
    ids: &[String],
    position: usize,
    recorded: &BTreeMap<String, Value>,
    question: &str,
    answer: Option<&Value>,
) -> Result<(BTreeMap<String, Value>, usize), Refusal> {
    let answer = given(answer);
    match ids.iter().position(|q| q == question) {
        Some(i) if i == position => {
            let sent = BTreeMap::from([(question.to_string(), answer.cloned().unwrap_or(Value::Null))]);
            Ok((sequential_answers(ids, position, recorded, &sent)?, position + 1))
        }
        Some(i) if i + 1 == position && answer == given(recorded.get(question)) => Ok((recorded.clone(), position)),
        Some(i) if i < position => Err(Refusal::GoingBack(question.to_string())),
        _ => Err(Refusal::Skipping(question.to_string())),
    }
}

/// How a write from a device relates to the attempt's binding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceCheck {
    /// The device the attempt is bound to.
    Same,
    /// Unbound (new, or released by an instructor): this device takes it.
    Bind,
    /// Bound to another device: refused until released.
    Elsewhere,
}

/// One active device per attempt: `bound` and `presented` are SHA-256 hashes of device
/// tokens (plain comparison is fine: timing on a hash does not help forge its token).
pub fn device_check(bound: Option<&str>, presented: &str) -> DeviceCheck {
    match bound {
        None => DeviceCheck::Bind,
        Some(b) if b == presented => DeviceCheck::Same,
        Some(_) => DeviceCheck::Elsewhere,
    }
}

/// Where an attempt is in its life. It starts `Open`; a submit in time grades it, and
/// when its time runs out (time limit or the quiz's close) it is graded from its last
/// autosave, or ends ungraded: `Late` when answers came after the quiz closed, else
/// `Expired`. A practice attempt may also be `Abandoned` by its learner. The ended
/// states are final.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AttemptStatus {
    Open,
    Graded,
    /// Ended with nothing to grade.
    Expired,
    /// Answers came after the quiz closed: stored, not graded.
    Late,
    /// Given up by the learner (practice only): not graded, and a new attempt may start.
    Abandoned,
}

impl AttemptStatus {
    pub const ALL: [AttemptStatus; 5] = [
        AttemptStatus::Open,
        AttemptStatus::Graded,
        AttemptStatus::Expired,
        AttemptStatus::Late,
        AttemptStatus::Abandoned,
    ];

    /// The name the API shows and the database stores.
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptStatus::Open => "open",
            AttemptStatus::Graded => "graded",
            AttemptStatus::Expired => "expired",
            AttemptStatus::Late => "late",
            AttemptStatus::Abandoned => "abandoned",
        }
    }

    pub fn parse(s: &str) -> Option<AttemptStatus> {
        AttemptStatus::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// Open: the learner may still save, step and submit; the device binding applies.
    pub fn is_open(self) -> bool {
        self == AttemptStatus::Open
    }

    /// Whether an attempt may move from `self` to `next`: only an open attempt ends.
    pub fn can_become(self, next: AttemptStatus) -> bool {
        self == AttemptStatus::Open && next != AttemptStatus::Open
    }

    /// A submit in time: an open attempt is graded; an ended one stays as it is (`None`).
    pub fn on_submit(self) -> Option<AttemptStatus> {
        self.is_open().then_some(AttemptStatus::Graded)
    }

    /// The learner gives up an open attempt at a practice quiz; an exam's cannot be given up.
    pub fn on_abandon(self, mode: Mode) -> Option<AttemptStatus> {
        (self.is_open() && mode == Mode::Practice).then_some(AttemptStatus::Abandoned)
    }

    /// The time ran out on an open attempt (`None` for an ended one): graded when its
    /// autosave could be graded, else `Late` when answers came after the quiz closed,
    /// else `Expired`.
    pub fn on_time_up(self, graded_from_save: bool, closed: bool, late_answers: bool) -> Option<AttemptStatus> {
        self.is_open().then_some(if graded_from_save {
            AttemptStatus::Graded
        } else if closed && late_answers {
            AttemptStatus::Late
        } else {
            AttemptStatus::Expired
        })
    }
}

impl std::fmt::Display for AttemptStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ids() -> Vec<String> {
        ["q1", "q2", "q3"].iter().map(|s| s.to_string()).collect()
    }

    fn map(v: Value) -> BTreeMap<String, Value> {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn sequential_steps_forward_and_refuses_going_back_or_skipping() {
        let (rec, pos) = sequential_next(&ids(), 0, &BTreeMap::new(), "q1", Some(&json!("A"))).unwrap();
        assert_eq!((rec.clone(), pos), (map(json!({"q1": "A"})), 1));
        // A retry of the same step is harmless; a changed answer is going back.
        assert_eq!(sequential_next(&ids(), 1, &rec, "q1", Some(&json!("A"))).unwrap(), (rec.clone(), 1));
        assert_eq!(
            sequential_next(&ids(), 1, &rec, "q1", Some(&json!("B"))),
            Err(Refusal::GoingBack("q1".into()))
        );
        assert_eq!(
            sequential_next(&ids(), 1, &rec, "q3", Some(&json!("B"))),
            Err(Refusal::Skipping("q3".into()))
        );
        // Autosave and submit: earlier answers unchanged or left out, the current one free.
        let saved = sequential_answers(&ids(), 1, &rec, &map(json!({"q1": "A", "q2": "C"}))).unwrap();
        assert_eq!(saved, map(json!({"q1": "A", "q2": "C"})));
        assert_eq!(sequential_answers(&ids(), 1, &saved, &map(json!({}))).unwrap(), saved);
        assert_eq!(sequential_answers(&ids(), 1, &saved, &map(json!({"q2": null}))).unwrap(), rec);
        assert!(matches!(
            sequential_answers(&ids(), 1, &rec, &map(json!({"q1": "B"}))),
            Err(Refusal::GoingBack(_))
        ));
        assert!(matches!(
            sequential_answers(&ids(), 1, &rec, &map(json!({"q3": "B"}))),
            Err(Refusal::Skipping(_))
        ));
        // Moving on drops nothing recorded and leaves a skipped question blank.
        let (rec, pos) = sequential_next(&ids(), 1, &saved, "q2", None).unwrap();
        assert_eq!((rec, pos), (map(json!({"q1": "A"})), 2));
    }

    #[test]
    fn a_device_binds_once_until_released() {
        assert_eq!(device_check(None, "x"), DeviceCheck::Bind);
        assert_eq!(device_check(Some("x"), "x"), DeviceCheck::Same);
        assert_eq!(device_check(Some("x"), "y"), DeviceCheck::Elsewhere);
    }
    #[test]
    fn attempt_status_names_round_trip() {
        for s in AttemptStatus::ALL {
            assert_eq!(AttemptStatus::parse(s.as_str()), Some(s));
            assert_eq!(s.to_string(), s.as_str());
        }
        assert_eq!(AttemptStatus::parse("finished"), None);
        assert_eq!(AttemptStatus::parse("Open"), None);
    }

    #[test]
    fn only_an_open_attempt_ends_and_ended_states_are_final() {
        use AttemptStatus::*;
        for from in AttemptStatus::ALL {
            for to in AttemptStatus::ALL {
                let allowed = matches!((from, to), (Open, Graded) | (Open, Expired) | (Open, Late) | (Open, Abandoned));
                assert_eq!(from.can_become(to), allowed, "{from} -> {to}");
            }
        }
        assert!(Open.is_open());
        assert!(!Graded.is_open() && !Expired.is_open() && !Late.is_open() && !Abandoned.is_open());
    }

    #[test]
    fn a_submit_grades_an_open_attempt_only() {
        use AttemptStatus::*;
        assert_eq!(Open.on_submit(), Some(Graded));
        for ended in [Graded, Expired, Late, Abandoned] {
            assert_eq!(ended.on_submit(), None);
        }
    }

    #[test]
    fn only_an_open_practice_attempt_can_be_abandoned() {
        use AttemptStatus::*;
        assert_eq!(Open.on_abandon(Mode::Practice), Some(Abandoned));
        assert_eq!(Open.on_abandon(Mode::Exam), None);
        for ended in [Graded, Expired, Late, Abandoned] {
            assert_eq!(ended.on_abandon(Mode::Practice), None);
        }
    }

    #[test]
    fn a_retake_waits_from_the_end_of_the_last_attempt() {
        let bank = "id = \"x\"\ntitle = \"X\"\nmode = \"exam\"\nretake_after = \"7d\"\n[[questions]]\nid = \"q1\"\ntype = \"truefalse\"\nprompt = \"p\"\nanswer = true\nexplanation = \"e\"\n";
        let (quiz, diags) = crate::quiz::parse_bank(std::path::Path::new("x.toml"), bank);
        let quiz = quiz.unwrap_or_else(|| panic!("{diags:?}"));
        let week = 7 * 86_400_000;
        assert_eq!(retake_opens(&quiz, None, 0), None, "a first sitting starts at once");
        assert_eq!(retake_opens(&quiz, Some(1_000), 1_000 + week - 1), Some(1_000 + week));
        assert_eq!(
            retake_opens(&quiz, Some(1_000), 1_000 + week),
            None,
            "the wait is over at the instant it ends"
        );
        // An exam's defaults: one device, keys withheld until it closes.
        assert!(quiz.exam.one_device);
        assert_eq!(quiz.exam.review, crate::quiz::Review::EXAM);
        let practice = bank.replace("mode = \"exam\"\nretake_after = \"7d\"\n", "");
        let (quiz, _) = crate::quiz::parse_bank(std::path::Path::new("x.toml"), &practice);
        let quiz = quiz.unwrap();
        assert_eq!(retake_opens(&quiz, Some(1_000), 1_001), None, "practice never waits");
        assert!(!quiz.exam.one_device);
    }

    #[test]
    fn time_up_grades_the_autosave_or_ends_late_or_expired() {
        use AttemptStatus::*;
        // Graded from the autosave, whether or not the quiz closed or answers came late.
        for closed in [false, true] {
            for late in [false, true] {
                assert_eq!(Open.on_time_up(true, closed, late), Some(Graded));
            }
        }
        assert_eq!(Open.on_time_up(false, true, true), Some(Late));
        assert_eq!(Open.on_time_up(false, true, false), Some(Expired));
        assert_eq!(Open.on_time_up(false, false, true), Some(Expired));
        assert_eq!(Open.on_time_up(false, false, false), Some(Expired));
        for ended in [Graded, Expired, Late] {
            assert_eq!(ended.on_time_up(true, true, true), None);
            assert_eq!(ended.on_time_up(false, false, false), None);
        }
        for from in AttemptStatus::ALL {
            for args in [(true, false, false), (false, true, true), (false, false, false)] {
                if let Some(to) = from.on_time_up(args.0, args.1, args.2) {
                    assert!(from.can_become(to));
                }
            }
            if let Some(to) = from.on_submit() {
                assert!(from.can_become(to));
            }
        }
    }
}
