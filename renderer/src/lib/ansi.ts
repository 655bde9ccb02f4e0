import { parseAnsiSequences } from 'ansi-sequence-parser';

/** A run of text with the SGR style in force. Colours are class names so themes can tune them. */
export interface AnsiSpan {
  text: string;
  fg?: string;
  bold?: boolean;
}

const NAMES = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'];

// eslint-disable-next-line no-control-regex -- every CSI sequence, to keep SGR and drop the rest
const CSI = /\u001B\[([0-?]*)[ -/]*([@-~])/g;

/**
 * Before the parser sees the line: escapes other than SGR (erase line `ESC[K`, cursor moves) go, and
 * a bare `ESC[m` becomes `ESC[0m`. ansi-sequence-parser 1.1 misreads both (it swallows the next
 * character after `ESC[K` and keeps the style after `ESC[m`), and GNU grep writes exactly these.
 */
function onlySgr(line: string): string {
  return line.replace(CSI, (_, params: string, final: string) =>
    final === 'm' ? `\u001B[${params || '0'}m` : '',
  );
}

/** `brightGreen` -> `bright-green`; 256-colour table entries 0-15 are the named ones. */
function colourClass(colour: ReturnType<typeof parseAnsiSequences>[number]['foreground']) {
  if (!colour) return undefined;
  if (colour.type === 'named')
    return colour.name.replace(/^bright([A-Z])/, (_, c: string) => `bright-${c.toLowerCase()}`);
  if (colour.type === 'table' && colour.index < 16) {
    const name = NAMES[colour.index % 8]!;
    return colour.index < 8 ? name : `bright-${name}`;
  }
  // Other table entries and 24-bit colours have no theme class: the text keeps the log's colour.
  return undefined;
}

/**
 * Splits a log line into styled spans through ansi-sequence-parser (every SGR form: 30-37, 90-97,
 * 38;5;N, 38;2;R;G;B, bold, resets); escapes other than SGR are dropped.
 */
export function parseAnsi(line: string): AnsiSpan[] {
  const spans: AnsiSpan[] = [];
  for (const token of parseAnsiSequences(onlySgr(line))) {
    // eslint-disable-next-line no-control-regex -- a lone ESC left over is not text
    const text = token.value.replace(/\u001B/g, '');
    if (!text) continue;
    const span: AnsiSpan = { text };
    const fg = colourClass(token.foreground);
    if (fg) span.fg = fg;
    if (token.decorations.has('bold')) span.bold = true;
    spans.push(span);
  }
  return spans;
}
