import { describe, expect, it } from 'vitest';

import { CondenseError } from '../../../shared/api/errors';
import { LogBuffer, stripAnsi } from '../store/log-buffer';
import { parseAnsi } from './ansi';
import { highlightDockerfileLine } from './dockerfile-highlight';
import { describeError } from './format';

describe('parseAnsi', () => {
  it('splits SGR colours and bold into spans and resets on 0', () => {
    expect(parseAnsi('\u001b[1;31merror\u001b[0m: ok \u001b[92mgreen')).toEqual([
      { text: 'error', fg: 'red', bold: true },
      { text: ': ok ' },
      { text: 'green', fg: 'bright-green' },
    ]);
  });
  it('drops non-colour escapes', () => {
    expect(parseAnsi('a\u001b[2Kb')).toEqual([{ text: 'ab' }]);
  });
  it('reads the bytes GNU grep --color=always writes (01;31, erase-line, bare reset)', () => {
    // Captured from Debian's grep: `echo "a match b" | grep --color=always match`.
    const grep = 'a \u001b[01;31m\u001b[Kmatch\u001b[m\u001b[K b';
    expect(parseAnsi(grep)).toEqual([
      { text: 'a ' },
      { text: 'match', fg: 'red', bold: true },
      { text: ' b' },
    ]);
  });
  it('does not misread 256-colour and 24-bit forms as basic colours', () => {
    // The old hand parser read `38;5;31` as red (31) and `38;2;1;2;3` as nothing at all.
    expect(parseAnsi('\u001b[38;5;31mx\u001b[38;5;9my\u001b[38;2;1;2;3mz\u001b[39mw')).toEqual([
      { text: 'x' },
      { text: 'y', fg: 'bright-red' },
      { text: 'z' },
      { text: 'w' },
    ]);
    expect(parseAnsi('\u001b[1mb\u001b[22mn\u001b[33;1my')).toEqual([
      { text: 'b', bold: true },
      { text: 'n' },
      { text: 'y', fg: 'yellow', bold: true },
    ]);
  });
});

describe('LogBuffer', () => {
  it('splits multi-line text, drops the oldest lines past its limit, searches without colours', () => {
    const buffer = new LogBuffer(3);
    buffer.append('one\ntwo\n');
    buffer.append('\u001b[31mthree\u001b[0m');
    buffer.append('four');
    expect(buffer.length).toBe(3);
    expect(buffer.dropped).toBe(1);
    expect(buffer.line(0)).toBe('two');
    expect(buffer.search('THREE')).toEqual([1]);
    expect(buffer.text()).toBe('two\nthree\nfour');
    expect(stripAnsi('\u001b[1mx\u001b[0m')).toBe('x');
  });
});

describe('highlightDockerfileLine', () => {
  it('marks the instruction, flags, strings and stage names', () => {
    const tokens = highlightDockerfileLine(
      'RUN --mount=type=cache,target=/opt/conda/pkgs echo "hi"',
    );
    expect(tokens.filter((t) => t.kind !== 'text').map((t) => [t.kind, t.text])).toEqual([
      ['instruction', 'RUN'],
      ['flag', '--mount=type=cache,target=/opt/conda/pkgs'],
      ['string', '"hi"'],
    ]);
    expect(highlightDockerfileLine('# note')).toEqual([{ kind: 'comment', text: '# note' }]);
    const from = highlightDockerfileLine('FROM img AS conda');
    expect(from.filter((t) => t.kind === 'instruction').map((t) => t.text.trim())).toEqual([
      'FROM',
      'AS',
    ]);
  });
});

describe('describeError', () => {
  it('adds the next step by code, unless the service already said what to do', () => {
    expect(describeError(new CondenseError('DISK_FULL', 'No space left on device.'))).toBe(
      'No space left on device. Free disk space (docker image prune) and retry.',
    );
    expect(
      describeError(
        new CondenseError('CHANNEL_UNREACHABLE', 'cannot reach x: check the URL or your network'),
      ),
    ).toBe('cannot reach x: check the URL or your network');
    expect(describeError(new CondenseError('CANCELLED', 'Aborted by user'))).toBe('Cancelled.');
    expect(describeError('plain string')).toBe('plain string');
  });
});
