// Writes a small, complete TUF repository signed by tuf-js (@tufjs/models), an implementation
// independent of tufget, plus tampered copies and a manifest, for tests/interop/interop_test.cpp.
//
//   node tests/interop/make_fixtures.mjs OUTDIR
//
// Signing goes through the library: Metadata.sign(signer) canonicalises `signed` with
// @tufjs/canonical-json and hands the bytes to our signer, which signs them with Node's crypto
// and records them. Nothing here uses tufget code. Keys are fresh on every run.
//
// OUTDIR layout:
//   metadata/<file>.json          the repository, consistent snapshots (N.<role>.json)
//   targets/<dir>/<hash>.<name>   target bytes, one copy per listed hash
//   canonical/<file>.canon        the exact bytes tuf-js signed for <file>
//   canonical/<file>.full.canon   tuf-js canonical JSON of the whole envelope
//   tampered/<case>/<path>        one replaced file per case (path relative to OUTDIR)
//   divergence/                   a canonical-JSON ordering probe (see README.md)
//   fixtures.json                 manifest: files, keys, targets, tampered cases, outcomes

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

import { canonicalize } from '@tufjs/canonical-json';
import {
  Key, MetaFile, Metadata, MetadataKind, Root, Signature, Snapshot, TargetFile, Targets,
  Timestamp,
} from '@tufjs/models';
// Not re-exported by the package index in 4.x; the package has no "exports" map.
import { Delegations } from '@tufjs/models/dist/delegations.js';
import { DelegatedRole, Role, SuccinctRoles } from '@tufjs/models/dist/role.js';

const require = createRequire(import.meta.url);
const MODELS_VERSION = require('@tufjs/models/package.json').version;
const CANONICAL_JSON_VERSION = require('@tufjs/canonical-json/package.json').version;

const outdir = process.argv[2];
if (!outdir) {
  console.error('usage: node make_fixtures.mjs OUTDIR');
  process.exit(2);
}

const REFERENCE_TIME = '2025-06-01T00:00:00Z';
const EXPIRES = '2099-12-31T23:59:59Z';
// The initially trusted root may be long expired: only the final root is checked (5.3.10).
const ROOT1_EXPIRES = '2021-01-01T00:00:00Z';

// ---- keys -----------------------------------------------------------------------------------

const sha256hex = (data) => crypto.createHash('sha256').update(data).digest('hex');
const sha512hex = (data) => crypto.createHash('sha512').update(data).digest('hex');

// keyid as TUF signers compute it: sha256 of the canonical {keytype, scheme, keyval}.
function keyidOf(keytype, scheme, pub) {
  return sha256hex(Buffer.from(canonicalize({ keytype, scheme, keyval: { public: pub } })));
}

function makeKey(kind, keytype, label, unrecognizedFields) {
  let pair, pub, scheme, sign;
  if (kind === 'ed25519') {
    pair = crypto.generateKeyPairSync('ed25519');
    pub = Buffer.from(pair.publicKey.export({ format: 'jwk' }).x, 'base64url').toString('hex');
    scheme = 'ed25519';
    sign = (bytes) => crypto.sign(null, bytes, pair.privateKey);
  } else if (kind === 'ecdsa') {
    pair = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    pub = pair.publicKey.export({ type: 'spki', format: 'pem' });
    scheme = 'ecdsa-sha2-nistp256';
    // Node's default ECDSA signature encoding is DER (ECDSA-Sig-Value).
    sign = (bytes) => crypto.sign('sha256', bytes, pair.privateKey);
  } else if (kind === 'rsa') {
    pair = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    pub = pair.publicKey.export({ type: 'spki', format: 'pem' });
    scheme = 'rsassa-pss-sha256';
    sign = (bytes) => crypto.sign('sha256', bytes, {
      key: pair.privateKey,
      padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
      saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST,
    });
  } else {
    throw new Error(`unknown key kind ${kind}`);
  }
  const keyID = keyidOf(keytype, scheme, pub);
  const key = new Key({ keyID, keyType: keytype, scheme, keyVal: { public: pub },
                        unrecognizedFields });
  return { label, keyID, keytype, scheme, pub, key, sign };
}

const K = {
  rootA: makeKey('ed25519', 'ed25519', 'root A (v1 only)'),
  rootB: makeKey('ecdsa', 'ecdsa', 'root B (v1 and v2)'),
  rootC: makeKey('ed25519', 'ed25519', 'root C (v2 only)'),
  timestamp: makeKey('ecdsa', 'ecdsa-sha2-nistp256', 'timestamp',
                     { 'x-rstuf-key-name': 'online key \u00e9\u2603 "ts"' }),
  snapshot: makeKey('rsa', 'rsa', 'snapshot'),
  targets: makeKey('ed25519', 'ed25519', 'targets'),
  projects: makeKey('ecdsa', 'ecdsa-sha2-nistp256', 'projects delegate'),
  hashed: makeKey('rsa', 'rsa', 'hashed delegate'),
  bins: makeKey('ed25519', 'ed25519', 'succinct bins'),
};

// ---- signing through tuf-js -----------------------------------------------------------------

// Metadata.sign() canonicalises md.signed itself and calls the signer with those bytes; we keep
// the bytes so the test can compare tufget's canonical form with what was really signed.
function signWith(md, keys, captured) {
  for (const k of keys) {
    md.sign((bytes) => {
      if (captured.bytes && !captured.bytes.equals(bytes)) {
        throw new Error('tuf-js handed two signers different bytes');
      }
      captured.bytes = Buffer.from(bytes);
      return new Signature({ keyID: k.keyID, sig: k.sign(bytes).toString('hex') });
    });
  }
}

// JSON text with every non-ASCII character written as a \u escape (astral characters as
// surrogate pairs) and every '/' as '\/': the signed bytes are the canonical form of the
// decoded strings, so a parser that mishandles escapes cannot reproduce them.
function escapedJSON(value) {
  return JSON.stringify(value, null, 1)
    .replace(/[\u0080-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))
    .replace(/\//g, '\\/');
}

const files = new Map();  // relative path -> Buffer
const manifestMetadata = [];
const mdByName = new Map();  // role name -> Metadata (latest)

function emit(rel, bytes) {
  files.set(rel, Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'utf8'));
}

function publish(file, role, delegator, md, keys, style = 'pretty') {
  const captured = {};
  signWith(md, keys, captured);
  const json = md.toJSON();
  const text = style === 'escaped' ? escapedJSON(json) : JSON.stringify(json, null, 2);
  emit(`metadata/${file}`, text);
  emit(`canonical/${file}.canon`, captured.bytes);
  emit(`canonical/${file}.full.canon`, canonicalize(JSON.parse(text)));
  manifestMetadata.push({
    file, role, type: md.signed.type, version: md.signed.version, delegator,
    escaped: style === 'escaped',
    signatures: keys.map((k) => ({ keyid: k.keyID, keytype: k.keytype, scheme: k.scheme })),
  });
  return { md, text };
}

// ---- targets --------------------------------------------------------------------------------

const targetDefs = [
  { path: 'hello.txt', role: 'targets', bytes: Buffer.from('Hello from tuf-js!\n') },
  { path: 'docs/na\u00efve-\u65e5\u672c\u8a9e.txt', role: 'targets',
    bytes: Buffer.from('UTF-8 content: \u00e9\u00e8 \u65e5\u672c \u{1F600}\n') },
  { path: 'projects/alpha-1.0.tar.gz', role: 'projects-\u00f1',
    bytes: crypto.randomBytes(3000) },
  { path: 'projects/empty.txt', role: 'projects-\u00f1', bytes: Buffer.alloc(0) },
  { path: 'hashed/one.bin', role: null, bytes: crypto.randomBytes(100) },
  { path: 'hashed/two.bin', role: null, bytes: crypto.randomBytes(200) },
  { path: 'hashed/three.bin', role: null, bytes: crypto.randomBytes(300) },
];

function targetFileOf(def, extra) {
  return new TargetFile({
    path: def.path, length: def.bytes.length,
    hashes: { sha256: sha256hex(def.bytes), sha512: sha512hex(def.bytes) },
    unrecognizedFields: extra,
  });
}

// Consistent snapshot target names: <dir>/<hash>.<basename>, one copy per hash.
function targetCopies(def) {
  const dir = path.posix.dirname(def.path);
  const base = path.posix.basename(def.path);
  const prefix = dir === '.' ? 'targets/' : `targets/${dir}/`;
  return [sha256hex(def.bytes), sha512hex(def.bytes)].map((h) => `${prefix}${h}.${base}`);
}

// ---- root v1, root v2 -----------------------------------------------------------------------

function rootSigned(version, expires, rootKeys) {
  const keys = {};
  for (const k of [...rootKeys, K.timestamp, K.snapshot, K.targets]) keys[k.keyID] = k.key;
  return new Root({
    version, expires, specVersion: '1.0.31', consistentSnapshot: true, keys,
    roles: {
      root: new Role({ keyIDs: rootKeys.map((k) => k.keyID), threshold: 2 }),
      timestamp: new Role({ keyIDs: [K.timestamp.keyID], threshold: 1 }),
      snapshot: new Role({ keyIDs: [K.snapshot.keyID], threshold: 1,
                           unrecognizedFields: { 'x-note': 'role field \u00fc' } }),
      targets: new Role({ keyIDs: [K.targets.keyID], threshold: 1 }),
    },
    unrecognizedFields: {
      'x-tufget-interop': { nested: [1, true, null, 'caf\u00e9', { b: 2, a: 1 }], empty: {} },
    },
  });
}

const root1 = new Metadata(rootSigned(1, ROOT1_EXPIRES, [K.rootA, K.rootB]));
publish('1.root.json', 'root', null, root1, [K.rootA, K.rootB]);
// Rotation: A is replaced by C. Signed by the old threshold (A, B) and the new one (B, C).
const root2 = new Metadata(rootSigned(2, EXPIRES, [K.rootB, K.rootC]));
const root2Pub = publish('2.root.json', 'root', null, root2, [K.rootA, K.rootB, K.rootC]);
mdByName.set('root', root2);

// ---- delegated roles ------------------------------------------------------------------------

const BIT_LENGTH = 3;
const succinct = new SuccinctRoles({
  keyIDs: [K.bins.keyID], threshold: 1, bitLength: BIT_LENGTH, namePrefix: 'bins',
});
const binTargets = new Map();  // bin name -> [defs]
for (const def of targetDefs.filter((d) => d.role === null)) {
  def.role = succinct.getRoleForTarget(def.path);
  if (!binTargets.has(def.role)) binTargets.set(def.role, []);
  binTargets.get(def.role).push(def);
}
const delegatedFiles = [];  // [file, role, delegator, md, keys, style]
for (const bin of succinct.getRoles()) {
  const targets = {};
  for (const def of binTargets.get(bin) || []) targets[def.path] = targetFileOf(def);
  const md = new Metadata(new Targets({ version: 1, expires: EXPIRES, targets }));
  delegatedFiles.push([`1.${bin}.json`, bin, 'hashed', md, [K.bins], 'pretty']);
}

const hashed = new Metadata(new Targets({
  version: 1, expires: EXPIRES, targets: {},
  delegations: new Delegations({ keys: { [K.bins.keyID]: K.bins.key }, succinctRoles: succinct }),
}));
delegatedFiles.unshift(['1.hashed.json', 'hashed', 'targets', hashed, [K.hashed], 'pretty']);

const projTargets = {};
for (const def of targetDefs.filter((d) => d.role === 'projects-\u00f1')) {
  projTargets[def.path] = targetFileOf(def, { custom: { 'x-owner': 'Zo\u00eb' } });
}
const projects = new Metadata(new Targets({ version: 2, expires: EXPIRES, targets: projTargets }));
delegatedFiles.unshift(['2.projects-\u00f1.json', 'projects-\u00f1', 'targets', projects,
                        [K.projects], 'escaped']);

// ---- top-level targets ----------------------------------------------------------------------

const topTargets = {};
for (const def of targetDefs.filter((d) => d.role === 'targets')) {
  topTargets[def.path] = targetFileOf(def, {
    custom: {
      // Quotes, backslash, control characters, an astral character, a key that sorts before
      // lowercase letters: all must survive into the canonical bytes unescaped but for " and \.
      description: 'tab\there "quoted" back\\slash\nnewline \u00e9 \u{1F600} \u2028',
      Zeta: 1, alpha: [0, -1, 9007199254740991], 'x-bool': false,
    },
  });
}
const targets = new Metadata(new Targets({
  version: 5, expires: EXPIRES, targets: topTargets,
  delegations: new Delegations({
    keys: { [K.projects.keyID]: K.projects.key, [K.hashed.keyID]: K.hashed.key },
    roles: {
      'projects-\u00f1': new DelegatedRole({
        name: 'projects-\u00f1', keyIDs: [K.projects.keyID], threshold: 1, terminating: true,
        paths: ['projects/*'], unrecognizedFields: { 'x-role-note': 'delegated \u00df' },
      }),
      hashed: new DelegatedRole({
        name: 'hashed', keyIDs: [K.hashed.keyID], threshold: 1, terminating: false,
        paths: ['hashed/*'],
      }),
    },
    unrecognizedFields: { 'x-delegations-note': 'ok' },
  }),
  unrecognizedFields: { 'x-unknown-top-level': { list: ['\u00e9', '\\', '"'] } },
}));

// ---- snapshot, timestamp --------------------------------------------------------------------

const published = new Map();  // file -> text
published.set('2.root.json', root2Pub.text);
const targetsPub = publish('5.targets.json', 'targets', 'root', targets, [K.targets], 'escaped');
published.set('5.targets.json', targetsPub.text);
for (const [file, role, delegator, md, keys, style] of delegatedFiles) {
  published.set(file, publish(file, role, delegator, md, keys, style).text);
  mdByName.set(role, md);
}
mdByName.set('targets', targets);

const lengthAndHash = (text) => ({
  length: Buffer.byteLength(text), hashes: { sha256: sha256hex(Buffer.from(text)) },
});
const snapMeta = {
  // targets.json without length/hashes: its tampering must be caught by its signature.
  'targets.json': new MetaFile({ version: 5 }),
};
for (const [file, role] of delegatedFiles) {
  const version = Number(file.split('.')[0]);
  snapMeta[`${role}.json`] = role === 'projects-\u00f1'
    ? new MetaFile({ version, ...lengthAndHash(published.get(file)),
                     unrecognizedFields: { 'x-meta-note': 1 } })
    : new MetaFile({ version });
}
const snapshot = new Metadata(new Snapshot({ version: 3, expires: EXPIRES, meta: snapMeta }),
                              undefined, { 'x-envelope-field': 'outside signed, ignored' });
const snapshotPub = publish('3.snapshot.json', 'snapshot', 'root', snapshot, [K.snapshot]);
mdByName.set('snapshot', snapshot);

const snapBytes = Buffer.from(snapshotPub.text);
const timestamp = new Metadata(new Timestamp({
  version: 4, expires: EXPIRES,
  snapshotMeta: new MetaFile({
    version: 3, length: snapBytes.length,
    hashes: { sha256: sha256hex(snapBytes), sha512: sha512hex(snapBytes) },
  }),
}));
const timestampPub = publish('timestamp.json', 'timestamp', 'root', timestamp, [K.timestamp]);
mdByName.set('timestamp', timestamp);

for (const def of targetDefs) for (const rel of targetCopies(def)) emit(rel, def.bytes);

// ---- self-check with tuf-js's own verifier --------------------------------------------------

function tufjsAccepts(delegatorMd, role, text, type) {
  try {
    delegatorMd.verifyDelegate(role, Metadata.fromJSON(type, JSON.parse(text)));
    return true;
  } catch {
    return false;
  }
}
const delegatorOf = (name) => mdByName.get(name);
{
  const must = (ok, what) => { if (!ok) throw new Error(`tuf-js rejects its own ${what}`); };
  must(tufjsAccepts(root1, 'root', root2Pub.text, MetadataKind.Root), '2.root.json (old root)');
  must(tufjsAccepts(root2, 'root', root2Pub.text, MetadataKind.Root), '2.root.json (new root)');
  must(tufjsAccepts(root2, 'timestamp', timestampPub.text, MetadataKind.Timestamp), 'timestamp');
  must(tufjsAccepts(root2, 'snapshot', snapshotPub.text, MetadataKind.Snapshot), 'snapshot');
  must(tufjsAccepts(root2, 'targets', targetsPub.text, MetadataKind.Targets), 'targets');
  for (const [file, role, delegator] of delegatedFiles) {
    must(tufjsAccepts(delegatorOf(delegator), role, published.get(file), MetadataKind.Targets),
         file);
  }
}

// ---- tampered copies ------------------------------------------------------------------------

const tampered = [];
// The first target (in manifest order) whose lookup goes through `role`: where an updater that
// looks up every target in order meets a tampered copy of that role.
function firstTargetVia(role) {
  const via = (d) => d.role === role || (role === 'hashed' && d.role.startsWith('bins-'));
  return targetDefs.find(via).path;
}
// Tampered copies keep the original's formatting, so that an edit that keeps every value's
// length keeps the file's length too (and a pinned length is not what catches it).
const reformat = (doc, original) =>
  original.startsWith('{\n "') ? escapedJSON(doc) : JSON.stringify(doc, null, 2);
function flipSignature(text, keyID) {
  const doc = JSON.parse(text);
  const sig = doc.signatures.find((s) => s.keyid === keyID);
  const raw = Buffer.from(sig.sig, 'hex');
  raw[raw.length >> 1] ^= 0x01;
  sig.sig = raw.toString('hex');
  return reformat(doc, text);
}
function editSigned(text, edit) {
  const doc = JSON.parse(text);
  edit(doc.signed);
  return reformat(doc, text);
}
function addTampered(name, rel, bytes, stage, expected, description, extra = {}) {
  if (expected === 'length_or_hash_mismatch' && files.get(rel).length !== Buffer.byteLength(bytes)) {
    throw new Error(`tampered case ${name} changes the length: it should test the hashes`);
  }
  emit(`tampered/${name}/${rel}`, bytes);
  tampered.push({ name, replaces: rel, file: `tampered/${name}/${rel}`, stage, expected,
                  description, ...extra });
}

addTampered('root2_new_key_signature_flipped', 'metadata/2.root.json',
            flipSignature(root2Pub.text, K.rootC.keyID), 'root', 'unsigned_metadata',
            'one byte of the new root key C signature (ed25519) flipped: new threshold 2 unmet');
addTampered('root2_old_key_signature_flipped', 'metadata/2.root.json',
            flipSignature(root2Pub.text, K.rootA.keyID), 'root', 'unsigned_metadata',
            'one byte of the old root key A signature (ed25519) flipped: old threshold 2 unmet');
{
  const doc = JSON.parse(root2Pub.text);
  doc.signatures = doc.signatures.filter((s) => s.keyid !== K.rootA.keyID);
  addTampered('root2_signed_by_new_keys_only', 'metadata/2.root.json',
              JSON.stringify(doc, null, 2), 'root', 'unsigned_metadata',
              'new root signed only by its own keys (B, C): the trusted root needs A and B');
}
addTampered('root2_field_changed', 'metadata/2.root.json',
            editSigned(root2Pub.text, (s) => { s.consistent_snapshot = false; }),
            'root', 'unsigned_metadata', 'consistent_snapshot changed after signing');
addTampered('timestamp_signature_flipped', 'metadata/timestamp.json',
            flipSignature(timestampPub.text, K.timestamp.keyID), 'timestamp',
            'unsigned_metadata', 'one byte of the ecdsa signature flipped');
addTampered('timestamp_version_bumped', 'metadata/timestamp.json',
            editSigned(timestampPub.text, (s) => { s.version += 1; }), 'timestamp',
            'unsigned_metadata', 'version bumped without re-signing');
addTampered('snapshot_field_changed', 'metadata/3.snapshot.json',
            editSigned(snapshotPub.text, (s) => { s.meta['targets.json'].version = 6; }),
            'snapshot', 'length_or_hash_mismatch',
            'snapshot edited after signing; timestamp pins its length and hashes');
{
  // Timestamp pins the snapshot's hashes, so to reach the signature check the timestamp is
  // re-signed (validly) over the tampered copy's length and hash.
  const text = flipSignature(snapshotPub.text, K.snapshot.keyID);
  const ts = new Metadata(new Timestamp({
    version: 4, expires: EXPIRES,
    snapshotMeta: new MetaFile({ version: 3, length: Buffer.byteLength(text),
                                 hashes: { sha256: sha256hex(Buffer.from(text)) } }),
  }));
  const tsText = JSON.stringify((signWith(ts, [K.timestamp], {}), ts.toJSON()), null, 2);
  addTampered('snapshot_signature_flipped', 'metadata/3.snapshot.json', text, 'snapshot',
              'unsigned_metadata',
              'one byte of the rsa-pss signature flipped (timestamp re-signed to pin the copy)',
              { also_replaces: [{ replaces: 'metadata/timestamp.json',
                                  file: 'tampered/snapshot_signature_flipped/metadata/timestamp.json' }] });
  emit('tampered/snapshot_signature_flipped/metadata/timestamp.json', tsText);
}
addTampered('targets_signature_flipped', 'metadata/5.targets.json',
            flipSignature(targetsPub.text, K.targets.keyID), 'targets', 'unsigned_metadata',
            'one byte of the ed25519 signature flipped (snapshot pins only the version)');
addTampered('targets_field_changed', 'metadata/5.targets.json',
            editSigned(targetsPub.text, (s) => { s.targets['hello.txt'].length += 1; }),
            'targets', 'unsigned_metadata', 'a target length changed after signing');
addTampered('targets_custom_field_changed', 'metadata/5.targets.json',
            editSigned(targetsPub.text, (s) => {
              s['x-unknown-top-level'].list[0] = 'e\u0301';
            }),
            'targets', 'unsigned_metadata',
            'an unknown top-level field changed after signing (unknown fields are signed too)');
addTampered('projects_field_changed', 'metadata/2.projects-\u00f1.json',
            editSigned(published.get('2.projects-\u00f1.json'),
                       (s) => { s.targets['projects/empty.txt'].length = 1; }),
            'delegated:projects-\u00f1', 'length_or_hash_mismatch',
            'delegated role edited after signing; snapshot pins its length and hash',
            { target: firstTargetVia('projects-\u00f1') });
addTampered('hashed_signature_flipped', 'metadata/1.hashed.json',
            flipSignature(published.get('1.hashed.json'), K.hashed.keyID), 'delegated:hashed',
            'unsigned_metadata', 'one byte of the rsa-pss signature flipped',
            { target: firstTargetVia('hashed') });
{
  const bin = succinct.getRoleForTarget('hashed/two.bin');
  const file = `1.${bin}.json`;
  addTampered('bin_version_bumped', `metadata/${file}`,
              editSigned(published.get(file), (s) => { s.version = 2; }), `delegated:${bin}`,
              'unsigned_metadata', 'version bumped without re-signing',
              { target: firstTargetVia(bin) });
  // Properly signed by the bin key, but not the version snapshot lists.
  const md = new Metadata(new Targets({
    version: 2, expires: EXPIRES,
    targets: Object.fromEntries(binTargets.get(bin).map((d) => [d.path, targetFileOf(d)])),
  }));
  signWith(md, [K.bins], {});
  addTampered('bin_version_mismatch_signed', `metadata/${file}`,
              JSON.stringify(md.toJSON(), null, 2), `delegated:${bin}`, 'bad_version_number',
              'validly signed, but version 2 where snapshot lists 1',
              { target: firstTargetVia(bin) });
}
for (const def of [targetDefs[0], targetDefs[2]]) {
  const changed = Buffer.from(def.bytes);
  changed[changed.length >> 1] ^= 0x01;
  const name = `target_changed_${def.path.replace(/[^a-z0-9]/gi, '_')}`;
  const [first, ...rest] = targetCopies(def);
  addTampered(name, first, changed, 'target', 'length_or_hash_mismatch',
              'one byte of the target file changed (same length)',
              { target: def.path,
                also_replaces: rest.map((r) => ({ replaces: r, file: `tampered/${name}/${r}` })) });
  for (const r of rest) emit(`tampered/${name}/${r}`, changed);
}

// tuf-js must agree that every signature-level tampering is refused.
for (const t of tampered.filter((t) => t.expected === 'unsigned_metadata')) {
  const role = t.stage.startsWith('delegated:') ? t.stage.slice('delegated:'.length) : t.stage;
  const text = files.get(t.file).toString('utf8');
  const entry = manifestMetadata.find((m) => `metadata/${m.file}` === t.replaces);
  const delegator = role === 'root' ? root1 : delegatorOf(entry.delegator);
  const verifier = role === 'root' ? [root1, root2] : [delegator];
  let accepted = true;
  for (const v of verifier) {
    if (!tufjsAccepts(v, role, text, entry.type)) accepted = false;
  }
  if (accepted) throw new Error(`tuf-js accepts tampered case ${t.name}`);
  t.tufjs_rejects = true;
}

// ---- canonical JSON ordering probe ----------------------------------------------------------
// @tufjs/canonical-json sorts keys with Array.prototype.sort (UTF-16 code units); tufget,
// python-securesystemslib and go-securesystemslib sort by UTF-8 bytes (= code points). The two
// orders differ only for keys mixing U+E000..U+FFFF with astral characters, which the signed
// fixtures above avoid on purpose.
{
  const probe = { '\uff01': 1, '\u{1F600}': 2, a: 3, '\u00e9': 4 };
  emit('divergence/input.json', JSON.stringify(probe));
  emit('divergence/tufjs.canon', canonicalize(probe));
  const bytewise = '{' + Object.keys(probe)
    .sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)))
    .map((k) => `${JSON.stringify(k)}:${probe[k]}`).join(',') + '}';
  emit('divergence/bytewise.canon', bytewise);
}

// ---- manifest and output --------------------------------------------------------------------

const manifest = {
  generator: { '@tufjs/models': MODELS_VERSION, '@tufjs/canonical-json': CANONICAL_JSON_VERSION,
               node: process.version },
  reference_time: REFERENCE_TIME,
  consistent_snapshot: true,
  trusted_root: 'metadata/1.root.json',
  root_versions: ['metadata/2.root.json'],
  top_level: { timestamp: 'metadata/timestamp.json', snapshot: 'metadata/3.snapshot.json',
               targets: 'metadata/5.targets.json' },
  // In the order a client can verify them (each delegator before its delegates).
  delegated: delegatedFiles.map(([file, role, delegator]) => ({
    file: `metadata/${file}`, role, delegator })),
  succinct: { name_prefix: 'bins', bit_length: BIT_LENGTH, delegator: 'hashed' },
  metadata: manifestMetadata,
  keys: Object.fromEntries(Object.values(K).map((k) => [k.keyID, {
    label: k.label, keytype: k.keytype, scheme: k.scheme, public: k.pub }])),
  targets: targetDefs.map((d) => ({
    path: d.path, role: d.role, length: d.bytes.length, sha256: sha256hex(d.bytes),
    files: targetCopies(d) })),
  tampered,
};
emit('fixtures.json', JSON.stringify(manifest, null, 2));

fs.mkdirSync(outdir, { recursive: true });
for (const [rel, bytes] of files) {
  const full = path.join(outdir, rel);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, bytes);
}
console.log(`wrote ${files.size} files to ${outdir} with @tufjs/models ${MODELS_VERSION}`);
