/**
 * A bounded cache of evaluations for one policy version, keyed by everything an evaluation reads:
 * the caller's entitlements, the action, the resource path and the condition input. An entry holds
 * Casbin's outcome and, once `decide` has explained it, the (frozen) decision, which is determined by
 * the same key. A new policy version starts with an empty cache, so a reload invalidates every entry
 * at once. Failed evaluations are never cached.
 */
import type { CasbinOutcome } from './casbin-evaluation.js';
import type { ConditionInput } from './conditions.js';
import type { Decision } from './decision.js';

export type AllowedOrDenied = Extract<CasbinOutcome, { ok: true }>;

export interface CachedEvaluation {
  readonly outcome: AllowedOrDenied;
  /** Filled in by the first `decide` for this key. */
  decision?: Decision;
}

export const DEFAULT_DECISION_CACHE_SIZE = 50_000;

/** An unambiguous key for a list of strings (length-prefixed, so no value can imitate a separator). */
export function keyOf(parts: readonly string[]): string {
  let key = '';
  for (const part of parts) key += `${part.length}:${part}`;
  return key;
}

function optional(value: string | undefined): string {
  return value === undefined ? '-' : `${value.length}:${value}`;
}

/** The key part for a path and the condition input. */
export function requestKeyOf(path: string, input: ConditionInput): string {
  const production = input.isProduction === undefined ? '-' : input.isProduction ? 't' : 'f';
  return `${path.length}:${path}${optional(input.environment)}${production}${optional(input.componentType)}${input.subjectType === 'service' ? 's' : 'u'}`;
}

export class DecisionCache {
  private readonly entries = new Map<string, CachedEvaluation>();

  /** `capacity` 0 disables the cache. */
  constructor(private readonly capacity: number) {}

  get(key: string): CachedEvaluation | undefined {
    return this.capacity > 0 ? this.entries.get(key) : undefined;
  }

  set(key: string, entry: CachedEvaluation): void {
    if (this.capacity <= 0) return;
    if (this.entries.size >= this.capacity) {
      // Oldest first (insertion order): cheap, and a hot entry is simply re-evaluated once.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, entry);
  }

  get size(): number {
    return this.entries.size;
  }
}
