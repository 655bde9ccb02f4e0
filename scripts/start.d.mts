/** Types of scripts/start.mjs for the tests that import it. */
export declare function chooseMode(input: {
  env: Record<string, string | undefined>;
  platform: string;
  resolveElectron: () => string;
}): { mode: 'electron'; electron: string } | { mode: 'browser'; reason: string };
