/**
 * The MessagePack subset sharded repodata (CEP 16) uses: maps, arrays, strings, binary, integers,
 * floats, booleans and nil. Written here because no msgpack package is installed; `encode` serves the
 * tests and the benchmark, which write sharded channels.
 */
export type MsgValue =
  null | boolean | number | string | Uint8Array | MsgValue[] | { [key: string]: MsgValue };

export function decode(data: Uint8Array): MsgValue {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const text = new TextDecoder();
  let at = 0;
  const bytes = (n: number) => {
    const out = data.subarray(at, at + n);
    at += n;
    return out;
  };
  // Binary values are copied into plain Uint8Arrays (not views of a Buffer), whatever came in.
  const binary = (n: number) => new Uint8Array(bytes(n));
  const map = (n: number) => {
    const out: { [key: string]: MsgValue } = {};
    for (let i = 0; i < n; i++) {
      const key = read();
      out[typeof key === 'string' ? key : JSON.stringify(key)] = read();
    }
    return out;
  };
  const array = (n: number) => Array.from({ length: n }, () => read());
  function read(): MsgValue {
    if (at >= data.length) throw new Error('msgpack: unexpected end of data');
    const b = data[at++]!;
    if (b <= 0x7f) return b;
    if (b >= 0xe0) return b - 0x100;
    if ((b & 0xf0) === 0x80) return map(b & 0x0f);
    if ((b & 0xf0) === 0x90) return array(b & 0x0f);
    if ((b & 0xe0) === 0xa0) return text.decode(bytes(b & 0x1f));
    let value: number;
    switch (b) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
        return binary(data[at++]!);
      case 0xc5:
        value = view.getUint16(at);
        at += 2;
        return binary(value);
      case 0xc6:
        value = view.getUint32(at);
        at += 4;
        return binary(value);
      case 0xca:
        value = view.getFloat32(at);
        at += 4;
        return value;
      case 0xcb:
        value = view.getFloat64(at);
        at += 8;
        return value;
      case 0xcc:
        return data[at++]!;
      case 0xcd:
        value = view.getUint16(at);
        at += 2;
        return value;
      case 0xce:
        value = view.getUint32(at);
        at += 4;
        return value;
      case 0xcf:
        value = Number(view.getBigUint64(at));
        at += 8;
        return value;
      case 0xd0:
        value = view.getInt8(at);
        at += 1;
        return value;
      case 0xd1:
        value = view.getInt16(at);
        at += 2;
        return value;
      case 0xd2:
        value = view.getInt32(at);
        at += 4;
        return value;
      case 0xd3:
        value = Number(view.getBigInt64(at));
        at += 8;
        return value;
      case 0xd9:
        return text.decode(bytes(data[at++]!));
      case 0xda:
        value = view.getUint16(at);
        at += 2;
        return text.decode(bytes(value));
      case 0xdb:
        value = view.getUint32(at);
        at += 4;
        return text.decode(bytes(value));
      case 0xdc:
        value = view.getUint16(at);
        at += 2;
        return array(value);
      case 0xdd:
        value = view.getUint32(at);
        at += 4;
        return array(value);
      case 0xde:
        value = view.getUint16(at);
        at += 2;
        return map(value);
      case 0xdf:
        value = view.getUint32(at);
        at += 4;
        return map(value);
      default:
        throw new Error(`msgpack: unsupported type byte 0x${b.toString(16)}`);
    }
  }
  return read();
}

export function encode(value: MsgValue): Buffer {
  const parts: Buffer[] = [];
  const head = (small: number, b8: number, n: number, limitSmall: number) => {
    if (n < limitSmall) parts.push(Buffer.from([small | n]));
    else if (n < 0x10000) {
      const b = Buffer.alloc(3);
      b[0] = b8 + 1;
      b.writeUInt16BE(n, 1);
      parts.push(b);
    } else {
      const b = Buffer.alloc(5);
      b[0] = b8 + 2;
      b.writeUInt32BE(n, 1);
      parts.push(b);
    }
  };
  const write = (v: MsgValue): void => {
    if (v === null) parts.push(Buffer.from([0xc0]));
    else if (typeof v === 'boolean') parts.push(Buffer.from([v ? 0xc3 : 0xc2]));
    else if (typeof v === 'number') {
      if (Number.isInteger(v) && v >= 0 && v < 0x100000000) {
        if (v < 0x80) parts.push(Buffer.from([v]));
        else {
          const b = Buffer.alloc(5);
          b[0] = 0xce;
          b.writeUInt32BE(v, 1);
          parts.push(b);
        }
      } else {
        const b = Buffer.alloc(9);
        b[0] = 0xcb;
        b.writeDoubleBE(v, 1);
        parts.push(b);
      }
    } else if (typeof v === 'string') {
      const s = Buffer.from(v);
      // str8 (0xd9) for 32..255 bytes, else str16/str32.
      if (s.length < 32) parts.push(Buffer.from([0xa0 | s.length]));
      else if (s.length < 0x100) parts.push(Buffer.from([0xd9, s.length]));
      else head(0, 0xd9, s.length, 0);
      parts.push(s);
    } else if (v instanceof Uint8Array) {
      if (v.length < 0x100) parts.push(Buffer.from([0xc4, v.length]));
      else head(0, 0xc4, v.length, 0);
      parts.push(Buffer.from(v));
    } else if (Array.isArray(v)) {
      head(0x90, 0xdb, v.length, 16);
      v.forEach(write);
    } else {
      const entries = Object.entries(v);
      head(0x80, 0xdd, entries.length, 16);
      for (const [k, item] of entries) {
        write(k);
        write(item);
      }
    }
  };
  write(value);
  return Buffer.concat(parts);
}
