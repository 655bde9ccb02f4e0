// Loaded with `node --import` into a measured process: writes its peak RSS (KiB) and CPU time (ms)
// where CONDENSE_BENCH_RSS points when it exits. CPU time is the steadier figure on a busy machine.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  if (!process.env.CONDENSE_BENCH_RSS) return;
  const usage = process.resourceUsage();
  const cpuMs = Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000);
  writeFileSync(process.env.CONDENSE_BENCH_RSS, JSON.stringify({ maxRSS: usage.maxRSS, cpuMs }));
});
