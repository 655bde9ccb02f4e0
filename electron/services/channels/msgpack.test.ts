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
    expect(() => decode(Uint8Array.from([0xc1]))).toThrow(/unsupported type byte 0xc1/);
    expect(() => decode(Uint8Array.from([0x92, 0x01]))).toThrow(/unexpected end/);
  });
});
