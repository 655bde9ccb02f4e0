import { formatSize, formatSizeColumn } from '../../../../../shared/format/size';
import type { TraceReport } from '../../../../../shared/trace/model';
import { traceSelectors } from '../../../store/trace-view';

const PROBE_KIND = { imports: 'Imports', command: 'Command', service: 'Service' } as const;

/**
 * What the checks ran (what the report rests on), the rules that would break it, and the largest
 * unused files (full width: their paths are long).
 */
export function TraceFindings({ report }: { report: TraceReport }) {
  const breaking = traceSelectors.rulesRemovingUsed(report);
  const unusedSizes = formatSizeColumn(report.largestUnused.map((f) => f.bytes));
  return (
    <>
      <section aria-labelledby="trace-probes-title">
        <h4 id="trace-probes-title">What the checks exercised</h4>
        {report.probes.length > 0 ? (
          <ul aria-label="What the checks exercised" className="trace-probes">
            {report.probes.map((probe, i) => (
              <li key={i} className={probe.passed ? 'smoke-passed' : 'smoke-failed'}>
                <span>{probe.passed ? '✓ passed' : '✗ failed'}</span> {PROBE_KIND[probe.kind]}:{' '}
                <code>{probe.label}</code> <span className="muted">{probe.message}</span>
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">
            No check ran: the report only counts what starting the image used.
          </p>
        )}
      </section>
      {breaking.length > 0 ? (
        <section className="warn-note" aria-labelledby="trace-breaking-title">
          <h4 id="trace-breaking-title">Rules that would remove used files</h4>
          <p className="muted">
            These catalog rules are off in this variant, and they would remove files the checks
            used: turning them on would likely break the service.
          </p>
          <ul aria-label="Rules that would remove used files" className="trace-breaking">
            {breaking.map((rule) => (
              <li key={rule.id}>
                <strong>Warning:</strong> {rule.title} would remove {formatSize(rule.usedBytes)}{' '}
                that the checks used
                {rule.usedExamples.length > 0 ? (
                  <>
                    , for example{' '}
                    {rule.usedExamples.map((path, i) => (
                      <span key={path}>
                        {i > 0 ? ', ' : ''}
                        <code>{path}</code>
                      </span>
                    ))}
                  </>
                ) : null}
                .
              </li>
            ))}
          </ul>
        </section>
      ) : (
        <p className="muted">No catalog rule would remove a file the checks used.</p>
      )}
      <section aria-labelledby="trace-unused-title">
        <h4 id="trace-unused-title">Largest unused files</h4>
        {report.largestUnused.length > 0 ? (
          <table aria-label="Largest unused files">
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col">Package</th>
                <th scope="col" className="num">
                  Size
                </th>
              </tr>
            </thead>
            <tbody>
              {report.largestUnused.map((file, i) => (
                <tr key={file.path}>
                  <td className="wrap-cell">
                    <code>{file.path}</code>
                  </td>
                  <td>{file.package}</td>
                  <td className="num">{unusedSizes[i]}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="muted">Every shipped file was used.</p>
        )}
      </section>
    </>
  );
}
