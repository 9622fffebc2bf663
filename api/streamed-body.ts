/**
 * Turns an async generator into a response body that pulls one value at a time, so a slow client
 * slows the reads behind it, and a client that goes away ends the generator (closing its cursor).
 */
export function streamedBody(source: AsyncGenerator<Uint8Array>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await source.next();
      if (next.done === true) {
        controller.close();
      } else {
        controller.enqueue(next.value);
      }
    },
    async cancel() {
      await source.return(undefined);
    },
  });
}
