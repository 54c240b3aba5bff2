/** The escalation check for creating a role binding: nobody may grant permissions they do not hold. */
import { entitlementsOf, type Subject } from '../auth/subject.js';
import type { CompiledPolicy } from './compile-policy.js';
import type { AccessRequest, Decision } from './decision.js';
import { atScope } from './explain.js';
import { resourcePath, type ResourceRef } from './resource-path.js';

/**
 * Allowed only if the granter holds `rolebinding:create` at the scope AND every action the role
 * holds (patterns expanded against the catalogue) at that scope, unconditionally. The denial names
 * the first missing action. `decide` must decide against the same policy version as `policy`.
 */
export function checkGrant(
  policy: CompiledPolicy,
  decide: (request: AccessRequest) => Decision,
  granter: Subject,
  role: string,
  scope: ResourceRef,
): Decision {
  const path = resourcePath(scope);
  const who = entitlementsOf(granter)[0]!;
  const target = `role '${role}' ${atScope(path)}`;
  const def = policy.source.roles.get(role);
  if (!def) {
    return {
      allowed: false,
      reason: 'no_match',
      wouldAllow: [],
      explanation: `${who} cannot grant ${target}: there is no such role (roles: ${[...policy.source.roles.keys()].join(', ')}).`,
      policyVersion: policy.version,
    };
  }
  const base = decide({ subject: granter, action: 'rolebinding:create', resource: scope });
  if (!base.allowed) {
    return { ...base, explanation: `${who} cannot grant ${target}: ${base.explanation}` };
  }
  for (const action of def.expanded) {
    const d = decide({ subject: granter, action, resource: scope });
    if (!d.allowed) {
      return {
        ...d,
        explanation:
          `${who} cannot grant ${target}: the role holds ${action}, which ${who} does not hold there ` +
          `(nobody may grant permissions they do not have). ${d.explanation}`,
      };
    }
  }
  return {
    ...base,
    explanation:
      `${who} may grant ${target}: allowed by binding '${base.binding?.name}' (rolebinding:create) and ` +
      `${who} holds all ${def.expanded.length} of the role's actions there.`,
  };
}
