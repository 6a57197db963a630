//! HR's import of certifications earned before certbook: a CSV with one row per
//! certificate (learner, level, issued, expires, note). Everything the file alone can
//! show is checked here; whether the learner exists and already holds the level is
//! checked by the store inside the importing transaction. One bad row imports nothing.

use super::{Track, validity};
use crate::i18n::{Messages, Msg};

/// A checked row, ready to import.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportedCertificate {
    /// The CSV line, for errors found later (unknown learner, level already held).
    pub line: u64,
    pub username: String,
    pub level: String,
    pub issued_at: i64,
    pub expires_at: Option<i64>,
    pub note: String,
}

/// A refused row: its CSV line and why.
#[derive(Clone, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct RowError {
    pub line: u64,
    pub reason: String,
}

impl RowError {
    /// The refused row as a page lists it ("Line 3: …"), in `m`'s language.
    pub fn text(&self, m: &Messages) -> String {
        m.format("import-row", &[("line", &self.line.to_string()), ("reason", &self.reason)])
    }
}

/// The header the import expects (also the template HR downloads).
pub const HEADER: &str = "learner,level,issued,expires,note";

const NOTE_MAX: usize = 500;
const ROWS_MAX: usize = 10_000;

fn day_ms(s: &str) -> Option<i64> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let d = time::Date::parse(s, &fmt).ok()?;
    Some(d.midnight().assume_utc().unix_timestamp() * 1000)
}

/// Parses and checks every row against the track, each reason in `m`'s language; `now` refuses issue dates in the
/// future. A level may be named by its id or its title. An empty `expires` takes
/// the level's validity from the issue date. Returns the good rows and the errors of
/// the bad ones (the store then checks the good ones too, so HR sees every problem at once).
pub fn parse_csv_in(text: &str, track: &Track, now: i64, m: &Messages) -> (Vec<ImportedCertificate>, Vec<RowError>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // The csv crate counts a CRLF file's lines wrongly (browsers send textareas with CRLF).
    let text = text.replace("\r\n", "\n");
    let err = |line: u64, reason: Msg| RowError {
        line,
        reason: m.text(&reason),
    };
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => return (Vec::new(), vec![err(1, crate::msg!("import-unreadable-header", error = e))]),
    };
    let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (Some(learner_col), Some(level_col), Some(issued_col)) = (col("learner"), col("level"), col("issued")) else {
        return (Vec::new(), vec![err(1, crate::msg!("import-header-columns", header = HEADER))]);
    };
    let (expires_col, note_col) = (col("expires"), col("note"));
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errors.push(err(
                    e.position().map_or(0, |p| p.line()),
                    crate::msg!("import-unreadable-row", error = e),
                ));
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line());
        if rows.len() + errors.len() >= ROWS_MAX {
            errors.push(err(line, crate::msg!("import-too-many-rows", max = ROWS_MAX)));
            break;
        }
        let get = |c: Option<usize>| c.and_then(|i| rec.get(i)).unwrap_or("").to_string();
        if rec.iter().all(str::is_empty) {
            continue;
        }
        let username = get(Some(learner_col));
        if username.is_empty() {
            errors.push(err(line, crate::msg!("import-learner-empty")));
            continue;
        }
        let level_text = get(Some(level_col));
        let Some(level) = track.levels.iter().find(|l| l.id == level_text || l.title == level_text) else {
            let known: Vec<&str> = track.levels.iter().map(|l| l.id.as_str()).collect();
            errors.push(err(
                line,
                crate::msg!("import-unknown-level", level = level_text, known = known.join(", ")),
            ));
            continue;
        };
        let issued_text = get(Some(issued_col));
        let Some(issued_at) = day_ms(&issued_text) else {
            errors.push(err(line, crate::msg!("import-issued-not-a-date", issued = issued_text)));
            continue;
        };
        if issued_at > now {
            errors.push(err(line, crate::msg!("import-issued-in-future", issued = issued_text)));
            continue;
        }
        let expires_text = get(expires_col);
        let expires_at = if expires_text.is_empty() {
            level.valid_months.map(|m| validity::add_months(issued_at, m))
        } else {
            match day_ms(&expires_text) {
                Some(t) if t > issued_at => Some(t),
                Some(_) => {
                    errors.push(err(line, crate::msg!("import-expires-before-issued", expires = expires_text)));
                    continue;
                }
                None => {
                    errors.push(err(line, crate::msg!("import-expires-not-a-date", expires = expires_text)));
                    continue;
                }
            }
        };
        let note = get(note_col);
        if note.chars().count() > NOTE_MAX {
            errors.push(err(line, crate::msg!("import-note-too-long", max = NOTE_MAX)));
            continue;
        }
        let key = (username.to_lowercase(), level.id.clone());
        if let Some(first) = seen.insert(key, line) {
            errors.push(err(line, crate::msg!("import-duplicate-row", first = first)));
            continue;
        }
        rows.push(ImportedCertificate {
            line,
            username,
            level: level.id.clone(),
            issued_at,
            expires_at,
            note,
        });
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(err(2, crate::msg!("import-no-rows")));
    }
    (rows, errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn parse_csv(text: &str, track: &Track, now: i64) -> (Vec<ImportedCertificate>, Vec<RowError>) {
        parse_csv_in(text, track, now, &Messages::builtin(Lang::ZhCn))
    }

    fn track() -> Track {
        let text = r#"
id = "ops"
title = "运营"
issuer = "学院"
[[level]]
id = "basic"
title = "初级"
read = ["a"]
valid_months = 12
[[level]]
id = "senior"
title = "高级"
read = ["a"]
"#;
        crate::certify::parse_track(std::path::Path::new("certification.toml"), text).expect("track parses")
    }

    const NOW: i64 = 1_800_000_000_000;

    #[test]
    fn good_rows_import_with_the_levels_validity() {
        let csv = "learner,level,issued,expires,note\nzhang,basic,2025-03-01,,旧系统\nli,高级,2024-01-15,2027-01-15,\n";
        let (rows, errors) = parse_csv(csv, &track(), NOW);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].expires_at, Some(validity::add_months(rows[0].issued_at, 12)));
        assert_eq!(rows[1].level, "senior");
        assert_eq!(rows[1].line, 3);
    }

    #[test]
    fn every_bad_row_is_named_with_its_line() {
        let csv = "learner,level,issued,expires,note\n\
                   zhang,basic,2025-03-01,,\n\
                   ,basic,2025-03-01,,\n\
                   li,master,2025-03-01,,\n\
                   wu,basic,03/01/2025,,\n\
                   zhao,basic,2025-03-01,2025-02-01,\n\
                   ZHANG,basic,2025-04-01,,\n\
                   qian,basic,2099-01-01,,\n";
        let (rows, errors) = parse_csv(csv, &track(), NOW);
        assert_eq!(rows.len(), 1, "the good row is kept for the store's checks");
        let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 4, 5, 6, 7, 8], "{errors:?}");
        assert!(errors[1].reason.contains("master"));
        assert!(errors[4].reason.contains("第 2 行"));
    }

    #[test]
    fn lines_count_the_same_with_windows_line_ends() {
        // Browsers send a textarea with CRLF line ends.
        let csv = "learner,level,issued,expires,note\r\nzhang,basic,2025-03-01,,\r\nli,master,2025-03-01,,\r\n";
        let (_, errors) = parse_csv(csv, &track(), NOW);
        assert_eq!(errors[0].line, 3, "{errors:?}");
    }

    #[test]
    fn a_wrong_header_says_what_it_needs() {
        let (_, errors) = parse_csv("name,grade\nzhang,basic\n", &track(), NOW);
        assert_eq!(errors[0].line, 1);
        assert!(errors[0].reason.contains(HEADER));
        assert!(!parse_csv("learner,level,issued\n", &track(), NOW).1.is_empty(), "no rows");
    }

    #[test]
    fn an_english_course_gets_english_reasons() {
        let en = Messages::builtin(Lang::En);
        let csv = "learner,level,issued,expires,note\nli,master,2025-03-01,,\nwu,basic,2099-01-01,,\n";
        let (_, errors) = parse_csv_in(csv, &track(), NOW, &en);
        let texts: Vec<String> = errors.iter().map(|e| e.text(&en)).collect();
        assert_eq!(texts[0], "Line 2: Unknown level “master”: use one of basic, senior.");
        assert_eq!(texts[1], "Line 3: The issue date 2099-01-01 is in the future.");
        let (_, errors) = parse_csv_in("name\n", &track(), NOW, &en);
        assert!(errors[0].reason.contains(HEADER) && errors[0].reason.is_ascii(), "{errors:?}");
        let zh = errors_zh("learner,level,issued\nli,master,2025-03-01\n");
        assert_eq!(
            zh[0].text(&Messages::builtin(Lang::ZhCn)),
            "第 2 行：没有等级「master」，可用的等级：basic, senior"
        );
    }

    fn errors_zh(csv: &str) -> Vec<RowError> {
        parse_csv(csv, &track(), NOW).1
    }
}
