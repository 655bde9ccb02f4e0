import { describe, expect, it } from 'vitest';

import type { ImageEntry } from './model';
import { canonicalPath, imageTree, resolveUsage } from './resolve';
import { parseStraceLine, parseStraceLog } from './strace-log';

// Lines as Debian's strace 6.1 wrote them with the tracer's flags
// (`-f -ff -qq -z -y -s 4096 -e signal=none -e trace=%file,%process,fchdir`) for
// `python3 -c 'os.chdir("/usr"); ctypes.CDLL("libbz2.so.1.0"); open("lib/os-release"); os.system("true")'`.
const LOG = String.raw`execve("/tmp/st-py", ["/tmp/st-py", "-c", "import os, json, ctypes; os.chdir(\"/usr\")"], 0x7ffe87e5c330 /* 35 vars */) = 0
readlink("/tmp/st-py", "/usr/bin/python3", 4096) = 16
openat(AT_FDCWD</tmp>, "/etc/localtime", O_RDONLY|O_CLOEXEC) = 3</usr/share/zoneinfo/Etc/UTC>
newfstatat(3</usr/share/zoneinfo/Etc/UTC>, "", {st_mode=S_IFREG|0644, st_size=114, ...}, AT_EMPTY_PATH) = 0
openat(AT_FDCWD</tmp>, "/usr/lib/python3.11/encodings", O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_DIRECTORY) = 3</usr/lib/python3.11/encodings>
chdir("/usr")                           = 0
openat(AT_FDCWD</usr>, "/lib/x86_64-linux-gnu/libbz2.so.1.0", O_RDONLY|O_CLOEXEC) = 3</usr/lib/x86_64-linux-gnu/libbz2.so.1.0.4>
openat(AT_FDCWD</usr>, "lib/os-release", O_RDONLY|O_CLOEXEC) = 3</usr/lib/os-release>
newfstatat(AT_FDCWD</usr>, ".", {st_mode=S_IFDIR|0755, st_size=4096, ...}, 0) = 0
clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x27f93690) = 12
wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 12
unlink("/tmp/x.pid")                    = 0
openat(AT_FDCWD</usr>, "x", O_RDONLY <unfinished ...>
exit_group(0)                           = ?
`;

describe('parseStraceLog', () => {
  const accesses = parseStraceLog(LOG);

  it('reads execs, opens, listings and stats, with the path as named and as opened', () => {
    expect(accesses).toContainEqual({ path: '/tmp/st-py', kind: 'exec' });
    expect(accesses).toContainEqual({ path: '/etc/localtime', kind: 'open' });
    expect(accesses).toContainEqual({ path: '/usr/share/zoneinfo/Etc/UTC', kind: 'open' });
    expect(accesses).toContainEqual({ path: '/usr/lib/python3.11/encodings', kind: 'list' });
    // readlink names the link; the second string is its target, an output.
    expect(accesses).toContainEqual({ path: '/tmp/st-py', kind: 'stat' });
    expect(accesses.some((a) => a.path === '/usr/bin/python3')).toBe(false);
  });

  it('makes relative paths absolute with the folder strace decoded', () => {
    expect(accesses).toContainEqual({ path: '/usr/lib/os-release', kind: 'open' });
    expect(accesses.some((a) => a.path === 'lib/os-release')).toBe(false);
    expect(accesses).toContainEqual({ path: '/usr/.', kind: 'stat' });
    // `newfstatat(3</file>, "", ..., AT_EMPTY_PATH)` is the descriptor's own file.
    expect(accesses).toContainEqual({ path: '/usr/share/zoneinfo/Etc/UTC', kind: 'stat' });
  });

  it('leaves out writes, process calls and unfinished calls', () => {
    expect(accesses.some((a) => a.path === '/tmp/x.pid')).toBe(false);
    expect(accesses.some((a) => a.path.endsWith('/x'))).toBe(false);
    expect(accesses.some((a) => a.path.includes('WIFEXITED') || a.path === '')).toBe(false);
  });

  it('undoes strace escapes: quotes, octal and hex bytes (UTF-8 names)', () => {
    const [access] = parseStraceLine(
      String.raw`openat(AT_FDCWD</>, "/data/caf\303\251 \"x\"", O_RDONLY) = 3</data/caf\xc3\xa9 "x">`,
    );
    expect(access).toEqual({ path: '/data/café "x"', kind: 'open' });
  });

  it('ignores failed calls (strace -z drops them, an older log may not)', () => {
    expect(
      parseStraceLine(
        'newfstatat(AT_FDCWD</>, "/etc/busybox.conf", 0x7ffd0e6d81e8, 0) = -1 ENOENT (No such file or directory)',
      ),
    ).toEqual([]);
  });
});

const entry = (path: string, extra: Partial<ImageEntry> = {}): ImageEntry => ({
  path,
  type: 'file',
  size: 10,
  ...extra,
});

const IMAGE: ImageEntry[] = [
  entry('/env', { type: 'dir', size: 0 }),
  entry('/env/bin', { type: 'dir', size: 0 }),
  entry('/env/lib', { type: 'dir', size: 0 }),
  entry('/env/bin/python', { type: 'symlink', size: 0, target: 'python3.11' }),
  entry('/env/bin/python3.11'),
  entry('/env/bin/gunicorn', { interpreter: '/env/bin/python' }),
  entry('/env/lib/libz.so.1', { type: 'symlink', size: 0, target: 'libz.so.1.2.13' }),
  entry('/env/lib/libz.so.1.2.13'),
  entry('/lib', { type: 'symlink', size: 0, target: 'usr/lib' }),
  entry('/usr', { type: 'dir', size: 0 }),
  entry('/usr/lib', { type: 'dir', size: 0 }),
  entry('/usr/lib/libc.so.6'),
  entry('/loop', { type: 'symlink', size: 0, target: '/loop' }),
];

describe('resolveUsage', () => {
  it('follows symlinks, keeping each one passed, and the #! interpreter of what ran', () => {
    const used = resolveUsage(IMAGE, [
      { path: '/env/bin/gunicorn', kind: 'exec' },
      { path: '/env/lib/libz.so.1', kind: 'open' },
      { path: '/lib/libc.so.6', kind: 'open' },
    ]);
    expect([...used].sort()).toEqual([
      '/env/bin/gunicorn',
      '/env/bin/python',
      '/env/bin/python3.11',
      '/env/lib/libz.so.1',
      '/env/lib/libz.so.1.2.13',
      '/lib',
      '/usr/lib/libc.so.6',
    ]);
  });

  it('applies .. after the symlink it follows, as the kernel does', () => {
    const used = new Set<string>();
    // /lib -> usr/lib, so /lib/.. is /usr, not /.
    expect(canonicalPath(imageTree(IMAGE), '/lib/../lib/libc.so.6', used)).toBe(
      '/usr/lib/libc.so.6',
    );
  });

  it('drops paths the image does not have, loops and virtual filesystems', () => {
    const used = resolveUsage(IMAGE, [
      { path: '/tmp/made-at-run-time', kind: 'open' },
      { path: '/loop/x', kind: 'open' },
      { path: '/proc/self/exe', kind: 'stat' },
      { path: '/.condense-trace/tool/bin/strace', kind: 'exec' },
    ]);
    expect([...used]).toEqual(['/loop']);
  });
});
