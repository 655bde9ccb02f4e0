import type { ReactNode } from 'react';

/** A short explanation where a notion first appears; folded open on first sight, one click to hide. */
export function Explain({ summary, children }: { summary: string; children: ReactNode }) {
  return (
    <details className="explain" open>
      <summary>{summary}</summary>
      <div className="explain-body">{children}</div>
    </details>
  );
}
