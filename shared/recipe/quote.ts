/**
 * Quoting for the two languages a Dockerfile mixes: the Dockerfile's own words (ENV, LABEL, exec-form
 * JSON arrays) and /bin/sh in RUN lines. Validation rejects control characters before anything gets
 * here; these functions make every remaining character literal.
 */

/** Control characters (newlines included) end a Dockerfile line or confuse readers: never allowed. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f\u0085\u2028\u2029]/;

export function hasControlCharacter(value: string): boolean {
  return CONTROL.test(value);
}

/** A POSIX sh word that is always literal: single quotes, a single quote written as '\''. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * A Dockerfile double-quoted word for ENV and LABEL values. The Dockerfile lexer expands `$VAR` and
 * treats `\` as its escape in these instructions, so `\`, `"` and `$` are escaped.
 */
export function dockerfileQuote(value: string): string {
  if (hasControlCharacter(value)) throw new Error('control characters cannot be quoted');
  return `"${value.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;
}

/**
 * An exec-form JSON array (CMD, ENTRYPOINT). No shell runs it and Docker does not expand variables in
 * CMD, so JSON string escaping is all it needs.
 */
export function execForm(args: readonly string[]): string {
  for (const arg of args) {
    if (hasControlCharacter(arg)) throw new Error('control characters cannot be quoted');
  }
  return `[${args.map((arg) => JSON.stringify(arg)).join(', ')}]`;
}

/**
 * Characters allowed in paths that the generator writes unquoted (prefix, lockfile, COPY sources,
 * WORKDIR): nothing the shell or the Dockerfile lexer treats specially.
 */
export const SAFE_PATH = /^[A-Za-z0-9._/+@-]+$/;

/** Characters allowed in prune globs: safe path characters plus the `*` and `?` wildcards. */
export const SAFE_GLOB = /^[A-Za-z0-9._/+@*?-]+$/;

/** Throws unless `value` is made of safe path characters: a last guard in the generator. */
export function assertSafePath(value: string, what: string, glob = false): string {
  if (!(glob ? SAFE_GLOB : SAFE_PATH).test(value)) {
    throw new Error(`${what} "${value}" has characters that cannot be used unquoted`);
  }
  return value;
}
