import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import type { ChannelRequest } from '../../fixtures/lib/channel-server';
import { startChannelServer } from '../../fixtures/lib/channel-server';
import {
  createSyntheticChannel,
  SYNTHETIC_PACKAGES,
} from '../../fixtures/synthetic/synthetic-channel';
import { available } from './requirements';

/** A channel served on 127.0.0.1 for one test file. */
export interface ServedChannel {
  /** Channel URL (`http://127.0.0.1:<port>`), usable by rattler and in lockfiles. */
  url: string;
  /** The channel folder on disk (`linux-64/`, `noarch/`). */
  dir: string;
  /** Requests answered so far (method, path, status). */
  requests: ChannelRequest[];
  close(): Promise<void>;
}

/** Where `fixtures/realistic/build.sh` writes the channel built from Debian packages. */
export const REALISTIC_CHANNEL_DIR = resolve(
  process.env.CONDENSE_REALISTIC_CHANNEL ??
    join(import.meta.dirname, '../../fixtures/out/realistic-channel'),
);

/**
 * Whether the realistic channel is built: logs the skip reason, or throws under
 * CONDENSE_REQUIRE_DOCKER=1. Synchronous, for `describe.skipIf(!realisticChannelAvailable())`.
 */
export function realisticChannelAvailable(): boolean {
  return available('realistic conda channel', {
    ok: existsSync(join(REALISTIC_CHANNEL_DIR, 'MANIFEST.json')),
    reason: `${REALISTIC_CHANNEL_DIR} is not built (run: bash fixtures/realistic/build.sh)`,
  });
}

let synthetic: Promise<string> | undefined;

/** A hash of everything the synthetic channel's bytes depend on: its specs and the writer's source. */
async function syntheticInputsHash(): Promise<string> {
  const hash = createHash('sha256');
  for (const spec of SYNTHETIC_PACKAGES) {
    const { files, ...fields } = spec;
    hash.update(JSON.stringify(fields));
    for (const file of files) {
      hash.update(JSON.stringify([file.path, file.mode, file.symlink, file.fileMode]));
      if (file.content !== undefined) hash.update(file.content);
    }
  }
  const lib = join(import.meta.dirname, '../../fixtures/lib');
  for (const name of (await readdir(lib)).filter((f) => f.endsWith('.ts')).sort()) {
    hash.update(await readFile(join(lib, name)));
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * The synthetic channel folder, shared by all test processes: written once per content hash under
 * the temp folder (into a private folder first, then renamed, so concurrent writers do not clash).
 * Read-only for tests.
 */
export function syntheticChannelDir(): Promise<string> {
  synthetic ??= (async () => {
    const dir = join(tmpdir(), `condense-synthetic-${await syntheticInputsHash()}`);
    if (existsSync(join(dir, 'noarch', 'repodata.json'))) return dir;
    const temp = await mkdtemp(join(tmpdir(), 'condense-synthetic-new-'));
    await createSyntheticChannel(temp);
    try {
      await rename(temp, dir);
    } catch (error) {
      // Another process renamed its copy first: use that one.
      await rm(temp, { recursive: true, force: true });
      if (!existsSync(join(dir, 'noarch', 'repodata.json'))) throw error;
    }
    return dir;
  })();
  return synthetic;
}

/** Serves the synthetic channel (built once per content hash) on a free port. */
export async function serveSyntheticChannel(): Promise<ServedChannel> {
  const dir = await syntheticChannelDir();
  const server = await startChannelServer({ root: dir });
  return { url: server.url, dir, requests: server.requests, close: server.close };
}

/**
 * Serves the realistic channel when `fixtures/out/realistic-channel` is built; otherwise returns
 * undefined after logging why (tests then skip), or throws under CONDENSE_REQUIRE_DOCKER=1.
 */
export async function serveRealisticChannel(): Promise<ServedChannel | undefined> {
  if (!realisticChannelAvailable()) return undefined;
  const server = await startChannelServer({ root: REALISTIC_CHANNEL_DIR });
  return {
    url: server.url,
    dir: REALISTIC_CHANNEL_DIR,
    requests: server.requests,
    close: server.close,
  };
}
