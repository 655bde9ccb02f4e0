import { rm } from 'node:fs/promises';
import { dirname, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';

import { CondenseError } from '../../../shared/api/errors';
import { startBrowserServer } from '../../server/browser-server';
import { createApiHandlers } from '../../services/api-handlers';
import { rendererDir } from '../../services/app-info';
import { writeFileAtomic } from '../../services/fs/atomic-write';
import { JobManager } from '../../services/jobs/job-manager';
import type { CliCommand } from '../command';

export function parsePort(value: unknown): number {
  if (value === undefined) return 0;
  const port = typeof value === 'string' && /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(port) || port > 65535) {
    throw new CondenseError(
      'INVALID_INPUT',
      `--port takes a number from 0 to 65535 (0 picks a free port), not ${JSON.stringify(value)}.`,
    );
  }
  return port;
}

/** `condense serve`: browser mode, for machines without a display or Docker on a remote workstation. */
export const serveCommand: CliCommand = {
  usage: 'serve [--port N] [--token-file FILE]',
  options: { port: { type: 'string' }, 'token-file': { type: 'string' } },
  async run(context, values) {
    const port = parsePort(values.port);
    const tokenFile =
      typeof values['token-file'] === 'string' ? resolvePath(values['token-file']) : undefined;
    const jobs = new JobManager();
    const server = await startBrowserServer({
      handlers: createApiHandlers({ jobs, mode: 'browser' }),
      onJobEvent: (listener) => jobs.onEvent(listener),
      rendererDir: rendererDir(dirname(fileURLToPath(import.meta.url))),
      port,
    });
    if (tokenFile) {
      // For scripts: the token alone, readable only by this user, never half-written.
      await writeFileAtomic(tokenFile, `${server.token}\n`, 0o600).catch(async (error: unknown) => {
        await server.close();
        throw new CondenseError(
          'INVALID_INPUT',
          `Cannot write the token to ${tokenFile}: ${(error as Error).message}`,
          { field: 'token-file' },
        );
      });
    }
    // stdout carries only the URL, so scripts (and the e2e harness) can read it.
    context.out(server.url);
    context.progress(
      [
        `Condense is serving on ${server.origin} (this machine only). Open the URL above in a browser;`,
        'it carries the access token. Press Ctrl-C to stop.',
        `From another computer: ssh -L ${server.port}:127.0.0.1:${server.port} <this host>, then open the URL there.`,
      ].join('\n'),
    );
    // Ctrl-C aborts the CLI's signal; a service manager sends SIGTERM.
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGTERM', stop);
        resolve();
      };
      if (context.signal.aborted) return stop();
      context.signal.addEventListener('abort', stop, { once: true });
      process.once('SIGTERM', stop);
    });
    context.progress('Stopping: cancelling running jobs.');
    await jobs.shutdown();
    await server.close();
    // The token dies with the server; a stale file would only mislead a script.
    if (tokenFile) await rm(tokenFile, { force: true });
    return 0;
  },
};
