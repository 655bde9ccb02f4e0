import { resolve } from 'node:path';

import { validate } from '../../../shared/api/validate';
import { cacheDir } from '../../services/channels/channel-url';
import { projectSbom } from '../../services/delivery/sbom-service';
import { writeFileAtomic } from '../../services/fs/atomic-write';
import type { CliCommand } from '../command';

/** `condense sbom`: SPDX 2.3 JSON from the lock, with what the variants' prune rules remove. */
export const sbomCommand: CliCommand = {
  usage: 'sbom [--variant V] [--output F]',
  options: { variant: { type: 'string' }, output: { type: 'string' } },
  async run(context, values) {
    const request = validate('delivery:sbom', {
      projectDir: context.projectDir,
      ...(typeof values.variant === 'string' ? { variant: values.variant } : {}),
    });
    const document = await projectSbom({
      ...request,
      cacheRoot: cacheDir(),
      signal: context.signal,
      onProgress: (message) => context.progress(message),
    });
    const text = `${JSON.stringify(document, null, 2)}\n`;
    if (typeof values.output === 'string') {
      const path = resolve(values.output);
      await writeFileAtomic(path, text);
      context.progress(`SBOM: ${document.packages.length - 1} packages written to ${path}`);
    } else {
      context.out(text.trimEnd());
    }
    return 0;
  },
};
