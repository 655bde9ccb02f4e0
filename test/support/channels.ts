import { existsSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import type { ChannelRequest } from '../../fixtures/lib/channel-server';
import { startChannelServer } from '../../fixtures/lib/channel-server';
import { createSyntheticChannel } from '../../fixtures/synthetic/synthetic-channel';
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

/** The synthetic channel folder, written once per process in a temporary folder (removed at exit). */
export function syntheticChannelDir(): Promise<string> {
  synthetic ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'condense-synthetic-'));
    process.once('exit', () => {
      // 'exit' handlers cannot await: synchronous cleanup.
      rmSync(dir, { recursive: true, force: true });
    });
    await createSyntheticChannel(dir);
    return dir;
  })();
  return synthetic;
}

/** Serves the synthetic channel (built once per process) on a free port. */
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
