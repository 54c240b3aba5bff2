/**
 * What a subject could do, without a particular resource in mind: for `tools/list` filtering,
 * `whoami` and list tools that authorize below their target.
 */
import { entitlementsOf, type Subject } from '../auth/subject.js';
import { ACTIONS } from './actions.js';
import type { CompiledPolicy } from './compile-policy.js';
import { conditionInputOf } from './condition-input.js';
import { resourceMatch } from './resource-path.js';

export interface Capability {
  action: string;
  /** Paths where some allow binding could grant it. */
  scopes: string[];
}

export interface RoleAssignment {
  role: string;
  binding: string;
  scope: string;
  effect: 'allow' | 'deny';
  /** The entitlement the binding names (`group:sre` …). */
  subject: string;
  /** The binding's condition, e.g. `isProduction = true`, when it has one. */
  when?: string;
}

/**
 * The actions this subject could be allowed somewhere, with the scopes of the allow bindings that
 * could grant each. Conditions that could be satisfied count as satisfiable (the subject type is
 * known, so `subjectType` conditions are decided). A deny that certainly applies (no condition, or
 * only a matching `subjectType`) removes the scopes at or below it; at `*` it removes the action.
 */
export function capabilitiesOf(policy: CompiledPolicy, subject: Subject): Capability[] {
  const input = conditionInputOf(subject, undefined);
  const allows = new Map<string, Set<string>>();
  const denies = new Map<string, string[]>();
  for (const b of policy.index.bindingsFor(entitlementsOf(subject))) {
    const cond = b.condition ? b.condition.evaluate(input) : true;
    const role = policy.source.roles.get(b.role);
    if (!role) continue;
    if (b.effect === 'allow' && cond !== false) {
      for (const a of role.expanded) (allows.get(a) ?? allows.set(a, new Set()).get(a)!).add(b.path);
    } else if (b.effect === 'deny' && cond === true) {
      for (const a of role.expanded) (denies.get(a) ?? denies.set(a, []).get(a)!).push(b.path);
    }
  }
  const out: Capability[] = [];
  for (const action of ACTIONS) {
    const scopes = [...(allows.get(action) ?? [])].filter(
      (scope) => !(denies.get(action) ?? []).some((deny) => resourceMatch(scope, deny)),
    );
    if (scopes.length) out.push({ action, scopes: scopes.sort() });
  }
  return out;
}

/**
 * The bindings that name this subject (any of its entitlements), in policy order, leaving out
 * those whose condition can never hold for it (a `subjectType` of the other kind).
 */
export function roleAssignmentsOf(policy: CompiledPolicy, subject: Subject): RoleAssignment[] {
  const ents = entitlementsOf(subject);
  const input = conditionInputOf(subject, undefined);
  const out: RoleAssignment[] = [];
  for (const b of policy.index.bindingsFor(ents)) {
    const matched = ents.find((e) => b.subjects.includes(e));
    if (matched === undefined) continue;
    if (b.condition?.evaluate(input) === false) continue; // e.g. `subjectType: service` for a user
    const entry: RoleAssignment = { role: b.role, binding: b.name, scope: b.path, effect: b.effect, subject: matched };
    if (b.condition) entry.when = b.condition.text;
    out.push(entry);
  }
  return out;
}
