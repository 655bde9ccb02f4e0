/**
 * Reads chosen entries out of an uncompressed tar held in memory (ustar, pax and GNU long names).
 * The conda archives' info tars are small; the whole `.tar.bz2` is decompressed anyway.
 */

const BLOCK = 512;
const decoder = new TextDecoder();

function field(header: Uint8Array, start: number, length: number): string {
  const bytes = header.subarray(start, start + length);
  const end = bytes.indexOf(0);
  return decoder.decode(end === -1 ? bytes : bytes.subarray(0, end));
}

function octal(header: Uint8Array, start: number, length: number): number {
  const text = field(header, start, length).trim();
  return text === '' ? 0 : parseInt(text, 8);
}

function paxPath(data: Uint8Array): string | undefined {
  // Records are "<length> <key>=<value>\n".
  for (const record of decoder.decode(data).split('\n')) {
    const match = /^\d+ path=(.*)$/.exec(record);
    if (match) return match[1];
  }
  return undefined;
}

/** An entry of the archive: its path, type flag and size. */
export interface TarEntry {
  path: string;
  /** '0' file, '1' hard link, '2' symlink, '5' directory... */
  type: string;
  size: number;
}

/**
 * Walks the archive; returns the contents of the wanted paths and, when asked, every entry seen.
 * Throws on a truncated archive rather than returning partial data.
 */
export function readTar(
  tar: Uint8Array,
  wanted: ReadonlySet<string>,
  listing?: TarEntry[],
): Map<string, Uint8Array> {
  const found = new Map<string, Uint8Array>();
  let offset = 0;
  let longName: string | undefined;
  while (offset + BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) break;
    const size = octal(header, 124, 12);
    const type = String.fromCharCode(header[156] ?? 48) || '0';
    const dataStart = offset + BLOCK;
    const dataEnd = dataStart + size;
    if (dataEnd > tar.length) throw new Error('truncated tar archive');
    const data = tar.subarray(dataStart, dataEnd);
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x' || type === 'L') {
      longName = type === 'x' ? paxPath(data) : field(data, 0, data.length);
      continue;
    }
    if (type === 'g') continue;
    const prefix = field(header, 345, 155);
    const name =
      longName ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
    longName = undefined;
    const path = name.replace(/^\.\//, '');
    listing?.push({ path, type: type === '\0' ? '0' : type, size });
    if (wanted.has(path)) found.set(path, data);
  }
  return found;
}
