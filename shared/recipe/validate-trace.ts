import { customGlobProblem } from './guards';
import type { TraceRequest, TraceSettings } from './model';
import { hasControlCharacter } from './quote';
import type { IssueSink } from './validate-runtime';
import { serviceCheck } from './validate-runtime';

/** As `trace:start` takes them: at most 32 commands of 256 arguments of 4096 characters. */
const MAX_COMMANDS = 32;
const MAX_ARGUMENTS = 256;
const MAX_ARGUMENT_LENGTH = 4096;
const MAX_REQUESTS = 32;
const MAX_PINS = 1000;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function list(sink: IssueSink, field: string, value: unknown, max: number): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    sink.add(field, 'must be a list');
    return [];
  }
  if (value.length > max) sink.add(field, `has ${value.length} entries; at most ${max}`);
  return value.slice(0, max);
}

function pins(sink: IssueSink, value: unknown): string[] {
  return list(sink, 'trace.keep', value, MAX_PINS).flatMap((glob, i) => {
    const field = `trace.keep[${i}]`;
    if (typeof glob !== 'string') {
      sink.add(
        field,
        'must be a glob relative to the prefix, like lib/python3.11/site-packages/foo',
      );
      return [];
    }
    // A pin keeps rather than removes: a whole top-level folder is a fine pin.
    const problem = customGlobProblem(glob, true);
    if (problem) sink.add(field, `"${glob}" ${problem}`);
    return problem ? [] : [glob];
  });
}

function commands(sink: IssueSink, value: unknown): string[][] {
  return list(sink, 'trace.commands', value, MAX_COMMANDS).flatMap((command, i) => {
    const field = `trace.commands[${i}]`;
    const args = Array.isArray(command) ? list(sink, field, command, MAX_ARGUMENTS) : [];
    if (args.length === 0) {
      sink.add(
        field,
        'must list the program and its arguments, like [/env/bin/python, -c, "import app"]',
      );
      return [];
    }
    const bad = args.findIndex(
      (arg) =>
        typeof arg !== 'string' || arg.length > MAX_ARGUMENT_LENGTH || hasControlCharacter(arg),
    );
    if (bad !== -1) {
      sink.add(
        `${field}[${bad}]`,
        `must be a string of at most ${MAX_ARGUMENT_LENGTH} characters without control characters`,
      );
      return [];
    }
    if (args[0] === '') {
      sink.add(`${field}[0]`, 'must name the program');
      return [];
    }
    return [args as string[]];
  });
}

function requests(sink: IssueSink, value: unknown): TraceRequest[] {
  return list(sink, 'trace.requests', value, MAX_REQUESTS).flatMap((item, i) => {
    const field = `trace.requests[${i}]`;
    if (item === null || item === undefined) {
      sink.add(field, 'must be a mapping with path, method, body, status, expect');
      return [];
    }
    const checked = serviceCheck(sink, item, field, false);
    if (!checked) return [];
    const { timeoutSeconds: _timeout, ...request } = checked;
    return [request];
  });
}

/** `trace:` (absent: none): the user's pins, extra commands and extra service requests. */
export function traceSettings(sink: IssueSink, value: unknown): TraceSettings | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) {
    sink.add('trace', 'must be a mapping with keep, commands, requests');
    return undefined;
  }
  for (const key of Object.keys(value))
    if (!['keep', 'commands', 'requests'].includes(key))
      sink.add(`trace.${key}`, 'unknown field; known fields: keep, commands, requests');
  return {
    keep: pins(sink, value.keep),
    commands: commands(sink, value.commands),
    requests: requests(sink, value.requests),
  };
}
