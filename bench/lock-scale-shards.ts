// The scale channel again as CEP 16 sharded repodata: one msgpack shard per package name (zstd via
// the zstd tool, in batches) and a `repodata_shards.msgpack.zst` index. Built once from the plain
// channel's repodata.json, so the records are the same.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { encode, type MsgValue } from '../electron/services/channels/msgpack';

type Json = Record<string, unknown>;

function toMsg(record: Json): MsgValue {
  const out: Record<string, MsgValue> = {};
  for (const [k, v] of Object.entries(record)) {
    // Hashes are binary in shards.
    out[k] =
      (k === 'md5' || k === 'sha256') && typeof v === 'string'
        ? Buffer.from(v, 'hex')
        : (v as MsgValue);
  }
  return out;
}

/** Writes `<shardDir>/<subdir>/…` from `<plainDir>/<subdir>/repodata.json`; false without zstd. */
export async function ensureShardedScaleChannel(
  plainDir: string,
  shardDir: string,
): Promise<boolean> {
  if (existsSync(join(shardDir, 'noarch', 'repodata_shards.msgpack.zst'))) return true;
  try {
    execFileSync('zstd', ['--version'], { stdio: 'ignore' });
  } catch {
    return false;
  }
  for (const subdir of ['linux-64', 'noarch']) {
    const repodata = JSON.parse(
      await readFile(join(plainDir, subdir, 'repodata.json'), 'utf8'),
    ) as {
      packages: Record<string, Json>;
      'packages.conda': Record<string, Json>;
    };
    const byName = new Map<
      string,
      { packages: Record<string, MsgValue>; conda: Record<string, MsgValue> }
    >();
    for (const [section, key] of [
      ['packages', 'packages'],
      ['packages.conda', 'conda'],
    ] as const) {
      for (const [file, record] of Object.entries(repodata[section])) {
        const name = record.name as string;
        const entry = byName.get(name) ?? { packages: {}, conda: {} };
        entry[key][file] = toMsg(record);
        byName.set(name, entry);
      }
    }
    const work = join(shardDir, subdir, 'work');
    await mkdir(work, { recursive: true });
    const names = [...byName.keys()];
    for (const [i, name] of names.entries()) {
      const entry = byName.get(name)!;
      await writeFile(
        join(work, `${i}.msgpack`),
        encode({ packages: entry.packages, 'packages.conda': entry.conda, removed: [] }),
      );
    }
    // One zstd process per 2,000 files rather than one per shard.
    for (let i = 0; i < names.length; i += 2000) {
      const files = names.slice(i, i + 2000).map((_, k) => join(work, `${i + k}.msgpack`));
      execFileSync('zstd', ['-q', '--rm', '-3', ...files]);
    }
    const shards: Record<string, Uint8Array> = {};
    await mkdir(join(shardDir, subdir, 'shards'), { recursive: true });
    for (const [i, name] of names.entries()) {
      const compressed = await readFile(join(work, `${i}.msgpack.zst`));
      const digest = createHash('sha256').update(compressed).digest();
      shards[name] = digest;
      await rename(
        join(work, `${i}.msgpack.zst`),
        join(shardDir, subdir, 'shards', `${digest.toString('hex')}.msgpack.zst`),
      );
    }
    await rm(work, { recursive: true, force: true });
    const index = encode({
      version: 1,
      info: { subdir, base_url: '', shards_base_url: './shards/' },
      created_at: 0,
      shards,
    });
    execFileSync(
      'zstd',
      ['-q', '-f', '-3', '-', '-o', join(shardDir, subdir, 'repodata_shards.msgpack.zst')],
      { input: index },
    );
  }
  return true;
}
