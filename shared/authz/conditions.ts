/**
 * ABAC conditions on a binding (`when:`), compiled once at load into a predicate.
 *
 * AND across keys, OR within a list. The result is three-valued: `true`, `false`, or `undefined`
 * when the request did not supply an attribute the condition needs and no other key is already
 * false. The matcher turns `undefined` into "no match" for an allow row and "match" for a deny row,
 * so a missing attribute can never weaken a deny.
 */

export interface Conditions {
  environment?: string[];
  isProduction?: boolean;
  componentType?: string[];
  subjectType?: 'user' | 'service';
}

/** What a condition is evaluated against: the request's attributes plus the caller's subject type. */
export interface ConditionInput {
  environment?: string | undefined;
  isProduction?: boolean | undefined;
  componentType?: string | undefined;
  subjectType: 'user' | 'service';
}

export interface CompiledCondition {
  evaluate(input: ConditionInput): boolean | undefined;
  /** The attributes a request must carry for the condition to be decidable. */
  needs: Array<keyof ConditionInput>;
  /** e.g. `environment in [development, staging] and isProduction = false`. */
  text: string;
}

type Check = (input: ConditionInput) => boolean | undefined;

export function compileCondition(when: Conditions): CompiledCondition {
  const checks: Check[] = [];
  const parts: string[] = [];
  const needs: Array<keyof ConditionInput> = [];
  if (when.environment !== undefined) {
    const allowed = new Set(when.environment);
    checks.push((input) => (input.environment === undefined ? undefined : allowed.has(input.environment)));
    parts.push(`environment in [${when.environment.join(', ')}]`);
    needs.push('environment');
  }
  if (when.isProduction !== undefined) {
    const want = when.isProduction;
    checks.push((input) => (input.isProduction === undefined ? undefined : input.isProduction === want));
    parts.push(`isProduction = ${want}`);
    needs.push('isProduction');
  }
  if (when.componentType !== undefined) {
    const allowed = new Set(when.componentType);
    checks.push((input) => (input.componentType === undefined ? undefined : allowed.has(input.componentType)));
    parts.push(`componentType in [${when.componentType.join(', ')}]`);
    needs.push('componentType');
  }
  if (when.subjectType !== undefined) {
    const want = when.subjectType;
    checks.push((input) => input.subjectType === want);
    parts.push(`subjectType = ${want}`);
  }
  return {
    evaluate(input) {
      let unknown = false;
      for (const check of checks) {
        const result = check(input);
        if (result === false) return false; // one definite false decides an AND
        if (result === undefined) unknown = true;
      }
      return unknown ? undefined : true;
    },
    needs,
    text: parts.join(' and '),
  };
}
