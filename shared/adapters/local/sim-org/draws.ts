/**
 * Random draws for the simulation's timings. Everything takes its uniform numbers from a `random`
 * function, so a seeded one (seededRandom) makes a run repeat exactly.
 */

/** A standard normal draw (Box–Muller); `1 - random()` keeps the logarithm away from 0. */
export function standardNormal(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * A log-normal draw with the given median and sigma (of the logarithm): half the draws fall below
 * the median, and the spread is multiplicative, as service times are — a call or a creation is
 * seldom much faster than usual but now and then several times slower. Sigma 0 is exactly the
 * median, with no number taken from `random`.
 */
export function logNormal(median: number, sigma: number, random: () => number): number {
  if (sigma === 0 || median === 0) return median;
  return median * Math.exp(sigma * standardNormal(random));
}

/** A small, fast PRNG (mulberry32): the same seed gives the same numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
