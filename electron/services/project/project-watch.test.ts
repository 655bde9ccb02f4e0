import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { isWatchedFile, watchProject } from './project-watch';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Resolves with the next batch of changed files. */
function nextChange(queue: string[][]): Promise<string[]> {
  return new Promise((resolve) => {
    const poll = () => (queue.length ? resolve(queue.shift()!) : setTimeout(poll, 20));
    poll();
  });
}

describe('watchProject', () => {
  it('knows the project files', () => {
    expect(isWatchedFile('environment.yml')).toBe(true);
    expect(isWatchedFile('conda-linux-64.lock')).toBe(true);
    expect(isWatchedFile('conda-lock.yml')).toBe(true);
    expect(isWatchedFile('notes.txt')).toBe(false);
    expect(isWatchedFile('.environment.yml.tmp-1')).toBe(false);
  });

  it('reports edits and rename-replace saves, keeps watching after them, stops on abort', async () => {
    dir = await mkdtemp(join(tmpdir(), 'condense-watch-'));
    await writeFile(join(dir, 'environment.yml'), 'name: a\n');
    const changes: string[][] = [];
    const controller = new AbortController();
    const done = watchProject(dir, {
      signal: controller.signal,
      onChange: (files) => changes.push(files),
      debounceMs: 50,
    });
    await writeFile(join(dir, 'notes.txt'), 'ignored');
    await writeFile(join(dir, 'environment.yml'), 'name: b\n');
    expect(await nextChange(changes)).toEqual(['environment.yml']);
    // An atomic save: a temporary file renamed over the old one, twice.
    for (const round of [1, 2]) {
      await writeFile(join(dir, `.condense.yml.tmp-${round}`), `version: ${round}\n`);
      await rename(join(dir, `.condense.yml.tmp-${round}`), join(dir, 'condense.yml'));
      expect(await nextChange(changes)).toEqual(['condense.yml']);
    }
    controller.abort();
    await done;
    await writeFile(join(dir, 'environment.yml'), 'name: c\n');
    await new Promise((r) => setTimeout(r, 150));
    expect(changes).toEqual([]);
  });
});

describe('project:watch over the contract', () => {
  it('sends a changed event when environment.yml is edited, until cancelled', async () => {
    const { connectLoopback } = await import('../../../test/support/loopback');
    const { JobManager } = await import('../jobs/job-manager');
    const { createProjectHandlers } = await import('./handlers');
    dir = await mkdtemp(join(tmpdir(), 'condense-watch-api-'));
    await writeFile(join(dir, 'environment.yml'), 'name: a\n');
    const jobs = new JobManager();
    const client = connectLoopback(
      createProjectHandlers({ configDir: join(dir, '.config'), jobs }),
      jobs,
    );
    const events: { kind: string; data: unknown }[] = [];
    client.onJobEvent((e) => events.push(e));
    const { jobId } = await client.call('project:watch', { dir });
    await writeFile(join(dir, 'environment.yml'), 'name: b\n');
    await new Promise<void>((resolve) => {
      const poll = () => (events.length ? resolve() : setTimeout(poll, 20));
      poll();
    });
    expect(events[0]).toMatchObject({ kind: 'changed', data: { files: ['environment.yml'] } });
    expect(jobs.cancel(jobId)).toBe(true);
    await expect(client.call('project:watch', { dir: join(dir, 'nope') })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await jobs.shutdown();
  });
});
