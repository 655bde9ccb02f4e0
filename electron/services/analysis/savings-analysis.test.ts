import { execFileSync } from 'node:child_process';
import {
  cp,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SYNTHETIC_CONTENTS } from '../../../fixtures/synthetic/synthetic-channel';
import { isCondenseError } from '../../../shared/api/errors';
import { PRUNE_RULES } from '../../../shared/recipe/catalog';
import type { Recipe } from '../../../shared/recipe/model';
import { defaultPrune, defaultRecipe } from '../../../shared/recipe/model';
import { pruneCommand, resolvePrune } from '../../../shared/recipe/prune-commands';
import type { ServedChannel } from '../../../test/support/channels';
import { serveSyntheticChannel } from '../../../test/support/channels';
import type { ChosenPackage } from '../../../test/support/synthetic-lock';
import { syntheticLock } from '../../../test/support/synthetic-lock';
import { readPackageMetadata } from './conda-package-reader';
import { pycPath, pycSize } from './installed-files';
import { analyzeSavings } from './savings-analysis';

let channel: ServedChannel;
let work: string;
let project: string;
/** Chosen packages: one record per name, the python 3.11 builds. */
let chosen: ChosenPackage[];

/** Installs .tar.bz2 packages the way conda lays them out (noarch python moved under lib/python3.11). */
async function miniInstall(prefix: string): Promise<void> {
  await mkdir(prefix, { recursive: true });
  for (const { subdir, filename, record } of chosen) {
    const archive = join(channel.dir, subdir, filename.replace(/\.conda$/, '.tar.bz2'));
    const staging = await mkdtemp(join(work, 'stage-'));
    execFileSync('tar', ['-xjf', archive, '-C', staging, '--exclude=info']);
    if (record.noarch === 'python') {
      const sp = join(prefix, 'lib/python3.11');
      await mkdir(sp, { recursive: true });
      // conda compiles each module at install; this stand-in writes pycs of the modelled size.
      for (const entry of await readdir(join(staging, 'site-packages'), {
        recursive: true,
        withFileTypes: true,
      })) {
        if (!entry.isFile() || !entry.name.endsWith('.py')) continue;
        const source = join(entry.parentPath, entry.name);
        const pyc = join(staging, pycPath(relative(staging, source), '3.11'));
        await mkdir(dirname(pyc), { recursive: true });
        await writeFile(pyc, Buffer.alloc(pycSize((await stat(source)).size)));
      }
      await cp(join(staging, 'site-packages'), join(sp, 'site-packages'), { recursive: true });
      await rm(join(staging, 'site-packages'), { recursive: true });
      if ((await readdir(staging)).includes('python-scripts')) {
        await mkdir(join(prefix, 'bin'), { recursive: true });
        await cp(join(staging, 'python-scripts'), join(prefix, 'bin'), { recursive: true });
        await rm(join(staging, 'python-scripts'), { recursive: true });
      }
    }
    await cp(staging, prefix, { recursive: true, verbatimSymlinks: true });
    await rm(staging, { recursive: true });
  }
}

/** Bytes of regular files under a folder (symlinks count 0, as in the estimate). */
async function treeBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const stat = await lstat(join(entry.parentPath, entry.name));
    if (stat.isFile()) total += stat.size;
  }
  return total;
}

beforeAll(async () => {
  channel = await serveSyntheticChannel();
  work = await mkdtemp(join(tmpdir(), 'condense-analysis-'));
  project = join(work, 'project');
  await mkdir(project);
  const lock = await syntheticLock(channel.dir, channel.url);
  chosen = lock.chosen;
  await writeFile(join(project, 'conda-linux-64.lock'), lock.text);
});

afterAll(async () => {
  await channel?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

function recipe(): Recipe {
  return { ...defaultRecipe(), prune: defaultPrune('expert') };
}

describe('readPackageMetadata', () => {
  it('reads the same index and paths from .tar.bz2 and .conda', async () => {
    let compared = 0;
    for (const info of SYNTHETIC_CONTENTS) {
      const stem = `${info.name}-${info.version}-${info.build}`;
      const bz2 = readPackageMetadata(
        await readFile(join(channel.dir, info.subdir, `${stem}.tar.bz2`)),
        `${stem}.tar.bz2`,
      );
      const conda = readPackageMetadata(
        await readFile(join(channel.dir, info.subdir, `${stem}.conda`)),
        `${stem}.conda`,
      );
      expect(conda).toEqual(bz2);
      expect(bz2.index.name).toBe(info.name);
      expect(bz2.paths.map((p) => p.path).sort()).toEqual(info.files);
      compared += 1;
    }
    expect(compared).toBeGreaterThan(10);
  });

  it('refuses a file that is not a conda package, naming it', () => {
    expect(() => readPackageMetadata(new Uint8Array([1, 2, 3]), 'x-1-0.tar.bz2')).toThrow(
      /x-1-0.tar.bz2 is not a readable conda package/,
    );
  });
});

describe('analyzeSavings', () => {
  it('estimates exactly what each rule command removes from the installed environment', async () => {
    const cacheRoot = join(work, 'cache');
    const report = await analyzeSavings({ projectDir: project, recipe: recipe(), cacheRoot });
    expect(report.packages).toBe(chosen.length);
    expect(report.pythonVersion).toBe('3.11');
    // The space by package and folder adds up to the environment and to each rule's saving.
    const space = report.space ?? [];
    expect(space.reduce((sum, p) => sum + p.installedBytes, 0)).toBe(report.environmentBytes);
    for (const rule of report.rules) {
      const inFolders = space
        .flatMap((p) => p.folders)
        .reduce((sum, f) => sum + (f.removed[rule.ruleId] ?? 0), 0);
      expect(inFolders, rule.ruleId).toBe(rule.bytes);
    }
    const prefix = join(work, 'env');
    await miniInstall(prefix);
    // This mini-install writes no conda-meta records: the estimate models them apart (condaMetaSize).
    const meta = report.rules.find((r) => r.ruleId === 'conda-meta')!;
    expect(meta.files).toBe(chosen.length);
    const installed = report.environmentBytes - meta.bytes;
    expect(installed).toBe(await treeBytes(prefix));
    const allRules = resolvePrune(
      { ...defaultPrune('none'), add: PRUNE_RULES.map((r) => r.id) },
      'linux-64',
    );
    let nonZero = 0;
    for (const rule of allRules) {
      const copy = join(work, `env-${rule.id}`);
      await cp(prefix, copy, { recursive: true, verbatimSymlinks: true });
      // The real command of the generated Dockerfile, run on a copy of the environment.
      execFileSync('sh', ['-c', pruneCommand(rule.selector, copy)]);
      const removed = installed - (await treeBytes(copy));
      const estimated = report.rules.find((r) => r.ruleId === rule.id)!;
      if (rule.id === 'conda-meta') {
        expect(removed).toBe(0);
        continue;
      }
      expect({ id: rule.id, bytes: estimated.bytes }).toEqual({ id: rule.id, bytes: removed });
      if (removed > 0) nonZero += 1;
      await rm(copy, { recursive: true });
    }
    expect(nonZero).toBeGreaterThanOrEqual(8);
    // All rules of the selection together, overlaps counted once.
    const together = join(work, 'env-expert');
    await cp(prefix, together, { recursive: true, verbatimSymlinks: true });
    const expert = resolvePrune(defaultPrune('expert'), 'linux-64');
    execFileSync('sh', ['-c', expert.map((r) => pruneCommand(r.selector, together)).join(' && ')]);
    const removed = installed - (await treeBytes(together));
    expect(report.selections[0]).toMatchObject({ id: 'recipe', bytes: removed + meta.bytes });
    const sumOfRules = report.rules.filter((r) => r.selected).reduce((s, r) => s + r.bytes, 0);
    expect(sumOfRules).toBeGreaterThan(removed + meta.bytes); // numpy's tests/__pycache__ is matched twice
  });

  it('sizes a compile variant as keep: compileall writes the caches the prune removed again', async () => {
    const base = recipe();
    const variant = (id: string, bytecode: 'keep' | 'drop' | 'compile') => ({
      id,
      prune: { ...defaultPrune('expert'), bytecode },
    });
    const report = await analyzeSavings({
      projectDir: project,
      recipe: {
        ...base,
        variants: [variant('keep', 'keep'), variant('drop', 'drop'), variant('compile', 'compile')],
      },
      cacheRoot: join(work, 'cache'),
    });
    const bytes = (id: string) => report.selections.find((s) => s.id === id)!.bytes;
    const pycache = report.rules.find((r) => r.ruleId === 'pycache')!.bytes;
    expect(pycache).toBeGreaterThan(0);
    expect(bytes('drop')).toBeGreaterThan(bytes('keep'));
    expect(bytes('compile')).toBe(bytes('keep'));
    // The rules that run are still the compile variant's own, the cache rule among them.
    expect(report.selections.find((s) => s.id === 'compile')!.ruleIds).toContain('pycache');
  });

  it('names the owning packages of a rule', async () => {
    const report = await analyzeSavings({
      projectDir: project,
      recipe: recipe(),
      cacheRoot: join(work, 'cache'),
    });
    const staticLibs = report.rules.find((r) => r.ruleId === 'static-libs')!;
    expect(staticLibs.owners.map((o) => o.name)).toContain('numpy');
    expect(staticLibs.owners.reduce((s, o) => s + o.bytes, 0)).toBe(staticLibs.bytes);
  });

  it('measures a variant whose custom globs take whole top-level folders with force (the traced variant)', async () => {
    const base = recipe();
    const traced = {
      id: 'traced',
      prune: { ...defaultPrune('safe'), custom: ['share', 'lib/*.a'], force: ['share'] },
    };
    const report = await analyzeSavings({
      projectDir: project,
      recipe: { ...base, variants: [{ id: 'default', prune: base.prune }, traced] },
      cacheRoot: join(work, 'cache'),
    });
    expect(report.selections.map((s) => s.id)).toContain('traced');
    expect(report.rules.map((r) => r.ruleId)).toContain('custom:share');
  });

  it('reads file lists from the cache the second time, without the channel', async () => {
    const cacheRoot = join(work, 'cache-2');
    await analyzeSavings({ projectDir: project, recipe: recipe(), cacheRoot });
    const before = channel.requests.length;
    const again = await analyzeSavings({ projectDir: project, recipe: recipe(), cacheRoot });
    expect(again.cachedPackages).toBe(chosen.length);
    expect(channel.requests.length).toBe(before);
  });

  it('refuses a package whose md5 differs from the lockfile', async () => {
    const bad = join(work, 'bad-md5');
    await mkdir(bad);
    const first = chosen[0]!;
    await writeFile(
      join(bad, 'conda-linux-64.lock'),
      `@EXPLICIT\n${channel.url}/${first.subdir}/${first.filename}#${'0'.repeat(32)}\n`,
    );
    const error = await analyzeSavings({
      projectDir: bad,
      recipe: recipe(),
      cacheRoot: join(work, 'c3'),
    }).catch((e: unknown) => e);
    expect(isCondenseError(error, 'CONFLICT')).toBe(true);
    expect((error as Error).message).toMatch(/lock again/);
  });

  it('says what to do when the lockfile or a package is missing', async () => {
    const empty = join(work, 'empty');
    await mkdir(empty);
    const noLock = await analyzeSavings({
      projectDir: empty,
      recipe: recipe(),
      cacheRoot: join(work, 'c4'),
    }).catch((e: unknown) => e);
    expect(isCondenseError(noLock, 'NOT_FOUND')).toBe(true);
    expect((noLock as Error).message).toMatch(/condense lock/);
    await writeFile(
      join(empty, 'conda-linux-64.lock'),
      `@EXPLICIT\n${channel.url}/linux-64/gone-1-0.conda#${'a'.repeat(32)}\n`,
    );
    const gone = await analyzeSavings({
      projectDir: empty,
      recipe: recipe(),
      cacheRoot: join(work, 'c4'),
    }).catch((e: unknown) => e);
    expect(isCondenseError(gone, 'PACKAGE_NOT_FOUND')).toBe(true);
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await analyzeSavings({
      projectDir: project,
      recipe: recipe(),
      cacheRoot: join(work, 'c5'),
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect(isCondenseError(error, 'CANCELLED')).toBe(true);
  });
});
