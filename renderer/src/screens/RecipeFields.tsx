import { useState } from 'react';

import type { NetworkMode } from '../../../shared/checks/model';
import type { Entrypoint, EntrypointPreset, Recipe } from '../../../shared/recipe/model';
import { useApp } from '../store';

const PRESETS: { value: EntrypointPreset; label: string; placeholder: string }[] = [
  { value: 'none', label: 'No command', placeholder: '' },
  { value: 'module', label: 'python -m module', placeholder: 'mypackage.serve' },
  { value: 'script', label: 'python script', placeholder: '/app/serve.py' },
  { value: 'gunicorn', label: 'gunicorn + uvicorn app', placeholder: 'mypackage.serve:app' },
  { value: 'command', label: 'Command (JSON list)', placeholder: '["/env/bin/mytool", "--serve"]' },
];

function entrypointText(entrypoint: Entrypoint): string {
  switch (entrypoint.preset) {
    case 'module':
      return entrypoint.module;
    case 'script':
      return entrypoint.script;
    case 'gunicorn':
      return entrypoint.app;
    case 'command':
      return JSON.stringify(entrypoint.command);
    case 'none':
      return '';
  }
}

/** Turns the form's preset and text into an Entrypoint, or a message saying what to type. */
export function parseEntrypoint(preset: EntrypointPreset, text: string): Entrypoint | string {
  const value = text.trim();
  if (preset === 'none') return { preset };
  if (!value) return 'Type what the container runs, or choose “No command”.';
  if (preset === 'module') return { preset, module: value };
  if (preset === 'script') return { preset, script: value };
  if (preset === 'gunicorn') return { preset, app: value };
  try {
    const parsed: unknown = JSON.parse(value);
    if (Array.isArray(parsed) && parsed.length > 0 && parsed.every((p) => typeof p === 'string')) {
      return { preset, command: parsed };
    }
  } catch {
    // Falls through to the message below.
  }
  return 'The command must be a JSON list of strings, e.g. ["/env/bin/mytool", "--serve"]: the runtime image has no shell.';
}

/** Base images, entrypoint, own package, BuildKit. Drafts are saved on blur or Enter, not per key. */
export function RecipeFields({ recipe }: { recipe: Recipe }) {
  const updateRecipe = useApp((s) => s.updateRecipe);
  const [builder, setBuilder] = useState(recipe.builderImage);
  const [runtime, setRuntime] = useState(recipe.runtimeImage);
  const [preset, setPreset] = useState<EntrypointPreset>(recipe.entrypoint.preset);
  const [command, setCommand] = useState(entrypointText(recipe.entrypoint));
  const [packagePath, setPackagePath] = useState(recipe.package?.path ?? '');
  const [entryError, setEntryError] = useState('');

  const commitEntrypoint = (nextPreset = preset) => {
    const parsed = parseEntrypoint(nextPreset, command);
    if (typeof parsed === 'string') {
      setEntryError(parsed);
      return;
    }
    setEntryError('');
    void updateRecipe({ entrypoint: parsed });
  };
  const commitPackage = () => {
    const path = packagePath.trim();
    if (path === (recipe.package?.path ?? '')) return;
    void updateRecipe({
      package: path ? { path, noBuildIsolation: recipe.package?.noBuildIsolation ?? true } : null,
    });
  };
  const onEnter = (commit: () => void) => (e: React.KeyboardEvent) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      commit();
    }
  };

  return (
    <div className="card stack">
      <h3>Base images and entrypoint</h3>
      <label>
        Builder image
        <input
          value={builder}
          onChange={(e) => setBuilder(e.target.value)}
          onBlur={() =>
            builder.trim() !== recipe.builderImage &&
            void updateRecipe({ builderImage: builder.trim() })
          }
        />
      </label>
      <label>
        Runtime image
        <input
          value={runtime}
          onChange={(e) => setRuntime(e.target.value)}
          onBlur={() =>
            runtime.trim() !== recipe.runtimeImage &&
            void updateRecipe({ runtimeImage: runtime.trim() })
          }
        />
      </label>
      <div className="row">
        <label>
          Entrypoint
          <select
            value={preset}
            onChange={(e) => {
              const next = e.target.value as EntrypointPreset;
              setPreset(next);
              if (next === 'none') commitEntrypoint(next);
            }}
          >
            {PRESETS.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
          </select>
        </label>
        {preset !== 'none' ? (
          <label className="grow">
            Entrypoint target
            <input
              value={command}
              placeholder={PRESETS.find((p) => p.value === preset)?.placeholder}
              onChange={(e) => setCommand(e.target.value)}
              onBlur={() => commitEntrypoint()}
              onKeyDown={onEnter(() => commitEntrypoint())}
            />
          </label>
        ) : null}
      </div>
      {entryError ? (
        <div role="alert" className="error-note">
          {entryError}
        </div>
      ) : null}
      <label>
        Own package folder
        <input
          value={packagePath}
          placeholder="e.g. . or src/mypackage (pip install --no-deps)"
          onChange={(e) => setPackagePath(e.target.value)}
          onBlur={commitPackage}
          onKeyDown={onEnter(commitPackage)}
        />
      </label>
      <label>
        Network
        <select
          value={recipe.network}
          onChange={(e) => void updateRecipe({ network: e.target.value as NetworkMode })}
        >
          <option value="default">Engine default (service check on 127.0.0.1 only)</option>
          <option value="host">Host network (engines without a bridge)</option>
          <option value="none">None (no downloads, no service check)</option>
        </select>
      </label>
      <label className="check">
        <input
          type="checkbox"
          checked={recipe.buildkitCache}
          onChange={(e) => void updateRecipe({ buildkitCache: e.target.checked })}
        />
        Cache conda packages between builds (BuildKit cache mount)
      </label>
    </div>
  );
}
