import { CondenseError } from '../../../shared/api/errors';
import type { DecodedBuild } from '../../../shared/build/progress-decoder';
import { diskFull } from '../docker/engine';

/** The base images a Dockerfile pulls in with FROM (not its own stages, not `scratch`). */
export function baseImages(dockerfile: string): string[] {
  const stages = new Set<string>();
  const images: string[] = [];
  for (const raw of dockerfile.replace(/\\\r?\n/g, ' ').split(/\r?\n/)) {
    const match = /^\s*FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/i.exec(raw);
    if (!match) continue;
    const image = match[1]!;
    if (image !== 'scratch' && !stages.has(image.toLowerCase()) && !images.includes(image)) {
      images.push(image);
    }
    if (match[2]) stages.add(match[2].toLowerCase());
  }
  return images;
}

const PULL_FAILURE =
  /pull access denied|failed to resolve source metadata|failed to do request|repository does not exist|manifest unknown|not found: manifest|dial tcp|no such host|TLS handshake timeout|i\/o timeout|No such image/i;

/**
 * Turns a failed build into one CondenseError: disk full, a base image that is neither local nor
 * pullable (named), a failing step (named, with its last log lines), or the engine's message.
 */
export function buildFailure(
  decoded: Pick<DecodedBuild, 'error' | 'failedStep'>,
  missingBaseImages: string[],
): CondenseError {
  const message = decoded.error ?? decoded.failedStep?.step.error ?? 'The build failed.';
  const lastLines = decoded.failedStep?.lastLines ?? [];
  if (/no space left on device/i.test(message) || lastLines.some((l) => /no space left/i.test(l))) {
    return diskFull(message);
  }
  if (missingBaseImages.length > 0 && PULL_FAILURE.test(message)) {
    const list = missingBaseImages.join(', ');
    return new CondenseError(
      'IMAGE_MISSING',
      `Base image ${list} is not on the engine and the registry could not be reached (${firstLine(message)}). Load it (docker load -i image.tar) or build it locally, or pick a base image the engine has.`,
      { images: missingBaseImages, engineMessage: message },
    );
  }
  const failed = decoded.failedStep;
  if (failed) {
    const tail = lastLines.slice(-10);
    return new CondenseError(
      'BUILD_FAILED',
      `Step "${failed.step.name}" failed: ${firstLine(failed.step.error ?? message)}` +
        (tail.length > 0
          ? `\nLast lines of its output:\n${tail.map((l) => `  ${l}`).join('\n')}`
          : ''),
      { step: failed.step.name, stepId: failed.step.id, lastLines: tail, engineMessage: message },
    );
  }
  return new CondenseError('BUILD_FAILED', `The build failed: ${message}`, {
    engineMessage: message,
  });
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}
