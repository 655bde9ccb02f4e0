import { ProtoReader, readTimestamp } from './protobuf';

/**
 * BuildKit's `moby.buildkit.v1.StatusResponse` (control.proto), the fields Condense uses. The engine sends
 * one per `{id: 'moby.buildkit.trace', aux: <base64>}` line of the /build stream.
 */
export interface VertexUpdate {
  digest: string;
  inputs: string[];
  name: string;
  cached: boolean;
  /** Milliseconds since the epoch. */
  started?: number;
  completed?: number;
  error?: string;
}

export interface VertexLogChunk {
  vertex: string;
  time: number;
  /** 1 stdout, 2 stderr. */
  stream: number;
  data: Uint8Array;
}

export interface StatusResponse {
  vertexes: VertexUpdate[];
  logs: VertexLogChunk[];
}

/** Decodes the protobuf bytes of one StatusResponse; statuses and warnings are skipped. */
export function decodeStatusResponse(bytes: Uint8Array): StatusResponse {
  const reader = new ProtoReader(bytes);
  const out: StatusResponse = { vertexes: [], logs: [] };
  while (!reader.done()) {
    const { field, wire } = reader.key();
    if (field === 1 && wire === 2) out.vertexes.push(decodeVertex(reader.sub()));
    else if (field === 3 && wire === 2) out.logs.push(decodeLog(reader.sub()));
    else reader.skip(wire);
  }
  return out;
}

function decodeVertex(reader: ProtoReader): VertexUpdate {
  const vertex: VertexUpdate = { digest: '', inputs: [], name: '', cached: false };
  while (!reader.done()) {
    const { field, wire } = reader.key();
    if (wire === 2 && field === 1) vertex.digest = reader.string();
    else if (wire === 2 && field === 2) vertex.inputs.push(reader.string());
    else if (wire === 2 && field === 3) vertex.name = reader.string();
    else if (wire === 0 && field === 4) vertex.cached = reader.varint() !== 0;
    else if (wire === 2 && field === 5) vertex.started = readTimestamp(reader.sub());
    else if (wire === 2 && field === 6) vertex.completed = readTimestamp(reader.sub());
    else if (wire === 2 && field === 7) vertex.error = reader.string();
    else reader.skip(wire);
  }
  return vertex;
}

function decodeLog(reader: ProtoReader): VertexLogChunk {
  const log: VertexLogChunk = { vertex: '', time: 0, stream: 1, data: new Uint8Array(0) };
  while (!reader.done()) {
    const { field, wire } = reader.key();
    if (wire === 2 && field === 1) log.vertex = reader.string();
    else if (wire === 2 && field === 2) log.time = readTimestamp(reader.sub());
    else if (wire === 0 && field === 3) log.stream = reader.varint();
    else if (wire === 2 && field === 4) log.data = reader.bytesField();
    else reader.skip(wire);
  }
  return log;
}

/** Writes protobuf bytes; used by tests and the streaming benchmark to make realistic trace messages. */
export function encodeStatusResponse(status: {
  vertexes?: Partial<VertexUpdate>[];
  logs?: { vertex: string; time: number; stream?: number; text: string }[];
}): Uint8Array {
  const out: number[] = [];
  const varint = (buffer: number[], value: number) => {
    let v = value;
    while (v >= 0x80) {
      buffer.push((v % 128) | 0x80);
      v = Math.floor(v / 128);
    }
    buffer.push(v);
  };
  const bytesField = (buffer: number[], field: number, data: ArrayLike<number>) => {
    varint(buffer, field * 8 + 2);
    varint(buffer, data.length);
    for (let i = 0; i < data.length; i++) buffer.push(data[i]!);
  };
  const text = (buffer: number[], field: number, value: string) =>
    bytesField(buffer, field, new TextEncoder().encode(value));
  const timestamp = (buffer: number[], field: number, ms: number) => {
    const inner: number[] = [];
    varint(inner, 8);
    varint(inner, Math.floor(ms / 1000));
    varint(inner, 16);
    varint(inner, (ms % 1000) * 1e6);
    bytesField(buffer, field, inner);
  };
  for (const vertex of status.vertexes ?? []) {
    const inner: number[] = [];
    text(inner, 1, vertex.digest ?? '');
    for (const input of vertex.inputs ?? []) text(inner, 2, input);
    text(inner, 3, vertex.name ?? '');
    if (vertex.cached) inner.push(4 * 8, 1);
    if (vertex.started !== undefined) timestamp(inner, 5, vertex.started);
    if (vertex.completed !== undefined) timestamp(inner, 6, vertex.completed);
    if (vertex.error) text(inner, 7, vertex.error);
    bytesField(out, 1, inner);
  }
  for (const log of status.logs ?? []) {
    const inner: number[] = [];
    text(inner, 1, log.vertex);
    timestamp(inner, 2, log.time);
    inner.push(3 * 8);
    varint(inner, log.stream ?? 1);
    text(inner, 4, log.text);
    bytesField(out, 3, inner);
  }
  return Uint8Array.from(out);
}
