/**
 * A minimal protobuf wire-format reader: enough to decode BuildKit's StatusResponse without protobufjs
 * (which loads .proto files from disk, so it cannot live in pure `shared/`). Unknown fields are skipped.
 */
export class ProtoReader {
  private pos: number;

  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
    private readonly end = bytes.length,
  ) {
    this.pos = start;
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  /** Reads a field key: its number and wire type. */
  key(): { field: number; wire: number } {
    const key = this.varint();
    return { field: Math.floor(key / 8), wire: key & 7 };
  }

  /** Varints up to 2^53 (timestamps and sizes fit; larger values lose precision). */
  varint(): number {
    let result = 0;
    let factor = 1;
    for (;;) {
      if (this.pos >= this.end) throw new Error('protobuf: truncated varint');
      const byte = this.bytes[this.pos++]!;
      result += (byte & 0x7f) * factor;
      if (byte < 0x80) return result;
      factor *= 128;
      if (factor > 2 ** 63) throw new Error('protobuf: varint too long');
    }
  }

  /** A length-delimited field as a sub-range of the same buffer (no copy). */
  sub(): ProtoReader {
    const length = this.varint();
    const start = this.pos;
    this.pos += length;
    if (this.pos > this.end) throw new Error('protobuf: truncated field');
    return new ProtoReader(this.bytes, start, this.pos);
  }

  bytesField(): Uint8Array {
    const length = this.varint();
    const start = this.pos;
    this.pos += length;
    if (this.pos > this.end) throw new Error('protobuf: truncated field');
    return this.bytes.subarray(start, this.pos);
  }

  string(): string {
    return utf8.decode(this.bytesField());
  }

  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) {
      // Read the length first: `this.pos += this.varint()` would add to the position before the read.
      const length = this.varint();
      this.pos += length;
    } else if (wire === 5) this.pos += 4;
    else throw new Error(`protobuf: unsupported wire type ${wire}`);
  }
}

const utf8 = new TextDecoder('utf-8');

/** google.protobuf.Timestamp as milliseconds since the epoch. */
export function readTimestamp(reader: ProtoReader): number {
  let seconds = 0;
  let nanos = 0;
  while (!reader.done()) {
    const { field, wire } = reader.key();
    if (field === 1 && wire === 0) seconds = reader.varint();
    else if (field === 2 && wire === 0) nanos = reader.varint();
    else reader.skip(wire);
  }
  return seconds * 1000 + Math.floor(nanos / 1e6);
}
