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

export interface Decision {
  allowed: boolean;
  reason: 'allow' | 'explicit_deny' | 'no_match';
  /** The binding that allowed or denied. */
  binding?: BindingRef;
  /** On no_match: roles that hold this action (so an admin knows what to grant). */
  wouldAllow?: string[];
  /** One sentence for humans and LLMs. */
  explanation: string;
  policyVersion: number;
  /** Set when evaluation itself failed; the decision is then a denial (fail closed). */
  error?: string;
}
