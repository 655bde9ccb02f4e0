import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Ajv from 'ajv';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';

import { parseExplicitLockfile } from '../../../shared/conda/explicit-lockfile';
import type { SpdxDocument } from '../../../shared/delivery/sbom';
import { sbomNamespace } from '../../../shared/delivery/sbom';
import { defaultPrune, defaultRecipe } from '../../../shared/recipe/model';
import { type ServedChannel, serveSyntheticChannel } from '../../../test/support/channels';
import { runCliCaptured } from '../../../test/support/cli';
import { SPDX_23_RULES, spdxSemanticErrors } from '../../../test/support/spdx-2.3-rules';
import { syntheticLock } from '../../../test/support/synthetic-lock';
import { defaultRepository, recipeLockHash } from '../build/build-request';
import { loadRecipe, writeRecipeFile } from '../recipe/recipe-file';
import { deliveryFiles, SBOM_FILE, variantSbomFile } from './delivery-files';
import { projectSbom } from './sbom-service';

let channel: ServedChannel;
let root: string;
let project: string;
let cacheRoot: string;
let lockText: string;

beforeAll(async () => {
  channel = await serveSyntheticChannel();
  root = await mkdtemp(join(tmpdir(), 'condense-sbom-'));
  project = join(root, 'churn-model');
  cacheRoot = join(root, 'cache');
  await mkdir(project);
  lockText = (await syntheticLock(channel.dir, channel.url)).text;
  await writeFile(join(project, 'conda-linux-64.lock'), lockText);
  await writeFile(join(project, 'environment.yml'), 'dependencies: [python=3.11]\n');
  await writeRecipeFile(project, {
    ...defaultRecipe(),
    variants: [
      { id: 'none', prune: defaultPrune('none') },
      { id: 'expert', prune: defaultPrune('expert') },
    ],
  });
});
afterAll(async () => {
  await channel.close();
  await rm(root, { recursive: true, force: true });
});

describe('condense sbom on a locked project (synthetic channel over HTTP)', () => {
  it('describes every locked package with its md5, purl and the licence its metadata declares', async () => {
    const document = await projectSbom({
      projectDir: project,
      cacheRoot,
      created: '2026-12-02T00:00:00Z',
    });
    const validate = new Ajv({ allErrors: true }).compile(SPDX_23_RULES);
    expect(validate(document), JSON.stringify(validate.errors)).toBe(true);
    expect(spdxSemanticErrors(document)).toEqual([]);
    const locked = parseExplicitLockfile(lockText).packages;
    const described = document.packages.slice(1);
    expect(described.map((p) => p.name).sort()).toEqual(locked.map((p) => p.name).sort());
    for (const pkg of locked) {
      const entry = described.find((p) => p.name === pkg.name)!;
      expect(entry.checksums).toContainEqual({ algorithm: 'MD5', checksumValue: pkg.md5 });
      expect(entry.downloadLocation).toBe(pkg.url);
      expect(entry.externalRefs![0]!.referenceLocator).toMatch(
        new RegExp(`^pkg:conda/${pkg.name}@`),
      );
    }
    // The synthetic writer declares BSD-3-Clause unless a package says otherwise.
    expect(described.filter((p) => p.licenseDeclared === 'BSD-3-Clause').length).toBeGreaterThan(0);
    expect(described.every((p) => p.licenseDeclared !== '')).toBe(true);
  });

  it("records what the expert variant's rules remove, and nothing for the unpruned one", async () => {
    const document = await projectSbom({ projectDir: project, cacheRoot });
    const comments = document.packages.flatMap((p) => p.annotations ?? []).map((a) => a.comment);
    expect(comments.some((c) => c.startsWith('Variant expert: prune rule '))).toBe(true);
    expect(comments.some((c) => c.startsWith('Variant none:'))).toBe(false);
    const only = await projectSbom({ projectDir: project, cacheRoot, variant: 'none' });
    expect(only.packages.flatMap((p) => p.annotations ?? [])).toEqual([]);
    expect(only.name).toBe('condense/churn-model:none');
  });

  it('refuses an unknown variant naming the known ones', async () => {
    await expect(projectSbom({ projectDir: project, cacheRoot, variant: 'tiny' })).rejects.toThrow(
      /no variant "tiny" \(variants: none, expert\)/,
    );
  });

  it('CLI: writes the file atomically with --output, or prints JSON', async () => {
    const previous = process.env.CONDENSE_CACHE_DIR;
    process.env.CONDENSE_CACHE_DIR = cacheRoot;
    onTestFinished(() => {
      if (previous === undefined) delete process.env.CONDENSE_CACHE_DIR;
      else process.env.CONDENSE_CACHE_DIR = previous;
    });
    const output = join(root, 'sbom.spdx.json');
    const written = await runCliCaptured(['sbom', '--project', project, '--output', output]);
    expect(written.code).toBe(0);
    expect(written.stderr).toMatch(/SBOM: \d+ packages written to/);
    const document = JSON.parse(await readFile(output, 'utf8')) as SpdxDocument;
    expect(document.spdxVersion).toBe('SPDX-2.3');
    const printed = await runCliCaptured(['sbom', '--project', project, '--variant', 'expert']);
    expect(printed.code).toBe(0);
    expect((JSON.parse(printed.stdout) as SpdxDocument).name).toBe('condense/churn-model:expert');
  });

  it("exports one SBOM per variant, each with the namespace that variant's images are labelled with", async () => {
    const files = await deliveryFiles({
      projectDir: project,
      recipe: await loadRecipe(project),
      cacheRoot,
    });
    expect([...files.keys()].filter((f) => f.endsWith('.spdx.json'))).toEqual([
      SBOM_FILE,
      variantSbomFile('none'),
      variantSbomFile('expert'),
    ]);
    const expert = JSON.parse(files.get(variantSbomFile('expert'))!) as SpdxDocument;
    // What build-service.ts puts in the dev.condense.sbom label of the expert image.
    const label = sbomNamespace(
      defaultRepository(project),
      (await recipeLockHash(project))!,
      'expert',
    );
    expect(expert.documentNamespace).toBe(label);
    expect(spdxSemanticErrors(expert)).toEqual([]);
  });
});
