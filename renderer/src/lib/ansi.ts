/** A run of text with the SGR style in force. Colours are class names so themes can tune them. */
export interface AnsiSpan {
  text: string;
  fg?: string;
  bold?: boolean;
}

const NAMES = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'];

// eslint-disable-next-line no-control-regex -- ANSI escapes start with ESC
const ESCAPE = /\u001B\[([0-9;]*)([A-Za-z])/g;

/** Splits a log line into styled spans (SGR colours 30-37, 90-97, bold); other escapes are dropped. */
export function parseAnsi(line: string): AnsiSpan[] {
  const spans: AnsiSpan[] = [];
  let fg: string | undefined;
  let bold = false;
  let last = 0;
  const push = (text: string) => {
    if (!text) return;
    const span: AnsiSpan = { text };
    if (fg) span.fg = fg;
    if (bold) span.bold = true;
    spans.push(span);
  };
  for (const match of line.matchAll(ESCAPE)) {
    push(line.slice(last, match.index));
    last = match.index + match[0].length;
    if (match[2] !== 'm') continue;
    const codes = match[1] ? match[1].split(';').map(Number) : [0];
    for (const code of codes) {
      if (code === 0) {
        fg = undefined;
        bold = false;
      } else if (code === 1) bold = true;
      else if (code === 22) bold = false;
      else if (code === 39) fg = undefined;
      else if (code >= 30 && code <= 37) fg = NAMES[code - 30];
      else if (code >= 90 && code <= 97) fg = `bright-${NAMES[code - 90]}`;
    }
  }
  push(line.slice(last));
  return spans;
}
