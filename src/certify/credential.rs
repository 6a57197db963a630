//! Open Badges 3.0 credentials signed with Ed25519, as a W3C Data Integrity proof
//! with the `eddsa-jcs-2022` cryptosuite: the document and the proof options are
//! canonicalised with JCS (RFC 8785), hashed with SHA-256, and signed. The issuer
//! is a `did:key`, so a credential verifies offline from its own bytes plus the
//! issuer's published DID.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The multicodec prefix of an Ed25519 public key in a `did:key`.
const ED25519_PUB: [u8; 2] = [0xed, 0x01];

/// The server's signing identity.
pub struct Issuer {
    key: SigningKey,
    pub did: String,
}

impl Issuer {
    pub fn from_seed(seed: &[u8]) -> Result<Issuer, String> {
        let bytes: [u8; 32] = seed.try_into().map_err(|_| "the signing key must be 32 bytes".to_string())?;
        let key = SigningKey::from_bytes(&bytes);
        let did = did_key(&key.verifying_key());
        Ok(Issuer { key, did })
    }

    /// The verification method the proofs name.
    pub fn method(&self) -> String {
        format!("{}#{}", self.did, self.did.trim_start_matches("did:key:"))
    }

    /// Adds a Data Integrity proof to an unsigned credential.
    pub fn sign(&self, mut doc: Value, created: &str) -> Value {
        let mut proof = json!({
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-jcs-2022",
            "created": created,
            "verificationMethod": self.method(),
            "proofPurpose": "assertionMethod",
        });
        let data = hash_data(&doc, &proof);
        let sig = self.key.sign(&data);
        proof["proofValue"] = json!(format!("z{}", bs58::encode(sig.to_bytes()).into_string()));
        doc["proof"] = proof;
        doc
    }
}

/// `did:key:z6Mk…` for an Ed25519 public key.
pub fn did_key(key: &VerifyingKey) -> String {
    let mut bytes = ED25519_PUB.to_vec();
    bytes.extend_from_slice(key.as_bytes());
    format!("did:key:z{}", bs58::encode(bytes).into_string())
}

fn key_of_did(did: &str) -> Result<VerifyingKey, String> {
    let b58 = did
        .strip_prefix("did:key:z")
        .ok_or_else(|| format!("`{did}` is not an Ed25519 did:key"))?;
    let bytes = bs58::decode(b58).into_vec().map_err(|e| format!("bad did:key: {e}"))?;
    let key: [u8; 32] = bytes
        .strip_prefix(&ED25519_PUB[..])
        .and_then(|k| k.try_into().ok())
        .ok_or_else(|| format!("`{did}` is not an Ed25519 did:key"))?;
    VerifyingKey::from_bytes(&key).map_err(|e| format!("bad public key: {e}"))
}

/// SHA-256 of the canonical proof options (with the document's context), then of the document.
fn hash_data(doc: &Value, proof: &Value) -> Vec<u8> {
    let mut config = proof.clone();
    if let Some(ctx) = doc.get("@context") {
        config["@context"] = ctx.clone();
    }
    let mut out = Sha256::digest(serde_jcs::to_vec(&config).expect("JSON canonicalises")).to_vec();
    out.extend_from_slice(&Sha256::digest(serde_jcs::to_vec(doc).expect("JSON canonicalises")));
    out
}

/// What a verified credential says.
#[derive(Debug, PartialEq)]
pub struct Verified {
    pub issuer: String,
    pub id: String,
    pub name: String,
    pub holder: String,
    pub valid_from: String,
    /// RFC 3339, when the credential expires.
    pub valid_until: Option<String>,
    /// Where its status bits are published: (purpose, status list credential URL, index),
    /// one per purpose (`revocation`, `suspension`).
    pub status: Vec<(String, String, u64)>,
}

/// The status entries of a credential: `credentialStatus` may be one object or a list.
fn status_entries(doc: &Value) -> Vec<(String, String, u64)> {
    let entries = match doc.get("credentialStatus") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v @ Value::Object(_)) => vec![v],
        _ => Vec::new(),
    };
    entries
        .into_iter()
        .filter_map(|e| {
            let s = |k: &str| e.get(k).and_then(Value::as_str);
            Some((
                s("statusPurpose").unwrap_or("revocation").to_string(),
                s("statusListCredential")?.to_string(),
                s("statusListIndex")?.parse().ok()?,
            ))
        })
        .collect()
}

/// Checks the proof of a signed credential. With `expected_issuer`, the credential
/// must also come from that DID (otherwise anyone could sign with a key of their own).
pub fn verify(signed: &Value, expected_issuer: Option<&str>) -> Result<Verified, String> {
    let mut doc = signed.clone();
    let proof = doc
        .as_object_mut()
        .and_then(|o| o.remove("proof"))
        .ok_or("the credential has no `proof`")?;
    if proof.get("cryptosuite").and_then(Value::as_str) != Some("eddsa-jcs-2022")
        || proof.get("type").and_then(Value::as_str) != Some("DataIntegrityProof")
    {
        return Err("the proof is not an eddsa-jcs-2022 DataIntegrityProof".into());
    }
    let method = proof
        .get("verificationMethod")
        .and_then(Value::as_str)
        .ok_or("the proof names no verificationMethod")?;
    let did = method.split('#').next().unwrap_or_default();
    let issuer = doc
        .pointer("/issuer/id")
        .and_then(Value::as_str)
        .ok_or("the credential has no issuer id")?;
    if issuer != did {
        return Err(format!("the proof was made by {did}, not by the issuer {issuer}"));
    }
    if let Some(want) = expected_issuer
        && want != issuer
    {
        return Err(format!("issued by {issuer}, not by the expected issuer {want}"));
    }
    let value = proof
        .get("proofValue")
        .and_then(Value::as_str)
        .ok_or("the proof has no proofValue")?;
    let sig = bs58::decode(value.strip_prefix('z').ok_or("proofValue is not base58btc multibase")?)
        .into_vec()
        .map_err(|e| format!("bad proofValue: {e}"))?;
    let sig = Signature::from_slice(&sig).map_err(|e| format!("bad signature: {e}"))?;
    let mut options = proof.clone();
    options.as_object_mut().expect("an object").remove("proofValue");
    let data = hash_data(&doc, &options);
    key_of_did(did)?
        .verify(&data, &sig)
        .map_err(|_| "the signature does not match: the credential was altered or not signed by this issuer".to_string())?;
    let s = |p: &str| doc.pointer(p).and_then(Value::as_str).unwrap_or_default().to_string();
    Ok(Verified {
        issuer: issuer.to_string(),
        id: s("/id"),
        name: s("/name"),
        holder: s("/credentialSubject/name"),
        valid_from: s("/validFrom"),
        valid_until: doc.pointer("/validUntil").and_then(Value::as_str).map(str::to_string),
        status: status_entries(&doc),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Value {
        json!({
            "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "id": "https://example.test/verify/ABC",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": { "id": "", "type": ["Profile"], "name": "测试学院" },
            "validFrom": "2026-11-23T00:00:00Z",
            "name": "初级数字精益运营师",
            "credentialSubject": { "type": ["AchievementSubject"], "name": "张三" }
        })
    }

    #[test]
    fn a_signed_credential_verifies_and_any_edit_breaks_it() {
        let issuer = Issuer::from_seed(&[7u8; 32]).unwrap();
        let mut d = doc();
        d["issuer"]["id"] = json!(issuer.did);
        let signed = issuer.sign(d, "2026-11-23T00:00:00Z");
        let v = verify(&signed, Some(&issuer.did)).unwrap();
        assert_eq!((v.name.as_str(), v.holder.as_str()), ("初级数字精益运营师", "张三"));
        let mut edited = signed.clone();
        edited["credentialSubject"]["name"] = json!("李四");
        assert!(verify(&edited, None).unwrap_err().contains("does not match"));
        // Signed by another key, claiming to be a different issuer: refused when the issuer is pinned.
        let forger = Issuer::from_seed(&[9u8; 32]).unwrap();
        let mut d = doc();
        d["issuer"]["id"] = json!(forger.did);
        let forged = forger.sign(d, "2026-11-23T00:00:00Z");
        assert!(verify(&forged, None).is_ok());
        assert!(verify(&forged, Some(&issuer.did)).unwrap_err().contains("expected issuer"));
    }
}

/// The `encodedList` of a W3C Bitstring Status List with `set` bits on: the bitstring
/// (bit 0 is the first byte's most significant bit), GZIP-compressed, base64url
/// without padding, with the multibase prefix `u`.
pub fn encode_status_list(bits: usize, set: &[u64]) -> String {
    use base64::Engine;
    use std::io::Write;
    let mut raw = vec![0u8; bits.div_ceil(8)];
    for &i in set {
        if let Some(b) = raw.get_mut((i / 8) as usize) {
            *b |= 0x80 >> (i % 8);
        }
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = gz.write_all(&raw);
    let packed = gz.finish().unwrap_or_default();
    format!("u{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(packed))
}

/// Whether bit `index` is set in an `encodedList`.
pub fn status_bit(encoded: &str, index: u64) -> Result<bool, String> {
    use base64::Engine;
    use std::io::Read;
    let b64 = encoded.strip_prefix('u').ok_or("encodedList is not base64url multibase")?;
    let packed = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(b64.trim_end_matches('='))
        .map_err(|e| format!("encodedList: {e}"))?;
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(&packed[..])
        .take(16 * 1024 * 1024)
        .read_to_end(&mut raw)
        .map_err(|e| format!("encodedList is not GZIP: {e}"))?;
    let byte = raw.get((index / 8) as usize).ok_or("the index is outside the status list")?;
    Ok(byte & (0x80 >> (index % 8)) != 0)
}

#[cfg(test)]
mod status_tests {
    #[test]
    fn status_bits_round_trip() {
        let list = super::encode_status_list(131_072, &[0, 7, 94_567]);
        for (i, set) in [(0, true), (1, false), (7, true), (8, false), (94_567, true), (131_071, false)] {
            assert_eq!(super::status_bit(&list, i), Ok(set), "bit {i}");
        }
        assert!(super::status_bit(&list, 131_072).is_err());
        assert!(list.len() < 400, "an almost empty list compresses well: {}", list.len());
    }
}
