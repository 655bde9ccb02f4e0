import { useApp } from '../../store';

/** condense.yml changed on disk under the app's change: the user decides, nothing is overwritten. */
export function RecipeConflictNote() {
  const conflict = useApp((s) => s.recipeConflict);
  const reload = useApp((s) => s.loadRecipe);
  const keep = useApp((s) => s.keepRecipeChange);
  if (!conflict) return null;
  return (
    <div role="alert" aria-label="condense.yml changed on disk" className="error-note stack">
      <p>
        {conflict.message} Your last change on this screen is not saved. Reload from disk: use the
        file as it is now and drop your change. Keep my change: the screen&apos;s values replace the
        file&apos;s (its comments stay).
      </p>
      <div className="row">
        <button type="button" onClick={() => void reload()}>
          Reload from disk
        </button>
        <button type="button" onClick={() => void keep()}>
          Keep my change
        </button>
      </div>
    </div>
  );
}
