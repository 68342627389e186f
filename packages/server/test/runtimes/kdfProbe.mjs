// Run unbundled by Node, Bun and Deno from inside the package (nativeKdf.test.ts): which
// `#native-kdf` variant the runtime's own resolver picks, and its scrypt on RFC 7914's vector.
import { nativeKdf } from '#native-kdf';

const kdf = nativeKdf();
const te = new TextEncoder();
const key = kdf ? await kdf.scrypt(te.encode('password'), te.encode('NaCl'), { N: 1024, r: 8, p: 16, dkLen: 64 }) : null;
console.log(JSON.stringify({ name: kdf?.name ?? null, key: key ? Array.from(key, (b) => b.toString(16).padStart(2, '0')).join('') : null }));
