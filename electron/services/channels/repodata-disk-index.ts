import { closeSync, openSync, readSync } from 'node:fs';
import { stat } from 'node:fs/promises';

import type { IndexHeader } from './repodata-index';

/**
 * A cached repodata.json used through its serialized index without reading the file: a lock reads
 * only the records of the names it reaches (a few thousand of conda-forge's 465,000), the way
 * sharded repodata (CEP 16) would; of the index itself, only the header and those names' offsets.
 */
export class DiskIndexTable {
  private constructor(
    readonly dataPath: string,
    private readonly indexPath: string,
    /** Where the int32 offsets start in the index file (5 per record, in name order). */
    private readonly offsetsStart: number,
    /** name -> [first entry, entry count] */
    private readonly spans: Map<string, [number, number]>,
    /** The raw `info` object of the repodata.json. */
    readonly info: Buffer | undefined,
    readonly validator: string,
  ) {}

  /**
   * Reads the index's header (names and counts, a few hundred KB for conda-forge); the offsets are
   * read per name when asked. Undefined when the index is missing or belongs to other bytes.
   */
  static async open(
    indexPath: string,
    dataPath: string,
    validator: string,
  ): Promise<DiskIndexTable | undefined> {
    try {
      const [index, data] = await Promise.all([stat(indexPath), stat(dataPath)]);
      const [length] = await readRanges(indexPath, [[0, 4]]);
      const headerLength = length!.readUInt32LE(0);
      const [headerBytes] = await readRanges(indexPath, [[4, 4 + headerLength]]);
      const header = JSON.parse(headerBytes!.toString('utf8')) as IndexHeader;
      if (header.version !== 1 || header.size !== data.size || header.validator !== validator)
        return undefined;
      const spans = new Map<string, [number, number]>();
      let at = 0;
      header.names.forEach((name, i) => {
        spans.set(name, [at, header.counts[i]!]);
        at += header.counts[i]!;
      });
      const offsetsStart = 4 + headerLength;
      if (offsetsStart + at * 20 !== index.size) return undefined;
      const info = header.info
        ? (await readRanges(dataPath, [[header.info[0], header.info[1]]]))[0]
        : undefined;
      return new DiskIndexTable(dataPath, indexPath, offsetsStart, spans, info, validator);
    } catch {
      return undefined;
    }
  }

  has(name: string): boolean {
    return this.spans.has(name);
  }

  names(): IterableIterator<string> {
    return this.spans.keys();
  }

  /** [keyStart, keyEnd, valueStart, valueEnd, isConda] of each record of each name. */
  async entries(names: string[]): Promise<number[][][]> {
    const spans = names.map((n): [number, number] => this.spans.get(n) ?? [0, 0]);
    const buffers = await readRanges(
      this.indexPath,
      spans.map(([first, count]) => [
        this.offsetsStart + first * 20,
        this.offsetsStart + (first + count) * 20,
      ]),
    );
    return buffers.map((buffer) => {
      const out: number[][] = [];
      for (let k = 0; k + 20 <= buffer.length; k += 20)
        out.push([0, 4, 8, 12, 16].map((o) => buffer.readInt32LE(k + o)));
      return out;
    });
  }
}

/**
 * Reads byte ranges [start, end) of a file with one descriptor. Synchronous reads: a lock reads a
 * few hundred small ranges (one per name) from files the page cache holds, and a promise plus a
 * thread-pool hop per range cost more CPU than the reads (about 20 ms per platform at conda-forge
 * scale); the whole batch blocks for a few milliseconds.
 */
// eslint-disable-next-line @typescript-eslint/require-await -- callers await it like any read
async function readRanges(path: string, ranges: [number, number][]): Promise<Buffer[]> {
  const fd = openSync(path, 'r');
  try {
    return ranges.map(([start, end]) => {
      const buffer = Buffer.allocUnsafe(end - start);
      let done = 0;
      while (done < buffer.length) {
        const bytesRead = readSync(fd, buffer, done, buffer.length - done, start + done);
        if (bytesRead === 0) throw new Error(`${path} is shorter than its index`);
        done += bytesRead;
      }
      return buffer;
    });
  } finally {
    closeSync(fd);
  }
}

/**
 * The records of the names fetched so far from one cached subdir, as repodata.json bytes; the same
 * shape as `ShardedRepodata`, so the solver's reachability loop treats both alike.
 */
export class DiskRepodata {
  /** name -> `"<file>":{...}` entries for `packages` (0) and `packages.conda` (1) */
  private readonly records = new Map<string, [Buffer[], Buffer[]]>();

  constructor(
    private readonly table: DiskIndexTable,
    private readonly subdir: string,
  ) {}

  has(name: string): boolean {
    return this.table.has(name);
  }

  fetched(name: string): boolean {
    return this.records.has(name);
  }

  /** Reads the records of `names`: one read per name when its records lie together (sorted repodata). */
  async fetch(names: string[]): Promise<void> {
    const wanted = names.filter((n) => this.has(n) && !this.fetched(n));
    const ranges: [number, number][] = [];
    const plan: { name: string; entries: number[][]; range: number; spanStart?: number }[] = [];
    const all = await this.table.entries(wanted);
    for (const [i, name] of wanted.entries()) {
      const entries = all[i]!;
      const start = Math.min(...entries.map((e) => e[0]! - 1));
      const end = Math.max(...entries.map((e) => e[3]!));
      const total = entries.reduce((sum, e) => sum + (e[3]! - e[0]! + 1), 0);
      if (end - start <= 2 * total + 4096) {
        plan.push({ name, entries, range: ranges.length, spanStart: start });
        ranges.push([start, end]);
      } else {
        plan.push({ name, entries, range: ranges.length });
        for (const e of entries) ranges.push([e[0]! - 1, e[3]!]);
      }
    }
    const buffers = await readRanges(this.table.dataPath, ranges);
    for (const { name, entries, range, spanStart } of plan) {
      const out: [Buffer[], Buffer[]] = [[], []];
      entries.forEach((e, i) => {
        // A record is `"<key>"` + `:` + the value; the bytes between key and value may hold spaces.
        const [keyStart, keyEnd, valueStart, valueEnd, conda] = e as [
          number,
          number,
          number,
          number,
          number,
        ];
        const base = spanStart ?? keyStart - 1;
        const buffer = buffers[spanStart === undefined ? range + i : range]!;
        out[conda]!.push(
          Buffer.concat([
            buffer.subarray(keyStart - 1 - base, keyEnd + 1 - base),
            COLON,
            buffer.subarray(valueStart - base, valueEnd - base),
          ]),
        );
      });
      this.records.set(name, out);
    }
  }

  /** A repodata.json of every record fetched so far. */
  repodata(): Buffer {
    const sections: Buffer[][] = [[], []];
    for (const [tarBz2, conda] of this.records.values()) {
      for (const [slot, list] of [tarBz2, conda].entries()) {
        for (const record of list) {
          if (sections[slot]!.length) sections[slot]!.push(COMMA);
          sections[slot]!.push(record);
        }
      }
    }
    return Buffer.concat([
      Buffer.from('{"info":'),
      this.table.info ?? Buffer.from(JSON.stringify({ subdir: this.subdir })),
      Buffer.from(',"packages":{'),
      ...sections[0]!,
      Buffer.from('},"packages.conda":{'),
      ...sections[1]!,
      Buffer.from('},"repodata_version":1}'),
    ]);
  }
}

const COLON = Buffer.from(':');
const COMMA = Buffer.from(',');
