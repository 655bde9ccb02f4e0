import { cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import type { BuildRecord, ProjectImage } from '../../../shared/api/build';
import { buildRecord, variantResult } from '../test-support/project-fixture';
import { goTo, historyHandlers, openProject, renderApp } from '../test-support/render-app';

const MIB = 1024 * 1024;

afterEach(cleanup);

const OLD = '20261101-090000-aaaaaa';
const NEW = '20261102-090000-bbbbbb';

function image(tag: string, buildId: string | undefined, sizeBytes: number): ProjectImage {
  return {
    tag: `condense/churn:${tag}`,
    ...(buildId ? { buildId } : {}),
    variant: 'default',
    imageId: `sha256:${tag}`,
    sizeBytes,
    created: '2026-11-02T09:00:00.000Z',
  };
}

async function openResults() {
  const records: BuildRecord[] = [
    buildRecord(OLD, '2026-11-01T09:00:00Z', [variantResult('default', [['COPY', 40 * MIB]])]),
    buildRecord(NEW, '2026-11-02T09:00:00Z', [variantResult('default', [['COPY', 30 * MIB]])]),
  ];
  let images = [
    image('default', undefined, 30 * MIB),
    image(`default-${NEW}`, NEW, 30 * MIB),
    image(`default-${OLD}`, OLD, 40 * MIB),
  ];
  const { fake, user } = renderApp({
    ...historyHandlers(records),
    'build:images': () => images,
    'build:pruneImages': () => {
      // Like the service: the old build's tag goes, and its history entry is marked.
      images = images.filter((i) => i.buildId !== OLD);
      records[0] = { ...records[0]!, imagesRemoved: true };
      return { removed: [`condense/churn:default-${OLD}`], kept: [], buildsMarked: [OLD] };
    },
  });
  await openProject(user);
  await goTo(user, /Results/);
  return { fake, user };
}

const tagsShown = () =>
  within(screen.getByRole('table', { name: 'Images on the engine' }))
    .getAllByRole('row')
    .slice(1)
    .map((row) => row.firstElementChild?.textContent);

describe('Images on the engine (Results screen)', () => {
  it('lists the tags, removes old ones only after confirmation, and marks the removed build', async () => {
    const { fake, user } = await openResults();
    const table = await screen.findByRole('table', { name: 'Images on the engine' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.textContent)).toEqual([
      'condense/churn:defaultlatest30.0 MiB2026-11-02 09:00:00',
      `condense/churn:default-${NEW}${NEW}30.0 MiB2026-11-02 09:00:00`,
      `condense/churn:default-${OLD}${OLD}40.0 MiB2026-11-02 09:00:00`,
    ]);

    // Cancel: nothing is removed.
    await user.click(screen.getByRole('button', { name: 'Remove old images…' }));
    const confirm = screen.getByRole('group', { name: 'Confirm removing old images' });
    expect(confirm).toHaveTextContent(/all but the newest 5 builds/);
    await user.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    expect(fake.callsOf('build:pruneImages')).toHaveLength(0);

    await user.click(screen.getByRole('button', { name: 'Remove old images…' }));
    await user.click(screen.getByRole('button', { name: 'Remove' }));
    expect(await screen.findByText('Removed 1 old image tag(s).')).toBeInTheDocument();
    expect(fake.callsOf('build:pruneImages')).toEqual([{ projectDir: '/home/me/churn' }]);
    expect(tagsShown()).toEqual(['condense/churn:default', `condense/churn:default-${NEW}`]);
    // The comparison still shows the old build's size, and says its image is gone.
    const variants = screen.getByRole('table', { name: 'Variants compared' });
    const oldGroup = within(variants)
      .getAllByRole('rowgroup')
      .find((g) => g.textContent?.includes('images removed'));
    expect(oldGroup?.textContent).toMatch(
      /^Build of .* · images removeddefault \(baseline\)40\.0 MiB/,
    );
  });
});
