/**
 * The custom functions `policies/model.conf`'s matcher calls, registered on each enforcer.
 *
 * Fail closed: an exception in one of them is recorded in the evaluation state (the decision becomes
 * a denial) and the function answers "no match" (or "match" for a deny row's condition).
 */
import type { Enforcer } from 'casbin';
import { actionMatches } from './actions.js';
import type { CompiledCondition, ConditionInput } from './conditions.js';
import { resourceMatch } from './resource-path.js';

/** Mutable per-evaluation state shared with the matcher functions (decisions are synchronous). */
export interface EvalState {
  error: unknown;
}

/**
 * Registers `subjectIn`, `resourceMatch` and `conditionMatch`. `conditions[i]` is binding #i's
 * compiled condition; a row's `cond` field holds that index ('' = none).
 */
export async function registerMatcherFunctions(
  enforcer: Enforcer,
  state: EvalState,
  conditions: ReadonlyArray<CompiledCondition | undefined>,
): Promise<void> {
  // NB node-casbin's addFunction silently keeps an existing function of the same name (including
  // its built-ins: keyMatch*, regexMatch, ipMatch, globMatch …), so these names must stay unique.
  await enforcer.addFunction('subjectIn', (sub: string, subs: ReadonlySet<string>) => {
    try {
      return subs.has(sub);
    } catch (err) {
      state.error = err;
      return false;
    }
  });
  await enforcer.addFunction('resourceMatch', (requestPath: string, grantPath: string) => {
    try {
      return resourceMatch(requestPath, grantPath);
    } catch (err) {
      state.error = err;
      return false;
    }
  });
  await enforcer.addFunction('conditionMatch', (cond: string, eft: string, input: ConditionInput) => {
    try {
      if (cond === '') return true;
      const compiled = conditions[Number(cond)];
      if (!compiled) throw new Error(`no compiled condition #${cond}`);
      const result = compiled.evaluate(input);
      // Unknown attribute: an allow does not match, a deny does.
      return result === undefined ? eft === 'deny' : result;
    } catch (err) {
      state.error = err;
      return eft === 'deny';
    }
  });
}

/**
 * For `actionMatching: 'casbin-pattern'`: node-casbin calls this as (queried name, stored name).
 * Stored patterns are `*` or `kind:*`; role names contain no ':' so they only ever match themselves.
 */
export function actionPatternMatchingFunc(name: string, key: string): boolean {
  if (name === key) return true;
  return name.includes(':') && (key === '*' || key.endsWith(':*')) && actionMatches(name, key);
}
