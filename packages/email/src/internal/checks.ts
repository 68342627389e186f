import { emailError } from './errors.js';

// C0 and C1 controls, DEL, line and paragraph separators, and the bidirectional overrides and
// isolates (a name that reorders the text around it could make "Acme" read as another company).
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
// A lone surrogate (not well-formed UTF-16): encoders replace it, so what is checked is not what is shown.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A display name: 1..`max` characters without control or bidirectional-override characters. */
export function checkName(value: unknown, name: string, max: number): string {
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > max || FORBIDDEN.test(value) || LONE_SURROGATE.test(value)) {
    throw emailError('ERR_INVALID_ARGUMENT', `"${name}" expected 1..${max} characters without control or bidirectional-override characters`);
  }
  return value;
}

/** One line of a message (a subject): no control characters at all. */
export function isOneLine(text: string): boolean {
  return text.trim().length > 0 && !FORBIDDEN.test(text);
}

/**
 * One mail address, optionally with a display name: 3..320 characters, an `@`, no control
 * characters (a line break would let a caller's input add headers) and no list separator.
 */
export function checkAddress(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length < 3 || value.length > 320 || !value.includes('@') || FORBIDDEN.test(value) || /[,;]/.test(value)) {
    throw emailError('ERR_INVALID_ARGUMENT', `"${name}" expected one mail address (address or Name <address>) without control characters`);
  }
  return value;
}
