// A service project for tracing (issue 13): what it uses at run time is invisible to a reading of its
// imports, and only a trace of the right request sees all of it.
//
// The own package `tracesvc` (console script `tracesvc-serve`) serves HTTP with the standard library
// on the realistic channel's python (environment: python, pip, setuptools: nothing else).
//
// - `GET /` answers `<greeting>hello from data.db</greeting>`:
//   - the words come from `/app/data.db`, an SQLite database shipped through `files:` and opened by
//     libsqlite3's C code (`sqlite3` module), never by Python's open(): a tracer must see the C
//     library's own system calls;
//   - the XML is made by `xml.dom.minidom`, imported inside the handler: starting the service does
//     not load it, only a request does.
// - `GET /report` answers `report: <greeting>...</greeting> with libuuid <UUID>` as a MIME text
//   message: everything `/` uses, plus
//   - `ctypes` (with `_ctypes` and libffi) and `email.mime.text`, both imported inside the handler;
//   - `libuuid.so.1`, loaded with dlopen through `ctypes.CDLL`: no Python module names it, python
//     does not link it (it links libz and libexpat), and only `import uuid` would load it otherwise.
//     (Not libbz2 or liblzma: http.server imports shutil, which imports bz2 and lzma at start-up.)
//   A "narrow" trace of `/` only therefore misses libuuid, `_ctypes`, libffi and `email/mime`, and a
//   variant pruned to that trace breaks on `/report`.
// - condense.yml's `service:` check requests `/report` and expects its full answer, so a re-check of
//   such a variant fails instead of passing: 500, the body starting with the Python error (the
//   dlopen comes first: `OSError: libuuid.so.1: cannot open shared object file...`), which the
//   check's message quotes.
// - The package's `__init__.py` is empty: the build's import check imports `tracesvc` alone, which
//   loads none of the above (the server module is imported by the console script only).
import { FIXTURE_BUILDER_IMAGE, FIXTURE_RUNTIME_IMAGE } from './docker';
import { writeAndLockEnvironment, writeProjectFiles } from './service-project';
import { sqliteDatabase } from './sqlite-file';

/** The package's folder in the project, and where `files:` puts the database in the image. */
export const TRACE_SERVICE_PACKAGE = 'tracesvc';
export const TRACE_SERVICE_DB = '/app/data.db';
export const TRACE_SERVICE_COMMAND = '/env/bin/tracesvc-serve';

/** What `GET /` answers; `GET /report` answers this inside its report line. */
export const TRACE_SERVICE_GREETING = '<greeting>hello from data.db</greeting>';
/** The line of `GET /report`'s answer that needs every part of the service (libuuid parses, prints). */
export const TRACE_SERVICE_REPORT = `report: ${TRACE_SERVICE_GREETING} with libuuid 6BA7B810-9DAD-11D1-80B4-00C04FD430C8`;

const SERVER_PY = `import argparse
import http.server
import sqlite3
import traceback

DB = "${TRACE_SERVICE_DB}"


def greeting():
    # libsqlite3 opens the file (read-only): Python's open() never sees it.
    db = sqlite3.connect(f"file:{DB}?mode=ro", uri=True)
    try:
        words = [row[0] for row in db.execute("SELECT word FROM words ORDER BY id")]
    finally:
        db.close()
    # Imported here, on purpose: only a request loads xml.dom.minidom.
    from xml.dom import minidom

    doc = minidom.parseString("<greeting/>")
    doc.documentElement.appendChild(doc.createTextNode(" ".join(words)))
    return doc.documentElement.toxml()


def report():
    # Imported here, on purpose: only /report loads ctypes (and libffi) and email.mime.
    import ctypes

    # dlopen of a library of the environment that nothing else loads.
    libuuid = ctypes.CDLL("libuuid.so.1")
    binary = ctypes.create_string_buffer(16)
    if libuuid.uuid_parse(b"6ba7b810-9dad-11d1-80b4-00c04fd430c8", binary) != 0:
        raise ValueError("libuuid could not parse the UUID")
    text = ctypes.create_string_buffer(37)
    libuuid.uuid_unparse_upper(binary, text)
    from email.mime.text import MIMEText

    message = MIMEText(f"report: {greeting()} with libuuid {text.value.decode()}\\n")
    message["Subject"] = "tracesvc report"
    return message.as_string()


ROUTES = {"/": greeting, "/report": report}


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        route = ROUTES.get(self.path)
        if route is None:
            self.answer(404, "no such path: try / or /report")
            return
        try:
            self.answer(200, route())
        except Exception as error:
            # The error first: the check's one-line message then says what the image lacks.
            self.answer(500, f"{type(error).__name__}: {error}\\n\\n{traceback.format_exc()}")

    def answer(self, status, text):
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    http.server.ThreadingHTTPServer(("0.0.0.0", args.port), Handler).serve_forever()
`;

/** The project's own files: the package and the database `files:` ships. */
export function traceServiceSources(): Record<string, string | Uint8Array> {
  return {
    [`${TRACE_SERVICE_PACKAGE}/pyproject.toml`]: [
      '[build-system]',
      'requires = ["setuptools"]',
      'build-backend = "setuptools.build_meta"',
      '[project]',
      'name = "tracesvc"',
      'version = "0.1.0"',
      '[project.scripts]',
      'tracesvc-serve = "tracesvc.server:main"',
      '',
    ].join('\n'),
    [`${TRACE_SERVICE_PACKAGE}/tracesvc/__init__.py`]: '',
    [`${TRACE_SERVICE_PACKAGE}/tracesvc/server.py`]: SERVER_PY,
    'data.db': sqliteDatabase({
      name: 'words',
      columns: [
        ['id', 'INTEGER'],
        ['word', 'TEXT'],
      ],
      rows: [
        [1, 'hello'],
        [2, 'from'],
        [3, 'data.db'],
      ],
    }),
  };
}

/**
 * Writes the trace service project (sources, data.db, environment.yml) into `projectDir` and locks
 * it on the served realistic channel. condense.yml: `writeServiceRecipe(projectDir,
 * traceServiceRecipe(port))`.
 */
export async function createTraceServiceProject(
  projectDir: string,
  channelUrl: string,
  cacheRoot: string,
): Promise<void> {
  await writeProjectFiles(projectDir, traceServiceSources());
  await writeAndLockEnvironment(projectDir, 'tracesvc', channelUrl, cacheRoot, [
    'python 3.11.*',
    'pip',
    'setuptools',
  ]);
}

/**
 * condense.yml fields for the project on the fixture images and the test engine (host network: it
 * has no bridge). The service check requests `/report`, the path that needs everything; `overrides`
 * replace fields (e.g. `variants`, `prune`, or `service` to check `/` only).
 */
export function traceServiceRecipe(
  port: number,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    builderImage: FIXTURE_BUILDER_IMAGE,
    runtimeImage: FIXTURE_RUNTIME_IMAGE,
    network: 'host',
    package: { path: TRACE_SERVICE_PACKAGE, noBuildIsolation: true },
    files: [{ from: 'data.db', to: TRACE_SERVICE_DB }],
    entrypoint: { preset: 'command', command: [TRACE_SERVICE_COMMAND, '--port', String(port)] },
    port,
    service: { path: '/report', expect: TRACE_SERVICE_REPORT, timeoutSeconds: 30 },
    prune: { preset: 'safe' },
    ...overrides,
  };
}
