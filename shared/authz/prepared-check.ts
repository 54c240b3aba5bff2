/**
 * A check prepared once for a subject and an action, then asked per resource: for list tools, which
 * check every item. The entitlements, the candidate rows and the cache key prefix are resolved at
 * preparation; each item costs a path, a cache lookup and, the first time this policy version sees
 * it, one Casbin evaluation over the candidates whose scope covers it. The answer is always
 * `decide(...).allowed` for the same request (same evaluation, same failures, same exceptions), but
 * without building an explanation.
 */
import type { Subject } from '../auth/subject.js';
import { isKnownAction } from './actions.js';
import { grantsAccess } from './casbin-evaluation.js';
import type { CompiledPolicy } from './compile-policy.js';
import { conditionInputOf } from './condition-input.js';
import type { ConditionInput } from './conditions.js';
import { entitlementsForDecision, logEvaluationFailure, type DecideOptions } from './decide.js';
import type { AccessAttributes } from './decision.js';
import { resourcePath, type ResourceRef } from './resource-path.js';

/** Whether the prepared subject may do the prepared action on `resource`. Throws `InvalidResourceNameError` like `decide`. */
export type PreparedCheck = (resource: ResourceRef, attributes?: AccessAttributes) => boolean;

/** Evaluates against `policy`, the version in force when it was prepared, for as long as it is used. */
export function prepareCheck(policy: CompiledPolicy, subject: Subject, action: string, options: DecideOptions): PreparedCheck {
  const fail = (message: string, path: string) => (logEvaluationFailure(policy, options, message, action, path), false);
  let entitlements: string[];
  try {
    entitlements = entitlementsForDecision(subject);
  } catch (err) {
    const message = `invalid request: ${(err as Error).message}`;
    return (resource) => fail(message, resourcePath(resource));
  }
  if (!isKnownAction(action)) return (resource) => (resourcePath(resource), false);

  const evaluation = policy.subjectAction(entitlements, action);
  return (resource, attributes) => {
    const path = resourcePath(resource);
    let input: ConditionInput;
    try {
      input = conditionInputOf(subject, attributes);
    } catch (err) {
      return fail(`invalid request: ${(err as Error).message}`, path);
    }
    const { outcome } = evaluation.evaluate(path, input);
    if (!outcome.ok) return fail(outcome.error, path);
    if (grantsAccess(outcome)) return true;
    if (outcome.allowed) return fail('allow without a matching allow row', path);
    return false;
  };
}
