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
  const mismatch = pipHashMismatch(lastLines);
  if (mismatch) return mismatch;
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

/**
 * pip's `--require-hashes` refusal (pip's HashMismatch: "THESE PACKAGES DO NOT MATCH THE HASHES FROM
 * THE REQUIREMENTS FILE", then `    <name>@ <url> from <url>:`, `Expected sha256 <hex>`, `Got <hex>`):
 * the index serves other bytes than it did at lock time. One line naming the package and the file.
 */
export function pipHashMismatch(lines: string[]): CondenseError | undefined {
  const start = lines.findIndex((l) => l.includes('DO NOT MATCH THE HASHES'));
  if (start < 0) return undefined;
  const rest = lines.slice(start + 1);
  const requirement = rest
    .map((l) => /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*@\s*(\S+?)(?:#\S*)?\s/.exec(l))
    .find(Boolean);
  const expected = rest.map((l) => /Expected sha256 ([0-9a-f]{64})/.exec(l)?.[1]).find(Boolean);
  const got = rest.map((l) => /^\s*Got\s+([0-9a-f]{64})/.exec(l)?.[1]).find(Boolean);
  const name = requirement?.[1] ?? 'unknown';
  const file = requirement?.[2] ? ` at ${requirement[2]}` : '';
  const hashes =
    expected && got
      ? ` (sha256 ${expected.slice(0, 12)}… locked, ${got.slice(0, 12)}… served)`
      : '';
  return new CondenseError(
    'BUILD_FAILED',
    `pip package ${name}: the file${file} does not match the lock${hashes}; the index changed it since the lock was made. Lock again (condense lock --update ${name}) if the new file is expected, otherwise find out who replaced it.`,
    { package: name, ...(expected ? { expected } : {}), ...(got ? { got } : {}), lastLines: lines },
  );
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}
