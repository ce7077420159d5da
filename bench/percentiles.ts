/**
 * Exact order statistics over the samples a benchmark keeps (runs, latencies): small
 * arrays, so sorting a copy is simpler than a histogram and gives exact values.
 */

/**
 * The value under which `percent` % of the samples fall (nearest rank), or undefined when
 * there are none.
 *
 * @example
 * percentile([5, 1, 3, 2, 4], 50); // 3
 * percentile([5, 1, 3, 2, 4], 99); // 5
 */
export const percentile = (samples: ReadonlyArray<number>, percent: number): number | undefined => {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((percent / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
};

/**
 * The middle value (the mean of the two middle ones for an even count).
 *
 * @example
 * median([3, 1, 2]); // 2
 * median([4, 1, 2, 3]); // 2.5
 * median([]); // undefined
 */
export const median = (samples: ReadonlyArray<number>): number | undefined => {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

/**
 * Wall-clock milliseconds with sub-millisecond resolution (comparable with Date.now()
 * in other processes on the same machine).
 *
 * @example
 * const startedAt = preciseNowMs(); // 1767225600123.456
 */
export const preciseNowMs = (): number => performance.timeOrigin + performance.now();
