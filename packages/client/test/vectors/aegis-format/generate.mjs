// Writes plain.json and encrypted.json beside this file: Aegis vault exports in the format
// Aegis documents (docs/vault.md of the Aegis repository: `header.slots` with scrypt password
// slots wrapping the master key with AES-256-GCM, `db` sealed with AES-256-GCM under
// `header.params`). The entries are our own, made up here; the encryption is node:crypto,
// independent of the importer's @noble/ciphers. Deterministic: the "random" bytes come from
// SHA-256 of a counter, so running it again must not change the files.
//   node packages/client/test/vectors/aegis-format/generate.mjs
import { createCipheriv, createHash, scryptSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';

let counter = 0;
const bytes = (n) => {
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i += 32) createHash('sha256').update(`aegis-format-${counter++}`).digest().copy(out, i);
  return out;
};
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const base32 = (buf) => {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of buf) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out;
};
const uuid = () => {
  const h = bytes(16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};
const entry = (type, issuer, name, info) => ({ type, uuid: uuid(), name, issuer, icon: null, info: { secret: base32(bytes(16)), ...info } });

const db = {
  version: 1,
  entries: [
    entry('totp', 'Northwind', 'ana', { algo: 'SHA1', digits: 6, period: 30 }),
    entry('totp', 'Contoso', 'ben', { algo: 'SHA256', digits: 7, period: 20 }),
    entry('totp', 'Fabrikam', 'chloe', { algo: 'SHA512', digits: 8, period: 50 }),
    entry('hotp', 'Tailspin', 'dev', { algo: 'SHA1', digits: 6, counter: 1 }),
    entry('hotp', 'Woodgrove', 'emma', { algo: 'SHA256', digits: 7, counter: 50 }),
    entry('hotp', 'Litware', 'femi', { algo: 'SHA512', digits: 8, counter: 10300 }),
    entry('steam', 'Adventure Works', 'gus', { algo: 'SHA1', digits: 5, period: 30 }),
  ],
};

const here = new URL('.', import.meta.url);
const write = (name, value) => writeFileSync(new URL(name, here), `${JSON.stringify(value, null, 4)}\n`);
write('plain.json', { version: 1, header: { slots: null, params: null }, db });

// Encrypted with the password "test" (scrypt N=2^15, r=8, p=1, as Aegis' defaults).
const password = 'test';
const n = 2 ** 15;
const salt = bytes(32);
const masterKey = bytes(32);
const slotKey = scryptSync(Buffer.from(password, 'utf8'), salt, 32, { N: n, r: 8, p: 1, maxmem: 2 ** 28 });
const slotNonce = bytes(12);
const slotCipher = createCipheriv('aes-256-gcm', slotKey, slotNonce);
const wrapped = Buffer.concat([slotCipher.update(masterKey), slotCipher.final()]);
const dbNonce = bytes(12);
const dbCipher = createCipheriv('aes-256-gcm', masterKey, dbNonce);
const sealed = Buffer.concat([dbCipher.update(Buffer.from(JSON.stringify(db), 'utf8')), dbCipher.final()]);
write('encrypted.json', {
  version: 1,
  header: {
    slots: [
      { type: 1, uuid: uuid(), key: wrapped.toString('hex'), key_params: { nonce: slotNonce.toString('hex'), tag: slotCipher.getAuthTag().toString('hex') }, n, r: 8, p: 1, salt: salt.toString('hex') },
    ],
    params: { nonce: dbNonce.toString('hex'), tag: dbCipher.getAuthTag().toString('hex') },
  },
  db: sealed.toString('base64'),
});
