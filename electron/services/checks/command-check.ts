import type { IncomingMessage } from 'node:http';

import type Docker from 'dockerode';
import { extract } from 'tar-stream';

import type { CommandCheckResult } from '../../../shared/checks/model';
import type { Engine } from '../docker/engine';
import { engineError } from '../docker/engine';
import { withCheckContainer } from './check-container';

/** What the engine's archive endpoint says about a path (`X-Docker-Container-Path-Stat`). */
interface PathStat {
  mode: number;
  size: number;
  /** The fully resolved target when the path is a symlink, else ''. */
  linkTarget: string;
}

// Go's os.FileMode bits, as the engine sends them.
const MODE_DIR = 2 ** 31;
const MODE_SYMLINK = 2 ** 27;
const HEAD_BYTES = 256;

const isDir = (stat: PathStat) => Math.floor(stat.mode / MODE_DIR) % 2 === 1;
const isLink = (stat: PathStat) => Math.floor(stat.mode / MODE_SYMLINK) % 2 === 1;
const isExecutable = (stat: PathStat) => (stat.mode & 0o111) !== 0;

/** The path's stat and first bytes, read from the container's filesystem (it never runs). */
async function readPath(
  container: Docker.Container,
  path: string,
): Promise<{ stat: PathStat; head?: Buffer } | undefined> {
  let response: IncomingMessage;
  try {
    response = (await container.getArchive({ path })) as unknown as IncomingMessage;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
  const header = response.headers['x-docker-container-path-stat'];
  const stat = JSON.parse(
    Buffer.from(String(header ?? ''), 'base64').toString('utf8') || '{}',
  ) as PathStat;
  if (isDir(stat) || isLink(stat)) {
    response.destroy();
    return { stat };
  }
  const head = await new Promise<Buffer>((resolve, reject) => {
    const reader = extract();
    let done = false;
    reader.on('entry', (_header, stream, next) => {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (data: unknown) => {
        const chunk = data as Buffer;
        if (done) return;
        chunks.push(chunk);
        size += chunk.length;
        if (size >= HEAD_BYTES) {
          done = true;
          resolve(Buffer.concat(chunks).subarray(0, HEAD_BYTES));
          response.destroy();
        }
      });
      stream.on('end', () => {
        if (!done) {
          done = true;
          resolve(Buffer.concat(chunks));
        }
        next();
      });
    });
    reader.on('finish', () => (done ? undefined : resolve(Buffer.alloc(0))));
    reader.on('error', (error) => (done ? undefined : reject(error)));
    response.on('error', (error) => (done ? undefined : reject(error)));
    response.pipe(reader);
  });
  return { stat, head };
}

/** Follows a symlink to the file it leads to (the engine resolves the whole chain). */
async function resolveFile(container: Docker.Container, path: string) {
  const first = await readPath(container, path);
  if (!first) return undefined;
  if (!isLink(first.stat)) return { path, ...first };
  const target = first.stat.linkTarget;
  const second = target ? await readPath(container, target) : undefined;
  return second ? { path: target, ...second } : { path, dangling: true as const, ...first };
}

/** `#!/env/bin/python3.11 -u` gives `['/env/bin/python3.11', '-u']`. */
export function shebang(head: Buffer | undefined): string[] | undefined {
  if (!head || head[0] !== 0x23 || head[1] !== 0x21) return undefined;
  const end = head.indexOf(0x0a);
  const line = head.subarray(2, end < 0 ? head.length : end).toString('utf8');
  const words = line.trim().split(/\s+/).filter(Boolean);
  return words.length > 0 ? words : undefined;
}

/** Where the image would find `program`: itself when it holds a `/`, else each PATH folder. */
function candidates(program: string, env: string[], workdir: string): string[] {
  if (program.startsWith('/')) return [program];
  if (program.includes('/')) return [`${workdir.replace(/\/+$/, '')}/${program}`];
  const path = env.find((e) => e.startsWith('PATH='))?.slice(5) ?? '/usr/local/bin:/usr/bin:/bin';
  return path
    .split(':')
    .filter(Boolean)
    .map((dir) => `${dir.replace(/\/+$/, '')}/${program}`);
}

async function findProgram(
  container: Docker.Container,
  program: string,
  env: string[],
  workdir: string,
) {
  for (const path of candidates(program, env, workdir)) {
    const found = await resolveFile(container, path);
    if (found && !isDir(found.stat)) return found;
  }
  return undefined;
}

function fixHint(program: string): string {
  const name = program.split('/').pop() ?? program;
  return `add the package that provides ${name} to environment.yml and lock again, or change the entrypoint`;
}

/**
 * Checks the image's CMD (after its ENTRYPOINT) without running it: the program exists in the image's
 * own filesystem, is executable, and a script's shebang interpreter is there too. Read through a
 * created, never started container (the runtime image is distroless: nothing to exec into).
 * Undefined when the image has no command.
 */
export async function checkImageCommand(
  engine: Engine,
  imageId: string,
  signal?: AbortSignal,
): Promise<CommandCheckResult | undefined> {
  try {
    const info = await engine.docker.getImage(imageId).inspect();
    const config = info.Config ?? {};
    const argv = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
    const program = argv[0];
    if (!program) return undefined;
    const env = config.Env ?? [];
    const workdir = config.WorkingDir || '/';
    return await withCheckContainer(
      engine,
      'command',
      { Image: imageId, HostConfig: { NetworkMode: 'none' } },
      signal,
      async (container) => {
        const fail = (message: string, extra: Partial<CommandCheckResult> = {}) => ({
          passed: false,
          program,
          ...extra,
          message,
        });
        const found = await findProgram(container, program, env, workdir);
        if (!found) {
          const where = program.includes('/') ? '' : ` (searched PATH)`;
          return fail(
            `The image's command ${program} is not in the image${where}: ${fixHint(program)}.`,
          );
        }
        if ('dangling' in found)
          return fail(
            `The image's command ${program} is a symlink to a missing file: ${fixHint(program)}.`,
          );
        if (!isExecutable(found.stat))
          return fail(
            `The image's command ${found.path} is not executable (mode ${(found.stat.mode & 0o777).toString(8)}).`,
          );
        const words = shebang(found.head);
        if (!words) {
          return {
            passed: true,
            program: found.path,
            message: `${found.path} is an executable file.`,
          };
        }
        const interpreter = words[0]!;
        const script = await findProgram(container, interpreter, env, workdir);
        if (!script || 'dangling' in script || !isExecutable(script.stat))
          return fail(
            `The image's command ${found.path} is a script for ${interpreter}, which is ${script ? 'not executable' : 'not in the image'}: ${fixHint(interpreter)}.`,
            { interpreter },
          );
        // `#!/usr/bin/env python3`: env runs the next word from PATH.
        if (interpreter.endsWith('/env') && words[1] && !words[1].startsWith('-')) {
          const via = await findProgram(container, words[1], env, workdir);
          if (!via)
            return fail(
              `The image's command ${found.path} runs ${words[1]} through env, and ${words[1]} is not on the image's PATH: ${fixHint(words[1])}.`,
              { interpreter: words[1] },
            );
        }
        return {
          passed: true,
          program: found.path,
          interpreter,
          message: `${found.path} is a script for ${interpreter}, which is in the image.`,
        };
      },
    );
  } catch (error) {
    if (signal?.aborted) throw error;
    throw engineError(error, engine.target);
  }
}
