import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type ChannelServer, startChannelServer } from '../../../fixtures/lib/channel-server';
import { parseCondaLockYml } from '../../../shared/conda/conda-lock-yml';
import { parseExplicitLockfile } from '../../../shared/conda/explicit-lockfile';
import { MINI_RECORDS, writeMiniChannel } from '../../../test/support/mini-channel';
import { RepodataCache } from '../channels/repodata-cache';
import { importLockfiles } from './import';
import { readUnifiedLock } from './lock-files';
import { lockStatus } from './lock-queries';
import { lockProject } from './lock-service';

let root: string;
let channelDir: string;
let server: ChannelServer;
let cacheDir: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'condense-lock-'));
  channelDir = join(root, 'channel');
  await writeMiniChannel(channelDir, MINI_RECORDS);
  server = await startChannelServer({ root: channelDir });
  cacheDir = join(root, 'cache');
});
afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

let counter = 0;
async function project(deps: string[], channels = [server.url], extra = ''): Promise<string> {
  const dir = join(root, `project-${++counter}`);
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'environment.yml'),
    `name: svc\nchannels:\n${channels.map((c) => `  - ${c}\n`).join('')}  - nodefaults\n${extra}dependencies:\n${deps.map((d) => `  - ${d}\n`).join('')}`,
  );
  return dir;
}

/** A fresh cache object on the shared cache folder, as after an app restart. */
const freshCache = () => new RepodataCache({ dir: cacheDir });

async function expectError(promise: Promise<unknown>, code: string, message: RegExp) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as { code: string; message: string },
  );
  expect(error, 'expected the lock to fail').toBeDefined();
  expect(error!.message).toMatch(message);
  expect(error!.code).toBe(code);
}

describe('lockProject with the built-in engine', () => {
  it('writes an explicit lock and conda-lock.yml that round-trip, byte-stable', async () => {
    const dir = await project(['python=3.11', 'numpy', 'pip']);
    const progress: string[] = [];
    const result = await lockProject(
      { projectDir: dir },
      { progress: (m) => progress.push(m) },
      { cache: freshCache() },
    );
    expect(result.files.map((f) => f.slice(dir.length + 1))).toEqual([
      'conda-linux-64.lock',
      'conda-lock.yml',
    ]);
    expect(progress.some((m) => m.startsWith('solving'))).toBe(true);

    const explicit = await readFile(join(dir, 'conda-linux-64.lock'), 'utf8');
    const parsed = parseExplicitLockfile(explicit);
    expect(parsed.platform).toBe('linux-64');
    expect(parsed.inputHash).toMatch(/^[0-9a-f]{64}$/);
    const names = parsed.packages.map((p) => p.name);
    expect(names).toContain('numpy');
    expect(names.some((n) => n.startsWith('__'))).toBe(false);
    // dependency order: the runtime before python, python before numpy and pip
    expect(names.indexOf('libgcc-ng')).toBeLessThan(names.indexOf('python'));
    expect(names.indexOf('python')).toBeLessThan(names.indexOf('numpy'));
    expect(names.indexOf('python')).toBeLessThan(names.indexOf('pip'));
    for (const p of parsed.packages) {
      expect(p.url.startsWith(`${server.url}/`)).toBe(true);
      expect(p.md5).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(parsed.packages.find((p) => p.name === 'python')!.version).toBe('3.11.9');

    const yml = parseCondaLockYml(await readFile(join(dir, 'conda-lock.yml'), 'utf8'));
    expect(yml.inputHashes['linux-64']).toBe(parsed.inputHash);
    expect(yml.channels).toEqual([server.url]);
    expect(yml.packages.map((p) => p.name).sort()).toEqual([...names].sort());
    expect(yml.packages.find((p) => p.name === 'numpy')!.depends).toContain(
      'python >=3.11,<3.12.0a0',
    );

    // Download sizes (conda-lock.yml has no field for them) come back when the lock is read.
    const read = await readUnifiedLock(dir);
    // The mini channel's repodata gives every package 1000 bytes.
    expect(read!.packages.find((p) => p.name === 'numpy')!.size).toBe(1000);
    expect(read!.packages.every((p) => typeof p.size === 'number' && p.size > 0)).toBe(true);

    const before = { explicit, yml: await readFile(join(dir, 'conda-lock.yml'), 'utf8') };
    await lockProject({ projectDir: dir, updateAll: true }, {}, { cache: freshCache() });
    expect(await readFile(join(dir, 'conda-linux-64.lock'), 'utf8')).toBe(before.explicit);
    expect(await readFile(join(dir, 'conda-lock.yml'), 'utf8')).toBe(before.yml);
    // A relock that keeps every pin keeps every size too.
    await lockProject({ projectDir: dir }, {}, { cache: freshCache() });
    expect(await readFile(join(dir, 'conda-lock.yml'), 'utf8')).toBe(before.yml);
  });

  it('writes sha256 fragments on request', async () => {
    const dir = await project(['six']);
    await lockProject({ projectDir: dir, hash: 'sha256' }, {}, { cache: freshCache() });
    const lines = (await readFile(join(dir, 'conda-linux-64.lock'), 'utf8'))
      .split('\n')
      .filter((l) => l.startsWith('http'));
    for (const line of lines) expect(line).toMatch(/#[0-9a-f]{64}$/);
  });

  it('revalidates the disk cache with ETag (304) and locks offline from it', async () => {
    const dir = await project(['six']);
    await lockProject({ projectDir: dir }, {}, { cache: freshCache() });
    const mark = server.requests.length;
    await lockProject({ projectDir: dir }, {}, { cache: freshCache() });
    const second = server.requests.slice(mark);
    expect(second.map((r) => r.status)).toEqual([304, 304]);

    // Same cache object: checked within the last minute, so no request at all.
    const cache = freshCache();
    await lockProject({ projectDir: dir }, {}, { cache });
    const mark2 = server.requests.length;
    await lockProject({ projectDir: dir }, {}, { cache });
    expect(server.requests.length).toBe(mark2);

    // Upstream gone: the disk copy is used.
    const copy = join(root, 'copy-channel');
    await cp(channelDir, copy, { recursive: true });
    const temporary = await startChannelServer({ root: copy });
    const offlineDir = await project(['six'], [temporary.url]);
    await lockProject({ projectDir: offlineDir }, {}, { cache: freshCache() });
    await temporary.close();
    const messages: string[] = [];
    await lockProject(
      { projectDir: offlineDir },
      { progress: (m) => messages.push(m) },
      { cache: freshCache() },
    );
    expect(messages).toContain(`repodata ${temporary.url}/linux-64: offline`);
    const lock = await readFile(join(offlineDir, 'conda-linux-64.lock'), 'utf8');
    expect(lock).toContain(`${temporary.url}/noarch/six-1.16.0-pyh6c4a22f_0.conda#`);
  });

  it('keeps unchanged packages pinned on relock, and updates on request', async () => {
    const dir = join(root, 'evolving');
    const evolvingChannel = join(root, 'evolving-channel');
    const old = MINI_RECORDS.filter((r) => !(r.name === 'numpy' && r.version === '2.0.1'));
    await writeMiniChannel(evolvingChannel, old);
    const evolving = await startChannelServer({ root: evolvingChannel });
    try {
      await mkdir(dir, { recursive: true });
      await writeFile(
        join(dir, 'environment.yml'),
        `channels: [${evolving.url}]\ndependencies:\n  - python=3.11\n  - numpy\n`,
      );
      await lockProject({ projectDir: dir }, {}, { cache: freshCache() });
      const version = async () =>
        parseCondaLockYml(await readFile(join(dir, 'conda-lock.yml'), 'utf8')).packages.find(
          (p) => p.name === 'numpy',
        )!.version;
      expect(await version()).toBe('1.26.4');

      await writeMiniChannel(evolvingChannel, MINI_RECORDS); // numpy 2.0.1 is published
      const kept = await lockProject({ projectDir: dir }, {}, { cache: freshCache() });
      expect(await version()).toBe('1.26.4');
      expect(kept.diff).toMatchObject({ added: 0, removed: 0, changed: 0 });

      const updated = await lockProject(
        { projectDir: dir, update: ['numpy'] },
        {},
        { cache: freshCache() },
      );
      expect(await version()).toBe('2.0.1');
      expect(updated.diff).toMatchObject({ changed: 1 });

      await writeMiniChannel(evolvingChannel, old);
      await writeMiniChannel(evolvingChannel, MINI_RECORDS);
      await expectError(
        lockProject({ projectDir: dir, update: ['scipy'] }, {}, { cache: freshCache() }),
        'NOT_FOUND',
        /cannot update scipy: not in the current lock/,
      );
    } finally {
      await evolving.close();
    }
  });

  it('reports a stale lock after environment.yml changes', async () => {
    const dir = await project(['six']);
    expect((await lockStatus(dir)).locked).toBe(false);
    await lockProject({ projectDir: dir }, {}, { cache: freshCache() });
    const fresh = await lockStatus(dir);
    expect(fresh).toMatchObject({ locked: true, stale: false });
    const text = await readFile(join(dir, 'environment.yml'), 'utf8');
    await writeFile(join(dir, 'environment.yml'), text.replace('  - six\n', '  - six\n  - pip\n'));
    const stale = await lockStatus(dir);
    expect(stale.stale).toBe(true);
    expect(stale.platforms[0]!.stale).toBe(true);
  });

  it('uses __cuda only when asked', async () => {
    const dir = await project(['cudatoolkit']);
    await expectError(
      lockProject({ projectDir: dir }, {}, { cache: freshCache() }),
      'UNSATISFIABLE',
      /__cuda >=11.2/,
    );
    await lockProject({ projectDir: dir, cuda: '' }, {}, { cache: freshCache() });
    expect(await readFile(join(dir, 'conda-linux-64.lock'), 'utf8')).toContain(
      'cudatoolkit-11.8.0',
    );
    await expectError(
      lockProject(
        { projectDir: dir, virtualPackages: [{ name: '__cuda', version: '11.0', build: '0' }] },
        {},
        { cache: freshCache() },
      ),
      'UNSATISFIABLE',
      /cudatoolkit/,
    );
  });

  it('keeps tokens and credentials out of lockfiles', async () => {
    const tokenRoot = join(root, 'token-channel');
    await writeMiniChannel(join(tokenRoot, 't', 'sekrit-token'), MINI_RECORDS);
    const tokenServer = await startChannelServer({ root: tokenRoot });
    try {
      const url = tokenServer.url.replace('http://', 'http://alice:pa55word@') + '/t/sekrit-token';
      const dir = await project(['six'], [url]);
      await lockProject({ projectDir: dir }, {}, { cache: freshCache() });
      for (const file of ['conda-linux-64.lock', 'conda-lock.yml']) {
        const text = await readFile(join(dir, file), 'utf8');
        expect(text).not.toMatch(/sekrit|alice|pa55word/);
        expect(text).toContain(`${tokenServer.url}/noarch/six-1.16.0`);
      }
    } finally {
      await tokenServer.close();
    }
  });
});

describe('platforms and channels', () => {
  it('locks linux-64 and linux-aarch64 from environment.yml platforms, one explicit file each', async () => {
    const multi = join(root, 'multi-channel');
    const aarch = MINI_RECORDS.filter((r) => (r.subdir ?? 'linux-64') === 'linux-64').map((r) => ({
      ...r,
      subdir: 'linux-aarch64',
    }));
    await writeMiniChannel(
      multi,
      [...MINI_RECORDS, ...aarch],
      ['linux-64', 'linux-aarch64', 'noarch'],
    );
    const s = await startChannelServer({ root: multi });
    try {
      const dir = await project(
        ['python=3.12', 'numpy'],
        [s.url],
        'platforms:\n  - linux-64\n  - linux-aarch64\n',
      );
      const result = await lockProject({ projectDir: dir }, {}, { cache: freshCache() });
      expect(result.platforms.map((p) => p.platform)).toEqual(['linux-64', 'linux-aarch64']);
      const aarchLock = parseExplicitLockfile(
        await readFile(join(dir, 'conda-linux-aarch64.lock'), 'utf8'),
      );
      expect(aarchLock.platform).toBe('linux-aarch64');
      expect(aarchLock.packages.find((p) => p.name === 'numpy')!.url).toContain(
        '/linux-aarch64/numpy-2.0.1-py312',
      );
      const yml = parseCondaLockYml(await readFile(join(dir, 'conda-lock.yml'), 'utf8'));
      expect(Object.keys(yml.inputHashes).sort()).toEqual(['linux-64', 'linux-aarch64']);
      expect(yml.inputHashes['linux-64']).not.toBe(yml.inputHashes['linux-aarch64']);
      // --platform narrows to one
      const one = await lockProject(
        { projectDir: dir, platforms: ['linux-aarch64'] },
        {},
        { cache: freshCache() },
      );
      expect(one.files.map((f) => f.slice(dir.length + 1))).toEqual([
        'conda-linux-aarch64.lock',
        'conda-lock.yml',
      ]);
    } finally {
      await s.close();
    }
  });

  it('honours channel::name, also for a channel the list lacks (as conda does)', async () => {
    const second = await startChannelServer({ root: channelDir });
    try {
      // Both channels have six; the first would win by priority, the spec asks for the second.
      const dir = await project(['python=3.11', `${second.url}::six`], [server.url, second.url]);
      await lockProject({ projectDir: dir }, {}, { cache: freshCache() });
      const text = await readFile(join(dir, 'conda-linux-64.lock'), 'utf8');
      expect(text).toContain(`${second.url}/noarch/six-1.16.0`);
      expect(text).toContain(`${server.url}/linux-64/python-3.11.9`);
      // Not listed: conda searches that channel for six anyway.
      const unlisted = await project(['python=3.11', `${second.url}::six`], [server.url]);
      await lockProject({ projectDir: unlisted }, {}, { cache: freshCache() });
      expect(await readFile(join(unlisted, 'conda-linux-64.lock'), 'utf8')).toContain(
        `${second.url}/noarch/six-1.16.0`,
      );
    } finally {
      await second.close();
    }
  });
});

describe('lock errors', () => {
  it('unsatisfiable specs show the conflict chain', async () => {
    const dir = await project(['numpy', 'oldlib']);
    await expectError(
      lockProject({ projectDir: dir }, {}, { cache: freshCache() }),
      'UNSATISFIABLE',
      /cannot be satisfied together for linux-64:\n.*oldlib[\s\S]*python <3.10/,
    );
  });

  it('unknown package names the package and the channels', async () => {
    const dir = await project(['numpy', 'nosuchpkg']);
    await expectError(
      lockProject({ projectDir: dir }, {}, { cache: freshCache() }),
      'PACKAGE_NOT_FOUND',
      new RegExp(`no package named "nosuchpkg" in ${server.url} for linux-64`),
    );
  });

  it('unreachable channel names the URL', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = await startChannelServer({ root: channelDir });
    const port = probe.port;
    await probe.close();
    const dir = await project(['six'], [`http://127.0.0.1:${port}/nowhere`]);
    await expectError(
      lockProject(
        { projectDir: dir },
        {},
        { cache: new RepodataCache({ dir: join(root, 'empty-cache') }) },
      ),
      'CHANNEL_UNREACHABLE',
      new RegExp(
        `channel http://127.0.0.1:${port}/nowhere \\(127.0.0.1:${port}, http://127.0.0.1:${port}/nowhere/linux-64/repodata.json.zst\\): cannot connect \\(ECONNREFUSED\\)`,
      ),
    );
  });

  it('a channel without noarch, and a platform no channel has', async () => {
    const noNoarch = join(root, 'no-noarch');
    await writeMiniChannel(noNoarch, MINI_RECORDS, ['linux-64']);
    const s = await startChannelServer({ root: noNoarch });
    try {
      const dir = await project(['six'], [s.url]);
      await expectError(
        lockProject({ projectDir: dir }, {}, { cache: freshCache() }),
        'NOT_FOUND',
        /has no "noarch" subdir/,
      );
    } finally {
      await s.close();
    }
    const dir = await project(['six']);
    await expectError(
      lockProject({ projectDir: dir, platforms: ['linux-aarch64'] }, {}, { cache: freshCache() }),
      'NOT_FOUND',
      /no channel has a "linux-aarch64" subdir/,
    );
    await expectError(
      lockProject({ projectDir: dir, platforms: ['linux-64x'] }, {}, { cache: freshCache() }),
      'INVALID_INPUT',
      /unknown platform "linux-64x"/,
    );
  });

  it('empty dependency list, an editable pip entry, bad spec with line and column', async () => {
    await expectError(
      lockProject({ projectDir: await project([]) }, {}, { cache: freshCache() }),
      'INVALID_INPUT',
      /no dependencies to lock/,
    );
    await expectError(
      lockProject(
        { projectDir: await project(['python', 'pip', '{pip: ["-e ."]}']) },
        {},
        { cache: freshCache() },
      ),
      'INVALID_INPUT',
      /pip requirement "-e \.": editable installs cannot be locked.*own-package field/,
    );
    await expectError(
      lockProject({ projectDir: await project(['nump y==']) }, {}, { cache: freshCache() }),
      'INVALID_INPUT',
      /environment.yml line \d+, column \d+: /,
    );
  });
});

describe('import', () => {
  it('imports an explicit file written by conda-lock (env_hash) as the project lock', async () => {
    const dir = await project(['six']);
    const source = join(root, 'conda-linux-64.lock');
    const url = `${server.url}/noarch/six-1.16.0-pyh6c4a22f_0.conda`;
    await writeFile(
      source,
      `# Generated by conda-lock.\n# platform: linux-64\n# env_hash: 1234\n@EXPLICIT\n${url}#0123456789abcdef0123456789abcdef\n`,
    );
    const result = await importLockfiles(dir, [source]);
    expect(result.platforms).toEqual([{ platform: 'linux-64', packages: 1 }]);
    const yml = parseCondaLockYml(await readFile(join(dir, 'conda-lock.yml'), 'utf8'));
    expect(yml.packages).toHaveLength(1);
    expect(yml.packages[0]).toMatchObject({
      name: 'six',
      version: '1.16.0',
      md5: '0123456789abcdef0123456789abcdef',
      url,
    });
    expect(yml.inputHashes['linux-64']).toBe('1234');
    expect((await lockStatus(dir)).stale).toBe(true);
  });
});

describe('reachable names', () => {
  it('follows depends through every channel and skips virtual packages', async () => {
    const { indexRepodata } = await import('../channels/repodata-index');
    const { reachableNames } = await import('./builtin-engine');
    const linux = indexRepodata(await readFile(join(channelDir, 'linux-64', 'repodata.json')));
    const noarch = indexRepodata(await readFile(join(channelDir, 'noarch', 'repodata.json')));
    expect([...reachableNames(['pip'], [linux, noarch])].sort()).toEqual([
      '_libgcc_mutex',
      'libgcc-ng',
      'libzlib',
      'pip',
      'python',
      'python_abi',
    ]);
  });
});
