import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { e2eRendererDir, ROOT } from './renderer-build';

/** Folders private to one served app, so e2e runs never touch the user's config, cache or projects. */
export interface IsolatedDirs {
  root: string;
  config: string;
  cache: string;
  /** Where tests create their project folders. */
  projects: string;
}

export interface ServedApp {
  /** The URL `condense serve` printed, token included. */
  url: string;
  origin: string;
  port: number;
  token: string;
  dirs: IsolatedDirs;
  /** Everything the server wrote to stderr so far (for failure messages). */
  log(): string;
  /** SIGTERM, then waits for a clean exit; returns the exit code. */
  stop(): Promise<number | null>;
  /** SIGTERM and wait, keeping the isolated dirs (to look at what the server left). */
  kill(): Promise<number | null>;
}

const URL_LINE = /^(http:\/\/127\.0\.0\.1:(\d+))\/#token=([A-Za-z0-9_-]+)$/m;

export async function isolatedDirs(): Promise<IsolatedDirs> {
  const root = await mkdtemp(join(tmpdir(), 'condense-e2e-'));
  const dirs = {
    root,
    config: join(root, 'config'),
    cache: join(root, 'cache'),
    projects: join(root, 'projects'),
  };
  await Promise.all([dirs.config, dirs.cache, dirs.projects].map((d) => mkdir(d)));
  return dirs;
}

/** The command that runs `condense`: the built bin with CONDENSE_E2E_BUILT=1, else the sources. */
function cliCommand(): string[] {
  return process.env.CONDENSE_E2E_BUILT === '1'
    ? [join(ROOT, 'bin', 'condense.mjs')]
    : // Resolved here: the server's cwd is a temporary folder without node_modules.
      ['--import', import.meta.resolve('tsx'), join(ROOT, 'electron', 'cli', 'index.ts')];
}

function waitForExit(child: ChildProcess, ms: number): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, ms);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/**
 * Starts `condense serve --port 0` with isolated dirs and waits for the URL it prints. `extraArgs` may
 * name files in the isolated root as `{root}/...`.
 */
export async function startServe(
  extraEnv: Record<string, string> = {},
  extraArgs: string[] = [],
): Promise<ServedApp> {
  const dirs = await isolatedDirs();
  const rendererDir = await e2eRendererDir();
  const args = extraArgs.map((a) => a.replaceAll('{root}', dirs.root));
  const child = spawn(process.execPath, [...cliCommand(), 'serve', '--port', '0', ...args], {
    cwd: dirs.root,
    env: {
      ...process.env,
      CONDENSE_CONFIG_DIR: dirs.config,
      CONDENSE_CACHE_DIR: dirs.cache,
      CONDENSE_RENDERER_DIR: rendererDir,
      XDG_CONFIG_HOME: join(dirs.root, 'xdg-config'),
      XDG_CACHE_HOME: join(dirs.root, 'xdg-cache'),
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`condense serve printed no URL within 60 s.\n${stdout}\n${stderr}`));
    }, 60_000);
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
      const found = URL_LINE.exec(stdout);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`condense serve exited with ${code} before printing a URL.\n${stderr}`));
    });
  });
  return {
    url: match[0],
    origin: match[1]!,
    port: Number(match[2]),
    token: match[3]!,
    dirs,
    log: () => stderr,
    async kill() {
      child.kill('SIGTERM');
      return waitForExit(child, 10_000);
    },
    async stop() {
      child.kill('SIGTERM');
      const code = await waitForExit(child, 10_000);
      await rm(dirs.root, { recursive: true, force: true });
      return code;
    },
  };
}
