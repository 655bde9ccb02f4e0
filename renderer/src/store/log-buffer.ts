/**
 * Log lines of one job, kept outside React state: appending 10,000 lines per second must not copy
 * arrays or re-render per line. The store bumps a counter once per frame instead.
 */
export class LogBuffer {
  private readonly lines: string[] = [];
  /** Lines dropped from the front once `limit` is exceeded. */
  dropped = 0;

  constructor(private readonly limit = 500_000) {}

  append(text: string): void {
    // One event may carry several lines; a trailing newline does not make an empty line.
    const parts = text.split(/\r?\n/);
    if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
    for (const part of parts) this.lines.push(part);
    if (this.lines.length > this.limit) {
      const excess = this.lines.length - this.limit;
      this.lines.splice(0, excess);
      this.dropped += excess;
    }
  }

  get length(): number {
    return this.lines.length;
  }

  line(index: number): string {
    return this.lines[index] ?? '';
  }

  slice(start: number, end: number): string[] {
    return this.lines.slice(start, end);
  }

  /** Indexes of lines containing `query`, case-insensitive. */
  search(query: string): number[] {
    if (!query) return [];
    const needle = query.toLowerCase();
    const hits: number[] = [];
    for (let i = 0; i < this.lines.length; i++) {
      if (
        stripAnsi(this.lines[i] ?? '')
          .toLowerCase()
          .includes(needle)
      )
        hits.push(i);
    }
    return hits;
  }

  text(): string {
    return this.lines.map(stripAnsi).join('\n');
  }
}

// eslint-disable-next-line no-control-regex -- ANSI escapes start with ESC
const ANSI = /\u001B\[[0-9;?]*[A-Za-z]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}
