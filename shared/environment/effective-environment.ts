import type { MatchSpec } from '../conda/match-spec';
import type { EnvironmentWarning } from './environment-file';
import { parseEnvironmentFile } from './environment-file';
import { filterSelectors } from './selectors';

/** One platform's environment as conda-lock locks it: selectors applied, `${VAR}` expanded. */
export interface EffectiveEnvironment {
  platform: string;
  /** Channels with `${VAR}` / `$VAR` expanded (for fetching only: never write these). */
  channels: string[];
  /** Channels as written, for lockfiles and hashes. */
  channelsAsWritten: string[];
  conda: MatchSpec[];
  /** pip lines for this platform, expanded (`--index-url` lines stay pip lines). */
  pip: string[];
  /** pip lines for this platform, as written. */
  pipAsWritten: string[];
  variables: Record<string, string>;
  /** conda-lock's `pip-repositories:`, expanded (for fetching only). */
  pipRepositories: string[];
  /** `pip-repositories:` as written: Condense's pip lock adds them as extra indexes. */
  pipRepositoriesAsWritten: string[];
  /** conda-lock's category of this file's dependencies. */
  category: string;
  warnings: EnvironmentWarning[];
}

/**
 * `$VAR` and `${VAR}` from `env`, as Python's `os.path.expandvars` does (which conda and conda-lock
 * use): an unset variable stays as written and is reported.
 */
export function expandVariables(
  text: string,
  env: Record<string, string | undefined>,
): { value: string; missing: string[] } {
  const missing: string[] = [];
  const value = text.replace(
    /\$(?:\{([^}]+)\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (all, braced?: string, bare?: string) => {
      const name = (braced ?? bare)!;
      const found = env[name];
      if (found === undefined) {
        missing.push(name);
        return all;
      }
      return found;
    },
  );
  return { value, missing };
}

/** The environment for one platform: the file as conda-lock reads it there. */
export function effectiveEnvironment(
  text: string,
  platform: string,
  env: Record<string, string | undefined> = {},
): EffectiveEnvironment {
  // The whole file is read first, so warnings about lines left out on this platform are kept.
  const whole = parseEnvironmentFile(text).spec;
  const { spec } = parseEnvironmentFile(filterSelectors(text, platform));
  const warnings = [...whole.warnings];
  const expand = (value: string, what: string) => {
    const result = expandVariables(value, env);
    for (const name of result.missing) {
      const offset = Math.max(text.indexOf(value), 0);
      const before = text.slice(0, offset);
      warnings.push({
        line: before.split('\n').length,
        column: offset - before.lastIndexOf('\n') + value.indexOf(`$`),
        message: `${what} "${value}" uses $${name}, which is not set: it is used as written`,
      });
    }
    return result.value;
  };
  return {
    platform,
    channels: spec.channels.map((c) => expand(c, 'channel')),
    channelsAsWritten: spec.channels,
    conda: spec.dependencies.map(({ selector: _selector, ...rest }) => rest),
    pip: spec.pip.map((p) => expand(p, 'pip line')),
    pipAsWritten: spec.pip,
    variables: whole.variables,
    pipRepositories: spec.pipRepositories.map((r) => expand(r, 'pip repository')),
    pipRepositoriesAsWritten: spec.pipRepositories,
    category: spec.category ?? 'main',
    warnings,
  };
}
