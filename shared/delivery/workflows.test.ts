import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { githubWorkflowErrors, gitlabCiErrors } from '../../test/support/delivery-checks';
import { WORKFLOW_INPUT } from '../../test/support/workflow-input';
import { githubWorkflow, gitlabCi } from './workflows';

const input = WORKFLOW_INPUT;

const githubErrors = githubWorkflowErrors;
const gitlabErrors = gitlabCiErrors;

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

  it("GitLab CI passes GitLab's CI schema and pipeline checks, one job per variant", () => {
    const text = gitlabCi(input, 'condense-0.1.0');
    expect(gitlabErrors(text)).toEqual([]);
    // The rules catch what GitLab would refuse.
    expect(gitlabErrors(text.replace('script:', 'scripts:'))).not.toEqual([]);
    expect(gitlabErrors(text.replace('  stage: image', '  stage: images'))).toEqual([
      'image:safe: stage images is not in stages',
    ]);
    expect(gitlabErrors(text.replace('    - docker:27-dind', '    - 27'))).not.toEqual([]);
    expect(gitlabErrors(text.replace('VARIANT: safe', 'VARIANT: [safe]'))).not.toEqual([]);
    expect(gitlabErrors(text.replace(/^ {2}script:\n(?: {4}.*\n)+/m, ''))).not.toEqual([]);
    const document = parse(text) as Record<string, unknown>;
    // REGISTRY, REGISTRY_USER and REGISTRY_PASSWORD as in the GitHub workflow, else GitLab's own.
    const safe = document['image:safe'] as { before_script: string[]; script: string[] };
    expect(safe.before_script.join('\n')).toContain('${REGISTRY_USER:-$CI_REGISTRY_USER}');
    expect(safe.before_script.join('\n')).toContain('"${REGISTRY_HOST:-$CI_REGISTRY}"');
    expect(safe.script[0]).toBe('export IMAGE_REPO="${REGISTRY:-$CI_REGISTRY_IMAGE}/churn-model"');
    expect(Object.keys(document).filter((k) => k.startsWith('image:'))).toEqual([
      'image:safe',
      'image:expert',
    ]);
  });
});
