import { formatSize } from '../../../../shared/format/size';
import { useApp } from '../../store';
import type { SizeEstimate } from '../../store/selectors';

/**
 * Under the size bar: what the custom globs take part in the figure, and when the figure is only a
 * bound (rules overlapping where the per-rule figures cannot tell by how much) or leaves globs out.
 */
export function EstimateNotes({ estimate }: { estimate: SizeEstimate }) {
  const analyze = useApp((s) => s.analyze);
  const measuring = useApp((s) =>
    s.analyzeJobId ? s.jobs[s.analyzeJobId]?.state === 'running' : false,
  );
  const unmeasured = estimate.unmeasuredGlobs.length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return (
    <div className="stack estimate-notes">
      {estimate.customGlobs > 0 ? (
        <p className="muted">
          With the {plural(estimate.customGlobs, 'custom glob')}, which remove{' '}
          {formatSize(estimate.customBytes)} on their own.
        </p>
      ) : null}
      {!estimate.exact ? (
        <p className="muted" role="note" aria-label="Upper bound">
          An upper bound on the saving: some of these rules remove files in the same folders and the
          figures per rule cannot tell how much they overlap, so the environment is at least{' '}
          {formatSize(estimate.remainingBytes)}.
        </p>
      ) : null}
      {unmeasured > 0 ? (
        <p className="muted" role="note" aria-label="Custom globs not measured">
          {plural(unmeasured, 'custom glob')} {unmeasured === 1 ? 'is' : 'are'} not measured yet and
          left out of this figure.
        </p>
      ) : null}
      {!estimate.exact || unmeasured > 0 ? (
        <button type="button" disabled={measuring} onClick={() => void analyze()}>
          {measuring ? 'Measuring…' : 'Measure these rules exactly'}
        </button>
      ) : null}
    </div>
  );
}
