import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { available } from './requirements';

/**
 * A real full disk for tests: a tmpfs of `size` (e.g. `64k`) mounted on a new folder, which needs
 * root. `mountPoint` is undefined (the tests skip with the reason) where it cannot be mounted;
 * `unmount` ends it.
 */
export function smallTmpfs(size: string): { mountPoint?: string; unmount: () => void } {
  const mountPoint = mkdtempSync(join(tmpdir(), 'condense-full-'));
  let reason = '';
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mountPoint], {
      stdio: 'pipe',
    });
  } catch (error) {
    reason = `cannot mount a tmpfs (${(error as Error).message.split('\n')[0]}); run as root`;
  }
  const mounted = available('a small tmpfs', { ok: reason === '', reason });
  return {
    ...(mounted ? { mountPoint } : {}),
    unmount: () => {
      if (mounted) execFileSync('umount', [mountPoint]);
      rmSync(mountPoint, { recursive: true, force: true });
    },
  };
}
