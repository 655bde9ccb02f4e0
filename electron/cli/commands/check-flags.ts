import type { NetworkMode, SmokeSpec } from '../../../shared/api/build';
import { CondenseError } from '../../../shared/api/errors';
import { NETWORK_MODES } from '../../../shared/checks/model';

type Values = Record<string, string | boolean | string[] | boolean[] | undefined>;

/** The check flags `condense build` and `condense trace` share. */
export const CHECK_OPTIONS = {
  module: { type: 'string', multiple: true },
  'no-imports': { type: 'boolean' },
  check: { type: 'string' },
  'check-timeout': { type: 'string' },
  // Overrides condense.yml's network: (an engine without a bridge needs host).
  network: { type: 'string' },
} as const;

export const CHECK_USAGE =
  '[--module M]... [--no-imports] [--check CMD] [--check-timeout SECONDS] [--network default|host|none]';

export const list = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : [];

/** `--check` takes a JSON array (`["python","-m","app.check"]`) or words split on spaces; no shell. */
export function parseCheck(text: string, flag = '--check'): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      parsed = undefined;
    }
    if (
      !Array.isArray(parsed) ||
      parsed.length === 0 ||
      !parsed.every((p) => typeof p === 'string')
    ) {
      throw new CondenseError(
        'INVALID_INPUT',
        `${flag} as JSON must be a non-empty array of strings.`,
      );
    }
    return parsed;
  }
  const words = trimmed.split(/\s+/).filter(Boolean);
  if (words.length === 0) throw new CondenseError('INVALID_INPUT', `${flag} needs a command.`);
  return words;
}

/** The smoke test the flags ask for: absent when they ask for nothing (the lock's defaults apply). */
export function smokeFlags(values: Values): SmokeSpec | undefined {
  const smoke: SmokeSpec = {};
  // Without --module the lock's top-level modules are imported; --no-imports turns that off.
  if (list(values.module).length) smoke.modules = list(values.module);
  else if (values['no-imports']) smoke.modules = [];
  if (typeof values.check === 'string') smoke.command = parseCheck(values.check);
  if (typeof values['check-timeout'] === 'string') {
    const seconds = Number(values['check-timeout']);
    if (!Number.isFinite(seconds) || seconds < 1 || seconds > 3600)
      throw new CondenseError(
        'INVALID_INPUT',
        `--check-timeout takes seconds from 1 to 3600, not "${values['check-timeout']}".`,
      );
    smoke.commandTimeoutSeconds = seconds;
  }
  return smoke.modules || smoke.command ? smoke : undefined;
}

export function networkFlag(values: Values): NetworkMode | undefined {
  const network = values.network;
  if (network === undefined) return undefined;
  if (!NETWORK_MODES.includes(network as NetworkMode)) {
    throw new CondenseError(
      'INVALID_INPUT',
      `--network takes default, host or none, not "${String(network)}".`,
    );
  }
  return network as NetworkMode;
}
