import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, isAbsolute, join, normalize } from 'node:path';

import { CondenseError } from '../../../shared/api/errors';
import type { ProjectCreateRequest, ProjectInfo } from '../../../shared/api/project';
import { writeFileExclusive } from '../fs/atomic-write';
import { freeExampleDir, writeExample } from './example-project';
import { projectFolder } from './project-folder';
import type { RecentProjects } from './recent-projects';
import { ENVIRONMENT_FILE, environmentSkeleton, RECIPE_FILE, recipeSkeleton } from './skeletons';

const ENV_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
const PYTHON_VERSION = /^3(\.\d{1,2}){0,2}(\.\*)?$/;
// A channel name (`conda-forge`, `my-org/label/dev`) or an http(s)/file URL, no spaces.
const CHANNEL = /^(?:[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*|(?:https?|file):\/\/\S+)$/;

function invalid(message: string, field: string): CondenseError {
  return new CondenseError('INVALID_INPUT', message, { field });
}

/** Turns the folder the user typed or picked into a normalised absolute path (`~/` allowed). */
export function resolveProjectDir(input: unknown, home: string = homedir()): string {
  if (typeof input !== 'string' || input.trim() === '') {
    throw invalid('Give the project folder, e.g. /home/you/projects/churn-model.', 'dir');
  }
  const raw = input.trim();
  if (raw.includes('\0') || raw.length > 4096)
    throw invalid('That folder path is not valid.', 'dir');
  const expanded = raw === '~' ? home : raw.startsWith('~/') ? join(home, raw.slice(2)) : raw;
  if (!isAbsolute(expanded)) {
    throw invalid(
      `"${raw}" is a relative path; give the full folder path, e.g. ${join(home, raw)}.`,
      'dir',
    );
  }
  const dir = normalize(expanded);
  return dir.length > 1 && /[\\/]$/.test(dir) ? dir.slice(0, -1) : dir;
}

/** A conda environment name from a folder name: invalid characters become dashes. */
export function defaultEnvName(dir: string): string {
  const cleaned = basename(dir)
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^[-.]+/, '')
    .slice(0, 64);
  return cleaned || 'condense-env';
}

function fsError(error: unknown, dir: string): CondenseError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new CondenseError(
      'PERMISSION_DENIED',
      `Condense may not write in ${dir}; choose a folder you own.`,
      { dir },
    );
  }
  if (code === 'ENOSPC') return new CondenseError('DISK_FULL', `The disk holding ${dir} is full.`);
  if (code === 'ENOTDIR' || code === 'EEXIST') {
    return invalid(`${dir} (or a folder above it) is a file, not a folder.`, 'dir');
  }
  return new CondenseError('INTERNAL', `Could not prepare ${dir}: ${(error as Error).message}`);
}

/** Creates and opens project folders; every success is recorded in the recent list. */
export class ProjectService {
  constructor(
    private readonly recent: RecentProjects,
    private readonly home: string = homedir(),
  ) {}

  async create(request: ProjectCreateRequest): Promise<ProjectInfo> {
    if (typeof request !== 'object' || request === null) throw invalid('Missing request.', 'dir');
    const dir = resolveProjectDir(request.dir, this.home);
    const name = request.name ?? defaultEnvName(dir);
    if (typeof name !== 'string' || !ENV_NAME.test(name)) {
      throw invalid(
        'An environment name uses letters, digits, "_", "." and "-" only (no spaces), at most 64.',
        'name',
      );
    }
    const channels = request.channels ?? ['conda-forge'];
    if (
      !Array.isArray(channels) ||
      channels.length === 0 ||
      channels.length > 20 ||
      !channels.every((c) => typeof c === 'string' && CHANNEL.test(c))
    ) {
      throw invalid(
        'Channels are names like conda-forge or URLs like https://host/channel, one to twenty of them.',
        'channels',
      );
    }
    const python = request.python ?? '3.11';
    if (typeof python !== 'string' || !PYTHON_VERSION.test(python)) {
      throw invalid('Give the Python version as 3.11 or 3.12.4.', 'python');
    }
    try {
      await mkdir(dir, { recursive: true });
    } catch (error) {
      throw fsError(error, dir);
    }
    const created: string[] = [];
    try {
      const envText = environmentSkeleton({ name, channels, python });
      if (!(await writeFileExclusive(join(dir, ENVIRONMENT_FILE), envText))) {
        throw new CondenseError(
          'ALREADY_EXISTS',
          `${dir} already holds an environment.yml; open it as a project instead of creating one.`,
          { dir },
        );
      }
      created.push(ENVIRONMENT_FILE);
      if (await writeFileExclusive(join(dir, RECIPE_FILE), recipeSkeleton())) {
        created.push(RECIPE_FILE);
      }
    } catch (error) {
      if (error instanceof CondenseError) throw error;
      throw fsError(error, dir);
    }
    return this.opened(dir, created);
  }

  async open(request: { dir: string }): Promise<ProjectInfo> {
    if (typeof request !== 'object' || request === null) throw invalid('Missing request.', 'dir');
    const dir = resolveProjectDir(request.dir, this.home);
    await projectFolder(dir, { field: 'dir' });
    const created: string[] = [];
    try {
      if (await writeFileExclusive(join(dir, RECIPE_FILE), recipeSkeleton())) {
        created.push(RECIPE_FILE);
      }
    } catch (error) {
      throw fsError(error, dir);
    }
    return this.opened(dir, created);
  }

  /**
   * Creates the example project in `dir`, or in a free folder under the home folder, and opens it.
   * `source` (a folder) replaces the built-in template.
   */
  async createExample(request: { dir?: string }, source?: string): Promise<ProjectInfo> {
    if (request?.dir !== undefined && typeof request.dir !== 'string') {
      throw invalid('Give the example folder as a path, or nothing for the default.', 'dir');
    }
    const dir = request?.dir
      ? resolveProjectDir(request.dir, this.home)
      : await freeExampleDir(this.home);
    let created: string[];
    try {
      created = await writeExample(dir, source);
    } catch (error) {
      if (error instanceof CondenseError) throw error;
      throw fsError(error, dir);
    }
    return this.opened(dir, created);
  }

  private async opened(dir: string, created: string[]): Promise<ProjectInfo> {
    const name = basename(dir) || dir;
    await this.recent.touch(dir, name);
    return { dir, name, created };
  }
}
