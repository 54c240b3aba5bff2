/**
 * One authorization decision against one policy version: Casbin evaluates the matcher and the
 * deny-override effect over the caller's candidate rows, with ALL of the subject's entitlements in
 * the one request, so a deny on any of them wins. Every failure is a denial (fail closed).
 */
import { entitlementsOf } from '../auth/subject.js';
import { isKnownAction } from './actions.js';
import { evaluateWithCasbin } from './casbin-evaluation.js';
import type { CompiledPolicy } from './compile-policy.js';
import { conditionInputOf } from './condition-input.js';
import type { ConditionInput } from './conditions.js';
import type { AccessRequest, BindingRef, Decision } from './decision.js';
import { describeTarget, explainAllow, explainDeny, explainFailure, explainNoMatch, explainUnknownAction } from './explain.js';
import { resourcePath } from './resource-path.js';
import type { Row, RowIndexMode } from './row-index.js';

export interface DecideOptions {
  rowIndex: RowIndexMode;
  log: (msg: string, fields?: object) => void;
}

/** Throws `InvalidResourceNameError` if a resource name is not a DNS-1123 label (never widened). */
export function decide(policy: CompiledPolicy, request: AccessRequest, options: DecideOptions): Decision {
  const path = resourcePath(request.resource);
  const { subject, action } = request;
  let entitlements: string[];
  let input: ConditionInput;
  try {
    if (!subject.id) throw new Error('subject has no id');
    entitlements = entitlementsOf(subject);
    input = conditionInputOf(subject, request.attributes);
  } catch (err) {
    return failed(policy, options, `invalid request: ${(err as Error).message}`, action, path);
  }
  const who = entitlements[0]!;
  const where = describeTarget(path, input);

  if (!isKnownAction(action)) {
    return {
      allowed: false,
      reason: 'no_match',
      wouldAllow: [],
      explanation: explainUnknownAction(who, action, where),
      policyVersion: policy.version,
    };
  }

  const outcome = evaluateWithCasbin(policy, entitlements, path, action, input, options.rowIndex);
  if (!outcome.ok) return failed(policy, options, outcome.error, action, path, who);

  const { allowed, row } = outcome;
  const ref = row.length >= 6 ? bindingRefOf(row) : undefined;
  const def = ref ? policy.bindingsByName.get(ref.name) : undefined;
  if (allowed && ref && ref.effect === 'allow') {
    return {
      allowed: true,
      reason: 'allow',
      binding: ref,
      explanation: explainAllow(who, action, where, ref, def),
      policyVersion: policy.version,
    };
  }
  if (!allowed && ref && ref.effect === 'deny') {
    return {
      allowed: false,
      reason: 'explicit_deny',
      binding: ref,
      explanation: explainDeny(who, action, where, ref, def, input),
      policyVersion: policy.version,
    };
  }
  if (allowed) {
    // Casbin allowed but did not report an allow row: refuse rather than guess.
    return failed(policy, options, 'allow without a matching allow row', action, path, who);
  }
  const wouldAllow = [...(policy.rolesByAction.get(action) ?? [])];
  return {
    allowed: false,
    reason: 'no_match',
    wouldAllow,
    explanation: explainNoMatch(policy, who, action, where, entitlements, path, input, wouldAllow),
    policyVersion: policy.version,
  };
}

function bindingRefOf(row: Row): BindingRef {
  return { subject: row[0]!, scope: row[1]!, role: row[2]!, effect: row[3] === 'deny' ? 'deny' : 'allow', name: row[5]! };
}

function failed(policy: CompiledPolicy, options: DecideOptions, message: string, action: string, path: string, who = 'caller'): Decision {
  options.log('authz evaluation failed; denying', { action, path, error: message, version: policy.version });
  return {
    allowed: false,
    reason: 'evaluation_error',
    explanation: explainFailure(who, action, path, message),
    policyVersion: policy.version,
    error: message,
  };
}
