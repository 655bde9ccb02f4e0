import { runCli } from './main';

runCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`condense: ${String(error)}\n`);
    process.exit(1);
  },
);
