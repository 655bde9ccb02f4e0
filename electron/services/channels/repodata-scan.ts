import { formatSize } from '../../../shared/format/size';
import {
  BACKSLASH,
  CLOSE,
  CLOSE_ARRAY,
  DASH,
  isSpace,
  OPEN as OPEN_BRACE,
  OPEN_ARRAY,
  QUOTE,
  type RepodataIndex,
} from './repodata-index';

const COLON = 0x3a;

function skipSpace(bytes: Buffer, at: number): number {
  while (isSpace(bytes[at])) at++;
  return at;
}

const SECTIONS = new Set(['packages', 'packages.conda']);

type LastName = { start: number; end: number; list: number[][] };

/**
 * One pass over a repodata.json that checks it and (optionally) indexes it by name, with no
 * allocation per value (conda-forge's 240 MB costs a fraction of a JSON.parse, and no extra memory):
 * brackets and strings must close in order, nothing may follow the top object, and the top-level
 * `info` / `packages` / `packages.conda` must be objects whose records are objects.
 *
 * It can run while the file downloads: `feed` scans what has arrived so far (a string or key cut by
 * the end of the data so far is read again with the next bytes), so the download's idle time
 * checks it; `finish` scans the rest and gives the verdict.
 */
export class RepodataScan {
  /** Next byte to read; -1 until the file's first bytes were looked at. */
  private at = -1;
  private depth = 0;
  private readonly stack = new Uint8Array(256);
  private readonly top = new Map<string, number>();
  private inSection = false;
  /** The section being read: 0 `packages`, 1 `packages.conda`, -1 neither. */
  private conda = -1;
  /** The record whose closing brace is awaited (at depth 2). */
  private open: number[] | undefined;
  /** Where the `info` object starts, until it closes (at depth 1). */
  private infoStart = -1;
  private lastName: LastName | undefined;
  /** Just past the top object's closing brace, once read. */
  private end = -1;
  private problem: string | undefined;
  private readonly index: RepodataIndex = {
    bytes: Buffer.alloc(0),
    byName: new Map(),
    records: 0,
  };

  constructor(private readonly indexing: boolean) {}

  /** Scans the body so far. `bytes` only ever grows between calls; bytes read never change. */
  feed(bytes: Buffer): void {
    if (this.problem === undefined && this.end < 0) this.scan(bytes, false);
  }

  /** Scans the rest of the whole body: what is wrong with it, or its index (undefined if not indexing). */
  finish(bytes: Buffer): string | RepodataIndex | undefined {
    if (this.problem === undefined && this.end < 0) this.scan(bytes, true);
    if (this.problem !== undefined) return this.problem;
    if (this.end < 0)
      return `is cut off (${formatSize(bytes.length)} read, ${this.depth} brackets left open)`;
    const rest = skipSpace(bytes, this.end);
    if (rest < bytes.length) return `has data after its end (byte ${rest})`;
    for (const name of ['info', ...SECTIONS]) {
      const kind = this.top.get(name);
      if (kind !== undefined && kind !== OPEN_BRACE) return `has "${name}" that is not a map`;
    }
    if (!this.top.has('packages') && !this.top.has('packages.conda'))
      return 'has neither a "packages" nor a "packages.conda" map';
    if (!this.indexing) return undefined;
    this.index.bytes = bytes;
    return this.index;
  }

  /** What is wrong with how the file starts, or undefined; `at` is its first byte that is not space. */
  private static head(bytes: Buffer, at: number): string | undefined {
    if (at >= bytes.length) return 'is empty';
    const head = bytes.toString('latin1', at, at + 64).toLowerCase();
    if (head.startsWith('<')) return 'is an HTML page, not JSON (a login page or a proxy error?)';
    if (head.startsWith('null')) return 'is null, not a repodata object';
    if (bytes[at] !== OPEN_BRACE)
      return `is not a JSON object (it starts with ${JSON.stringify(head.slice(0, 16))})`;
    return undefined;
  }

  private scan(bytes: Buffer, final: boolean): void {
    const length = bytes.length;
    if (this.at < 0) {
      const first = skipSpace(bytes, 0);
      // The head's message quotes up to 64 bytes: wait for them (or the end).
      if (!final && first + 64 > length) return;
      this.problem = RepodataScan.head(bytes, first);
      if (this.problem !== undefined) return;
      this.at = first;
    }
    // Locals in the loop: it runs once per byte of 240 MB.
    const { stack, top, index, indexing } = this;
    let { depth, inSection, conda, open, infoStart, lastName } = this;
    let i = this.at;
    for (; i < length; i++) {
      const c = bytes[i]!;
      if (c === QUOTE) {
        const quote = i;
        const startOfString = i + 1;
        // Inside records (depth 3 and more) only the framing matters: a tight scan to the closing quote.
        for (i++; i < length; i++) {
          const d = bytes[i];
          if (d === BACKSLASH) i++;
          else if (d === QUOTE) break;
        }
        if (i >= length) {
          if (final) this.problem = `is cut off inside a string at byte ${quote}`;
          // Not final: the string is read again, whole, with the next bytes.
          return this.store(quote, depth, inSection, conda, open, infoStart, lastName);
        }
        if (depth > 2 || stack[depth - 1] !== OPEN_BRACE) continue;
        const next = skipSpace(bytes, i + 1);
        if (!final && next >= length)
          return this.store(quote, depth, inSection, conda, open, infoStart, lastName);
        if (bytes[next] !== COLON) continue;
        const value = skipSpace(bytes, next + 1);
        if (!final && value >= length)
          return this.store(quote, depth, inSection, conda, open, infoStart, lastName);
        if (depth === 1) {
          const key = bytes.toString('utf8', startOfString, i);
          top.set(key, bytes[value] ?? 0);
          inSection = SECTIONS.has(key);
          conda = key === 'packages' ? 0 : key === 'packages.conda' ? 1 : -1;
          if (indexing && key === 'info' && bytes[value] === OPEN_BRACE && !index.info)
            infoStart = value;
        } else if (inSection && bytes[value] !== OPEN_BRACE) {
          this.problem = `has a record that is not an object (${bytes.toString('utf8', startOfString, Math.min(i, startOfString + 80))})`;
          return this.store(i, depth, inSection, conda, open, infoStart, lastName);
        } else if (indexing && conda >= 0) {
          const added = indexRecord(index, bytes, startOfString, i, value, conda, lastName);
          if (added) {
            open = added.entry;
            lastName = added.name;
          }
        }
        i = next;
      } else if (c === OPEN_BRACE || c === OPEN_ARRAY) {
        if (depth === stack.length) {
          this.problem = `nests deeper than ${stack.length} levels`;
          return this.store(i, depth, inSection, conda, open, infoStart, lastName);
        }
        stack[depth++] = c;
      } else if (c === CLOSE || c === CLOSE_ARRAY) {
        if (depth === 0 || stack[--depth] !== (c === CLOSE ? OPEN_BRACE : OPEN_ARRAY)) {
          this.problem = `has a mismatched "${String.fromCharCode(c)}" at byte ${i}`;
          return this.store(i, depth, inSection, conda, open, infoStart, lastName);
        }
        if (depth === 2 && open) {
          open[3] = i + 1;
          open = undefined;
        } else if (depth === 1 && infoStart >= 0) {
          index.info = [infoStart, i + 1];
          infoStart = -1;
        } else if (depth === 0) {
          this.end = i + 1;
          return this.store(i + 1, depth, inSection, conda, open, infoStart, lastName);
        }
      }
    }
    this.store(i, depth, inSection, conda, open, infoStart, lastName);
  }

  /** Keeps the loop's state for the next `feed` (passed in, not captured: the loop keeps registers). */
  private store(
    at: number,
    depth: number,
    inSection: boolean,
    conda: number,
    open: number[] | undefined,
    infoStart: number,
    lastName: LastName | undefined,
  ): void {
    this.at = at;
    this.depth = depth;
    this.inSection = inSection;
    this.conda = conda;
    this.open = open;
    this.infoStart = infoStart;
    this.lastName = lastName;
  }
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
  lastName: LastName | undefined,
): { entry: number[]; name: LastName } | undefined {
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
