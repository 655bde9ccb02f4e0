import { CondenseError } from '../../../shared/api/errors';
import type { ChannelRef } from '../channels/channel-url';

/**
 * rattler throws plain strings. Turn them into CondenseErrors whose message keeps the solver's
 * conflict explanation (the chain of requirements) with the proxy URLs mapped back to the channels.
 */
export function solverError(
  thrown: unknown,
  platform: string,
  proxyUrls: string[],
  channels: ChannelRef[],
): CondenseError {
  let text =
    typeof thrown === 'string' ? thrown : thrown instanceof Error ? thrown.message : String(thrown);
  proxyUrls.forEach((url, index) => {
    text = text.split(url).join(channels[index]!.publicUrl);
  });
  text = text.trim();
  if (
    /cannot solve|could not be solved|cannot be installed|conflict|is not installable|nothing provides|no candidates/i.test(
      text,
    )
  ) {
    return new CondenseError(
      'UNSATISFIABLE',
      `the specs cannot be satisfied together for ${platform}:\n${text}\nRelax a version constraint or remove one of the conflicting packages.`,
      { platform, solver: text },
    );
  }
  return new CondenseError('INTERNAL', `the solver failed for ${platform}: ${text}`, {
    platform,
    solver: text,
  });
}
