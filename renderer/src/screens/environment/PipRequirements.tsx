import { useEffect, useState } from 'react';

import type { PipRequirement } from '../../../../shared/pip/requirement';
import {
  parsePipSection,
  parseRequirement,
  pinRequirement,
} from '../../../../shared/pip/requirement';
import { useApp } from '../../store';

const SEARCH_DELAY_MS = 300;

function safeSection(lines: string[]) {
  try {
    return { section: parsePipSection(lines) };
  } catch (error) {
    return { section: undefined, problem: (error as Error).message };
  }
}

function requirementProblem(line: string): string | undefined {
  try {
    parseRequirement(line);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** The environment's `pip:` section: requirements (add, remove, pin to the locked version) and index search. */
export function PipRequirements() {
  const environment = useApp((s) => s.environment);
  const lockPackages = useApp((s) => s.lockPackages);
  const results = useApp((s) => s.pipResults);
  const searching = useApp((s) => s.pipSearching);
  const searchPip = useApp((s) => s.searchPip);
  const setPipRequirement = useApp((s) => s.setPipRequirement);
  const removePipRequirement = useApp((s) => s.removePipRequirement);
  const [line, setLine] = useState('');
  const [query, setQuery] = useState('');
  const [problem, setProblem] = useState<string>();
  const lines = environment?.pip ?? [];
  const { section, problem: sectionProblem } = safeSection(lines);
  const requirements: PipRequirement[] = section?.requirements ?? [];
  const names = new Set(requirements.map((r) => r.normalized));
  const locked = new Map(
    lockPackages.filter((p) => p.manager === 'pip').map((p) => [p.name, p.version] as const),
  );

  useEffect(() => {
    const timer = setTimeout(() => void searchPip(query), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [query, searchPip]);

  const add = (text: string) => {
    const issue = requirementProblem(text);
    setProblem(issue);
    if (!issue) void setPipRequirement(text).then(() => setLine(''));
  };

  return (
    <div className="card stack" aria-labelledby="pip-title">
      <h3 id="pip-title">pip packages</h3>
      <p className="muted">
        Index {section?.indexUrl ?? 'https://pypi.org/simple'}
        {section?.extraIndexUrls.length ? `, extra ${section.extraIndexUrls.join(', ')}` : ''}.
        Locked with hashes in the builder image; what conda installs is not installed again.
      </p>
      {sectionProblem ? <p role="alert">{sectionProblem}</p> : null}
      {requirements.length === 0 ? (
        <p className="muted">
          No pip requirements. Prefer conda packages; add pip ones for what only PyPI has.
        </p>
      ) : (
        <table aria-label="pip requirements">
          <thead>
            <tr>
              <th scope="col">Requirement</th>
              <th scope="col">Locked</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {requirements.map((r) => {
              const version = locked.get(r.normalized);
              return (
                <tr key={r.normalized}>
                  <td>
                    <code>{r.raw}</code>
                  </td>
                  <td>{version ?? <span className="muted">not locked</span>}</td>
                  <td className="row">
                    {version && !r.url && r.specifier !== `==${version}` ? (
                      <button
                        type="button"
                        aria-label={`Pin ${r.name} to ${version}`}
                        onClick={() => void setPipRequirement(pinRequirement(r.raw, version))}
                      >
                        Pin {version}
                      </button>
                    ) : null}
                    <button
                      type="button"
                      aria-label={`Remove pip package ${r.name}`}
                      onClick={() => void removePipRequirement(r.name)}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          if (line.trim()) add(line.trim());
        }}
      >
        <label>
          pip requirement
          <input
            value={line}
            placeholder='requests[socks]>=2.31; python_version >= "3.9"'
            onChange={(e) => setLine(e.target.value)}
          />
        </label>
        <button type="submit">Add pip requirement</button>
      </form>
      {problem ? <p role="alert">{problem}</p> : null}
      <input
        type="search"
        aria-label="Search pip index"
        placeholder="Search the pip indexes by name"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      {searching ? <p role="status">Searching the pip indexes…</p> : null}
      <ul className="results" aria-label="pip search results">
        {results.map((r) => (
          <li key={r.name}>
            <div className="result-text">
              <strong>{r.name}</strong> <span className="muted">{r.index}</span>
              {r.versions?.length ? (
                <small className="muted"> {r.versions.slice(-5).join(', ')}</small>
              ) : null}
            </div>
            <button
              type="button"
              aria-label={`Add pip package ${r.name}`}
              disabled={names.has(r.name.toLowerCase().replace(/[-_.]+/g, '-'))}
              onClick={() => add(r.name)}
            >
              {names.has(r.name.toLowerCase().replace(/[-_.]+/g, '-')) ? 'Added' : 'Add'}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
