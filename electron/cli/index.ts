import { setFlagsFromString } from 'node:v8';

import { runCli } from './main';

// rattler's WASM solver: in a short CLI run, V8 tiering its hot functions up to TurboFan costs more
// CPU (about 0.2 s) than the faster code saves on a lock's few thousand records. A long-lived
// `condense serve` keeps the default.
if (process.argv[2] !== 'serve') setFlagsFromString('--liftoff-only');

runCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`condense: ${String(error)}\n`);
    process.exit(1);
  },
);
