import type { LayerInfo } from '../api/build';

/** One entry of the Engine API's image history (`GET /images/{name}/history`). */
export interface HistoryEntry {
  Id?: string;
  Created?: number;
  CreatedBy?: string;
  Size?: number;
}

/**
 * Layers from the image history, bottom first, with the instruction that made each one in a readable
 * form: `/bin/sh -c #(nop) ` and BuildKit's ` # buildkit` suffix are dropped.
 */
export function layersFromHistory(history: HistoryEntry[]): LayerInfo[] {
  // The engine lists the newest layer first.
  return [...history].reverse().map((entry) => ({
    createdBy: cleanInstruction(entry.CreatedBy ?? ''),
    sizeBytes: entry.Size ?? 0,
    created: entry.Created ? new Date(entry.Created * 1000).toISOString() : '',
  }));
}

export function cleanInstruction(createdBy: string): string {
  let text = createdBy.trim();
  text = text.replace(/\s*# buildkit$/, '');
  const nop = /^\/bin\/sh -c #\(nop\)\s*/.exec(text);
  if (nop) return text.slice(nop[0].length).trim();
  if (text.startsWith('/bin/sh -c ')) return `RUN ${text.slice('/bin/sh -c '.length)}`;
  if (text.startsWith('|')) {
    // Classic builder with build args: `|2 A=1 B=2 /bin/sh -c ...`.
    const match = /^\|\d+ (?:\S+=\S* )*\/bin\/sh -c (.*)$/.exec(text);
    if (match) return `RUN ${match[1]}`;
  }
  return text;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}
