import { useState } from 'react';

/** Keyed by the saved version, so the draft resets when the file changes. */
export function PythonForm({
  current,
  onSet,
}: {
  current: string;
  onSet: (version: string) => Promise<void>;
}) {
  const [python, setPython] = useState(current);
  return (
    <form
      className="row"
      onSubmit={(e) => {
        e.preventDefault();
        if (python.trim()) void onSet(python.trim());
      }}
    >
      <label>
        Python version
        <input value={python} onChange={(e) => setPython(e.target.value)} placeholder="3.11" />
      </label>
      <button type="submit">Set Python</button>
    </form>
  );
}
