// Time to an interactive screen in browser mode (Debian's Chromium against `condense serve`):
// a cold page load to the Projects screen, and opening a locked project from the recent list until
// the Environment screen shows its packages. Prints figures; never fails on timing.
import { join } from 'node:path';

import { launchChromium } from '../e2e/support/browser';
import { EnvironmentPage } from '../e2e/support/pages/environment-page';
import { LockPage } from '../e2e/support/pages/lock-page';
import { ProjectsPage } from '../e2e/support/pages/projects-page';
import { startServe } from '../e2e/support/serve';
import { serveSyntheticChannel } from '../test/support/channels';
import { available, chromiumRequirement } from '../test/support/requirements';

const RUNS = 7;

function summary(label: string, ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return `${label}: median ${at(0.5).toFixed(0)} ms, min ${sorted[0]!.toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms (${ms.length} runs)`;
}

async function main(): Promise<void> {
  if (!available('Chromium', chromiumRequirement())) return;
  const channel = await serveSyntheticChannel();
  const app = await startServe();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const projects = new ProjectsPage(page);
    const environment = new EnvironmentPage(page);

    // Setup (not timed): a project on the synthetic channel with two packages, locked.
    await page.goto(app.url);
    const dir = join(app.dirs.projects, 'bench');
    await projects.create(dir);
    await environment.heading.waitFor();
    await environment.addChannel(channel.url);
    await environment.removeChannel('conda-forge');
    await environment.add('click');
    await environment.add('six');
    await page
      .getByRole('navigation', { name: 'Steps' })
      .getByRole('button', { name: /Lock/ })
      .click();
    await new LockPage(page).lock();

    const cold: number[] = [];
    const open: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const fresh = await browser.newPage();
      const freshProjects = new ProjectsPage(fresh);
      let start = performance.now();
      await fresh.goto(app.url);
      await freshProjects.recent.getByRole('button', { name: 'bench', exact: true }).waitFor();
      cold.push(performance.now() - start);

      start = performance.now();
      await freshProjects.openRecent('bench');
      await fresh.getByRole('button', { name: 'Remove six', exact: true }).waitFor();
      await new EnvironmentPage(fresh).search.waitFor();
      open.push(performance.now() - start);
      await fresh.close();
    }
    console.log(summary('page load to an interactive Projects screen (recent list shown)', cold));
    console.log(summary('open a locked project to its Environment screen with packages', open));
  } finally {
    await browser.close();
    await app.stop();
    await channel.close();
  }
}

await main();
