//! The course glossary (`content/glossary.toml`): one definition per term, linked from
//! lesson text as `[ARPU](glossary:arpu)`. Pure text functions: finding those links,
//! finding a term used in prose without one, and rewriting links to the glossary page.

use std::ops::Range;

/// One glossary entry.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    /// The link target: lowercase ASCII letters, digits and hyphens.
    pub id: String,
    /// The heading shown on the glossary page.
    pub term: String,
    /// The words lessons use for the term (how an unlinked use is found).
    #[serde(default)]
    pub names: Vec<String>,
    pub definition: String,
    /// Where common usage differs, and what the course uses.
    #[serde(default)]
    pub differs: Option<String>,
}

/// The link scheme lesson text uses for glossary terms.
pub const SCHEME: &str = "glossary:";

/// Whether `id` is a well-formed term id.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Every `](glossary:ID)` link in `text`: the id and the byte range of the target.
pub fn links(text: &str) -> Vec<(String, Range<usize>)> {
    let marker = format!("]({SCHEME}");
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find(&marker) {
        let start = from + i + 2;
        let rest = &text[start + SCHEME.len()..];
        let end = rest.find(|c: char| c == ')' || c.is_whitespace()).unwrap_or(rest.len());
        out.push((rest[..end].to_string(), start..start + SCHEME.len() + end));
        from = start + SCHEME.len() + end;
    }
    out
}

/// Rewrites every glossary link to the glossary page, `page` being its URL as seen from
/// the page the text is on (e.g. `../glossary.md`).
pub fn rewrite(text: &str, page: &str) -> String {
    text.replace(&format!("]({SCHEME}"), &format!("]({page}#"))
}

/// The terms `text` uses in its prose without linking them anywhere on the page: each
/// with the byte offset of its first use. Headings, code, link targets and directives
/// are not prose; a name made of ASCII letters only counts as a whole word ("CR" is
/// not found in "CRM").
pub fn unlinked<'t>(text: &str, terms: &'t [Term]) -> Vec<(&'t Term, usize)> {
    let linked: std::collections::HashSet<String> = links(text).into_iter().map(|(id, _)| id).collect();
    let prose = prose_mask(text);
    let mut out = Vec::new();
    for term in terms.iter().filter(|t| !linked.contains(&t.id)) {
        let first = term
            .names
            .iter()
            .filter(|n| !n.trim().is_empty())
            .filter_map(|n| first_use(&prose, n))
            .min();
        if let Some(at) = first {
            out.push((term, at));
        }
    }
    out
}

/// The first whole-word occurrence of `name` in `prose`.
fn first_use(prose: &str, name: &str) -> Option<usize> {
    let wordy = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut from = 0;
    while let Some(i) = prose[from..].find(name) {
        let at = from + i;
        let before = prose[..at].chars().next_back();
        let after = prose[at + name.len()..].chars().next();
        let edge_ok = |c: Option<char>, inner: Option<char>| match (c, inner) {
            (Some(c), Some(n)) if wordy(n) => !wordy(c),
            _ => true,
        };
        if edge_ok(before, name.chars().next()) && edge_ok(after, name.chars().next_back()) {
            return Some(at);
        }
        from = at + name.len();
    }
    None
}

/// `text` with everything that is not prose blanked out (same byte offsets): fenced
/// code, headings, inline code, link targets and `{{#…}}` directives.
fn prose_mask(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut fenced = false;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fenced = !fenced;
            out.push_str(&blank(line));
            continue;
        }
        if fenced || trimmed.starts_with('#') {
            out.push_str(&blank(line));
            continue;
        }
        out.push_str(&mask_inline(line));
    }
    out
}

/// Blanks inline code, link targets `](…)` and directives `{{#…}}` in one line.
fn mask_inline(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    loop {
        let next = [rest.find('`'), rest.find("]("), rest.find("{{#")].into_iter().flatten().min();
        let Some(i) = next else {
            out.push_str(rest);
            return out;
        };
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let (open, close) = if tail.starts_with('`') {
            ("`", "`")
        } else if tail.starts_with("](") {
            ("](", ")")
        } else {
            ("{{#", "}}")
        };
        let end = tail[open.len()..].find(close).map_or(tail.len(), |j| open.len() + j + close.len());
        out.push_str(&blank(&tail[..end]));
        rest = &tail[end..];
    }
}

/// Spaces for every byte of `s` except line breaks (so offsets and lines stay put).
fn blank(s: &str) -> String {
    s.bytes().map(|b| if b == b'\n' { '\n' } else { ' ' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(id: &str, names: &[&str]) -> Term {
        Term {
            id: id.into(),
            term: id.into(),
            names: names.iter().map(|s| s.to_string()).collect(),
            definition: "d".into(),
            differs: None,
        }
    }

    #[test]
    fn finds_links_and_their_ids() {
        let text = "看 [ARPU](glossary:arpu) 与 [留存率](glossary:retention)。";
        let ids: Vec<String> = links(text).into_iter().map(|(id, _)| id).collect();
        assert_eq!(ids, ["arpu", "retention"]);
        let (_, r) = &links(text)[0];
        assert_eq!(&text[r.clone()], "glossary:arpu");
    }

    #[test]
    fn a_used_term_without_a_link_is_reported_at_its_first_prose_use() {
        let terms = [term("arpu", &["ARPU"]), term("cr", &["CR"]), term("ltv", &["LTV", "生命周期价值"])];
        let text = "# ARPU 一节\n\n`ARPU` 在代码里不算。正文说 ARPU 很高，CRM 不是 CR 的用法吗？\n";
        let found: Vec<(&str, usize)> = unlinked(text, &terms).into_iter().map(|(t, at)| (t.id.as_str(), at)).collect();
        let arpu = text.find("说 ARPU").unwrap() + "说 ".len();
        let cr = text.find(" CR ").unwrap() + 1;
        assert_eq!(found, [("arpu", arpu), ("cr", cr)]);
    }

    #[test]
    fn a_linked_term_is_not_reported_even_where_it_appears_again() {
        let terms = [term("arpu", &["ARPU"])];
        let text = "[ARPU](glossary:arpu) 是平均收入；ARPU 再次出现。";
        assert!(unlinked(text, &terms).is_empty());
    }

    #[test]
    fn rewrites_links_to_the_glossary_page() {
        assert_eq!(rewrite("[ARPU](glossary:arpu)", "../glossary.md"), "[ARPU](../glossary.md#arpu)");
    }
}
