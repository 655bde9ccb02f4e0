import { NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import Ajv from 'ajv';
import { parse } from 'yaml';

import { GITLAB_CI_RULES, gitlabPipelineErrors } from './gitlab-ci-rules';
import { SPDX_23_RULES, spdxSemanticErrors } from './spdx-2.3-rules';

/** GitHub's own workflow parser (its schema and expression checks): the errors it reports. */
export function githubWorkflowErrors(content: string): string[] {
  const result = parseWorkflow(
    { name: 'condense-image.yml', content },
    new NoOperationTraceWriter(),
  );
  return result.context.errors.getErrors().map((e) => e.message);
}

const gitlabSchema = new Ajv({ allErrors: true, strict: false }).compile(GITLAB_CI_RULES);

/** GitLab's CI schema (restated in gitlab-ci-rules.ts), then what GitLab checks on pipeline creation. */
export function gitlabCiErrors(content: string): string[] {
  const document = parse(content) as Record<string, unknown>;
  if (!gitlabSchema(document))
    return (gitlabSchema.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
  return gitlabPipelineErrors(document);
}

const spdxSchema = new Ajv({ allErrors: true }).compile(SPDX_23_RULES);

/** SPDX 2.3's JSON schema rules, then the rules its text states (ids, relationships, licences). */
export function spdxErrors(document: unknown): string[] {
  if (!spdxSchema(document))
    return (spdxSchema.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
  return spdxSemanticErrors(document);
}
