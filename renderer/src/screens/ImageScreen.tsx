import { useState } from 'react';

import type { BreakingRule } from '../../../shared/api/build';
import { formatSizeIn, sizeScale } from '../../../shared/format/size';
import type { PrunePresetId } from '../../../shared/recipe/model';
import { SizeBar } from '../components/Charts';
import { DockerfilePreview } from '../components/DockerfilePreview';
import { EmptyState, ErrorNote } from '../components/Notice';
import { useApp } from '../store';
import { pruneOf } from '../store/recipe-helpers';
import { buildSelectors, recipeSelectors } from '../store/selectors';
import { EnvironmentVariables } from './EnvironmentVariables';
import { RecipeFields } from './RecipeFields';

const PRESETS: { id: PrunePresetId; label: string }[] = [
  { id: 'none', label: 'No pruning' },
  { id: 'safe', label: 'Safe' },
  { id: 'expert', label: 'Expert' },
];

/** Base images, entrypoint, own package, BuildKit; prune rules with savings; size bar; Dockerfile. */
export function ImageScreen() {
  const recipe = useApp((s) => s.recipe);
  const savings = useApp((s) => s.savings);
  const editing = useApp((s) => s.editingVariant);
  const dockerfile = useApp((s) => s.dockerfile);
  const issue = useApp((s) => s.recipeIssue);
  const error = useApp((s) => s.recipeError);
  const toggleRule = useApp((s) => s.toggleRule);
  const applyPreset = useApp((s) => s.applyPreset);
  const selectVariant = useApp((s) => s.selectVariant);
  const addVariant = useApp((s) => s.addVariant);
  const issues = useApp((s) => s.recipeIssues);
  const recipeVersion = useApp((s) => s.recipeVersion);
  const useBuildKit = useApp((s) => s.useBuildKit);
  const setUseBuildKit = useApp((s) => s.setUseBuildKit);
  const analyzeJob = useApp((s) => (s.analyzeJobId ? s.jobs[s.analyzeJobId] : undefined));
  const [newVariant, setNewVariant] = useState('');
  const state = { recipe, savings, editingVariant: editing };
  const rules = recipeSelectors.rules(state);
  // One unit for the savings column so the rules compare at a glance.
  const savingUnit = sizeScale(rules.map((r) => r.savingBytes));
  const estimate = recipeSelectors.sizeEstimate(state);
  const preset = recipeSelectors.activePreset(state);
  const variant = recipeSelectors.editingVariant(state);
  const variants = recipeSelectors.variantIds(state);
  const history = useApp((s) => s.history);
  const addCustomRule = useApp((s) => s.addCustomRule);
  const removeCustomRule = useApp((s) => s.removeCustomRule);
  const [customGlob, setCustomGlob] = useState('');
  const breaking = buildSelectors.breakingRules({ history });
  const customGlobs = recipe ? pruneOf(recipe, editing).custom : [];
  const listed = new Set([...rules.map((r) => r.id), ...customGlobs.map((g) => `custom:${g}`)]);
  // Rules blamed in the newest build but not in this variant's list (another variant's globs).
  const otherBreaking = [...breaking.values()].filter((b) => !listed.has(b.rule));

  if (!recipe) {
    return (
      <section className="screen" aria-labelledby="image-title">
        <h2 id="image-title">Image</h2>
        <ErrorNote message={error} />
        <EmptyState title="No recipe loaded">
          <p>Open a project first; its condense.yml holds the image recipe.</p>
        </EmptyState>
      </section>
    );
  }

  return (
    <section className="screen" aria-labelledby="image-title">
      <h2 id="image-title">Image</h2>
      <ErrorNote message={error} />
      <RecipeConflictNote />
      {issues.length ? (
        <div role="alert" className="error-note">
          condense.yml has problems: {issues.map((i) => `${i.field}: ${i.message}`).join('; ')}
        </div>
      ) : null}
      <div className="columns">
        <div className="stack">
          <RecipeFields key={recipeVersion} recipe={recipe} />
          <EnvironmentVariables />
          <label className="check card">
            <input
              type="checkbox"
              checked={useBuildKit}
              onChange={(e) => setUseBuildKit(e.target.checked)}
            />
            Build with BuildKit (off: the classic builder and its Dockerfile)
          </label>
          <div className="card stack">
            <h3>Prune rules</h3>
            <div className="row">
              <label>
                Variant
                <select value={variant ?? ''} onChange={(e) => selectVariant(e.target.value)}>
                  {variants.map((id) => (
                    <option key={id} value={id}>
                      {id}
                    </option>
                  ))}
                </select>
              </label>
              <form
                className="row"
                onSubmit={(e) => {
                  e.preventDefault();
                  void addVariant(newVariant).then(() => setNewVariant(''));
                }}
              >
                <label>
                  New variant
                  <input
                    value={newVariant}
                    onChange={(e) => setNewVariant(e.target.value)}
                    placeholder="slim"
                  />
                </label>
                <button type="submit" disabled={!newVariant.trim()}>
                  Add variant
                </button>
              </form>
            </div>
            {estimate ? (
              <SizeBar total={estimate.environmentBytes} remaining={estimate.remainingBytes} />
            ) : analyzeJob?.state === 'running' ? (
              <p role="status">Measuring what each rule removes…</p>
            ) : (
              <p className="muted">
                Lock the environment (Lock screen) to see how much each rule saves.
              </p>
            )}
            <ErrorNote
              message={
                analyzeJob?.state === 'failed'
                  ? `Could not measure the savings: ${analyzeJob.error ?? 'unknown error'}`
                  : undefined
              }
            />
            {savings?.warnings.length ? (
              <ul className="muted" aria-label="Estimate warnings">
                {savings.warnings.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            ) : null}
            <div className="row" role="group" aria-label="Presets">
              {PRESETS.map((p) => (
                <button
                  key={p.id}
                  type="button"
                  aria-pressed={preset === p.id}
                  onClick={() => void applyPreset(p.id)}
                >
                  {p.label}
                </button>
              ))}
            </div>
            <ul className="rules" aria-label="Prune rules">
              {rules.map((rule) => (
                <li key={rule.id}>
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
                    {rule.savingBytes === undefined
                      ? ''
                      : formatSizeIn(-rule.savingBytes, savingUnit)}
                  </span>
                  <small className="muted rule-detail">
                    {rule.savingBytes === undefined
                      ? ''
                      : rule.owners.length
                        ? `from ${rule.owners.slice(0, 4).join(', ')}${rule.owners.length > 4 ? ` and ${rule.owners.length - 4} more` : ''}. `
                        : 'Nothing to remove in this environment. '}
                    May break: {rule.mayBreak}
                  </small>
                  <BreakingNote verdict={breaking.get(rule.id)} />
                </li>
              ))}
              {customGlobs.map((glob) => (
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
                  <span />
                  <BreakingNote verdict={breaking.get(`custom:${glob}`)} />
                </li>
              ))}
              {otherBreaking.map((verdict) => (
                <li key={verdict.rule}>
                  <span>{verdict.rule}</span>
                  <BreakingNote verdict={verdict} />
                </li>
              ))}
            </ul>
            <form
              className="row"
              onSubmit={(e) => {
                e.preventDefault();
                void addCustomRule(customGlob).then(() => setCustomGlob(''));
              }}
            >
              <label className="grow">
                Custom prune glob
                <input
                  value={customGlob}
                  placeholder="lib/python3.11/site-packages/*/tests"
                  onChange={(e) => setCustomGlob(e.target.value)}
                />
              </label>
              <button type="submit">Add custom rule</button>
            </form>
          </div>
        </div>
        <div className="card stack">
          <h3>Dockerfile</h3>
          <ErrorNote message={issue} />
          <DockerfilePreview text={dockerfile} />
        </div>
      </div>
    </section>
  );
}

/** condense.yml changed on disk under the app's change: the user decides, nothing is overwritten. */
function RecipeConflictNote() {
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

/** "Broke the smoke test in build X" next to a rule the newest build blames. */
function BreakingNote({ verdict }: { verdict: (BreakingRule & { buildId: string }) | undefined }) {
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
