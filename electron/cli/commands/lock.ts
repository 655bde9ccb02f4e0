import { createRequire } from 'node:module';

import { CondenseError } from '../../../shared/api/errors';
import type { LockOptions } from '../../../shared/api/lock';
import { validate } from '../../../shared/api/validate';
import { useRattler } from '../../services/lock/builtin-engine';
import { lockProject } from '../../services/lock/lock-service';
import type { CliCommand } from '../command';

const list = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : [];

/** `condense lock`: environment.yml to conda-<platform>.lock and conda-lock.yml. */
export const lockCommand: CliCommand = {
  usage:
    'lock [--platform P]... [--engine builtin|conda-lock] [--update NAME]... [--update-all] [--refresh] [--sha256] [--cuda VERSION] [--conda-lock PATH] [--conda PATH] [--timeout SECONDS]',
  options: {
    platform: { type: 'string', multiple: true },
    engine: { type: 'string' },
    update: { type: 'string', multiple: true },
    'update-all': { type: 'boolean' },
    refresh: { type: 'boolean' },
    sha256: { type: 'boolean' },
    cuda: { type: 'string' },
    'conda-lock': { type: 'string' },
    timeout: { type: 'string' },
    conda: { type: 'string' },
  },
  async run(context, values) {
    // rattler's CommonJS build: it reads its .wasm file instead of decoding base64 source.
    useRattler(
      () =>
        createRequire(import.meta.url)('@conda-org/rattler') as ReturnType<
          Parameters<typeof useRattler>[0]
        >,
    );
    const engine = values.engine ?? 'builtin';
    if (engine !== 'builtin' && engine !== 'conda-lock') {
      throw new CondenseError(
        'INVALID_INPUT',
        `--engine takes builtin or conda-lock, not ${JSON.stringify(engine)}`,
      );
    }
    let timeoutMs: number | undefined;
    if (values.timeout !== undefined) {
      const seconds = Number(values.timeout);
      if (!Number.isFinite(seconds) || seconds <= 0) {
        throw new CondenseError(
          'INVALID_INPUT',
          `--timeout takes a number of seconds, not ${JSON.stringify(values.timeout)}`,
        );
      }
      timeoutMs = Math.max(1, Math.round(seconds * 1000));
    }
    // The same request check as every other door (lock:start).
    const options: LockOptions = validate('lock:start', {
      projectDir: context.projectDir,
      engine,
      ...(list(values.platform).length ? { platforms: list(values.platform) } : {}),
      ...(list(values.update).length ? { update: list(values.update) } : {}),
      ...(values['update-all'] ? { updateAll: true } : {}),
      ...(values.refresh ? { refresh: true } : {}),
      ...(values.sha256 ? { hash: 'sha256' as const } : {}),
      ...(typeof values.cuda === 'string' ? { cuda: values.cuda } : {}),
      ...(timeoutMs ? { timeoutMs } : {}),
    });
    // The paths the user typed are this machine's own settings, unlike a request from a page.
    const result = await lockProject(
      options,
      { signal: context.signal, progress: (message) => context.progress(message) },
      {
        ...(typeof values['conda-lock'] === 'string'
          ? { condaLockPath: values['conda-lock'] }
          : {}),
        ...(typeof values.conda === 'string' ? { condaPath: values.conda } : {}),
      },
    ).catch((error: unknown) => {
      // The CLI frame prints only an error's first line; the solver's conflict chain follows it.
      if (error instanceof Error && error.message.includes('\n')) {
        context.progress(error.message.split('\n').slice(1).join('\n'));
      }
      throw error;
    });
    const counts = result.platforms.map((p) => `${p.platform}: ${p.packages} packages`).join(', ');
    const diff = result.diff
      ? `; ${result.diff.changed} changed, ${result.diff.added} added, ${result.diff.removed} removed`
      : '';
    context.progress(`locked in ${(result.durationMs / 1000).toFixed(2)} s (${counts}${diff})`);
    for (const file of result.files) context.out(file);
    return 0;
  },
};
