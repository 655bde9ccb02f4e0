import { formatSizeIn, type SizeScale } from '../../../../shared/format/size';
import { useApp } from '../../store';
import type { CustomRuleRow } from '../../store/prune-view';
import { BreakingNote } from './BreakingNote';

type Verdict = Parameters<typeof BreakingNote>[0]['verdict'];

/** One custom glob: what it removes here, a way to remove it, what it broke. */
export function CustomRuleItem({
  rule,
  unit,
  verdict,
}: {
  rule: CustomRuleRow;
  unit: SizeScale;
  verdict: Verdict;
}) {
  const removeCustomRule = useApp((s) => s.removeCustomRule);
  return (
    <li>
      <span>
        Custom: <code>{rule.glob}</code>
      </span>
      <button
        type="button"
        aria-label={`Remove custom rule ${rule.glob}`}
        onClick={() => void removeCustomRule(rule.glob)}
      >
        Remove
      </button>
      <span className="num">
        {rule.savingBytes === undefined ? '' : formatSizeIn(-rule.savingBytes, unit)}
      </span>
      <BreakingNote verdict={verdict} />
    </li>
  );
}
