import type { JobProgress } from '../../../../../shared/api/jobs';

/** A running trace: its phase, a bar when the service gives a fraction, and why it takes a while. */
export function TraceProgress({
  variant,
  suggesting,
  progress,
}: {
  variant: string;
  suggesting: boolean;
  progress?: JobProgress;
}) {
  return (
    <div role="status" className="trace-progress">
      <p>
        {suggesting ? 'Tracing and building the traced variant of ' : 'Tracing '}
        {variant}: {progress?.message ?? 'starting…'}
      </p>
      {progress?.fraction !== undefined ? (
        <progress aria-label="Trace progress" max={1} value={progress.fraction} />
      ) : (
        <progress aria-label="Trace progress" />
      )}
      <p className="muted">
        This can take minutes: the checks run again under the tracer
        {suggesting ? ', then the suggested variant is built and checked' : ''}. You can leave this
        screen meanwhile.
      </p>
    </div>
  );
}
