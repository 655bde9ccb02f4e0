import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';

import type Docker from 'dockerode';
import { extract, pack } from 'tar-stream';

import { CondenseError } from '../../../shared/api/errors';
import type { Engine } from '../docker/engine';
import { engineError } from '../docker/engine';

/** Where the resolver puts its inputs and pip its report, inside the throwaway containers. */
export const WORK_DIR = '/tmp/condense-pip';
const LABEL = 'org.condense.pip-resolver';
const COMPILE_AFTER_INSTALL =
  'mamba create --copy -y -p "$1" --file "$2" && "$1/bin/python" -c "import compileall, os, pip; compileall.compile_dir(os.path.dirname(pip.__file__), quiet=1)"';

export interface RunOptions {
  engine: Engine;
  image: string;
  /** Program and arguments, never through a shell with user text in it. */
  command: string[];
  env?: string[];
  /** Files written into WORK_DIR before the start (name -> content). */
  files: Record<string, string>;
  network: string;
  signal?: AbortSignal;
  deadlineMs: number;
  /** What the deadline error says is slow (`the pip index ...`). */
  what: string;
  /** Keep the stopped container (for a commit); the caller removes it. */
  keep?: boolean;
}

export interface RunResult {
  exitCode: number;
  output: string;
  /** Files of WORK_DIR after the run. */
  outputs: Map<string, string>;
  container: Docker.Container;
}

function tarOf(files: Record<string, string>): Promise<Buffer> {
  const tar = pack();
  tar.entry({ name: 'condense-pip/', type: 'directory', mode: 0o755 });
  for (const [name, content] of Object.entries(files))
    tar.entry({ name: `condense-pip/${name}`, mode: 0o600 }, content);
  tar.finalize();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    tar.on('data', (c: unknown) => chunks.push(c as Buffer));
    tar.on('end', () => resolve(Buffer.concat(chunks)));
    tar.on('error', reject);
  });
}

async function filesFrom(container: Docker.Container): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const stream = await container.getArchive({ path: WORK_DIR }).catch(() => undefined);
  if (!stream) return out;
  const ex = extract();
  await new Promise<void>((resolve, reject) => {
    ex.on('entry', (header, body, next) => {
      const chunks: Buffer[] = [];
      body.on('data', (c: unknown) => chunks.push(c as Buffer));
      body.on('end', () => {
        if (header.type === 'file')
          out.set(header.name.split('/').pop()!, Buffer.concat(chunks).toString('utf8'));
        next();
      });
      body.resume();
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
    stream.pipe(ex);
  });
  return out;
}

/**
 * Runs one command in a new container of `image` and collects its output and WORK_DIR. Cancel and the
 * deadline kill and remove the container; so does any failure.
 */
export async function runContainer(options: RunOptions): Promise<RunResult> {
  const { engine, signal } = options;
  signal?.throwIfAborted();
  let container: Docker.Container;
  try {
    container = await engine.docker.createContainer({
      Image: options.image,
      Entrypoint: [options.command[0]!],
      Cmd: options.command.slice(1),
      Env: options.env ?? [],
      Labels: { [LABEL]: '1' },
      HostConfig: { NetworkMode: options.network },
    });
  } catch (error) {
    throw engineError(error, engine.target);
  }
  const remove = () =>
    container.remove({ force: true }).then(
      () => undefined,
      () => undefined,
    );
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void remove();
  }, options.deadlineMs);
  const onAbort = () => void remove();
  signal?.addEventListener('abort', onAbort, { once: true });
  let kept = false;
  try {
    await container.putArchive(await tarOf(options.files), { path: '/tmp' });
    const attached = await container.attach({ stream: true, stdout: true, stderr: true });
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on('data', (c: Buffer) => chunks.push(c));
    engine.docker.modem.demuxStream(attached, sink, sink);
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    (attached as unknown as { destroy?: () => void }).destroy?.();
    if (signal?.aborted) throw new CondenseError('CANCELLED', 'Cancelled.');
    if (timedOut)
      throw new CondenseError(
        'TIMEOUT',
        `${options.what} did not finish within ${Math.round(options.deadlineMs / 1000)} s; check that the index answers, then lock again`,
      );
    const outputs = await filesFrom(container);
    kept = options.keep === true;
    return {
      exitCode: StatusCode,
      output: Buffer.concat(chunks).toString('utf8'),
      outputs,
      container,
    };
  } catch (error) {
    if (signal?.aborted) throw new CondenseError('CANCELLED', 'Cancelled.');
    if (timedOut)
      throw new CondenseError(
        'TIMEOUT',
        `${options.what} did not finish within ${Math.round(options.deadlineMs / 1000)} s; check that the index answers, then lock again`,
      );
    throw engineError(error, engine.target);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    if (!kept) await remove();
  }
}

/**
 * An image of the builder with the conda lock installed, made once per (builder image, lock) and
 * kept on the engine as `condense-pip-env:<hash>`, so a relock only runs pip.
 */
export async function condaEnvImage(options: {
  engine: Engine;
  builderImage: string;
  prefix: string;
  condaLock: string;
  network: string;
  signal?: AbortSignal;
  progress?: (message: string) => void;
}): Promise<string> {
  const { engine } = options;
  let builderId: string;
  try {
    builderId = ((await engine.docker.getImage(options.builderImage).inspect()) as { Id: string })
      .Id;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404)
      throw new CondenseError(
        'IMAGE_MISSING',
        `the builder image ${options.builderImage} is not on the engine: pip packages are locked inside it (docker pull ${options.builderImage})`,
      );
    throw engineError(error, engine.target);
  }
  // File names and hashes, not URLs: the same packages from another mirror (or port) reuse the image.
  const condaLines = options.condaLock
    .split('\n')
    .filter((l) => /^https?:|^file:/.test(l))
    .map((l) => l.split('/').pop())
    .join('\n');
  const key = createHash('sha256')
    .update(`${builderId}\n${options.prefix}\n${condaLines}`)
    .digest('hex');
  const tag = `condense-pip-env:${key.slice(0, 16)}`;
  const exists = await engine.docker
    .getImage(tag)
    .inspect()
    .then(
      () => true,
      () => false,
    );
  if (exists) return tag;
  options.progress?.('installing the conda environment for pip (once per lock)');
  const run = await runContainer({
    engine,
    image: options.builderImage,
    // pip's bytecode goes into the image too: without it every resolver run compiles pip again
    // (about 6 s here). Prefix and lockfile come as arguments, not inside the script.
    command: ['sh', '-c', COMPILE_AFTER_INSTALL, 'sh', options.prefix, `${WORK_DIR}/conda.lock`],
    files: { 'conda.lock': options.condaLock },
    network: options.network,
    signal: options.signal,
    deadlineMs: 20 * 60_000,
    what: 'installing the conda environment for pip',
    keep: true,
  });
  try {
    if (run.exitCode !== 0)
      throw new CondenseError(
        'EXTERNAL_TOOL_FAILED',
        `installing the conda lock in ${options.builderImage} failed (exit ${run.exitCode}): ${run.output.trim().split('\n').slice(-3).join(' ')}`,
      );
    const [repo, version] = tag.split(':') as [string, string];
    await run.container.commit({ repo, tag: version, changes: [`LABEL ${LABEL}=1`] });
  } finally {
    await run.container.remove({ force: true }).catch(() => undefined);
  }
  return tag;
}
