import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDefinition, runToEnd } from '../support/job-steps.js';
import { startJobEnvironment } from '../support/test-services.js';
import type { JobTestEnvironment } from '../support/test-services.js';

let environment: JobTestEnvironment;

beforeAll(async () => {
  environment = await startJobEnvironment();
});

afterAll(async () => {
  await environment?.close();
});

/** Lists workflow ids matching a visibility query, waiting up to 10 s for the index to catch up. */
async function findWorkflowIds(query: string, expected: number): Promise<string[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ids: string[] = [];
    for await (const execution of environment.temporal.workflow.list({ query })) {
      ids.push(execution.workflowId);
    }
    if (ids.length >= expected || Date.now() > deadline) {
      return ids;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('job search attributes', () => {
  test('find a failed run by definition and status', async () => {
    const definitionId = await createDefinition(environment, {
      source: { protocol: 'local', path: 'missing.csv' },
    });
    const report = await runToEnd(environment, definitionId);
    expect(report.status).toBe('FAILURE');

    const failed = await findWorkflowIds(`DefinitionId = "${definitionId}" AND JobStatus = "FAILURE"`, 1);
    const succeeded = await findWorkflowIds(`DefinitionId = "${definitionId}" AND JobStatus = "SUCCESS"`, 0);
    const deletions = await findWorkflowIds(`DefinitionId = "${definitionId}" AND JobType = "DELETION"`, 1);

    expect(failed).toEqual([report.workflow_id]);
    expect(succeeded).toEqual([]);
    expect(deletions).toEqual([report.workflow_id]);
  });
});
