import { describe, expect, it } from 'vitest';
import type { z } from 'zod';

import type { MethodName, RequestOf } from './contract';
import { isCondenseError } from './errors';
import type { REQUEST_SCHEMAS } from './validate';
import { validate } from './validate';

// Compile-time: every request the contract declares is accepted by its schema's input type (the
// `satisfies` in validate.ts checks the other direction: a schema's output is the request type).
type Schemas = typeof REQUEST_SCHEMAS;
type Refused = {
  [M in MethodName]: [RequestOf<M>] extends [z.input<Schemas[M]>] ? never : M;
}[MethodName];
const everyRequestFits: [Refused] extends [never] ? true : Refused = true;

function refusal(method: MethodName, request: unknown) {
  try {
    validate(method, request);
  } catch (error) {
    if (isCondenseError(error)) return error;
    throw error;
  }
  throw new Error(`${method} accepted ${JSON.stringify(request)}`);
}

describe('validate(method, request)', () => {
  it('returns valid requests as they are', () => {
    expect(everyRequestFits).toBe(true);
    expect(validate('jobs:events', { jobId: 'j', afterSeq: 3 })).toEqual({
      jobId: 'j',
      afterSeq: 3,
    });
    expect(validate('app:info', undefined)).toEqual({});
    expect(validate('lock:start', { projectDir: '/p', engine: 'conda-lock' })).toEqual({
      projectDir: '/p',
      engine: 'conda-lock',
    });
  });

  it('refuses wrong types with INVALID_INPUT naming the field', () => {
    const error = refusal('jobs:events', { jobId: null });
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.details?.field).toBe('jobId');
    expect(error.message).toMatch(/^Invalid jobs:events request: jobId expected string/);
    const nested = refusal('environment:update', {
      projectDir: '/p',
      edits: [{}, { setDependency: 5 }],
    });
    expect(nested.details?.field).toBe('edits[1].setDependency');
    expect(
      refusal('build:log', { projectDir: '/p', buildId: '20261127-180837-3fa9c2', tail: 1.5 })
        .message,
    ).toContain('tail must be a whole number');
  });

  it('refuses fields the contract does not have, such as a program path', () => {
    const error = refusal('lock:start', { projectDir: '/p', condaLockPath: '/bin/sh' });
    expect(error.message).toBe(
      'Invalid lock:start request: condaLockPath is not a field of lock:start.',
    );
    expect(error.details?.field).toBe('condaLockPath');
  });

  it('refuses relative project folders and paths with NUL', () => {
    expect(refusal('lock:status', { projectDir: 'p' }).message).toContain(
      'projectDir must be an absolute path',
    );
    expect(refusal('lock:status', { projectDir: '/p\0x' }).message).toContain('NUL');
    expect(refusal('project:open', { dir: 'relative' }).details?.field).toBe('dir');
    expect(validate('project:open', { dir: '~/work' })).toEqual({ dir: '~/work' });
  });

  it('refuses requests that are not objects', () => {
    for (const request of [null, 5, 'x', [1], true]) {
      const error = refusal('project:recent', request === null ? 0 : request);
      expect(error.code).toBe('INVALID_INPUT');
      expect(error.details?.field).toBe('request');
    }
  });

  it('reports recipe problems as fields of the request', () => {
    const error = refusal('recipe:generate', {
      projectDir: '/p',
      recipe: { variants: [{ id: 'Not Valid', prune: {} }] },
    });
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.details?.field).toBe('recipe.variants[0].id');
  });

  it('names an unknown method as NOT_FOUND', () => {
    expect(refusal('nope:nothing' as MethodName, {}).code).toBe('NOT_FOUND');
  });
});
