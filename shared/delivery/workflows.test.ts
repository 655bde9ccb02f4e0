import { NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import type { WorkflowInput } from './workflows';
import { githubWorkflow, gitlabCi } from './workflows';

const input: WorkflowInput = {
  repository: 'condense/churn-model',
  lockfile: 'conda-linux-64.lock',
  platform: 'linux-64',
  variants: [
    { id: 'safe', target: 'runtime-safe' },
    { id: 'expert', target: 'runtime-expert' },
  ],
  smokeModules: ['numpy', 'churn'],
  checkCommand: ['/env/bin/python', '-c', "print('it''s fine')"],
  service: {
    port: 8000,
    path: '/predict',
    method: 'POST',
    body: '{"x": 1}',
    status: 200,
    expect: 'fare',
    timeoutSeconds: 30,
  },
};

function githubErrors(content: string): string[] {
  const result = parseWorkflow(
    { name: 'condense-image.yml', content },
    new NoOperationTraceWriter(),
  );
  return result.context.errors.getErrors().map((e) => e.message);
}

// GitLab's CI schema (gitlab-org/gitlab, app/assets/javascripts/editor/schema/ci.json): the global
// keywords, and the keywords a job may carry; a job needs `script` (or trigger/run/extends).
const GITLAB_GLOBAL = new Set([
  'default',
  'include',
  'stages',
  'variables',
  'workflow',
  'image',
  'services',
  'cache',
  'before_script',
  'after_script',
  'spec',
  'pages',
]);
const GITLAB_JOB = new Set([
  'after_script',
  'allow_failure',
  'artifacts',
  'before_script',
  'cache',
  'coverage',
  'dependencies',
  'environment',
  'except',
  'extends',
  'hooks',
  'id_tokens',
  'identity',
  'image',
  'inherit',
  'interruptible',
  'needs',
  'only',
  'pages',
  'parallel',
  'release',
  'resource_group',
  'retry',
  'rules',
  'run',
  'script',
  'secrets',
  'services',
  'stage',
  'start_in',
  'tags',
  'timeout',
  'trigger',
  'variables',
  'when',
]);

function gitlabErrors(content: string): string[] {
  const errors: string[] = [];
  const document = parse(content) as Record<string, unknown>;
  const stages = (document.stages as string[] | undefined) ?? ['build', 'test', 'deploy'];
  for (const [key, value] of Object.entries(document)) {
    if (GITLAB_GLOBAL.has(key) || key.startsWith('.')) continue;
    const job = value as Record<string, unknown>;
    for (const field of Object.keys(job))
      if (!GITLAB_JOB.has(field)) errors.push(`${key}: unknown keyword ${field}`);
    const script = job.script;
    if (
      !Array.isArray(script) ||
      script.length === 0 ||
      !script.every((s) => typeof s === 'string')
    )
      errors.push(`${key}: script must be a non-empty list of strings`);
    if (typeof job.stage === 'string' && !stages.includes(job.stage))
      errors.push(`${key}: stage ${job.stage} is not in stages`);
    if (job.image !== undefined && typeof job.image !== 'string') errors.push(`${key}: image`);
    const variables = (job.variables ?? {}) as Record<string, unknown>;
    for (const [name, v] of Object.entries(variables))
      if (typeof v !== 'string' && typeof v !== 'number') errors.push(`${key}: variable ${name}`);
  }
  return errors;
}

describe('CI workflow files in the export', () => {
  it("GitHub's own workflow parser accepts the workflow, and catches a broken one", () => {
    const text = githubWorkflow(input, 'condense-0.1.0');
    expect(githubErrors(text)).toEqual([]);
    expect(githubErrors(text.replace('runs-on:', 'run-on:'))).not.toEqual([]);
  });

  it('checks the lock, builds each variant with a registry cache, checks, and pushes on main', () => {
    const workflow = parse(githubWorkflow(input, 'condense-0.1.0')) as {
      jobs: {
        lock: { steps: { run?: string }[] };
        image: {
          needs: string;
          strategy: { matrix: { include: unknown[] } };
          steps: { uses?: string; if?: string; with?: Record<string, unknown>; run?: string }[];
        };
      };
    };
    expect(
      workflow.jobs.lock.steps.some((s) => s.run?.includes('conda-lock lock --check-input-hash')),
    ).toBe(true);
    expect(workflow.jobs.image.needs).toBe('lock');
    expect(workflow.jobs.image.strategy.matrix.include).toEqual([
      { variant: 'safe', target: 'runtime-safe' },
      { variant: 'expert', target: 'runtime-expert' },
    ]);
    const build = workflow.jobs.image.steps.find((s) =>
      s.uses?.startsWith('docker/build-push-action'),
    )!;
    expect(String(build.with!['cache-from'])).toMatch(/^type=registry,ref=.*:buildcache$/);
    const push = workflow.jobs.image.steps.find((s) => s.run?.includes('docker push'))!;
    expect(push.if).toBe("github.ref == 'refs/heads/main'");
  });

  it('GitLab CI keeps to the keywords of its schema, one job per variant', () => {
    const text = gitlabCi(input, 'condense-0.1.0');
    expect(gitlabErrors(text)).toEqual([]);
    expect(gitlabErrors(text.replace('script:', 'scripts:'))).not.toEqual([]);
    const document = parse(text) as Record<string, unknown>;
    expect(Object.keys(document).filter((k) => k.startsWith('image:'))).toEqual([
      'image:safe',
      'image:expert',
    ]);
  });
});
