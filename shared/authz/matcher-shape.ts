/**
 * What the model's matcher guarantees, so the engine knows how far it may narrow the rows it hands
 * Casbin (row-index.ts) and which registered functions Casbin never needs.
 *
 * A row can only match if every top-level term of a pure conjunction holds. The shipped matcher is
 * `subjectIn(p.sub, r.subs) && resourceMatch(r.res, p.res) && g(r.act, p.role) && conditionMatch(…)`,
 * so rows naming none of the caller's entitlements, whose role lacks the action, or whose scope does
 * not cover the resource can be left out without changing any decision. An edited matcher that
 * drops one of those terms (or is not a plain conjunction) gets a weaker index, down to a full scan.
 */
import type { RowIndexMode } from './row-index.js';

const SUBJECT_TERM = 'subjectIn(p_sub,r_subs)';
const ACTION_TERM = 'g(r_act,p_role)';
const SCOPE_TERM = 'resourceMatch(r_res,p_res)';

export interface MatcherShape {
  /** The top-level `&&` terms, whitespace removed; empty when the matcher is not a plain conjunction. */
  conjuncts: ReadonlySet<string>;
  /** Every name the matcher calls (`name(`), including methods. */
  calledNames: ReadonlySet<string>;
  /** `eval(p.x)` splices policy text into the matcher, which may call anything. */
  usesEval: boolean;
}

/** `matcher` as Casbin holds it (`p_sub`, not `p.sub`; comments removed). */
export function analyseMatcher(matcher: string): MatcherShape {
  const calledNames = new Set([...matcher.matchAll(/([A-Za-z_$][\w$]*)\s*\(/g)].map((m) => m[1]!));
  return { conjuncts: new Set(topLevelConjuncts(matcher)), calledNames, usesEval: calledNames.has('eval') };
}

/** The narrowest row index that cannot change a decision under this matcher (capped at `wanted`). */
export function safeRowIndex(shape: MatcherShape, wanted: RowIndexMode): RowIndexMode {
  const has = (term: string) => shape.conjuncts.has(term);
  const supported: RowIndexMode = !has(SUBJECT_TERM)
    ? 'none'
    : !has(ACTION_TERM)
      ? 'subject'
      : !has(SCOPE_TERM)
        ? 'subject+action'
        : 'subject+action+scope';
  const order: RowIndexMode[] = ['none', 'subject', 'subject+action', 'subject+action+scope'];
  return order[Math.min(order.indexOf(supported), order.indexOf(wanted))]!;
}

/** Names of registered functions the matcher never calls (Casbin copies every one into each row's context). */
export function uncalledFunctions(shape: MatcherShape, registered: Iterable<string>): string[] {
  if (shape.usesEval) return [];
  return [...registered].filter((name) => !shape.calledNames.has(name));
}

/** Splits on `&&` outside brackets and quotes; `[]` if `||` or `?` appears at the top level. */
function topLevelConjuncts(expression: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (depth === 0 && (c === '?' || (c === '|' && expression[i + 1] === '|'))) return [];
    else if (depth === 0 && c === '&' && expression[i + 1] === '&') {
      terms.push(expression.slice(start, i));
      start = i + 2;
      i++;
    }
  }
  terms.push(expression.slice(start));
  return terms.map((term) => term.replace(/\s+/g, ''));
}
