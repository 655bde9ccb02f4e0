import { useState } from 'react';

import { formatSize } from '../../../../shared/format/size';
import { useApp } from '../../store';
import { channelOf, lockSelectors } from '../../store/selectors';

type Origin = 'all' | 'requested' | 'pulled';

/**
 * The resolved packages with download and installed size, whether environment.yml asked for each
 * or it came as a dependency, and the dependency path that explains why it is there.
 */
export function PackageTable() {
  const lockPackages = useApp((s) => s.lockPackages);
  const environment = useApp((s) => s.environment);
  const savings = useApp((s) => s.savings);
  const [filter, setFilter] = useState('');
  const [origin, setOrigin] = useState<Origin>('all');
  const reasons = lockSelectors.reasons({ lockPackages, environment });
  const installed = lockSelectors.installedSizes({ savings });
  const reasonOf = (p: { platform: string; name: string }) =>
    reasons.get(`${p.platform}/${p.name}`);
  const packages = lockSelectors.packages({ lockPackages }, filter).filter((p) => {
    if (origin === 'all') return true;
    const requested = reasonOf(p)?.requested === true;
    return origin === 'requested' ? requested : !requested;
  });
  // Each size in its own unit: package sizes span five orders of magnitude (a 1.5 KiB metapackage
  // beside 68 MiB of python), which one column unit would write as "0.0 MiB" or "0.2 MiB" beside
  // "28.4 KiB". The variant and layer tables, whose rows are alike, keep one unit per column.
  // Channels without sizes in their repodata would leave a column of dashes.
  const hasSizes = lockPackages.some((p) => p.size !== undefined);
  const platforms = lockSelectors.platforms({ lockPackages });
  const requestedCount = lockPackages.filter((p) => reasonOf(p)?.requested).length;
  const installedTotal = installed ? [...installed.values()].reduce((a, b) => a + b, 0) : 0;
  const download = lockSelectors.totalSize({ lockPackages });

  return (
    <>
      {/* Both fields labelled above, so they line up; the counts sit on their baseline. */}
      <div className="row">
        <label>
          Filter
          <input
            type="search"
            aria-label="Filter resolved packages"
            placeholder="name"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
          />
        </label>
        <label>
          Show{' '}
          <select value={origin} onChange={(e) => setOrigin(e.target.value as Origin)}>
            <option value="all">all packages</option>
            <option value="requested">requested in environment.yml</option>
            <option value="pulled">pulled in as dependencies</option>
          </select>
        </label>
        <span className="muted">
          {lockPackages.length} packages for {platforms.join(', ')} ({requestedCount} requested,{' '}
          {lockPackages.length - requestedCount} pulled in)
          {download > 0 ? `, ${formatSize(download)} to download` : ''}
          {installedTotal > 0 ? `, ${formatSize(installedTotal)} installed` : ''}
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
                Download
              </th>
            ) : null}
            {installed ? (
              <th scope="col" className="num">
                Installed
              </th>
            ) : null}
            <th scope="col">Why it is here</th>
          </tr>
        </thead>
        <tbody>
          {packages.map((p) => {
            const reason = reasonOf(p);
            return (
              <tr key={`${p.platform}/${p.manager}/${p.name}`}>
                <th scope="row" className="variant-cell">
                  {p.name}
                  {p.manager === 'pip' ? (
                    <>
                      {' '}
                      <span className="badge" title="Installed by pip from a package index">
                        pip
                      </span>
                    </>
                  ) : null}
                </th>
                <td>{p.version}</td>
                <td>
                  {p.manager === 'pip' ? (p.url.endsWith('.whl') ? 'wheel' : 'sdist') : p.build}
                </td>
                <td>{p.manager === 'pip' ? new URL(p.url).host : channelOf(p.url)}</td>
                {platforms.length > 1 ? <td>{p.platform}</td> : null}
                {hasSizes ? <td className="num">{formatSize(p.size)}</td> : null}
                {installed ? <td className="num">{formatSize(installed.get(p.name))}</td> : null}
                <td className="wrap-cell">
                  {p.manager === 'pip' ? (
                    <span className="muted">pip package</span>
                  ) : reason?.requested ? (
                    <span className="badge ok">requested</span>
                  ) : reason && reason.path.length > 1 ? (
                    <span title="The shortest chain from a package environment.yml asks for">
                      via {reason.path.slice(0, -1).join(' → ')}
                    </span>
                  ) : (
                    <span className="muted">no requested package depends on it</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
