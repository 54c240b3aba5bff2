/**
 * Builds one immutable policy version from validated policy files: a Casbin enforcer with the
 * matcher functions, `g` rows for role → action links and one `p` row per (binding, subject), plus
 * the lookups decisions and explanations need. A new version is built on every reload and swapped in
 * whole.
 */
import { newEnforcer, type Enforcer } from 'casbin';
import { ACTIONS } from './actions.js';
import { actionPatternMatchingFunc, registerMatcherFunctions, type EvalState } from './matcher-functions.js';
import type { BindingDef, PolicySource } from './policy-files.js';
import { RowIndex, type Row } from './row-index.js';

/**
 * How `g` resolves action wildcards. `expand` (default): patterns are expanded against the closed
 * catalogue at load, one `g, <action>, <role>` row each. `casbin-pattern`: `g` rows keep the
 * patterns and a named matching function (`addNamedMatchingFunc('g', …)`) resolves them at
 * decision time. Same answers, but with a matching function node-casbin rebuilds its whole role
 * graph (O(nodes²) matching calls) on every `g()` call it has not memoised, and it never memoises
 * `false`: ~1.8x slower per decision with the default row index, ~15x without it, and growing
 * with the number of roles. For benchmarks and equivalence tests.
 */
export type ActionMatching = 'expand' | 'casbin-pattern';

/** One immutable, fully built policy version. */
export class CompiledPolicy {
  /** Casbin's `p` assertion; its `policy` array is what `enforceExSync` scans. */
  readonly pAssertion: { policy: string[][] } | undefined;
  readonly index: RowIndex;

  constructor(
    readonly version: number,
    readonly source: PolicySource,
    readonly enforcer: Enforcer,
    /** Every `p` row, in policy order (what the enforcer holds between decisions). */
    readonly rows: Row[],
    readonly state: EvalState,
    /** For each catalogue action, the non-internal roles that hold it (suggested on no_match). */
    readonly rolesByAction: ReadonlyMap<string, string[]>,
    readonly bindingsByName: ReadonlyMap<string, BindingDef>,
  ) {
    this.pAssertion = enforcer.getModel().model.get('p')?.get('p');
    this.index = new RowIndex(rows, source.roles, bindingsByName);
  }
}

export async function compilePolicy(source: PolicySource, version: number, actionMatching: ActionMatching): Promise<CompiledPolicy> {
  const state: EvalState = { error: undefined };
  const rows: Row[] = [];
  source.bindings.forEach((b, bindingIndex) => {
    for (const sub of b.subjects) rows.push([sub, b.path, b.role, b.effect, b.condition ? String(bindingIndex) : '', b.name]);
  });

  const enforcer = await newEnforcer(source.model);
  await registerMatcherFunctions(
    enforcer,
    state,
    source.bindings.map((b) => b.condition),
  );

  const gRows: string[][] = [];
  for (const role of source.roles.values()) {
    const actions = actionMatching === 'expand' ? role.expanded : role.actions;
    for (const action of actions) gRows.push([action, role.name]);
  }
  if (actionMatching === 'casbin-pattern') await enforcer.addNamedMatchingFunc('g', actionPatternMatchingFunc);
  if (gRows.length > 0) await enforcer.addGroupingPolicies(gRows);
  if (rows.length > 0) await enforcer.addPolicies(rows);

  const rolesByAction = new Map<string, string[]>();
  for (const action of ACTIONS) {
    rolesByAction.set(
      action,
      [...source.roles.values()].filter((r) => !r.internal && r.expanded.includes(action)).map((r) => r.name),
    );
  }
  const bindingsByName = new Map(source.bindings.map((b) => [b.name, b]));
  return new CompiledPolicy(version, source, enforcer, rows, state, rolesByAction, bindingsByName);
}
