//! Open Badges 3.0 credentials signed with Ed25519, as a W3C Data Integrity proof
//! with the `eddsa-jcs-2022` cryptosuite (vc-di-eddsa §3.3): the proof options,
//! which carry the document's `@context`, and the document are each canonicalised
//! with JCS (RFC 8785) and hashed with SHA-256, and the two hashes are signed. The
//! issuer is a `did:key`, so a credential verifies offline from its own bytes plus
//! the issuer's published DID.

pub mod status;
pub mod strict;

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

    /// The Data Integrity proof of an unsigned document ("Create Proof": the options
    /// take the document's `@context`, and keep it, so a verifier hashes what we hashed).
    pub fn proof(&self, doc: &Value, created: &str) -> Value {
        let mut proof = json!({
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-jcs-2022",
            "created": created,
            "verificationMethod": self.method(),
            "proofPurpose": "assertionMethod",
        });
        if let Some(ctx) = doc.get("@context") {
            proof["@context"] = ctx.clone();
        }
        let sig = self.key.sign(&hash_data(doc, &proof));
        proof["proofValue"] = json!(format!("z{}", bs58::encode(sig.to_bytes()).into_string()));
        proof
    }

    /// The document with its proof as a single object (status lists).
    pub fn sign(&self, mut doc: Value, created: &str) -> Value {
        doc["proof"] = self.proof(&doc, created);
        doc
    }

    /// The document with its proof in a one-element set: the 1EdTech Open Badges 3.0
    /// schema types `proof` as an array.
    pub fn sign_in_set(&self, mut doc: Value, created: &str) -> Value {
        doc["proof"] = json!([self.proof(&doc, created)]);
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

/// SHA-256 of the canonical proof options, then of the canonical document.
fn hash_data(doc: &Value, options: &Value) -> Vec<u8> {
    let mut out = Sha256::digest(serde_jcs::to_vec(options).expect("JSON canonicalises")).to_vec();
    out.extend_from_slice(&Sha256::digest(serde_jcs::to_vec(doc).expect("JSON canonicalises")));
    out
}

/// `sha256$…` of an identifier and its salt, as an Open Badges `IdentityObject` carries it.
pub fn identity_hash(value: &str, salt: &str) -> String {
    let digest = Sha256::digest(format!("{value}{salt}").as_bytes());
    format!("sha256${}", digest.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// An email address as it is hashed into credentials: trimmed, lower case.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// One `credentialStatus` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusEntry {
    pub purpose: String,
    /// The status list credential's URL.
    pub list: String,
    pub index: u64,
    /// Bits per entry (`statusSize`, 1 when absent).
    pub size: u32,
    /// The `statusMessage` of each value, by value; empty when the entry has none.
    pub messages: Vec<String>,
}

/// A hashed identifier of the holder (`credentialSubject.identifier`).
#[derive(Debug, Clone, PartialEq)]
pub struct Identity {
    pub kind: String,
    pub hash: String,
    pub salt: String,
}

impl Identity {
    /// Whether `value` is the identifier this hash was made from.
    pub fn matches(&self, value: &str) -> bool {
        identity_hash(value, &self.salt) == self.hash
    }
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
    /// Where its status is published.
    pub status: Vec<StatusEntry>,
    pub identifiers: Vec<Identity>,
    /// Signed before certbook put `@context` into its proofs: only certbook's own
    /// verifier accepts it; downloading the credential again gives the standard shape.
    pub legacy_proof: bool,
}

fn as_list(v: Option<&Value>) -> Vec<&Value> {
    match v {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v @ Value::Object(_)) => vec![v],
        _ => Vec::new(),
    }
}

/// The status entries of a credential: `credentialStatus` may be one object or a list.
fn status_entries(doc: &Value) -> Result<Vec<StatusEntry>, String> {
    as_list(doc.get("credentialStatus"))
        .into_iter()
        .map(|e| {
            let s = |k: &str| e.get(k).and_then(Value::as_str);
            if s("type") != Some("BitstringStatusListEntry") {
                return Err("a credentialStatus entry is not a BitstringStatusListEntry".to_string());
            }
            let size = match e.get("statusSize") {
                None => 1,
                Some(v) => v
                    .as_u64()
                    .filter(|n| (1..=8).contains(n))
                    .ok_or("statusSize must be an integer from 1 to 8")? as u32,
            };
            let mut messages = vec![String::new(); 1 << size];
            for m in e.get("statusMessage").and_then(Value::as_array).into_iter().flatten() {
                let value = m
                    .get("status")
                    .and_then(Value::as_str)
                    .and_then(|h| h.strip_prefix("0x"))
                    .and_then(|h| usize::from_str_radix(h, 16).ok())
                    .filter(|v| *v < messages.len())
                    .ok_or("a statusMessage has no valid `status`")?;
                messages[value] = m.get("message").and_then(Value::as_str).unwrap_or_default().to_string();
            }
            if messages.iter().all(String::is_empty) {
                messages.clear();
            }
            Ok(StatusEntry {
                purpose: s("statusPurpose")
                    .ok_or("a credentialStatus entry has no statusPurpose")?
                    .to_string(),
                list: s("statusListCredential")
                    .ok_or("a credentialStatus entry has no statusListCredential")?
                    .to_string(),
                index: s("statusListIndex")
                    .and_then(|i| i.parse().ok())
                    .ok_or("a credentialStatus entry has no valid statusListIndex")?,
                size,
                messages,
            })
        })
        .collect()
}

fn identifiers(doc: &Value) -> Vec<Identity> {
    as_list(doc.pointer("/credentialSubject/identifier"))
        .into_iter()
        .filter(|i| i.get("hashed").and_then(Value::as_bool) == Some(true))
        .filter_map(|i| {
            let s = |k: &str| i.get(k).and_then(Value::as_str).map(str::to_string);
            Some(Identity {
                kind: s("identityType")?,
                hash: s("identityHash")?,
                salt: s("salt").unwrap_or_default(),
            })
        })
        .collect()
}

/// Whether `ctx` begins with every value of `prefix`, in order (vc-di-eddsa "Verify Proof").
fn context_starts_with(ctx: Option<&Value>, prefix: &Value) -> bool {
    let items = |v: &Value| match v {
        Value::Array(a) => a.clone(),
        other => vec![other.clone()],
    };
    let (Some(ctx), want) = (ctx, items(prefix)) else {
        return false;
    };
    let have = items(ctx);
    have.len() >= want.len() && have[..want.len()] == want[..]
}

/// Checks the proof of a signed credential. With `expected_issuer`, the credential
/// must also come from that DID (otherwise anyone could sign with a key of their own).
pub fn verify(signed: &Value, expected_issuer: Option<&str>) -> Result<Verified, String> {
    let mut doc = signed.clone();
    let proof = doc
        .as_object_mut()
        .and_then(|o| o.remove("proof"))
        .ok_or("the credential has no `proof`")?;
    let proof = match proof {
        Value::Array(mut set) if set.len() == 1 => set.remove(0),
        Value::Array(set) => {
            return Err(format!(
                "the credential has {} proofs; certbook checks credentials with one",
                set.len()
            ));
        }
        one => one,
    };
    if proof.get("cryptosuite").and_then(Value::as_str) != Some("eddsa-jcs-2022")
        || proof.get("type").and_then(Value::as_str) != Some("DataIntegrityProof")
    {
        return Err("the proof is not an eddsa-jcs-2022 DataIntegrityProof".into());
    }
    if proof.get("proofPurpose").and_then(Value::as_str) != Some("assertionMethod") {
        return Err("the proof's purpose is not assertionMethod".into());
    }
    let method = proof
        .get("verificationMethod")
        .and_then(Value::as_str)
        .ok_or("the proof names no verificationMethod")?;
    let did = method.split('#').next().unwrap_or_default();
    let issuer = doc
        .pointer("/issuer/id")
        .or_else(|| doc.get("issuer").filter(|i| i.is_string()))
        .and_then(Value::as_str)
        .ok_or("the credential has no issuer id")?
        .to_string();
    if issuer != did {
        return Err(format!("the proof was made by {did}, not by the issuer {issuer}"));
    }
    if let Some(want) = expected_issuer
        && want != issuer.as_str()
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
    let legacy_proof = options.get("@context").is_none();
    if legacy_proof {
        // certbook before this version hashed the options with the document's
        // context but left it out of the proof it published.
        if let Some(ctx) = doc.get("@context") {
            options["@context"] = ctx.clone();
        }
    } else {
        if !context_starts_with(doc.get("@context"), &options["@context"]) {
            return Err("the proof's @context is not a prefix of the credential's @context".into());
        }
        doc["@context"] = options["@context"].clone();
    }
    key_of_did(did)?
        .verify(&hash_data(&doc, &options), &sig)
        .map_err(|_| "the signature does not match: the credential was altered or not signed by this issuer".to_string())?;
    let s = |p: &str| doc.pointer(p).and_then(Value::as_str).unwrap_or_default().to_string();
    Ok(Verified {
        issuer,
        id: s("/id"),
        name: s("/name"),
        holder: s("/credentialSubject/name"),
        valid_from: s("/validFrom"),
        valid_until: doc.pointer("/validUntil").and_then(Value::as_str).map(str::to_string),
        status: status_entries(&doc)?,
        identifiers: identifiers(&doc),
        legacy_proof,
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

    fn signed_by(seed: u8) -> (Issuer, Value) {
        let issuer = Issuer::from_seed(&[seed; 32]).unwrap();
        let mut d = doc();
        d["issuer"]["id"] = json!(issuer.did);
        let signed = issuer.sign_in_set(d, "2026-11-23T00:00:00Z");
        (issuer, signed)
    }

    #[test]
    fn a_signed_credential_verifies_and_any_edit_breaks_it() {
        let (issuer, signed) = signed_by(7);
        let v = verify(&signed, Some(&issuer.did)).unwrap();
        assert_eq!(
            (v.name.as_str(), v.holder.as_str(), v.legacy_proof),
            ("初级数字精益运营师", "张三", false)
        );
        let mut edited = signed.clone();
        edited["credentialSubject"]["name"] = json!("李四");
        assert!(verify(&edited, None).unwrap_err().contains("does not match"));
        // Signed by another key, claiming to be a different issuer: refused when the issuer is pinned.
        let (_, forged) = signed_by(9);
        assert!(verify(&forged, None).is_ok());
        assert!(verify(&forged, Some(&issuer.did)).unwrap_err().contains("expected issuer"));
    }

    #[test]
    fn the_proof_carries_the_documents_context_and_both_shapes_verify() {
        let (issuer, signed) = signed_by(7);
        let proof = &signed["proof"][0];
        assert_eq!(proof["@context"], signed["@context"]);
        // The same proof as a single object verifies too (VC 2.0 allows either).
        let mut single = signed.clone();
        single["proof"] = proof.clone();
        assert!(verify(&single, Some(&issuer.did)).is_ok());
        // A proof context that is not a prefix of the document's is refused.
        let mut bad = signed.clone();
        bad["proof"][0]["@context"] = json!(["https://example.test/other"]);
        assert!(verify(&bad, None).unwrap_err().contains("prefix"));
        // Two proofs are not silently reduced to one.
        let mut two = signed.clone();
        two["proof"] = json!([proof, proof]);
        assert!(verify(&two, None).unwrap_err().contains("2 proofs"));
        // The other structural checks.
        let mut purpose = signed.clone();
        purpose["proof"][0]["proofPurpose"] = json!("authentication");
        assert!(verify(&purpose, None).is_err());
    }

    #[test]
    fn a_legacy_proof_without_context_still_verifies_and_says_so() {
        // The shape certbook issued before: options hashed with the document's
        // context, which the published proof then lacked.
        let issuer = Issuer::from_seed(&[7u8; 32]).unwrap();
        let mut d = doc();
        d["issuer"]["id"] = json!(issuer.did);
        let mut options = json!({
            "type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022", "created": "2026-11-23T00:00:00Z",
            "verificationMethod": issuer.method(), "proofPurpose": "assertionMethod",
        });
        let mut hashed = options.clone();
        hashed["@context"] = d["@context"].clone();
        let sig = issuer.key.sign(&hash_data(&d, &hashed));
        options["proofValue"] = json!(format!("z{}", bs58::encode(sig.to_bytes()).into_string()));
        d["proof"] = options;
        let v = verify(&d, Some(&issuer.did)).unwrap();
        assert!(v.legacy_proof);
        let mut edited = d.clone();
        edited["name"] = json!("高级数字精益运营师");
        assert!(verify(&edited, None).is_err());
    }

    /// The eddsa-jcs-2022 test vector of the W3C Recommendation vc-di-eddsa
    /// (TestVectors/eddsa-jcs-2022: keyPair.json, proofConfigJCS.json, signedJCS.json).
    #[test]
    fn the_w3c_eddsa_jcs_2022_test_vector_signs_and_verifies_byte_for_byte() {
        let secret = bs58::decode("3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq").into_vec().unwrap();
        // Multicodec ed25519-priv (0x1300, varint 0x80 0x26), then the 32-byte seed.
        assert_eq!(&secret[..2], &[0x80, 0x26]);
        let issuer = Issuer::from_seed(&secret[2..]).unwrap();
        assert_eq!(issuer.did, "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2");
        let unsigned = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
            "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
            "type": ["VerifiableCredential", "AlumniCredential"],
            "name": "Alumni Credential",
            "description": "A minimum viable example of an Alumni Credential.",
            "issuer": "https://vc.example/issuers/5678",
            "validFrom": "2023-01-01T00:00:00Z",
            "credentialSubject": { "id": "did:example:abcdefgh", "alumniOf": "The School of Examples" }
        });
        let proof = issuer.proof(&unsigned, "2023-02-24T23:36:38Z");
        let mut options = proof.clone();
        options.as_object_mut().unwrap().remove("proofValue");
        let combined: String = hash_data(&unsigned, &options).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            combined,
            "66ab154f5c2890a140cb8388a22a160454f80575f6eae09e5a097cabe539a1db\
             59b7cb6251b8991add1ce0bc83107e3db9dbbab5bd2c28f687db1a03abc92f19"
        );
        assert_eq!(
            proof["proofValue"],
            "z2HnFSSPPBzR36zdDgK8PbEHeXbR56YF24jwMpt3R1eHXQzJDMWS93FCzpvJpwTWd3GAVFuUfjoJdcnTMuVor51aX"
        );
        assert_eq!(proof["@context"], unsigned["@context"]);
        // The vector's issuer is a URL, not the did:key, so it verifies at the
        // signature level only: check exactly that.
        let data = hash_data(&unsigned, &options);
        let sig = bs58::decode(&proof["proofValue"].as_str().unwrap()[1..]).into_vec().unwrap();
        assert!(
            key_of_did(&issuer.did)
                .unwrap()
                .verify(&data, &Signature::from_slice(&sig).unwrap())
                .is_ok()
        );
    }

    #[test]
    fn status_entries_and_identifiers_are_read_back() {
        let issuer = Issuer::from_seed(&[7u8; 32]).unwrap();
        let mut d = doc();
        d["issuer"]["id"] = json!(issuer.did);
        d["credentialStatus"] = json!({
            "id": "https://example.test/api/status/lists/0#17", "type": "BitstringStatusListEntry",
            "statusPurpose": "message", "statusSize": 2, "statusListIndex": "17",
            "statusListCredential": "https://example.test/api/status/lists/0", "statusMessage": status::status_messages(),
        });
        let salt = "c0ffee";
        d["credentialSubject"]["identifier"] = json!([{
            "type": "IdentityObject", "identityType": "emailAddress", "hashed": true,
            "identityHash": identity_hash("alice@example.com", salt), "salt": salt,
        }]);
        let v = verify(&issuer.sign_in_set(d, "2026-11-23T00:00:00Z"), None).unwrap();
        assert_eq!(v.status.len(), 1);
        let e = &v.status[0];
        assert_eq!((e.purpose.as_str(), e.index, e.size), ("message", 17, 2));
        assert_eq!(e.messages, ["valid", "suspended", "revoked", "undefined"]);
        assert!(v.identifiers[0].matches("alice@example.com"));
        assert!(!v.identifiers[0].matches("mallory@example.com"));
        assert_eq!(
            identity_hash("a", "b"),
            "sha256$fb8e20fc2e4c3f248c60c39bd652f3c1347298bb977b8b4d5903b85055620603"
        );
    }
}
