import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { condaLockArguments, runCondaLock } from './conda-lock-engine';
import { lockProject } from './lock-service';

// A stand-in for conda-lock (real conda-lock is not installable offline): it records its arguments,
// then behaves as FAKE_MODE says.
const FAKE = `#!/bin/sh
printf '%s\\n' "$@" > args.txt
case "$FAKE_MODE" in
  ok)
    echo "Locking dependencies for ['linux-64']..."
    echo "INFO:conda_lock.conda_solver:linux-64 using specs ['python']" >&2
    cat > conda-lock.yml <<'YML'
version: 1
metadata:
  content_hash:
    linux-64: abc
  channels:
  - url: conda-forge
    used_env_vars: []
  platforms:
  - linux-64
  sources:
  - environment.yml
package:
- name: six
  version: 1.16.0
  manager: conda
  platform: linux-64
  dependencies: {}
  url: https://conda.anaconda.org/conda-forge/noarch/six-1.16.0-pyh6c4a22f_0.tar.bz2
  hash:
    md5: e5f25f8dbc060e9a8d912e432202afc2
  category: main
  optional: false
YML
    exit 0 ;;
  fail)
    echo "Locking dependencies for ['linux-64']..."
    echo "conda_lock.conda_solver.DependencyResolutionError: Could not lock the environment for platform linux-64" >&2
    echo "  - nothing provides requested nosuchpkg" >&2
    exit 3 ;;
  hang)
    echo "solving..."
    sleep 600 ;;
  stubborn)
    trap '' TERM
    echo "ignoring TERM"
    sleep 600 ;;
esac
`;

let root: string;
let fake: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'condense-conda-lock-'));
  fake = join(root, 'conda-lock');
  await writeFile(fake, FAKE);
  await chmod(fake, 0o755);
  // The conda it is given (found beside conda-lock, as in an environment that has both).
  await writeFile(join(root, 'conda'), '#!/bin/sh\nexit 0\n');
  await chmod(join(root, 'conda'), 0o755);
  await writeFile(
    join(root, 'environment.yml'),
    'channels: [conda-forge]\ndependencies:\n  - six\n  - pip:\n      - requests\n',
  );
});
afterAll(async () => {
  delete process.env.FAKE_MODE;
  await rm(root, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as { code: string; message: string },
  );
}

describe('conda-lock engine', () => {
  it('builds an argument array with platforms, kinds, --strip-auth and updates', () => {
    expect(
      condaLockArguments({ platforms: ['linux-64', 'linux-aarch64'], update: ['numpy'] }),
    ).toEqual([
      'lock',
      '--file',
      'environment.yml',
      '--lockfile',
      'conda-lock.yml',
      '--kind',
      'lock',
      '--kind',
      'explicit',
      '--filename-template',
      'conda-{platform}.lock',
      '--strip-auth',
      '--platform',
      'linux-64',
      '--platform',
      'linux-aarch64',
      '--update',
      'numpy',
    ]);
  });

  it('runs it in the project (pip entries allowed), streams output as progress, reads its lock', async () => {
    process.env.FAKE_MODE = 'ok';
    const messages: string[] = [];
    const result = await lockProject(
      { projectDir: root, engine: 'conda-lock' },
      { progress: (m) => messages.push(m) },
      { condaLockPath: fake },
    );
    expect(messages).toContain("Locking dependencies for ['linux-64']...");
    expect(messages.some((m) => m.startsWith('INFO:conda_lock'))).toBe(true);
    expect(result.engine).toBe('conda-lock');
    expect(result.platforms).toEqual([{ platform: 'linux-64', packages: 1 }]);
    const args = (await readFile(join(root, 'args.txt'), 'utf8')).split('\n');
    expect(args).toContain('--strip-auth');
    expect(args.slice(args.indexOf('--conda'), args.indexOf('--conda') + 2)).toEqual([
      '--conda',
      join(root, 'conda'),
    ]);
  });

  it('turns a non-zero exit into a message with its stderr', async () => {
    process.env.FAKE_MODE = 'fail';
    const error = await failure(
      runCondaLock({ projectDir: root, platforms: ['linux-64'], condaLockPath: fake }),
    );
    expect(error.code).toBe('EXTERNAL_TOOL_FAILED');
    expect(error.message).toBe(
      'conda-lock failed (exit code 3):\nconda_lock.conda_solver.DependencyResolutionError: Could not lock the environment for platform linux-64\n  - nothing provides requested nosuchpkg',
    );
  });

  // The stand-in sleeps 600 s, longer than the test may run, and runCondaLock settles only when the
  // process group's output pipes close: settling at all proves the process (and its sleep) was stopped.
  // No clock is read, so a loaded machine cannot fail these.
  it('times out and stops the process', async () => {
    process.env.FAKE_MODE = 'hang';
    const error = await failure(
      runCondaLock({
        projectDir: root,
        platforms: ['linux-64'],
        condaLockPath: fake,
        timeoutMs: 300,
      }),
    );
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toMatch(/did not finish within 0.3 s and was stopped/);
  });

  it('cancels on the signal, killing a process that ignores SIGTERM', async () => {
    process.env.FAKE_MODE = 'stubborn';
    const controller = new AbortController();
    const messages: string[] = [];
    const run = runCondaLock({
      projectDir: root,
      platforms: ['linux-64'],
      condaLockPath: fake,
      signal: controller.signal,
      progress: (m) => {
        messages.push(m);
        if (m === 'ignoring TERM') controller.abort();
      },
    });
    const error = await failure(run);
    expect(error.code).toBe('CANCELLED');
    expect(messages).toContain('ignoring TERM');
    // SIGTERM is ignored: only the SIGKILL after the grace period can end the 600 s sleep in time.
  });

  it('says how to get conda-lock when it is missing', async () => {
    const error = await failure(
      runCondaLock({
        projectDir: root,
        platforms: ['linux-64'],
        condaLockPath: join(root, 'no-such-conda-lock'),
      }),
    );
    expect(error.code).toBe('ENGINE_UNAVAILABLE');
    expect(error.message).toMatch(
      /conda-lock was not found .*pip install conda-lock.*built-in engine/,
    );
  });
});
