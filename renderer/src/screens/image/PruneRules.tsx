import { sizeScale } from '../../../../shared/format/size';
import { formatSizeIn } from '../../../../shared/format/size';
import { useApp } from '../../store';
import { pruneOf } from '../../store/recipe-helpers';
import { buildSelectors, recipeSelectors } from '../../store/selectors';
import { BreakingNote } from './BreakingNote';
import { CustomGlobForm } from './CustomGlobForm';
import { RuleItem } from './RuleItem';

/**
 * The rules of the variant being edited. Rules that remove nothing in this environment are folded
 * under "Not applicable here" (they only took room); custom globs show what they remove.
 */
export function PruneRules() {
  const recipe = useApp((s) => s.recipe);
  const savings = useApp((s) => s.savings);
  const editing = useApp((s) => s.editingVariant);
  const history = useApp((s) => s.history);
  const removeCustomRule = useApp((s) => s.removeCustomRule);
  const rules = recipeSelectors.rules({ recipe, savings, editingVariant: editing });
  // One unit for the savings column so the rules compare at a glance.
  const unit = sizeScale(rules.map((r) => r.savingBytes));
  const breaking = buildSelectors.breakingRules({ history });
  const customGlobs = recipe ? pruneOf(recipe, editing).custom : [];
  const customSavings = new Map((savings?.rules ?? []).map((r) => [r.ruleId, r]));
  const listed = new Set([...rules.map((r) => r.id), ...customGlobs.map((g) => `custom:${g}`)]);
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
        {customGlobs.map((glob) => {
          const saving = customSavings.get(`custom:${glob}`);
          return (
            <li key={`custom:${glob}`}>
              <span>
                Custom: <code>{glob}</code>
              </span>
              <button
                type="button"
                aria-label={`Remove custom rule ${glob}`}
                onClick={() => void removeCustomRule(glob)}
              >
                Remove
              </button>
              <span className="num">{saving ? formatSizeIn(-saving.bytes, unit) : ''}</span>
              <BreakingNote verdict={breaking.get(`custom:${glob}`)} />
            </li>
          );
        })}
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
