import { formatSizeIn, type SizeScale } from '../../../../shared/format/size';
import { useApp } from '../../store';
import type { RuleRow } from '../../store/selectors';
import { BreakingNote } from './BreakingNote';

type Verdict = Parameters<typeof BreakingNote>[0]['verdict'];

/** One catalog rule: switch, risk, what it saves here and from which packages, what it may break. */
export function RuleItem({
  rule,
  unit,
  verdict,
}: {
  rule: RuleRow;
  unit: SizeScale;
  verdict: Verdict;
}) {
  const toggleRule = useApp((s) => s.toggleRule);
  return (
    <li>
      <label className="check">
        <input
          type="checkbox"
          role="switch"
          checked={rule.enabled}
          onChange={() => void toggleRule(rule.id)}
        />
        {rule.title}
      </label>
      <span className={`badge risk-${rule.risk}`}>{rule.risk} risk</span>
      <span className="num">
        {rule.savingBytes === undefined ? '' : formatSizeIn(-rule.savingBytes, unit)}
      </span>
      <small className="muted rule-detail">
        {rule.savingBytes === undefined
          ? ''
          : rule.owners.length
            ? `from ${rule.owners.slice(0, 4).join(', ')}${rule.owners.length > 4 ? ` and ${rule.owners.length - 4} more` : ''}. `
            : 'Nothing to remove in this environment. '}
        May break: {rule.mayBreak}
      </small>
      <BreakingNote verdict={verdict} />
    </li>
  );
}
