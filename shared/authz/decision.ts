/** What a caller asks the policy engine, and what it answers. */
import type { Subject } from '../auth/subject.js';
import type { ResourceRef } from './resource-path.js';

export interface AccessAttributes {
  environment?: string;
  isProduction?: boolean;
  componentType?: string;
}

export interface AccessRequest {
  subject: Subject;
  action: string;
  resource: ResourceRef;
  attributes?: AccessAttributes;
}

export interface BindingRef {
  name: string;
  role: string;
  effect: 'allow' | 'deny';
  /** The binding's scope as a path (`*` = everywhere). */
  scope: string;
  /** The entitlement that matched (`group:developers`, `service:ci-deployer`, `authenticated` …). */
  subject: string;
}

/**
 * Why a decision came out the way it did:
 * - `allow`: an allow binding matched and no deny did;
 * - `explicit_deny`: a deny binding matched (a deny wins over every allow);
 * - `no_match`: no binding grants the action there (`wouldAllow` names the roles that would);
 * - `evaluation_error`: the policy could not be evaluated for this request (a matcher function or
 *   condition threw, Casbin failed, or the request was malformed); access is denied (fail closed)
 *   and `error` says what failed.
 */
export const DECISION_REASONS = ['allow', 'explicit_deny', 'no_match', 'evaluation_error'] as const;
export type DecisionReason = (typeof DECISION_REASONS)[number];

export interface Decision {
  allowed: boolean;
  reason: DecisionReason;
  /** The binding that allowed or denied. */
  binding?: BindingRef;
  /** On no_match: roles that hold this action (so an admin knows what to grant). */
  wouldAllow?: string[];
  /** One sentence for humans and LLMs. */
  explanation: string;
  policyVersion: number;
  /** On evaluation_error: what failed. */
  error?: string;
}

/** Where the engine reports loads (`info`, the default) and failures (`warn`); decisions go to the audit trail. */
export type PolicyLog = (msg: string, fields?: object, level?: 'info' | 'warn') => void;
