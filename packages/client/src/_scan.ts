// Scan routing: what a camera library returned, classified without throwing. The migration
// memory ("part 2 of 3") lives in the scanner so it survives between scans.
import { ENVELOPE_TEXT_PREFIX, type EnvelopeHeader, readEnvelopeHeader } from '@cloudmfa/activation';
import { isCloudMfaError } from '@cloudmfa/core';
import { parseOtpauthUri, type ParsedOtpauthUri } from '@cloudmfa/otp';
import { importMigration } from '@cloudmfa/otp/migration';

/** Longest scanned text looked at (a QR code holds at most 4,296 alphanumeric characters). */
const MAX_SCAN_LENGTH = 4096;
/** Allowance for a phone clock that runs behind, as `openEnvelope` has it. */
const ENVELOPE_SKEW_MS = 60_000;

/**
 * Why a scan was not recognised. `migration-other-batch`: a part of another export arrived
 * while one is half scanned (offer `resetMigration()`).
 *
 * @example
 * ```ts
 * const r = auth.scan(text);
 * if (!r.ok) toast(t(`scan.${r.reason}`));
 * ```
 */
export type ScanFailure =
  | 'empty'
  | 'too-long'
  | 'unrecognised'
  | 'activation-malformed'
  | 'activation-version'
  | 'activation-expired'
  | 'otpauth-invalid'
  | 'migration-invalid'
  | 'migration-other-batch'
  | 'migration-duplicate';

/**
 * What a scanned text is.
 *
 * @example
 * ```ts
 * const r = auth.scan(text);
 * if (r.ok && r.kind === 'migration' && !r.complete) say(`Part ${r.scanned.length} of ${r.of} scanned`);
 * ```
 */
export type ScanResult =
  | { readonly ok: true; readonly kind: 'activation'; readonly mode: 'online' | 'offline'; readonly issuedAt: number; readonly expiresAt: number }
  | { readonly ok: true; readonly kind: 'otpauth'; readonly type: 'totp' | 'hotp'; readonly issuer: string | null; readonly account: string }
  | {
      readonly ok: true;
      readonly kind: 'migration';
      /** 1-based number of the part just scanned. */
      readonly part: number;
      readonly of: number;
      /** 1-based part numbers scanned so far, ascending. */
      readonly scanned: readonly number[];
      readonly missing: readonly number[];
      readonly complete: boolean;
      /** Accounts in the parts scanned so far. */
      readonly accounts: number;
    }
  | { readonly ok: false; readonly reason: ScanFailure };

export type Routed =
  | { kind: 'activation'; text: string; header: EnvelopeHeader }
  | { kind: 'otpauth'; uri: ParsedOtpauthUri }
  | { kind: 'migration'; accounts: ParsedOtpauthUri[]; complete: boolean };

const fail = (reason: ScanFailure): { result: ScanResult; routed: null } => ({ result: Object.freeze({ ok: false, reason }), routed: null });

/** Leading/trailing whitespace of any kind, and a byte-order mark, are not part of a code. */
function trimScanned(text: string): string {
  return text.replace(/^[\s\uFEFF\u200B]+|[\s\uFEFF\u200B]+$/g, '');
}

export interface Scanner {
  /**
   * `clockKnown`: the clock was corrected by a server; else an online envelope is never called
   * expired here. `begin`: a migration part already scanned is not `migration-duplicate` (the
   * user starts the import with any part of the batch).
   */
  scan(text: unknown, now: number, clockKnown: boolean, begin?: boolean): { result: ScanResult; routed: Routed | null };
  reset(): void;
}

export function createScanner(): Scanner {
  let batch: { id: number; size: number; parts: Map<number, string>; accounts: number } | null = null;

  function migration(text: string, begin: boolean): { result: ScanResult; routed: Routed | null } {
    let part: ReturnType<typeof importMigration>;
    try {
      part = importMigration(text);
    } catch {
      return fail('migration-invalid');
    }
    const index = part.indexes[0] as number;
    if (!batch || batch.id !== part.batchId || batch.size !== part.batchSize) {
      if (batch && batch.parts.size < batch.size) return fail('migration-other-batch');
      batch = { id: part.batchId, size: part.batchSize, parts: new Map(), accounts: 0 };
    } else if (batch.parts.has(index) && !begin) {
      // A part seen twice is reported to scan; begin starts the import with any part.
      return fail('migration-duplicate');
    }
    if (!batch.parts.has(index)) {
      batch.parts.set(index, text);
      batch.accounts += part.accounts.length;
    }
    const scanned = [...batch.parts.keys()].sort((a, b) => a - b).map((i) => i + 1);
    const missing: number[] = [];
    for (let i = 1; i <= batch.size; i++) if (!scanned.includes(i)) missing.push(i);
    const complete = missing.length === 0;
    let accounts: ParsedOtpauthUri[] = [];
    if (complete) {
      try {
        accounts = importMigration([...batch.parts.values()]).accounts;
      } catch {
        batch = null;
        return fail('migration-invalid');
      }
    }
    const result: ScanResult = Object.freeze({
      ok: true,
      kind: 'migration',
      part: index + 1,
      of: batch.size,
      scanned: Object.freeze(scanned),
      missing: Object.freeze(missing),
      complete,
      accounts: batch.accounts,
    });
    return { result, routed: { kind: 'migration', accounts, complete } };
  }

  function route(raw: unknown, now: number, clockKnown: boolean, begin: boolean): { result: ScanResult; routed: Routed | null } {
    if (raw === null || raw === undefined) return fail('empty');
    if (typeof raw !== 'string') return fail('unrecognised');
    if (raw.length > MAX_SCAN_LENGTH * 2) return fail('too-long');
    const text = trimScanned(raw);
    if (text.length === 0) return fail('empty');
    if (text.length > MAX_SCAN_LENGTH) return fail('too-long');

    // Envelopes are QR alphanumeric text: the prefix and base45 are uppercase only.
    if (text.startsWith(ENVELOPE_TEXT_PREFIX)) {
      let header: EnvelopeHeader;
      try {
        header = readEnvelopeHeader({ text });
      } catch (e) {
        return fail(isCloudMfaError(e, 'ERR_ENVELOPE_VERSION') ? 'activation-version' : 'activation-malformed');
      }
      if ((clockKnown || header.mode === 'offline') && now > header.expiresAt + ENVELOPE_SKEW_MS) return fail('activation-expired');
      return {
        result: Object.freeze({ ok: true, kind: 'activation', mode: header.mode, issuedAt: header.issuedAt, expiresAt: header.expiresAt }),
        routed: { kind: 'activation', text, header },
      };
    }
    if (text.slice(0, ENVELOPE_TEXT_PREFIX.length).toUpperCase() === ENVELOPE_TEXT_PREFIX) return fail('activation-malformed');
    // URI schemes are case-insensitive (RFC 3986 3.1); the rest of the URI is not.
    const lower = text.slice(0, 21).toLowerCase();
    if (lower.startsWith('otpauth-migration://')) return migration(`otpauth-migration://${text.slice(20)}`, begin);
    if (lower.startsWith('otpauth://')) {
      let uri: ParsedOtpauthUri;
      try {
        uri = parseOtpauthUri({ uri: `otpauth://${text.slice(10)}`, lenient: true });
      } catch {
        return fail('otpauth-invalid');
      }
      return {
        result: Object.freeze({ ok: true, kind: 'otpauth', type: uri.type, issuer: uri.issuer ?? null, account: uri.account }),
        routed: { kind: 'otpauth', uri },
      };
    }
    return fail('unrecognised');
  }

  return {
    scan(raw, now, clockKnown, begin = false) {
      try {
        return route(raw, now, clockKnown, begin);
      } catch {
        // Nothing above should throw; if a parser does, the answer is still typed.
        return fail('unrecognised');
      }
    },
    reset() {
      batch = null;
    },
  };
}
