/**
 * Process groups of the external tools this process started (conda-lock and the solver it runs).
 * Each tool runs in its own group so one signal reaches its children too; the groups are remembered
 * here so a command that exits (normally, on an error, or forced after SIGTERM) takes them along.
 */
const groups = new Set<number>();

/** Remembers a detached child's process group; returns the function that forgets it. */
export function trackGroup(pid: number): () => void {
  groups.add(pid);
  return () => groups.delete(pid);
}

/** Sends `signal` to every remembered group (synchronous: safe in an `exit` handler). */
export function signalGroups(signal: NodeJS.Signals): void {
  for (const pid of groups) {
    try {
      process.kill(-pid, signal);
    } catch {
      groups.delete(pid);
    }
  }
}

/** How many groups are still remembered (tests). */
export function trackedGroups(): number {
  return groups.size;
}
