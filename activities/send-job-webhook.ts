import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { JobStatus, JobType } from '../core/job-model.js';
import { signWebhookBody, webhookSignatureHeader } from '../core/webhook-signature.js';
import { appendJobLogs } from '../store/job-logs.js';
import type { JobLogEntry } from '../store/job-logs.js';
import { findJob } from '../store/jobs.js';
import type { JobDocument } from '../store/jobs.js';
import type { ActivityDependencies } from './activity-dependencies.js';
import { postWebhook } from './post-webhook.js';
import type { ResolveHost, WebhookAttemptOutcome } from './post-webhook.js';

export interface SendJobWebhookInput {
  jobId: string;
  /** Attempts the workflow's retry policy allows, so each log line can show "attempt N of M". */
  maximumAttempts: number;
}

export type SendJobWebhookResult = { outcome: 'delivered'; status: number } | { outcome: 'no_webhook' };

/** The JSON body POSTed to a definition's webhook when one of its jobs ends. */
export interface JobWebhookBody {
  job_id: string;
  definition_id: string;
  definition_name: string;
  job_type: JobType;
  status: Exclude<JobStatus, 'WAITING'>;
  succeeded: number;
  failed: number;
  total: number;
  /** True when the job stopped part-way, so the counts cover only the records it reached. */
  estimated: boolean;
  started_at: string | null;
  ended_at: string | null;
}

export interface SendJobWebhookOptions {
  /** Milliseconds for connecting, for the response headers and between body bytes; default 10,000. */
  timeoutMs?: number;
  resolveHost?: ResolveHost;
}

/**
 * Makes one attempt to POST an ended job's outcome to its definition's webhook, signed with the
 * definition's secret (see `signWebhookBody`), and writes the attempt's outcome to the job's log:
 * LOG when delivered, WARNING otherwise. Temporal's retry policy makes the further attempts with
 * backoff. The secret is read from the store here, so it never enters workflow history.
 * @throws ApplicationFailure `WebhookFailed` (retried) for a timeout, a network error, 408, 429 or 5xx;
 *   `WebhookRejected` (not retried) for any other non-2xx response or an address that is not allowed.
 */
export function createSendJobWebhook(
  dependencies: ActivityDependencies,
  options: SendJobWebhookOptions = {},
) {
  return async function sendJobWebhook(input: SendJobWebhookInput): Promise<SendJobWebhookResult> {
    const { store, clock } = dependencies;
    const context = Context.current();
    const job = await findJob(store, input.jobId);
    if (job === null || job.status === 'WAITING') {
      throw ApplicationFailure.create({
        message: `Job ${input.jobId} has not ended (or does not exist), so its webhook cannot be sent`,
        type: 'JobNotEnded',
        nonRetryable: true,
      });
    }
    if (dependencies.loadWebhookTarget === undefined) {
      context.log.debug('Webhooks are not configured on this worker; none was sent', { jobId: job._id });
      return { outcome: 'no_webhook' };
    }
    const target = await dependencies.loadWebhookTarget(job.definition_id);
    if (target === null) {
      return { outcome: 'no_webhook' };
    }

    const body = JSON.stringify(webhookBodyOf(job, job.status));
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'profile-jobs-webhook',
      [webhookSignatureHeader]: signWebhookBody({
        body,
        secret: target.secret,
        timestampSeconds: Math.floor(clock().getTime() / 1000),
      }),
      ...(target.authorization === undefined ? {} : { authorization: target.authorization }),
    };
    const outcome = await postWebhook({
      url: target.url,
      headers,
      body,
      timeoutMs: options.timeoutMs ?? 10_000,
      resolveHost: options.resolveHost,
    });

    const attempt = context.info.attempt;
    // Only the origin is logged: a path or query string may carry a token.
    const origin = originOf(target.url);
    await appendJobLogs(
      store,
      job._id,
      [attemptLogEntry(outcome, { attempt, maximumAttempts: input.maximumAttempts, origin })],
      clock(),
    );
    context.log.info('Webhook attempt', { jobId: job._id, attempt, outcome: outcome.kind });

    switch (outcome.kind) {
      case 'delivered':
        return { outcome: 'delivered', status: outcome.status };
      case 'failed':
        throw ApplicationFailure.create({
          message: `Webhook attempt failed: ${outcome.detail}`,
          type: 'WebhookFailed',
        });
      case 'rejected':
        throw ApplicationFailure.create({
          message: `The webhook receiver responded with HTTP ${outcome.status}`,
          type: 'WebhookRejected',
          nonRetryable: true,
        });
      case 'refused_address':
        throw ApplicationFailure.create({
          message: outcome.reason,
          type: 'WebhookRejected',
          nonRetryable: true,
        });
    }
  };
}

export function webhookBodyOf(job: JobDocument, status: Exclude<JobStatus, 'WAITING'>): JobWebhookBody {
  return {
    job_id: job._id,
    definition_id: job.definition_id,
    definition_name: job.definition_name,
    job_type: job.job_type,
    status,
    succeeded: job.succeeded,
    failed: job.failed,
    total: job.total,
    estimated: job.estimated,
    started_at: job.started_at?.toISOString() ?? null,
    ended_at: job.ended_at?.toISOString() ?? null,
  };
}

function attemptLogEntry(
  outcome: WebhookAttemptOutcome,
  attempt: { attempt: number; maximumAttempts: number; origin: string },
): JobLogEntry {
  const prefix = `Webhook attempt ${attempt.attempt} of ${attempt.maximumAttempts} to ${attempt.origin}`;
  const key = `webhook:${attempt.attempt}`;
  switch (outcome.kind) {
    case 'delivered':
      return { key, level: 'LOG', content: `${prefix} delivered: HTTP ${outcome.status}` };
    case 'failed': {
      const next =
        attempt.attempt < attempt.maximumAttempts
          ? 'it will be retried'
          : 'no attempt is left, so the webhook was not delivered';
      return { key, level: 'WARNING', content: `${prefix} failed: ${outcome.detail}; ${next}` };
    }
    case 'rejected':
      return {
        key,
        level: 'WARNING',
        content: `${prefix} failed: HTTP ${outcome.status}; not retried, because retrying cannot change this response`,
      };
    case 'refused_address':
      return { key, level: 'WARNING', content: `${prefix} not sent: ${outcome.reason}` };
  }
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'an invalid URL';
  }
}
