// PostgreSQL array literals for the batch statements' parameters, built in one pass. pg would
// encode a JavaScript array itself, but element by element through its generic prepareValue
// (type checks, then a quoted, regex-escaped copy of each element's text); the batches send
// 7 to 11 arrays of up to 128 elements per statement. The server parses the literal with the
// parameter's declared type (`$1::text[]`, `$3::bigint[]`, ...), exactly as pg's encoding.

const ESCAPE = /[\\"]/;

/** `{"a","b",NULL}`: every element quoted, `\` and `"` escaped; `null` is SQL NULL. */
export function textArray(values: readonly (string | null)[]): string {
  let s = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (i > 0) s += ',';
    s += v === null ? 'NULL' : ESCAPE.test(v) ? `"${v.replace(/[\\"]/g, '\\$&')}"` : `"${v}"`;
  }
  return `${s}}`;
}

/**
 * `{1,-2,NULL}` for integer parameters (bigint[], integer[]); `null` is SQL NULL. Only safe
 * integers are written; anything else throws (the store validated them first, so that is a bug).
 */
export function intArray(values: readonly (number | null)[]): string {
  let s = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (i > 0) s += ',';
    if (v === null) s += 'NULL';
    else if (Number.isSafeInteger(v)) s += String(v);
    else throw new TypeError('intArray: not a safe integer');
  }
  return `${s}}`;
}

/** `{t,f}` for boolean[] parameters. */
export function boolArray(values: readonly boolean[]): string {
  let s = '{';
  for (let i = 0; i < values.length; i++) s += i > 0 ? (values[i] ? ',t' : ',f') : values[i] ? 't' : 'f';
  return `${s}}`;
}
