//! Expiry reminders: which certificates a holder should be reminded of, and what the
//! reminder says. The same rule feeds the learner's pages and the email.

use super::{Catalog, Level, Records, Track, renewal, validity};
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
    /// What renews it, in words; empty: it cannot be renewed here (HR re-awards it).
    pub renew_by: Vec<String>,
}

/// Is the reminder for a certificate expiring at `expires_at` due at `now`? From the
/// moment its level's renewal window opens until it expires.
pub fn due(level: &Level, expires_at: i64, now: i64) -> bool {
    now >= validity::window_opens(expires_at, level.renew_window_days) && now < expires_at
}

/// The reminder for one held certificate, if any is due.
pub fn reminder(
    track: &Track,
    cur: &dyn Catalog,
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
    let renew_by = renewal(level, cur, &Records::default(), opens)
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

/// The reminder email: subject and plain-text body.
pub fn email(holder: &str, issuer: &str, r: &Reminder, account_url: &str) -> (String, String) {
    let day = validity::day(r.expires_at);
    let subject = format!("【{issuer}】您的「{}」证书将于 {day} 到期", r.level_title);
    let how = if r.renew_by.is_empty() {
        "该等级无法在线续证，请联系人力资源部门重新认证。".to_string()
    } else {
        let items: Vec<String> = r.renew_by.iter().map(|l| format!("  - {l}")).collect();
        format!("在到期前完成以下续证要求，证书编号不变、有效期自动延长：\n{}", items.join("\n"))
    };
    let body = format!(
        "{holder}，您好：\n\n您持有的「{}」证书（编号 {}）将于 {day} 到期，还剩 {} 天。\n\n{how}\n\n查看进度与续证要求：{account_url}\n\n—— {issuer}\n(Your certificate {} expires on {day}; renew it at {account_url}.)\n",
        r.level_title,
        r.certificate,
        r.days_left.max(0),
        r.certificate,
    );
    (subject, body)
}
