/**
 * The libraries an ELF file asks the dynamic loader for (DT_NEEDED) and where it says to look
 * (DT_RUNPATH, else DT_RPATH). The trace keeps a whole Python package once one of its modules was
 * imported; its extension modules that were never loaded still need their libraries when a later
 * code path imports them. 64-bit little-endian only: conda's linux-64, linux-aarch64 and
 * linux-ppc64le.
 */
export interface ElfDependencies {
  needed: string[];
  /** Search folders as written (`$ORIGIN/../lib`). */
  runpath: string[];
}

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const DT_NEEDED = 1n;
const DT_STRTAB = 5n;
const DT_RPATH = 15n;
const DT_RUNPATH = 29n;

const DECODER = new TextDecoder();

export function isElf(head: Uint8Array): boolean {
  return head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46;
}

/** DT_NEEDED and the search path of an ELF file, or undefined for anything else (or a damaged one). */
export function elfDependencies(bytes: Uint8Array): ElfDependencies | undefined {
  // ELFCLASS64, little-endian.
  if (bytes.length < 64 || !isElf(bytes) || bytes[4] !== 2 || bytes[5] !== 1) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    const phoff = Number(view.getBigUint64(0x20, true));
    const phentsize = view.getUint16(0x36, true);
    const phnum = view.getUint16(0x38, true);
    const loads: { vaddr: number; offset: number; size: number }[] = [];
    let dynamic: { offset: number; size: number } | undefined;
    for (let i = 0; i < phnum; i += 1) {
      const at = phoff + i * phentsize;
      const type = view.getUint32(at, true);
      const offset = Number(view.getBigUint64(at + 8, true));
      const vaddr = Number(view.getBigUint64(at + 16, true));
      const size = Number(view.getBigUint64(at + 32, true));
      if (type === PT_LOAD) loads.push({ vaddr, offset, size });
      else if (type === PT_DYNAMIC) dynamic = { offset, size };
    }
    if (!dynamic) return { needed: [], runpath: [] };
    const needed: bigint[] = [];
    let strtab: number | undefined;
    let rpath: bigint | undefined;
    let runpath: bigint | undefined;
    for (let at = dynamic.offset; at + 16 <= dynamic.offset + dynamic.size; at += 16) {
      const tag = view.getBigInt64(at, true);
      const value = view.getBigUint64(at + 8, true);
      if (tag === 0n) break;
      if (tag === DT_NEEDED) needed.push(value);
      else if (tag === DT_STRTAB) strtab = Number(value);
      else if (tag === DT_RPATH) rpath = value;
      else if (tag === DT_RUNPATH) runpath = value;
    }
    const load = loads.find(
      (l) => strtab !== undefined && strtab >= l.vaddr && strtab < l.vaddr + l.size,
    );
    if (strtab === undefined || !load) return { needed: [], runpath: [] };
    const base = strtab - load.vaddr + load.offset;
    const text = (offset: bigint): string => {
      const start = base + Number(offset);
      let end = start;
      while (end < bytes.length && bytes[end] !== 0) end += 1;
      return DECODER.decode(bytes.subarray(start, end));
    };
    // The loader ignores DT_RPATH when DT_RUNPATH is there.
    const path = runpath ?? rpath;
    return {
      needed: needed.map(text),
      runpath:
        path === undefined
          ? []
          : text(path)
              .split(':')
              .filter((p) => p.length > 0),
    };
  } catch {
    // Offsets past the end: a truncated or foreign file.
    return undefined;
  }
}
