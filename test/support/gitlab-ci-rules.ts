/**
 * GitLab's CI schema (gitlab-org/gitlab, `app/assets/javascripts/editor/schema/ci.json`, the schema
 * GitLab's pipeline editor validates `.gitlab-ci.yml` with), restated as a JSON Schema of our own for
 * the keywords a generated file may use: the global keywords, and a job with
 * `additionalProperties: false` and the shapes ci.json gives `image`, `services`, `script`,
 * `before_script`, `variables`, `stage`, `needs`, `rules`, `when`, `artifacts`, `retry`... Keywords we
 * never write are accepted by name with the loose shape ci.json gives them (object, array, string).
 * Not shipped in any npm package we have, hence restated; checked against ci.json of 2026.
 */
const nonEmpty = { type: 'string', minLength: 1 };
const stringList = { type: 'array', items: { type: 'string' } };

const script = {
  oneOf: [
    nonEmpty,
    { type: 'array', minItems: 1, items: { anyOf: [{ type: 'string' }, stringList] } },
  ],
};
const optionalScript = {
  oneOf: [
    { type: 'string' },
    { type: 'array', items: { anyOf: [{ type: 'string' }, stringList] } },
  ],
};
const pullPolicy = {
  oneOf: [
    { enum: ['always', 'never', 'if-not-present'] },
    {
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      items: { enum: ['always', 'never', 'if-not-present'] },
    },
  ],
};
const jobVariables = {
  type: 'object',
  additionalProperties: {
    oneOf: [
      { type: ['boolean', 'number', 'string'] },
      {
        type: 'object',
        properties: { value: { type: 'string' }, expand: { type: 'boolean' } },
        additionalProperties: false,
      },
    ],
  },
};
const globalVariables = {
  type: 'object',
  additionalProperties: {
    oneOf: [
      { type: ['boolean', 'number', 'string'] },
      {
        type: 'object',
        properties: {
          value: { type: 'string' },
          options: { type: 'array', items: { type: 'string' }, minItems: 1, uniqueItems: true },
          description: { type: 'string' },
          expand: { type: 'boolean' },
        },
        additionalProperties: false,
      },
    ],
  },
};
const image = {
  oneOf: [
    nonEmpty,
    {
      type: 'object',
      properties: {
        name: nonEmpty,
        entrypoint: { type: 'array', minItems: 1 },
        docker: { type: 'object' },
        kubernetes: { type: 'object' },
        pull_policy: pullPolicy,
      },
      required: ['name'],
      additionalProperties: false,
    },
  ],
};
const services = {
  type: 'array',
  items: {
    oneOf: [
      nonEmpty,
      {
        type: 'object',
        properties: {
          name: nonEmpty,
          entrypoint: { type: 'array', minItems: 1, items: { type: 'string' } },
          docker: { type: 'object' },
          kubernetes: { type: 'object' },
          pull_policy: pullPolicy,
          command: script,
          alias: nonEmpty,
          variables: jobVariables,
        },
        required: ['name'],
        additionalProperties: false,
      },
    ],
  },
};
const when = { enum: ['on_success', 'on_failure', 'always', 'never', 'manual', 'delayed'] };
const allowFailure = {
  oneOf: [
    { type: 'boolean' },
    {
      type: 'object',
      properties: {
        exit_codes: {
          oneOf: [
            { type: 'integer' },
            { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'integer' } },
          ],
        },
      },
      required: ['exit_codes'],
      additionalProperties: false,
    },
  ],
};
const rules = {
  type: ['array', 'null'],
  items: {
    anyOf: [
      {
        type: 'object',
        properties: {
          if: { type: 'string' },
          changes: { anyOf: [stringList, { type: 'object' }] },
          exists: { anyOf: [stringList, { type: 'object' }] },
          variables: {
            type: 'object',
            additionalProperties: { type: ['boolean', 'number', 'string'] },
          },
          when,
          start_in: nonEmpty,
          allow_failure: allowFailure,
          needs: { type: 'array' },
          interruptible: { type: 'boolean' },
        },
        additionalProperties: false,
      },
      nonEmpty,
      { type: 'array', minItems: 1, items: { type: 'string' } },
    ],
  },
};
const needs = {
  type: 'array',
  items: {
    oneOf: [
      { type: 'string' },
      {
        type: 'object',
        properties: {
          job: { type: 'string' },
          artifacts: { type: 'boolean' },
          optional: { type: 'boolean' },
          pipeline: { type: 'string' },
          project: { type: 'string' },
          ref: { type: 'string' },
          parallel: { type: 'object' },
        },
        required: ['job'],
        additionalProperties: false,
      },
    ],
  },
};
const artifacts = {
  type: ['object', 'null'],
  properties: {
    paths: { type: 'array', items: { type: 'string' }, minItems: 1 },
    exclude: { type: 'array', items: { type: 'string' }, minItems: 1 },
    expose_as: { type: 'string' },
    name: { type: 'string' },
    untracked: { type: 'boolean' },
    when: { enum: ['on_success', 'on_failure', 'always'] },
    access: { enum: ['none', 'developer', 'all'] },
    expire_in: { type: 'string' },
    reports: { type: 'object' },
  },
  additionalProperties: false,
};
const retry = {
  oneOf: [
    { type: 'integer', minimum: 0, maximum: 2 },
    {
      type: 'object',
      properties: {
        max: { type: 'integer', minimum: 0, maximum: 2 },
        when: {},
        exit_codes: {},
      },
      additionalProperties: false,
    },
  ],
};

const job = {
  type: 'object',
  properties: {
    image,
    services,
    before_script: optionalScript,
    after_script: optionalScript,
    hooks: { type: 'object' },
    rules,
    variables: jobVariables,
    cache: { type: ['object', 'array'] },
    id_tokens: { type: 'object' },
    identity: { enum: ['google_cloud'] },
    inputs: { type: 'object' },
    secrets: { type: 'object' },
    script,
    run: { type: 'array' },
    stage: {
      anyOf: [nonEmpty, { type: 'array', minItems: 1, items: { type: 'string' } }],
    },
    only: {},
    extends: {
      oneOf: [{ type: 'string' }, { type: 'array', minItems: 1, items: { type: 'string' } }],
    },
    needs,
    except: {},
    tags: { type: 'array', minItems: 1 },
    allow_failure: allowFailure,
    timeout: nonEmpty,
    when,
    start_in: nonEmpty,
    manual_confirmation: { type: 'string' },
    dependencies: { type: 'array', items: { type: 'string' } },
    artifacts,
    environment: { oneOf: [{ type: 'string' }, { type: 'object' }] },
    release: { type: 'object' },
    coverage: { type: 'string' },
    retry,
    parallel: { oneOf: [{ type: 'integer', minimum: 1, maximum: 200 }, { type: 'object' }] },
    interruptible: { type: 'boolean' },
    resource_group: { type: 'string' },
    trigger: { oneOf: [{ type: 'object' }, { type: 'string' }] },
    inherit: { type: 'object' },
    publish: { type: 'string' },
    pages: { oneOf: [{ type: 'object' }, { type: 'boolean' }] },
  },
  additionalProperties: false,
  // `when: delayed` needs `start_in` (ci.json's oneOf on the job).
  if: { properties: { when: { const: 'delayed' } }, required: ['when'] },
  then: { required: ['start_in'] },
};

export const GITLAB_CI_RULES = {
  type: 'object',
  properties: {
    $schema: { type: 'string' },
    spec: { type: 'object' },
    image,
    services,
    before_script: optionalScript,
    after_script: optionalScript,
    variables: globalVariables,
    cache: { type: ['object', 'array'] },
    default: {
      type: 'object',
      properties: {
        after_script: optionalScript,
        artifacts,
        before_script: optionalScript,
        hooks: { type: 'object' },
        cache: { type: ['object', 'array'] },
        image,
        interruptible: { type: 'boolean' },
        id_tokens: { type: 'object' },
        identity: { enum: ['google_cloud'] },
        retry,
        services,
        tags: { type: 'array', minItems: 1 },
        timeout: nonEmpty,
      },
      additionalProperties: false,
    },
    stages: {
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      items: { anyOf: [{ type: 'string' }, stringList] },
    },
    include: {},
    pages: job,
    workflow: {
      type: 'object',
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 255 },
        auto_cancel: { type: 'object' },
        rules: {
          type: 'array',
          items: {
            anyOf: [
              {
                type: 'object',
                properties: {
                  if: { type: 'string' },
                  changes: {},
                  exists: {},
                  variables: { type: 'object' },
                  when: { enum: ['always', 'never'] },
                  auto_cancel: { type: 'object' },
                },
                additionalProperties: false,
              },
              { type: 'array', minItems: 1, items: { type: 'string' } },
            ],
          },
        },
      },
    },
  },
  // Hidden keys (`.template`) may be anything; every other key is a job.
  patternProperties: { '^[.]': {} },
  additionalProperties: job,
} as const;

/**
 * What GitLab checks when it creates the pipeline, beyond the schema: a job runs something (`script`,
 * `run` or `trigger`, unless it `extends` another), its stage is one of `stages`, the jobs it `needs`
 * exist and come from an earlier stage.
 */
export function gitlabPipelineErrors(document: Record<string, unknown>): string[] {
  const errors: string[] = [];
  const stages = (document.stages as string[] | undefined) ?? ['build', 'test', 'deploy'];
  const all = ['.pre', ...stages, '.post'];
  const reserved = new Set(Object.keys(GITLAB_CI_RULES.properties));
  const jobs = Object.entries(document).filter(([k]) => !reserved.has(k) && !k.startsWith('.')) as [
    string,
    Record<string, unknown>,
  ][];
  const stageOf = (job: Record<string, unknown>) => (job.stage as string | undefined) ?? 'test';
  for (const [name, job] of jobs) {
    if (!('script' in job || 'run' in job || 'trigger' in job || 'extends' in job))
      errors.push(`${name}: runs nothing (no script, run or trigger)`);
    if (!all.includes(stageOf(job))) errors.push(`${name}: stage ${stageOf(job)} is not in stages`);
    for (const need of (job.needs as (string | { job: string })[] | undefined) ?? []) {
      const other = typeof need === 'string' ? need : need.job;
      const found = jobs.find(([n]) => n === other);
      if (!found) errors.push(`${name}: needs ${other}, which is no job`);
      else if (all.indexOf(stageOf(found[1])) > all.indexOf(stageOf(job)))
        errors.push(`${name}: needs ${other} of a later stage`);
    }
  }
  return errors;
}
