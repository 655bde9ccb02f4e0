// pip:search against the offline indexes on loopback: PEP 691 JSON (the project list, then the
// project's page with relative links), the private index through basic auth from ${VAR}s.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ServedIndexes } from '../../../test/support/pypi';
import { PRIVATE_LOGIN, servePypiIndexes, writePipProject } from '../../../test/support/pypi';
import { createPipHandlers } from './handlers';
import { indexProject } from './index';

let indexes: ServedIndexes | undefined;
let work: string;
let project: string;
const search = createPipHandlers()['pip:search'];

beforeAll(async () => {
  indexes = await servePypiIndexes();
  if (!indexes) return;
  work = await mkdtemp(join(tmpdir(), 'condense-pip-search-'));
  project = join(work, 'project');
  await writePipProject(project, 'http://127.0.0.1:9/unused', indexes, ['pinme']);
  process.env.PIP_LOGIN = PRIVATE_LOGIN;
  process.env.PIP_TOKEN = indexes.token;
});

afterAll(async () => {
  delete process.env.PIP_TOKEN;
  delete process.env.PIP_LOGIN;
  await indexes?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('pip:search on the served indexes', () => {
  it('finds names on the public and the private index, with versions (yanked left out)', async () => {
    if (!indexes) return;
    expect(await search({ projectDir: project, query: 'Condense_Demo' })).toEqual([
      { name: 'condense-demo', versions: ['1.0.0', '2.0.0'], index: indexes.public.simpleUrl },
    ]);
    expect(await search({ projectDir: project, query: 'pinme' })).toEqual([
      { name: 'pinme', versions: ['1.0'], index: indexes.public.simpleUrl },
    ]);
    expect(await search({ projectDir: project, query: 'acme' })).toEqual([
      { name: 'acme-internal', index: indexes.private.simpleUrl },
    ]);
    // The private index was asked with the credentials, which the JSON answers carry nowhere.
    expect(indexes.private.requests.every((r) => r.authorized && r.status === 200)).toBe(true);
    expect(await search({ projectDir: project, query: 'no-such-thing' })).toEqual([]);
  });

  it('makes relative links absolute and says when the credentials are refused', async () => {
    if (!indexes) return;
    const project = await indexProject([{ url: indexes.public.simpleUrl } as never], 'MarkupSafe');
    expect(project?.files[0]?.url).toBe(
      `${indexes.public.url}/files/MarkupSafe-2.1.2-cp311-cp311-manylinux_2_36_x86_64.whl`,
    );
    await expect(
      indexProject([{ url: indexes.private.simpleUrl } as never], 'acme-internal'),
    ).rejects.toThrow(/^the pip index 127\.0\.0\.1:\d+ refused the credentials \(401\)$/);
  });

  it("takes conda-lock's pip-repositories: as more indexes, credentials from ${VAR}s", async () => {
    if (!indexes) return;
    const dir = join(work, 'repositories');
    await writePipProject(dir, 'http://127.0.0.1:9/unused', indexes, ['acme-internal']);
    const text = await readFile(join(dir, 'environment.yml'), 'utf8');
    const extra = /^ {4}- (--extra-index-url .*)\n/m.exec(text)![1]!;
    await writeFile(
      join(dir, 'environment.yml'),
      `${text.replace(`    - ${extra}\n`, '')}pip-repositories:\n  - ${extra.slice('--extra-index-url '.length)}\n`,
    );
    expect(await readFile(join(dir, 'environment.yml'), 'utf8')).not.toContain('--extra-index-url');
    expect(await search({ projectDir: dir, query: 'acme-internal' })).toEqual([
      { name: 'acme-internal', versions: ['1.2.0'], index: indexes.private.simpleUrl },
    ]);
  });
});
