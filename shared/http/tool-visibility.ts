import { entitlementsOf, type Subject } from '../auth/subject.js';
import type { PolicyEngine } from '../authz/policy-engine.js';
import type { AnyToolDefinition } from '../tools/define-tool.js';

/**
 * Whether a caller sees a tool in `tools/list`: its action is one the policy could allow the caller
 * somewhere. Capabilities are cached per entitlement set and policy version; every call is still checked.
 */
export function createVisibilityFilter(policy: PolicyEngine) {
  let cachedVersion = -1;
  const cache = new Map<string, Set<string>>();
  const allowedActions = (subject: Subject) => {
    if (policy.version !== cachedVersion) {
      cache.clear();
      cachedVersion = policy.version;
    }
    const key = entitlementsOf(subject).join('\n');
    let actions = cache.get(key);
    if (!actions) {
      actions = new Set(policy.capabilities(subject).map((capability) => capability.action));
      if (cache.size > 10_000) cache.clear();
      cache.set(key, actions);
    }
    return actions;
  };
  return <Deps>(tool: AnyToolDefinition<Deps>, subject: Subject) =>
    'callerOnly' in tool.authorization || allowedActions(subject).has(tool.authorization.action);
}
