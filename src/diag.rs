//! Authoring diagnostics: what is wrong, where (file, line, column) and how to fix it.
//! Every loader collects all of them instead of stopping at the first.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// How bad a problem is: errors fail `check` and `build`, warnings do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One authoring problem at a place in a file.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Path as the author knows it (relative to the course directory).
    pub file: PathBuf,
    /// 1-based line; 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based column (in characters); 0 when unknown.
    pub column: usize,
    /// Byte range in the file, for the snippet.
    pub span: Option<Range<usize>>,
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error at `span` of `text` (the whole content of `file`).
    pub fn error(file: &Path, text: &str, span: Option<Range<usize>>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, file, text, span, message)
    }

    /// A warning at `span` of `text`.
    pub fn warning(file: &Path, text: &str, span: Option<Range<usize>>, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, file, text, span, message)
    }

    fn new(severity: Severity, file: &Path, text: &str, span: Option<Range<usize>>, message: impl Into<String>) -> Self {
        let (line, column) = match &span {
            Some(s) => line_col(text, s.start),
            None => (0, 0),
        };
        Diagnostic {
            severity,
            file: file.to_path_buf(),
            line,
            column,
            span,
            message: message.into(),
            help: None,
        }
    }

    /// Adds the fix.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// A rendering with the offending line underlined, for the terminal.
    /// `root` is the course directory the file path is relative to.
    pub fn render(&self, root: &Path) -> String {
        match self.span.as_ref().and_then(|_| std::fs::read_to_string(root.join(&self.file)).ok()) {
            Some(text) => self.render_text(&text),
            None => format!("{self}\n"),
        }
    }

    /// [`Diagnostic::render`] with the file's text already at hand.
    pub fn render_text(&self, text: &str) -> String {
        use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource};
        let mut out = format!("{self}\n");
        let Some(span) = &self.span else {
            return out;
        };
        let start = span.start.min(text.len());
        let len = span.end.clamp(start, text.len()) - start;
        // A warning is drawn with ⚠, an error with ×, so the two read differently.
        let severity = match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        };
        let mut diag = MietteDiagnostic::new(self.message.clone())
            .with_severity(severity)
            .with_label(LabeledSpan::at(start..start + len, "here"));
        if let Some(help) = &self.help {
            diag = diag.with_help(help.clone());
        }
        let report = miette::Report::new(diag).with_source_code(NamedSource::new(self.file.display().to_string(), text.to_string()));
        let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor());
        let mut snippet = String::new();
        if handler.render_report(&mut snippet, report.as_ref()).is_ok() {
            out = snippet;
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    /// `file:line:col: error: message (help: ...)` — one line, grep-friendly.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}", self.file.display())?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.column > 0 {
                write!(f, ":{}", self.column)?;
            }
        }
        write!(f, ": {kind}: {}", self.message)?;
        if let Some(help) = &self.help {
            write!(f, " (help: {help})")?;
        }
        Ok(())
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) + 1;
    (line, col)
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Diagnostics from one load, with a summary.
#[derive(Debug, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }
    pub fn errors(&self) -> usize {
        self.0.iter().filter(|d| d.is_error()).count()
    }
    pub fn warnings(&self) -> usize {
        self.0.len() - self.errors()
    }
    /// Sorts by file and position so output is stable.
    pub fn sort(&mut self) {
        self.0.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        write!(f, "{} error(s), {} warning(s)", self.errors(), self.warnings())
    }
}

impl std::error::Error for Diagnostics {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let text = "第一行\n答案 = \"E\"\n";
        let off = text.find('"').unwrap();
        assert_eq!(line_col(text, off), (2, 6));
    }

    #[test]
    fn warnings_and_errors_are_drawn_differently() {
        let text = "第一行\n答案 = \"E\"\n";
        let at = Some(text.find('"').unwrap()..text.len() - 1);
        let file = Path::new("quizzes/q.toml");
        let warning = Diagnostic::warning(file, text, at.clone(), "w").render_text(text);
        let error = Diagnostic::error(file, text, at, "e").render_text(text);
        assert!(warning.contains('⚠') && !warning.contains('×'), "{warning}");
        assert!(error.contains('×') && !error.contains('⚠'), "{error}");
    }
}
