import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import type { WorkflowInput } from '../../../shared/delivery/workflows';
import { checkScript, shQuote } from '../../../shared/delivery/workflows';

const input: WorkflowInput = {
  repository: 'condense/churn-model',
  lockfile: 'conda-linux-64.lock',
  platform: 'linux-64',
  variants: [
    { id: 'safe', target: 'runtime-safe' },
    { id: 'expert', target: 'runtime-expert' },
  ],
  smokeModules: ['numpy', 'churn'],
  checkCommand: ['/env/bin/python', '-c', "print('it''s fine')"],
  service: {
    port: 8000,
    path: '/predict',
    method: 'POST',
    body: '{"x": 1}',
    status: 200,
    expect: 'fare',
    timeoutSeconds: 30,
  },
};

describe('the check script (POSIX sh, run for real)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'condense-check-script-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('quotes what the user wrote for sh', () => {
    const out = execFileSync('sh', ['-c', `printf %s ${shQuote("it's $HOME `x`")}`], {
      encoding: 'utf8',
    });
    expect(out).toBe("it's $HOME `x`");
  });

  // A `docker` on PATH that runs the "image" as a local process: the script's own loop, status check,
  // answer check, exit detection and clean-up are what is under test here.
  function fakeDocker(server: string): string {
    const bin = join(dir, `bin-${Math.random().toString(36).slice(2)}`);
    execFileSync('mkdir', ['-p', bin]);
    writeFileSync(
      join(bin, 'docker'),
      [
        '#!/bin/sh',
        'case "$1" in',
        `  run) if [ "$2" = -d ]; then ${server} >/dev/null 2>&1 & echo $!; fi ;;`,
        '  inspect) if kill -0 "$4" 2>/dev/null; then echo true; else echo false; fi ;;',
        '  logs) echo "last log line" ;;',
        '  rm) kill "$3" 2>/dev/null; echo removed >> "$FAKE_LOG" ;;',
        'esac',
      ].join('\n'),
    );
    chmodSync(join(bin, 'docker'), 0o755);
    return bin;
  }

  async function withService(answer: number, body: string) {
    const server = createServer((_req, res) => res.writeHead(answer).end(body));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { server, port: (server.address() as AddressInfo).port };
  }

  function run(script: string, bin: string) {
    return new Promise<{ code: number | null; stderr: string; log: string }>((resolve) => {
      const logFile = join(dir, `log-${Math.random()}`);
      writeFileSync(logFile, '');
      const child = spawn('sh', ['-c', script], {
        env: {
          ...process.env,
          PATH: `${bin}:${process.env.PATH}`,
          IMAGE: 'img',
          FAKE_LOG: logFile,
        },
      });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('close', (code) => {
        resolve({ code, stderr, log: execFileSync('cat', [logFile], { encoding: 'utf8' }) });
      });
    });
  }

  it('passes when the service answers the expected status and text, and removes the container', async () => {
    const { server, port } = await withService(200, '{"fare": 12.5}');
    try {
      const script = checkScript({
        ...input,
        smokeModules: [],
        checkCommand: [],
        service: { ...input.service!, port, method: 'GET', body: undefined },
      });
      const result = await run(script, fakeDocker('sleep 30'));
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.log).toContain('removed');
    } finally {
      server.close();
    }
  });

  it('fails with the last log lines when the service exits before answering', async () => {
    const script = checkScript({
      ...input,
      smokeModules: [],
      checkCommand: [],
      service: { ...input.service!, port: 9 },
    });
    const result = await run(script, fakeDocker('true'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the service exited before answering');
  });

  it('fails at its deadline on a wrong status, and when the answer lacks the expected text', async () => {
    const wrong = await withService(500, 'boom');
    try {
      const script = checkScript({
        ...input,
        smokeModules: [],
        checkCommand: [],
        service: { ...input.service!, port: wrong.port, timeoutSeconds: 2 },
      });
      const result = await run(script, fakeDocker('sleep 30'));
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/no 200 from .* within 2 s \(last: 500\)/);
    } finally {
      wrong.server.close();
    }
    const missing = await withService(200, 'something else');
    try {
      const script = checkScript({
        ...input,
        smokeModules: [],
        checkCommand: [],
        service: { ...input.service!, port: missing.port },
      });
      expect((await run(script, fakeDocker('sleep 30'))).code).not.toBe(0);
    } finally {
      missing.server.close();
    }
  });
});
