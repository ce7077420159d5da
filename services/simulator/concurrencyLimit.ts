/**
 * Bounds how many requests are in flight, so a slow API slows the sender down
 * (back-pressure) instead of piling up open sockets.
 */

export interface ConcurrencyLimit {
  /** Resolves once a slot is free and taken. */
  readonly acquire: () => Promise<void>;
  /** Frees a slot taken by `acquire`. */
  readonly release: () => void;
  readonly inFlight: () => number;
  /** Resolves when no slot is taken. */
  readonly whenIdle: () => Promise<void>;
}

/**
 * @example
 * const limit = createConcurrencyLimit(16);
 * await limit.acquire();
 * send(batch).finally(limit.release);
 * await limit.whenIdle();
 */
export const createConcurrencyLimit = (maxInFlight: number): ConcurrencyLimit => {
  if (!(Number.isInteger(maxInFlight) && maxInFlight > 0)) throw new RangeError("maxInFlight must be an integer > 0");
  let taken = 0;
  const waitingForSlot: Array<() => void> = [];
  let waitingForIdle: Array<() => void> = [];

  const release = (): void => {
    const next = waitingForSlot.shift();
    // Hand the slot straight to a waiter: the count stays the same.
    if (next !== undefined) {
      next();
      return;
    }
    taken--;
    if (taken === 0) {
      const idleWaiters = waitingForIdle;
      waitingForIdle = [];
      for (const resolve of idleWaiters) resolve();
    }
  };

  return {
    acquire: () => {
      if (taken < maxInFlight) {
        taken++;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => waitingForSlot.push(resolve));
    },
    release,
    inFlight: () => taken,
    whenIdle: () => (taken === 0 ? Promise.resolve() : new Promise<void>((resolve) => waitingForIdle.push(resolve))),
  };
};
