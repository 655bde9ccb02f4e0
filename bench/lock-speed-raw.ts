// rattler's simpleSolve on a channel's raw repodata, in its own process: the baseline `condense lock`
// is measured against. Usage: tsx bench/lock-speed-raw.ts <channelUrl> <platform> <spec>...
import { type Platform, simpleSolve } from '@conda-org/rattler';

import { virtualPackagesFor } from '../electron/services/lock/virtual-packages';

const [url, platform, ...specs] = process.argv.slice(2) as [string, string, ...string[]];
const locked = virtualPackagesFor(platform).map((v) => ({
  url: `${url}/${platform}/${v.name}-${v.version}-${v.build}.conda`,
  packageName: v.name,
  version: v.version,
  build: v.build,
  buildNumber: 0,
  filename: `${v.name}-${v.version}-${v.build}.conda`,
  subdir: platform,
  depends: [],
}));
const started = performance.now();
const cpu = process.cpuUsage();
const solved = await simpleSolve(specs, [url], [platform as Platform, 'noarch'], locked);
const ms = performance.now() - started;
const used = process.cpuUsage(cpu);
const cpuMs = Math.round((used.user + used.system) / 1000);
const packages = solved
  .filter((s) => !s.packageName.startsWith('__'))
  .map((s) => s.url)
  .sort();
console.log(
  JSON.stringify({
    ms,
    cpuMs,
    packages,
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
