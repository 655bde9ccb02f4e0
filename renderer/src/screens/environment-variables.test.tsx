import { cleanup, configure, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import { ENVIRONMENT } from '../test-support/project-fixture';
import { goTo, openProject, renderApp } from '../test-support/render-app';

afterEach(cleanup);
configure({ asyncUtilTimeout: 4000 });

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
  }, 30_000);
});
