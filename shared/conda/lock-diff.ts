import type { LockedPackage } from './lock-model';

/** A package that is in both locks with a different version or build. */
export interface ChangedPackage {
  name: string;
  platform: string;
  from: { version: string; build: string };
  to: { version: string; build: string };
}

/** What changed between two locks, per (platform, name), sorted by platform then name. */
export interface LockDiff {
  added: LockedPackage[];
  removed: LockedPackage[];
  changed: ChangedPackage[];
  unchanged: number;
}

const key = (p: LockedPackage) => `${p.platform}\u0000${p.manager}\u0000${p.name}`;
const order = (a: { platform: string; name: string }, b: { platform: string; name: string }) =>
  a.platform.localeCompare(b.platform) || a.name.localeCompare(b.name);

/** Compares two locks' packages. */
export function diffLocks(before: LockedPackage[], after: LockedPackage[]): LockDiff {
  const old = new Map(before.map((p) => [key(p), p]));
  const now = new Map(after.map((p) => [key(p), p]));
  const diff: LockDiff = { added: [], removed: [], changed: [], unchanged: 0 };
  for (const [k, p] of now) {
    const previous = old.get(k);
    if (!previous) diff.added.push(p);
    else if (previous.version !== p.version || previous.build !== p.build) {
      diff.changed.push({
        name: p.name,
        platform: p.platform,
        from: { version: previous.version, build: previous.build },
        to: { version: p.version, build: p.build },
      });
    } else diff.unchanged++;
  }
  for (const [k, p] of old) if (!now.has(k)) diff.removed.push(p);
  diff.added.sort(order);
  diff.removed.sort(order);
  diff.changed.sort(order);
  return diff;
}
