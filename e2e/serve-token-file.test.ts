import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { startServe } from './support/serve';

describe('condense serve --token-file', () => {
  it('writes the token for scripts (owner-only), and removes it when the server stops', async () => {
    const app = await startServe({}, ['--token-file', '{root}/token']);
    const file = join(app.dirs.root, 'token');
    try {
      expect((await readFile(file, 'utf8')).trim()).toBe(app.token);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const api = `${app.origin}/api`;
      expect((await fetch(api)).status).toBe(401);
      const authorized = await fetch(api, { headers: { Authorization: `Bearer ${app.token}` } });
      expect(authorized.status).toBe(426);
      expect(await app.kill()).toBe(0);
      await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await app.kill();
      await rm(app.dirs.root, { recursive: true, force: true });
    }
  });
});
