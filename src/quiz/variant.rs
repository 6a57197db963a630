//! Seeded question variants (Moodle's calculated questions, PrairieLearn's generated
//! variants): a numeric or single-choice question declares variables drawn per attempt
//! from lists or ranges, and its prompt, options and explanation carry `{formula}`
//! placeholders; a numeric key is a formula too. Formulas are the sandbox's
//! ([`crate::sandbox::Formula`]), so they compute the same bits everywhere.
//!
//! A variant depends only on the attempt's seed and the question's id, so review,
//! transcripts, item analysis and re-grading all see the numbers the learner saw.

use crate::sandbox::{Env, Formula};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Where a drawn variable's value comes from.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(untagged)]
pub enum Source {
    /// One of these, each as likely.
    List(Vec<f64>),
    /// `min`, `min + step`, … up to `max`, each as likely.
    Range { min: f64, max: f64, step: f64 },
}

impl Source {
    /// How many values it can take.
    pub fn count(&self) -> u64 {
        match self {
            Source::List(v) => v.len() as u64,
            Source::Range { min, max, step } => ((max - min) / step + 1e-9).floor() as u64 + 1,
        }
    }

    fn draw(&self, rng: &mut ChaCha8Rng) -> f64 {
        match self {
            Source::List(v) => v[rng.random_range(0..v.len())],
            // Rounded to 9 decimals so 0.1 steps give 0.3, not 0.30000000000000004.
            Source::Range { min, step, .. } => round_to(min + step * rng.random_range(0..self.count()) as f64, 9),
        }
    }
}

/// Whether `name` can name a variable: lowercase ASCII, digits and `_`, starting with a
/// letter, and neither `answer` nor a function's name.
pub fn valid_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && name != "answer"
        && !crate::sandbox::FUNCTIONS.iter().any(|(f, _)| *f == name)
}

/// Text with `{formula}` and `{formula:N}` (N decimals) placeholders; `{{` and `}}` are
/// literal braces.
#[derive(Clone, Debug)]
pub struct Text(Vec<Piece>);

#[derive(Clone, Debug)]
enum Piece {
    Literal(String),
    Value { formula: Formula, decimals: Option<usize> },
}

impl Text {
    /// Parses the placeholders of `src`; the error is a sentence for the author.
    pub fn compile(src: &str) -> Result<Text, String> {
        let mut pieces = Vec::new();
        let mut literal = String::new();
        let mut chars = src.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    literal.push('}');
                }
                '}' => return Err("a `}` without its `{` (write `}}` for a literal brace)".into()),
                '{' => {
                    let mut inner = String::new();
                    loop {
                        match chars.next() {
                            Some('}') => break,
                            Some('{') | None => {
                                return Err(format!("the placeholder `{{{inner}` is not closed with `}}`"));
                            }
                            Some(c) => inner.push(c),
                        }
                    }
                    let (expr, decimals) = match inner.rsplit_once(':') {
                        Some((e, d)) if !d.trim().is_empty() && d.trim().chars().all(|c| c.is_ascii_digit()) => {
                            let n: usize = d.trim().parse().map_err(|_| format!("`{d}` is not a number of decimals"))?;
                            if n > 6 {
                                return Err(format!("`{{{inner}}}` asks for {n} decimals; at most 6"));
                            }
                            (e, Some(n))
                        }
                        _ => (inner.as_str(), None),
                    };
                    let formula = Formula::compile(expr).map_err(|e| format!("in `{{{inner}}}`: {e}"))?;
                    if !literal.is_empty() {
                        pieces.push(Piece::Literal(std::mem::take(&mut literal)));
                    }
                    pieces.push(Piece::Value { formula, decimals });
                }
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            pieces.push(Piece::Literal(literal));
        }
        Ok(Text(pieces))
    }

    /// Names the placeholders read.
    pub fn reads(&self) -> impl Iterator<Item = &str> {
        self.0
            .iter()
            .flat_map(|p| match p {
                Piece::Value { formula, .. } => formula.reads.as_slice(),
                Piece::Literal(_) => &[],
            })
            .map(String::as_str)
    }

    /// The text with every placeholder replaced by its value.
    pub fn render(&self, env: &Env) -> Result<String, String> {
        let mut out = String::new();
        for p in &self.0 {
            match p {
                Piece::Literal(s) => out.push_str(s),
                Piece::Value { formula, decimals } => {
                    let x = formula.number(env)?;
                    if !x.is_finite() {
                        return Err(format!("a placeholder gives {x}, not a finite number"));
                    }
                    out.push_str(&show(x, *decimals));
                }
            }
        }
        Ok(out)
    }
}

/// A number as a prompt shows it: `decimals` places when given, else at most two with
/// trailing zeros dropped (`12000`, `0.35`, `33.33`). Halves round away from zero, as
/// learners round (131.25 → 131.3; Rust's own formatting would give 131.2).
pub fn show(x: f64, decimals: Option<usize>) -> String {
    match decimals {
        Some(d) => without_negative_zero(format!("{:.*}", d, round_to(x, d as i32))),
        None => show_up_to(x, 2),
    }
}

/// `x` with at most `decimals` places, trailing zeros dropped (a reviewed key: 83.3333, 120).
pub fn show_up_to(x: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, round_to(x, decimals as i32));
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    without_negative_zero(s)
}

fn without_negative_zero(s: String) -> String {
    // No "-0" for a value that rounds to zero.
    if s.trim_start_matches('-').chars().all(|c| c == '0' || c == '.') {
        s.trim_start_matches('-').to_string()
    } else {
        s
    }
}

fn round_to(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}

/// A question's variables and templates, compiled when the bank loads.
#[derive(Clone, Debug)]
pub struct Variant {
    /// Drawn variables, in name order (the order they are drawn in).
    pub draws: Vec<(String, Source)>,
    /// Variables computed from others, in an order where each reads only earlier ones.
    pub derived: Vec<(String, Formula)>,
    /// A numeric question's key; it may read every variable.
    pub answer: Option<Formula>,
    pub prompt: Text,
    pub explanation: Text,
    /// A single-choice question's options.
    pub options: Vec<Text>,
    /// The authored variable table and key formula, for the instructor's preview.
    pub source: VariantSource,
}

/// What the author wrote, as the instructor's preview shows it.
#[derive(Clone, Debug, Serialize)]
pub struct VariantSource {
    pub vars: BTreeMap<String, serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
}

impl Serialize for Variant {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.source.serialize(s)
    }
}

/// The values one variant drew and computed, by name.
pub type Values = BTreeMap<String, f64>;

/// The seed of one question's variant within an attempt: independent of the order the
/// questions were drawn in, and different for every question of the attempt.
pub fn question_seed(attempt_seed: u64, question_id: &str) -> u64 {
    let mut h = Sha256::new();
    h.update(b"certbook-variant\0");
    h.update(attempt_seed.to_le_bytes());
    h.update(question_id.as_bytes());
    let d = h.finalize();
    u64::from_le_bytes(d[..8].try_into().expect("8 bytes"))
}

/// A variant made concrete: its values and texts.
#[derive(Clone, Debug, PartialEq)]
pub struct Rendered {
    pub values: Values,
    pub prompt: String,
    pub explanation: String,
    pub options: Vec<String>,
    /// A numeric question's key.
    pub answer: Option<f64>,
}

impl Variant {
    /// The values for `seed`, every one finite, or why not (naming the values drawn).
    pub fn values(&self, seed: u64) -> Result<(Values, Env), String> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut env = Env::default();
        let mut values = Values::new();
        for (name, source) in &self.draws {
            let x = source.draw(&mut rng);
            env.set(name, x);
            values.insert(name.clone(), x);
        }
        for (name, formula) in &self.derived {
            let x = formula.number(&env).map_err(|e| format!("`{name}` cannot be computed: {e}"))?;
            if !x.is_finite() {
                return Err(format!("with {} `{name}` is {x}, not a finite number", label(&values)));
            }
            env.set(name, x);
            values.insert(name.clone(), x);
        }
        Ok((values, env))
    }

    /// The variant for `seed`: numbers drawn, key computed, texts rendered. An error
    /// names the values that broke it (a non-finite key, options reading alike).
    pub fn render(&self, seed: u64) -> Result<Rendered, String> {
        let (mut values, mut env) = self.values(seed)?;
        let at = label(&values);
        let answer = match &self.answer {
            Some(f) => {
                let x = f
                    .number(&env)
                    .map_err(|e| format!("with {at} the answer cannot be computed: {e}"))?;
                if !x.is_finite() {
                    return Err(format!("with {at} the answer is {x}, not a finite number"));
                }
                // Strip float noise (70.4 − 80 gives −11.999999999999993): keys are shown.
                let x = round_to(x, 9);
                env.set("answer", x);
                Some(x)
            }
            None => None,
        };
        let text = |t: &Text, what: &str| t.render(&env).map_err(|e| format!("with {at} the {what}: {e}"));
        let prompt = text(&self.prompt, "prompt")?;
        let explanation = text(&self.explanation, "explanation")?;
        let options = self.options.iter().map(|o| text(o, "options")).collect::<Result<Vec<_>, _>>()?;
        for (i, o) in options.iter().enumerate() {
            if let Some(j) = options[..i].iter().position(|p| p.trim() == o.trim()) {
                return Err(format!(
                    "with {at} options {} and {} both read \"{o}\"",
                    super::letter(j),
                    super::letter(i)
                ));
            }
        }
        if let Some(x) = answer {
            values.insert("answer".into(), x);
        }
        Ok(Rendered {
            values,
            prompt,
            explanation,
            options,
            answer,
        })
    }
}

/// Values as a short label: `mau = 90, dau = 18`.
pub fn label(values: &Values) -> String {
    values
        .iter()
        .filter(|(k, _)| k.as_str() != "answer")
        .map(|(k, v)| format!("{k} = {}", show(*v, None)))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_show_as_people_write_them() {
        assert_eq!(show(12000.0, None), "12000");
        assert_eq!(show(0.35, None), "0.35");
        assert_eq!(show(100.0 / 3.0, None), "33.33");
        assert_eq!(show(2.5, Some(0)), "3");
        assert_eq!(show(131.25, Some(1)), "131.3");
        assert_eq!(show(0.125, None), "0.13");
        assert_eq!(show(2.0, Some(1)), "2.0");
        assert_eq!(show(-0.001, None), "0");
        assert_eq!(show(-10.0, None), "-10");
    }

    #[test]
    fn placeholders_compile_render_and_escape() {
        let t = Text::compile("花费 {spend} 元，{{字面}}，CAC {spend / users:1} 元").unwrap();
        let mut env = Env::default();
        env.set("spend", 12000.0);
        env.set("users", 90.0);
        assert_eq!(t.render(&env).unwrap(), "花费 12000 元，{字面}，CAC 133.3 元");
        let mut reads: Vec<&str> = t.reads().collect();
        reads.sort();
        assert_eq!(reads, ["spend", "spend", "users"]);
        for bad in ["{spend", "a } b", "{pow(2, 3}", "{x:9}"] {
            assert!(Text::compile(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_range_draws_only_its_grid() {
        let s = Source::Range {
            min: 0.1,
            max: 0.5,
            step: 0.1,
        };
        assert_eq!(s.count(), 5);
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..500 {
            let x = s.draw(&mut rng);
            assert!([0.1, 0.2, 0.3, 0.4, 0.5].contains(&x), "{x}");
            seen.insert((x * 10.0) as i64);
        }
        assert_eq!(seen.len(), 5, "every value comes up");
    }

    #[test]
    fn question_seeds_differ_by_question_and_attempt() {
        assert_eq!(question_seed(1, "q1"), question_seed(1, "q1"));
        assert_ne!(question_seed(1, "q1"), question_seed(1, "q2"));
        assert_ne!(question_seed(1, "q1"), question_seed(2, "q1"));
    }
}

#[cfg(test)]
mod bank_tests {
    use crate::quiz::{QuestionKind, grade, parse_bank, public_questions};
    use serde_json::{Value, json};
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    const BANK: &str = r#"id = "v"
title = "V"
[[questions]]
id = "cac"
type = "numeric"
prompt = "花费 {spend} 元带来 {users} 个新用户，CAC 是多少元？"
answer = "spend / users"
tolerance = 0.5
unit = "元"
explanation = "CAC = {spend} ÷ {users} = {answer:1} 元。"
[questions.vars]
spend = { min = 6000, max = 24000, step = 600 }
users = [40, 50, 60, 75, 80]
[[questions]]
id = "roi"
type = "single"
prompt = "投入 {cost} 万元，带来利润 {profit} 万元，ROI 是多少？"
options = ["{roi:0}%", "{roi + 50:0}%", "{profit / cost:2}%", "{100 + roi:0}%"]
answer = "A"
explanation = "ROI = {profit} ÷ {cost} = {roi:0}%。"
[questions.vars]
cost = [10, 20, 40]
profit = { min = 3, max = 9 }
roi = "profit / cost * 100"
"#;

    fn bank() -> crate::quiz::Quiz {
        let (quiz, diags) = parse_bank(Path::new("quizzes/v.toml"), BANK);
        quiz.unwrap_or_else(|| panic!("{diags:?}"))
    }

    fn ids() -> Vec<String> {
        vec!["cac".into(), "roi".into()]
    }

    /// Same seed, same numbers and key; other seeds, other numbers.
    #[test]
    fn a_seed_reproduces_its_variant_and_seeds_differ() {
        let quiz = bank();
        let q = quiz.question("cac").unwrap();
        let a = q.instance(42).unwrap().into_owned();
        let b = q.instance(42).unwrap().into_owned();
        assert_eq!((a.prompt.clone(), a.drawn.clone()), (b.prompt, b.drawn));
        assert!(!a.prompt.contains('{'), "{}", a.prompt);
        let v = a.drawn.clone().unwrap();
        let QuestionKind::Numeric { answer, .. } = a.kind else { panic!() };
        assert_eq!(answer, v["spend"] / v["users"], "the key is the formula over the drawn values");
        assert_eq!(v["answer"], answer);
        assert!(a.explanation.contains(&format!("= {:.1} 元", answer)), "{}", a.explanation);
        let prompts: BTreeSet<String> = (0..40u64).map(|s| q.instance(s).unwrap().prompt.clone()).collect();
        assert!(prompts.len() >= 20, "40 seeds give {} prompts", prompts.len());
        // Two questions of one attempt draw independently.
        let sheet = public_questions(&quiz, &ids(), 7);
        assert!(sheet.iter().all(|p| !p.prompt.contains('{')));
    }

    /// A numeric variant is graded against its own key, right up to the tolerance.
    #[test]
    fn grading_a_variant_holds_at_the_tolerance_edges() {
        let quiz = bank();
        for seed in 0..30u64 {
            let q = quiz.question("cac").unwrap().instance(seed).unwrap();
            let QuestionKind::Numeric { answer, .. } = q.kind else { panic!() };
            for (given, right) in [
                (answer, true),
                (answer + 0.5, true),
                (answer - 0.5, true),
                (answer + 0.51, false),
                (answer - 0.51, false),
            ] {
                let answers: BTreeMap<String, Value> = BTreeMap::from([("cac".to_string(), json!(given))]);
                let g = grade(&quiz, &["cac".to_string()], seed, &answers).unwrap();
                assert_eq!(g.questions[0].correct, right, "seed {seed}: {given} against {answer}");
                assert_eq!(g.questions[0].variant.as_ref().unwrap()["answer"], answer);
            }
        }
    }

    /// The single-choice variant: its options are computed, and the key stays the authored letter.
    #[test]
    fn a_single_choice_variant_computes_its_options() {
        let quiz = bank();
        for seed in 0..30u64 {
            let q = quiz.question("roi").unwrap().instance(seed).unwrap();
            let v = q.drawn.clone().unwrap();
            let QuestionKind::Single { options, answer } = &q.kind else {
                panic!()
            };
            assert_eq!(
                options[*answer],
                format!("{}%", super::show(v["profit"] / v["cost"] * 100.0, Some(0)))
            );
            let g = grade(
                &quiz,
                &["roi".to_string()],
                seed,
                &BTreeMap::from([("roi".to_string(), json!("A"))]),
            )
            .unwrap();
            assert!(g.questions[0].correct);
        }
    }

    fn diagnose(bank: &str) -> Vec<(usize, String)> {
        let (quiz, diags) = parse_bank(Path::new("quizzes/v.toml"), bank);
        assert!(quiz.is_none(), "the bank should not load");
        diags.into_iter().map(|d| (d.line, d.message)).collect()
    }

    #[test]
    fn check_reports_bad_variants_with_their_lines() {
        let head =
            "id = \"v\"\ntitle = \"V\"\n[[questions]]\nid = \"q\"\ntype = \"numeric\"\nprompt = \"{a} 除以 {b}\"\nexplanation = \"e\"\n";
        // A formula naming a variable that does not exist (line 8: the answer).
        let d = diagnose(&format!("{head}answer = \"a / c\"\n[questions.vars]\na = [1, 2]\nb = [3]\n"));
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].0, 8);
        assert!(d[0].1.contains("reads c, which no variable gives"), "{d:?}");
        // A draw that divides by zero: the key is not finite (reported at the vars table).
        let d = diagnose(&format!(
            "{head}answer = \"a / b\"\n[questions.vars]\na = [1, 2]\nb = {{ min = 0, max = 3 }}\n"
        ));
        assert!(d[0].1.contains("b = 0") && d[0].1.contains("not a finite number"), "{d:?}");
        assert_eq!(d[0].0, 9, "at the `[questions.vars]` table");
        // An unparsable formula and an unclosed placeholder.
        let d = diagnose(&format!("{head}answer = \"a / \"\n[questions.vars]\na = [1, 2]\nb = [3]\n"));
        assert!(d[0].1.contains("the answer cannot be computed"), "{d:?}");
        let d = diagnose(
            &head
                .replace("{b}\"", "{b\"")
                .replace("\"e\"\n", "\"e\"\nanswer = \"a\"\n[questions.vars]\na = [1]\nb = [2]\n"),
        );
        assert!(d[0].0 == 6 && d[0].1.contains("not closed"), "{d:?}");
        // Options that can read alike.
        let single = "id = \"v\"\ntitle = \"V\"\n[[questions]]\nid = \"s\"\ntype = \"single\"\nprompt = \"{x}\"\noptions = [\"{x * 2}\", \"{x + 2}\"]\nanswer = \"A\"\nexplanation = \"e\"\n[questions.vars]\nx = [1, 2, 3]\n";
        let d = diagnose(single);
        assert!(d[0].1.contains("x = 2") && d[0].1.contains("both read \"4\""), "{d:?}");
        // Variables on a type that cannot have them, and derived variables reading each other.
        let d = diagnose(
            "id = \"v\"\ntitle = \"V\"\n[[questions]]\nid = \"t\"\ntype = \"truefalse\"\nprompt = \"p\"\nanswer = true\nexplanation = \"e\"\n[questions.vars]\nx = [1]\n",
        );
        assert!(
            d[0].1.contains("a truefalse question cannot have variables") && d[0].0 == 9,
            "{d:?}"
        );
        let d = diagnose(&format!("{head}answer = \"a\"\n[questions.vars]\na = \"b + 1\"\nb = \"a + 1\"\n"));
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(
            d.iter()
                .all(|(line, m)| m.contains("which no variable gives") && (*line == 10 || *line == 11)),
            "{d:?}"
        );
    }
}
