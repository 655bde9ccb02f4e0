import { act, cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import { goTo, openProject, renderApp } from '../test-support/render-app';
import { formatRoute, parseRoute } from './route';

afterEach(cleanup);

describe('the address', () => {
  it('round-trips a project folder and a screen', () => {
    const route = { dir: '/home/me/my project#1', screen: 'image' as const };
    expect(formatRoute(route)).toBe('#/project/%2Fhome%2Fme%2Fmy%20project%231/image');
    expect(parseRoute(formatRoute(route))).toEqual(route);
    expect(parseRoute('#/')).toEqual({ screen: 'projects' });
    expect(parseRoute('#/project/%2Fa/nonsense')).toEqual({ dir: '/a', screen: 'environment' });
    expect(parseRoute('#/project/%E0%A4%A')).toEqual({ screen: 'projects' });
  });

  it('follows the screen and project, and a reload returns to the same place', async () => {
    const first = renderApp();
    await openProject(first.user);
    await goTo(first.user, /Image/);
    expect(window.location.hash).toBe('#/project/%2Fhome%2Fme%2Fchurn/image');
    const address = window.location.hash;
    cleanup();
    const second = renderApp({}, address);
    expect(await screen.findByRole('heading', { name: 'Image' })).toBeInTheDocument();
    expect(second.fake.callsOf('project:open')).toEqual([{ dir: '/home/me/churn' }]);
  });

  it('turns the stale badge on when environment.yml changes on disk', async () => {
    let stale = false;
    const app = renderApp({
      'lock:status': () => ({ locked: true, stale, platforms: [], missingPlatforms: [] }),
    });
    await openProject(app.user);
    expect(app.fake.callsOf('project:watch')).toEqual([{ dir: '/home/me/churn' }]);
    await goTo(app.user, /Lock/);
    expect(screen.getByText('Up to date')).toBeInTheDocument();
    stale = true;
    act(() => void app.fake.emit('watch-1', 'watch', 'changed', { files: ['environment.yml'] }));
    expect(await screen.findByText('Stale')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /lock is stale/ })).toBeInTheDocument();
  });

  it("reloads condense.yml edited by hand, but not after the app's own save", async () => {
    const app = renderApp();
    await openProject(app.user);
    const reads = () => app.fake.callsOf('recipe:get').length;
    const before = reads();
    // Same revision as loaded: the change was the app's own save.
    await act(() => app.store.getState().filesChanged(['condense.yml']));
    expect(reads()).toBe(before + 1);
    const version = app.store.getState().recipeVersion;
    app.store.setState({ recipeRevision: 'older', recipeSavesPending: 1 });
    // A save is on its way: what changed on disk is the app's own write.
    await act(() => app.store.getState().filesChanged(['condense.yml']));
    expect(app.store.getState().recipeVersion).toBe(version);
    app.store.setState({ recipeSavesPending: 0 });
    await act(() => app.store.getState().filesChanged(['condense.yml']));
    expect(app.store.getState().recipeVersion).toBe(version + 1);
  });
});
