import { useState } from 'react';

import type { PrunePresetId } from '../../../../shared/recipe/model';
import { SizeBar } from '../../components/Charts';
import { DockerfilePreview } from '../../components/DockerfilePreview';
import { EmptyState, ErrorNote } from '../../components/Notice';
import { useApp } from '../../store';
import { recipeSelectors } from '../../store/selectors';
import { EnvironmentVariables } from '../EnvironmentVariables';
import { RecipeFields } from '../RecipeFields';
import { EstimateNotes } from './EstimateNotes';
import { Explain } from './Explain';
import { PruneRules } from './PruneRules';
import { RecipeConflictNote } from './RecipeConflictNote';
import { RequestedProgramsNote } from './RequestedProgramsNote';
import { SpaceTreemap } from './SpaceTreemap';

const PRESETS: { id: PrunePresetId; label: string }[] = [
  { id: 'none', label: 'No pruning' },
  { id: 'safe', label: 'Safe' },
  { id: 'expert', label: 'Expert' },
];

/**
 * Base images, entrypoint, own package, BuildKit; variants and prune rules with savings; where the
 * space goes. The size bar and the Dockerfile preview stay in view while the rules scroll.
 */
export function ImageScreen() {
  const recipe = useApp((s) => s.recipe);
  const savings = useApp((s) => s.savings);
  const editing = useApp((s) => s.editingVariant);
  const dockerfile = useApp((s) => s.dockerfile);
  const issue = useApp((s) => s.recipeIssue);
  const error = useApp((s) => s.recipeError);
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
  const estimate = recipeSelectors.sizeEstimate(state);
  const preset = recipeSelectors.activePreset(state);
  const variant = recipeSelectors.editingVariant(state);
  const variants = recipeSelectors.variantIds(state);

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
      <div className="columns image-columns">
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
            <Explain summary="What prune rules, presets and variants are">
              <p>
                A <strong>prune rule</strong> deletes files the running service does not need (test
                suites, headers, caches) from the environment before it is copied into the small
                runtime image. Each rule says what it saves here and what it may break.
              </p>
              <p>
                A <strong>preset</strong> is a ready set of rules: <em>Safe</em> removes only files
                a running program never reads; <em>Expert</em> also removes what most services do
                without (bytecode caches, pip, package metadata).
              </p>
              <p>
                A <strong>variant</strong> is one image built with its own rules. Build several to
                compare their sizes and smoke tests on the Results screen.
              </p>
            </Explain>
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
            <RequestedProgramsNote />
            <PruneRules />
          </div>
          <SpaceTreemap />
        </div>
        {/* Stays in view while the rules scroll: the size and the Dockerfile answer each toggle. */}
        <aside className="card stack sticky-panel" aria-label="Estimated size and Dockerfile">
          <h3>Estimated size{variants.length > 1 ? ` of ${variant ?? ''}` : ''}</h3>
          {estimate ? (
            <>
              <SizeBar total={estimate.environmentBytes} remaining={estimate.remainingBytes} />
              <EstimateNotes estimate={estimate} />
            </>
          ) : analyzeJob?.state === 'running' ? (
            <p role="status">Measuring what each rule removes…</p>
          ) : (
            <p className="muted">
              Lock the environment (Lock screen) to see how much each rule saves.
            </p>
          )}
          <h3>Dockerfile</h3>
          <ErrorNote message={issue} />
          <DockerfilePreview text={dockerfile} />
        </aside>
      </div>
    </section>
  );
}
