// The whole app over a fake API, for screen tests: render it, open a project, go to a step.
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import type { BuildRecord } from '../../../shared/api/build';
import { App } from '../App';
import { createAppStore, StoreContext } from '../store';
import { createFakeApi, type FakeHandlers } from './fake-api';
import { projectHandlers } from './project-fixture';

export function renderApp(overrides: FakeHandlers = {}, address = '#/') {
  // The address survives between tests in one file; the app opens the project it names.
  window.history.replaceState(null, '', address);
  const fake = createFakeApi({ ...projectHandlers(), ...overrides });
  // Events are applied synchronously in tests (a real window batches them per frame).
  const store = createAppStore({ api: fake.api, schedule: (flush) => flush() });
  const user = userEvent.setup();
  render(
    <StoreContext.Provider value={store}>
      <App />
    </StoreContext.Provider>,
  );
  return { fake, store, user };
}

export type TestUser = ReturnType<typeof userEvent.setup>;

/** Opens the fixture project `/home/me/churn` from the Projects screen. */
export async function openProject(user: TestUser): Promise<void> {
  await user.type(screen.getByRole('textbox', { name: /project folder/i }), '/home/me/churn');
  await user.click(screen.getByRole('button', { name: 'Open project' }));
  await screen.findByRole('heading', { name: /Environment: churn/ });
}

export const nav = () => within(screen.getByRole('navigation', { name: 'Steps' }));

/** Clicks a step in the left navigation. */
export function goTo(user: TestUser, step: RegExp): Promise<void> {
  return user.click(nav().getByRole('button', { name: step }));
}

/** `build:list` and `build:get` answering from these records (read at call time, so tests may edit them). */
export function historyHandlers(records: BuildRecord[]): FakeHandlers {
  return {
    'build:list': () =>
      records.map((r) => ({
        id: r.id,
        startedAt: r.startedAt,
        durationMs: 1,
        state: r.state,
        builder: r.builder,
        ...(r.imagesRemoved ? { imagesRemoved: true } : {}),
        variants: [],
      })),
    'build:get': ({ buildId }) => records.find((r) => r.id === buildId)!,
  };
}
