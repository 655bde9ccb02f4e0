import { Decompress } from 'fzstd';

import { CondenseError } from '../../../shared/api/errors';
import { formatSize } from '../../../shared/format/size';
import type { ChannelRef } from './channel-url';
import type { RepodataIndex } from './repodata-index';

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
    throw invalid(
      channel,
      subdir,
      `is not valid zstd data (${(error as Error).message})`,
      'repodata.json.zst',
    );
  }
  if (!ended && size === 0) throw invalid(channel, subdir, 'holds no data', 'repodata.json.zst');
  return Buffer.concat(chunks);
}

const QUOTE = 0x22;
const DASH = 0x2d;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const isSpace = (c: number | undefined) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

function skipSpace(bytes: Buffer, at: number): number {
  while (isSpace(bytes[at])) at++;
  return at;
}

const SECTIONS = new Set(['packages', 'packages.conda']);

/**
 * What is wrong with `bytes` as a repodata.json, or undefined when nothing is. One pass over the
 * bytes with no allocation per value (conda-forge's 240 MB costs a fraction of a JSON.parse, and no
 * extra memory): brackets and strings must close in order, nothing may follow the top object, and
 * the top-level `info` / `packages` / `packages.conda` must be objects whose records are objects.
 */
export function repodataProblem(bytes: Buffer): string | undefined {
  const checked = scanRepodata(bytes, false);
  return typeof checked === 'string' ? checked : undefined;
}

/**
 * The check of {@link repodataProblem} and the by-name index of `indexRepodata` in the same pass:
 * the scan meets every record's key and closing brace anyway, so a download is walked once.
 * Returns the problem (a string) or the index.
 */
export function checkAndIndexRepodata(bytes: Buffer): string | RepodataIndex {
  return scanRepodata(bytes, true) as string | RepodataIndex;
}

function scanRepodata(bytes: Buffer, indexing: boolean): string | RepodataIndex | undefined {
  const first = skipSpace(bytes, 0);
  if (first >= bytes.length) return 'is empty';
  const head = bytes.toString('latin1', first, first + 64).toLowerCase();
  if (head.startsWith('<')) return 'is an HTML page, not JSON (a login page or a proxy error?)';
  if (head.startsWith('null')) return 'is null, not a repodata object';
  if (bytes[first] !== 0x7b)
    return `is not a JSON object (it starts with ${JSON.stringify(head.slice(0, 16))})`;
  const stack = new Uint8Array(256);
  let depth = 0;
  const top = new Map<string, number>();
  let inSection = false;
  const length = bytes.length;
  // Indexing: the section being read (0 `packages`, 1 `packages.conda`), the record whose closing
  // brace is awaited (at depth 2), and the `info` object's span (closing at depth 1).
  const byName = new Map<string, number[][]>();
  const index: RepodataIndex = { bytes, byName, records: 0 };
  let conda = -1;
  let open: number[] | undefined;
  let infoStart = -1;
  let lastName: { start: number; end: number; list: number[][] } | undefined;
  for (let i = first; i < length; i++) {
    const c = bytes[i]!;
    if (c === QUOTE) {
      const startOfString = i + 1;
      // Inside records (depth 3 and more) only the framing matters: a tight scan to the closing quote.
      for (i++; i < length; i++) {
        const d = bytes[i];
        if (d === BACKSLASH) i++;
        else if (d === QUOTE) break;
      }
      if (i >= length) return `is cut off inside a string at byte ${startOfString - 1}`;
      if (depth > 2 || stack[depth - 1] !== 0x7b) continue;
      const next = skipSpace(bytes, i + 1);
      if (bytes[next] !== COLON) continue;
      const value = skipSpace(bytes, next + 1);
      if (depth === 1) {
        const key = bytes.toString('utf8', startOfString, i);
        top.set(key, bytes[value] ?? 0);
        inSection = SECTIONS.has(key);
        conda = key === 'packages' ? 0 : key === 'packages.conda' ? 1 : -1;
        if (indexing && key === 'info' && bytes[value] === 0x7b && !index.info) infoStart = value;
      } else if (inSection && bytes[value] !== 0x7b) {
        return `has a record that is not an object (${bytes.toString('utf8', startOfString, Math.min(i, startOfString + 80))})`;
      } else if (indexing && conda >= 0) {
        const added = indexRecord(index, bytes, startOfString, i, value, conda, lastName);
        if (added) {
          open = added.entry;
          lastName = added.name;
        }
      }
      i = next;
    } else if (c === 0x7b || c === 0x5b) {
      if (depth === stack.length) return `nests deeper than ${stack.length} levels`;
      stack[depth++] = c;
    } else if (c === 0x7d || c === 0x5d) {
      if (depth === 0 || stack[--depth] !== (c === 0x7d ? 0x7b : 0x5b))
        return `has a mismatched "${String.fromCharCode(c)}" at byte ${i}`;
      if (depth === 2 && open) {
        open[3] = i + 1;
        open = undefined;
      } else if (depth === 1 && infoStart >= 0) {
        index.info = [infoStart, i + 1];
        infoStart = -1;
      } else if (depth === 0) {
        const rest = skipSpace(bytes, i + 1);
        if (rest < length) return `has data after its end (byte ${rest})`;
        break;
      }
    }
  }
  if (depth > 0)
    return `is cut off (${formatSize(bytes.length)} read, ${depth} brackets left open)`;
  for (const name of ['info', ...SECTIONS]) {
    const kind = top.get(name);
    if (kind !== undefined && kind !== 0x7b) return `has "${name}" that is not a map`;
  }
  if (!top.has('packages') && !top.has('packages.conda'))
    return 'has neither a "packages" nor a "packages.conda" map';
  return indexing ? index : undefined;
}

const SUFFIXES = [Buffer.from('.tar.bz2'), Buffer.from('.conda')];

/**
 * Adds the record keyed `bytes[keyStart, keyEnd)` (its value opening at `valueStart`) to the index
 * when its file name has the section's suffix and a `name-version-build` stem, as `indexRepodata`
 * does. Returns the entry (its end is filled in when the record closes) and where its name lies,
 * so the next record (usually of the same name: repodata is sorted) compares bytes, not strings.
 */
function indexRecord(
  index: RepodataIndex,
  bytes: Buffer,
  keyStart: number,
  keyEnd: number,
  valueStart: number,
  conda: number,
  lastName: { start: number; end: number; list: number[][] } | undefined,
): { entry: number[]; name: { start: number; end: number; list: number[][] } } | undefined {
  // Short byte loops in JavaScript: native calls cost more than these few bytes (465,000 records).
  const suffix = SUFFIXES[conda]!;
  const at = keyEnd - suffix.length;
  if (at <= keyStart) return undefined;
  for (let k = 0; k < suffix.length; k++) if (bytes[at + k] !== suffix[k]) return undefined;
  const entry = [keyStart, keyEnd, valueStart, -1, conda];
  let buildDash = at - 1;
  while (buildDash >= 0 && bytes[buildDash] !== DASH) buildDash--;
  if (buildDash < keyStart + 1) return undefined;
  let versionDash = buildDash - 1;
  while (versionDash >= 0 && bytes[versionDash] !== DASH) versionDash--;
  if (versionDash <= keyStart) return undefined;
  let list: number[][] | undefined;
  if (lastName && lastName.end - lastName.start === versionDash - keyStart) {
    let k = 0;
    while (k < versionDash - keyStart && bytes[lastName.start + k] === bytes[keyStart + k]) k++;
    if (k === versionDash - keyStart) list = lastName.list;
  }
  if (!list) {
    const name = bytes.toString('utf8', keyStart, versionDash);
    list = index.byName.get(name) ?? [];
    if (list.length === 0) index.byName.set(name, list);
  }
  list.push(entry);
  index.records++;
  return { entry, name: { start: keyStart, end: versionDash, list } };
}
/** The index of `bytes` when they are a well-formed repodata.json; otherwise a CondenseError naming the channel. */
export function checkAndIndex(bytes: Buffer, channel: ChannelRef, subdir: string): RepodataIndex {
  const checked = checkAndIndexRepodata(bytes);
  if (typeof checked === 'string') throw invalid(channel, subdir, checked);
  return checked;
}

/** `bytes` when they are a well-formed repodata.json; otherwise a CondenseError naming the channel. */
export function checkRepodata(bytes: Buffer, channel: ChannelRef, subdir: string): Buffer {
  const problem = repodataProblem(bytes);
  if (problem) throw invalid(channel, subdir, problem);
  return bytes;
}
