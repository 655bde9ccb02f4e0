import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseCondaLockYml } from '../../../shared/conda/conda-lock-yml';
import { parseExplicitLockfile } from '../../../shared/conda/explicit-lockfile';
import type { ServedChannel } from '../../../test/support/channels';
import type { ServedIndexes } from '../../../test/support/pypi';
import { startPipFixture, stopPipFixture, writePipProject } from '../../../test/support/pypi';
import { RepodataCache } from '../channels/repodata-cache';
import { connectEngine } from '../docker/engine';
import { lockProject } from '../lock/lock-service';
import { withPipSizes } from './lock-pip';

let docker: Docker;
let channel: ServedChannel | undefined;
let indexes: ServedIndexes | undefined;
let work: string;
const engine = () => connectEngine();

async function lock(dir: string, extra: { update?: string[] } = {}) {
  return lockProject(
    { projectDir: dir, platforms: ['linux-64'], ...extra },
    {},
    { cache: new RepodataCache({ dir: join(work, 'repodata') }), engine: engine() },
  );
}

async function allText(dir: string): Promise<string> {
  const names = await readdir(dir, { recursive: true });
  const texts = await Promise.all(names.map((n) => readFile(join(dir, n), 'utf8').catch(() => '')));
  return texts.join('\n');
}

beforeAll(async () => {
  ({ docker, channel, indexes, work } = await startPipFixture('condense-pip-lock-'));
});

afterAll(() => stopPipFixture({ docker, channel, indexes, work }));

const ready = () => channel !== undefined && indexes !== undefined;

describe('locking a pip: section with the built-in engine (pip in the builder image)', () => {
  it('locks wheels with hashes, extras and markers, skipping what conda installs, yanked and too-new versions', async () => {
    if (!ready()) return;
    const dir = join(work, 'main');
    await writePipProject(dir, channel!.url, indexes!, [
      'condense-demo[http]',
      'pinme',
      'acme-internal>=1',
    ]);
    const result = await lock(dir);
    const yml = withPipSizes(
      parseCondaLockYml(await readFile(join(dir, 'conda-lock.yml'), 'utf8')),
    );
    const pip = new Map(yml.packages.filter((p) => p.manager === 'pip').map((p) => [p.name, p]));
    // condense-demo 2.0.0 needs Python 3.12; pinme 1.1 is yanked; click comes from conda.
    expect(pip.get('condense-demo')?.version).toBe('1.0.0');
    expect(pip.get('pinme')?.version).toBe('1.0');
    expect(pip.has('click')).toBe(false);
    expect(pip.has('six')).toBe(false);
    expect(yml.packages.some((p) => p.manager === 'conda' && p.name === 'click')).toBe(true);
    expect(pip.has('tomli')).toBe(false);
    // The extra switched on requests and its chain; the private index gave acme-internal.
    for (const name of [
      'requests',
      'urllib3',
      'idna',
      'certifi',
      'charset-normalizer',
      'jinja2',
      'markupsafe',
      'acme-internal',
      'attrs',
    ])
      expect(pip.has(name), name).toBe(true);
    expect(pip.get('condense-demo')!.depends).toEqual(
      expect.arrayContaining(['click >=8', 'jinja2 >=3', 'requests >=2.28']),
    );
    expect(pip.get('condense-demo')!.depends.some((d) => d.startsWith('tomli'))).toBe(false);
    expect(pip.get('markupsafe')!.url).toMatch(
      /MarkupSafe-2\.1\.2-cp311-cp311-manylinux_2_36_x86_64\.whl$/,
    );
    for (const p of pip.values()) {
      expect(p.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\//);
      expect(p.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(p.size).toBeGreaterThan(0);
    }
    expect(pip.get('acme-internal')!.url.startsWith(indexes!.private.url)).toBe(true);
    const explicit = await readFile(join(dir, 'conda-linux-64.lock'), 'utf8');
    const acme = pip.get('acme-internal')!;
    expect(explicit).toContain(`# pip acme-internal @ ${acme.url}#sha256=${acme.sha256}\n`);
    const reread = parseExplicitLockfile(explicit).packages.filter((p) => p.manager === 'pip');
    expect(reread.map((p) => p.name).sort()).toEqual([...pip.keys()].sort());
    expect(result.platforms[0]!.packages).toBe(yml.packages.length);
    // The token went to the index (it answered) but into no file of the project.
    expect(indexes!.private.requests.some((r) => r.status === 200)).toBe(true);
    expect(await allText(dir)).not.toContain(indexes!.token);
  }, 600_000);

  it('relocks without running pip when nothing changed, and keeps pins unless updated', async () => {
    if (!ready()) return;
    const dir = join(work, 'main');
    const before = await readFile(join(dir, 'conda-lock.yml'), 'utf8');
    const served = indexes!.public.requests.length;
    const again = await lock(dir);
    expect(await readFile(join(dir, 'conda-lock.yml'), 'utf8')).toBe(before);
    expect(indexes!.public.requests.length).toBe(served);
    expect(again.diff).toMatchObject({ added: 0, removed: 0, changed: 0 });
    // Pinning the yanked version with == is allowed (PEP 592).
    const env = (await readFile(join(dir, 'environment.yml'), 'utf8')).replace(
      '- pinme',
      '- pinme==1.1',
    );
    await writeFile(join(dir, 'environment.yml'), env);
    const pinned = await lock(dir);
    const yml = parseCondaLockYml(await readFile(join(dir, 'conda-lock.yml'), 'utf8'));
    expect(yml.packages.find((p) => p.name === 'pinme')?.version).toBe('1.1');
    expect(pinned.diff?.changed).toBe(1);
  }, 600_000);

  it('refuses an sdist-only package, an unknown package, wrong credentials, no file for the locked Python and an index that is down, in one line naming it', async () => {
    if (!ready()) return;
    const cases: [string[], RegExp, Record<string, string>?][] = [
      [
        ['sdist-only'],
        /pip package sdist-only is published only as source \(sdist\): set "pip: \{sdist: build\}"/,
      ],
      [
        ['no-such-package'],
        /pip package no-such-package was not found on http:\/\/127\.0\.0\.1:\d+\/simple/,
      ],
      [
        ['acme-internal'],
        /pip index 127\.0\.0\.1:\d+ refused the credentials \(401\)/,
        { PIP_TOKEN: 'wrong' },
      ],
      [
        // Only 2.0.0 fits the specifier, and it needs Python 3.12: no file fits the locked 3.11.
        ['condense-demo>=2'],
        /no file of pip package condense-demo fits Python 3\.11 on linux-64 \(2 files on http:\/\/127\.0\.0\.1:\d+\/simple: none matches the requirement, the wheel tags or Requires-Python\)/,
      ],
    ];
    for (const [pip, message, env] of cases) {
      const dir = join(work, `bad-${pip[0]}`);
      await writePipProject(dir, channel!.url, indexes!, pip);
      const saved = { ...process.env };
      Object.assign(process.env, env ?? {});
      try {
        await expect(lock(dir)).rejects.toThrow(message);
      } finally {
        process.env.PIP_TOKEN = saved.PIP_TOKEN;
      }
      // Nothing half-written: no lockfile appeared.
      expect((await readdir(dir)).filter((f) => f.includes('lock'))).toEqual([]);
    }
    // An index that is down: named, with what to check.
    const down = join(work, 'bad-down');
    await writePipProject(down, channel!.url, indexes!, ['pinme']);
    const text = await readFile(join(down, 'environment.yml'), 'utf8');
    await writeFile(
      join(down, 'environment.yml'),
      text.replace(indexes!.public.simpleUrl, 'http://127.0.0.1:1/simple'),
    );
    await expect(lock(down)).rejects.toThrow(
      /pip index 127\.0\.0\.1:1 cannot be reached from the builder container/,
    );
  }, 600_000);

  it("locks from conda-lock's pip-repositories: (the private index with ${VAR} credentials), keeping the token out", async () => {
    if (!ready()) return;
    const dir = join(work, 'repositories');
    await writePipProject(dir, channel!.url, indexes!, ['acme-internal']);
    const text = await readFile(join(dir, 'environment.yml'), 'utf8');
    const extra = /^ {4}- --extra-index-url (.*)\n/m.exec(text)!;
    await writeFile(
      join(dir, 'environment.yml'),
      `${text.replace(extra[0], '')}pip-repositories:\n  - ${extra[1]}\n`,
    );
    await lock(dir);
    const yml = parseCondaLockYml(await readFile(join(dir, 'conda-lock.yml'), 'utf8'));
    const acme = yml.packages.find((p) => p.manager === 'pip' && p.name === 'acme-internal');
    expect(acme?.url.startsWith(indexes!.private.url)).toBe(true);
    expect(await allText(dir)).not.toContain(indexes!.token);
  }, 600_000);
});
