import { DEFAULT_LIMITS, TEXT_PREFIX } from './internal/constants.js';
import type { EnvelopeLimits } from './types.js';

/**
 * The prefix every envelope text starts with; scanners route on it.
 *
 * @example
 * ```ts
 * if (scanned.startsWith(ENVELOPE_TEXT_PREFIX)) routeToActivation(scanned);
 * ```
 */
export const ENVELOPE_TEXT_PREFIX: string = TEXT_PREFIX;

/**
 * The decoder's default caps on attacker-controlled costs (docs/protocol/activation.md 2.1).
 *
 * @example
 * ```ts
 * await openEnvelope({ text, password, limits: { ...DEFAULT_ENVELOPE_LIMITS, maxTextLength: 800 } });
 * ```
 */
export const DEFAULT_ENVELOPE_LIMITS: Readonly<EnvelopeLimits> = DEFAULT_LIMITS;
