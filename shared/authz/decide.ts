/**
 * One authorization decision against one policy version: Casbin evaluates the matcher and the
 * deny-override effect over the caller's candidate rows, with ALL of the subject's entitlements in
 * the one request, so a deny on any of them wins. Every failure is a denial (fail closed).
 */
import type { PolicyLog } from './decision.js';
import { entitlementsOf, type Subject } from '../auth/subject.js';
import { isKnownAction } from './actions.js';
import type { CompiledPolicy } from './compile-policy.js';
import { conditionInputOf } from './condition-input.js';
import type { ConditionInput } from './conditions.js';
import type { AccessRequest, BindingRef, Decision } from './decision.js';
import { describeTarget, explainAllow, explainDeny, explainFailure, explainNoMatch, explainUnknownAction } from './explain.js';
import { resourcePath } from './resource-path.js';
import type { Row } from './row-index.js';

export interface DecideOptions {
  log: PolicyLog;
}

/** Throws `InvalidResourceNameError` if a resource name is not a DNS-1123 label (never widened). */
export function decide(policy: CompiledPolicy, request: AccessRequest, options: DecideOptions): Decision {
  const path = resourcePath(request.resource);
  const { subject, action } = request;
  let entitlements: string[];
  let input: ConditionInput;
  try {
    entitlements = entitlementsForDecision(subject);
    input = conditionInputOf(subject, request.attributes);
  } catch (err) {
    return failed(policy, options, `invalid request: ${(err as Error).message}`, action, path);
  }
  const who = entitlements[0]!;

  if (!isKnownAction(action)) {
    return frozen({
      allowed: false,
      reason: 'no_match',
      wouldAllow: [],
      explanation: explainUnknownAction(who, action, describeTarget(path, input)),
      policyVersion: policy.version,
    });
  }

  const resolved = policy.subjectAction(entitlements, action);
  const evaluation = resolved.evaluate(path, input);
  if (evaluation.decision) return evaluation.decision; // this version explained this very request before
  const { outcome } = evaluation;
  if (!outcome.ok) return failed(policy, options, outcome.error, action, path, who);

  const where = describeTarget(path, input);
  const { allowed, row } = outcome;
  const ref = row.length >= 6 ? bindingRefOf(row) : undefined;
  const def = ref ? policy.bindingsByName.get(ref.name) : undefined;
  let decision: Decision;
  if (allowed && ref && ref.effect === 'allow') {
    decision = {
      allowed: true,
      reason: 'allow',
      binding: ref,
      explanation: explainAllow(who, action, where, ref, def),
      policyVersion: policy.version,
    };
  } else if (!allowed && ref && ref.effect === 'deny') {
    decision = {
      allowed: false,
      reason: 'explicit_deny',
      binding: ref,
      explanation: explainDeny(who, action, where, ref, def, input),
      policyVersion: policy.version,
    };
  } else if (allowed) {
    // Casbin allowed but did not report an allow row: refuse rather than guess.
    return failed(policy, options, 'allow without a matching allow row', action, path, who);
  } else {
    const wouldAllow = [...(policy.rolesByAction.get(action) ?? [])];
    decision = {
      allowed: false,
      reason: 'no_match',
      wouldAllow,
      explanation: explainNoMatch(who, action, where, entitlements, path, input, resolved.conditionalAllowBindings(), wouldAllow),
      policyVersion: policy.version,
    };
  }
  // Everything the decision says is determined by the cache key, so the next identical request gets this one.
  evaluation.decision = frozen(decision);
  return evaluation.decision;
}

/** Decisions may be handed to several callers (from the cache), so none of them can change one; every decision `decide` returns is frozen. */
function frozen(decision: Decision): Decision {
  if (decision.binding) Object.freeze(decision.binding);
  if (decision.wouldAllow) Object.freeze(decision.wouldAllow);
  return Object.freeze(decision);
}

/** The subject's entitlements; throws for a subject no decision can be made for. */
export function entitlementsForDecision(subject: Subject): string[] {
  if (!subject.id) throw new Error('subject has no id');
  return entitlementsOf(subject);
}

function bindingRefOf(row: Row): BindingRef {
  return { subject: row[0]!, scope: row[1]!, role: row[2]!, effect: row[3] === 'deny' ? 'deny' : 'allow', name: row[5]! };
}

export function logEvaluationFailure(policy: CompiledPolicy, options: DecideOptions, message: string, action: string, path: string): void {
  options.log('authz evaluation failed; denying', { action, path, error: message, version: policy.version }, 'warn');
}

function failed(policy: CompiledPolicy, options: DecideOptions, message: string, action: string, path: string, who = 'caller'): Decision {
  logEvaluationFailure(policy, options, message, action, path);
  return frozen({
    allowed: false,
    reason: 'evaluation_error',
    explanation: explainFailure(who, action, path, message),
    policyVersion: policy.version,
    error: message,
  });
}
