// Docker helpers for tests that use the real engine: connect, check, build (classic or BuildKit), run a
// command in an image, list an image's files, remove images. Builds always use host networking (the
// engines here have no bridge) and never pull (no registry is reachable).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';

import Docker from 'dockerode';
import { extract, pack } from 'tar-stream';

import { dockerHost, type Requirement } from './requirements';

/** The offline base images built by fixtures/images/build.sh. */
export const FIXTURE_BUILDER_IMAGE = 'condense-fixture/miniforge3:offline';
export const FIXTURE_RUNTIME_IMAGE = 'condense-fixture/distroless-base:offline';

/** A dockerode client for DOCKER_HOST: `unix:///path.sock`, a bare socket path, or `tcp://host:port`. */
export function connectDocker(host: string = dockerHost()): Docker {
  if (host.startsWith('unix://')) return new Docker({ socketPath: host.slice('unix://'.length) });
  if (host.startsWith('/')) return new Docker({ socketPath: host });
  if (host.startsWith('tcp://')) {
    const url = new URL(`http://${host.slice('tcp://'.length)}`);
    return new Docker({ host: url.hostname, port: Number(url.port || 2375), protocol: 'http' });
  }
  throw new Error(
    `DOCKER_HOST=${host} is neither unix:///path nor tcp://host:port; set DOCKER_HOST to the engine's address`,
  );
}

/** Whether the engine answers a ping (for `available('Docker', await dockerPingRequirement())`). */
export async function dockerPingRequirement(
  docker: Docker = connectDocker(),
): Promise<Requirement> {
  try {
    await docker.ping();
    return { ok: true, reason: '' };
  } catch (error) {
    return {
      ok: false,
      reason: `no Docker engine answers at ${dockerHost()} (${message(error)}; start one: scripts/ci/dockerd.sh start, then export DOCKER_HOST=unix:///tmp/condense-dockerd/docker.sock)`,
    };
  }
}

/** Whether the engine answers and holds the offline fixture images of fixtures/images/build.sh. */
export async function fixtureImagesRequirement(
  docker: Docker = connectDocker(),
): Promise<Requirement> {
  const engine = await dockerPingRequirement(docker);
  if (!engine.ok) return engine;
  const missing: string[] = [];
  for (const image of [FIXTURE_BUILDER_IMAGE, FIXTURE_RUNTIME_IMAGE]) {
    if (!(await imageExists(docker, image))) missing.push(image);
  }
  return missing.length === 0
    ? { ok: true, reason: '' }
    : { ok: false, reason: `missing ${missing.join(', ')} (run: bash fixtures/images/build.sh)` };
}

export async function imageExists(docker: Docker, ref: string): Promise<boolean> {
  try {
    await docker.getImage(ref).inspect();
    return true;
  } catch {
    return false;
  }
}

export interface BuildImageOptions {
  /** Build context files by relative path (`/`-separated). */
  files: Record<string, string | Buffer>;
  /** The Dockerfile text (sent as `Dockerfile`, so `files` must not hold one). */
  dockerfile: string;
  tag: string;
  /** Stage to build; default the last one. */
  target?: string;
  /** BuildKit (`version: '2'`) or the classic builder. */
  buildkit: boolean;
  buildargs?: Record<string, string>;
  nocache?: boolean;
}

export interface BuiltImage {
  imageId: string;
  /** Progress as text: classic `Step N/M` output, or BuildKit `#n step` lines and decoded step logs. */
  log: string[];
}

/** Builds an image; throws with the last log lines when the stream reports an error. */
export async function buildImage(docker: Docker, options: BuildImageOptions): Promise<BuiltImage> {
  if ('Dockerfile' in options.files)
    throw new Error('pass the Dockerfile as `dockerfile`, not in `files`');
  const context = pack();
  // Fixed mtimes so identical inputs hit the build cache.
  const mtime = new Date(1_700_000_000_000);
  context.entry({ name: 'Dockerfile', mtime }, options.dockerfile);
  for (const [name, content] of Object.entries(options.files)) {
    context.entry({ name, mtime, mode: 0o644 }, content);
  }
  context.finalize();
  // tar-stream packs are streamx streams, which Node consumes as readable streams.
  const stream = await docker.buildImage(context as unknown as NodeJS.ReadableStream, {
    t: options.tag,
    ...(options.target ? { target: options.target } : {}),
    version: options.buildkit ? '2' : '1',
    networkmode: 'host',
    rm: true,
    forcerm: true,
    ...(options.buildargs ? { buildargs: options.buildargs } : {}),
    ...(options.nocache ? { nocache: true } : {}),
  });
  const log: string[] = [];
  const decoder = new BuildkitDecoder(log);
  let imageId = '';
  let failure = '';
  for await (const event of jsonLines(stream)) {
    if (event.id === 'moby.buildkit.trace' && typeof event.aux === 'string') decoder.add(event.aux);
    // `{aux: {ID}}` (classic) or `{id: 'moby.image.id', aux: {ID}}` (BuildKit) names the image.
    else if (event.aux && typeof event.aux === 'object') {
      const id = (event.aux as { ID?: unknown }).ID;
      if (typeof id === 'string') imageId = id;
    }
    if (typeof event.stream === 'string') log.push(...splitLines(event.stream));
    if (event.error || event.errorDetail) {
      failure = String(event.errorDetail?.message ?? event.error);
      log.push(`ERROR: ${failure}`);
    }
  }
  if (failure) {
    throw new Error(
      `docker build of ${options.tag} failed: ${failure}\n--- last log lines ---\n${log.slice(-40).join('\n')}`,
    );
  }
  if (!imageId) imageId = (await docker.getImage(options.tag).inspect()).Id;
  return { imageId, log };
}

interface StreamEvent {
  id?: string;
  aux?: unknown;
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
}

async function* jsonLines(stream: NodeJS.ReadableStream): AsyncGenerator<StreamEvent> {
  let buffer = '';
  for await (const chunk of stream) {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) yield JSON.parse(line) as StreamEvent;
  }
  if (buffer.trim()) yield JSON.parse(buffer) as StreamEvent;
}

// The classic builder colours a step's stderr (ESC[91m ... ESC[0m); the log keeps plain text.
// eslint-disable-next-line no-control-regex
const ANSI_COLOUR = /\u001b\[[0-9;]*m/g;

function splitLines(text: string): string[] {
  return text
    .replace(ANSI_COLOUR, '')
    .split('\n')
    .filter((line) => line.trim() !== '');
}

interface DecodedStatus {
  vertexes?: {
    digest: string;
    name: string;
    started?: unknown;
    completed?: unknown;
    cached?: boolean;
    error?: string;
  }[];
  logs?: { vertex: string; msg: Uint8Array }[];
}

interface ProtoType {
  decode(bytes: Uint8Array): unknown;
  toObject(message: unknown, options: Record<string, unknown>): DecodedStatus;
}

let statusType: ProtoType | undefined;

// dockerode's followProgress leaves BuildKit step logs base64-encoded (5.0.1), so decode the
// StatusResponse protobuf here with dockerode's own schema and protobufjs.
function loadStatusType(): ProtoType {
  if (statusType) return statusType;
  const require = createRequire(import.meta.url);
  const dockerodeMain = require.resolve('dockerode');
  const protobuf = createRequire(dockerodeMain)('protobufjs') as {
    loadSync(path: string): { lookupType(name: string): ProtoType };
  };
  const root = protobuf.loadSync(join(dirname(dockerodeMain), 'proto', 'buildkit_status.proto'));
  statusType = root.lookupType('moby.buildkit.v1.StatusResponse');
  return statusType;
}

/** Turns BuildKit trace messages into plain progress lines: `#n name`, step output, `#n ERROR: ...`. */
class BuildkitDecoder {
  private readonly numbers = new Map<string, number>();
  private readonly announced = new Set<string>();

  constructor(private readonly log: string[]) {}

  add(base64: string): void {
    const type = loadStatusType();
    const status = type.toObject(type.decode(Buffer.from(base64, 'base64')), { longs: String });
    for (const vertex of status.vertexes ?? []) {
      const n = this.number(vertex.digest);
      if (!this.announced.has(vertex.digest) && vertex.name) {
        this.announced.add(vertex.digest);
        this.log.push(`#${n} ${vertex.name}`);
      }
      if (vertex.cached && vertex.completed) this.log.push(`#${n} CACHED`);
      if (vertex.error) this.log.push(`#${n} ERROR: ${vertex.error}`);
    }
    for (const entry of status.logs ?? []) {
      const n = this.number(entry.vertex);
      for (const line of splitLines(Buffer.from(entry.msg).toString('utf8'))) {
        this.log.push(`#${n} ${line}`);
      }
    }
  }

  private number(digest: string): number {
    let n = this.numbers.get(digest);
    if (n === undefined) {
      n = this.numbers.size + 1;
      this.numbers.set(digest, n);
    }
    return n;
  }
}

export interface RunOptions {
  /** Default `none`: tests reach nothing unless they ask for the host network. */
  network?: 'none' | 'host';
  user?: string;
  env?: Record<string, string>;
  /** Replaces the image's entrypoint (e.g. `[]` to run `cmd` directly). */
  entrypoint?: string[];
  /** Kills the container after this long; default 60 s. */
  timeoutMs?: number;
  /** A folder read out of the stopped container before it is removed (e.g. logs a tool wrote). */
  collect?: string;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** With `collect`: its files by path relative to the folder (`trace.12`). */
  collected?: Map<string, Buffer>;
}

/**
 * Runs `cmd` (empty: the image's CMD) in a new container of `image` and removes the container
 * afterwards. A command the runtime cannot start (missing file) gives exit code 127, as in the CLI.
 */
export async function runInImage(
  docker: Docker,
  image: string,
  cmd: string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const container = await docker.createContainer({
    Image: image,
    // An empty cmd keeps the image's CMD.
    ...(cmd.length > 0 ? { Cmd: cmd } : {}),
    ...(options.entrypoint ? { Entrypoint: options.entrypoint } : {}),
    ...(options.user ? { User: options.user } : {}),
    Env: Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`),
    Tty: false,
    AttachStdout: true,
    AttachStderr: true,
    HostConfig: { NetworkMode: options.network ?? 'none' },
  });
  try {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    stdout.on('data', (chunk: Buffer) => out.push(chunk));
    stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const attached = await container.attach({ stream: true, stdout: true, stderr: true });
    const ended = new Promise<void>((resolve) => {
      attached.on('end', resolve);
      attached.on('close', resolve);
    });
    docker.modem.demuxStream(attached, stdout, stderr);
    try {
      await container.start();
    } catch (error) {
      // Like the docker CLI: a command that cannot be started exits 127 (e.g. no shell in the image).
      if (/OCI runtime/.test(message(error)))
        return { exitCode: 127, stdout: '', stderr: message(error) };
      throw error;
    }
    const timer = setTimeout(() => {
      container.kill().catch(() => undefined);
    }, options.timeoutMs ?? 60_000);
    const result = (await container.wait()) as { StatusCode: number };
    clearTimeout(timer);
    // The attach stream ends right after the exit, but on a loaded machine its last bytes can come
    // seconds after wait() answers, and a 2 s cap could cut output off. The cap only guards a stream
    // that never ends.
    let cap: NodeJS.Timeout | undefined;
    await Promise.race([ended, new Promise((resolve) => (cap = setTimeout(resolve, 60_000)))]);
    clearTimeout(cap);
    return {
      exitCode: result.StatusCode,
      stdout: Buffer.concat(out).toString('utf8'),
      stderr: Buffer.concat(err).toString('utf8'),
      ...(options.collect ? { collected: await readFolder(container, options.collect) } : {}),
    };
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

/** The regular files under `path` in a container, by path relative to it. */
async function readFolder(container: Docker.Container, path: string): Promise<Map<string, Buffer>> {
  const archive = await container.getArchive({ path });
  const files = new Map<string, Buffer>();
  const reader = extract();
  const done = new Promise<void>((resolve, reject) => {
    reader.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
      stream.on('end', () => {
        // Entries are named `<folder name>/<path>`.
        const name = header.name.split('/').slice(1).join('/');
        if (header.type === 'file' && name) files.set(name, Buffer.concat(chunks));
        next();
      });
    });
    reader.on('finish', resolve);
    reader.on('error', reject);
  });
  archive.pipe(reader);
  await done;
  return files;
}

export interface ImageFile {
  /** Path without a leading `/`, e.g. `env/bin/python`. */
  path: string;
  /** Bytes (0 for directories and links). */
  size: number;
  type: 'file' | 'directory' | 'symlink' | 'link' | 'other';
  mode: number;
  /** Target of a symlink or hard link. */
  linkname?: string;
}

// Paths the engine adds to every container (its init layer), not part of the image.
const ENGINE_PATHS =
  /^(\.dockerenv|etc\/(hosts|hostname|resolv\.conf|mtab)|(dev|proc|sys)(\/.*)?)$/;

/** Every path of an image with its size, from the exported filesystem of a created container. */
export async function listImageFiles(docker: Docker, image: string): Promise<ImageFile[]> {
  // Cmd is required to create a container from an image without one; it never runs.
  const container = await docker.createContainer({ Image: image, Cmd: ['/nonexistent'] });
  try {
    const archive = await container.export();
    const files: ImageFile[] = [];
    const reader = extract();
    const done = new Promise<void>((resolve, reject) => {
      reader.on('entry', (header, stream, next) => {
        const path = header.name.replace(/^\.?\//, '').replace(/\/$/, '');
        if (path && !ENGINE_PATHS.test(path)) {
          const type =
            header.type === 'file' || header.type === 'contiguous-file'
              ? 'file'
              : header.type === 'directory' || header.type === 'symlink' || header.type === 'link'
                ? header.type
                : 'other';
          files.push({
            path,
            size: type === 'file' ? (header.size ?? 0) : 0,
            type,
            mode: header.mode ?? 0,
            ...(header.linkname ? { linkname: header.linkname } : {}),
          });
        }
        stream.on('end', next);
        stream.resume();
      });
      reader.on('finish', resolve);
      reader.on('error', reject);
    });
    archive.pipe(reader);
    await done;
    return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

/** Removes images by tag or id (forced); missing ones are ignored. */
export async function removeImages(docker: Docker, refs: string[]): Promise<void> {
  for (const ref of refs) {
    try {
      await docker.getImage(ref).remove({ force: true });
    } catch (error) {
      const { statusCode, code } = error as { statusCode?: number; code?: string };
      if (statusCode === 404) continue;
      // No engine at all (a laptop without Docker, where these tests skipped): nothing was built.
      if (code === 'ENOENT' || code === 'ECONNREFUSED') return;
      throw error;
    }
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Non-directory entries under `/<prefix>` (default the `/env` environment), keyed by path inside it. */
export function prefixFiles(files: ImageFile[], prefix = 'env'): Map<string, ImageFile> {
  const root = `${prefix}/`;
  return new Map(
    files
      .filter((f) => f.path.startsWith(root) && f.type !== 'directory')
      .map((f) => [f.path.slice(root.length), f]),
  );
}

/** Bytes of the files in such a map. */
export function totalSize(files: Map<string, ImageFile>): number {
  let total = 0;
  for (const f of files.values()) total += f.size;
  return total;
}
