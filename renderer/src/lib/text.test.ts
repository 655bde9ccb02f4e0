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
    expect(parseAnsi('a\u001b[2Kb')).toEqual([{ text: 'a' }, { text: 'b' }]);
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
