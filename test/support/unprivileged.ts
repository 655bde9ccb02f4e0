/** The uid/gid of Debian's `nobody`, used to observe permission errors that root would not get. */
export const NOBODY = 65534;

/**
 * Runs `work` with the effective uid and gid of an unprivileged user, so permission checks apply even
 * when the tests run as root (as CI does). glibc applies seteuid to every thread of the process, so the
 * libuv thread pool's fs calls see it too. The caller's files must be reachable by that user.
 */
export async function asUnprivileged<T>(work: () => Promise<T>): Promise<T> {
  const uid = process.geteuid?.();
  if (uid !== 0 || !process.seteuid || !process.setegid) return work();
  process.setegid(NOBODY);
  process.seteuid(NOBODY);
  try {
    return await work();
  } finally {
    process.seteuid(0);
    process.setegid(0);
  }
}
