import { CondenseError } from '../../../shared/api/errors';
import { validate } from '../../../shared/api/validate';
import { isLockPlatform, LOCK_PLATFORMS } from '../../../shared/conda/platforms';
import type { EffectiveEnvironment } from '../../../shared/environment/effective-environment';
import { effectiveEnvironment } from '../../../shared/environment/effective-environment';
import { stripAuth } from '../../services/channels/channel-url';
import { readEnvironmentFile } from '../../services/project/environment-store';
import type { CliCommand } from '../command';

function envText(env: EffectiveEnvironment): string {
  const section = (title: string, lines: string[]) =>
    [`${title}:`, ...(lines.length ? lines.map((l) => `  ${l}`) : ['  (none)'])].join('\n');
  return [
    `platform: ${env.platform}`,
    section('channels', env.channels),
    section(
      'conda',
      env.conda.map((d) => d.raw),
    ),
    section('pip', env.pip),
    section(
      'variables',
      Object.entries(env.variables).map(([k, v]) => `${k}=${v}`),
    ),
    section(
      'warnings',
      env.warnings.map((w) => `line ${w.line}, column ${w.column}: ${w.message}`),
    ),
  ].join('\n');
}

/** `condense env`: the environment one platform gets, after selectors and `${VAR}` expansion. */
export const envCommand: CliCommand = {
  usage: 'env [--platform P] [--json]',
  options: { platform: { type: 'string' }, json: { type: 'boolean' } },
  async run(context, values) {
    // The contract's schema, as the app's door applies it (environment:effective); the platform's
    // name is then checked as its handler checks it.
    const request = validate('environment:effective', {
      projectDir: context.projectDir,
      ...(typeof values.platform === 'string' ? { platform: values.platform } : {}),
    });
    const platform = request.platform ?? 'linux-64';
    if (!isLockPlatform(platform))
      throw new CondenseError(
        'INVALID_INPUT',
        `--platform takes one of ${LOCK_PLATFORMS.join(', ')}, not ${JSON.stringify(platform)}`,
      );
    const { text } = await readEnvironmentFile(request.projectDir);
    const expanded = effectiveEnvironment(text, platform, process.env);
    // Expanded, but never with credentials: a token from the environment stays off the screen.
    const env = {
      ...expanded,
      channels: expanded.channels.map(stripAuth),
      pip: expanded.pip.map((line) => line.replace(/:\/\/[^/@\s]+@/g, '://***@')),
    };
    if (values.json) {
      context.out(
        JSON.stringify(
          {
            platform,
            channels: env.channels,
            conda: env.conda.map((d) => d.raw),
            pip: env.pip,
            variables: env.variables,
            warnings: env.warnings,
          },
          null,
          2,
        ),
      );
    } else context.out(envText(env));
    return 0;
  },
};
