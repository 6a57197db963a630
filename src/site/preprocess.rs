//! The mdBook preprocessor that turns `{{#quiz id}}` and `{{#sandbox id}}` into
//! placeholders the page script fills from the server. Only ids and titles go into
//! the page: no answer keys, no model formulas.

use crate::course::{Curriculum, scan_directives};
use crate::i18n::Messages;
use mdbook_driver::book::{Book, BookItem};
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Replaces quiz directives with `<div class="cb-quiz" data-quiz="id">` placeholders.
pub struct Placeholders {
    titles: BTreeMap<String, String>,
    scenarios: BTreeMap<String, String>,
    /// Exercise id → (title, prompt markdown, minutes).
    exercises: BTreeMap<String, (String, String, Option<u32>)>,
    /// The course's messages, for the texts shown before the page script runs.
    messages: Arc<Messages>,
}

impl Placeholders {
    pub const NAME: &'static str = "certbook-placeholders";

    pub fn new(cur: &Curriculum) -> Self {
        Placeholders {
            titles: cur.quizzes.iter().map(|(id, q)| (id.clone(), q.title.clone())).collect(),
            scenarios: cur.scenarios.iter().map(|(id, s)| (id.clone(), s.title.clone())).collect(),
            exercises: cur
                .exercises
                .iter()
                .map(|(id, e)| (id.clone(), (e.title.clone(), e.prompt.clone(), e.minutes)))
                .collect(),
            messages: Arc::clone(&cur.messages),
        }
    }

    /// The chapter text with every known quiz directive replaced.
    pub fn replace(&self, content: &str) -> String {
        let mut out = String::with_capacity(content.len());
        let mut last = 0;
        for d in scan_directives(content) {
            let html = match d.name.as_str() {
                "quiz" => self.titles.get(&d.arg).map(|t| placeholder(&d.arg, t, &self.messages)),
                "sandbox" => self.scenarios.get(&d.arg).map(|t| sandbox_placeholder(&d.arg, t, &self.messages)),
                "exercise" => self
                    .exercises
                    .get(&d.arg)
                    .map(|(t, p, m)| exercise_placeholder(&d.arg, t, p, *m, &self.messages)),
                _ => None,
            };
            let Some(html) = html else {
                continue;
            };
            out.push_str(&content[last..d.span.start]);
            out.push_str(&html);
            last = d.span.end;
        }
        out.push_str(&content[last..]);
        out
    }
}

impl Preprocessor for Placeholders {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn run(&self, _ctx: &PreprocessorContext, mut book: Book) -> anyhow::Result<Book> {
        book.for_each_mut(|item| {
            if let BookItem::Chapter(ch) = item {
                // The glossary page sits at the book's root; a chapter links it relative to itself.
                let depth = ch.path.as_ref().map_or(0, |p| p.components().count().saturating_sub(1));
                let glossary = format!("{}glossary.md", "../".repeat(depth));
                ch.content = crate::course::glossary::rewrite(&self.replace(&ch.content), &glossary);
            }
        });
        Ok(book)
    }
}

// The fallback texts are HTML from the catalogue (they hold a sign-in link).
fn placeholder(id: &str, title: &str, m: &Messages) -> String {
    let id = html_escape(id);
    let title = html_escape(title);
    let fallback = m.get("site-quiz-fallback");
    format!(
        "\n\n<section class=\"cb-quiz\" data-quiz=\"{id}\" aria-label=\"{title}\">\n<h2 class=\"cb-quiz-title\">{title}</h2>\n<p class=\"cb-quiz-fallback\">{fallback}</p>\n</section>\n\n"
    )
}

fn sandbox_placeholder(id: &str, title: &str, m: &Messages) -> String {
    let id = html_escape(id);
    let title = html_escape(title);
    let fallback = m.get("site-sandbox-fallback");
    format!(
        "\n\n<section class=\"cb-sandbox\" data-sandbox=\"{id}\" aria-label=\"{title}\">\n<h2 class=\"cb-sandbox-title\">{title}</h2>\n<p class=\"cb-sandbox-fallback\">{fallback}</p>\n</section>\n\n"
    )
}

/// The exercise's task is ordinary course text (markdown, rendered by mdBook); the
/// answer box is filled in by the page script for a logged-in learner.
fn exercise_placeholder(id: &str, title: &str, prompt: &str, minutes: Option<u32>, m: &Messages) -> String {
    let id = html_escape(id);
    let title = html_escape(title);
    let minutes = minutes
        .map(|n| {
            let text = html_escape(&m.format("site-exercise-minutes", &[("n", &n.to_string())]));
            format!("<p class=\"cb-meta\">{text}</p>\n")
        })
        .unwrap_or_default();
    let fallback = m.get("site-exercise-fallback");
    format!(
        "\n\n<section class=\"cb-exercise\" data-exercise=\"{id}\" aria-label=\"{title}\">\n<h2 class=\"cb-exercise-title\">{title}</h2>\n{minutes}\n{prompt}\n\n<div class=\"cb-exercise-body\"><p class=\"cb-exercise-fallback\">{fallback}</p></div>\n</section>\n\n"
    )
}

/// Escapes text for HTML element content and attribute values.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
