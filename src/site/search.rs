//! Certbook's search index. mdBook's built-in index splits only on white space, so
//! Chinese text becomes one "word" per sentence. We index Chinese as overlapping
//! character bigrams (as Lucene's CJK analyzer does) and other text as lowercase
//! words; `certbook.js` splits the query the same way, so a two-character word such
//! as 留存 finds every lesson containing it, with no dictionary in the browser.

use crate::course::Curriculum;
use mdbook_markdown::pulldown_cmark::{Event, Parser, TagEnd};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// File name of the index in the built site.
pub const INDEX_FILE: &str = "certbook-search.json";

/// Weight of a term found in a title relative to the body.
const TITLE_WEIGHT: u32 = 5;

#[derive(Serialize, Deserialize, Debug)]
pub struct Index {
    pub docs: Vec<Doc>,
    /// term → [(doc number, weighted term frequency)]
    pub terms: BTreeMap<String, Vec<(u32, u32)>>,
}

#[derive(Serialize, Deserialize, Debug)]
pub struct Doc {
    pub title: String,
    /// Site-relative URL of the page.
    pub url: String,
    /// Course › module, for the result list.
    pub crumb: String,
    /// Plain text, for snippets.
    pub text: String,
}

impl Index {
    /// Indexes every lesson, case and template of `cur`.
    pub fn build(cur: &Curriculum) -> Index {
        let mut docs = Vec::new();
        let mut terms: BTreeMap<String, Vec<(u32, u32)>> = BTreeMap::new();
        for (course, section, lesson) in cur.pages() {
            let n = docs.len() as u32;
            let text = plain_text(&lesson.body);
            let mut tf: HashMap<String, u32> = HashMap::new();
            for t in tokens(&lesson.title) {
                *tf.entry(t).or_default() += TITLE_WEIGHT;
            }
            for t in tokens(&text).into_iter().chain(lesson.objectives.iter().flat_map(|o| tokens(o))) {
                *tf.entry(t).or_default() += 1;
            }
            for (t, f) in tf {
                terms.entry(t).or_default().push((n, f));
            }
            docs.push(Doc {
                title: lesson.title.clone(),
                url: format!("{}/{}.html", course.id, lesson.id),
                crumb: format!("{} › {}", course.title, cur.section_title(section)),
                text,
            });
        }
        for postings in terms.values_mut() {
            postings.sort_unstable();
        }
        Index { docs, terms }
    }

    /// Documents containing every term of `query`, best first (the same ranking the page uses).
    pub fn search(&self, query: &str) -> Vec<&Doc> {
        let q = tokens(query);
        if q.is_empty() {
            return Vec::new();
        }
        let mut scores: HashMap<u32, (usize, f64)> = HashMap::new();
        for (i, t) in q.iter().enumerate() {
            // The word being typed (the last, in a Latin script) matches as a prefix.
            let prefix = i + 1 == q.len() && t.chars().all(|c| c.is_ascii_alphanumeric());
            let mut found: HashMap<u32, f64> = HashMap::new();
            let matching: Vec<&Vec<(u32, u32)>> = if prefix {
                self.terms
                    .range(t.clone()..)
                    .take_while(|(k, _)| k.starts_with(t.as_str()))
                    .map(|(_, p)| p)
                    .collect()
            } else {
                self.terms.get(t).into_iter().collect()
            };
            for postings in matching {
                let idf = (1.0 + self.docs.len() as f64 / postings.len() as f64).ln();
                for (d, f) in postings {
                    *found.entry(*d).or_default() += *f as f64 * idf;
                }
            }
            if found.is_empty() {
                return Vec::new();
            }
            for (d, s) in found {
                let e = scores.entry(d).or_default();
                e.0 += 1;
                e.1 += s;
            }
        }
        let mut hits: Vec<(u32, f64)> = scores
            .into_iter()
            .filter(|(_, (n, _))| *n == q.len())
            .map(|(d, (_, s))| (d, s))
            .collect();
        hits.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        hits.into_iter().map(|(d, _)| &self.docs[d as usize]).collect()
    }
}

/// True for characters indexed as CJK bigrams.
fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F | 0x3040..=0x30FF | 0xAC00..=0xD7AF)
}

/// Splits text into index terms: CJK runs into overlapping bigrams (a lone
/// character stays a unigram), other letters and digits into lowercase words of
/// two or more characters. Must match `tokens` in templates/theme/certbook.js.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cjk: Vec<char> = Vec::new();
    let mut word = String::new();
    let flush_cjk = |run: &mut Vec<char>, out: &mut Vec<String>| {
        match run.len() {
            0 => {}
            1 => out.push(run[0].to_string()),
            _ => out.extend(run.windows(2).map(|w| w.iter().collect())),
        }
        run.clear();
    };
    let flush_word = |w: &mut String, out: &mut Vec<String>| {
        if w.chars().count() >= 2 {
            out.push(fold(w));
        }
        w.clear();
    };
    for c in text.chars() {
        if is_cjk(c) {
            flush_word(&mut word, &mut out);
            cjk.push(c);
        } else if c.is_alphanumeric() {
            flush_cjk(&mut cjk, &mut out);
            word.extend(c.to_lowercase());
        } else {
            flush_cjk(&mut cjk, &mut out);
            flush_word(&mut word, &mut out);
        }
    }
    flush_cjk(&mut cjk, &mut out);
    flush_word(&mut word, &mut out);
    out
}

/// The readable text of a markdown body, directives removed.
/// A Latin word's plural folded to its singular, so "extinguishers" finds "extinguisher"
/// (a few English rules, no dictionary; words of other scripts unchanged). The page
/// script folds queries the same way.
pub fn fold(word: &str) -> String {
    let w = word;
    let n = w.len();
    if !w.is_ascii() || n <= 3 {
        return w.to_string();
    }
    if n > 4 && w.ends_with("ies") {
        return format!("{}y", &w[..n - 3]);
    }
    if ["sses", "xes", "zes", "ches", "shes"].iter().any(|e| w.ends_with(e)) {
        return w[..n - 2].to_string();
    }
    if w.ends_with('s') && !["ss", "us", "is"].iter().any(|e| w.ends_with(e)) {
        return w[..n - 1].to_string();
    }
    w.to_string()
}

pub fn plain_text(markdown: &str) -> String {
    use mdbook_markdown::pulldown_cmark::Options;
    let mut out = String::with_capacity(markdown.len());
    // Tables parsed as tables: their cells become text, not lines of pipes.
    for ev in Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        match ev {
            Event::Text(t) | Event::Code(t) if !t.trim_start().starts_with("{{#") => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableCell) => out.push(' '),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_english_plurals_and_leaves_other_words() {
        for (w, f) in [
            ("extinguishers", "extinguisher"),
            ("policies", "policy"),
            ("boxes", "box"),
            ("classes", "class"),
            ("process", "process"),
            ("status", "status"),
            ("analysis", "analysis"),
            ("gas", "gas"),
        ] {
            assert_eq!(fold(w), f, "{w}");
        }
    }

    #[test]
    fn splits_chinese_into_bigrams_and_keeps_english_words() {
        assert_eq!(tokens("提升留存率 DAU/MAU"), vec!["提升", "升留", "留存", "存率", "dau", "mau"]);
        assert_eq!(tokens("客 A"), vec!["客"]);
    }
}
