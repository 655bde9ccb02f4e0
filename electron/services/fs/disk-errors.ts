import { dirname } from 'node:path';

import { CondenseError } from '../../../shared/api/errors';

/**
 * A file-system error as one line naming the folder: a full disk (ENOSPC, EDQUOT) says which folder
 * is full, a read-only or forbidden one says so. Anything else passes through unchanged.
 */
export function diskError(error: unknown, path: string): unknown {
  if (error instanceof CondenseError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const folder = dirname(path);
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new CondenseError(
      'DISK_FULL',
      `the disk holding ${folder} is full (${code} while writing ${path}): free space there and try again; nothing was changed`,
      { folder, path, cause: code },
    );
  }
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') {
    return new CondenseError(
      'PERMISSION_DENIED',
      `cannot write in ${folder} (${code} while writing ${path}): check the folder's permissions`,
      { folder, path, cause: code },
    );
  }
  return error;
}
