/**
 * One synchronous Casbin evaluation over the given candidate rows (see row-index.ts). The
 * candidates are put in the enforcer's `p` assertion for the duration of the `enforceExSync` call
 * and the full row list is restored afterwards; decisions are synchronous, so no other evaluation
 * can observe the swap.
 */
import type { CompiledPolicy } from './compile-policy.js';
import type { ConditionInput } from './conditions.js';
import type { Row } from './row-index.js';

export type CasbinOutcome =
  /** `row` is the row Casbin reports: the last matching allow or the first matching deny (`[]` when none matched). */
  | { ok: true; allowed: boolean; row: Row }
  /** A matcher function or Casbin itself threw. */
  | { ok: false; error: string };

/** `candidates` undefined: every row. */
export function evaluateWithCasbin(
  policy: CompiledPolicy,
  subs: ReadonlySet<string>,
  candidates: Row[] | undefined,
  path: string,
  action: string,
  input: ConditionInput,
): CasbinOutcome {
  let result: [boolean, string[]];
  const assertion = candidates ? policy.pAssertion : undefined;
  policy.state.error = undefined;
  try {
    if (assertion && candidates) assertion.policy = candidates;
    result = policy.enforcer.enforceExSync(subs, path, action, input);
  } catch (err) {
    policy.state.error = err;
    result = [false, []];
  } finally {
    if (assertion) assertion.policy = policy.rows;
  }
  if (policy.state.error !== undefined || !Array.isArray(result)) {
    const error = policy.state.error instanceof Error ? policy.state.error.message : String(policy.state.error);
    policy.state.error = undefined;
    return { ok: false, error };
  }
  return { ok: true, allowed: result[0], row: result[1] };
}

/** Whether an outcome grants access: Casbin allowed AND reported an allow row (anything else is refused, not guessed). */
export function grantsAccess(outcome: CasbinOutcome): boolean {
  return outcome.ok && outcome.allowed && outcome.row.length >= 6 && outcome.row[3] !== 'deny';
}
