//! Reads `content/rubric.toml`, `content/exercises/*.toml` and
//! `content/certification.toml`, reporting every mistake with its place.
//! Cross-references (does that quiz exist?) are checked by the course loader,
//! which knows everything else.

use super::schema::*;
use crate::diag::Diagnostic;
use crate::i18n::Messages;
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::ops::Range;
use std::path::Path;
use toml::Spanned;

fn err(file: &Path, text: &str, span: Option<Range<usize>>, msg: impl Into<String>, help: &str) -> Diagnostic {
    Diagnostic::error(file, text, span, msg).help(help)
}

fn toml_err(file: &Path, text: &str, e: toml::de::Error, help: &str) -> Diagnostic {
    err(file, text, e.span(), format!("TOML: {}", e.message().trim()), help)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRubric {
    dimension: Vec<Spanned<RawDimension>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDimension {
    id: Spanned<String>,
    title: Option<String>,
    weight: f64,
    #[serde(default)]
    levels: Vec<RawBand>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBand {
    min: f64,
    text: String,
}

/// The rubric used when a course has no `content/rubric.toml`: equal weights, the
/// dimensions and bands named in `m`'s language.
pub fn default_rubric(m: &Messages) -> Rubric {
    let bands = [
        (90.0, "cert-band-excellent"),
        (75.0, "cert-band-good"),
        (60.0, "cert-band-pass"),
        (0.0, "cert-band-fail"),
    ];
    Rubric {
        dimensions: DIMENSIONS
            .iter()
            .map(|(id, title)| Dimension {
                id: id.to_string(),
                title: m.get(title),
                weight: 1.0,
                levels: bands
                    .iter()
                    .map(|(min, text)| Band {
                        min: *min,
                        text: m.get(text),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// A course's rubric; a dimension without a title takes its name from `m`.
pub fn parse_rubric(file: &Path, text: &str, m: &Messages) -> Result<Rubric, Vec<Diagnostic>> {
    let raw: RawRubric = toml::from_str(text).map_err(|e| {
        vec![toml_err(
            file,
            text,
            e,
            "the rubric lists `[[dimension]]` tables: id, title, weight, levels",
        )]
    })?;
    let mut diags = Vec::new();
    let mut dims = Vec::new();
    for (want, title) in DIMENSIONS {
        let title = m.get(title);
        match raw.dimension.iter().find(|d| d.get_ref().id.get_ref() == want) {
            None => diags.push(err(
                file,
                text,
                Some(0..0),
                format!("the rubric has no dimension `{want}` ({title})"),
                "the five dimensions are knowledge, problem_solving, innovation, teamwork, communication",
            )),
            Some(d) => {
                let (span, d) = (d.span(), d.get_ref());
                if !(d.weight.is_finite() && d.weight > 0.0) {
                    diags.push(err(
                        file,
                        text,
                        Some(span.clone()),
                        format!("dimension `{want}` needs a weight above 0"),
                        "weights are relative, e.g. 20",
                    ));
                }
                let mut levels: Vec<Band> = d
                    .levels
                    .iter()
                    .map(|b| Band {
                        min: b.min,
                        text: b.text.clone(),
                    })
                    .collect();
                levels.sort_by(|a, b| b.min.total_cmp(&a.min));
                if levels.iter().any(|b| !(0.0..=100.0).contains(&b.min)) {
                    diags.push(err(
                        file,
                        text,
                        Some(span),
                        "a band's `min` must be from 0 to 100",
                        "bands are score floors, e.g. 90, 75, 60, 0",
                    ));
                }
                dims.push(Dimension {
                    id: want.to_string(),
                    title: d.title.clone().unwrap_or(title),
                    weight: d.weight,
                    levels,
                });
            }
        }
    }
    for d in &raw.dimension {
        let id = d.get_ref().id.get_ref();
        if !DIMENSIONS.iter().any(|(k, _)| k == id) {
            diags.push(err(
                file,
                text,
                Some(d.get_ref().id.span()),
                format!("unknown dimension `{id}`"),
                "the five dimensions are knowledge, problem_solving, innovation, teamwork, communication",
            ));
        }
    }
    if diags.is_empty() {
        Ok(Rubric { dimensions: dims })
    } else {
        Err(diags)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExercise {
    id: Spanned<String>,
    title: Option<String>,
    prompt: Option<Spanned<String>>,
    minutes: Option<u32>,
    pass: Option<Spanned<f64>>,
    weights: Option<Spanned<BTreeMap<String, f64>>>,
    min_chars: Option<usize>,
    max_chars: Option<usize>,
}

pub fn parse_exercise(file: &Path, text: &str) -> Result<Exercise, Vec<Diagnostic>> {
    let raw: RawExercise = toml::from_str(text).map_err(|e| {
        vec![toml_err(
            file,
            text,
            e,
            "an exercise has id, title, prompt and optionally pass, minutes, weights",
        )]
    })?;
    let mut diags = Vec::new();
    if !crate::quiz::valid_id(raw.id.get_ref()) {
        diags.push(err(
            file,
            text,
            Some(raw.id.span()),
            format!("invalid exercise id `{}`", raw.id.get_ref()),
            "use lowercase letters, digits and `-`",
        ));
    }
    let prompt = match raw.prompt {
        Some(p) if !p.get_ref().trim().is_empty() => p.into_inner(),
        _ => {
            diags.push(err(
                file,
                text,
                Some(0..0),
                "the exercise has no `prompt`",
                "write the task the learner answers in `prompt = \"\"\"...\"\"\"`",
            ));
            String::new()
        }
    };
    let pass = match raw.pass {
        None => 60.0,
        Some(p) if (0.0..=100.0).contains(p.get_ref()) => *p.get_ref(),
        Some(p) => {
            diags.push(err(
                file,
                text,
                Some(p.span()),
                "`pass` must be from 0 to 100",
                "the rubric total needed to pass, e.g. 60",
            ));
            60.0
        }
    };
    let weights = raw.weights.map(|w| {
        let span = w.span();
        let w = w.into_inner();
        let mut out = [0.0; 5];
        for (i, (k, _)) in DIMENSIONS.iter().enumerate() {
            match w.get(*k) {
                Some(v) if v.is_finite() && *v >= 0.0 => out[i] = *v,
                _ => diags.push(err(
                    file,
                    text,
                    Some(span.clone()),
                    format!("`weights` needs `{k}` (0 or more)"),
                    "give all five: knowledge, problem_solving, innovation, teamwork, communication",
                )),
            }
        }
        if w.keys().any(|k| !DIMENSIONS.iter().any(|(d, _)| d == k)) || out.iter().sum::<f64>() <= 0.0 {
            diags.push(err(
                file,
                text,
                Some(span),
                "`weights` names an unknown dimension or adds up to 0",
                "use the five dimension ids with weights that add up to more than 0",
            ));
        }
        out
    });
    let (min_chars, max_chars) = (raw.min_chars.unwrap_or(50), raw.max_chars.unwrap_or(20_000));
    if min_chars > max_chars || max_chars > 100_000 {
        diags.push(err(
            file,
            text,
            Some(0..0),
            "`min_chars` must not exceed `max_chars` (at most 100000)",
            "e.g. min_chars = 200, max_chars = 8000",
        ));
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    Ok(Exercise {
        title: raw.title.unwrap_or_else(|| raw.id.get_ref().clone()),
        id: raw.id.into_inner(),
        prompt,
        minutes: raw.minutes,
        pass,
        weights,
        min_chars,
        max_chars,
        source: file.to_path_buf(),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTrack {
    id: Spanned<String>,
    title: String,
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    description: String,
    level: Vec<Spanned<RawLevel>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLevel {
    id: Spanned<String>,
    title: String,
    #[serde(default)]
    summary: String,
    previous: Option<bool>,
    #[serde(default)]
    read: Vec<Spanned<String>>,
    #[serde(default)]
    quizzes: BTreeMap<String, Spanned<f64>>,
    #[serde(default)]
    scenarios: BTreeMap<String, Spanned<f64>>,
    #[serde(default)]
    team_scenarios: BTreeMap<String, Spanned<f64>>,
    #[serde(default)]
    exercises: BTreeMap<String, Spanned<f64>>,
    valid_months: Option<Spanned<i64>>,
    renew_window_days: Option<Spanned<i64>>,
    renew: Option<Spanned<RawRenew>>,
}

/// Renewal requirements: scores to reach again inside the renewal window.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRenew {
    #[serde(default)]
    quizzes: BTreeMap<String, Spanned<f64>>,
    #[serde(default)]
    scenarios: BTreeMap<String, Spanned<f64>>,
    /// Not supported: read only to say so (team results carry no date to window).
    #[serde(default)]
    team_scenarios: BTreeMap<String, Spanned<f64>>,
    #[serde(default)]
    exercises: BTreeMap<String, Spanned<f64>>,
}

/// Scored requirements of one kind, each with the span of its minimum.
fn scored(
    file: &Path,
    text: &str,
    kind: &str,
    map: BTreeMap<String, Spanned<f64>>,
    out: &mut Vec<(Requirement, Range<usize>)>,
    diags: &mut Vec<Diagnostic>,
) {
    for (id, min) in map {
        let m = *min.get_ref();
        if !(0.0..=100.0).contains(&m) {
            diags.push(err(
                file,
                text,
                Some(min.span()),
                format!("no learner can ever meet `{id} = {m}`: scores go from 0 to 100"),
                "use a minimum score from 0 to 100",
            ));
        }
        let r = match kind {
            "quiz" => Requirement::Quiz { id, min: m },
            "scenario" => Requirement::Scenario { id, min: m },
            "team" => Requirement::TeamScenario { id, min: m },
            _ => Requirement::Exercise { id, min: m },
        };
        out.push((r, min.span()));
    }
}

/// Parses the track; requirement ids are checked against the course by the loader.
pub fn parse_track(file: &Path, text: &str) -> Result<Track, Vec<Diagnostic>> {
    let raw: RawTrack = toml::from_str(text).map_err(|e| {
        vec![toml_err(
            file,
            text,
            e,
            "certification.toml has id, title, issuer and `[[level]]` tables (id, title, read, quizzes, scenarios, team_scenarios, exercises, valid_months, renew_window_days, [level.renew])",
        )]
    })?;
    let mut diags = Vec::new();
    if !crate::quiz::valid_id(raw.id.get_ref()) {
        diags.push(err(
            file,
            text,
            Some(raw.id.span()),
            format!("invalid track id `{}`", raw.id.get_ref()),
            "use lowercase letters, digits and `-`",
        ));
    }
    if raw.level.is_empty() {
        diags.push(err(
            file,
            text,
            Some(0..0),
            "the track has no levels",
            "add `[[level]]` tables, lowest level first",
        ));
    }
    let mut seen = HashSet::new();
    let mut levels = Vec::new();
    for (i, l) in raw.level.into_iter().enumerate() {
        let (lspan, l) = (l.span(), l.into_inner());
        if !crate::quiz::valid_id(l.id.get_ref()) || !seen.insert(l.id.get_ref().clone()) {
            diags.push(err(
                file,
                text,
                Some(l.id.span()),
                format!("invalid or duplicate level id `{}`", l.id.get_ref()),
                "give every level its own id (lowercase letters, digits, `-`)",
            ));
        }
        let mut list = Vec::new();
        scored(file, text, "quiz", l.quizzes, &mut list, &mut diags);
        scored(file, text, "scenario", l.scenarios, &mut list, &mut diags);
        scored(file, text, "team", l.team_scenarios, &mut list, &mut diags);
        scored(file, text, "exercise", l.exercises, &mut list, &mut diags);
        for r in l.read {
            let span = r.span();
            list.push((Requirement::Read { id: r.into_inner() }, span));
        }
        let (reqs, spans): (Vec<_>, Vec<_>) = list.into_iter().unzip();
        let mut bounded = |v: Option<Spanned<i64>>, range: std::ops::RangeInclusive<i64>, name: &str, help: &str| match v {
            Some(v) if !range.contains(v.get_ref()) => {
                let msg = format!("`{name} = {}` is out of range", v.get_ref());
                diags.push(err(file, text, Some(v.span()), msg, help));
                None
            }
            v => v.map(|v| *v.get_ref() as u32),
        };
        let valid_months = bounded(
            l.valid_months,
            1..=600,
            "valid_months",
            "give the months a certificate stays valid, 1 to 600 (leave it out for no expiry)",
        );
        let renew_window_days = bounded(
            l.renew_window_days,
            1..=3650,
            "renew_window_days",
            "give the days before expiry when renewal opens, 1 to 3650 (default 90)",
        )
        .unwrap_or(90);
        let mut renew_list = Vec::new();
        if let Some(r) = l.renew {
            let (span, r) = (r.span(), r.into_inner());
            if valid_months.is_none() {
                diags.push(err(
                    file,
                    text,
                    Some(span.clone()),
                    format!("level `{}` has renewal requirements but never expires", l.id.get_ref()),
                    "add `valid_months = 24` (or remove `[level.renew]`)",
                ));
            }
            scored(file, text, "quiz", r.quizzes, &mut renew_list, &mut diags);
            scored(file, text, "scenario", r.scenarios, &mut renew_list, &mut diags);
            for (id, min) in &r.team_scenarios {
                diags.push(err(
                    file,
                    text,
                    Some(min.span()),
                    format!(
                        "level `{}` renews with team session `{id}`: team results cannot renew a certificate",
                        l.id.get_ref()
                    ),
                    "renewal windows are not supported for team results (a team session's score is kept as a best, without the date it was reached): renew with quizzes, scenarios or exercises; `team_scenarios` is fine among the level's own requirements",
                ));
            }
            scored(file, text, "exercise", r.exercises, &mut renew_list, &mut diags);
            if renew_list.is_empty() && r.team_scenarios.is_empty() {
                diags.push(err(
                    file,
                    text,
                    Some(span),
                    "`[level.renew]` lists nothing to do",
                    "add quizzes, scenarios or exercises with a minimum score, e.g. quizzes = { recert = 70 }",
                ));
            }
        }
        let (renewal, renewal_spans): (Vec<_>, Vec<_>) = renew_list.into_iter().unzip();
        if reqs.is_empty() {
            diags.push(err(
                file,
                text,
                Some(lspan),
                format!("level `{}` has no requirements", l.id.get_ref()),
                "add read, quizzes, scenarios, team_scenarios or exercises",
            ));
        }
        levels.push(Level {
            id: l.id.into_inner(),
            title: l.title,
            summary: l.summary,
            previous: l.previous.unwrap_or(i > 0),
            requirements: reqs,
            spans,
            valid_months,
            renewal,
            renewal_spans,
            renew_window_days,
        });
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    Ok(Track {
        id: raw.id.into_inner(),
        title: raw.title,
        issuer: raw.issuer,
        description: raw.description,
        levels,
        source: file.to_path_buf(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, Messages};

    #[test]
    fn the_default_rubric_is_named_in_the_courses_language() {
        let zh = default_rubric(&Messages::builtin(Lang::ZhCn));
        let names: Vec<&str> = zh.dimensions.iter().map(|d| d.title.as_str()).collect();
        assert_eq!(names, ["知识掌握", "问题解决", "创新思维", "团队协作", "表达沟通"]);
        assert_eq!(zh.dimensions[0].levels[0].text, "出色：超出要求，可作为范例");
        let en = default_rubric(&Messages::builtin(Lang::En));
        assert_eq!(en.dimensions[1].title, "Problem solving");
        assert!(en.dimensions.iter().flat_map(|d| &d.levels).all(|b| b.text.is_ascii()));
        let text: String = DIMENSIONS
            .iter()
            .map(|(id, _)| format!("[[dimension]]\nid = \"{id}\"\nweight = 1\n"))
            .collect();
        let parsed = parse_rubric(Path::new("rubric.toml"), &text, &Messages::builtin(Lang::En)).unwrap();
        assert_eq!(parsed.dimensions[4].title, "Communication");
    }

    const TEAM_LEVEL: &str = "id = \"t\"\ntitle = \"T\"\n\n[[level]]\nid = \"team\"\ntitle = \"团队\"\n";

    fn track(rest: &str) -> Result<Track, Vec<Diagnostic>> {
        parse_track(Path::new("content/certification.toml"), &format!("{TEAM_LEVEL}{rest}"))
    }

    #[test]
    fn team_scenarios_require_a_team_session_score_on_the_scenario() {
        let t = track("scenarios = { duel = 50 }\nteam_scenarios = { duel = 70 }\n").unwrap();
        assert_eq!(
            t.levels[0].requirements,
            [
                Requirement::Scenario {
                    id: "duel".into(),
                    min: 50.0
                },
                Requirement::TeamScenario {
                    id: "duel".into(),
                    min: 70.0
                },
            ]
        );
        // The span points at the minimum, for the loader's unknown-id diagnostic.
        let text = format!("{TEAM_LEVEL}scenarios = {{ duel = 50 }}\nteam_scenarios = {{ duel = 70 }}\n");
        assert_eq!(&text[t.levels[0].spans[1].clone()], "70");
        // Alone it is a requirement like any other (the level is not empty).
        assert!(track("team_scenarios = { duel = 0 }\n").is_ok());
        let json = serde_json::to_value(&t.levels[0].requirements[1]).unwrap();
        assert_eq!(json, serde_json::json!({ "kind": "team_scenario", "id": "duel", "min": 70.0 }));
    }

    #[test]
    fn a_team_scenario_minimum_outside_0_to_100_is_refused() {
        for (min, shown) in [("120", "120"), ("-1", "-1")] {
            let d = track(&format!("team_scenarios = {{ duel = {min} }}\n")).unwrap_err();
            assert_eq!(d.len(), 1, "{d:?}");
            assert_eq!(
                d[0].message,
                format!("no learner can ever meet `duel = {shown}`: scores go from 0 to 100")
            );
            assert_eq!(d[0].help.as_deref(), Some("use a minimum score from 0 to 100"));
        }
    }

    #[test]
    fn a_team_scenario_cannot_renew_a_certificate() {
        let d = track("team_scenarios = { duel = 70 }\nvalid_months = 12\n\n[level.renew]\nteam_scenarios = { duel = 80 }\n").unwrap_err();
        // One error, at the minimum, and not also "lists nothing to do".
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(
            d[0].message,
            "level `team` renews with team session `duel`: team results cannot renew a certificate"
        );
        assert!(
            d[0].help
                .as_deref()
                .unwrap()
                .starts_with("renewal windows are not supported for team results")
        );
        assert_eq!(d[0].line, 11);
        // Beside renewable requirements it is still refused.
        let d = track(
            "team_scenarios = { duel = 70 }\nvalid_months = 12\n\n[level.renew]\nquizzes = { q = 60 }\nteam_scenarios = { duel = 80 }\n",
        )
        .unwrap_err();
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].message.contains("team results cannot renew"));
    }
}
