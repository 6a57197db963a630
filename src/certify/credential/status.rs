//! W3C Bitstring Status List v1.0: one entry per credential, in lists of
//! [`LIST_ENTRIES`] entries, each [`STATUS_SIZE`] bits wide.
//!
//! Open Badges 3.0 allows one `credentialStatus`, so revocation and suspension share
//! one two-bit entry with `statusPurpose: "message"`: 0 valid, 1 suspended, 2 revoked.
//! Revocation is final, so a revoked certificate reads 2 whether or not it was
//! suspended first.

use serde_json::{Value, json};

/// Entries in one status list: the Recommendation's minimum, so a verifier fetching a
/// list learns nothing from its size.
pub const LIST_ENTRIES: u64 = 131_072;
/// Bits per entry.
pub const STATUS_SIZE: u32 = 2;

/// What an entry's value means (the `statusMessage` the credential commits to).
pub const MESSAGES: [&str; 4] = ["valid", "suspended", "revoked", "undefined"];

/// A certificate's status as the list carries it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Listed {
    Valid = 0,
    Suspended = 1,
    Revoked = 2,
}

impl Listed {
    pub fn of(revoked: bool, suspended: bool) -> Listed {
        match (revoked, suspended) {
            (true, _) => Listed::Revoked,
            (false, true) => Listed::Suspended,
            _ => Listed::Valid,
        }
    }
}

/// The `statusMessage` array of an entry.
pub fn status_messages() -> Value {
    Value::Array(
        MESSAGES
            .iter()
            .enumerate()
            .map(|(i, m)| json!({ "status": format!("0x{i:x}"), "message": m }))
            .collect(),
    )
}

/// The `encodedList` of a list whose entries are `size` bits wide, with the given
/// (index, value) pairs set: the bitstring (index i occupies bits i·size …, the first
/// the most significant; bit 0 is the first byte's most significant bit),
/// GZIP-compressed, base64url without padding, multibase prefix `u`.
pub fn encode_list(entries: u64, size: u32, values: &[(u64, u8)]) -> String {
    use base64::Engine;
    use std::io::Write;
    let bits = entries * u64::from(size);
    let mut raw = vec![0u8; bits.div_ceil(8) as usize];
    for &(index, value) in values {
        if index >= entries {
            continue;
        }
        for b in 0..size {
            if value >> (size - 1 - b) & 1 == 1 {
                let pos = index * u64::from(size) + u64::from(b);
                raw[(pos / 8) as usize] |= 0x80 >> (pos % 8);
            }
        }
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = gz.write_all(&raw);
    let packed = gz.finish().unwrap_or_default();
    format!("u{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(packed))
}

/// The `size`-bit value at `index` of an `encodedList`, checking the list holds at
/// least [`LIST_ENTRIES`] entries as the validation algorithm requires.
pub fn read_list(encoded: &str, index: u64, size: u32) -> Result<u8, String> {
    use base64::Engine;
    use std::io::Read;
    if !(1..=8).contains(&size) {
        return Err(format!("statusSize {size} is not supported (1 to 8 bits)"));
    }
    let b64 = encoded.strip_prefix('u').ok_or("encodedList is not base64url multibase")?;
    let packed = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(b64.trim_end_matches('='))
        .map_err(|e| format!("encodedList: {e}"))?;
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(&packed[..])
        .take(16 * 1024 * 1024)
        .read_to_end(&mut raw)
        .map_err(|e| format!("encodedList is not GZIP: {e}"))?;
    let bits = raw.len() as u64 * 8;
    if bits / u64::from(size) < LIST_ENTRIES {
        return Err(format!("the status list holds fewer than {LIST_ENTRIES} entries"));
    }
    if (index + 1) * u64::from(size) > bits {
        return Err("the index is outside the status list".into());
    }
    let mut value = 0u8;
    for b in 0..u64::from(size) {
        let pos = index * u64::from(size) + b;
        value = value << 1 | (raw[(pos / 8) as usize] >> (7 - pos % 8)) & 1;
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_bit_entries_round_trip_at_the_ends_and_in_between() {
        let set = [(0, 2), (1, 1), (7, 3), (94_567, 2), (LIST_ENTRIES - 1, 1)];
        let list = encode_list(LIST_ENTRIES, 2, &set);
        for (i, want) in [
            (0, 2),
            (1, 1),
            (2, 0),
            (7, 3),
            (8, 0),
            (94_567, 2),
            (94_566, 0),
            (LIST_ENTRIES - 1, 1),
        ] {
            assert_eq!(read_list(&list, i, 2), Ok(want), "entry {i}");
        }
        assert!(read_list(&list, LIST_ENTRIES, 2).is_err());
        assert!(list.len() < 400, "an almost empty list compresses well: {}", list.len());
    }

    #[test]
    fn the_bit_layout_is_the_recommendations() {
        // Entry 0 = 0b10 sets the very first bit; entry 1 = 0b01 sets the fourth.
        let list = encode_list(LIST_ENTRIES, 2, &[(0, 2), (1, 1)]);
        assert_eq!(read_list(&list, 0, 1), Ok(1));
        assert_eq!(read_list(&list, 1, 1), Ok(0));
        assert_eq!(read_list(&list, 2, 1), Ok(0));
        assert_eq!(read_list(&list, 3, 1), Ok(1));
        // One-bit lists (the legacy revocation and suspension lists) read the same way.
        let legacy = encode_list(LIST_ENTRIES, 1, &[(5, 1)]);
        assert_eq!((read_list(&legacy, 5, 1), read_list(&legacy, 4, 1)), (Ok(1), Ok(0)));
    }

    #[test]
    fn a_list_shorter_than_the_minimum_is_refused() {
        let short = encode_list(1024, 2, &[]);
        assert!(read_list(&short, 3, 2).unwrap_err().contains("fewer than"));
    }

    #[test]
    fn revocation_outranks_suspension() {
        assert_eq!(Listed::of(true, true), Listed::Revoked);
        assert_eq!(Listed::of(false, true), Listed::Suspended);
        assert_eq!(Listed::of(false, false), Listed::Valid);
        assert_eq!(MESSAGES[Listed::Revoked as usize], "revoked");
        assert_eq!(status_messages()[1], json!({ "status": "0x1", "message": "suspended" }));
    }
}
