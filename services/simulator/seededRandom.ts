/**
 * A small seedable pseudo-random generator (sfc32, seeded through a string hash) so a
 * simulation replays exactly from `--seed`. `Math.random` cannot be seeded.
 */

/** Uniform and derived draws from one deterministic stream. */
export interface SeededRandom {
  /** Uniform in [0, 1). */
  readonly next: () => number;
  /** Uniform in [min, max). */
  readonly between: (min: number, max: number) => number;
  /** Integer in [min, maxExclusive). */
  readonly integer: (min: number, maxExclusive: number) => number;
  /** True with the given probability. */
  readonly chance: (probability: number) => boolean;
  /** Standard normal draw (mean 0, sd 1). */
  readonly normal: () => number;
  /** One element of a non-empty list. */
  readonly pick: <A>(items: ReadonlyArray<A>) => A;
}

// xmur3: spreads any seed text over 32-bit words with good avalanche.
const hashSeed = (text: string): (() => number) => {
  let h = 1779033703 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  return () => {
    h = Math.imul(h ^ (h >>> 16), 2246822507);
    h = Math.imul(h ^ (h >>> 13), 3266489909);
    h ^= h >>> 16;
    return h >>> 0;
  };
};

/**
 * A generator whose whole sequence is fixed by the seed parts. Separate parts give
 * independent streams, so one device's values never depend on another's draws.
 *
 * @example
 * const random = createSeededRandom(42, "device", 3, "values");
 * const temperature = 20 + random.normal();
 */
export const createSeededRandom = (...seedParts: ReadonlyArray<string | number>): SeededRandom => {
  const nextWord = hashSeed(seedParts.join("\u0000"));
  let a = nextWord();
  let b = nextWord();
  let c = nextWord();
  let d = nextWord();
  const next = (): number => {
    // sfc32
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  // Warm-up: the first outputs of sfc32 are correlated with the seed words.
  for (let i = 0; i < 12; i++) next();

  const between = (min: number, max: number): number => min + (max - min) * next();
  return {
    next,
    between,
    integer: (min, maxExclusive) => Math.floor(between(min, maxExclusive)),
    chance: (probability) => next() < probability,
    normal: () => {
      // Box-Muller; 1 - next() keeps the logarithm's argument in (0, 1].
      const radius = Math.sqrt(-2 * Math.log(1 - next()));
      return radius * Math.cos(2 * Math.PI * next());
    },
    pick: <A>(items: ReadonlyArray<A>): A => {
      const item = items[Math.floor(next() * items.length)];
      if (item === undefined) throw new RangeError("pick needs a non-empty list");
      return item;
    },
  };
};
