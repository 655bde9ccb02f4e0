import { describe, expect, it } from 'vitest';

import type { JobEvent } from '../../../shared/api/jobs';
import { JobManager } from './job-manager';

describe('JobManager', () => {
  it('streams events and ends with done carrying the result', async () => {
    const jobs = new JobManager();
    const seen: JobEvent[] = [];
    jobs.onEvent((e) => seen.push(e));
    const { jobId, result } = jobs.start('lock', ({ emit }) => {
      emit('progress', { message: 'solving' });
      return Promise.resolve(42);
    });
    await expect(result).resolves.toBe(42);
    expect(seen.map((e) => [e.kind, e.seq])).toEqual([
      ['progress', 1],
      ['done', 2],
    ]);
    expect(jobs.list()).toMatchObject([{ jobId, state: 'succeeded' }]);
    expect(jobs.replay(jobId, 1).map((e) => e.kind)).toEqual(['done']);
  });

  it('cancel aborts the signal and ends with a cancelled event', async () => {
    const jobs = new JobManager();
    const kinds: string[] = [];
    jobs.onEvent((e) => kinds.push(e.kind));
    const { jobId, result } = jobs.start(
      'build',
      ({ signal }) =>
        new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(new Error('aborted'))),
        ),
    );
    expect(jobs.cancel(jobId)).toBe(true);
    await expect(result).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(kinds).toEqual(['cancelled']);
    expect(jobs.cancel(jobId)).toBe(false);
  });

  it('reports a failure as a failed event with the error code', async () => {
    const jobs = new JobManager();
    const events: JobEvent[] = [];
    jobs.onEvent((e) => events.push(e));
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- rattler throws strings
    const { result } = jobs.start('lock', () => Promise.reject('nothing provides foo'));
    await expect(result).rejects.toBe('nothing provides foo');
    expect(events.at(-1)).toMatchObject({
      kind: 'failed',
      data: { code: 'INTERNAL', message: 'nothing provides foo' },
    });
  });

  it('refuses to cancel an unknown job with NOT_FOUND', () => {
    expect(() => new JobManager().cancel('nope')).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND' }),
    );
  });
});

describe('JobManager replay buffer', () => {
  it('keeps at least the newest 20,000 events of a chatty job, oldest dropped first', async () => {
    const jobs = new JobManager();
    const { jobId, result } = jobs.start('build', ({ emit }) => {
      for (let i = 0; i < 60_000; i++) emit('log', { i });
      return Promise.resolve();
    });
    await result;
    const kept = jobs.replay(jobId);
    expect(kept.length).toBeGreaterThanOrEqual(20_000);
    expect(kept.length).toBeLessThanOrEqual(25_001);
    expect(kept.at(-1)?.kind).toBe('done');
    expect(kept.at(-2)?.data).toEqual({ i: 59_999 });
    expect(kept[0]!.seq).toBe(60_001 - kept.length + 1);
  });
});

describe('JobManager memory', () => {
  it('forgets finished jobs after keepFinishedMs and beyond maxFinished, never running ones', async () => {
    let now = 1_000;
    const jobs = new JobManager({ keepFinishedMs: 60_000, maxFinished: 2, now: () => now });
    let release!: () => void;
    const running = jobs.start('lock', () => new Promise<void>((r) => (release = r)));
    const finished: string[] = [];
    for (let i = 0; i < 3; i++) {
      const job = jobs.start('build', () => Promise.resolve(i));
      await job.result;
      finished.push(job.jobId);
    }
    // Only the newest two finished jobs stay, beside the running one.
    expect(jobs.list().map((j) => j.jobId)).toEqual([running.jobId, finished[1], finished[2]]);
    expect(jobs.replay(finished[0]!)).toEqual([]);
    expect(jobs.replay(finished[2]!).map((e) => e.kind)).toEqual(['done']);
    now += 60_001;
    expect(jobs.list().map((j) => j.jobId)).toEqual([running.jobId]);
    release();
    await running.result;
    now += 60_001;
    expect(jobs.list()).toEqual([]);
  });
});
