import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Search attributes of job workflows, so a developer can find any run in the Temporal UI,
 * for example `DefinitionId = "…" AND JobStatus = "FAILURE"`. The embedded server registers them.
 */
export const definitionIdKey = defineSearchAttributeKey('DefinitionId', SearchAttributeType.KEYWORD);
export const jobTypeKey = defineSearchAttributeKey('JobType', SearchAttributeType.KEYWORD);
export const jobStatusKey = defineSearchAttributeKey('JobStatus', SearchAttributeType.KEYWORD);

/** Workflow id of a job's run. */
export function jobWorkflowId(jobId: string): string {
  return `job-${jobId}`;
}
