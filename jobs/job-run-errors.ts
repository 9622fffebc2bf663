/**
 * Reasons a run could not start. The API turns each into an HTTP error response, and the scheduled
 * run records it and skips. Each error carries the ids involved.
 */

/** Thrown when the definition to run does not exist (it was deleted). */
export class DefinitionNotFoundError extends Error {
  override readonly name = 'DefinitionNotFoundError';

  constructor(readonly definitionId: string) {
    super(`Definition ${definitionId} not found; list definitions to find its id`);
  }
}

/** Thrown when the definition is disabled; enabling it allows runs again. */
export class DefinitionDisabledError extends Error {
  override readonly name = 'DefinitionDisabledError';

  constructor(readonly definitionId: string) {
    super(`Definition ${definitionId} is disabled; enable it to run it`);
  }
}

/** Thrown when another job of the definition is running: runs of one definition never overlap. */
export class JobAlreadyRunningError extends Error {
  override readonly name = 'JobAlreadyRunningError';

  constructor(
    readonly definitionId: string,
    readonly runningJobId: string,
  ) {
    super(
      `Definition ${definitionId} already has a running job (${runningJobId}); wait for it to end or cancel it first`,
    );
  }
}

/**
 * Thrown when Temporal did not accept the job's workflow. The job was created and is closed as
 * FAILURE with this reason in its log, and the run lock is released.
 */
export class JobStartFailedError extends Error {
  override readonly name = 'JobStartFailedError';

  constructor(
    readonly jobId: string,
    options: { cause: unknown },
  ) {
    super('The job could not start because Temporal did not accept its workflow; try again later', options);
  }
}
