// The PIN the user chooses: typed twice, long enough for the strictest policy in the vault.

/**
 * Why a chosen PIN was refused.
 *
 * @example
 * ```ts
 * const r = await auth.setPin({ pin, confirmation });
 * if (!r.ok && r.reason === 'mismatch') say('The two PINs differ');
 * ```
 */
export type PinChoiceFailure = 'mismatch' | 'too-short' | 'too-long' | 'invalid-characters';

const MAX_PIN = 64;

export function checkPinChoice(options: unknown, minLength: number): { ok: true; pin: string } | { ok: false; reason: PinChoiceFailure } {
  const o = (typeof options === 'object' && options !== null ? options : {}) as { pin?: unknown; confirmation?: unknown };
  if (typeof o.pin !== 'string' || typeof o.confirmation !== 'string') return { ok: false, reason: 'too-short' };
  if (o.pin !== o.confirmation) return { ok: false, reason: 'mismatch' };
  if (o.pin.length < Math.max(4, minLength)) return { ok: false, reason: 'too-short' };
  if (o.pin.length > MAX_PIN) return { ok: false, reason: 'too-long' };
  if (/[\u0000-\u001f\u007f]/.test(o.pin)) return { ok: false, reason: 'invalid-characters' };
  return { ok: true, pin: o.pin };
}
