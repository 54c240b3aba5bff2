/**
 * One synchronous Casbin evaluation over the caller's candidate rows (see row-index.ts). The
 * candidates are put in the enforcer's `p` assertion for the duration of the `enforceExSync` call
 * and the full row list is restored afterwards; decisions are synchronous, so no other evaluation
 * can observe the swap.
 */
import type { CompiledPolicy } from './compile-policy.js';
import type { ConditionInput } from './conditions.js';
import type { Row, RowIndexMode } from './row-index.js';

export type CasbinOutcome =
  /** `row` is the row Casbin reports: the last matching allow or the first matching deny (`[]` when none matched). */
  | { ok: true; allowed: boolean; row: Row }
  /** A matcher function or Casbin itself threw. */
  | { ok: false; error: string };

export function evaluateWithCasbin(
  policy: CompiledPolicy,
  entitlements: readonly string[],
  path: string,
  action: string,
  input: ConditionInput,
  mode: RowIndexMode,
): CasbinOutcome {
  let result: [boolean, string[]];
  const indexed = mode !== 'none';
  const assertion = policy.pAssertion;
  policy.state.error = undefined;
  try {
    if (indexed && assertion) {
      assertion.policy = policy.index.rowsFor(entitlements, mode === 'subject+action' ? action : undefined);
    }
    result = policy.enforcer.enforceExSync(new Set(entitlements), path, action, input);
  } catch (err) {
    policy.state.error = err;
    result = [false, []];
  } finally {
    if (indexed && assertion) assertion.policy = policy.rows;
  }
  if (policy.state.error !== undefined || !Array.isArray(result)) {
    const error = policy.state.error instanceof Error ? policy.state.error.message : String(policy.state.error);
    policy.state.error = undefined;
    return { ok: false, error };
  }
  return { ok: true, allowed: result[0], row: result[1] };
}
