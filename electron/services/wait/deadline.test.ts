import { describe, expect, it, vi } from 'vitest';

import { deadline, envSeconds, withDeadline } from './deadline';

const never = (signal: AbortSignal) =>
  new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error('x'))));

describe('deadline', () => {
  it('ends a wait that never answers with TIMEOUT naming the thing waited for', async () => {
    await expect(
      withDeadline(50, undefined, 'the test server', never, 'try again'),
    ).rejects.toMatchObject({
      code: 'TIMEOUT',
      message: 'the test server did not answer within 50 ms: try again',
    });
  });

  it('ends even when the work ignores its signal', async () => {
    await expect(
      withDeadline(30, undefined, 'a deaf call', () => new Promise<never>(() => undefined)),
    ).rejects.toMatchObject({ code: 'TIMEOUT' });
  });

  it('is CANCELLED, not TIMEOUT, when the parent aborts first', async () => {
    const parent = new AbortController();
    const wait = withDeadline(60_000, parent.signal, 'a slow call', never);
    parent.abort();
    await expect(wait).rejects.toMatchObject({ code: 'CANCELLED' });
    const already = withDeadline(60_000, parent.signal, 'a slow call', never);
    await expect(already).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('passes results through and stops its timer', async () => {
    await expect(withDeadline(1000, undefined, 'x', () => Promise.resolve(7))).resolves.toBe(7);
  });

  it('restarts the clock on touch (an idle deadline) and still fires once silence lasts', () => {
    vi.useFakeTimers();
    try {
      const idle = deadline(80);
      for (let i = 0; i < 5; i++) {
        vi.advanceTimersByTime(60);
        idle.touch();
      }
      // 300 ms have passed with a touch every 60 ms: still alive.
      expect(idle.signal.aborted).toBe(false);
      vi.advanceTimersByTime(80);
      expect(idle.signal.aborted).toBe(true);
      expect(idle.expired).toBe(true);
      expect(idle.error('the engine').code).toBe('TIMEOUT');
      idle.dispose();
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps firing after garbage collection (no AbortSignal.timeout inside)', async () => {
    const wait = withDeadline(100, new AbortController().signal, 'x', never);
    (globalThis as { gc?: () => void }).gc?.();
    await expect(wait).rejects.toMatchObject({ code: 'TIMEOUT' });
  });

  it('reads seconds from the environment and refuses nonsense naming the variable', () => {
    process.env.CONDENSE_TEST_WAIT = '0.25';
    expect(envSeconds('CONDENSE_TEST_WAIT', 9)).toBe(250);
    process.env.CONDENSE_TEST_WAIT = 'soon';
    expect(() => envSeconds('CONDENSE_TEST_WAIT', 9)).toThrow(
      /CONDENSE_TEST_WAIT must be a positive number of seconds/,
    );
    delete process.env.CONDENSE_TEST_WAIT;
    expect(envSeconds('CONDENSE_TEST_WAIT', 9)).toBe(9);
  });
});
