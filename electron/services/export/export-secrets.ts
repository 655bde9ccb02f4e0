import { lstat, readFile, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';

import { CondenseError } from '../../../shared/api/errors';

/** A credential taken out of an exported file: the variable that stands in its place. */
export interface PlaceholderVariable {
  name: string;
  /** What it stood for, e.g. `the token of conda.example.com`. */
  what: string;
}

const ALREADY_VARIABLE = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/;

/** `CHANNEL_TOKEN_CONDA_EXAMPLE_COM` from a kind and a host. */
function variableName(kind: string, host: string): string {
  return `CONDA_CHANNEL_${kind}_${host
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_|_$/g, '')}`;
}

/**
 * Replaces channel credentials in text (environment.yml, lockfiles) by `${VAR}` placeholders, which
 * conda-lock and conda expand from the environment: `user:pass@` becomes
 * `${CONDA_CHANNEL_USER_<HOST>}:${CONDA_CHANNEL_PASSWORD_<HOST>}@`, `/t/<token>/` and `?token=` become
 * `${CONDA_CHANNEL_TOKEN_<HOST>}`. Placeholders already there are kept; the rest of the text
 * (comments, order) is untouched.
 */
export function withPlaceholders(text: string): { text: string; variables: PlaceholderVariable[] } {
  const variables = new Map<string, PlaceholderVariable>();
  const use = (kind: string, host: string, what: string) => {
    const name = variableName(kind, host);
    variables.set(name, { name, what: `${what} of ${host}` });
    return `\${${name}}`;
  };
  const out = text.replace(/\bhttps?:\/\/[^\s'"<>#]+/gi, (url) => {
    const at = /^(https?:\/\/)([^/?#@]+)@([^/?#:]+)/i.exec(url);
    const host = at?.[3] ?? /^https?:\/\/([^/?#:]+)/i.exec(url)?.[1] ?? 'channel';
    let result = url;
    if (at) {
      const [user, password] = at[2]!.split(/:(.*)/s);
      const parts = [user!, password].map((part, i) =>
        part === undefined || ALREADY_VARIABLE.test(part)
          ? part
          : use(
              password === undefined ? 'TOKEN' : i === 0 ? 'USER' : 'PASSWORD',
              host,
              password === undefined ? 'the token' : i === 0 ? 'the user name' : 'the password',
            ),
      );
      result = `${at[1]}${parts.filter((p) => p !== undefined).join(':')}@${result.slice(at[0].length - at[3]!.length)}`;
    }
    result = result.replace(/\/t\/([^/?#\s]+)(?=\/|$)/, (whole, token: string) =>
      ALREADY_VARIABLE.test(token) ? whole : `/t/${use('TOKEN', host, 'the token')}`,
    );
    result = result.replace(
      /([?&](?:token|access_token|auth|api_key|password)=)([^&#\s]+)/gi,
      (whole, key: string, value: string) =>
        ALREADY_VARIABLE.test(value) ? whole : `${key}${use('TOKEN', host, 'the token')}`,
    );
    return result;
  });
  return { text: out, variables: [...variables.values()] };
}

/** The README section that says which variables to set, or nothing when there are none. */
export function placeholderNote(variables: PlaceholderVariable[]): string {
  if (variables.length === 0) return '';
  return [
    '',
    '## Channel credentials',
    '',
    'Channel credentials were not exported: the files use these placeholders instead. Set them in',
    'your environment (conda-lock and conda expand `${VAR}` in channel URLs) before locking or installing:',
    '',
    ...variables.map((v) => `- \`${v.name}\`: ${v.what}`),
    '',
  ].join('\n');
}

/**
 * A project file's bytes and mode. A symlink is followed only while it stays inside the project:
 * a link to `~/.secrets/token` named `conda-linux-64.lock` is refused, naming the file.
 */
export async function readProjectFile(
  projectDir: string,
  name: string,
): Promise<{ data: Buffer; mode: number }> {
  const path = join(projectDir, name);
  const link = await lstat(path);
  if (link.isSymbolicLink()) {
    const [root, target] = await Promise.all([realpath(projectDir), realpath(path)]);
    const rel = relative(root, target);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
      throw new CondenseError(
        'PERMISSION_DENIED',
        `${path} is a symlink to ${target}, outside the project: not exported (copy the file into the project instead)`,
        { file: name },
      );
    }
  }
  const stats = await lstat(await realpath(path));
  if (!stats.isFile()) {
    throw new CondenseError('INVALID_INPUT', `${path} is not a regular file: not exported`, {
      file: name,
    });
  }
  return { data: await readFile(path), mode: stats.mode & 0o777 };
}
