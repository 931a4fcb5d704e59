/**
 * mulberry32: a tiny seeded PRNG in [0, 1), so every "random" split, corruption, abort point and
 * jittered wait in the tests is the same on every run (the seed is in the test's name). Plain
 * TypeScript with no imports, so Node, Deno and browser test code can all use it.
 */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
