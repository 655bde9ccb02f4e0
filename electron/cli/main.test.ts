import { describe, expect, it } from 'vitest';

import { commands } from './commands/index';
import { runCli } from './main';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: { write: (t: string) => out.push(t) },
      stderr: { write: (t: string) => err.push(t) },
    },
    out: () => out.join(''),
    err: () => err.join(''),
  };
}

describe('condense CLI frame', () => {
  it('lists every command with its summary without loading any', async () => {
    const c = capture();
    expect(await runCli(['--help'], c.io)).toBe(0);
    for (const entry of commands) expect(c.out()).toContain(`${entry.name}  `);
    expect(c.out()).toContain(commands.find((e) => e.name === 'lock')!.summary);
  });

  it('loads each command when asked for its help, with its own usage line', async () => {
    for (const entry of commands) {
      const c = capture();
      expect(await runCli([entry.name, '--help'], c.io)).toBe(0);
      expect(c.out()).toMatch(new RegExp(`^Usage: condense ${entry.name}\\b`));
      expect(c.out()).toContain(entry.summary);
    }
  });

  it('refuses an unknown command with a one-line reason', async () => {
    const c = capture();
    expect(await runCli(['lokc'], c.io)).toBe(2);
    expect(c.err()).toBe('condense: unknown command "lokc"; run condense --help for the list\n');
  });

  it('says what is wrong with an option in one line, naming it', async () => {
    const c = capture();
    expect(await runCli(['images', '--keep', '-3'], c.io)).toBe(2);
    expect(c.err()).toMatch(
      /^condense images: Option '--keep[^']*' argument is ambiguous\. .*--keep=-XYZ.*\n$/,
    );
    expect(c.err().trimEnd().split('\n')).toHaveLength(1);
    const d = capture();
    expect(await runCli(['images', '--bogus'], d.io)).toBe(2);
    expect(d.err().trimEnd().split('\n')).toHaveLength(1);
    expect(d.err()).toContain("'--bogus'");
  });
});
