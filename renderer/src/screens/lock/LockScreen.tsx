import { useState } from 'react';

import { EmptyState, ErrorNote } from '../../components/Notice';
import { useApp } from '../../store';
import { lockSelectors } from '../../store/selectors';
import { LockChanges } from './LockChanges';
import { PackageTable } from './PackageTable';

/** Lock and relock with progress; resolved packages; stale badge; diff against the previous lock. */
export function LockScreen() {
  const status = useApp((s) => s.lockStatus);
  const diff = useApp((s) => s.lockDiff);
  const lockJobId = useApp((s) => s.lockJobId);
  const jobs = useApp((s) => s.jobs);
  const error = useApp((s) => s.lockError);
  const startLock = useApp((s) => s.startLock);
  const cancelJob = useApp((s) => s.cancelJob);
  const [updateAll, setUpdateAll] = useState(false);
  const job = lockSelectors.lockJob({ lockJobId, jobs });
  const running = job?.state === 'running';
  const locked = status?.locked === true;

  return (
    <section className="screen" aria-labelledby="lock-title">
      <h2 id="lock-title">
        Lock{' '}
        {locked && status.stale ? (
          <span className="badge warn" title="environment.yml changed since this lock was made">
            Stale
          </span>
        ) : locked ? (
          <span className="badge ok">Up to date</span>
        ) : null}
      </h2>
      {locked && status.stale ? (
        <p>
          environment.yml changed after the last lock: relock so the image gets what the file asks
          for.
        </p>
      ) : null}
      <div className="row">
        <button
          type="button"
          className="primary"
          // aria-disabled, not disabled: the focus stays on the button while the lock runs.
          aria-disabled={running}
          onClick={() => {
            if (!running) void startLock({ updateAll });
          }}
        >
          {locked ? 'Relock' : 'Lock environment'}
        </button>
        {locked ? (
          <label className="check">
            <input
              type="checkbox"
              checked={updateAll}
              onChange={(e) => setUpdateAll(e.target.checked)}
            />
            Update every package (otherwise locked versions are kept where they still fit)
          </label>
        ) : null}
        {running && job ? (
          <button type="button" onClick={() => void cancelJob(job.jobId)}>
            Cancel lock
          </button>
        ) : null}
      </div>
      {running ? (
        <div className="progress-line">
          <progress aria-label="Lock progress" max={1} value={job.progress?.fraction} />
          <span role="status">{job.progress?.message ?? 'Solving…'}</span>
        </div>
      ) : null}
      {job?.state === 'succeeded' ? <p role="status">Locked.</p> : null}
      <ErrorNote
        message={
          error ??
          (job?.state === 'failed' ? `Locking failed: ${job.error ?? 'unknown error'}` : undefined)
        }
      />
      {diff ? <LockChanges diff={diff} /> : null}
      {!locked ? (
        <EmptyState title="Not locked yet">
          <p>
            Lock the environment to pin every package to an exact build; the image is built from the
            lock.
          </p>
        </EmptyState>
      ) : (
        <PackageTable />
      )}
    </section>
  );
}
