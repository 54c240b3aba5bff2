import { isDeepStrictEqual } from 'node:util';
import type { Assertion, PathAssertion } from './format.js';
import { lookup } from './paths.js';

/** What one call produced, in the shape assertions read. */
export interface Observation {
  /** The tool result's isError, or true when the call threw. */
  isError: boolean;
  /** `_meta["plane-mcp/error"].code` of an error result. */
  errorCode?: string;
  /** HTTP status: of a raw `http` step, or of a refusal the client threw (403 insufficient_scope, 401). */
  httpStatus?: number;
  /** Set when the server refused for a missing scope (403 insufficient_scope). */
  insufficientScope?: { requiredScope?: string };
  /** The text content blocks, joined. */
  text: string;
  /** structuredContent; `{tools, names}` for listTools; `{status, headers, body}` for http. */
  data: unknown;
  /** An exception the call raised that is not a recognised refusal. */
  thrown?: string;
}

const OUTCOME_KEYS = ['isError', 'errorCode', 'httpStatus', 'insufficientScope'];

function mentionsOutcome(assertions: readonly Assertion[]): boolean {
  return assertions.some(
    (assertion) => OUTCOME_KEYS.some((key) => key in assertion) || ('anyOf' in assertion && assertion.anyOf.some(mentionsOutcome)),
  );
}

/** Unless the assertions say what outcome they expect, a step must succeed: add `isError: false` in front. */
export function withImplicitSuccess(assertions: readonly Assertion[]): Assertion[] {
  return mentionsOutcome(assertions) ? [...assertions] : [{ isError: false }, ...assertions];
}

const show = (value: unknown) => {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 160 ? `${text.slice(0, 157)}...` : text;
};

/** A partial match: every key of `expected` matches in `actual` (recursively); arrays and scalars compare whole. */
function matchesPartially(actual: unknown, expected: unknown): boolean {
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
    return Object.entries(expected).every(([key, value]) => matchesPartially((actual as Record<string, unknown>)[key], value));
  }
  return isDeepStrictEqual(actual, expected);
}

function containsOne(actual: unknown, needle: unknown): boolean {
  if (typeof actual === 'string') return typeof needle === 'string' ? actual.includes(needle) : actual.includes(show(needle));
  if (Array.isArray(actual))
    return actual.some(
      (item) => matchesPartially(item, needle) || (typeof item === 'string' && typeof needle === 'string' && item === needle),
    );
  if (actual !== null && typeof actual === 'object') return matchesPartially(actual, needle);
  return false;
}

const needles = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

/** Failures of the matcher checks (equals, contains …) on one value; `label` names it in messages. */
function checkValue(label: string, actual: unknown, found: boolean, checks: Omit<PathAssertion, 'path'>): string[] {
  const failures: string[] = [];
  if (checks.exists !== undefined) {
    const exists = found && actual !== undefined && actual !== null;
    if (exists !== checks.exists)
      failures.push(`${label}: expected to ${checks.exists ? 'exist' : 'be absent'}, ${exists ? `got ${show(actual)}` : 'it is absent'}`);
  }
  const others = Object.keys(checks).filter((key) => key !== 'exists');
  if (others.length === 0) return failures;
  if (!found) return [...failures, `${label}: not found`];
  if ('equals' in checks && !isDeepStrictEqual(actual, checks.equals))
    failures.push(`${label}: expected ${show(checks.equals)}, got ${show(actual)}`);
  if (checks.oneOf !== undefined && !checks.oneOf.some((candidate) => isDeepStrictEqual(actual, candidate))) {
    failures.push(`${label}: expected one of ${show(checks.oneOf)}, got ${show(actual)}`);
  }
  if (checks.contains !== undefined) {
    for (const needle of needles(checks.contains))
      if (!containsOne(actual, needle)) failures.push(`${label}: expected to contain ${show(needle)}, got ${show(actual)}`);
  }
  if (checks.notContains !== undefined) {
    for (const needle of needles(checks.notContains))
      if (containsOne(actual, needle)) failures.push(`${label}: expected not to contain ${show(needle)}, got ${show(actual)}`);
  }
  if (checks.matches !== undefined) {
    if (typeof actual !== 'string' || !new RegExp(checks.matches).test(actual))
      failures.push(`${label}: expected to match /${checks.matches}/, got ${show(actual)}`);
  }
  if (checks.length !== undefined) {
    const size = Array.isArray(actual) || typeof actual === 'string' ? actual.length : undefined;
    const { min, max } = typeof checks.length === 'number' ? { min: checks.length, max: checks.length } : checks.length;
    if (size === undefined) failures.push(`${label}: expected an array or string, got ${show(actual)}`);
    else if ((min !== undefined && size < min) || (max !== undefined && size > max)) {
      failures.push(
        `${label}: expected length ${typeof checks.length === 'number' ? checks.length : `${min ?? 0}..${max ?? '∞'}`}, got ${size}`,
      );
    }
  }
  if (checks.min !== undefined || checks.max !== undefined) {
    if (typeof actual !== 'number') failures.push(`${label}: expected a number, got ${show(actual)}`);
    else {
      if (checks.min !== undefined && actual < checks.min) failures.push(`${label}: expected ≥ ${checks.min}, got ${actual}`);
      if (checks.max !== undefined && actual > checks.max) failures.push(`${label}: expected ≤ ${checks.max}, got ${actual}`);
    }
  }
  for (const quantifier of ['every', 'some', 'none'] as const) {
    const inner = checks[quantifier];
    if (!inner) continue;
    if (!Array.isArray(actual)) {
      failures.push(`${label}: expected an array for ${quantifier}, got ${show(actual)}`);
      continue;
    }
    const results = actual.map((element) => evaluateOnValue(inner, element));
    if (quantifier === 'every') {
      const index = results.findIndex((result) => result.length > 0);
      if (index >= 0) failures.push(`${label}[${index}] (every): ${results[index]![0]}`);
    } else if (quantifier === 'some') {
      if (!results.some((result) => result.length === 0)) {
        failures.push(
          `${label} (some): no element of ${actual.length} satisfies it${results[0]?.[0] ? `; e.g. [0]: ${results[0][0]}` : ''}`,
        );
      }
    } else {
      const index = results.findIndex((result) => result.length === 0);
      if (index >= 0) failures.push(`${label}[${index}] (none): element matches, but none should: ${show(actual[index])}`);
    }
  }
  return failures;
}

/** Path assertions against a plain value (the elements under every/some/none). */
function evaluateOnValue(assertions: readonly Assertion[], value: unknown): string[] {
  return evaluate(assertions, { isError: false, text: '', data: value });
}

/** Every failed assertion, as a readable line; an empty list means all passed. */
export function evaluate(assertions: readonly Assertion[], observation: Observation): string[] {
  const failures: string[] = [];
  for (const assertion of assertions) {
    if ('isError' in assertion) {
      if (observation.isError !== assertion.isError) {
        const why = observation.thrown ?? (observation.errorCode ? `${observation.errorCode}: ${observation.text}` : observation.text);
        failures.push(
          `isError: expected ${assertion.isError}, got ${observation.isError}${observation.isError ? ` (${why.slice(0, 300)})` : ''}`,
        );
      }
    } else if ('errorCode' in assertion) {
      if (observation.errorCode !== assertion.errorCode)
        failures.push(
          `errorCode: expected ${assertion.errorCode}, got ${observation.errorCode ?? 'none'}${observation.thrown ? ` (${observation.thrown})` : ''}`,
        );
    } else if ('httpStatus' in assertion) {
      if (observation.httpStatus !== assertion.httpStatus)
        failures.push(`httpStatus: expected ${assertion.httpStatus}, got ${observation.httpStatus ?? 'none (the request was answered)'}`);
    } else if ('insufficientScope' in assertion) {
      const refused = observation.insufficientScope;
      if (assertion.insufficientScope === false) {
        if (refused) failures.push(`insufficientScope: expected none, got a refusal for ${refused.requiredScope ?? '?'}`);
      } else if (!refused) {
        failures.push(
          `insufficientScope: expected a 403 insufficient_scope refusal, got ${observation.isError ? (observation.errorCode ?? observation.thrown ?? 'an error') : 'a result'}`,
        );
      } else if (
        typeof assertion.insufficientScope === 'string' &&
        !(refused.requiredScope ?? '').split(' ').includes(assertion.insufficientScope)
      ) {
        failures.push(
          `insufficientScope: expected ${assertion.insufficientScope} to be required, got ${refused.requiredScope ?? 'none named'}`,
        );
      }
    } else if ('text' in assertion) {
      failures.push(...checkValue('text', observation.text, true, assertion.text));
    } else if ('anyOf' in assertion) {
      const branches = assertion.anyOf.map((branch) => evaluate(branch, observation));
      if (!branches.some((branch) => branch.length === 0))
        failures.push(`anyOf: no alternative passed (${branches.map((branch, index) => `#${index + 1}: ${branch[0]}`).join('; ')})`);
    } else {
      const { path, ...checks } = assertion;
      const found = lookup(observation.data, path);
      failures.push(...checkValue(path || '(result)', found.found ? found.value : undefined, found.found, checks));
    }
  }
  return failures;
}
