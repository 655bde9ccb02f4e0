import type { StepView } from '../../store/types';

const STATE_TEXT: Record<StepView['state'], string> = {
  waiting: 'waiting',
  running: 'running',
  done: '',
  cached: 'cached',
  failed: 'failed',
  cancelled: 'not finished',
};

const STATE_MARK: Record<StepView['state'], string> = {
  waiting: '○',
  running: '●',
  done: '✓',
  cached: '✓',
  failed: '✕',
  cancelled: '–',
};

function stateText(step: StepView): string {
  if (step.state === 'cancelled' && step.startedAt === undefined) return 'not run';
  if (step.state !== 'done') return STATE_TEXT[step.state];
  if (step.startedAt === undefined || step.completedAt === undefined) return 'done';
  return `${((step.completedAt - step.startedAt) / 1000).toFixed(1)} s`;
}

/** Where a step sits on the build's time axis, as fractions of the whole span (0..1). */
export function stepSpans(
  steps: StepView[],
  now: number,
): Map<string, { left: number; width: number }> {
  const timed = steps.filter((s) => s.startedAt !== undefined);
  const spans = new Map<string, { left: number; width: number }>();
  if (timed.length === 0) return spans;
  const start = Math.min(...timed.map((s) => s.startedAt!));
  const end = Math.max(...timed.map((s) => s.completedAt ?? now));
  const total = Math.max(1, end - start);
  for (const step of timed) {
    const left = (step.startedAt! - start) / total;
    const width = ((step.completedAt ?? now) - step.startedAt!) / total;
    spans.set(step.id, { left, width: Math.min(1 - left, width) });
  }
  return spans;
}

/** The build's steps with their state in words and when each ran. */
export function Timeline({ steps }: { steps: StepView[] }) {
  if (steps.length === 0)
    return <p className="muted">Steps appear here as the build reaches them.</p>;
  // "Now" is the newest time any step reported: rendering stays pure, and running steps grow with events.
  const latest = Math.max(0, ...steps.flatMap((s) => [s.startedAt ?? 0, s.completedAt ?? 0]));
  const spans = stepSpans(steps, latest);
  return (
    <ol className="timeline" aria-label="Build steps">
      {steps.map((step) => {
        const span = spans.get(step.id);
        return (
          <li key={step.id} className={`step step-${step.state}`}>
            <span className="step-state" aria-hidden="true">
              {STATE_MARK[step.state]}
            </span>
            {/* Long RUN lines are cut to three lines; the whole instruction shows on hover. */}
            <span className="step-name" title={step.name}>
              {step.name}
            </span>
            <span className="muted step-status">{stateText(step)}</span>
            {step.error ? <span className="error-text step-error-text">{step.error}</span> : null}
            {span ? (
              // The durations are in the text; the bar shows when each step ran and what overlapped.
              <span className="step-track" aria-hidden="true">
                <span
                  className="step-bar"
                  style={{
                    marginLeft: `${(span.left * 100).toFixed(2)}%`,
                    width: `max(2px, ${(span.width * 100).toFixed(2)}%)`,
                  }}
                />
              </span>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}
