import { describe, expect, it } from 'vitest';

import { decode, encode } from './msgpack';

describe('msgpack', () => {
  it('round-trips the shapes sharded repodata uses', () => {
    const value = {
      version: 1,
      info: {
        base_url: 'https://example.invalid/',
        shards_base_url: './shards/',
        subdir: 'linux-64',
      },
      created_at: 1.5,
      negative: -3,
      big: 4_000_000_000,
      flags: [true, false, null],
      shards: { numpy: new Uint8Array(32).fill(7), long: 'x'.repeat(300) },
      many: Array.from({ length: 70_000 }, (_, i) => i % 200),
    };
    const back = decode(encode(value));
    expect(back).toEqual({
      ...value,
      shards: { numpy: new Uint8Array(32).fill(7), long: 'x'.repeat(300) },
    });
  });

  it('says what it cannot read', () => {
    expect(() => decode(Uint8Array.from([0xc1]))).toThrow(/^MessagePack: .*0xc1/i);
    expect(() => decode(Uint8Array.from([0x92, 0x01]))).toThrow(/^MessagePack: /);
  });

  it('reads the bytes another implementation wrote (the MessagePack spec examples)', () => {
    // fixmap {"compact": true, "schema": 0}, as msgpack.org shows it.
    const spec = Uint8Array.from([
      0x82, 0xa7, 0x63, 0x6f, 0x6d, 0x70, 0x61, 0x63, 0x74, 0xc3, 0xa6, 0x73, 0x63, 0x68, 0x65,
      0x6d, 0x61, 0x00,
    ]);
    expect(decode(spec)).toEqual({ compact: true, schema: 0 });
    // bin8 (a sha256 of a shard), uint32, negative fixint, float64.
    expect(decode(Uint8Array.from([0xc4, 0x02, 0xab, 0xcd]))).toEqual(
      Uint8Array.from([0xab, 0xcd]),
    );
    expect(decode(Uint8Array.from([0xce, 0xee, 0x6b, 0x28, 0x00]))).toBe(4_000_000_000);
    expect(decode(Uint8Array.from([0xfd]))).toBe(-3);
    expect(decode(Uint8Array.from([0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0]))).toBe(1.5);
  });
});
