import { CondenseError } from '../../../shared/api/errors';
import { formatSize } from '../../../shared/format/size';
import type { ChannelRef } from './channel-url';
import type { RepodataIndex } from './repodata-index';
import { RepodataScan } from './repodata-scan';
import { decodeZstd, ZstdDecodeError } from './zstd-decode';

/**
 * The integrity gate every downloaded repodata.json passes before it is used or cached: a size cap,
 * zstd decoding under that cap, and a structural check (valid JSON framing, an object whose
 * `packages` / `packages.conda` are maps of objects). Kept as small functions so the caching code
 * calls them at one point each.
 */

/** A byte count from an environment variable, else `fallback`. */
function envBytes(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) {
    throw new CondenseError(
      'INVALID_INPUT',
      `${name} must be a whole number of bytes, not ${JSON.stringify(text)}`,
    );
  }
  return value;
}

/** Largest repodata.json accepted (conda-forge linux-64 is ~243 MB); `$CONDENSE_REPODATA_MAX_BYTES`. */
export const repodataMaxBytes = () => envBytes('CONDENSE_REPODATA_MAX_BYTES', 512 * 1024 * 1024);

function invalid(
  channel: ChannelRef,
  subdir: string,
  what: string,
  file = 'repodata.json',
): CondenseError {
  return new CondenseError(
    'CHANNEL_UNREACHABLE',
    `channel ${channel.publicUrl}: ${subdir}/${file} ${what}; it was not used or cached (try again, or check the channel)`,
    { channel: channel.publicUrl, subdir, reason: what },
  );
}

/** Decodes repodata.json.zst, refusing corrupt data and output beyond the size cap. */
export function decompressRepodata(
  raw: Uint8Array,
  channel: ChannelRef,
  subdir: string,
  maxBytes = repodataMaxBytes(),
  options: { fzstd?: boolean } = {},
): Buffer {
  try {
    return decodeZstd(raw, maxBytes, options);
  } catch (error) {
    if (!(error instanceof ZstdDecodeError)) throw error;
    if (error.kind === 'too-large')
      throw invalid(
        channel,
        subdir,
        `decompresses to more than the ${formatSize(maxBytes)} limit (raise CONDENSE_REPODATA_MAX_BYTES)`,
      );
    if (error.kind === 'empty')
      throw invalid(channel, subdir, 'holds no data', 'repodata.json.zst');
    throw invalid(
      channel,
      subdir,
      `is not valid zstd data (${error.message})`,
      'repodata.json.zst',
    );
  }
}

/**
 * What is wrong with `bytes` as a repodata.json, or undefined when nothing is (see `RepodataScan`).
 */
export function repodataProblem(bytes: Buffer): string | undefined {
  const checked = new RepodataScan(false).finish(bytes);
  return typeof checked === 'string' ? checked : undefined;
}

/**
 * The check of {@link repodataProblem} and the by-name index of `indexRepodata` in the same pass:
 * the scan meets every record's key and closing brace anyway, so a download is walked once.
 * Returns the problem (a string) or the index.
 */
export function checkAndIndexRepodata(bytes: Buffer): string | RepodataIndex {
  return new RepodataScan(true).finish(bytes) as string | RepodataIndex;
}

/** The index of `bytes` when they are a well-formed repodata.json; otherwise a CondenseError naming the channel. */
export function checkAndIndex(
  bytes: Buffer,
  channel: ChannelRef,
  subdir: string,
  /** A scan that already read the body's first part as it arrived. */
  scan = new RepodataScan(true),
): RepodataIndex {
  const checked = scan.finish(bytes) as string | RepodataIndex;
  if (typeof checked === 'string') throw invalid(channel, subdir, checked);
  return checked;
}

/** `bytes` when they are a well-formed repodata.json; otherwise a CondenseError naming the channel. */
export function checkRepodata(bytes: Buffer, channel: ChannelRef, subdir: string): Buffer {
  const problem = repodataProblem(bytes);
  if (problem) throw invalid(channel, subdir, problem);
  return bytes;
}
