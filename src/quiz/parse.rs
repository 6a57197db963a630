//! Parses a question bank (`quizzes/*.toml`) into a [`Quiz`], collecting every
//! authoring mistake with its position instead of stopping at the first.

use super::schema::{Cell, Difficulty, Draw, Exam, Mode, Question, QuestionKind, Quiz, Review, Shown};
use super::variant::{Source, Text, Variant, VariantSource};
use super::{index_of_letter, letter};
use crate::diag::Diagnostic;
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::ops::Range;
use std::path::Path;
use toml::{Spanned, Value};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBank {
    id: Option<Spanned<String>>,
    title: Option<Spanned<String>>,
    mode: Option<Spanned<String>>,
    pass_mark: Option<Spanned<Value>>,
    attempts: Option<Spanned<i64>>,
    time_limit: Option<Spanned<i64>>,
    draw: Option<Cells>,
    shuffle: Option<Spanned<bool>>,
    opens: Option<Spanned<Value>>,
    closes: Option<Spanned<Value>>,
    sequential: Option<Spanned<bool>>,
    review: Option<Spanned<RawReview>>,
    password: Option<Spanned<String>>,
    allow: Option<Spanned<Vec<Spanned<String>>>>,
    one_device: Option<Spanned<bool>>,
    retake_after: Option<Spanned<String>>,
    #[serde(default)]
    questions: Vec<Spanned<RawQuestion>>,
}

/// `draw = { … }` (one cell) or `[[draw]]` tables (a blueprint), each with where it was
/// written when the format tells (a table in an array does).
struct Cells(Vec<(Option<Range<usize>>, RawDraw)>);

impl<'de> Deserialize<'de> for Cells {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Cells;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a `draw` table or `[[draw]]` tables")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Cells, A::Error> {
                let mut out = Vec::new();
                while let Some(c) = seq.next_element::<Spanned<RawDraw>>()? {
                    out.push((Some(c.span()), c.into_inner()));
                }
                Ok(Cells(out))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Cells, A::Error> {
                let one = RawDraw::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(Cells(vec![(None, one)]))
            }
        }
        d.deserialize_any(V)
    }
}

/// One string or a list of them.
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDraw {
    count: Spanned<i64>,
    #[serde(default)]
    tags: Vec<String>,
    difficulty: Option<Spanned<OneOrMany<String>>>,
    #[serde(default)]
    banks: Vec<String>,
    topic: Option<String>,
    skill: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReview {
    immediately: Option<Spanned<Vec<Spanned<String>>>>,
    later: Option<Spanned<Vec<Spanned<String>>>>,
    after_close: Option<Spanned<Vec<Spanned<String>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    id: Option<Spanned<String>>,
    #[serde(rename = "type")]
    kind: Option<Spanned<String>>,
    prompt: Option<Spanned<String>>,
    explanation: Option<Spanned<String>>,
    points: Option<Spanned<Value>>,
    difficulty: Option<Spanned<String>>,
    #[serde(default)]
    tags: Vec<String>,
    options: Option<Spanned<Vec<String>>>,
    items: Option<Spanned<Vec<String>>>,
    left: Option<Spanned<Vec<String>>>,
    right: Option<Spanned<Vec<String>>>,
    answer: Option<Spanned<Value>>,
    tolerance: Option<Spanned<Value>>,
    unit: Option<String>,
    /// Seeded variables: name → a list, a `{ min, max, step }` range, or a formula.
    vars: Option<Spanned<BTreeMap<String, Spanned<Value>>>>,
}

/// Checks an id: lowercase letters, digits and `-`, starting with a letter or digit.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') && !id.starts_with('-')
}

/// Parses one bank. Returns the quiz when it has no errors, and every diagnostic found.
pub fn parse_bank(file: &Path, text: &str) -> (Option<Quiz>, Vec<Diagnostic>) {
    let mut p = Parser {
        file,
        text,
        diags: Vec::new(),
        shuffle: true,
    };
    let raw: RawBank = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            p.error(
                e.span(),
                format!("TOML syntax: {}", e.message().trim()),
                "fix the TOML syntax at this place (quotes, brackets, `key = value`)",
            );
            return (None, p.diags);
        }
    };
    let quiz = p.bank(raw);
    let ok = !p.diags.iter().any(Diagnostic::is_error);
    (quiz.filter(|_| ok), p.diags)
}

struct Parser<'a> {
    file: &'a Path,
    text: &'a str,
    diags: Vec<Diagnostic>,
    /// The bank shuffles options (what the wording checks depend on).
    shuffle: bool,
}

impl Parser<'_> {
    fn error(&mut self, span: Option<Range<usize>>, msg: impl Into<String>, help: &str) {
        self.diags.push(Diagnostic::error(self.file, self.text, span, msg).help(help));
    }

    fn bank(&mut self, raw: RawBank) -> Option<Quiz> {
        let id = match raw.id {
            Some(id) if valid_id(id.get_ref()) => id.into_inner(),
            Some(id) => {
                self.error(
                    Some(id.span()),
                    format!("invalid quiz id `{}`", id.get_ref()),
                    "use lowercase letters, digits and `-`",
                );
                return None;
            }
            None => {
                self.error(
                    Some(0..0),
                    "the quiz has no `id`",
                    "add `id = \"...\"` at the top; lessons embed it with {{#quiz id}}",
                );
                return None;
            }
        };
        let title = match raw.title {
            Some(t) => t.into_inner(),
            None => {
                self.error(Some(0..0), "the quiz has no `title`", "add `title = \"...\"` at the top");
                String::new()
            }
        };
        let mode = match raw.mode.as_ref().map(|m| (m.get_ref().as_str(), m.span())) {
            None | Some(("practice", _)) => Mode::Practice,
            Some(("exam", _)) => Mode::Exam,
            Some((other, span)) => {
                self.error(
                    Some(span),
                    format!("unknown mode `{other}`"),
                    "use `mode = \"practice\"` (lesson quizzes) or `mode = \"exam\"` (certifying exams)",
                );
                Mode::Practice
            }
        };
        let pass_mark = match raw.pass_mark {
            None => 60.0,
            Some(v) => match as_f64(v.get_ref()) {
                Some(x) if (0.0..=100.0).contains(&x) => x,
                _ => {
                    self.error(
                        Some(v.span()),
                        "`pass_mark` must be a number from 0 to 100",
                        "it is a percentage of the points, e.g. `pass_mark = 60`",
                    );
                    60.0
                }
            },
        };
        let attempts = match raw.attempts {
            None => 0,
            Some(a) if (0..=1000).contains(a.get_ref()) => *a.get_ref() as u32,
            Some(a) => {
                self.error(Some(a.span()), "`attempts` must be 0 to 1000", "use 0 for unlimited attempts");
                0
            }
        };
        let time_limit = match raw.time_limit {
            None => None,
            // At most a week: beyond that a limit means nothing, and the cast must not wrap.
            Some(t) if (1..=604_800).contains(t.get_ref()) => Some(*t.get_ref() as u32),
            Some(t) => {
                self.error(
                    Some(t.span()),
                    "`time_limit` must be 1 to 604800 seconds (a week)",
                    "remove it for no limit",
                );
                None
            }
        };
        if raw.questions.is_empty() && raw.draw.is_none() {
            self.error(
                Some(0..0),
                "the quiz has no questions",
                "add at least one `[[questions]]` table, or `[[draw]]` cells drawing from other banks",
            );
        }
        self.shuffle = raw.shuffle.as_ref().map(|s| *s.get_ref()).unwrap_or(true);
        let mut seen = HashSet::new();
        let mut questions = Vec::new();
        for q in raw.questions {
            let span = q.span();
            if let Some(id) = &q.get_ref().id
                && !seen.insert(id.get_ref().clone())
            {
                self.error(
                    Some(id.span()),
                    format!("duplicate question id `{}`", id.get_ref()),
                    "give every question in the bank its own id",
                );
            }
            if let Some(q) = self.question(span, q.into_inner()) {
                questions.push(q);
            }
        }
        let draw = match raw.draw.map(|c| c.0) {
            Some(cells) if cells.is_empty() => {
                self.error(
                    Some(0..0),
                    "`draw` has no cells",
                    "remove it, or add `[[draw]]` tables with a `count`",
                );
                None
            }
            Some(cells) => {
                let cells: Vec<Cell> = cells.into_iter().filter_map(|c| self.cell(c, &questions)).collect();
                Some(Draw { cells })
            }
            None => None,
        };
        let exam = Exam {
            shuffle: raw.shuffle.map(|s| *s.get_ref()).unwrap_or(true),
            opens: raw.opens.and_then(|v| self.instant("opens", &v)),
            closes: raw.closes.as_ref().and_then(|v| self.instant("closes", v)),
            sequential: raw.sequential.map(|s| *s.get_ref()).unwrap_or(false),
            review: match (raw.review, mode) {
                (Some(r), _) => self.review(r.into_inner(), mode),
                (None, Mode::Exam) => Review::EXAM,
                (None, Mode::Practice) => Review::default(),
            },
            password: match raw.password {
                Some(p) if p.get_ref().trim().is_empty() => {
                    self.error(
                        Some(p.span()),
                        "`password` is empty",
                        "remove it, or set the word learners must enter",
                    );
                    None
                }
                p => p.map(Spanned::into_inner),
            },
            allow: raw.allow.map(|a| self.allow(a.into_inner())).unwrap_or_default(),
            one_device: raw.one_device.map(|d| *d.get_ref()).unwrap_or(mode == Mode::Exam),
            retake_after: raw.retake_after.and_then(|r| self.retake_after(r, mode)),
        };
        if let (Some(o), Some(c), Some(span)) = (exam.opens, exam.closes, raw.closes.map(|c| c.span()))
            && c <= o
        {
            self.error(Some(span), "`closes` is not after `opens`", "a quiz closes after it opens");
        }
        Some(Quiz {
            id,
            title,
            mode,
            pass_mark,
            attempts,
            time_limit,
            draw,
            questions,
            exam,
            source: self.file.to_path_buf(),
        })
    }

    /// One blueprint cell. Its pool is this bank's questions it admits; a cell drawing from
    /// other `banks` is resolved (and its pool checked) when the whole course has loaded.
    fn cell(&mut self, (span, d): (Option<Range<usize>>, RawDraw), questions: &[Question]) -> Option<Cell> {
        let span = span.unwrap_or_else(|| d.count.span());
        let count = *d.count.get_ref();
        if count <= 0 || count > 1000 {
            self.error(
                Some(d.count.span()),
                "`count` must be 1 to 1000",
                "say how many questions each attempt draws from this cell",
            );
            return None;
        }
        let mut difficulty = Vec::new();
        if let Some(list) = d.difficulty {
            let dspan = list.span();
            let names = match list.into_inner() {
                OneOrMany::One(n) => vec![n],
                OneOrMany::Many(ns) => ns,
            };
            for n in names {
                match Difficulty::parse(&n) {
                    Some(x) => difficulty.push(x),
                    None => self.error(
                        Some(dspan.clone()),
                        format!("unknown difficulty `{n}`"),
                        "use easy, medium or hard, or a list such as [\"medium\", \"hard\"]",
                    ),
                }
            }
        }
        let mut cell = Cell {
            count: count as usize,
            tags: d.tags,
            difficulty,
            banks: d.banks,
            topic: d.topic,
            skill: d.skill,
            pool: Vec::new(),
            span: span.clone(),
        };
        if cell.banks.is_empty() {
            cell.pool = questions.iter().filter(|q| cell.admits(q)).map(|q| q.id.clone()).collect();
            if cell.count > cell.pool.len() {
                self.error(
                    Some(span),
                    format!("the draw asks for {count} questions but only {} match it", cell.pool.len()),
                    "lower `count`, or tag more questions",
                );
                return None;
            }
        }
        Some(cell)
    }

    /// `opens`/`closes`: RFC 3339 with an offset, as a TOML date-time or a string.
    fn instant(&mut self, name: &str, v: &Spanned<Value>) -> Option<i64> {
        let text = match v.get_ref() {
            Value::String(s) => s.clone(),
            Value::Datetime(d) => d.to_string(),
            _ => String::new(),
        };
        match time::OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339) {
            Ok(t) => Some((t.unix_timestamp_nanos() / 1_000_000) as i64),
            Err(_) => {
                self.error(
                    Some(v.span()),
                    format!("`{name}` is not an RFC 3339 date-time with a time zone"),
                    &format!("e.g. `{name} = 2026-03-01T09:00:00+08:00` (or ending in Z for UTC)"),
                );
                None
            }
        }
    }

    /// `retake_after = "7d"`: an exam's wait between sittings.
    fn retake_after(&mut self, r: Spanned<String>, mode: Mode) -> Option<i64> {
        if mode != Mode::Exam {
            self.error(
                Some(r.span()),
                "`retake_after` applies to exams only",
                "add `mode = \"exam\"`, or remove it: practice quizzes can be retaken at once",
            );
            return None;
        }
        match humantime::parse_duration(r.get_ref().trim()) {
            Ok(d) if d.as_secs() >= 1 && d.as_secs() <= 366 * 86_400 => Some(d.as_millis() as i64),
            _ => {
                self.error(
                    Some(r.span()),
                    format!("`retake_after = \"{}\"` is not a wait from 1 second to a year", r.get_ref()),
                    "write a duration such as \"7d\", \"36h\" or \"30min\"",
                );
                None
            }
        }
    }

    /// A phase left out shows what the phase before it shows (immediately → later →
    /// after_close); an exam's `immediately` left out shows the score only.
    fn review(&mut self, r: RawReview, mode: Mode) -> Review {
        let first = if mode == Mode::Exam { Shown::SCORE } else { Shown::ALL };
        let immediately = self.shown(r.immediately, first);
        let later = self.shown(r.later, immediately);
        let after_close = self.shown(r.after_close, later);
        Review {
            immediately,
            later,
            after_close,
        }
    }

    fn shown(&mut self, list: Option<Spanned<Vec<Spanned<String>>>>, default: Shown) -> Shown {
        let Some(list) = list else { return default };
        let mut s = Shown::default();
        for item in list.into_inner() {
            match item.get_ref().as_str() {
                "score" => s.score = true,
                "correctness" => s.correctness = true,
                "explanations" => s.explanations = true,
                "answers" => s.answers = true,
                other => self.error(
                    Some(item.span()),
                    format!("unknown review item `{other}`"),
                    "use score, correctness, explanations or answers",
                ),
            }
        }
        s
    }

    fn allow(&mut self, list: Vec<Spanned<String>>) -> Vec<ipnet::IpNet> {
        list.into_iter()
            .filter_map(|a| match a.get_ref().trim().parse::<ipnet::IpNet>() {
                Ok(net) => Some(net),
                Err(_) => {
                    self.error(
                        Some(a.span()),
                        format!("`{}` is not an address range", a.get_ref()),
                        "write CIDR ranges, e.g. `allow = [\"10.0.0.0/8\", \"127.0.0.1/32\"]`",
                    );
                    None
                }
            })
            .collect()
    }

    fn question(&mut self, span: Range<usize>, q: RawQuestion) -> Option<Question> {
        let head = Some(span.start..span.start);
        let Some(id) = q.id.clone() else {
            self.error(head, "question has no `id`", "add `id = \"q1\"` (unique in this bank)");
            return None;
        };
        if !valid_id(id.get_ref()) {
            self.error(
                Some(id.span()),
                format!("invalid question id `{}`", id.get_ref()),
                "use lowercase letters, digits and `-`",
            );
        }
        let qid = id.get_ref().clone();
        let prompt = match &q.prompt {
            Some(p) if !p.get_ref().trim().is_empty() => p.get_ref().clone(),
            _ => {
                self.error(
                    Some(id.span()),
                    format!("question `{qid}` has no `prompt`"),
                    "add `prompt = \"...\"`",
                );
                String::new()
            }
        };
        let explanation = match &q.explanation {
            Some(e) if !e.get_ref().trim().is_empty() => e.get_ref().clone(),
            _ => {
                self.error(
                    Some(id.span()),
                    format!("question `{qid}` has no `explanation`"),
                    "add `explanation = \"...\"`: learners see it after grading",
                );
                String::new()
            }
        };
        let points = match &q.points {
            None => 1.0,
            Some(v) => match as_f64(v.get_ref()) {
                // Bounded, so a bank's total can never overflow to infinity (and a NaN percentage).
                Some(x) if x > 0.0 && x <= 1000.0 => x,
                _ => {
                    self.error(
                        Some(v.span()),
                        format!("question `{qid}`: `points` must be a number above 0 and at most 1000"),
                        "e.g. `points = 2`",
                    );
                    1.0
                }
            },
        };
        let difficulty = q.difficulty.as_ref().and_then(|d| match d.get_ref().as_str() {
            "easy" => Some(Difficulty::Easy),
            "medium" => Some(Difficulty::Medium),
            "hard" => Some(Difficulty::Hard),
            other => {
                self.error(Some(d.span()), format!("unknown difficulty `{other}`"), "use easy, medium or hard");
                None
            }
        });
        let Some(kind_name) = q.kind.clone() else {
            self.error(
                Some(id.span()),
                format!("question `{qid}` has no `type`"),
                "add `type = \"single\"` (single, multiple, truefalse, fill, numeric, ordering, matching)",
            );
            return None;
        };
        let kind = self.kind(&qid, &kind_name, &q)?;
        self.wording(&qid, &q, &kind);
        let tags = q.tags.clone();
        let mut question = Question {
            id: qid,
            prompt,
            points,
            explanation,
            difficulty,
            tags,
            kind,
            variant: None,
            drawn: None,
        };
        if let Some(vars) = &q.vars {
            let variant = self.variant(&question, vars, &q)?;
            // The template keeps a sample's key, so the preview shows a real number.
            if let (QuestionKind::Numeric { answer, .. }, Some(x)) = (&mut question.kind, variant.render(0).ok().and_then(|r| r.answer)) {
                *answer = x;
            }
            question.variant = Some(std::sync::Arc::new(variant));
        }
        Some(question)
    }

    /// A question's seeded variables and templates. Every formula is compiled and every
    /// name it reads checked; then [`SAMPLES`] seeds are rendered, and the first that gives
    /// a key that is not a finite number, or options that read alike, is reported.
    fn variant(&mut self, question: &Question, vars: &Spanned<BTreeMap<String, Spanned<Value>>>, q: &RawQuestion) -> Option<Variant> {
        let qid = question.id.as_str();
        let at = Some(vars.span());
        let errors = |diags: &[Diagnostic]| diags.iter().filter(|d| d.is_error()).count();
        let before = errors(&self.diags);
        let numeric = match &question.kind {
            QuestionKind::Numeric { .. } => true,
            QuestionKind::Single { .. } => false,
            other => {
                self.error(
                    at,
                    format!("question `{qid}`: a {} question cannot have variables", other.type_name()),
                    "variables apply to numeric and single-choice questions",
                );
                return None;
            }
        };
        if vars.get_ref().is_empty() {
            self.error(
                at,
                format!("question `{qid}`: `vars` is empty"),
                "declare a variable, e.g. `spend = { min = 8000, max = 20000, step = 500 }`",
            );
            return None;
        }
        let mut draws = Vec::new();
        let mut formulas = Vec::new();
        for (name, v) in vars.get_ref() {
            let vspan = Some(v.span());
            if !super::variant::valid_name(name) {
                self.error(
                    vspan,
                    format!("question `{qid}`: `{name}` cannot name a variable"),
                    "use lowercase letters, digits and `_`, starting with a letter; `answer` and function names are taken",
                );
                continue;
            }
            match self.source(qid, name, v) {
                Some(Err(formula)) => formulas.push((name.clone(), formula, v.span())),
                Some(Ok(source)) => draws.push((name.clone(), source)),
                None => {}
            }
        }
        // Derived variables in an order where each reads only those before it.
        let mut known: HashSet<String> = draws.iter().map(|(n, _)| n.clone()).collect();
        let mut derived = Vec::new();
        while !formulas.is_empty() {
            let Some(i) = formulas.iter().position(|(_, f, _)| f.reads.iter().all(|r| known.contains(r))) else {
                for (name, f, span) in &formulas {
                    let missing: Vec<&str> = f.reads.iter().filter(|r| !known.contains(*r)).map(String::as_str).collect();
                    self.error(
                        Some(span.clone()),
                        format!("question `{qid}`: `{name}` reads {}, which no variable gives", missing.join(", ")),
                        "declare each name it reads in `vars`, and let no two formulas read each other",
                    );
                }
                return None;
            };
            let (name, f, _) = formulas.remove(i);
            known.insert(name.clone());
            derived.push((name, f));
        }
        let key = match (&q.answer, numeric) {
            (Some(a), true) => match a.get_ref().as_str() {
                Some(src) => match crate::sandbox::Formula::compile(src) {
                    Ok(f) => Some((f, a.span())),
                    Err(e) => {
                        self.error(
                            Some(a.span()),
                            format!("question `{qid}`: the answer formula: {e}"),
                            "write the key as a formula over the variables, e.g. \"spend / users\"",
                        );
                        return None;
                    }
                },
                None => {
                    self.error(
                        Some(a.span()),
                        format!("question `{qid}`: with `vars`, a numeric answer is a formula"),
                        "write it in quotes over the variables, e.g. `answer = \"spend / users\"`",
                    );
                    return None;
                }
            },
            _ => None,
        };
        if let Some((f, span)) = &key {
            self.unknown_reads(qid, "the answer", f.reads.iter().map(String::as_str), &known, span.clone());
        }
        let mut texts_known = known.clone();
        if numeric {
            texts_known.insert("answer".into());
        }
        let prompt = self.template(qid, "prompt", &q.prompt, &known);
        let explanation = self.template(qid, "explanation", &q.explanation, &texts_known);
        let options = match (&question.kind, &q.options) {
            (QuestionKind::Single { options, .. }, Some(list)) => options
                .iter()
                .map(|o| self.template_at(qid, "options", o, list.span(), &texts_known))
                .collect::<Option<Vec<_>>>(),
            _ => Some(Vec::new()),
        };
        let variant = Variant {
            draws,
            derived,
            answer: key.map(|(f, _)| f),
            prompt: prompt?,
            explanation: explanation?,
            options: options?,
            source: VariantSource {
                vars: vars
                    .get_ref()
                    .iter()
                    .map(|(k, v)| (k.clone(), serde_json::to_value(v.get_ref()).unwrap_or_default()))
                    .collect(),
                answer: q
                    .answer
                    .as_ref()
                    .and_then(|a| a.get_ref().as_str().map(str::to_string))
                    .filter(|_| numeric),
            },
        };
        // Sample only a variant that compiled whole: this question's own errors come first.
        if errors(&self.diags) > before {
            return None;
        }
        for seed in 0..SAMPLES {
            if let Err(e) = variant.render(seed) {
                self.error(
                    at,
                    format!("question `{qid}`: {e}"),
                    "narrow the ranges, or guard the formula (e.g. max(x, 1) as a divisor), so every draw gives a finite key and distinct options",
                );
                return None;
            }
        }
        Some(variant)
    }

    /// One entry of `vars`: a drawn source, or (as `Err`) a formula over other variables.
    fn source(&mut self, qid: &str, name: &str, v: &Spanned<Value>) -> Option<Result<Source, crate::sandbox::Formula>> {
        let span = Some(v.span());
        let help = "write a list `[80, 100, 125]`, a range `{ min = 8000, max = 20000, step = 500 }`, or a formula \"spend / users\"";
        match v.get_ref() {
            Value::Array(items) => {
                let nums: Option<Vec<f64>> = items.iter().map(as_f64).collect();
                match nums {
                    Some(n) if !n.is_empty() && n.len() <= 1000 => Some(Ok(Source::List(n))),
                    _ => {
                        self.error(span, format!("question `{qid}`: `{name}` must list 1 to 1000 numbers"), help);
                        None
                    }
                }
            }
            Value::Table(t) => {
                let get = |k: &str| t.get(k).and_then(as_f64);
                let unknown: Vec<&String> = t.keys().filter(|k| !["min", "max", "step"].contains(&k.as_str())).collect();
                match (get("min"), get("max"), t.get("step").map(as_f64).unwrap_or(Some(1.0))) {
                    (Some(min), Some(max), Some(step)) if unknown.is_empty() && min <= max && step > 0.0 => {
                        let source = Source::Range { min, max, step };
                        if source.count() > 1_000_000 {
                            self.error(
                                span,
                                format!("question `{qid}`: `{name}` has over a million values"),
                                "use a larger `step`",
                            );
                            return None;
                        }
                        Some(Ok(source))
                    }
                    _ => {
                        self.error(
                            span,
                            format!("question `{qid}`: `{name}` is not a range with `min` ≤ `max` and a `step` above 0"),
                            help,
                        );
                        None
                    }
                }
            }
            Value::String(src) => match crate::sandbox::Formula::compile(src) {
                Ok(f) => Some(Err(f)),
                Err(e) => {
                    self.error(span, format!("question `{qid}`: `{name}`: {e}"), help);
                    None
                }
            },
            _ => {
                self.error(
                    span,
                    format!("question `{qid}`: `{name}` is neither a list, a range nor a formula"),
                    help,
                );
                None
            }
        }
    }

    /// A text field of a variant compiled as a template.
    fn template(&mut self, qid: &str, field: &str, v: &Option<Spanned<String>>, known: &HashSet<String>) -> Option<Text> {
        match v {
            Some(v) => self.template_at(qid, field, v.get_ref(), v.span(), known),
            None => Some(Text::compile("").expect("empty text")),
        }
    }

    fn template_at(&mut self, qid: &str, field: &str, text: &str, span: Range<usize>, known: &HashSet<String>) -> Option<Text> {
        match Text::compile(text) {
            Ok(t) => self
                .unknown_reads(qid, &format!("the {field}"), t.reads(), known, span)
                .then_some(t),
            Err(e) => {
                self.error(
                    Some(span),
                    format!("question `{qid}`: the {field}: {e}"),
                    "placeholders are `{name}`, `{formula}` or `{formula:1}` (one decimal); write `{{` for a literal brace",
                );
                None
            }
        }
    }

    /// Reports names read that no variable gives; true when there are none.
    fn unknown_reads<'r>(
        &mut self,
        qid: &str,
        what: &str,
        reads: impl Iterator<Item = &'r str>,
        known: &HashSet<String>,
        span: Range<usize>,
    ) -> bool {
        let mut missing: Vec<&str> = reads.filter(|r| !known.contains(*r)).collect();
        missing.sort_unstable();
        missing.dedup();
        if missing.is_empty() {
            return true;
        }
        let mut names: Vec<&str> = known.iter().map(String::as_str).collect();
        names.sort_unstable();
        self.error(
            Some(span),
            format!("question `{qid}`: {what} reads {}, which no variable gives", missing.join(", ")),
            &format!("the variables are: {}", names.join(", ")),
        );
        false
    }

    /// Prompts and explanations must not lean on an option's letter or place, nor on
    /// another question: shuffles and draws change both. An error where the options are
    /// shuffled (ordering and matching always are), a warning where they are not.
    fn wording(&mut self, qid: &str, q: &RawQuestion, kind: &QuestionKind) {
        let (labelled, shuffled) = match kind {
            QuestionKind::Single { options, .. } | QuestionKind::Multiple { options, .. } => (options.len(), self.shuffle),
            QuestionKind::Ordering { items, .. } => (items.len(), true),
            QuestionKind::Matching { right, .. } => (right.len(), true),
            _ => (0, false),
        };
        for (field, text) in [("prompt", &q.prompt), ("explanation", &q.explanation)] {
            let Some(text) = text else { continue };
            let span = Some(text.span());
            if let Some(phrase) = super::lint::other_question(text.get_ref()) {
                self.error(
                    span.clone(),
                    format!("question `{qid}`: the {field} refers to another question (「{phrase}」)"),
                    "questions are drawn and shuffled, so each must stand alone: repeat the figures it needs",
                );
            }
            if labelled == 0 {
                continue;
            }
            let letter = super::lint::option_letter(text.get_ref(), labelled);
            // Matching's left column keeps its order, so 「第二项」 there is fine.
            let listed = !matches!(kind, QuestionKind::Matching { .. });
            let position = super::lint::option_position(text.get_ref()).filter(|_| field == "explanation" && listed);
            let help =
                "cite the option by its content, e.g. 「为新用户设计 7 天引导任务」: learners see options relabelled in a shuffled order";
            let cite = letter
                .map(|l| format!("question `{qid}`: the {field} names option {l} by its letter"))
                .or_else(|| position.map(|p| format!("question `{qid}`: the {field} names an option by its place (「{p}」)")));
            match cite {
                Some(msg) if shuffled => self.error(span, msg, help),
                Some(msg) => self.diags.push(Diagnostic::warning(self.file, self.text, span, msg).help(help)),
                None => {}
            }
        }
    }

    fn kind(&mut self, qid: &str, kind_name: &Spanned<String>, q: &RawQuestion) -> Option<QuestionKind> {
        let type_span = Some(kind_name.span());
        let Some(answer) = &q.answer else {
            self.error(
                type_span,
                format!("question `{qid}` has no `answer`"),
                "add the key: see the question types in the README",
            );
            return None;
        };
        let aspan = Some(answer.span());
        match kind_name.get_ref().as_str() {
            "single" => {
                let options = self.list(qid, "options", &q.options, type_span.clone(), 2)?;
                let Some(i) = answer
                    .get_ref()
                    .as_str()
                    .and_then(|s| self.letter(qid, s, options.len(), aspan.clone()))
                else {
                    if answer.get_ref().as_str().is_none() {
                        self.error(
                            aspan,
                            format!("question `{qid}`: a single-choice answer is one letter"),
                            "e.g. `answer = \"B\"`",
                        );
                    }
                    return None;
                };
                Some(QuestionKind::Single { options, answer: i })
            }
            "multiple" => {
                let options = self.list(qid, "options", &q.options, type_span.clone(), 2)?;
                let letters = self.strings(qid, answer)?;
                if letters.is_empty() {
                    self.error(
                        aspan,
                        format!("question `{qid}` has no correct option"),
                        "list the right letters, e.g. `answer = [\"A\", \"C\"]`",
                    );
                    return None;
                }
                let mut idx = Vec::new();
                for l in &letters {
                    idx.push(self.letter(qid, l, options.len(), aspan.clone())?);
                }
                idx.sort_unstable();
                idx.dedup();
                Some(QuestionKind::Multiple { options, answer: idx })
            }
            "truefalse" => match answer.get_ref().as_bool() {
                Some(b) => Some(QuestionKind::TrueFalse { answer: b }),
                None => {
                    self.error(
                        aspan,
                        format!("question `{qid}`: a true/false answer is `true` or `false`"),
                        "write it without quotes: `answer = true`",
                    );
                    None
                }
            },
            "fill" => {
                let accepted = match answer.get_ref() {
                    Value::String(s) => vec![s.clone()],
                    _ => self.strings(qid, answer)?,
                };
                if accepted.iter().all(|s| s.trim().is_empty()) {
                    self.error(
                        aspan,
                        format!("question `{qid}` accepts no answer"),
                        "list the accepted variants, e.g. `answer = [\"留存率\", \"留存\"]`",
                    );
                    return None;
                }
                Some(QuestionKind::Fill { answer: accepted })
            }
            "numeric" => {
                let formula = q.vars.is_some() && answer.get_ref().is_str();
                let Some(value) = as_f64(answer.get_ref()).or(formula.then_some(0.0)) else {
                    self.error(
                        aspan,
                        format!("question `{qid}`: a numeric answer is a number"),
                        "e.g. `answer = 120` (no quotes, no unit); with `[questions.vars]`, a formula such as \"spend / users\"",
                    );
                    return None;
                };
                let tolerance = match &q.tolerance {
                    None => 0.0,
                    Some(t) => match as_f64(t.get_ref()) {
                        Some(x) if x >= 0.0 => x,
                        Some(_) => {
                            self.error(
                                Some(t.span()),
                                format!("question `{qid}` has a negative tolerance"),
                                "the tolerance is how far from the answer still counts, e.g. `tolerance = 0.5`",
                            );
                            return None;
                        }
                        None => {
                            self.error(
                                Some(t.span()),
                                format!("question `{qid}`: `tolerance` must be a number"),
                                "e.g. `tolerance = 0.5`",
                            );
                            return None;
                        }
                    },
                };
                Some(QuestionKind::Numeric {
                    answer: value,
                    tolerance,
                    unit: q.unit.clone(),
                })
            }
            "ordering" => {
                let items = self.list(qid, "items", &q.items, type_span.clone(), 2)?;
                let order = self.permutation(qid, answer, items.len(), "items")?;
                Some(QuestionKind::Ordering { items, answer: order })
            }
            "matching" => {
                let left = self.list(qid, "left", &q.left, type_span.clone(), 2)?;
                let right = self.list(qid, "right", &q.right, type_span.clone(), 2)?;
                let letters = self.strings(qid, answer)?;
                if letters.len() != left.len() {
                    self.error(
                        aspan,
                        format!(
                            "question `{qid}`: the key has {} letters but there are {} left items",
                            letters.len(),
                            left.len()
                        ),
                        "give one `right` letter for each `left` item, in order",
                    );
                    return None;
                }
                let mut idx = Vec::new();
                for l in &letters {
                    idx.push(self.letter(qid, l, right.len(), aspan.clone())?);
                }
                Some(QuestionKind::Matching { left, right, answer: idx })
            }
            other => {
                self.error(
                    type_span,
                    format!("unknown question type `{other}`"),
                    "use single, multiple, truefalse, fill, numeric, ordering or matching",
                );
                None
            }
        }
    }

    /// A required list field with at least `min` entries and at most 26 (answers name
    /// entries by letter, A to Z).
    fn list(
        &mut self,
        qid: &str,
        name: &str,
        v: &Option<Spanned<Vec<String>>>,
        at: Option<Range<usize>>,
        min: usize,
    ) -> Option<Vec<String>> {
        match v {
            Some(l) if l.get_ref().len() > MAX_ENTRIES => {
                self.error(
                    Some(l.span()),
                    format!(
                        "question `{qid}`: `{name}` has {} entries, more than the {MAX_ENTRIES} letters A to Z",
                        l.get_ref().len()
                    ),
                    "split the question, or drop entries",
                );
                None
            }
            Some(l) if l.get_ref().len() >= min => Some(l.get_ref().clone()),
            Some(l) => {
                self.error(
                    Some(l.span()),
                    format!("question `{qid}`: `{name}` needs at least {min} entries"),
                    "add the missing entries",
                );
                None
            }
            None => {
                self.error(
                    at,
                    format!("question `{qid}` has no `{name}`"),
                    &format!("add `{name} = [\"...\", \"...\"]`"),
                );
                None
            }
        }
    }

    fn strings(&mut self, qid: &str, v: &Spanned<Value>) -> Option<Vec<String>> {
        let list = v
            .get_ref()
            .as_array()
            .and_then(|a| a.iter().map(|x| x.as_str().map(str::to_string)).collect::<Option<Vec<_>>>());
        if list.is_none() {
            self.error(
                Some(v.span()),
                format!("question `{qid}`: the answer must be a list of strings"),
                "e.g. `answer = [\"A\", \"C\"]`",
            );
        }
        list
    }

    fn letter(&mut self, qid: &str, s: &str, count: usize, at: Option<Range<usize>>) -> Option<usize> {
        let i = index_of_letter(s, count);
        if i.is_none() {
            self.error(
                at,
                format!("question `{qid}`: answer `{s}` is not one of the {count} options"),
                &format!("use a letter from A to {}", letter(count.saturating_sub(1))),
            );
        }
        i
    }

    /// A key that must name every one of `count` items exactly once.
    fn permutation(&mut self, qid: &str, v: &Spanned<Value>, count: usize, what: &str) -> Option<Vec<usize>> {
        let letters = self.strings(qid, v)?;
        let mut idx = Vec::new();
        for l in &letters {
            idx.push(self.letter(qid, l, count, Some(v.span()))?);
        }
        let distinct: HashSet<_> = idx.iter().collect();
        if idx.len() != count || distinct.len() != count {
            let missing: Vec<String> = (0..count).filter(|i| !idx.contains(i)).map(letter).collect();
            self.error(
                Some(v.span()),
                format!(
                    "question `{qid}`: the key does not cover all {count} {what} exactly once (missing: {})",
                    if missing.is_empty() {
                        "none, but a letter repeats".to_string()
                    } else {
                        missing.join(", ")
                    }
                ),
                &format!("list every letter of `{what}` once, in the right order"),
            );
            return None;
        }
        Some(idx)
    }
}

/// Seeds `check` renders of every variant question.
const SAMPLES: u64 = 200;

/// Most options, items, left or right entries a question may have: one per letter.
const MAX_ENTRIES: usize = 26;

fn as_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Integer(i) => Some(*i as f64),
        Value::Float(f) if f.is_finite() => Some(*f),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Option<Quiz>, Vec<Diagnostic>) {
        parse_bank(Path::new("quizzes/t.toml"), text)
    }

    #[test]
    fn parses_every_question_type() {
        let (quiz, diags) = parse(
            r#"
id = "t"
title = "T"
[[questions]]
id = "a"
type = "single"
prompt = "p"
options = ["x", "y"]
answer = "B"
explanation = "e"
[[questions]]
id = "b"
type = "ordering"
prompt = "p"
items = ["x", "y", "z"]
answer = ["C", "A", "B"]
explanation = "e"
"#,
        );
        assert!(diags.is_empty(), "{diags:?}");
        let quiz = quiz.unwrap();
        assert!(matches!(quiz.questions[0].kind, QuestionKind::Single { answer: 1, .. }));
        assert!(matches!(&quiz.questions[1].kind, QuestionKind::Ordering { answer, .. } if answer == &vec![2, 0, 1]));
    }

    #[test]
    fn errors_on_out_of_range_key_with_its_line() {
        let (quiz, diags) = parse(
            "id = \"t\"\ntitle = \"T\"\n[[questions]]\nid = \"a\"\ntype = \"single\"\nprompt = \"p\"\noptions = [\"x\", \"y\"]\nanswer = \"E\"\nexplanation = \"e\"\n",
        );
        assert!(quiz.is_none());
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].line, 8);
        assert!(diags[0].message.contains("`E` is not one of the 2 options"), "{}", diags[0].message);
    }

    /// Found by hand probing the quiz_bank fuzz target: a question with more options
    /// than letters loaded, then showing it (`letter(i)` for i ≥ 190) panicked with an
    /// arithmetic overflow, and options past Z got keys like `[` no answer could name.
    #[test]
    fn huge_numbers_are_errors_not_wrapped_or_infinite() {
        for (head, points, want) in [
            ("attempts = 5000000000\n", "1", "`attempts` must be 0 to 1000"),
            ("time_limit = 99999999999\n", "1", "`time_limit` must be 1 to 604800"),
            ("", "1e308", "`points` must be a number above 0 and at most 1000"),
        ] {
            let text = format!(
                "id = \"t\"\ntitle = \"T\"\n{head}[[questions]]\nid = \"a\"\ntype = \"true_false\"\nprompt = \"p\"\nanswer = true\npoints = {points}\nexplanation = \"e\"\n"
            );
            let (quiz, diags) = parse(&text);
            assert!(quiz.is_none(), "{text}");
            assert!(diags.iter().any(|d| d.message.contains(want)), "{want}: {diags:?}");
        }
    }

    #[test]
    fn more_entries_than_letters_is_an_error() {
        for (kind, field, answer) in [
            ("single", "options", "\"A\""),
            ("multiple", "options", "[\"A\"]"),
            ("ordering", "items", "[\"A\"]"),
            ("matching", "right", "[\"A\", \"B\"]"),
        ] {
            for n in [27, 200] {
                let list = vec!["\"x\""; n].join(", ");
                let text = format!(
                    "id = \"t\"\ntitle = \"T\"\n[[questions]]\nid = \"a\"\ntype = \"{kind}\"\nprompt = \"p\"\nleft = [\"l\", \"m\"]\n{field} = [{list}]\nanswer = {answer}\nexplanation = \"e\"\n"
                );
                let text = if kind == "matching" {
                    text
                } else {
                    text.replace("left = [\"l\", \"m\"]\n", "")
                };
                let (quiz, diags) = parse(&text);
                assert!(quiz.is_none(), "{kind} with {n} {field}");
                assert!(
                    diags[0].message.contains(&format!("`{field}` has {n} entries")),
                    "{}",
                    diags[0].message
                );
                assert_eq!(diags[0].line, if kind == "matching" { 8 } else { 7 });
            }
        }
        let list = vec!["\"x\""; 26].join(", ");
        let text = format!(
            "id = \"t\"\ntitle = \"T\"\n[[questions]]\nid = \"a\"\ntype = \"single\"\nprompt = \"p\"\noptions = [{list}]\nanswer = \"Z\"\nexplanation = \"e\"\n"
        );
        let quiz = parse(&text).0.expect("26 options load");
        let shown = crate::quiz::public_questions(&quiz, &["a".to_string()], 1);
        assert_eq!(shown[0].options.iter().map(|c| c.key.as_str()).max(), Some("Z"));
    }

    #[test]
    fn reports_bad_exam_settings_with_their_lines() {
        let (quiz, diags) = parse(
            "id = \"t\"\ntitle = \"T\"\nopens = \"next monday\"\nallow = [\"10.0.0.0/33\"]\n[review]\nimmediately = [\"grades\"]\n[[questions]]\nid = \"a\"\ntype = \"truefalse\"\nprompt = \"p\"\nanswer = true\nexplanation = \"e\"\n",
        );
        assert!(quiz.is_none());
        let lines: Vec<(usize, &str)> = diags.iter().map(|d| (d.line, d.message.as_str())).collect();
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(lines[0].0 == 3 && lines[0].1.contains("`opens`"), "{lines:?}");
        assert!(lines[1].0 == 6 && lines[1].1.contains("`grades`"), "{lines:?}");
        assert!(lines[2].0 == 4 && lines[2].1.contains("10.0.0.0/33"), "{lines:?}");
    }
}
