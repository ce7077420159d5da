// The token bucket on a simulated clock (no real sleeps), and the in-flight bound.
import { assert, describe, it } from "@effect/vitest";
import { createConcurrencyLimit } from "./concurrencyLimit.ts";
import { createSimulatedClock, createTokenBucket, defaultBurstCapacity } from "./pacing.ts";

/** Takes batches as fast as the bucket allows for `seconds` of simulated time. */
const sendFor = async (options: { rate: number; batch: number; seconds: number; workMs?: number }) => {
  const clock = createSimulatedClock();
  const bucket = createTokenBucket({
    ratePerSecond: options.rate,
    capacity: defaultBurstCapacity(options.rate, options.batch),
    initialTokens: options.batch,
    clock,
  });
  const sentAt: Array<{ atMs: number; count: number }> = [];
  while (true) {
    await bucket.take(options.batch);
    if (clock.now() >= options.seconds * 1000) break;
    sentAt.push({ atMs: clock.now(), count: options.batch });
    clock.advance(options.workMs ?? 0); // time spent building and sending the request
  }
  return sentAt;
};

const total = (batches: ReadonlyArray<{ count: number }>) => batches.reduce((sum, batch) => sum + batch.count, 0);

describe("token bucket", () => {
  for (const { rate, batch } of [
    { rate: 1000, batch: 100 },
    { rate: 50, batch: 1 },
    { rate: 10, batch: 100 }, // a batch larger than a second of budget
    { rate: 25_000, batch: 1000 },
  ]) {
    it(`holds ${rate} readings/s in batches of ${batch} within 10% over a minute`, async () => {
      const sent = total(await sendFor({ rate, batch, seconds: 60 }));
      assert.isAbove(sent, rate * 60 * 0.9);
      assert.isBelow(sent, rate * 60 * 1.1);
    });
  }

  it("holds the rate in every 5 s window, not only on average", async () => {
    const batches = await sendFor({ rate: 1000, batch: 100, seconds: 60, workMs: 3 });
    for (let start = 0; start < 60_000; start += 5000) {
      const inWindow = total(batches.filter(({ atMs }) => atMs >= start && atMs < start + 5000));
      assert.isAbove(inWindow, 5000 * 0.9, `window at ${start} ms`);
      assert.isBelow(inWindow, 5000 * 1.1, `window at ${start} ms`);
    }
  });

  it("after a stall, bursts only up to its capacity instead of catching up", () => {
    const clock = createSimulatedClock();
    const bucket = createTokenBucket({ ratePerSecond: 100, capacity: 20, clock });
    assert.strictEqual(bucket.reserve(20), 0);
    clock.advance(10_000); // idle for 10 s: 1,000 tokens' worth, but the bucket holds 20
    assert.strictEqual(bucket.reserve(20), 0);
    assert.strictEqual(bucket.reserve(10), 100); // 10 tokens owed at 100/s
  });

  it("lets a batch larger than the capacity through, and makes the next taker wait for the debt", () => {
    const clock = createSimulatedClock();
    const bucket = createTokenBucket({ ratePerSecond: 10, capacity: 5, initialTokens: 5, clock });
    assert.strictEqual(bucket.reserve(50), 4500);
    assert.strictEqual(bucket.reserve(1), 4600);
  });

  it("refuses a rate that cannot be held", () => {
    const clock = createSimulatedClock();
    assert.throws(() => createTokenBucket({ ratePerSecond: 0, capacity: 1, clock }), RangeError);
    assert.throws(() => createTokenBucket({ ratePerSecond: Infinity, capacity: 1, clock }), RangeError);
  });

  it("sizes the burst to a tenth of a second, and at least one batch", () => {
    assert.strictEqual(defaultBurstCapacity(1000, 100), 100);
    assert.strictEqual(defaultBurstCapacity(50_000, 100), 5000);
    assert.strictEqual(defaultBurstCapacity(10, 500), 500);
  });
});

describe("concurrency limit", () => {
  it("lets no more than the limit in, hands freed slots to waiters in order, and reports idleness", async () => {
    const limit = createConcurrencyLimit(2);
    const admitted: Array<number> = [];
    const tasks = [1, 2, 3, 4].map((id) => limit.acquire().then(() => admitted.push(id)));
    await Promise.resolve();
    await Promise.resolve();
    assert.deepStrictEqual(admitted, [1, 2]);
    assert.strictEqual(limit.inFlight(), 2);

    let idle = false;
    const whenIdle = limit.whenIdle().then(() => {
      idle = true;
    });
    limit.release();
    await tasks[2];
    assert.deepStrictEqual(admitted, [1, 2, 3]);
    assert.strictEqual(limit.inFlight(), 2);
    limit.release();
    await tasks[3];
    limit.release();
    limit.release();
    await whenIdle;
    assert.isTrue(idle);
    assert.strictEqual(limit.inFlight(), 0);
  });

  it("refuses a limit below one", () => {
    assert.throws(() => createConcurrencyLimit(0), RangeError);
  });
});
