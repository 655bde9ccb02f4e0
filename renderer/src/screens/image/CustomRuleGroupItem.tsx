import { useId, useState } from 'react';

import { formatSizeIn, type SizeScale } from '../../../../shared/format/size';
import type { CustomRuleGroup } from '../../store/prune-view';
import type { BreakingNote } from './BreakingNote';
import { CustomRuleItem } from './CustomRuleItem';

type Verdict = Parameters<typeof BreakingNote>[0]['verdict'];

/**
 * Custom globs sharing a reason (a trace writes hundreds): folded to the reason, how many globs and
 * what they remove; expanded, each glob with its own controls.
 */
export function CustomRuleGroupItem({
  group,
  unit,
  verdicts,
}: {
  group: CustomRuleGroup;
  unit: SizeScale;
  verdicts: Map<string, NonNullable<Verdict>>;
}) {
  const [open, setOpen] = useState(false);
  const listId = useId();
  const count = group.rules.length;
  const blamed = group.rules.filter((r) => verdicts.has(r.id)).length;
  const measured = count - group.unmeasured;
  return (
    <li className="custom-group">
      <h4 className="custom-group-title">
        <button
          type="button"
          aria-expanded={open}
          // Points at the list only while it is there (folded, nothing is rendered to point at).
          {...(open ? { 'aria-controls': listId } : {})}
          onClick={() => setOpen(!open)}
        >
          <span aria-hidden="true">{open ? '▾' : '▸'} </span>
          {group.reason}{' '}
          <span className="muted">
            ({count} custom glob{count === 1 ? '' : 's'})
          </span>
        </button>
      </h4>
      <span className="muted">
        {group.unmeasured > 0 ? `${group.unmeasured} not measured yet` : ''}
      </span>
      <span className="num">{measured > 0 ? formatSizeIn(-group.savingBytes, unit) : ''}</span>
      {blamed > 0 ? (
        <small className="rule-breaking" role="note">
          {blamed === 1 ? 'One glob' : `${blamed} globs`} of this group broke the smoke test in the
          newest build{open ? '' : ': expand to see which'}.
        </small>
      ) : null}
      {open ? (
        <ul
          id={listId}
          className="rules custom-group-rules"
          aria-label={`Custom globs: ${group.reason}`}
        >
          {group.rules.map((rule) => (
            <CustomRuleItem key={rule.id} rule={rule} unit={unit} verdict={verdicts.get(rule.id)} />
          ))}
        </ul>
      ) : null}
    </li>
  );
}
