import { useState } from 'react';

import { formatSize } from '../../../../shared/format/size';
import { useApp } from '../../store';

/** A custom prune glob with what it would remove on this environment, estimated as it is typed. */
export function CustomGlobForm() {
  const addCustomRule = useApp((s) => s.addCustomRule);
  const estimateGlob = useApp((s) => s.estimateGlob);
  const estimate = useApp((s) => s.globEstimate);
  const hasSavings = useApp((s) => s.savings !== undefined);
  const [glob, setGlob] = useState('');
  const current = estimate && estimate.glob === glob.trim() ? estimate : undefined;
  return (
    <form
      className="stack"
      onSubmit={(e) => {
        e.preventDefault();
        void addCustomRule(glob).then(() => {
          setGlob('');
          void estimateGlob('');
        });
      }}
    >
      <div className="row">
        <label className="grow">
          Custom prune glob
          <input
            value={glob}
            placeholder="lib/python3.11/site-packages/*/tests"
            aria-describedby="custom-glob-estimate"
            onChange={(e) => {
              setGlob(e.target.value);
              void estimateGlob(e.target.value);
            }}
          />
        </label>
        <button type="submit">Add custom rule</button>
      </div>
      <small id="custom-glob-estimate" className="muted" aria-live="polite">
        {!glob.trim() ? (
          'A path relative to the environment; * matches within one folder name.'
        ) : !hasSavings ? (
          'Lock the environment to see what it would remove.'
        ) : current?.error ? (
          <span className="error-text">{current.error}</span>
        ) : current?.saving ? (
          current.saving.files === 0 ? (
            'Matches nothing in this environment.'
          ) : (
            `Would remove ${formatSize(current.saving.bytes)} (${current.saving.files} file${current.saving.files === 1 ? '' : 's'}${
              current.saving.owners.length
                ? ` from ${current.saving.owners
                    .slice(0, 3)
                    .map((o) => o.name)
                    .join(', ')}`
                : ''
            }).`
          )
        ) : (
          'Estimating…'
        )}
      </small>
    </form>
  );
}
