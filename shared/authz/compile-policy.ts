/**
 * Builds one immutable policy version from validated policy files: a Casbin enforcer with the
 * matcher functions, `g` rows for role → action links and one `p` row per (binding, subject), plus
 * the lookups and caches decisions need. A new version is built on every reload and swapped in
 * whole, so its caches go with it.
 */
import { newEnforcer, type Enforcer, type FunctionMap } from 'casbin';
import { ACTIONS } from './actions.js';
import { DecisionCache, keyOf } from './decision-cache.js';
import { actionPatternMatchingFunc, registerMatcherFunctions, type EvalState } from './matcher-functions.js';
import { analyseMatcher, safeRowIndex, uncalledFunctions } from './matcher-shape.js';
import type { BindingDef, PolicySource } from './policy-files.js';
import { RowIndex, type Row, type RowIndexMode } from './row-index.js';
import { SubjectAction } from './subject-action.js';

/**
 * How `g` resolves action wildcards. `expand` (default): patterns are expanded against the closed
 * catalogue at load, one `g, <action>, <role>` row each. `casbin-pattern`: `g` rows keep the
 * patterns and a named matching function (`addNamedMatchingFunc('g', …)`) resolves them at
 * decision time. Same answers, but with a matching function node-casbin rebuilds its whole role
 * graph (O(nodes²) matching calls) on every `g()` call it has not memoised, and it never memoises
 * `false`: several times slower per decision, and growing with the number of roles. For benchmarks
 * and equivalence tests.
 */
export type ActionMatching = 'expand' | 'casbin-pattern';

export interface CompileOptions {
  actionMatching: ActionMatching;
  /** The row index wanted; the version uses the narrowest its matcher makes safe, at most this. */
  rowIndex: RowIndexMode;
  /** Entries in this version's decision cache (0: no cache). */
  decisionCacheSize: number;
}

const MAX_CACHED_SUBJECT_ACTIONS = 10_000;

interface CompiledParts {
  version: number;
  source: PolicySource;
  enforcer: Enforcer;
  rows: Row[];
  state: EvalState;
  rolesByAction: ReadonlyMap<string, readonly string[]>;
  bindingsByName: ReadonlyMap<string, BindingDef>;
  rowIndex: RowIndexMode;
  decisionCacheSize: number;
}

/** One immutable, fully built policy version. */
export class CompiledPolicy {
  readonly version: number;
  readonly source: PolicySource;
  readonly enforcer: Enforcer;
  /** Every `p` row, in policy order (what the enforcer holds between decisions). */
  readonly rows: Row[];
  /** Shared with the matcher functions during one evaluation. */
  readonly state: EvalState;
  /** For each catalogue action, the non-internal roles that hold it (suggested on no_match). */
  readonly rolesByAction: ReadonlyMap<string, readonly string[]>;
  readonly bindingsByName: ReadonlyMap<string, BindingDef>;
  /** The row index this version uses (matcher-shape.ts). */
  readonly rowIndex: RowIndexMode;
  /** Casbin's `p` assertion; its `policy` array is what `enforceExSync` scans. */
  readonly pAssertion: { policy: string[][] } | undefined;
  readonly index: RowIndex;
  /** Casbin outcomes this version has computed. */
  readonly cache: DecisionCache;
  private readonly subjectActions = new Map<string, SubjectAction>();

  constructor(parts: CompiledParts) {
    this.version = parts.version;
    this.source = parts.source;
    this.enforcer = parts.enforcer;
    this.rows = parts.rows;
    this.state = parts.state;
    this.rolesByAction = parts.rolesByAction;
    this.bindingsByName = parts.bindingsByName;
    this.rowIndex = parts.rowIndex;
    this.pAssertion = parts.enforcer.getModel().model.get('p')?.get('p');
    this.index = new RowIndex(parts.rows, parts.source.roles, parts.bindingsByName);
    this.cache = new DecisionCache(parts.decisionCacheSize);
  }

  /** The caller's entitlements and an action resolved against this version; cached, since callers repeat. */
  subjectAction(entitlements: readonly string[], action: string): SubjectAction {
    const key = `${entitlements.length}#${keyOf(entitlements)}${keyOf([action])}`;
    let resolved = this.subjectActions.get(key);
    if (!resolved) {
      resolved = new SubjectAction(this, entitlements, action, key);
      if (this.subjectActions.size >= MAX_CACHED_SUBJECT_ACTIONS) {
        const oldest = this.subjectActions.keys().next().value;
        if (oldest !== undefined) this.subjectActions.delete(oldest);
      }
      this.subjectActions.set(key, resolved);
    }
    return resolved;
  }
}

export async function compilePolicy(source: PolicySource, version: number, options: CompileOptions): Promise<CompiledPolicy> {
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
  // node-casbin copies every registered function (its ten built-ins included) into a fresh context
  // object for every row it evaluates; the ones the matcher never calls are dropped.
  const matcher = analyseMatcher(enforcer.getModel().model.get('m')?.get('m')?.value ?? '');
  const functions = (enforcer as unknown as { fm: FunctionMap }).fm.getFunctions(); // `fm` is protected; its map is live
  for (const name of uncalledFunctions(matcher, functions.keys())) functions.delete(name);

  const gRows: string[][] = [];
  for (const role of source.roles.values()) {
    const actions = options.actionMatching === 'expand' ? role.expanded : role.actions;
    for (const action of actions) gRows.push([action, role.name]);
  }
  if (options.actionMatching === 'casbin-pattern') await enforcer.addNamedMatchingFunc('g', actionPatternMatchingFunc);
  if (gRows.length > 0) await enforcer.addGroupingPolicies(gRows);
  if (rows.length > 0) await enforcer.addPolicies(rows);

  const rolesByAction = new Map<string, readonly string[]>();
  for (const action of ACTIONS) {
    const roles = [...source.roles.values()].filter((r) => !r.internal && r.expanded.includes(action)).map((r) => r.name);
    rolesByAction.set(action, Object.freeze(roles));
  }
  return new CompiledPolicy({
    version,
    source,
    enforcer,
    rows,
    state,
    rolesByAction,
    bindingsByName: new Map(source.bindings.map((b) => [b.name, b])),
    rowIndex: safeRowIndex(matcher, options.rowIndex),
    decisionCacheSize: options.decisionCacheSize,
  });
}
