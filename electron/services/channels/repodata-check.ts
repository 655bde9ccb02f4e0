import { Decompress } from 'fzstd';

import { CondenseError } from '../../../shared/api/errors';
import { formatSize } from '../../../shared/format/size';
import type { ChannelRef } from './channel-url';

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

function invalid(channel: ChannelRef, subdir: string, what: string): CondenseError {
  return new CondenseError(
    'CHANNEL_UNREACHABLE',
    `channel ${channel.publicUrl}: ${subdir}/repodata.json ${what}; it was not used or cached (try again, or check the channel)`,
    { channel: channel.publicUrl, subdir, reason: what },
  );
}

/** Decodes repodata.json.zst, refusing corrupt data and output beyond the size cap. */
export function decompressRepodata(
  raw: Uint8Array,
  channel: ChannelRef,
  subdir: string,
  maxBytes = repodataMaxBytes(),
): Buffer {
  const chunks: Uint8Array[] = [];
  let size = 0;
  let ended = false;
  const stream = new Decompress((chunk, final) => {
    size += chunk.byteLength;
    if (size > maxBytes)
      throw invalid(
        channel,
        subdir,
        `decompresses to more than the ${formatSize(maxBytes)} limit (raise CONDENSE_REPODATA_MAX_BYTES)`,
      );
    chunks.push(chunk);
    if (final) ended = true;
  });
  const STEP = 1 << 20;
  try {
    if (raw.byteLength === 0) stream.push(raw, true);
    for (let at = 0; at < raw.byteLength; at += STEP) {
      stream.push(raw.subarray(at, at + STEP), at + STEP >= raw.byteLength);
    }
  } catch (error) {
    if (error instanceof CondenseError) throw error;
    throw invalid(channel, subdir, `.zst is not valid zstd data (${(error as Error).message})`);
  }
  if (!ended && size === 0) throw invalid(channel, subdir, '.zst holds no data');
  return Buffer.concat(chunks);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const isSpace = (c: number | undefined) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

function skipSpace(bytes: Buffer, at: number): number {
  while (isSpace(bytes[at])) at++;
  return at;
}

/** Index of the quote closing the string whose content starts at `start`, or -1. */
function stringEnd(bytes: Buffer, start: number): number {
  for (let end = bytes.indexOf(QUOTE, start); end >= 0; end = bytes.indexOf(QUOTE, end + 1)) {
    let slashes = 0;
    while (bytes[end - 1 - slashes] === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return end;
  }
  return -1;
}

const SECTIONS = new Set(['packages', 'packages.conda']);

/**
 * What is wrong with `bytes` as a repodata.json, or undefined when nothing is. One pass; strings
 * are skipped with native searches, so conda-forge's 240 MB costs a fraction of a JSON.parse and no
 * extra memory.
 */
export function repodataProblem(bytes: Buffer): string | undefined {
  const first = skipSpace(bytes, 0);
  if (first >= bytes.length) return 'is empty';
  const head = bytes.toString('latin1', first, first + 64).toLowerCase();
  if (head.startsWith('<')) return 'is an HTML page, not JSON (a login page or a proxy error?)';
  if (head.startsWith('null')) return 'is null, not a repodata object';
  if (bytes[first] !== 0x7b)
    return `is not a JSON object (it starts with ${JSON.stringify(head.slice(0, 16))})`;
  const stack: number[] = [];
  const top = new Map<string, number>();
  let section: string | undefined;
  for (let i = first; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c === QUOTE) {
      const end = stringEnd(bytes, i + 1);
      if (end < 0) return `is cut off inside a string at byte ${i}`;
      const next = skipSpace(bytes, end + 1);
      if (bytes[next] === COLON && stack.at(-1) === 0x7b) {
        const value = skipSpace(bytes, next + 1);
        if (stack.length === 1) {
          section = bytes.toString('utf8', i + 1, end);
          top.set(section, bytes[value] ?? 0);
        } else if (stack.length === 2 && section !== undefined && SECTIONS.has(section)) {
          if (bytes[value] !== 0x7b)
            return `has a record that is not an object in "${section}" (${bytes.toString('utf8', i + 1, Math.min(end, i + 81))})`;
        }
        i = next;
      } else i = end;
    } else if (c === 0x7b || c === 0x5b) stack.push(c);
    else if (c === 0x7d || c === 0x5d) {
      const open = stack.pop();
      if (open !== (c === 0x7d ? 0x7b : 0x5b))
        return `has a mismatched "${String.fromCharCode(c)}" at byte ${i}`;
      if (stack.length === 0) {
        const rest = skipSpace(bytes, i + 1);
        if (rest < bytes.length) return `has data after its end (byte ${rest})`;
        break;
      }
    }
  }
  if (stack.length > 0)
    return `is cut off (${formatSize(bytes.length)} read, ${stack.length} brackets left open)`;
  for (const name of ['info', ...SECTIONS]) {
    const kind = top.get(name);
    if (kind !== undefined && kind !== 0x7b) return `has "${name}" that is not a map`;
  }
  if (!top.has('packages') && !top.has('packages.conda'))
    return 'has neither a "packages" nor a "packages.conda" map';
  return undefined;
}

/** `bytes` when they are a well-formed repodata.json; otherwise a CondenseError naming the channel. */
export function checkRepodata(bytes: Buffer, channel: ChannelRef, subdir: string): Buffer {
  const problem = repodataProblem(bytes);
  if (problem) throw invalid(channel, subdir, problem);
  return bytes;
}
