import { sizeScale } from '../../../../shared/format/size';
import { useApp } from '../../store';
import { buildSelectors, recipeSelectors } from '../../store/selectors';
import { BreakingNote } from './BreakingNote';
import { CustomGlobForm } from './CustomGlobForm';
import { CustomRuleGroupItem } from './CustomRuleGroupItem';
import { CustomRuleItem } from './CustomRuleItem';
import { RuleItem } from './RuleItem';

/**
 * The rules of the variant being edited. Rules that remove nothing in this environment are folded
 * under "Not applicable here" (they only took room); custom globs show what they remove, those with
 * a reason (a trace's hundreds) folded into one group per reason.
 */
export function PruneRules() {
  const recipe = useApp((s) => s.recipe);
  const savings = useApp((s) => s.savings);
  const editing = useApp((s) => s.editingVariant);
  const history = useApp((s) => s.history);
  const state = { recipe, savings, editingVariant: editing };
  const rules = recipeSelectors.rules(state);
  const custom = recipeSelectors.customRules(state);
  // One unit for the savings column so the rules compare at a glance.
  const unit = sizeScale([
    ...rules.map((r) => r.savingBytes),
    ...custom.single.map((r) => r.savingBytes),
    ...custom.groups.map((g) => g.savingBytes),
  ]);
  const breaking = buildSelectors.breakingRules({ history });
  const listed = new Set([
    ...rules.map((r) => r.id),
    ...custom.single.map((r) => r.id),
    ...custom.groups.flatMap((g) => g.rules.map((r) => r.id)),
  ]);
  // Rules blamed in the newest build but not in this variant's list (another variant's globs).
  const otherBreaking = [...breaking.values()].filter((b) => !listed.has(b.rule));
  const applies = (r: (typeof rules)[number]) =>
    r.savingBytes === undefined || r.savingBytes > 0 || breaking.has(r.id);
  const shown = rules.filter(applies);
  const folded = rules.filter((r) => !applies(r));

  return (
    <>
      <ul className="rules" aria-label="Prune rules">
        {shown.map((rule) => (
          <RuleItem key={rule.id} rule={rule} unit={unit} verdict={breaking.get(rule.id)} />
        ))}
        {custom.single.map((rule) => (
          <CustomRuleItem key={rule.id} rule={rule} unit={unit} verdict={breaking.get(rule.id)} />
        ))}
        {custom.groups.map((group) => (
          <CustomRuleGroupItem
            key={`reason:${group.reason}`}
            group={group}
            unit={unit}
            verdicts={breaking}
          />
        ))}
        {otherBreaking.map((verdict) => (
          <li key={verdict.rule}>
            <span>{verdict.rule}</span>
            <BreakingNote verdict={verdict} />
          </li>
        ))}
      </ul>
      {folded.length > 0 ? (
        <details className="not-applicable">
          <summary>
            Not applicable here ({folded.length}): these rules find nothing to remove in this
            environment
          </summary>
          <ul className="rules" aria-label="Rules not applicable here">
            {folded.map((rule) => (
              <RuleItem key={rule.id} rule={rule} unit={unit} verdict={undefined} />
            ))}
          </ul>
        </details>
      ) : null}
      <CustomGlobForm />
    </>
  );
}
