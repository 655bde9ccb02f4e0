import { useApp } from '../../store';
import { programSelectors } from '../../store/selectors';

/**
 * The rules of the variant remove a program of a package environment.yml asks for (the safe preset
 * removes pip, sqlite3 and openssl): say so, and offer to keep each one.
 */
export function RequestedProgramsNote() {
  const recipe = useApp((s) => s.recipe);
  const savings = useApp((s) => s.savings);
  const environment = useApp((s) => s.environment);
  const editingVariant = useApp((s) => s.editingVariant);
  const toggleRule = useApp((s) => s.toggleRule);
  const removals = programSelectors.requestedRemovals({
    recipe,
    savings,
    environment,
    editingVariant,
  });
  if (removals.length === 0) return null;
  return (
    <div role="note" aria-label="Programs you asked for" className="warn-note stack">
      <p>
        These rules remove programs of packages environment.yml asks for. If your service or its
        scripts call them, keep them:
      </p>
      <ul>
        {removals.map((r) => (
          <li key={r.ruleId} className="row row-center">
            <span>
              {r.program} (from <code>{r.requested}</code>)
            </span>
            <button type="button" onClick={() => void toggleRule(r.ruleId)}>
              Keep {r.program}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
