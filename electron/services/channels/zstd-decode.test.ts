import { execFileSync } from 'node:child_process';

import { describe, expect, it } from 'vitest';

import { zstdRaw } from '../../../fixtures/lib/compress';
import { declaredContentSize, decodeZstd, nativeZstd } from './zstd-decode';

const TEXT = Buffer.from(
  JSON.stringify({
    packages: Object.fromEntries(
      Array.from({ length: 4000 }, (_, n) => [`p-${n}-0.tar.bz2`, { name: 'p', n }]),
    ),
  }),
);

/** A frame as the `zstd` program writes it (compressed blocks, a window descriptor), if it is here. */
function programFrame(data: Buffer): Buffer | undefined {
  try {
    return execFileSync('zstd', ['-q', '-c', '-19'], { input: data });
  } catch {
    return undefined;
  }
}

/** A frame header with `descriptor` and the content-size field `fcs`, after a window byte if needed. */
function header(descriptor: number, fcs: number[], dictionary: number[] = []): Uint8Array {
  const single = (descriptor >> 5) & 1;
  return Uint8Array.from([
    0x28,
    0xb5,
    0x2f,
    0xfd,
    descriptor,
    ...(single ? [] : [0x58]),
    ...dictionary,
    ...fcs,
  ]);
}

describe('declaredContentSize', () => {
  it('reads each size field RFC 8878 allows', () => {
    expect(declaredContentSize(zstdRaw(TEXT))).toBe(TEXT.length);
    expect(declaredContentSize(header(0b0010_0000, [200]))).toBe(200);
    expect(declaredContentSize(header(0b0100_0000, [0x10, 0x00]))).toBe(0x10 + 256);
    expect(declaredContentSize(header(0b1000_0001, [0x78, 0x56, 0x34, 0x12], [7]))).toBe(
      0x12345678,
    );
    expect(declaredContentSize(header(0b1100_0000, [0, 0, 0, 0, 1, 0, 0, 0]))).toBe(2 ** 32);
  });

  it('is undefined when the frame does not say, or is not zstd', () => {
    expect(declaredContentSize(header(0b0000_0000, []))).toBeUndefined();
    expect(declaredContentSize(Buffer.from('{"packages":{}}'))).toBeUndefined();
    expect(declaredContentSize(header(0b1000_0000, [1, 2]))).toBeUndefined();
  });
});

const nativeWhy = nativeZstd
  ? ''
  : `Node ${process.version} has no zlib.zstdDecompressSync (Node 22.15 / 23.8 and later, as in the Electron app)`;
if (nativeWhy) console.warn(`[skip] Node's zstd decoder: ${nativeWhy}`);

describe.each([
  ['fzstd', true, false],
  ["Node's libzstd", false, !nativeZstd],
])('decodeZstd with %s', (_, fzstd, skip) => {
  const frames = [
    ['stored blocks (fixtures)', zstdRaw(TEXT)],
    ['the zstd program', programFrame(TEXT)],
  ] as const;

  it.skipIf(skip).each(frames)('decodes a frame from %s to the exact bytes', (__, frame) => {
    if (!frame) return;
    const out = decodeZstd(frame, 1 << 30, { fzstd });
    expect(out.length).toBe(TEXT.length);
    expect(out.equals(TEXT)).toBe(true);
  });

  it.skipIf(skip)('refuses output past the cap, corrupt data and an empty file', () => {
    expect(() => decodeZstd(zstdRaw(TEXT), TEXT.length - 1, { fzstd })).toThrow(
      expect.objectContaining({ kind: 'too-large' }),
    );
    // The first block's type set to 3, which RFC 8878 reserves.
    const corrupt = Buffer.from(zstdRaw(TEXT));
    corrupt[9]! |= 0b110;
    expect(() => decodeZstd(corrupt, 1 << 30, { fzstd })).toThrow(
      expect.objectContaining({ kind: 'corrupt' }),
    );
    expect(() => decodeZstd(Buffer.from('not zstd at all'), 1 << 30, { fzstd })).toThrow(
      expect.objectContaining({ kind: 'corrupt' }),
    );
    expect(() => decodeZstd(Buffer.alloc(0), 1 << 30, { fzstd })).toThrow(
      expect.objectContaining({ kind: 'empty' }),
    );
  });

  it.skipIf(skip)('decodes two frames one after the other', () => {
    const half = TEXT.length >> 1;
    const two = Buffer.concat([zstdRaw(TEXT.subarray(0, half)), zstdRaw(TEXT.subarray(half))]);
    expect(decodeZstd(two, 1 << 30, { fzstd }).equals(TEXT)).toBe(true);
  });
});
