import { formatSize, formatSizeColumn } from '../../../../../shared/format/size';
import type { TraceView } from '../../../store/trace-view';

/**
 * "Create the traced variant": custom prune rules for what no check used, grouped with a reason,
 * built and checked again; written into condense.yml only when every check passed.
 */
export function TraceSuggestion({
  view,
  busy,
  onCreate,
}: {
  view: TraceView;
  busy: boolean;
  onCreate: () => void;
}) {
  const record = view.record;
  const suggestion = record?.suggestion;
  const verified = record?.verified;
  const sizes = formatSizeColumn((suggestion?.groups ?? []).map((g) => g.bytes));
  return (
    <section className="trace-suggestion" aria-labelledby="trace-suggestion-title">
      <h4 id="trace-suggestion-title">The traced variant</h4>
      <p className="muted">
        Custom prune rules for what no check used, grouped with a reason. Condense builds it and
        runs every check again; only if they pass is it written into condense.yml.
      </p>
      <button type="button" disabled={busy} onClick={onCreate}>
        Create the traced variant
      </button>
      {view.phase === 'running' && view.suggesting ? (
        <p className="muted">The suggestion appears here once it is built and checked.</p>
      ) : null}
      {suggestion ? (
        <>
          <p>
            Variant <code>{suggestion.variantId}</code>, from <code>{suggestion.from}</code>:
            removes {formatSize(suggestion.removedBytes)}, keeps {formatSize(suggestion.keptBytes)}.
          </p>
          <table aria-label="Suggested rules">
            <thead>
              <tr>
                <th scope="col">Reason</th>
                <th scope="col" className="num">
                  Removes
                </th>
                <th scope="col">Globs</th>
              </tr>
            </thead>
            <tbody>
              {suggestion.groups.map((group, i) => (
                <tr key={group.reason}>
                  <th scope="row" className="wrap-cell">
                    {group.reason}
                  </th>
                  <td className="num">{sizes[i]}</td>
                  <td>
                    <details>
                      <summary>
                        {group.globs.length} {group.globs.length === 1 ? 'glob' : 'globs'}
                      </summary>
                      <ul aria-label={`Globs: ${group.reason}`} className="trace-globs">
                        {group.globs.map((glob) => (
                          <li key={glob}>
                            <code>{glob}</code>
                          </li>
                        ))}
                      </ul>
                    </details>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {verified?.passed ? (
            <p role="status" className="ok-note">
              {/* The service's sentence says it passed and was written to condense.yml. */}
              {verified.message}
              {verified.sizeBytes !== undefined && record
                ? ` Its image: ${formatSize(verified.sizeBytes)}, against ${formatSize(record.report.shippedBytes)} for ${record.variant}.`
                : ''}
            </p>
          ) : verified ? (
            // The service's sentence says why and that nothing was written.
            <p role="alert" className="error-note">
              {verified.message}
            </p>
          ) : (
            <p className="muted">Not built or checked yet: nothing was written to condense.yml.</p>
          )}
        </>
      ) : null}
    </section>
  );
}
