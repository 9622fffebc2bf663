/**
 * Runs `task` over every item with at most `concurrency` tasks in flight, and returns the results in
 * the items' order. Stops starting new tasks once `shouldStop` returns true; the results of items not
 * started are `undefined`. The first task error is thrown after the tasks in flight settle.
 */
export async function runBounded<Item, Result>(
  items: readonly Item[],
  concurrency: number,
  task: (item: Item, index: number) => Promise<Result>,
  shouldStop: () => boolean = () => false,
): Promise<(Result | undefined)[]> {
  const results: (Result | undefined)[] = new Array(items.length).fill(undefined);
  let next = 0;
  let failure: { error: unknown } | null = null;

  async function lane(): Promise<void> {
    while (next < items.length && failure === null && !shouldStop()) {
      const index = next;
      next += 1;
      try {
        results[index] = await task(items[index] as Item, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  }

  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, () => lane());
  await Promise.all(lanes);

  if (failure !== null) {
    throw (failure as { error: unknown }).error;
  }
  return results;
}
