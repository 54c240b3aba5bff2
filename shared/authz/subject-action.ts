/**
 * A subject's entitlements and an action resolved once against one policy version — the Casbin
 * request set, the candidate rows, the cache key prefix — then evaluated per resource. Decisions
 * and prepared checks (prepared-check.ts) share these (CompiledPolicy.subjectAction), so both
 * evaluate exactly the same way.
 */
import { evaluateWithCasbin, type CasbinOutcome } from './casbin-evaluation.js';
import type { CompiledPolicy } from './compile-policy.js';
import type { ConditionInput } from './conditions.js';
import { requestKeyOf, type CachedEvaluation } from './decision-cache.js';
import type { Decision } from './decision.js';
import type { BindingDef } from './policy-files.js';
import type { ActionCandidates, Row } from './row-index.js';

/** Casbin's outcome and, once explained, the decision; a cache entry unless the evaluation failed. */
export interface Evaluation {
  readonly outcome: CasbinOutcome;
  decision?: Decision;
}

export class SubjectAction {
  readonly entitlements: readonly string[];
  private readonly subs: ReadonlySet<string>;
  private readonly candidates: ActionCandidates | undefined;
  private conditionalAllows: BindingDef[] | undefined;

  constructor(
    readonly policy: CompiledPolicy,
    entitlements: readonly string[],
    readonly action: string,
    /** Unique for (entitlements, action) within the version. */
    private readonly keyPrefix: string,
  ) {
    this.entitlements = [...entitlements];
    this.subs = new Set(entitlements);
    this.candidates = policy.rowIndex.startsWith('subject+action') ? policy.index.candidatesFor(entitlements, action) : undefined;
  }

  /**
   * This subject and action on `path` with `input`: from the cache when this version already
   * answered it, else evaluated by Casbin (and cached unless it failed).
   */
  evaluate(path: string, input: ConditionInput): Evaluation {
    const key = this.keyPrefix + requestKeyOf(path, input);
    const cached = this.policy.cache.get(key);
    if (cached) return cached;
    const outcome = evaluateWithCasbin(this.policy, this.subs, this.rowsFor(path), path, this.action, input);
    if (!outcome.ok) return { outcome };
    const entry: CachedEvaluation = { outcome };
    this.policy.cache.set(key, entry);
    return entry;
  }

  /** The allow bindings with a condition that name the subject and hold the action, in policy order (for explanations). */
  conditionalAllowBindings(): readonly BindingDef[] {
    this.conditionalAllows ??= this.policy.index
      .bindingsFor(this.entitlements, this.action)
      .filter((b) => b.effect === 'allow' && b.condition !== undefined);
    return this.conditionalAllows;
  }

  private rowsFor(path: string): Row[] | undefined {
    switch (this.policy.rowIndex) {
      case 'subject+action+scope':
        return this.candidates!.covering(path);
      case 'subject+action':
        return this.candidates!.rows;
      case 'subject':
        return this.policy.index.rowsFor(this.entitlements);
      case 'none':
        return undefined;
    }
  }
}
