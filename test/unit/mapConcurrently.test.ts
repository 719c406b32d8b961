import { mapConcurrently } from '../../shared/mapConcurrently';

/** A task per item that finishes when the test says so, recording what ran at once. */
function gatedWork() {
  const release = new Map<number, () => void>();
  const started: number[] = [];
  let running = 0;
  let peak = 0;
  const work = (item: number) =>
    new Promise<string>((resolve, reject) => {
      started.push(item);
      peak = Math.max(peak, ++running);
      release.set(item, () => {
        running--;
        if (item < 0) reject(new Error(`item ${item} failed`));
        else resolve(`r${item}`);
      });
    });
  /** Lets the started items finish, one event-loop turn at a time, until all are done. */
  const drain = async (done: Promise<unknown>) => {
    let finished = false;
    void done.then(
      () => (finished = true),
      () => (finished = true),
    );
    while (!finished) {
      for (const [item, go] of release) {
        release.delete(item);
        go();
      }
      await new Promise((r) => setImmediate(r));
    }
  };
  return { work, started, peak: () => peak, drain };
}

describe('mapConcurrently', () => {
  test('results in input order, at most `limit` at once, every item once', async () => {
    const g = gatedWork();
    const items = [5, 3, 8, 1, 9, 2, 7];
    const done = mapConcurrently(items, 3, g.work);
    await g.drain(done);
    await expect(done).resolves.toEqual(items.map((i) => `r${i}`));
    expect(g.peak()).toBe(3);
    expect(g.started).toEqual(items);
  });

  test.each([
    [0, 1],
    [1, 1],
    [64, 4],
  ])('limit %i over 4 items runs %i at once', async (limit, peak) => {
    const g = gatedWork();
    const done = mapConcurrently([1, 2, 3, 4], limit, g.work);
    await g.drain(done);
    await expect(done).resolves.toHaveLength(4);
    expect(g.peak()).toBe(peak);
  });

  test('no items: an empty result, no call', async () => {
    const work = jest.fn();
    await expect(mapConcurrently([], 4, work)).resolves.toEqual([]);
    expect(work).not.toHaveBeenCalled();
  });

  test('after a failure no further item starts; the running ones finish before the error is thrown', async () => {
    const g = gatedWork();
    const done = mapConcurrently([1, -2, 3, 4, 5, 6], 2, g.work);
    await g.drain(done);
    await expect(done).rejects.toThrow('item -2 failed');
    // 1 and -2 start; -2 fails while 3 (started when 1 finished) runs; nothing after 3 starts.
    expect(g.started).toEqual([1, -2, 3]);
  });
});
