import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';

import * as grpc from '@grpc/grpc-js';

import type { Engine } from './engine';

/**
 * A BuildKit session that serves secrets (`RUN --mount=type=secret,id=...`), which dockerode's own
 * session does not: it answers only registry auth. The engine calls back over the hijacked
 * `/session` connection (gRPC over h2c); secrets never travel in the build request or the context.
 */
export interface BuildSession {
  id: string;
  close(): void;
}

const SECRETS_METHOD = '/moby.buildkit.secrets.v1.Secrets/GetSecret';
const AUTH_METHOD = '/moby.filesync.v1.Auth/Credentials';
// The engine checks the session's health every second and drops a session that does not answer.
const HEALTH_METHOD = '/grpc.health.v1.Health/Check';
/** HealthCheckResponse { status: SERVING } */
const SERVING = Buffer.from([0x08, 0x01]);

function readVarint(buf: Buffer, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  let i = at;
  for (;;) {
    const byte = buf[i++]!;
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [value, i];
    shift += 7;
  }
}

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Buffer.from(out);
}

/** GetSecretRequest { string ID = 1; map<string,string> annotations = 2; }: the ID. */
export function secretIdOf(message: Buffer): string {
  let at = 0;
  while (at < message.length) {
    const [tag, next] = readVarint(message, at);
    at = next;
    const wire = tag & 7;
    if (wire === 2) {
      const [length, start] = readVarint(message, at);
      if (tag >>> 3 === 1) return message.subarray(start, start + length).toString('utf8');
      at = start + length;
    } else if (wire === 0) at = readVarint(message, at)[1];
    else break;
  }
  return '';
}

/** GetSecretResponse { bytes data = 1; } */
export function secretResponse(data: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x0a]), varint(data.length), data]);
}

const identity = (b: Buffer) => b;

/** Opens a session serving `secrets` (id -> bytes); pass `id` as the build's `session` option. */
export function openBuildSession(
  engine: Engine,
  secrets: Record<string, Buffer>,
): Promise<BuildSession> {
  const id = randomUUID();
  return new Promise((resolve, reject) => {
    engine.docker.modem.dial(
      {
        method: 'POST',
        path: '/session',
        hijack: true,
        headers: {
          Upgrade: 'h2c',
          'X-Docker-Expose-Session-Uuid': id,
          'X-Docker-Expose-Session-Name': 'condense',
          'X-Docker-Expose-Session-Sharedkey': id,
          'X-Docker-Expose-Session-Grpc-Method': [SECRETS_METHOD, AUTH_METHOD, HEALTH_METHOD],
        },
        statusCodes: { 101: true, 200: true, 500: 'server error' },
      },
      (error: unknown, socket: unknown) => {
        if (error) {
          reject(error instanceof Error ? error : new Error('cannot open a build session'));
          return;
        }
        const server = new grpc.Server();
        server.addService(
          {
            GetSecret: {
              path: SECRETS_METHOD,
              requestStream: false,
              responseStream: false,
              requestSerialize: identity,
              requestDeserialize: identity,
              responseSerialize: identity,
              responseDeserialize: identity,
            },
          },
          {
            GetSecret: (
              call: grpc.ServerUnaryCall<Buffer, Buffer>,
              callback: grpc.sendUnaryData<Buffer>,
            ) => {
              const secret = secrets[secretIdOf(call.request)];
              if (secret) callback(null, secretResponse(secret));
              else callback({ code: grpc.status.NOT_FOUND, details: 'secret not found' });
            },
          },
        );
        // Anonymous registry access, as dockerode's session gives without credentials.
        server.addService(
          {
            Credentials: {
              path: AUTH_METHOD,
              requestStream: false,
              responseStream: false,
              requestSerialize: identity,
              requestDeserialize: identity,
              responseSerialize: identity,
              responseDeserialize: identity,
            },
          },
          {
            Credentials: (_call: unknown, callback: grpc.sendUnaryData<Buffer>) =>
              callback(null, Buffer.alloc(0)),
          },
        );
        server.addService(
          {
            Check: {
              path: HEALTH_METHOD,
              requestStream: false,
              responseStream: false,
              requestSerialize: identity,
              requestDeserialize: identity,
              responseSerialize: identity,
              responseDeserialize: identity,
            },
          },
          {
            Check: (_call: unknown, callback: grpc.sendUnaryData<Buffer>) =>
              callback(null, SERVING),
          },
        );
        const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
        injector.injectConnection(socket as Socket);
        resolve({
          id,
          close: () => {
            server.forceShutdown();
            (socket as Socket).end();
          },
        });
      },
    );
  });
}
