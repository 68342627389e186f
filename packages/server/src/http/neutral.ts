import type { CloudMfaErrorCode } from '@cloudmfa/core';
import type { HttpErrorCode } from '../errors.js';

/**
 * What the route core needs from a request, whatever carried it (a Fetch `Request`, a
 * `node:http` `IncomingMessage`). Each adapter builds one per call; nothing here is a Fetch or
 * Node object, so neither runtime pays for the other's.
 */
export interface NeutralRequest {
  /** Upper-case method. */
  method: string;
  /** The path part of the target (no query), percent-encoding kept, dot segments resolved; `null` when the target does not parse. */
  path: string | null;
  /** One header's value (lower-case name), or `null`. */
  header(name: string): string | null;
  /** Reads the whole body, stopping as soon as it passes `maxBytes`. Never throws. */
  readBody(maxBytes: number): Promise<BodyBytes>;
  /** The query string without `?` (`''` when there is none); set by the admin adapters only. */
  query?: () => string;
  /** The client address the caller's `clientIp` option gave (checked by the core), or `undefined`. */
  clientIp(): unknown;
  /** The adapter's own request object, handed back to the adapter's logger. */
  native: unknown;
}

export type BodyBytes = { ok: true; bytes: Uint8Array } | { ok: false; reason: 'too_large' | 'broken' };

/** What the core answers: each adapter writes it with the shared base headers (`BASE_HEADERS`). */
export interface NeutralResponse {
  status: number;
  /** Headers besides the base ones (`allow`, `retry-after`, the server time). */
  headers: Record<string, string> | null;
  /** The JSON text of the body. */
  body: string;
  /** The error code answered, or `null` on success (for the log). */
  code: HttpErrorCode | CloudMfaErrorCode | null;
}
