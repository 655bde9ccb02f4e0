import { useState } from 'react';

import { EmptyState, ErrorNote } from '../components/Notice';
import { formatMiB } from '../lib/format';
import { useApp } from '../store';
import { lockSelectors } from '../store/selectors';

/** Lock and relock with progress; resolved packages; stale badge; diff against the previous lock. */
export function LockScreen() {
  const lock = useApp((s) => s.lock);
  const lockJobId = useApp((s) => s.lockJobId);
  const jobs = useApp((s) => s.jobs);
  const error = useApp((s) => s.lockError);
  const startLock = useApp((s) => s.startLock);
  const cancelJob = useApp((s) => s.cancelJob);
  const [filter, setFilter] = useState('');
  const job = lockSelectors.lockJob({ lockJobId, jobs });
  const running = job?.state === 'running';
  const packages = lockSelectors.packages({ lock }, filter);

  return (
    <section className="screen" aria-labelledby="lock-title">
      <h2 id="lock-title">
        Lock{' '}
        {lock?.stale ? (
          <span className="badge warn" title="environment.yml changed since this lock was made">
            Stale
          </span>
        ) : lock ? (
          <span className="badge ok">Up to date</span>
        ) : null}
      </h2>
      <div className="row">
        <button
          type="button"
          className="primary"
          disabled={running}
          onClick={() => void startLock()}
        >
          {lock ? 'Relock' : 'Lock environment'}
        </button>
        {running && job ? (
          <button type="button" onClick={() => void cancelJob(job.jobId)}>
            Cancel lock
          </button>
        ) : null}
      </div>
      {running ? (
        <div className="progress-line">
          <progress aria-label="Lock progress" max={1} value={job?.progress?.fraction} />
          <span role="status">{job?.progress?.message ?? 'Solving…'}</span>
        </div>
      ) : null}
      <ErrorNote
        message={
          error ??
          (job?.state === 'failed'
            ? `Locking failed: ${job.error ?? 'unknown error'}. Loosen a pin on the Environment screen and relock.`
            : undefined)
        }
      />
      {lock?.diff ? (
        <details className="card" open>
          <summary>
            Changes since the previous lock: {lock.diff.added.length} added,{' '}
            {lock.diff.removed.length} removed, {lock.diff.changed.length} changed
          </summary>
          <ul aria-label="Lock changes">
            {lock.diff.added.map((p) => (
              <li key={`+${p.name}`} className="diff-added">
                + {p.name} {p.version}
              </li>
            ))}
            {lock.diff.removed.map((p) => (
              <li key={`-${p.name}`} className="diff-removed">
                − {p.name} {p.version}
              </li>
            ))}
            {lock.diff.changed.map((c) => (
              <li key={`~${c.name}`} className="diff-changed">
                ~ {c.name} {c.from} → {c.to}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      {!lock ? (
        <EmptyState title="Not locked yet">
          <p>
            Lock the environment to pin every package to an exact build; the image is built from the
            lock.
          </p>
        </EmptyState>
      ) : (
        <>
          <div className="row">
            <input
              type="search"
              aria-label="Filter resolved packages"
              placeholder="Filter packages"
              value={filter}
              onChange={(e) => setFilter(e.target.value)}
            />
            <span className="muted">
              {lock.packages.length} packages, {formatMiB(lockSelectors.totalSize({ lock }))} to
              download
            </span>
          </div>
          <table aria-label="Resolved packages">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Version</th>
                <th scope="col">Build</th>
                <th scope="col">Channel</th>
                <th scope="col" className="num">
                  Size
                </th>
              </tr>
            </thead>
            <tbody>
              {packages.map((p) => (
                <tr key={p.name}>
                  <td>{p.name}</td>
                  <td>{p.version}</td>
                  <td>{p.build}</td>
                  <td>{p.channel}</td>
                  <td className="num">{formatMiB(p.size)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
