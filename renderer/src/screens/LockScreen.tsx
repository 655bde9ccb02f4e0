import { useState } from 'react';

import { formatSize, formatSizeIn, sizeScale } from '../../../shared/format/size';
import { EmptyState, ErrorNote } from '../components/Notice';
import { useApp } from '../store';
import { channelOf, lockSelectors } from '../store/selectors';

/** Lock and relock with progress; resolved packages; stale badge; diff against the previous lock. */
export function LockScreen() {
  const status = useApp((s) => s.lockStatus);
  const lockPackages = useApp((s) => s.lockPackages);
  const diff = useApp((s) => s.lockDiff);
  const lockJobId = useApp((s) => s.lockJobId);
  const jobs = useApp((s) => s.jobs);
  const error = useApp((s) => s.lockError);
  const startLock = useApp((s) => s.startLock);
  const cancelJob = useApp((s) => s.cancelJob);
  const [filter, setFilter] = useState('');
  const [updateAll, setUpdateAll] = useState(false);
  const job = lockSelectors.lockJob({ lockJobId, jobs });
  const running = job?.state === 'running';
  const locked = status?.locked === true;
  const packages = lockSelectors.packages({ lockPackages }, filter);
  // The unit comes from every package, not the filtered ones, so it does not change while typing.
  const sizeUnit = sizeScale(lockPackages.map((p) => p.size));
  // Channels without sizes in their repodata would leave a column of dashes.
  const hasSizes = lockPackages.some((p) => p.size !== undefined);
  const platforms = lockSelectors.platforms({ lockPackages });

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
          disabled={running}
          onClick={() => void startLock({ updateAll })}
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
      {diff ? (
        <details className="card" open>
          <summary>
            Changes since the previous lock: {diff.added.length} added, {diff.removed.length}{' '}
            removed, {diff.changed.length} changed, {diff.unchanged} unchanged
          </summary>
          <ul aria-label="Lock changes">
            {diff.added.map((p) => (
              <li key={`+${p.platform}/${p.name}`} className="diff-added">
                + {p.name} {p.version} ({p.platform})
              </li>
            ))}
            {diff.removed.map((p) => (
              <li key={`-${p.platform}/${p.name}`} className="diff-removed">
                − {p.name} {p.version} ({p.platform})
              </li>
            ))}
            {diff.changed.map((c) => (
              <li key={`~${c.platform}/${c.name}`} className="diff-changed">
                ~ {c.name} {c.from.version} ({c.from.build}) → {c.to.version} ({c.to.build})
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      {!locked ? (
        <EmptyState title="Not locked yet">
          <p>
            Lock the environment to pin every package to an exact build; the image is built from the
            lock.
          </p>
        </EmptyState>
      ) : (
        <>
          <div className="row row-center">
            <input
              type="search"
              aria-label="Filter resolved packages"
              placeholder="Filter packages"
              value={filter}
              onChange={(e) => setFilter(e.target.value)}
            />
            <span className="muted">
              {lockPackages.length} packages for {platforms.join(', ')}
              {lockSelectors.totalSize({ lockPackages }) > 0
                ? `, ${formatSize(lockSelectors.totalSize({ lockPackages }))} to download`
                : ''}
            </span>
          </div>
          <table aria-label="Resolved packages">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Version</th>
                <th scope="col">Build</th>
                <th scope="col">Channel</th>
                {platforms.length > 1 ? <th scope="col">Platform</th> : null}
                {hasSizes ? (
                  <th scope="col" className="num">
                    Size
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {packages.map((p) => (
                <tr key={`${p.platform}/${p.manager}/${p.name}`}>
                  <td>
                    {p.name}
                    {p.manager === 'pip' ? (
                      <>
                        {' '}
                        <span className="badge" title="Installed by pip from a package index">
                          pip
                        </span>
                      </>
                    ) : null}
                  </td>
                  <td>{p.version}</td>
                  <td>
                    {p.manager === 'pip' ? (p.url.endsWith('.whl') ? 'wheel' : 'sdist') : p.build}
                  </td>
                  <td>{p.manager === 'pip' ? new URL(p.url).host : channelOf(p.url)}</td>
                  {platforms.length > 1 ? <td>{p.platform}</td> : null}
                  {hasSizes ? <td className="num">{formatSizeIn(p.size, sizeUnit)}</td> : null}
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
