/**
 * A small seeded pseudo-random source (mulberry32), so a test can replay the same traffic, and the
 * id and timing helpers built on it.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max]. */
  int(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** A pick weighted by `weightOf`. */
  weighted<T>(items: readonly T[], weightOf: (item: T) => number): T;
  /** Lowercase hex of `length` characters, never all zeros (OTLP trace and span ids). */
  hex(length: number): string;
  /** A positive value around `median` with a long right tail (log-normal, sigma ≈ 0.5). */
  around(median: number): number;
}

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const random: Random = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (probability) => next() < probability,
    pick: (items) => items[Math.floor(next() * items.length)]!,
    weighted: (items, weightOf) => {
      const total = items.reduce((sum, item) => sum + weightOf(item), 0);
      let target = next() * total;
      for (const item of items) {
        target -= weightOf(item);
        if (target < 0) return item;
      }
      return items[items.length - 1]!;
    },
    hex: (length) => {
      let out = '';
      while (out.length < length)
        out += Math.floor(next() * 0x100000000)
          .toString(16)
          .padStart(8, '0');
      out = out.slice(0, length);
      return /^0+$/.test(out) ? `${out.slice(0, -1)}1` : out;
    },
    around: (median) => {
      // Box-Muller: a standard normal, then exp(0.5·z).
      const u = Math.max(next(), 1e-12);
      const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
      return median * Math.exp(0.5 * Math.max(-3, Math.min(3, z)));
    },
  };
  return random;
}

/** RFC 3339 UTC with microseconds (the OTLP encoders and both backends keep them). */
export function isoMicros(epochMicros: number): string {
  const whole = Math.floor(epochMicros);
  const millis = Math.floor(whole / 1000);
  const micros = String(whole % 1000).padStart(3, '0');
  return new Date(millis).toISOString().replace(/\.(\d{3})Z$/, `.$1${micros}Z`);
}
