import { watch } from 'node:fs';

/** Files of a project whose change the app shows without being asked. */
export function isWatchedFile(name: string): boolean {
  return (
    name === 'environment.yml' ||
    name === 'condense.yml' ||
    name === 'conda-lock.yml' ||
    /^conda-[a-z0-9_-]+\.lock$/.test(name)
  );
}

export interface WatchOptions {
  signal: AbortSignal;
  /** Called with the watched files that changed, once per burst of changes. */
  onChange: (files: string[]) => void;
  /** How long a burst may last (editors write a file in several steps). */
  debounceMs?: number;
}

/**
 * Watches the project folder, not the files: editors and Condense itself replace a file by renaming
 * a temporary one over it, and a watch on the old file would go quiet after the first save.
 * Resolves when the signal aborts.
 */
export function watchProject(dir: string, options: WatchOptions): Promise<void> {
  const { signal, onChange, debounceMs = 150 } = options;
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const pending = new Set<string>();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      timer = undefined;
      const files = [...pending].sort();
      pending.clear();
      if (files.length) onChange(files);
    };
    let watcher: ReturnType<typeof watch>;
    try {
      watcher = watch(dir, { persistent: false }, (_event, name) => {
        const file = typeof name === 'string' ? name : undefined;
        // Some platforms give no name: report every watched file then.
        if (file !== undefined && !isWatchedFile(file)) return;
        pending.add(file ?? 'environment.yml');
        if (file === undefined) ['condense.yml', 'conda-lock.yml'].forEach((f) => pending.add(f));
        if (timer) clearTimeout(timer);
        timer = setTimeout(flush, debounceMs);
      });
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    const stop = () => {
      if (timer) clearTimeout(timer);
      watcher.close();
      resolve();
    };
    watcher.on('error', () => stop());
    signal.addEventListener('abort', stop, { once: true });
  });
}
