//! Expiry reminders: which certificates a holder should be reminded of, and what the
//! reminder says. The same rule feeds the learner's pages and the email.

use super::{Catalog, Level, Records, Track, renewal, validity};
use crate::i18n::Messages;
use serde::Serialize;

/// How long after expiry the learner's pages keep pointing at an expired certificate.
const SHOW_EXPIRED_DAYS: i64 = 180;
const DAY_MS: i64 = 86_400_000;

/// A certificate its holder should act on: its renewal window is open, or it expired recently.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Reminder {
    pub certificate: String,
    pub level: String,
    pub level_title: String,
    /// Unix ms.
    pub expires_at: i64,
    pub expired: bool,
    /// Whole days left (0 on the last day; negative once expired).
    pub days_left: i64,
    /// What renews it, in words (the course's language); empty: it cannot be renewed here (HR re-awards it).
    pub renew_by: Vec<String>,
}

/// Is the reminder for a certificate expiring at `expires_at` due at `now`? From the
/// moment its level's renewal window opens until it expires.
pub fn due(level: &Level, expires_at: i64, now: i64) -> bool {
    now >= validity::window_opens(expires_at, level.renew_window_days) && now < expires_at
}

/// The reminder for one held certificate, if any is due, in `m`'s language.
#[allow(clippy::too_many_arguments)]
pub fn reminder(
    track: &Track,
    cur: &dyn Catalog,
    m: &Messages,
    id: &str,
    level_id: &str,
    expires_at: Option<i64>,
    revoked: bool,
    now: i64,
) -> Option<Reminder> {
    let (level, expires_at) = (track.levels.iter().find(|l| l.id == level_id)?, expires_at?);
    let expired = now >= expires_at;
    let show = if expired {
        now - expires_at < SHOW_EXPIRED_DAYS * DAY_MS
    } else {
        due(level, expires_at, now)
    };
    if revoked || !show {
        return None;
    }
    let opens = validity::window_opens(expires_at, level.renew_window_days);
    let renew_by = renewal(level, cur, m, &Records::default(), opens)
        .requirements
        .into_iter()
        .map(|r| r.label)
        .collect();
    Some(Reminder {
        certificate: id.to_string(),
        level: level.id.clone(),
        level_title: level.title.clone(),
        expires_at,
        expired,
        days_left: (expires_at - now).div_euclid(DAY_MS),
        renew_by,
    })
}

/// The reminder email in `m`'s language: subject and plain-text body.
pub fn email(m: &Messages, holder: &str, issuer: &str, r: &Reminder, account_url: &str) -> (String, String) {
    let day = validity::day(r.expires_at);
    let subject = m.format("remind-subject", &[("issuer", issuer), ("level", &r.level_title), ("day", &day)]);
    let how = if r.renew_by.is_empty() {
        m.get("remind-no-renewal")
    } else {
        let items: Vec<String> = r.renew_by.iter().map(|l| format!("  - {l}")).collect();
        format!("{}\n{}", m.get("remind-renew-by"), items.join("\n"))
    };
    let days = r.days_left.max(0).to_string();
    let body = m.format(
        "remind-body",
        &[
            ("holder", holder),
            ("level", &r.level_title),
            ("id", &r.certificate),
            ("day", &day),
            ("days", &days),
            ("how", &how),
            ("url", account_url),
            ("issuer", issuer),
        ],
    );
    (subject, body + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn reminder(renew_by: &[&str]) -> Reminder {
        Reminder {
            certificate: "CB-AAAA-BBBB-CCCC".into(),
            level: "junior".into(),
            level_title: "初级".into(),
            expires_at: 1_800_000_000_000,
            expired: false,
            days_left: 29,
            renew_by: renew_by.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// The Chinese email reads exactly as it did before it came from the catalogue.
    #[test]
    fn the_chinese_email_is_unchanged() {
        let zh = Messages::builtin(Lang::ZhCn);
        for r in [reminder(&[]), reminder(&["测验「考试」≥ 70%", "沙盘「危机」≥ 75 分"])] {
            let (subject, body) = email(&zh, "张三", "学院", &r, "https://x.test/account");
            let day = validity::day(r.expires_at);
            assert_eq!(subject, format!("【学院】您的「初级」证书将于 {day} 到期"));
            let how = if r.renew_by.is_empty() {
                "该等级无法在线续证，请联系人力资源部门重新认证。".to_string()
            } else {
                let items: Vec<String> = r.renew_by.iter().map(|l| format!("  - {l}")).collect();
                format!("在到期前完成以下续证要求，证书编号不变、有效期自动延长：\n{}", items.join("\n"))
            };
            let want = format!(
                "张三，您好：\n\n您持有的「初级」证书（编号 CB-AAAA-BBBB-CCCC）将于 {day} 到期，还剩 29 天。\n\n{how}\n\n查看进度与续证要求：https://x.test/account\n\n—— 学院\n(Your certificate CB-AAAA-BBBB-CCCC expires on {day}; renew it at https://x.test/account.)\n"
            );
            assert_eq!(body, want);
        }
    }

    #[test]
    fn an_english_course_sends_an_english_email() {
        let en = Messages::builtin(Lang::En);
        let mut r = reminder(&["Quiz “Exam”: at least 70%"]);
        r.level_title = "Starter".into();
        let (subject, body) = email(&en, "Ann", "Academy", &r, "https://x.test/account");
        let all = format!("{subject}\n{body}");
        assert!(
            !all.chars()
                .any(|c| ('\u{2e80}'..='\u{9fff}').contains(&c) || ('\u{ff00}'..='\u{ffef}').contains(&c)),
            "{all}"
        );
        assert!(subject.contains("Starter") && body.starts_with("Hello Ann,\n\n"), "{all}");
        assert!(
            body.contains("Days left: 29.") && body.contains("\n  - Quiz “Exam”: at least 70%\n"),
            "{all}"
        );
        assert!(body.ends_with("— Academy\n"), "{all}");
    }
}
