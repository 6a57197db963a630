//! Accounts: password hashing, and making accounts from the command line (one at a
//! time, from a CSV file, the demo accounts). These run before any server does, so
//! they take the store itself rather than a [`super::Ctx`] (which needs the signing key).

use super::{Error, Result, random_token};
use crate::store::{NewLearner, Role, Store, User};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::RngCore;

/// Password work runs one at a time. argon2id is memory-hard on purpose: a burst of
/// logins computed side by side held a buffer each and kept the server's memory at
/// 200 MB; one at a time it stays one buffer, and a login burst cannot take every
/// core from graded submissions.
static PASSWORD_WORK: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// argon2id with 7 MiB and 5 passes: one of OWASP's equivalent settings (the crate's
/// default is the 19 MiB, 2-pass one). The same resistance for a third of the memory,
/// which keeps a small server small. Stored hashes carry their parameters, so hashes
/// made with other settings still verify.
fn argon2() -> Argon2<'static> {
    const M_KIB: u32 = 7 * 1024;
    const PASSES: u32 = 5;
    let params = argon2::Params::new(M_KIB, PASSES, 1, None).unwrap_or_default();
    Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
}

/// Hashes a password with argon2id (CPU-heavy: call off the async runtime).
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let _turn = PASSWORD_WORK.lock().unwrap_or_else(|p| p.into_inner());
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    Ok(argon2()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hash: {e}"))?
        .to_string())
}

/// Checks a password against a stored hash; `None` hash still spends the same work,
/// so timing does not reveal which user names exist.
pub fn verify_password(password: &str, hash: Option<&str>) -> bool {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password("certbook-dummy-password").unwrap_or_default());
    let h = hash.unwrap_or(dummy);
    let _turn = PASSWORD_WORK.lock().unwrap_or_else(|p| p.into_inner());
    let ok = PasswordHash::new(h)
        .map(|p| argon2().verify_password(password.as_bytes(), &p).is_ok())
        .unwrap_or(false);
    ok && hash.is_some()
}

/// A new random password of 16 characters.
fn generated_password() -> String {
    random_token()[..16].to_string()
}

fn hash(password: &str) -> Result<String> {
    hash_password(password).map_err(|e| Error::Internal(e.to_string()))
}

/// Good enough to catch a column mix-up; the mail server decides the rest.
pub fn valid_email(e: &str) -> bool {
    let e = e.trim();
    matches!(e.split_once('@'), Some((user, host)) if !user.is_empty() && host.contains('.') && !e.contains(char::is_whitespace))
}

/// An account to create or reset (`certbook user add`).
pub struct NewAccount {
    pub username: String,
    /// learner, instructor, hr or admin.
    pub role: String,
    /// Shown on pages and certificates; the login name when `None`.
    pub name: Option<String>,
    pub email: Option<String>,
    /// `None`: generate one.
    pub password: Option<String>,
}

/// A [`NewAccount`] that passed [`check_account`].
pub struct CheckedAccount {
    username: String,
    name: String,
    role: Role,
    email: Option<String>,
    password: Option<String>,
}

/// Checks an account before anything is opened or written.
pub fn check_account(a: NewAccount) -> Result<CheckedAccount> {
    let Some(role) = Role::parse(&a.role) else {
        return Err(Error::Unprocessable(crate::msg!("account-role-unknown", role = &a.role)));
    };
    if a.username.trim().is_empty() || a.username.len() > 64 {
        return Err(Error::Unprocessable(crate::msg!("account-username-length")));
    }
    if a.password.as_ref().is_some_and(|p| p.chars().count() < 8) {
        return Err(Error::Unprocessable(crate::msg!("account-password-too-short")));
    }
    if let Some(e) = a.email.as_deref().filter(|e| !valid_email(e)) {
        return Err(Error::Unprocessable(crate::msg!("account-email-invalid", email = e)));
    }
    Ok(CheckedAccount {
        name: a.name.unwrap_or_else(|| a.username.clone()),
        username: a.username.trim().to_string(),
        role,
        email: a.email.map(|e| e.trim().to_string()),
        password: a.password,
    })
}

/// Creates the account, or resets the password, name and role (and email, when given)
/// of an existing one. Returns it and the password when one was generated.
pub fn save_account(store: &Store, now: i64, a: CheckedAccount) -> Result<(User, Option<String>)> {
    let (password, generated) = match a.password {
        Some(p) => (p, None),
        None => {
            let p = generated_password();
            (p.clone(), Some(p))
        }
    };
    let user = store.save_account_blocking(a.username, a.name, a.role, hash(&password)?, a.email, now)?;
    Ok((user, generated))
}

/// A checked CSV row: (line, username, display name, role, cohort, department, password, email).
pub type ImportRow = (u64, String, String, Role, String, String, Option<String>, String);

/// Parses and checks every row of an account CSV (username, display_name, role,
/// cohort, department[, password][, email]); the errors name the CSV line.
pub fn parse_import(text: &str) -> Result<Vec<ImportRow>, Vec<String>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // The csv crate counts a CRLF file's lines wrongly (Excel writes CRLF).
    let text = text.replace("\r\n", "\n");
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(vec![format!("line 1: {e}")]),
    };
    let col = |name: &str| headers.iter().position(|h| h == name);
    let Some(user_col) = col("username") else {
        return Err(vec![
            "line 1: the header needs a `username` column (and display_name, role, cohort, department; password optional)".into(),
        ]);
    };
    let (name_col, role_col, cohort_col, dept_col, pw_col, email_col) = (
        col("display_name"),
        col("role"),
        col("cohort"),
        col("department"),
        col("password"),
        col("email"),
    );
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(format!("line {line}: {e}"));
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line());
        let get = |c: Option<usize>| c.and_then(|i| rec.get(i)).unwrap_or("").to_string();
        let username = get(Some(user_col));
        if username.is_empty() || username.chars().count() > 64 || username.chars().any(char::is_whitespace) {
            errors.push(format!("line {line}: username `{username}` must be 1–64 characters without spaces"));
            continue;
        }
        if let Some(first) = seen.insert(username.to_lowercase(), line) {
            errors.push(format!("line {line}: username `{username}` already appears on line {first}"));
            continue;
        }
        let role_text = get(role_col);
        let role = if role_text.is_empty() {
            Some(Role::Learner)
        } else {
            Role::parse(&role_text)
        };
        let Some(role) = role else {
            errors.push(format!(
                "line {line}: unknown role `{role_text}` (use learner, instructor, hr or admin)"
            ));
            continue;
        };
        let password = Some(get(pw_col)).filter(|p| !p.is_empty());
        if password.as_ref().is_some_and(|p| p.chars().count() < 8) {
            errors.push(format!("line {line}: the password of `{username}` is shorter than 8 characters"));
            continue;
        }
        let email = get(email_col);
        if !email.is_empty() && !valid_email(&email) {
            errors.push(format!("line {line}: `{email}` is not an email address"));
            continue;
        }
        let display = Some(get(name_col)).filter(|n| !n.is_empty()).unwrap_or_else(|| username.clone());
        rows.push((line, username, display, role, get(cohort_col), get(dept_col), password, email));
    }
    if errors.is_empty() { Ok(rows) } else { Err(errors) }
}

/// Creates or updates every row's account, all or nothing; returns how many, and the
/// passwords generated for new accounts that came without one (existing accounts
/// without one keep theirs).
pub fn import_accounts(store: &Store, now: i64, rows: Vec<ImportRow>) -> Result<(usize, Vec<(String, String)>)> {
    // Hashed before the store is asked anything: a bad password fails nothing half-way.
    let mut hashed = Vec::with_capacity(rows.len());
    for (_, username, display_name, role, cohort, department, password, email) in rows {
        let hash = match &password {
            Some(p) => hash(p)?,
            None => String::new(),
        };
        hashed.push(NewLearner {
            username,
            display_name,
            role,
            cohort,
            department,
            password_hash: hash,
            email,
        });
    }
    let existing = store.usernames_lowercase_blocking()?;
    let mut generated = Vec::new();
    for l in &mut hashed {
        if l.password_hash.is_empty() && !existing.contains(&l.username.to_lowercase()) {
            let pw = generated_password();
            l.password_hash = hash(&pw)?;
            generated.push((l.username.clone(), pw));
        }
    }
    let n = store.import_learners(hashed, now)?;
    Ok((n, generated))
}

/// Demo accounts: (login, message id of the display name, role).
const DEMO: &[(&str, &str, Role)] = &[
    ("learner", "account-demo-learner", Role::Learner),
    ("learner2", "account-demo-learner2", Role::Learner),
    // Three learners make the smallest market an instructor can try at /sessions.
    ("learner3", "account-demo-learner3", Role::Learner),
    ("instructor", "account-demo-instructor", Role::Instructor),
    ("hr", "account-demo-hr", Role::Hr),
    ("admin", "account-demo-admin", Role::Admin),
];

/// One demo account per role, each with a new password and its display name in the
/// course's language (`messages`, the curriculum's); returns (login, role, password).
pub fn create_demo_accounts(store: &Store, messages: &crate::i18n::Messages, now: i64) -> Result<Vec<(&'static str, Role, String)>> {
    let mut out = Vec::with_capacity(DEMO.len());
    for &(login, name, role) in DEMO {
        let password = format!("demo-{}", &random_token()[..10]);
        store.save_account_blocking(login.into(), messages.get(name), role, hash(&password)?, None, now)?;
        out.push((login, role, password));
    }
    Ok(out)
}

/// Admins: every account.
pub async fn list_users(ctx: &super::Ctx<'_>, actor: &User) -> Result<Vec<User>> {
    super::require(actor, &[])?;
    Ok(ctx.store.list_users().await?)
}

#[cfg(test)]
mod tests {
    use super::{hash_password, verify_password};

    #[test]
    fn hashes_are_argon2id_at_7_mib_and_5_passes_and_old_ones_still_verify() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"), "{h}");
        assert!(verify_password("correct horse", Some(&h)));
        assert!(!verify_password("wrong horse", Some(&h)));
        // A hash made with the crate's default (19 MiB, 2 passes) by an older certbook.
        use argon2::password_hash::{PasswordHasher, SaltString};
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        let old = argon2::Argon2::default()
            .hash_password(b"correct horse", &salt)
            .unwrap()
            .to_string();
        assert!(old.contains("m=19456,t=2"), "{old}");
        assert!(verify_password("correct horse", Some(&old)));
        assert!(!verify_password("correct horse", None), "no account never verifies");
    }
}
