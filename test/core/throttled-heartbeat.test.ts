import type { Context } from '@temporalio/activity';
import { expect, test } from 'vitest';

import { createThrottledHeartbeat } from '../../activities/throttled-heartbeat.js';

/** Stand-in for the activity context that only records heartbeat details; the real one needs a running activity. */
function recordingContext(): { context: Context; beats: unknown[] } {
  const beats: unknown[] = [];
  const context = { heartbeat: (details: unknown) => beats.push(details) } as unknown as Context;
  return { context, beats };
}

test('heartbeat skips calls within interval', async () => {
  const { context, beats } = recordingContext();
  const heartbeat = createThrottledHeartbeat(context, 200);

  heartbeat({ records: 1 });
  heartbeat({ records: 2 });
  heartbeat({ records: 3 });
  expect(beats).toEqual([{ records: 1 }]);

  await new Promise((resolve) => setTimeout(resolve, 250));
  heartbeat({ records: 4 });
  heartbeat({ records: 5 });
  expect(beats).toEqual([{ records: 1 }, { records: 4 }]);
});
