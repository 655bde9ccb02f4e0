import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { CondenseError } from '../../../shared/api/errors';
import { validate } from '../../../shared/api/validate';
import { parseEnvironmentFile } from '../../../shared/environment/environment-file';
import { resolveChannels } from '../../services/channels/channel-url';
import { searchPackages } from '../../services/channels/package-search';
import { defaultRepodataCache } from '../../services/lock/lock-service';
import type { CliCommand } from '../command';

/** `condense search TEXT`: package names across the project's channels (or --channel ones). */
export const searchCommand: CliCommand = {
  usage: 'search TEXT [--channel C]... [--platform P] [--json]',
  positionals: true,
  options: {
    channel: { type: 'string', multiple: true },
    platform: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(context, values, positionals) {
    const query = positionals.join(' ');
    if (query.trim() === '')
      throw new CondenseError('INVALID_INPUT', 'say what to search for: condense search numpy');
    const given = Array.isArray(values.channel) ? values.channel.map(String) : [];
    // The contract's schema, as the app's door applies it (channels:search): a bad query, --channel
    // or --platform is refused naming the field before any channel is asked.
    const request = validate('channels:search', {
      query,
      projectDir: context.projectDir,
      ...(given.length ? { channels: given } : {}),
      ...(typeof values.platform === 'string' ? { platform: values.platform } : {}),
    });
    let channels = request.channels;
    if (!channels) {
      const text = await readFile(join(context.projectDir, 'environment.yml'), 'utf8').catch(() => {
        throw new CondenseError(
          'NOT_FOUND',
          `no environment.yml in ${context.projectDir}: pass --channel or --project`,
        );
      });
      channels = parseEnvironmentFile(text).spec.channels;
    }
    const results = await searchPackages({
      query: request.query,
      channels: resolveChannels(channels),
      platform: request.platform ?? 'linux-64',
      cache: defaultRepodataCache(),
      signal: context.signal,
      onUnreachable: (channel, error) =>
        context.progress(
          `could not search ${channel} (${error instanceof Error ? error.message : String(error)}); showing the other channels`,
        ),
    });
    if (values.json) {
      context.out(JSON.stringify(results, null, 2));
      return 0;
    }
    if (results.length === 0) context.progress(`no package matches "${query}"`);
    for (const r of results) {
      context.out(
        `${r.name}  ${r.versions.slice(0, 5).join(', ')}${r.versions.length > 5 ? ', ...' : ''}${r.summary ? `  ${r.summary}` : ''}`,
      );
    }
    return 0;
  },
};
