/**
 * The closed catalogue of authorization actions (`resource:verb`). Roles may only name actions from
 * this list or patterns over it (`*`, `<kind>:*`); anything else is refused when the policy loads.
 */

const CATALOGUE = {
  namespace: ['view'],
  project: ['view', 'create', 'update', 'delete'],
  component: ['view', 'create', 'update', 'delete'],
  componenttype: ['view', 'create', 'update', 'delete'],
  environment: ['view', 'create', 'update', 'delete'],
  deploymentpipeline: ['view', 'create', 'update', 'delete'],
  componentrelease: ['view', 'create', 'delete'],
  releasebinding: ['view', 'create', 'update', 'delete'],
  workflow: ['view', 'create', 'update', 'delete'],
  workflowrun: ['view', 'create', 'update', 'delete'],
  logs: ['view'],
  metrics: ['view'],
  traces: ['view'],
  alerts: ['view', 'update'],
  incidents: ['view', 'update'],
  audit: ['view'],
  /** `authz:explain`: explain (or evaluate) someone else's access. Explaining your own needs nothing. */
  authz: ['explain'],
  rolebinding: ['view', 'create', 'delete'],
} as const satisfies Record<string, readonly string[]>;

export type ActionKind = keyof typeof CATALOGUE;

/** Every concrete action, in catalogue order. */
export const ACTIONS: readonly string[] = Object.freeze(
  Object.entries(CATALOGUE).flatMap(([kind, verbs]) => verbs.map((verb) => `${kind}:${verb}`)),
);

/** Every resource kind (the part before the colon). */
export const ACTION_KINDS: readonly string[] = Object.freeze(Object.keys(CATALOGUE));

const ACTION_SET: ReadonlySet<string> = new Set(ACTIONS);
const KIND_SET: ReadonlySet<string> = new Set(ACTION_KINDS);

/** True for a concrete catalogue action such as `component:view` (patterns are not actions). */
export function isKnownAction(action: string): boolean {
  return ACTION_SET.has(action);
}

/** True for `*`, `<known kind>:*` or a known concrete action. */
export function isValidActionPattern(pattern: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith(':*')) return KIND_SET.has(pattern.slice(0, -2));
  return ACTION_SET.has(pattern);
}

/**
 * Does `pattern` cover the concrete `action`? `*` covers everything, `kind:*` covers `kind:<verb>`
 * (the colon is part of the prefix, so `component:*` does not cover `componentrelease:view`), and
 * anything else must be equal.
 */
export function actionMatches(action: string, pattern: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith(':*')) return action.startsWith(pattern.slice(0, -1));
  return action === pattern;
}

/**
 * The concrete catalogue actions a pattern covers, in catalogue order. Unknown patterns (including
 * unknown concrete names) expand to `[]`.
 */
export function expandActionPattern(pattern: string): string[] {
  if (!isValidActionPattern(pattern)) return [];
  return ACTIONS.filter((action) => actionMatches(action, pattern));
}

/** The union of several patterns' expansions, deduplicated, in catalogue order. */
export function expandActionPatterns(patterns: readonly string[]): string[] {
  const wanted = new Set(patterns.flatMap((pattern) => expandActionPattern(pattern)));
  return ACTIONS.filter((action) => wanted.has(action));
}
