//! How long a certificate is valid, and when and how it can be renewed. One place
//! for the rule, used by the API, the pages, the credential and HR's lists.

use serde::Serialize;

/// A certificate's standing at a moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CertStatus {
    Valid,
    Expired,
    /// Held back for a while by an admin (an investigation, say); it can be reinstated.
    Suspended,
    Revoked,
}

impl CertStatus {
    pub fn of(revoked_at: Option<i64>, suspended_at: Option<i64>, expires_at: Option<i64>, now: i64) -> CertStatus {
        if revoked_at.is_some() {
            CertStatus::Revoked
        } else if suspended_at.is_some() {
            CertStatus::Suspended
        } else if expires_at.is_some_and(|e| now >= e) {
            CertStatus::Expired
        } else {
            CertStatus::Valid
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CertStatus::Valid => "valid",
            CertStatus::Expired => "expired",
            CertStatus::Suspended => "suspended",
            CertStatus::Revoked => "revoked",
        }
    }
}

const DAY_MS: i64 = 86_400_000;

/// `2026-11-23` (UTC).
pub fn day(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .map(|t| format!("{}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day()))
        .unwrap_or_default()
}

/// Unix ms as an RFC 3339 UTC date-time (whole seconds), as credentials carry it.
pub fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms / 1000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

/// `ms` plus whole calendar months (UTC); the 31st becomes the month's last day.
pub fn add_months(ms: i64, months: u32) -> i64 {
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000) else {
        return ms;
    };
    let total = t.year() * 12 + (u8::from(t.month()) as i32 - 1) + months as i32;
    let (year, month) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u8);
    let Ok(month) = time::Month::try_from(month) else {
        return ms;
    };
    let day = t.day().min(time::util::days_in_month(month, year));
    match time::Date::from_calendar_date(year, month, day) {
        Ok(d) => (t.replace_date(d).unix_timestamp_nanos() / 1_000_000) as i64,
        Err(_) => ms,
    }
}

/// When the renewal window of a certificate expiring at `expires_at` opens.
pub fn window_opens(expires_at: i64, window_days: u32) -> i64 {
    expires_at - window_days as i64 * DAY_MS
}

/// The new expiry after a renewal at `now`: a renewal before expiry extends from the
/// old expiry (renewing early loses nothing), one after expiry from `now`.
pub fn renewed_expiry(expires_at: i64, now: i64, valid_months: u32) -> i64 {
    add_months(expires_at.max(now), valid_months)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(y: i32, m: u8, d: u8) -> i64 {
        let date = time::Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), d).unwrap();
        date.midnight().assume_utc().unix_timestamp() * 1000
    }

    #[test]
    fn months_are_calendar_months() {
        assert_eq!(add_months(ms(2026, 1, 31), 1), ms(2026, 2, 28));
        assert_eq!(add_months(ms(2026, 11, 23), 24), ms(2028, 11, 23));
        assert_eq!(add_months(ms(2026, 12, 5), 1), ms(2027, 1, 5));
    }

    #[test]
    fn status_flips_exactly_at_expiry() {
        let e = ms(2028, 1, 1);
        assert_eq!(CertStatus::of(None, None, Some(e), e - 1), CertStatus::Valid);
        assert_eq!(CertStatus::of(None, None, Some(e), e), CertStatus::Expired);
        assert_eq!(CertStatus::of(Some(1), None, Some(e), 0), CertStatus::Revoked);
        assert_eq!(CertStatus::of(None, None, None, i64::MAX), CertStatus::Valid);
        assert_eq!(
            CertStatus::of(None, Some(1), Some(e), e),
            CertStatus::Suspended,
            "suspension shows over expiry"
        );
        assert_eq!(
            CertStatus::of(Some(2), Some(1), None, 0),
            CertStatus::Revoked,
            "revocation over suspension"
        );
    }

    #[test]
    fn renewing_early_extends_from_the_old_expiry() {
        let e = ms(2028, 1, 1);
        assert_eq!(renewed_expiry(e, e - 10 * DAY_MS, 24), ms(2030, 1, 1));
        assert_eq!(renewed_expiry(e, ms(2028, 3, 1), 24), ms(2030, 3, 1));
    }
}
