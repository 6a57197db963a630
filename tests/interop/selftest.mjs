#!/usr/bin/env node
/*
 * Self-test of the independent verifier (verify.mjs), independent of
 * certbook: signs its own Open Badges 3.0 credentials and Bitstring Status
 * List credentials with the Digital Bazaar stack (did:key, eddsa-jcs-2022),
 * serves the lists from a throw-away HTTP server on 127.0.0.1, and checks
 * that verify.mjs accepts what is genuine and rejects what is not.
 *
 *   node tests/interop/selftest.mjs
 *
 * Prints "ok - ..." / "FAIL - ..." per check, "finding: ..." lines describing
 * what the libraries and the schema actually accept, and a closing
 * "N passed, N failed" line. Exit code 1 on any failure.
 */
import http from 'node:http';
import {spawn} from 'node:child_process';
import {mkdtemp, writeFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {webcrypto as crypto} from 'node:crypto';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {createSignCryptosuite} from
  '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as didKey from '@digitalbazaar/did-method-key';
import {Bitstring} from '@digitalbazaar/bitstring';

import {
  checkCredential, createDocumentLoader, createSuite, jsonldErrors,
  validateSchema, readStatus, decodeEncodedList, resultErrors,
  MIN_STATUS_LIST_ENTRIES
} from './verify.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const VC_V2 = 'https://www.w3.org/ns/credentials/v2';
const OB_303 = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';

// ---------------------------------------------------------------------------
// tiny test runner
// ---------------------------------------------------------------------------
let passed = 0;
let failed = 0;
const findings = [];
function ok(name) {
  passed++;
  console.log(`ok - ${name}`);
}
function fail(name, detail) {
  failed++;
  console.log(`FAIL - ${name}`);
  if(detail !== undefined) {
    console.log('       ' + (typeof detail === 'string' ? detail :
      JSON.stringify(detail)).split('\n').join('\n       '));
  }
}
function expect(name, cond, detail) {
  cond ? ok(name) : fail(name, detail);
}
function finding(text) {
  findings.push(text);
  console.log(`finding: ${text}`);
}
async function step(name, fn) {
  try {
    await fn();
  } catch(e) {
    fail(name, `threw: ${e.stack || e}`);
  }
}
const clone = x => structuredClone(x);

// ---------------------------------------------------------------------------
// keys, signing
// ---------------------------------------------------------------------------
const didDriver = didKey.driver();
didDriver.use({
  multibaseMultikeyHeader: 'z6Mk',
  fromMultibase: Ed25519Multikey.from
});

async function newIssuer() {
  const keyPair = await Ed25519Multikey.generate();
  const {didDocument} = await didDriver.fromKeyPair({
    verificationKeyPair: keyPair
  });
  const vmId = didDocument.assertionMethod[0];
  keyPair.id = typeof vmId === 'string' ? vmId : vmId.id;
  keyPair.controller = didDocument.id;
  return {did: didDocument.id, keyPair};
}

const documentLoader = createDocumentLoader();

async function sign(unsigned, issuer) {
  const suite = new DataIntegrityProof({
    signer: issuer.keyPair.signer(), cryptosuite: createSignCryptosuite()
  });
  return vc.issue({credential: clone(unsigned), suite, documentLoader});
}

// ---------------------------------------------------------------------------
// status lists
// ---------------------------------------------------------------------------
const LIST_BITS = 262144; // 131072 entries of 2 bits
const IDX = {valid: 4242, suspended: 1234, revoked: 777, undef: 99999};

async function encodedList({bits = LIST_BITS, set = []} = {}) {
  const bs = new Bitstring({length: bits});
  for(const p of set) {
    bs.set(p, true);
  }
  return 'u' + await bs.encodeBits();
}

function listCredential({url, issuer, statusPurpose, encodedList}) {
  return {
    '@context': [VC_V2],
    id: url,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer,
    validFrom: '2024-01-01T00:00:00Z',
    credentialSubject: {
      id: `${url}#list`,
      type: 'BitstringStatusList',
      statusPurpose,
      encodedList
    }
  };
}

// ---------------------------------------------------------------------------
// credentials
// ---------------------------------------------------------------------------
const STATUS_MESSAGES = [
  {status: '0x0', message: 'valid'},
  {status: '0x1', message: 'suspended'},
  {status: '0x2', message: 'revoked'},
  {status: '0x3', message: 'undefined'}
];

function messageEntry(base, index, list = '/status/1') {
  return {
    id: `${base}${list}#${index}`,
    type: 'BitstringStatusListEntry',
    statusPurpose: 'message',
    statusSize: 2,
    statusListIndex: String(index),
    statusListCredential: `${base}${list}`,
    statusMessage: clone(STATUS_MESSAGES)
  };
}

function unsignedBadge({did, base, status}) {
  return {
    '@context': [VC_V2, OB_303],
    id: `urn:uuid:${crypto.randomUUID()}`,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer: {id: did, type: ['Profile'], name: 'Selftest Academy'},
    validFrom: '2024-06-01T00:00:00Z',
    name: 'Rust Basics',
    credentialSubject: {
      type: ['AchievementSubject'],
      identifier: [{
        type: 'IdentityObject',
        identityHash:
          'sha256$' + 'c0ffee'.repeat(10) + 'c0ff',
        identityType: 'emailAddress',
        hashed: true,
        salt: 'pepper-1234'
      }],
      achievement: {
        id: `${base}/achievements/basic`,
        type: ['Achievement'],
        name: 'Rust Basics',
        description: 'Completed the basic Rust course.',
        criteria: {narrative: 'Pass the quizzes, the lesson and the sandbox.'}
      }
    },
    ...(status === undefined ? {} : {credentialStatus: status})
  };
}

/** Signed credential with proof as an array (the 1EdTech schema's form). */
function withProofArray(signed) {
  const c = clone(signed);
  c.proof = [c.proof];
  return c;
}

// ---------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------
function runCli(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath,
      [path.join(HERE, 'verify.mjs'), ...args], {stdio: ['ignore', 'pipe', 'pipe']});
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', d => stdout += d);
    child.stderr.on('data', d => stderr += d);
    child.on('error', reject);
    child.on('close', code => resolve({code, stdout, stderr,
      lines: stdout.split('\n').filter(l => l.startsWith('{'))
        .map(l => JSON.parse(l))}));
  });
}

// ---------------------------------------------------------------------------
// main
// ---------------------------------------------------------------------------
async function main() {
  const issuer = await newIssuer();
  const mallory = await newIssuer();
  const routes = new Map();
  const server = http.createServer((req, res) => {
    const doc = routes.get(req.url);
    if(!doc) {
      res.writeHead(404, {'content-type': 'text/plain'});
      res.end('not found');
      return;
    }
    res.writeHead(200, {'content-type': 'application/vc+ld+json'});
    res.end(JSON.stringify(doc));
  });
  await new Promise(r => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${server.address().port}`;
  const tmp = await mkdtemp(path.join(tmpdir(), 'certbook-interop-'));

  try {
    // ---- status lists ---------------------------------------------------
    const mainBits = await encodedList({set: [
      IDX.suspended * 2 + 1, // 0b01 -> 0x1
      IDX.revoked * 2, // 0b10 -> 0x2
      IDX.undef * 2, IDX.undef * 2 + 1 // 0b11 -> 0x3
    ]});
    const list1 = await sign(listCredential({
      url: `${base}/status/1`, issuer: issuer.did, statusPurpose: 'message',
      encodedList: mainBits
    }), issuer);
    routes.set('/status/1', list1);
    // same list, statusPurpose as an array
    routes.set('/status/multi', await sign(listCredential({
      url: `${base}/status/multi`, issuer: issuer.did,
      statusPurpose: ['revocation', 'message'], encodedList: mainBits
    }), issuer));
    // 1-bit revocation list, index 5 set
    routes.set('/status/revocation', await sign(listCredential({
      url: `${base}/status/revocation`, issuer: issuer.did,
      statusPurpose: 'revocation',
      encodedList: await encodedList({bits: 131072, set: [5]})
    }), issuer));
    // unsigned
    routes.set('/status/unsigned', listCredential({
      url: `${base}/status/unsigned`, issuer: issuer.did,
      statusPurpose: 'message', encodedList: mainBits
    }));
    // tampered after signing: every bit cleared
    const tampered = clone(await sign(listCredential({
      url: `${base}/status/tampered`, issuer: issuer.did,
      statusPurpose: 'message', encodedList: mainBits
    }), issuer));
    tampered.credentialSubject.encodedList = await encodedList();
    routes.set('/status/tampered', tampered);
    // signed by someone else
    routes.set('/status/mallory', await sign(listCredential({
      url: `${base}/status/mallory`, issuer: mallory.did,
      statusPurpose: 'message', encodedList: await encodedList()
    }), mallory));
    // too short: 16384 bits = 8192 two-bit entries
    routes.set('/status/short', await sign(listCredential({
      url: `${base}/status/short`, issuer: issuer.did,
      statusPurpose: 'message', encodedList: await encodedList({bits: 16384})
    }), issuer));
    // no multibase prefix
    routes.set('/status/noprefix', await sign(listCredential({
      url: `${base}/status/noprefix`, issuer: issuer.did,
      statusPurpose: 'message',
      encodedList: (await encodedList()).slice(1)
    }), issuer));

    // ---- the bit order, independently of any list -------------------------
    await step('bit order', async () => {
      const bs = new Bitstring({buffer: new Uint8Array([0b10000000, 0b01000000])});
      expect('bit 0 is the most significant bit of the first byte',
        readStatus(bs, 0, 1) === 1 && readStatus(bs, 1, 1) === 0 &&
        readStatus(bs, 9, 1) === 1);
      expect('a 2-bit value reads its first bit as most significant',
        readStatus(bs, 0, 2) === 2 && readStatus(bs, 4, 2) === 1);
      const spec = await decodeEncodedList(
        'uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA');
      expect('the W3C Recommendation example list decodes to 131072 zero bits',
        spec.length === MIN_STATUS_LIST_ENTRIES &&
        readStatus(spec, 131071, 1) === 0, spec.length);
    });

    // ---- genuine credential ---------------------------------------------
    const genuine = await sign(unsignedBadge({did: issuer.did, base,
      status: messageEntry(base, IDX.valid)}), issuer);
    const genuineArr = withProofArray(genuine);

    await step('genuine', async () => {
      const obj = await checkCredential(genuine, {schema: true, status: true});
      const arr = await checkCredential(genuineArr, {schema: true, status: true});
      expect('DB verifies the genuine credential with proof as one object',
        obj.verified, obj);
      expect('DB verifies the genuine credential with proof as an array',
        arr.verified, arr);
      expect('the genuine credential (proof array) is schema-valid',
        arr.schema_valid === true, arr.schema_errors);
      expect('its status is 0x0 "valid"',
        arr.status.length === 1 && arr.status[0].value === 0 &&
        arr.status[0].message === 'valid' && arr.status[0].valid === true &&
        arr.status[0].purpose === 'message' &&
        arr.status[0].index === IDX.valid, arr.status);
      expect('the schema rejects proof as a single object (it requires ' +
        'an array)', obj.schema_valid === false &&
        obj.schema_errors.some(e => e.startsWith('/proof ')), obj.schema_errors);
      finding(`proof as single object: DB verified=${obj.verified}, ` +
        `schema_valid=${obj.schema_valid} (${obj.schema_errors.join(' | ')})`);
      finding(`proof as [object]: DB verified=${arr.verified}, ` +
        `schema_valid=${arr.schema_valid}`);
      const two = clone(genuineArr);
      two.proof.push(clone(two.proof[0]));
      const twoR = await checkCredential(two, {status: true});
      finding(`proof as array of two copies of the same proof: DB ` +
        `verified=${twoR.verified}`);
      const forged = clone(genuineArr);
      const p = clone(forged.proof[0]);
      p.proofValue = p.proofValue.slice(0, -4) +
        (p.proofValue.endsWith('1111') ? '2222' : '1111');
      forged.proof.push(p);
      const forgedDb = await vc.verifyCredential({credential: forged,
        suite: createSuite(), documentLoader,
        checkStatus: async () => ({verified: true})});
      finding('proof array [genuine, forged]: plain vc.verifyCredential ' +
        `verified=${forgedDb.verified} (jsonld-signatures accepts a proof ` +
        'set when at least one proof verifies); verify.mjs requires every ' +
        'proof to verify');
      const forgedR = await checkCredential(forged, {});
      expect('verify.mjs fails an array holding a forged second proof',
        !forgedR.verified && forgedR.errors.some(e => /1 of 2 proofs/.test(e)),
        forgedR);
      const other = clone(genuineArr);
      other.proof.push({...clone(other.proof[0]), cryptosuite: 'ecdsa-rdfc-2019'});
      const otherR = await checkCredential(other, {});
      expect('verify.mjs fails a proof array holding an unsupported proof',
        !otherR.verified, otherR);
      const vmUrl = genuine.proof.verificationMethod;
      const vm = (await documentLoader(vmUrl)).document;
      expect('the loader resolves the did:key verification method URL ' +
        'to an Ed25519 Multikey of the issuer',
        vmUrl === `${issuer.did}#${issuer.did.slice('did:key:'.length)}` &&
        vm.id === vmUrl && vm.type === 'Multikey' &&
        vm.controller === issuer.did && vm.publicKeyMultibase.startsWith('z6Mk'),
        {vmUrl, vm});
    });

    // ---- JSON-LD -----------------------------------------------------------
    await step('json-ld', async () => {
      const errs = await jsonldErrors(genuineArr, documentLoader);
      expect('VC v2 + OB 3.0.3 define every term used (statusSize, ' +
        'statusMessage, identifier, IdentityObject, identityHash, salt, ' +
        'hashed, identityType): safe-mode JSON-LD expansion succeeds',
        errs.length === 0, errs);
      const dbDirect = await vc.verifyCredential({credential: genuineArr,
        suite: createSuite(), documentLoader,
        checkStatus: async () => ({verified: true})});
      expect('vc.verifyCredential itself reports no JSON-LD error',
        dbDirect.verified, resultErrors(dbDirect));
      // negative control: an undefined term, signed as such
      const extra = unsignedBadge({did: issuer.did, base,
        status: messageEntry(base, IDX.valid)});
      extra.credentialSubject.favouriteColour = 'teal';
      const extraSigned = await sign(extra, issuer);
      const db = await vc.verifyCredential({credential: extraSigned,
        suite: createSuite(), documentLoader,
        checkStatus: async () => ({verified: true})});
      const r = await checkCredential(extraSigned, {status: true});
      finding('vc.verifyCredential with eddsa-jcs-2022 does not expand the ' +
        'credential as JSON-LD: a signed credential with an undefined term ' +
        `verifies there (verified=${db.verified})`);
      expect('verify.mjs rejects an undefined term through its safe-mode ' +
        'JSON-LD check', !r.verified && r.errors.some(e =>
        e.startsWith('JSON-LD:') && e.includes('favouriteColour')), r.errors);
    });

    // ---- tampering --------------------------------------------------------
    await step('tamper', async () => {
      const edited = clone(genuineArr);
      edited.name = 'Rust Expert';
      const r = await checkCredential(edited, {schema: true, status: true});
      expect('a copy with an edited name fails', !r.verified &&
        r.errors.some(e => /signature/i.test(e)), r);
      const idx = clone(genuineArr);
      idx.credentialStatus.statusListIndex = String(IDX.revoked + 1);
      const r2 = await checkCredential(idx, {status: true});
      expect('a copy with an edited statusListIndex fails', !r2.verified, r2);
      const swapped = clone(genuineArr);
      swapped.issuer.id = mallory.did;
      const r3 = await checkCredential(swapped, {status: true});
      expect('a copy claiming another issuer fails', !r3.verified, r3);
    });

    // ---- status values ------------------------------------------------------
    async function statusCase(name, index, list, want) {
      const c = withProofArray(await sign(unsignedBadge({did: issuer.did, base,
        status: messageEntry(base, index, list)}), issuer));
      const r = await checkCredential(c, {schema: true, status: true});
      want(r, name);
      return r;
    }
    await step('status values', async () => {
      await statusCase('revoked', IDX.revoked, '/status/1', (r, n) => {
        expect(`${n}: value 0x2 reports "revoked" and fails`,
          !r.verified && r.status[0].value === 2 &&
          r.status[0].message === 'revoked' && r.status[0].valid === false &&
          r.errors.some(e => e.startsWith('status revoked')) &&
          r.schema_valid === true, r);
      });
      await statusCase('suspended', IDX.suspended, '/status/1', (r, n) => {
        expect(`${n}: value 0x1 reports "suspended" and fails`,
          !r.verified && r.status[0].value === 1 &&
          r.status[0].message === 'suspended' &&
          r.errors.some(e => e.startsWith('status suspended')), r);
      });
      await statusCase('0x3', IDX.undef, '/status/1', (r, n) => {
        expect(`${n}: value 0x3 reports "undefined" and fails`,
          !r.verified && r.status[0].value === 3 &&
          r.status[0].message === 'undefined', r);
      });
      await statusCase('array purpose', IDX.valid, '/status/multi', (r, n) => {
        expect(`${n}: a list whose statusPurpose is an array containing ` +
          '"message" is accepted', r.verified, r);
      });
      // credentialStatus as an array of two entries, 1-bit revocation too
      const two = (index, rev) => [messageEntry(base, index), {
        id: `${base}/status/revocation#${rev}`,
        type: 'BitstringStatusListEntry', statusPurpose: 'revocation',
        statusListIndex: String(rev),
        statusListCredential: `${base}/status/revocation`
      }];
      const a = withProofArray(await sign(unsignedBadge({did: issuer.did, base,
        status: two(IDX.valid, 6)}), issuer));
      const ra = await checkCredential(a, {schema: true, status: true});
      expect('credentialStatus as an array: both entries checked, 1-bit ' +
        'entry without statusMessage reads "unset"', ra.verified &&
        ra.status.length === 2 && ra.status[1].message === 'unset' &&
        ra.status[1].purpose === 'revocation', ra);
      finding(`credentialStatus as an array: schema_valid=${ra.schema_valid}` +
        (ra.schema_errors.length ? ` (${ra.schema_errors.join(' | ')})` : ''));
      const b = withProofArray(await sign(unsignedBadge({did: issuer.did, base,
        status: two(IDX.valid, 5)}), issuer));
      const rb = await checkCredential(b, {status: true});
      expect('a set 1-bit revocation entry reads "set" and fails',
        !rb.verified && rb.status[1].message === 'set' &&
        rb.errors.some(e => e.startsWith('status set') &&
          e.includes('"revocation"')), rb);
    });

    // ---- status failures are never silently passed --------------------------
    async function statusError(name, entryFn, re) {
      const c = withProofArray(await sign(unsignedBadge({did: issuer.did, base,
        status: entryFn()}), issuer));
      const r = await checkCredential(c, {status: true});
      expect(name, !r.verified && r.status.length === 1 &&
        r.status[0].valid === false && r.errors.some(e => re.test(e)), r);
    }
    await step('status errors', async () => {
      await statusError('a status list that answers 404 fails',
        () => messageEntry(base, IDX.valid, '/status/missing'),
        /STATUS_RETRIEVAL_ERROR.*404/);
      await statusError('a non-local status list URL is refused (offline)',
        () => ({...messageEntry(base, IDX.valid),
          statusListCredential: 'https://example.org/status/1'}),
        /STATUS_RETRIEVAL_ERROR.*refuses/);
      await statusError('an unsigned status list fails',
        () => messageEntry(base, IDX.valid, '/status/unsigned'),
        /STATUS_VERIFICATION_ERROR.*no proof/);
      await statusError('a status list altered after signing fails',
        () => messageEntry(base, IDX.valid, '/status/tampered'),
        /STATUS_VERIFICATION_ERROR.*does not verify/);
      await statusError('a status list of another issuer fails',
        () => messageEntry(base, IDX.valid, '/status/mallory'),
        /STATUS_VERIFICATION_ERROR.*issuer/);
      await statusError('a status list shorter than 131072 entries fails',
        () => messageEntry(base, IDX.valid, '/status/short'),
        /STATUS_LIST_LENGTH_ERROR/);
      await statusError('an encodedList without the multibase "u" fails',
        () => messageEntry(base, IDX.valid, '/status/noprefix'),
        /MALFORMED_VALUE_ERROR.*encodedList/);
      await statusError('a statusPurpose the list does not have fails',
        () => ({...messageEntry(base, IDX.valid), statusPurpose: 'suspension'}),
        /STATUS_VERIFICATION_ERROR.*statusPurpose/);
      await statusError('a numeric statusListIndex is malformed',
        () => ({...messageEntry(base, IDX.valid), statusListIndex: IDX.valid}),
        /MALFORMED_VALUE_ERROR.*statusListIndex/);
      await statusError('statusSize 2 without statusMessage is malformed',
        () => {
          const e = messageEntry(base, IDX.valid);
          delete e.statusMessage;
          return e;
        }, /MALFORMED_VALUE_ERROR.*statusMessage/);
      await statusError('a statusMessage of the wrong length is malformed',
        () => {
          const e = messageEntry(base, IDX.valid);
          e.statusMessage.pop();
          return e;
        }, /MALFORMED_VALUE_ERROR.*statusMessage/);
    });

    // ---- the schema ---------------------------------------------------------
    await step('schema', async () => {
      const s = async mutate => {
        const c = clone(genuineArr);
        mutate(c);
        return validateSchema(c);
      };
      const noIdentifier = await s(c => {
        delete c.credentialSubject.identifier;
        delete c.credentialSubject.id;
      });
      finding('credentialSubject with neither id nor identifier: ' +
        `schema_valid=${noIdentifier.schema_valid} (the schema's ` +
        'AchievementSubject requires only "type" and "achievement"; ' +
        '"Either id or at least one identifier MUST be supplied" is only ' +
        'in the description)');
      expect('the schema does not enforce id-or-identifier on ' +
        'credentialSubject (finding recorded)',
        noIdentifier.schema_valid === true, noIdentifier);
      for(const [what, mutate, re] of [
        ['credentialSubject.achievement',
          c => delete c.credentialSubject.achievement, /achievement/],
        ['credentialSubject.type', c => delete c.credentialSubject.type,
          /type/],
        ['credentialSubject.type as a string',
          c => c.credentialSubject.type = 'AchievementSubject', /\/type/],
        ['the credential id', c => delete c.id, /'id'/],
        ['validFrom', c => delete c.validFrom, /validFrom/],
        ['achievement.criteria',
          c => delete c.credentialSubject.achievement.criteria, /criteria/],
        ['achievement.description',
          c => delete c.credentialSubject.achievement.description,
          /description/],
        ['IdentityObject.hashed',
          c => delete c.credentialSubject.identifier[0].hashed, /hashed/],
        ['IdentityObject.identityType',
          c => delete c.credentialSubject.identifier[0].identityType,
          /identityType/],
        ['credentialStatus.id', c => delete c.credentialStatus.id, /'id'/],
        ['an extra IdentityObject property',
          c => c.credentialSubject.identifier[0].email = 'a@b.c',
          /additional/],
        ['issuer.type', c => delete c.issuer.type, /type/],
        ['a validFrom without time zone',
          c => c.validFrom = '2024-06-01T00:00:00', /date-time/],
      ]) {
        const r = await s(mutate);
        expect(`the schema rejects a copy without/with ${what}`,
          r.schema_valid === false && r.schema_errors.some(e => re.test(e)),
          r.schema_errors);
      }
      const noSalt = await s(c => delete c.credentialSubject.identifier[0].salt);
      expect('IdentityObject.salt is optional in the schema',
        noSalt.schema_valid === true, noSalt.schema_errors);
      const issuerString = await s(c => c.issuer = c.issuer.id);
      expect('issuer as a plain URI string is schema-valid',
        issuerString.schema_valid === true, issuerString.schema_errors);
      const statusList = await validateSchema(list1);
      expect('a status list credential is not schema-checked (null)',
        statusList.schema_valid === null);
      const {default: schemaDoc} = await import(
        './schema/ob_v3p0_achievementcredential_schema.json',
        {with: {type: 'json'}});
      finding('schema required: top level ' +
        JSON.stringify(schemaDoc.required) + '; AchievementSubject ' +
        JSON.stringify(schemaDoc.$defs.AchievementSubject.required) +
        '; Achievement ' + JSON.stringify(schemaDoc.$defs.Achievement.required) +
        '; IdentityObject ' +
        JSON.stringify(schemaDoc.$defs.IdentityObject.required) +
        ' (additionalProperties false); Profile ' +
        JSON.stringify(schemaDoc.$defs.Profile.required) +
        '; CredentialStatus ' +
        JSON.stringify(schemaDoc.$defs.CredentialStatus.required) +
        '; Proof ' + JSON.stringify(schemaDoc.$defs.Proof.required) +
        '; proof ' + JSON.stringify(schemaDoc.properties.proof));
    });

    // ---- the status list itself, and the CLI ----------------------------------
    await step('cli', async () => {
      const files = {};
      const put = async (name, doc) => {
        files[name] = path.join(tmp, `${name}.json`);
        await writeFile(files[name], JSON.stringify(doc, null, 2));
      };
      await put('genuine', genuineArr);
      await put('list', list1);
      const edited = clone(genuineArr);
      edited.name = 'Rust Expert';
      await put('edited', edited);
      await put('revoked', withProofArray(await sign(unsignedBadge({
        did: issuer.did, base, status: messageEntry(base, IDX.revoked)
      }), issuer)));
      await put('object-proof', genuine);
      await writeFile(path.join(tmp, 'broken.json'), '{not json');

      const good = await runCli(['--schema', '--status', files.genuine,
        files.list]);
      const keys = ['file', 'verified', 'errors', 'schema_valid',
        'schema_errors', 'status'];
      expect('CLI: genuine credential and its status list verify, exit 0',
        good.code === 0 && good.lines.length === 2 &&
        good.lines.every(l => l.verified === true) &&
        JSON.stringify(Object.keys(good.lines[0])) === JSON.stringify(keys) &&
        good.lines[0].schema_valid === true &&
        good.lines[0].status[0].message === 'valid' &&
        good.lines[1].schema_valid === null &&
        good.lines[1].status.length === 0, good);
      console.log('       e.g. ' + JSON.stringify(good.lines[0]));
      const bad = await runCli(['--schema', '--status', files.edited,
        files.revoked, path.join(tmp, 'broken.json')]);
      expect('CLI: edited, revoked and unparsable files fail, exit 1',
        bad.code === 1 && bad.lines.length === 3 &&
        bad.lines.every(l => l.verified === false) &&
        bad.lines[1].status[0].message === 'revoked', bad);
      console.log('       e.g. ' + JSON.stringify(bad.lines[1]));
      const schemaOnly = await runCli(['--schema', '--status',
        files['object-proof']]);
      expect('CLI: verified but schema-invalid (object proof) exits 1',
        schemaOnly.code === 1 && schemaOnly.lines[0].verified === true &&
        schemaOnly.lines[0].schema_valid === false, schemaOnly);
      const plain = await runCli([files['object-proof']]);
      expect('CLI: without --schema/--status only the proof is checked, ' +
        'exit 0, schema_valid and status null', plain.code === 0 &&
        plain.lines[0].schema_valid === null &&
        plain.lines[0].status === null, plain);
      const usage = await runCli([]);
      expect('CLI: no file is a usage error (exit 2)', usage.code === 2,
        usage);
    });
  } finally {
    server.close();
    await rm(tmp, {recursive: true, force: true});
  }

  console.log('');
  console.log('findings:');
  for(const f of findings) {
    console.log(`  - ${f}`);
  }
  console.log('');
  console.log(`selftest: ${failed === 0 ? 'PASS' : 'FAIL'}`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

main().then(code => {
  process.exitCode = code;
}, e => {
  console.log(`FAIL - selftest crashed: ${e.stack || e}`);
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exitCode = 1;
});
