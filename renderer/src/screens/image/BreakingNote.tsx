import type { BreakingRule } from '../../../../shared/api/build';

/** "Broke the smoke test in build X" next to a rule the newest build blames. */
export function BreakingNote({
  verdict,
}: {
  verdict: (BreakingRule & { buildId: string }) | undefined;
}) {
  if (!verdict) return null;
  const last = verdict.output.trim().split('\n').slice(-1)[0] ?? '';
  return (
    <small className="rule-breaking" role="note" title={verdict.output}>
      {verdict.verdict === 'breaks' ? 'Broke' : 'May have broken'} the smoke test in build{' '}
      {verdict.buildId} ({verdict.failingVariant} failed, {verdict.passingVariant} passed without
      it){last ? `: ${last}` : ''}
    </small>
  );
}
