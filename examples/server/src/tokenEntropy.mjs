// The operator's admin token must be at least as strong as a random 128-bit value
// (docs/guides/reference-server.md 1.2). The estimate is what the token would carry if each of
// its characters were drawn uniformly at random from the smallest alphabet that holds them all:
//
//   bits = length × log2(alphabet size)
//
// where the alphabet is, for a token of printable ASCII (0x21..0x7e):
//   - only 0-9                          → 10 (decimal)
//   - only 0-9a-f, or only 0-9A-F       → 16 (hexadecimal)
//   - otherwise the sum of the classes that occur: a-z 26, A-Z 26, 0-9 10, the two base64url
//     symbols `-` `_` 2, any other printable symbol 30 (so base64url is 64, all of 0x21..0x7e 94).
//
// It is an upper bound: a token a person chose ("password-password-...") carries far less. Use
// a random one (`openssl rand -hex 16` is the shortest that passes).

/** The minimum, in bits, the reference server accepts for `CLOUDMFA_ADMIN_TOKEN`. */
export const MIN_ADMIN_TOKEN_BITS = 128;

/** The alphabet size used by the estimate (see above). */
export function tokenAlphabetSize(token) {
  if (/^[0-9]+$/.test(token)) return 10;
  if (/^[0-9a-f]+$/.test(token) || /^[0-9A-F]+$/.test(token)) return 16;
  let size = 0;
  if (/[a-z]/.test(token)) size += 26;
  if (/[A-Z]/.test(token)) size += 26;
  if (/[0-9]/.test(token)) size += 10;
  if (/[-_]/.test(token)) size += 2;
  if (/[^A-Za-z0-9_-]/.test(token)) size += 30;
  return size;
}

/** `length × log2(alphabet size)`: the estimated entropy of a token in bits. */
export const estimateTokenBits = (token) => token.length * Math.log2(tokenAlphabetSize(token));
