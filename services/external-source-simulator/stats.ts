/**
 * Counts the simulated requests (never `/_control` or `/_stats`) so tests can assert how a client
 * behaved: "100 concurrent readings for one location caused exactly one fetch".
 */

/** One request as the simulator saw it. */
export interface RecordedRequest {
  readonly method: string;
  /** Path without the query, e.g. `/weather`. */
  readonly path: string;
  /** Path and query, e.g. `/weather?lat=1&lon=2`. */
  readonly url: string;
  readonly startedAt: string;
  /** The status sent, or null while pending and when no answer was sent (hang, reset, client gone). */
  status: number | null;
  /** Null while the request is still in flight. */
  durationMs: number | null;
}

/** What `GET /_stats` answers. */
export interface Stats {
  /** Simulated requests received since the last reset (counted on arrival, answered or not). */
  readonly requests: number;
  /** Requests per path (without the query), e.g. `{ "/weather": 3, "/devices/d1/calibration": 1 }`. */
  readonly byPath: Readonly<Record<string, number>>;
  /** Requests in flight right now. */
  readonly inFlight: number;
  /** Most requests in flight at once since the last reset. */
  readonly concurrentMax: number;
  /** The latest requests, oldest first, at most `lastRequestsLimit`. */
  readonly lastRequests: ReadonlyArray<Readonly<RecordedRequest>>;
}

/** How many recent requests `lastRequests` keeps. */
export const lastRequestsLimit = 200;

/** Records arrivals and completions of simulated requests. */
export interface RequestStats {
  /** Records an arrival; call the returned function once the response is done (or abandoned). */
  readonly begin: (method: string, url: URL) => (status: number | null) => void;
  readonly snapshot: () => Stats;
  /** Zeroes the counters; requests still in flight stay counted in `inFlight`. */
  readonly reset: () => void;
}

/**
 * Counters for one simulator; `now` is the clock for durations.
 *
 * @example
 * const stats = createRequestStats();
 * const finish = stats.begin("GET", new URL("http://x/weather?lat=1&lon=2"));
 * finish(200);
 * stats.snapshot().byPath // { "/weather": 1 }
 */
export const createRequestStats = (now: () => number = Date.now): RequestStats => {
  let requests = 0;
  let byPath: Record<string, number> = {};
  let inFlight = 0;
  let concurrentMax = 0;
  let lastRequests: Array<RecordedRequest> = [];

  const begin = (method: string, url: URL) => {
    const startedAt = now();
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      url: `${url.pathname}${url.search}`,
      startedAt: new Date(startedAt).toISOString(),
      status: null,
      durationMs: null,
    };
    requests += 1;
    byPath[url.pathname] = (byPath[url.pathname] ?? 0) + 1;
    inFlight += 1;
    concurrentMax = Math.max(concurrentMax, inFlight);
    lastRequests.push(record);
    if (lastRequests.length > lastRequestsLimit) lastRequests.shift();
    let finished = false;
    return (status: number | null) => {
      if (finished) return;
      finished = true;
      inFlight -= 1;
      record.status = status;
      record.durationMs = now() - startedAt;
    };
  };

  const snapshot = (): Stats => ({
    requests,
    byPath: { ...byPath },
    inFlight,
    concurrentMax,
    lastRequests: lastRequests.map((record) => ({ ...record })),
  });

  const reset = () => {
    requests = 0;
    byPath = {};
    concurrentMax = inFlight;
    lastRequests = [];
  };

  return { begin, snapshot, reset };
};
