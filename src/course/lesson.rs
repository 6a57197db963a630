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
        if let Some(at) = too_deep(inner) {
            return Err(Diagnostic::error(
                file,
                text,
                Some(start + at..start + at + 1),
                format!("front matter: brackets nested more than {MAX_YAML_DEPTH} deep"),
            )
            .help("front matter is YAML: `id: ...`, `title: ...`, `minutes: 20`, `objectives: [...]`"));
        }
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

/// Deepest `[`/`{` nesting allowed in YAML front matter. libyaml looks through every
/// open flow collection for each token, so time grows with the square of the depth:
/// 100,000 nested `[` took minutes. Real front matter nests one or two levels.
const MAX_YAML_DEPTH: usize = 32;

/// The byte offset of the first bracket nested deeper than [`MAX_YAML_DEPTH`]
/// (counting brackets inside quotes too: harmless at this depth).
fn too_deep(yaml: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, b) in yaml.bytes().enumerate() {
        match b {
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_YAML_DEPTH {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
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

    /// Found by hand probing the lesson fuzz target with large inputs: deeply nested
    /// YAML flow collections made libyaml take quadratic time (100,000 `[` ran for
    /// minutes), a hang for `check`, `build` and `serve --watch`.
    #[test]
    fn deeply_nested_yaml_front_matter_is_an_error_not_a_hang() {
        let n = 200_000;
        for open in ["[", "{a: "] {
            let text = format!("---\nid: x\nobjectives: {}\n---\nbody\n", open.repeat(n));
            let started = std::time::Instant::now();
            let e = parse_lesson(Path::new("a.md"), &text).err().expect("an error");
            assert!(e.message.contains("nested more than"), "{}", e.message);
            assert_eq!(e.line, 3);
            assert!(started.elapsed() < std::time::Duration::from_secs(2));
        }
        let ok = "---\nid: x\nobjectives: [\"a [b]\", \"{c}\"]\n---\n";
        assert!(parse_lesson(Path::new("a.md"), ok).is_ok());
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
