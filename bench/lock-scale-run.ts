// One measured lock in its own process, so peak memory (maxRSS) belongs to the lock alone.
// Usage: tsx bench/lock-scale-run.ts <projectDir> <cacheDir> <cold|disk|open>
import { RepodataCache } from '../electron/services/channels/repodata-cache';
import { lockProject } from '../electron/services/lock/lock-service';

const [projectDir, cacheDir, mode] = process.argv.slice(2) as [string, string, string];
const cache = new RepodataCache({ dir: cacheDir });
const lock = async () => {
  const started = performance.now();
  const phases: string[] = [];
  const result = await lockProject(
    { projectDir, updateAll: true },
    { progress: (m) => phases.push(`${(performance.now() - started).toFixed(0)} ms ${m}`) },
    { cache },
  );
  return { ms: performance.now() - started, packages: result.platforms[0]!.packages, phases };
};
const first = await lock();
const measured = mode === 'open' ? await lock() : first;
console.log(
  JSON.stringify({
    mode,
    ...measured,
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
