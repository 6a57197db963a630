//! Lesson files: front matter (TOML between `+++` or YAML between `---`) and the
//! `{{#name arg}}` directives in the body.

use crate::diag::Diagnostic;
use serde::Deserialize;
use std::ops::Range;
use std::path::Path;

/// Front matter fields.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub id: Option<String>,
    pub title: Option<String>,
    pub minutes: Option<u32>,
    #[serde(default)]
    pub objectives: Vec<String>,
}

/// A parsed lesson file: front matter, body, and where the body starts.
pub struct LessonFile {
    pub front: FrontMatter,
    /// Byte range of the front matter block's text.
    pub front_span: Range<usize>,
    pub body: String,
    pub body_offset: usize,
}

/// Splits and parses the front matter; diagnostics point into `text`.
pub fn parse_lesson(file: &Path, text: &str) -> Result<LessonFile, Diagnostic> {
    let fence = if text.starts_with("+++") {
        "+++"
    } else if text.starts_with("---") {
        "---"
    } else {
        return Err(Diagnostic::error(file, text, Some(0..0), "the lesson has no front matter")
            .help("start the file with a `+++` block holding id, title, minutes and objectives"));
    };
    let start = text.find('\n').map(|i| i + 1).unwrap_or(text.len());
    let close = text[start..]
        .match_indices(fence)
        .map(|(i, _)| start + i)
        .find(|&i| text[..i].ends_with('\n'))
        .ok_or_else(|| {
            Diagnostic::error(file, text, Some(0..fence.len()), "the front matter is never closed")
                .help(format!("end the front matter with a line holding only `{fence}`"))
        })?;
    let inner = &text[start..close];
    let front: FrontMatter = if fence == "+++" {
        toml::from_str(inner).map_err(|e| {
            let span = e.span().map(|s| s.start + start..s.end + start);
            Diagnostic::error(file, text, span, format!("front matter: {}", e.message().trim()))
                .help("front matter is TOML: `id = \"...\"`, `title = \"...\"`, `minutes = 20`, `objectives = [\"...\"]`")
        })?
    } else {
        serde_yaml::from_str(inner).map_err(|e| {
            let off = e.location().map(|l| l.index() + start).unwrap_or(start);
            let msg = e.to_string();
            let msg = msg.split(" at line").next().unwrap_or(&msg).to_string();
            Diagnostic::error(file, text, Some(off..off), format!("front matter: {msg}"))
                .help("front matter is YAML: `id: ...`, `title: ...`, `minutes: 20`, `objectives: [...]`")
        })?
    };
    let body_offset = text[close..].find('\n').map(|i| close + i + 1).unwrap_or(text.len());
    Ok(LessonFile {
        front,
        front_span: start..close,
        body: text[body_offset..].to_string(),
        body_offset,
    })
}

/// A `{{#name arg}}` directive found in a lesson body.
#[derive(Clone, Debug, PartialEq)]
pub struct Directive {
    pub name: String,
    pub arg: String,
    /// Byte range in the body, braces included.
    pub span: Range<usize>,
}

/// Finds the directives in `body`, skipping fenced code blocks.
pub fn scan_directives(body: &str) -> Vec<Directive> {
    let mut out = Vec::new();
    let mut offset = 0;
    let mut in_fence = false;
    for line in body.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
        } else if !in_fence {
            let mut from = 0;
            while let Some(i) = line[from..].find("{{#") {
                let open = from + i;
                let Some(j) = line[open..].find("}}") else {
                    break;
                };
                let inner = &line[open + 3..open + j];
                let mut parts = inner.trim().splitn(2, char::is_whitespace);
                let name = parts.next().unwrap_or("").to_string();
                let arg = parts.next().unwrap_or("").trim().to_string();
                out.push(Directive {
                    name,
                    arg,
                    span: offset + open..offset + open + j + 2,
                });
                from = open + j + 2;
            }
        }
        offset += line.len();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_directives_outside_code_fences() {
        let body = "text {{#quiz a-1}}\n```\n{{#quiz no}}\n```\n{{#sandbox  growth }}\n";
        let d = scan_directives(body);
        assert_eq!(d.len(), 2);
        assert_eq!((d[0].name.as_str(), d[0].arg.as_str()), ("quiz", "a-1"));
        assert_eq!(&body[d[1].span.clone()], "{{#sandbox  growth }}");
        assert_eq!(d[1].arg, "growth");
    }

    #[test]
    fn parses_toml_and_yaml_front_matter() {
        let t = parse_lesson(Path::new("a.md"), "+++\nid = \"a\"\ntitle = \"A\"\n+++\nbody\n")
            .ok()
            .unwrap();
        assert_eq!((t.front.id.as_deref(), t.body.as_str()), (Some("a"), "body\n"));
        let y = parse_lesson(Path::new("a.md"), "---\nid: b\ntitle: B\nminutes: 5\n---\nbody\n")
            .ok()
            .unwrap();
        assert_eq!((y.front.id.as_deref(), y.front.minutes), (Some("b"), Some(5)));
    }
}
