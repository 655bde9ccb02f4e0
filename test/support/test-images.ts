import { readFileSync } from 'node:fs';

import type Docker from 'dockerode';
import { pack } from 'tar-stream';

/**
 * Tiny local base images for the build tests and benchmarks (no registry here): busybox-static in a
 * scratch image, and on top of it a stand-in `/env/bin/python` that "imports" a module when a folder
 * or file of that name is in site-packages. Built once per engine; later calls reuse them.
 */
export const TEST_BASE_IMAGE = 'condense-test/busybox:local';
export const TEST_PYTHON_IMAGE = 'condense-test/python-standin:local';

const BUSYBOX = '/usr/bin/busybox';

// `python -c "import a, b.c"`: each top-level name must exist in site-packages, else the real
// interpreter's message and exit code 1.
const PYTHON_STANDIN = `#!/bin/sh
[ "$1" = "-c" ] || { echo "stand-in python only runs -c" >&2; exit 2; }
mods=$(echo "$2" | sed -n 's/^import //p' | tr ',' ' ')
for m in $mods; do
  top=\${m%%.*}
  sp=/env/lib/python3.11/site-packages
  if [ ! -e "$sp/$top" ] && [ ! -e "$sp/$top.py" ]; then
    echo "Traceback (most recent call last):" >&2
    echo "ModuleNotFoundError: No module named '$top'" >&2
    exit 1
  fi
done
exit 0
`;

async function exists(docker: Docker, name: string): Promise<boolean> {
  try {
    await docker.getImage(name).inspect();
    return true;
  } catch {
    return false;
  }
}

async function classicBuild(docker: Docker, files: Record<string, Buffer | string>, tag: string) {
  const tar = pack();
  for (const [name, data] of Object.entries(files)) {
    tar.entry({ name, mode: name.endsWith('python') || name === 'busybox' ? 0o755 : 0o644 }, data);
  }
  tar.finalize();
  const stream = await docker.buildImage(tar as unknown as NodeJS.ReadableStream, {
    t: tag,
    networkmode: 'host',
    rm: true,
    forcerm: true,
  });
  const output = await new Promise<{ error?: string }[]>((resolve, reject) =>
    docker.modem.followProgress(stream, (error, result) =>
      error ? reject(error) : resolve(result as { error?: string }[]),
    ),
  );
  const failed = output.find((o) => o.error);
  if (failed) throw new Error(`building ${tag} failed: ${failed.error}`);
}

export async function ensureTestImages(docker: Docker): Promise<void> {
  if (!(await exists(docker, TEST_BASE_IMAGE))) {
    await classicBuild(
      docker,
      {
        busybox: readFileSync(BUSYBOX),
        Dockerfile: [
          'FROM scratch',
          'COPY busybox /bin/busybox',
          'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
          'RUN mkdir -p /tmp && chmod 1777 /tmp',
          '',
        ].join('\n'),
      },
      TEST_BASE_IMAGE,
    );
  }
  if (!(await exists(docker, TEST_PYTHON_IMAGE))) {
    await classicBuild(
      docker,
      {
        python: PYTHON_STANDIN,
        Dockerfile: [
          `FROM ${TEST_BASE_IMAGE}`,
          'COPY python /env/bin/python',
          'RUN mkdir -p /env/lib/python3.11/site-packages',
          '',
        ].join('\n'),
      },
      TEST_PYTHON_IMAGE,
    );
  }
}

/** Removes every tag of a repository (tests clean up the images their builds tagged). */
export async function removeRepository(docker: Docker, repository: string): Promise<void> {
  const images = await docker.listImages({ filters: { reference: [`${repository}:*`] } });
  for (const image of images) {
    for (const tag of image.RepoTags ?? []) {
      if (tag.startsWith(`${repository}:`)) {
        await docker
          .getImage(tag)
          .remove({ noprune: false })
          .catch(() => undefined);
      }
    }
  }
}
