import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseCondaLockYml } from '../../shared/conda/conda-lock-yml';
import { parseExplicitLockfile } from '../../shared/conda/explicit-lockfile';
import { type ServedChannel, serveSyntheticChannel } from '../../test/support/channels';
import { runCliCaptured as cli } from '../../test/support/cli';
import { recoverFolder } from '../services/fs/commit-files';
import { lockStatus } from '../services/lock/lock-queries';

// kill -9 at random points of `condense lock` and `condense export`, a bounded number of times: after
// each, once the next start has recovered the folder, the lockfiles are the old pair or the new pair
// (never a mix), status tells the truth, an export folder is empty or whole, and no temporary file or
// journal is left.

const ROOT = join(import.meta.dirname, '../..');
const LOCK_KILLS = 10;
const EXPORT_KILLS = 6;
let channel: ServedChannel;
let root: string;
let project: string;

beforeAll(async () => {
  channel = await serveSyntheticChannel();
  root = await mkdtemp(join(tmpdir(), 'condense-kill-'));
  process.env.CONDENSE_CACHE_DIR = join(root, 'cache');
  project = join(root, 'project');
  await mkdir(project);
  await writeFile(join(project, 'condense.yml'), 'version: 1\n');
});
afterAll(async () => {
  await channel.close();
  await rm(root, { recursive: true, force: true });
});

const environment = (python: string) =>
  `channels:\n  - ${channel.url}\ndependencies:\n  - python=${python}\n  - numpy\n`;

/** Runs `condense` from the sources; with `killAfterMs`, SIGKILLs it then. Resolves on exit. */
function run(
  args: string[],
  killAfterMs?: number,
): Promise<{ code: number | null; ms: number; stderr: string }> {
  const started = Date.now();
  const child = spawn(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), join(ROOT, 'electron/cli/index.ts'), ...args],
    { env: process.env, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const timer =
    killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, ms: Date.now() - started, stderr });
    }),
  );
}

async function packageSets(dir: string): Promise<{ explicit: string; unified: string }> {
  const explicit = parseExplicitLockfile(await readFile(join(dir, 'conda-linux-64.lock'), 'utf8'))
    .packages.map((p) => p.url)
    .sort()
    .join('\n');
  const unified = parseCondaLockYml(await readFile(join(dir, 'conda-lock.yml'), 'utf8'))
    .packages.map((p) => p.url)
    .sort()
    .join('\n');
  return { explicit, unified };
}

/** Every file under `dir`, as paths relative to it (exports have subfolders: `.github/workflows`). */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

const leftovers = async (dir: string) =>
  (await filesUnder(dir)).filter((n) => n.endsWith('.tmp') || n.endsWith('.condense-commit.json'));

describe('kill -9 at random points', () => {
  it('lock: the lockfiles are always the old pair or the new pair, and status tells which', async () => {
    await writeFile(join(project, 'environment.yml'), environment('3.11'));
    expect((await cli(['lock', '--project', project])).code).toBe(0);
    // One whole run gives the time span to kill in.
    await writeFile(join(project, 'environment.yml'), environment('3.12'));
    const whole = await run(['lock', '--project', project]);
    expect(whole.code).toBe(0);
    const delays: number[] = [];
    let python = '3.12';
    let sawOld = 0;
    let sawNew = 0;
    for (let i = 0; i < LOCK_KILLS; i++) {
      const before = await packageSets(project);
      python = python === '3.11' ? '3.12' : '3.11';
      await writeFile(join(project, 'environment.yml'), environment(python));
      // The old pair may already fit this environment (an earlier kill kept it).
      const staleBefore = (await lockStatus(project)).stale;
      // Mostly late in the run, where the files are written.
      const delay = Math.round(whole.ms * (0.5 + Math.random() * 0.6));
      delays.push(delay);
      await run(['lock', '--project', project], delay);
      const status = await lockStatus(project); // the next start: recovers the folder first
      expect(await leftovers(project), `delays ${delays.join(',')}`).toEqual([]);
      const after = await packageSets(project);
      expect(after.explicit, `mixed lockfiles after a kill at ${delay} ms`).toBe(after.unified);
      expect(status.platforms[0]!.mismatch).toBeUndefined();
      if (after.explicit === before.explicit) {
        sawOld++;
        expect(status.stale).toBe(staleBefore);
      } else {
        sawNew++;
        expect(status.stale).toBe(false);
      }
    }
    // Informative only: how many kills hit before and after the commit.
    console.info(`lock kills: ${sawOld} left the old pair, ${sawNew} the new pair`);
  }, 600_000);

  it('export: the folder is empty or holds the whole export', async () => {
    const whole = await run(['export', join(root, 'export-whole'), '--project', project]);
    expect(whole.code, whole.stderr).toBe(0);
    const names = await filesUnder(join(root, 'export-whole'));
    const expected = new Map<string, string>();
    for (const name of names)
      expected.set(name, await readFile(join(root, 'export-whole', name), 'utf8'));
    for (let i = 0; i < EXPORT_KILLS; i++) {
      const out = join(root, `export-${i}`);
      const delay = Math.round(whole.ms * (0.5 + Math.random() * 0.6));
      await run(['export', out, '--project', project], delay);
      if (!existsSync(out)) continue;
      await recoverFolder(out, { deep: true });
      expect(await leftovers(out)).toEqual([]);
      const present = await filesUnder(out);
      expect(
        present.length === 0 || present.join() === names.join(),
        `kill at ${delay} ms left ${present.join(', ')}`,
      ).toBe(true);
      for (const name of present) {
        const text = await readFile(join(out, name), 'utf8');
        // The SBOM carries its creation time: whole means parseable; the rest is byte-equal.
        if (name.endsWith('.spdx.json')) expect(() => JSON.parse(text) as unknown).not.toThrow();
        else expect(text, name).toBe(expected.get(name));
      }
    }
  }, 600_000);
});
