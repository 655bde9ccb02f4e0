import { decode as decodeMsgpack, encode as encodeMsgpack } from '@msgpack/msgpack';

/**
 * MessagePack for sharded repodata (CEP 16), through @msgpack/msgpack. `encode` serves the tests and
 * the benchmark, which write sharded channels.
 */
export type MsgValue =
  null | boolean | number | string | Uint8Array | MsgValue[] | { [key: string]: MsgValue };

export function decode(data: Uint8Array): MsgValue {
  try {
    // int64 values beyond 2^53 would lose precision silently as numbers: refuse them instead.
    // A plain view, so binary values come out as Uint8Array even when `data` is a Buffer.
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    return decodeMsgpack(bytes, { useBigInt64: false }) as MsgValue;
  } catch (error) {
    throw new Error(`MessagePack: ${(error as Error).message}`, { cause: error });
  }
}

export function encode(value: MsgValue): Buffer {
  const bytes = encodeMsgpack(value);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
