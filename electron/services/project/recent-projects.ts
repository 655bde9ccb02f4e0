import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

import type { RecentProject } from '../../../shared/api/project';
import { writeFileAtomic } from '../fs/atomic-write';
import { ENVIRONMENT_FILE } from './skeletons';

export const RECENT_FILE = 'recent-projects.json';
export const RECENT_LIMIT = 12;

interface StoredEntry {
  dir: string;
  name: string;
  openedAt: string;
}

function isStoredEntry(value: unknown): value is StoredEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return (
    typeof entry.dir === 'string' &&
    typeof entry.name === 'string' &&
    typeof entry.openedAt === 'string'
  );
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The recent-projects list in `<configDir>/recent-projects.json`. Writes are serialised in this process
 * and atomic on disk; a damaged file is treated as an empty list rather than blocking the app.
 */
export class RecentProjects {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly configDir: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  get file(): string {
    return join(this.configDir, RECENT_FILE);
  }

  async list(): Promise<RecentProject[]> {
    const entries = await this.read();
    return Promise.all(
      entries.map(async (e) => ({ ...e, missing: !(await exists(join(e.dir, ENVIRONMENT_FILE))) })),
    );
  }

  /** Moves (or adds) a project to the top of the list. */
  touch(dir: string, name: string): Promise<void> {
    return this.update((entries) => [
      { dir, name, openedAt: this.now().toISOString() },
      ...entries.filter((e) => e.dir !== dir),
    ]);
  }

  async forget(dir: string): Promise<boolean> {
    let removed = false;
    await this.update((entries) => {
      const kept = entries.filter((e) => e.dir !== dir);
      removed = kept.length !== entries.length;
      return kept;
    });
    return removed;
  }

  private update(change: (entries: StoredEntry[]) => StoredEntry[]): Promise<void> {
    const next = this.chain.then(async () => {
      const entries = change(await this.read()).slice(0, RECENT_LIMIT);
      await mkdir(this.configDir, { recursive: true });
      await writeFileAtomic(
        this.file,
        JSON.stringify({ version: 1, projects: entries }, null, 2) + '\n',
      );
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async read(): Promise<StoredEntry[]> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      return [];
    }
    try {
      const parsed = JSON.parse(text) as { projects?: unknown };
      return Array.isArray(parsed.projects) ? parsed.projects.filter(isStoredEntry) : [];
    } catch {
      return [];
    }
  }
}
