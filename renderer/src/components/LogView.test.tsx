import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';

import { LogBuffer } from '../store/log-buffer';
import { LogView } from './LogView';

afterEach(cleanup);

function filled(lines: number): LogBuffer {
  const buffer = new LogBuffer();
  for (let i = 0; i < lines; i++)
    buffer.append(`#${i} ${i % 1000 === 7 ? 'ERROR boom' : 'step output'}`);
  return buffer;
}

describe('LogView', () => {
  it('renders only the visible window of 10,000 lines, following the tail', () => {
    render(<LogView buffer={filled(10_000)} tick={1} label="Build log" />);
    const log = screen.getByRole('log', { name: 'Build log' });
    const rows = log.querySelectorAll('.log-line');
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThan(100);
    // Following: the last line is in the DOM, the first is not.
    expect(within(log).getByText('#9999 step output')).toBeInTheDocument();
    expect(within(log).queryByText('#0 step output')).not.toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('10000 lines');
  });

  it('finds matches, jumps to them and copies the matching lines', async () => {
    const user = userEvent.setup();
    const buffer = filled(10_000);
    render(<LogView buffer={buffer} tick={1} label="Build log" />);
    await user.type(screen.getByRole('searchbox', { name: 'Search the log' }), 'error');
    expect(screen.getByRole('status')).toHaveTextContent('1 of 10 matches');
    await user.click(screen.getByRole('button', { name: 'Next match' }));
    expect(screen.getByRole('status')).toHaveTextContent('2 of 10 matches');
    const log = screen.getByRole('log', { name: 'Build log' });
    const hit = within(log).getByText('#1007 ERROR boom');
    expect(hit.closest('.log-line')).toHaveClass('log-match');
    expect(screen.getByRole('checkbox', { name: 'Follow' })).not.toBeChecked();
    await user.click(screen.getByRole('button', { name: 'Copy log' }));
    const copied = await navigator.clipboard.readText();
    expect(copied.split('\n')).toHaveLength(10);
    expect(copied.split('\n')[1]).toBe('#1007 ERROR boom');
  });

  it('says what to do when there is no output yet', () => {
    render(<LogView buffer={undefined} tick={0} label="Build log" />);
    expect(screen.getByText(/Start a build to see its log here/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Copy log' })).toBeDisabled();
  });
});
