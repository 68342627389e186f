/** @module @cloudmfa/core/shape */
// `@cloudmfa/core/shape`: a few-hundred-byte stand-in for the zod subset that activation's and
// push's decoders use at their trust boundaries,
// with zod's outcomes (same accepted values, same first issue path): zod ships whole under
// Metro (no tree shaking, ~97 KB min+gzip with its locales), which a phone cannot afford.
// Strict objects refuse unknown keys; a refinement of an object runs only when its fields
// passed; integers are safe integers; outputs are fresh objects with the declared keys only.
// One copy for both packages (a subpath, so nothing else in core pays for it);
// test/shape.test.ts checks it against zod/mini. For SDK packages: not a general-purpose
// validation library, and not part of the documented API.

/** Where a value fails, as a path of keys (never the value itself). */
export interface Issue {
  readonly path: ReadonlyArray<PropertyKey>;
}

export type ParseResult<T> = { success: true; data: T } | { success: false; error: { issues: Issue[] } };

/** A validator: `safeParse` never throws. */
export interface Shape<T> {
  readonly isOptional: boolean;
  /** Pushes the issues of `value` (at `path`) to `issues`; returns the output when none. */
  run(value: unknown, path: PropertyKey[], issues: Issue[]): T;
  safeParse(value: unknown): ParseResult<T>;
}

export type Infer<S> = S extends Shape<infer T> ? T : never;

function make<T>(run: Shape<T>['run'], isOptional = false): Shape<T> {
  return {
    isOptional,
    run,
    safeParse(value) {
      const issues: Issue[] = [];
      const data = run(value, [], issues);
      return issues.length > 0 ? { success: false, error: { issues } } : { success: true, data };
    },
  };
}

const leaf = <T>(test: (v: unknown) => boolean): Shape<T> =>
  make((v, path, issues) => {
    if (!test(v)) issues.push({ path });
    return v as T;
  });

/** A string passing every check. */
export const string = (...checks: Array<(s: string) => boolean>): Shape<string> =>
  leaf((v) => typeof v === 'string' && checks.every((check) => check(v)));

/** A safe integer in [min, max]. */
export const int = (min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): Shape<number> =>
  leaf((v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max);

export const boolean = (): Shape<boolean> => leaf((v) => typeof v === 'boolean');

export const literal = <const L extends string>(expected: L): Shape<L> => leaf((v) => v === expected);

export const oneOf = <const L extends string>(values: readonly L[]): Shape<L> => leaf((v) => (values as readonly unknown[]).includes(v));

export const nullable = <T>(inner: Shape<T>): Shape<T | null> =>
  make((v, path, issues) => (v === null ? null : inner.run(v, path, issues)));

/** An object field that may be absent (or undefined). */
export const optional = <T>(inner: Shape<T>): Shape<T | undefined> =>
  make((v, path, issues) => (v === undefined ? undefined : inner.run(v, path, issues)), true);

type Fields = Record<string, Shape<unknown>>;
type OptionalKeys<F extends Fields> = { [K in keyof F]: undefined extends Infer<F[K]> ? K : never }[keyof F];
type ObjectOf<F extends Fields> = { [K in Exclude<keyof F, OptionalKeys<F>>]: Infer<F[K]> } & { [K in OptionalKeys<F>]?: Exclude<Infer<F[K]>, undefined> };
type Flat<T> = { [K in keyof T]: T[K] } & {};

const hasOwn = Object.prototype.hasOwnProperty;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A plain object with exactly these fields (unknown keys refused), then `refine` on the whole. */
export function strictObject<F extends Fields>(fields: F, refine?: (value: Flat<ObjectOf<F>>) => boolean): Shape<Flat<ObjectOf<F>>> {
  const keys = Object.keys(fields);
  return make((v, path, issues) => {
    if (!isRecord(v)) {
      issues.push({ path });
      return v as never;
    }
    const before = issues.length;
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      const field = fields[key]!;
      const value = v[key];
      const parsed = field.run(value, [...path, key], issues);
      if (!(field.isOptional && value === undefined)) out[key] = parsed;
    }
    if (Object.keys(v).some((key) => !hasOwn.call(fields, key))) issues.push({ path });
    if (issues.length === before && refine && !refine(out as Flat<ObjectOf<F>>)) issues.push({ path });
    return out as Flat<ObjectOf<F>>;
  });
}

/** One of `options`, chosen by the literal value of `key` (an unmatched value fails at `key`). */
export function discriminatedUnion<const O extends ReadonlyArray<{ value: string; shape: Shape<object> }>>(key: string, options: O): Shape<Infer<O[number]['shape']>> {
  return make((v, path, issues) => {
    if (!isRecord(v)) {
      issues.push({ path });
      return v as never;
    }
    const option = options.find((o) => o.value === v[key]);
    if (!option) {
      issues.push({ path: [...path, key] });
      return v as never;
    }
    return option.shape.run(v, path, issues) as Infer<O[number]['shape']>;
  });
}
