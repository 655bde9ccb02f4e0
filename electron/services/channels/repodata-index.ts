/**
 * A byte-level index of a repodata.json: for each package name, where its records are. Built with one
 * structural pass over the bytes (no JSON.parse of the whole file: conda-forge's linux-64 is ~240 MB),
 * so a lock can hand the solver only the records reachable from its specs, the way sharded repodata
 * (CEP 16) does.
 */
export interface RepodataIndex {
  bytes: Buffer;
  /** Raw `info` object, if any (keeps `base_url`). */
  info?: [number, number];
  /** name -> records: [keyStart, keyEnd, valueStart, valueEnd, isConda (1) or tar.bz2 (0)] */
  byName: Map<string, number[][]>;
  records: number;
}

/** JSON's structural bytes, shared with the download check (`repodata-scan.ts`). */
export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const OPEN = 0x7b;
export const CLOSE = 0x7d;
export const OPEN_ARRAY = 0x5b;
export const CLOSE_ARRAY = 0x5d;
export const DASH = 0x2d;

export const isSpace = (c: number | undefined) =>
  c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Position after optional whitespace and the expected byte, or -1. */
function expect(bytes: Buffer, at: number, byte: number): number {
  while (isSpace(bytes[at])) at++;
  return bytes[at] === byte ? at : -1;
}

/** Start of the value of top-level key `"key"` (its `{`), or -1. */
function sectionStart(bytes: Buffer, key: string): number {
  const needle = Buffer.from(`"${key}"`);
  for (let at = bytes.indexOf(needle); at >= 0; at = bytes.indexOf(needle, at + 1)) {
    const colon = expect(bytes, at + needle.length, 0x3a);
    if (colon < 0) continue;
    const open = expect(bytes, colon + 1, OPEN);
    if (open >= 0) return open;
  }
  return -1;
}

/** Closing brace of the object opening at `open` (a small record: a plain scan is fine). */
function matchBrace(bytes: Buffer, open: number): number {
  let depth = 0;
  for (let i = open; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === QUOTE) {
      for (i++; i < bytes.length && bytes[i] !== QUOTE; i++) if (bytes[i] === BACKSLASH) i++;
    } else if (c === OPEN || c === OPEN_ARRAY) depth++;
    else if (c === CLOSE || c === CLOSE_ARRAY) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/**
 * Indexes `packages` and `packages.conda` by package name. Records are found by their keys
 * (`<file>.conda": {` / `<file>.tar.bz2": {`) with native byte searches; a record ends at the last
 * `}` before the next key, so the bytes inside records are never walked in JavaScript.
 */
export function indexRepodata(bytes: Buffer): RepodataIndex {
  const byName = new Map<string, number[][]>();
  const index: RepodataIndex = { bytes, byName, records: 0 };
  const info = sectionStart(bytes, 'info');
  if (info >= 0) index.info = [info, matchBrace(bytes, info) + 1];
  const sections = [
    { open: sectionStart(bytes, 'packages'), suffix: '.tar.bz2"', conda: 0 },
    { open: sectionStart(bytes, 'packages.conda'), suffix: '.conda"', conda: 1 },
  ].filter((s) => s.open >= 0);
  for (const section of sections) {
    // A section's records lie between its `{` and the other section's (or the end of the file); the
    // suffixes differ and keys of `removed` are not followed by `: {`, so nothing else matches.
    const other = sections.find((s) => s.open > section.open)?.open;
    const close = other ?? bytes.length;
    const needle = Buffer.from(section.suffix, 'latin1');
    let previous: number[] | undefined;
    // Records of one name are usually adjacent (repodata is sorted): compare the name's bytes with
    // the last one before decoding a string and looking it up.
    let lastName: { start: number; end: number; list: number[][] } | undefined;
    for (
      let at = bytes.indexOf(needle, section.open);
      at >= 0 && at < close;
      at = bytes.indexOf(needle, at + 1)
    ) {
      const colon = expect(bytes, at + needle.length, 0x3a);
      if (colon < 0) continue;
      const open = expect(bytes, colon + 1, OPEN);
      if (open < 0) continue;
      const keyStart = bytes.lastIndexOf(QUOTE, at - 1) + 1;
      const keyEnd = at + needle.length - 1;
      if (previous) previous[3] = bytes.lastIndexOf(CLOSE, keyStart - 1) + 1;
      const entry = [keyStart, keyEnd, open, -1, section.conda];
      previous = entry;
      // `name-version-build.<ext>`: the name ends at the second-to-last dash of the stem.
      const buildDash = bytes.lastIndexOf(DASH, at - 1);
      if (buildDash < keyStart + 1) continue;
      const versionDash = bytes.lastIndexOf(DASH, buildDash - 1);
      if (versionDash <= keyStart) continue;
      let list: number[][];
      if (
        lastName &&
        lastName.end - lastName.start === versionDash - keyStart &&
        bytes.compare(bytes, lastName.start, lastName.end, keyStart, versionDash) === 0
      ) {
        list = lastName.list;
        list.push(entry);
      } else {
        const name = bytes.toString('utf8', keyStart, versionDash);
        const known = byName.get(name);
        if (known) {
          list = known;
          list.push(entry);
        } else {
          list = [entry];
          byName.set(name, list);
        }
      }
      lastName = { start: keyStart, end: versionDash, list };
      index.records++;
    }
    if (previous) previous[3] = matchBrace(bytes, previous[2]!) + 1;
  }
  return index;
}

/** The parsed `depends` of one indexed record. */
export function recordDepends(index: RepodataIndex, entry: number[]): string[] {
  const record = JSON.parse(index.bytes.toString('utf8', entry[2], entry[3])) as {
    depends?: string[];
  };
  return record.depends ?? [];
}

/** A repodata.json holding only the given names' records, built from the original bytes. */
export function filteredRepodata(
  index: RepodataIndex,
  names: Iterable<string>,
  subdir: string,
): Buffer {
  const parts: Buffer[][] = [[], []];
  for (const name of names) {
    for (const entry of index.byName.get(name) ?? []) {
      const target = parts[entry[4]!]!;
      if (target.length) target.push(Buffer.from(','));
      target.push(
        index.bytes.subarray(entry[0]! - 1, entry[1]! + 1),
        Buffer.from(':'),
        index.bytes.subarray(entry[2], entry[3]),
      );
    }
  }
  const info = index.info
    ? index.bytes.subarray(index.info[0], index.info[1])
    : Buffer.from(JSON.stringify({ subdir }));
  return Buffer.concat([
    Buffer.from('{"info":'),
    info,
    Buffer.from(',"packages":{'),
    ...parts[0]!,
    Buffer.from('},"packages.conda":{'),
    ...parts[1]!,
    Buffer.from('},"repodata_version":1}'),
  ]);
}

export interface IndexHeader {
  version: 1;
  /** Byte length of the repodata.json the index was built from. */
  size: number;
  /** Validator of that repodata.json, so a stale index is never used. */
  validator: string;
  info: [number, number] | null;
  names: string[];
  counts: number[];
}

/** Binary form for the disk cache: a JSON header (names, counts) and the offsets as int32. */
export function serializeIndex(
  // Not the bytes themselves: a cache write of the index must not keep 240 MB alive.
  index: Pick<RepodataIndex, 'byName' | 'info' | 'records'> & { bytes: { length: number } },
  validator: string,
): Buffer {
  const names = [...index.byName.keys()];
  const counts = names.map((n) => index.byName.get(n)!.length);
  const header: IndexHeader = {
    version: 1,
    size: index.bytes.length,
    validator,
    info: index.info ?? null,
    names,
    counts,
  };
  const headerBytes = Buffer.from(JSON.stringify(header));
  const offsets = new Int32Array(index.records * 5);
  let k = 0;
  for (const name of names)
    for (const entry of index.byName.get(name)!) for (const value of entry) offsets[k++] = value!;
  const length = Buffer.alloc(4);
  length.writeUInt32LE(headerBytes.length);
  return Buffer.concat([length, headerBytes, Buffer.from(offsets.buffer, 0, k * 4)]);
}

/** The header and offsets of a serialized index, or undefined when it is not one. */
export function readIndexHeader(
  data: Buffer,
): { header: IndexHeader; offsets: Int32Array } | undefined {
  try {
    const headerLength = data.readUInt32LE(0);
    const header = JSON.parse(data.toString('utf8', 4, 4 + headerLength)) as IndexHeader;
    if (header.version !== 1) return undefined;
    const start = 4 + headerLength;
    // Copy into an aligned buffer: the offsets start at an arbitrary byte position.
    const offsets = new Int32Array(
      data.buffer.slice(data.byteOffset + start, data.byteOffset + data.length),
    );
    return { header, offsets };
  } catch {
    return undefined;
  }
}

/** Reads a serialized index back; undefined when it does not belong to these bytes. */
export function deserializeIndex(
  data: Buffer,
  bytes: Buffer,
  validator: string,
): RepodataIndex | undefined {
  const parsed = readIndexHeader(data);
  if (!parsed) return undefined;
  const { header, offsets } = parsed;
  if (header.size !== bytes.length || header.validator !== validator) return undefined;
  const byName = new Map<string, number[][]>();
  let k = 0;
  let records = 0;
  header.names.forEach((name, i) => {
    const list: number[][] = [];
    for (let c = 0; c < header.counts[i]!; c++, k += 5)
      list.push([offsets[k]!, offsets[k + 1]!, offsets[k + 2]!, offsets[k + 3]!, offsets[k + 4]!]);
    records += list.length;
    byName.set(name, list);
  });
  if (k !== offsets.length) return undefined;
  return { bytes, byName, records, ...(header.info ? { info: header.info } : {}) };
}
