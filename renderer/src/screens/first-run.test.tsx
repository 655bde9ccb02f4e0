import { cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import { renderApp } from '../test-support/render-app';

afterEach(cleanup);

describe('first run', () => {
  it('says what Condense does and opens the example project', async () => {
    const { user, fake } = renderApp();
    expect(
      screen.getByText(/^Condense turns your conda environment into a small/),
    ).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Open the example project' }));
    expect(await screen.findByRole('heading', { name: /^Environment/ })).toBeInTheDocument();
    expect(fake.callsOf('project:createExample')).toEqual([{}]);
    expect(fake.callsOf('project:watch')).toEqual([{ dir: '/home/me/condense-example-service' }]);
  });
});
