import { cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import { ENVIRONMENT } from '../test-support/project-fixture';
import { goTo, openProject, renderApp } from '../test-support/render-app';

afterEach(cleanup);

describe('environment.yml variables on the Image screen', () => {
  it('lists them and shows them as ENV in the Dockerfile preview', async () => {
    const { user } = renderApp({
      'environment:read': () => ({
        text: '',
        spec: { ...ENVIRONMENT, variables: { MPLBACKEND: 'Agg' } },
        revision: 'r1',
      }),
    });
    await openProject(user);
    await goTo(user, /Image/);
    const card = await screen.findByRole('heading', { name: 'Variables from environment.yml' });
    const list = within(card.parentElement!);
    expect(list.getByText('MPLBACKEND')).toBeInTheDocument();
    expect(list.getByText('Agg')).toBeInTheDocument();
    expect(screen.getByLabelText('Dockerfile preview')).toHaveTextContent('ENV MPLBACKEND="Agg"');
  });

  it('lists environment.yml warnings with their line on the Environment screen', async () => {
    const { user } = renderApp({
      'environment:read': () => ({
        text: '',
        spec: {
          ...ENVIRONMENT,
          warnings: [
            {
              line: 3,
              column: 1,
              message: 'unknown key "dependecies" (did you mean "dependencies"?)',
            },
          ],
        },
        revision: 'r1',
      }),
    });
    await openProject(user);
    const notes = await screen.findByRole('status', { name: 'environment.yml warnings' });
    expect(notes).toHaveTextContent(
      'Line 3, column 1: unknown key "dependecies" (did you mean "dependencies"?)',
    );
  });
});
