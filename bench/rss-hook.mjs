// Loaded with `node --import` into a measured process: writes its peak RSS (KiB) where
// CONDENSE_BENCH_RSS points when it exits, so the benchmark can report the memory of a CLI run.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  if (process.env.CONDENSE_BENCH_RSS)
    writeFileSync(process.env.CONDENSE_BENCH_RSS, String(process.resourceUsage().maxRSS));
});
