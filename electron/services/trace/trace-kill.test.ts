import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readRecipeFile } from '../recipe/recipe-file';
import { listTraces, tracesDir } from './trace-store';

// kill -9 while a trace writes its results (the traced variant into condense.yml, the record into
// .condense/traces/): after each kill, condense.yml is a whole file holding one version or the
// other, the record is whole, and once read again no temporary file is left.

const ROOT = join(import.meta.dirname, '../../..');
const KILLS = 6;
let project: string;

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), 'condense-trace-kill-'));
  await writeFile(join(project, 'environment.yml'), 'dependencies:\n  - python\n');
  await writeFile(join(project, 'condense.yml'), 'version: 1\n# kept comment\n');
});
afterAll(async () => {
  await rm(project, { recursive: true, force: true });
});

function writeUntilKilled(afterMs: number): Promise<void> {
  const child = spawn(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), join(ROOT, 'test/support/trace-writer.ts'), project],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve) => {
    child.stdout.once('data', () => setTimeout(() => child.kill('SIGKILL'), afterMs));
    child.once('exit', () => resolve());
  });
}

const version = (globs: string[]) =>
  globs.length === 400 && globs.every((g) => g.startsWith('lib/a-'))
    ? 'a'
    : globs.every((g) => g.startsWith('lib/b-')) && globs.length === 400
      ? 'b'
      : 'mixed';

describe('kill -9 while a trace writes its results', () => {
  it('leaves condense.yml and the record whole, one version or the other, and no temp file', async () => {
    const seen = new Set<string>();
    for (let kill = 0; kill < KILLS; kill++) {
      await writeUntilKilled(5 + Math.floor(Math.random() * 150));
      const read = await readRecipeFile(project);
      expect(read.issues).toEqual([]);
      expect(await readFile(join(project, 'condense.yml'), 'utf8')).toContain('# kept comment');
      const traced = read.recipe.variants.find((v) => v.id === 'traced');
      const recipeVersion = version(traced?.prune.custom ?? []);
      expect(recipeVersion).not.toBe('mixed');
      const records = await listTraces(project);
      expect(records).toHaveLength(1);
      const imageId = records[0]!.imageId;
      const recordVersion = /^sha256:(a+|b+)$/.test(imageId) ? imageId[7] : 'mixed';
      expect(imageId.length).toBe(7 + 1_000_000);
      expect(recordVersion).not.toBe('mixed');
      expect(
        JSON.parse(await readFile(join(tracesDir(project), 'default.json'), 'utf8')),
      ).toBeTruthy();
      seen.add(recipeVersion);
      // listTraces swept the record folder; the next read of the project sweeps condense.yml's.
      expect((await readdir(tracesDir(project))).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    }
    const { recoverFolder } = await import('../fs/commit-files');
    await recoverFolder(project);
    expect((await readdir(project)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(seen.size).toBeGreaterThan(0);
  }, 180_000);
});
