#!/usr/bin/env node
// The CLI entry: runs the built bundle (npm install builds it through the prepare script).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bundle = join(dirname(fileURLToPath(import.meta.url)), '..', 'out', 'cli', 'index.mjs');
if (!existsSync(bundle)) {
  process.stderr.write(
    'condense: the CLI is not built yet; run `npm run build` in the Condense folder\n',
  );
  process.exit(1);
}
await import(bundle);
