import type { WorkflowInput } from '../../shared/delivery/workflows';

/** A recipe's CI input with every check: smoke imports, a check command and a POST service probe. */
export const WORKFLOW_INPUT: WorkflowInput = {
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
