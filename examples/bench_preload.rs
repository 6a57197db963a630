//! History for `scripts/bench-serve` (PRELOAD=N): puts N graded quiz attempts into the
//! database before the server starts, over ceil(N/50) learners `histI` with the given
//! password, in the course's quizzes (at most 5 attempts per learner per quiz, fewer
//! when the quiz allows fewer), so a benchmark can show whether throughput stays flat
//! as history grows. Everything goes through certbook's store API, as the server's own
//! writes do: `Store::import_learners`, then per attempt `Store::start_attempt` and
//! `Store::submit_attempt`, graded by `certbook::quiz::grade` with the course's quizzes
//! (so results, best scores and HR histograms look like the server's own), many
//! learners at once so the writer's group commit batches them.
//!
//! Shape: learners spread over 20 cohorts and 5 departments; each learner's history
//! starts up to a year ago, attempts hours to days apart, each answer right three
//! times in four (else blank), so scores and pass/fail vary.
//!
//! usage: bench_preload COURSE_DIR DB N PASSWORD

use certbook::quiz::{self, QuestionKind, Quiz};
use certbook::store::{
    Admission, Admit, Caller, GradeFailure, Graded, Grader, Marking, NewLearner, Prepare, Role, StartOutcome, StartPlan, StartTerms, Store,
    SubmitOutcome,
};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

const PER_LEARNER: usize = 50;
const PER_QUIZ: u32 = 5;
/// Learners written at once: enough to keep the writer's batches full.
const CONCURRENT_LEARNERS: usize = 256;

const DAY_MS: i64 = 86_400_000;
const MIN_MS: i64 = 60_000;

/// The quiz's key as a learner would send it.
fn right_answer(kind: &QuestionKind) -> Value {
    let l = |i: &usize| quiz::letter(*i);
    match kind {
        QuestionKind::Single { answer, .. } => json!(l(answer)),
        QuestionKind::Multiple { answer, .. } | QuestionKind::Ordering { answer, .. } | QuestionKind::Matching { answer, .. } => {
            json!(answer.iter().map(l).collect::<Vec<_>>())
        }
        QuestionKind::TrueFalse { answer } => json!(answer),
        QuestionKind::Fill { answer } => json!(answer.first()),
        QuestionKind::Numeric { answer, .. } => json!(answer),
    }
}

fn grader(quiz: Arc<Quiz>) -> Grader {
    Box::new(move |row, answers| {
        let g = quiz::grade(&quiz, &row.question_ids, row.seed, answers)?;
        Ok(Graded {
            score: g.score,
            max_score: g.max_score,
            percent: g.percent,
            passed: g.passed,
            result: serde_json::to_string(&g).map_err(|e| certbook::i18n::Msg::plain(e.to_string()))?,
        })
    })
}

/// One learner's history: `n` attempts, oldest first, as (quiz, started, submitted).
fn plan(rng: &mut impl Rng, quizzes: &[Arc<Quiz>], n: usize, now: i64) -> Vec<(Arc<Quiz>, i64, i64)> {
    let mut slots: Vec<Arc<Quiz>> = Vec::new();
    for q in quizzes {
        let cap = if q.attempts > 0 { q.attempts.min(PER_QUIZ) } else { PER_QUIZ };
        slots.extend(std::iter::repeat_n(q.clone(), cap as usize));
    }
    slots.shuffle(rng);
    slots.truncate(n);
    let mut t = now - rng.random_range(30 * DAY_MS..365 * DAY_MS);
    let mut out = Vec::with_capacity(slots.len());
    for q in slots {
        let limit = q.time_limit.map(|s| s as i64 * 1000 - 1000).unwrap_or(20 * MIN_MS);
        let took = rng.random_range(limit.min(MIN_MS) / 2..=limit);
        out.push((q, t, t + took));
        t = (t + took + rng.random_range(10 * MIN_MS..3 * DAY_MS)).min(now - 10 * MIN_MS);
    }
    out
}

async fn learner(store: Store, user_id: i64, history: Vec<(Arc<Quiz>, i64, i64)>, seed: u64) -> Result<usize, String> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let device = certbook::http::auth::random_token();
    let mut seen: HashMap<String, HashMap<String, u32>> = HashMap::new();
    let mut done = 0;
    for (quiz, started, submitted) in history {
        let seed = rng.random::<u64>() >> 1;
        let seen = seen.entry(quiz.id.clone()).or_default();
        let question_ids = quiz::draw_questions(&quiz, seed, seen);
        for q in &question_ids {
            *seen.entry(q.clone()).or_default() += 1;
        }
        let (attempts, deadline_at) = (quiz.attempts, quiz.time_limit.map(|s| started + s as i64 * 1000));
        let drawn = question_ids.clone();
        let quiz_one_device = quiz.exam.one_device;
        let plan = StartPlan {
            user_id,
            quiz_id: quiz.id.clone(),
            now: started,
            judged_now: started,
            id: certbook::http::auth::random_token(),
            seed,
            device_hash: device.clone(),
            cycle_levels: Vec::new(),
            seen: certbook::store::SeenScope::Quiz,
            terms: Box::new(move |_, _| {
                Ok(StartTerms {
                    closes: None,
                    attempts,
                    deadline_at,
                    one_device: quiz_one_device,
                    retake_after: None,
                })
            }),
            draw: Box::new(move |_| drawn),
            marking: Marking {
                grade: grader(quiz.clone()),
                certify: None,
            },
        };
        let row = match store.start_attempt(plan).await.map_err(|e| e.to_string())? {
            StartOutcome::Started(row) => row,
            StartOutcome::Resumed(_) => return Err(format!("user {user_id}: an open attempt at {} already", quiz.id)),
            StartOutcome::NoAttemptsLeft { used } => return Err(format!("user {user_id}: no attempts left at {} ({used})", quiz.id)),
            StartOutcome::Elsewhere => return Err(format!("user {user_id}: attempt at {} on another device", quiz.id)),
            StartOutcome::NotNow(why) => return Err(format!("user {user_id}: {} not open: {}", quiz.id, why.id)),
            StartOutcome::RetakeNotYet { .. } => return Err(format!("user {user_id}: {} waits for a retake", quiz.id)),
        };
        let answers: BTreeMap<String, Value> = question_ids
            .iter()
            .filter(|_| rng.random_bool(0.75))
            .filter_map(|id| quiz.question(id).map(|q| (id.clone(), right_answer(&q.kind))))
            .collect();
        let as_sent: Prepare = Box::new(|_, sent| Ok((sent, None)));
        let admit: Admit<Refused> = Box::new(move |_, _, _| {
            Ok(Admission {
                closes: None,
                answers,
                prepare: as_sent,
                one_device: quiz_one_device,
            })
        });
        let caller = Caller {
            user_id,
            device_hash: device.clone(),
        };
        match store
            .submit_attempt(
                row.id,
                caller,
                admit,
                submitted,
                Marking {
                    grade: grader(quiz.clone()),
                    certify: None,
                },
            )
            .await
            .map_err(|e| e.to_string())?
        {
            Ok(SubmitOutcome::Graded(..)) => done += 1,
            Ok(_) => return Err(format!("user {user_id}: the submit at {} was not graded", quiz.id)),
            Err(Refused(msg)) => return Err(format!("user {user_id}: grading {}: {msg}", quiz.id)),
        }
    }
    Ok(done)
}

/// Grading refused a submit.
struct Refused(String);

impl From<GradeFailure> for Refused {
    fn from(e: GradeFailure) -> Self {
        Refused(e.0.id.to_string())
    }
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, course, db, n, password] = &args[..] else {
        eprintln!("usage: bench_preload COURSE_DIR DB N PASSWORD");
        std::process::exit(2);
    };
    let n: usize = n.parse()?;
    let (curriculum, _) = certbook::course::load(Path::new(course)).map_err(|d| anyhow::anyhow!("loading {course}: {d}"))?;
    let quizzes: Vec<Arc<Quiz>> = curriculum.quizzes.values().cloned().map(Arc::new).collect();
    let capacity: u32 = quizzes
        .iter()
        .map(|q| if q.attempts > 0 { q.attempts.min(PER_QUIZ) } else { PER_QUIZ })
        .sum();
    if (capacity as usize) < PER_LEARNER {
        anyhow::bail!(
            "{course} has {} quizzes: room for {capacity} attempts per learner at ≤ {PER_QUIZ} per quiz, {PER_LEARNER} needed",
            quizzes.len()
        );
    }
    let t0 = Instant::now();
    let store = Store::open(Path::new(db))?;
    let now = certbook::clock::Clock::system().now_ms();
    let learners = n.div_ceil(PER_LEARNER);
    let hash = certbook::app::accounts::hash_password(password)?;
    let departments = ["sales", "support", "engineering", "finance", "operations"];
    let rows: Vec<NewLearner> = (0..learners)
        .map(|i| NewLearner {
            username: format!("hist{i}"),
            display_name: format!("History Learner {i}"),
            role: Role::Learner,
            cohort: format!("2025-{:02}", i % 20 + 1),
            department: departments[i % departments.len()].to_string(),
            password_hash: hash.clone(),
            email: format!("hist{i}@example.com"),
        })
        .collect();
    store.import_learners(rows, now - 400 * DAY_MS)?;
    let ids = store.user_ids_with_prefix_blocking("hist")?;
    anyhow::ensure!(ids.len() == learners, "expected {learners} learners, found {}", ids.len());
    println!(
        "preload: {learners} learners in {:.1} s; {n} attempts over {} quizzes ...",
        t0.elapsed().as_secs_f64(),
        quizzes.len()
    );

    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let written = Arc::new(AtomicUsize::new(0));
    let result: anyhow::Result<()> = rt.block_on(async {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
        let mut tasks = tokio::task::JoinSet::new();
        let mut left = n;
        let progress = written.clone();
        let ticker = tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(5)).await;
                println!(
                    "preload: {} attempts, {:.0} s",
                    progress.load(Ordering::Relaxed),
                    t0.elapsed().as_secs_f64()
                );
            }
        });
        for user_id in ids {
            let k = left.min(PER_LEARNER);
            left -= k;
            let history = plan(&mut rng, &quizzes, k, now);
            let (store, count, seed) = (store.clone(), written.clone(), rng.random());
            tasks.spawn(async move {
                let r = learner(store, user_id, history, seed).await;
                if let Ok(k) = &r {
                    count.fetch_add(*k, Ordering::Relaxed);
                }
                r
            });
            while tasks.len() >= CONCURRENT_LEARNERS {
                tasks.join_next().await.unwrap()?.map_err(anyhow::Error::msg)?;
            }
        }
        while let Some(r) = tasks.join_next().await {
            r?.map_err(anyhow::Error::msg)?;
        }
        ticker.abort();
        Ok(())
    });
    result?;
    let w = written.load(Ordering::Relaxed);
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "preload: {w} graded attempts for {learners} learners in {secs:.1} s ({:.0} attempts/s, store API)",
        w as f64 / secs
    );
    Ok(())
}
