// The layering of docs/DEVELOPING.md is enforced by eslint.config.js; these cases prove each rule bites.
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

// The snippets are not files of the TypeScript project, so lint them without type information:
// the layering rules do not need it.
const eslint = new ESLint({
  cwd: process.cwd(),
  overrideConfig: tseslint.configs.disableTypeChecked,
});

async function restrictedImports(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: file });
  const fatal = result?.messages.find((m) => m.fatal);
  if (fatal) throw new Error(`ESLint could not parse the snippet: ${fatal.message}`);
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-globals')
    .map((m) => m.message);
}

describe('layering lint rules', () => {
  it.each([
    [
      'shared/domain.ts',
      "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n",
    ],
    ['shared/domain.ts', "import { useState } from 'react';\nexport const s = useState;\n"],
    ['shared/domain.ts', 'export const w = window.location;\n'],
    ['electron/services/x.ts', "import { app } from 'electron';\nexport const a = app;\n"],
    [
      'renderer/src/x.ts',
      "import { readFile } from 'node:fs/promises';\nexport const r = readFile;\n",
    ],
    [
      'renderer/src/x.ts',
      "import { JobManager } from '../../electron/services/jobs/job-manager';\nexport const j = JobManager;\n",
    ],
    ['electron/preload/x.ts', "import Docker from 'dockerode';\nexport const d = Docker;\n"],
    [
      'electron/main/x.ts',
      "import { readStatic } from '../server/browser-server';\nexport const r = readStatic;\n",
    ],
    ['electron/server/x.ts', "import { runCli } from '../cli/main';\nexport const r = runCli;\n"],
    [
      'electron/cli/commands/x.ts',
      "import { startBrowserServer } from '../../server/browser-server';\nexport const s = startBrowserServer;\n",
    ],
  ])('refuses a forbidden import in %s', async (file, code) => {
    expect(await restrictedImports(file, code)).not.toEqual([]);
  });

  it.each([
    ['shared/domain.ts', "import { parse } from 'yaml';\nexport const p = parse;\n"],
    [
      'electron/services/x.ts',
      "import { readFile } from 'node:fs/promises';\nexport const r = readFile;\n",
    ],
    [
      'renderer/src/x.ts',
      "import { CondenseError } from '../../shared/api/errors';\nexport const e = CondenseError;\n",
    ],
    [
      'electron/main/x.ts',
      "import { readStatic } from '../services/static/static-files';\nexport const r = readStatic;\n",
    ],
  ])('allows what %s may import', async (file, code) => {
    expect(await restrictedImports(file, code)).toEqual([]);
  });
});
