import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';

import { LayerChart, SizeBar } from './Charts';

afterEach(cleanup);

const MIB = 1024 * 1024;
const LONG =
  'RUN find /env -type f -name "*.a" -delete && rm -rf /env/include /env/lib/python3.12/site-packages/pip';

describe('LayerChart', () => {
  const layers = [
    { instruction: '(base image layer)', bytes: 120 * MIB },
    { instruction: LONG, bytes: 3.5 * MIB },
    { instruction: 'USER 65532:65532', bytes: 0 },
  ];

  it('shortens long instructions and shows one unit for every bar', () => {
    render(<LayerChart title="slim" layers={layers} scale={120 * MIB} />);
    const chart = screen.getByRole('img', { name: 'Layer sizes of slim' });
    const labels = [...chart.querySelectorAll('.chart-label')].map((t) => t.textContent);
    expect(labels[1]).toMatch(/…$/);
    expect(labels[1]!.length).toBeLessThan(LONG.length);
    const values = [...chart.querySelectorAll('.chart-value')].map((t) => t.textContent);
    expect(values).toEqual(['120.0 MiB', '3.5 MiB', '0 B']);
  });

  it('shows the whole instruction of the hovered or focused layer', async () => {
    render(<LayerChart title="slim" layers={layers} scale={120 * MIB} />);
    const detail = document.querySelector('.chart-detail')!;
    expect(detail.textContent).toBe('');
    const rows = document.querySelectorAll('.chart-row');
    fireEvent.mouseEnter(rows[1]!);
    expect(detail).toHaveTextContent(LONG);
    expect(detail).toHaveTextContent('3.50 MiB');
    // Keyboard: Tab reaches each layer in order.
    await userEvent.tab();
    expect(rows[0]).toHaveFocus();
    expect(detail).toHaveTextContent('(base image layer)');
    await userEvent.tab();
    expect(detail).toHaveTextContent(LONG);
  });
});

describe('SizeBar', () => {
  it('reads small environments in KiB, not as 0.0 MiB', () => {
    render(<SizeBar total={100 * 1024} remaining={38 * 1024} />);
    const meter = screen.getByRole('meter', { name: 'Estimated environment size' });
    expect(meter).toHaveAttribute('aria-valuetext', '38.0 KiB of 100 KiB');
    expect(meter.parentElement).toHaveTextContent('(saves 62.0 KiB, 62%)');
  });

  it('never rounds a real saving to 0%', () => {
    render(<SizeBar total={1000 * MIB} remaining={999 * MIB} />);
    expect(screen.getByText(/saves/)).toHaveTextContent('(saves 1.00 MiB, <1%)');
  });
});
