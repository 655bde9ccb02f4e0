import { useEffect, useState } from 'react';

import { useApp } from '../../store';
import { environmentSelectors } from '../../store/selectors';

const SEARCH_DELAY_MS = 250;

/** The "Add packages" card: search the channels as one types, add a result. */
export function PackageSearch() {
  const environment = useApp((s) => s.environment);
  const results = useApp((s) => s.searchResults);
  const searching = useApp((s) => s.searching);
  const searchNotice = useApp((s) => s.searchNotice);
  const searchPackages = useApp((s) => s.searchPackages);
  const addPackage = useApp((s) => s.addPackage);
  const [query, setQuery] = useState('');
  const names = environmentSelectors.dependencyNames({ environment });

  useEffect(() => {
    // Typing fires one search after a pause, not one per key.
    const timer = setTimeout(() => void searchPackages(query), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [query, searchPackages]);

  return (
    <div className="card stack">
      <h3>Add packages</h3>
      <input
        type="search"
        aria-label="Search packages"
        placeholder="Search packages across the channels"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      {searching ? <p role="status">Searching…</p> : null}
      {searchNotice ? (
        <p role="note" className="warn-note">
          {searchNotice}
        </p>
      ) : null}
      {!query.trim() ? (
        <p className="muted">
          Type a package name (for example numpy) to search the channels listed on the right.
        </p>
      ) : null}
      {!searching && query.trim() && results.length === 0 ? (
        <p className="muted">
          No package matches “{query.trim()}”. Check the spelling or add a channel.
        </p>
      ) : null}
      <ul className="results" aria-label="Search results">
        {results.map((r) => (
          <li key={r.name}>
            <div className="result-text">
              <strong>{r.name}</strong> <span className="muted">{r.channels.join(', ')}</span>
              {r.summary ? <p className="muted">{r.summary}</p> : null}
              <small className="muted">
                {r.versions.slice(0, 5).join(', ')}
                {r.builds.length
                  ? ` · builds ${r.builds
                      .slice(0, 3)
                      .map((b) => `${b.build} (${b.subdir})`)
                      .join(', ')}`
                  : ''}
              </small>
            </div>
            {/* aria-disabled, not disabled: the button keeps the focus after adding. */}
            <button
              type="button"
              aria-label={`Add ${r.name}`}
              aria-disabled={names.has(r.name)}
              onClick={() => {
                if (!names.has(r.name)) void addPackage(r.name);
              }}
            >
              {names.has(r.name) ? 'Added' : 'Add'}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
