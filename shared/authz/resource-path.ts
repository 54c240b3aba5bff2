/**
 * Hierarchical resource paths: `*`, `ns/<ns>`, `ns/<ns>/project/<p>`, `ns/<ns>/project/<p>/component/<c>`.
 * A grant at a path applies to that path and everything below it (prefix at a segment boundary).
 * Names are Kubernetes DNS-1123 labels; anything else is refused, never widened to a broader path.
 */

export interface ResourceRef {
  namespace?: string;
  project?: string;
  component?: string;
}

export type ResourceField = 'namespace' | 'project' | 'component';

/** Which rule a name broke. */
export type ResourceNameRule =
  | 'not-a-string' // the value is not a string
  | 'empty' // ''
  | 'too-long' // more than 63 characters
  | 'dns-1123-label' // not lowercase alphanumerics and '-', starting and ending alphanumeric
  | 'parent-required'; // project without namespace, or component without project

const RULE_TEXT: Record<ResourceNameRule, string> = {
  'not-a-string': 'must be a string',
  empty: 'must not be empty',
  'too-long': 'must be at most 63 characters',
  'dns-1123-label': "must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit",
  'parent-required': 'needs its parent (a project needs a namespace, a component needs a project)',
};

export class InvalidResourceNameError extends Error {
  override readonly name = 'InvalidResourceNameError';
  constructor(
    readonly field: ResourceField,
    readonly value: unknown,
    readonly rule: ResourceNameRule,
    /** Where the name came from, e.g. `bindings.yaml binding 'x' scope` (empty for requests). */
    readonly context = '',
  ) {
    super(`${context ? `${context}: ` : ''}invalid ${field} ${describe(value)}: ${field} ${RULE_TEXT[rule]}`);
  }
}

function describe(value: unknown): string {
  if (typeof value !== 'string') return `(${value === null ? 'null' : typeof value})`;
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

const DNS_1123_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** Throws `InvalidResourceNameError` unless `value` is a DNS-1123 label. */
export function validateResourceName(field: ResourceField, value: unknown, context = ''): string {
  if (typeof value !== 'string') throw new InvalidResourceNameError(field, value, 'not-a-string', context);
  if (value.length === 0) throw new InvalidResourceNameError(field, value, 'empty', context);
  if (value.length > 63) throw new InvalidResourceNameError(field, value, 'too-long', context);
  if (!DNS_1123_LABEL.test(value)) throw new InvalidResourceNameError(field, value, 'dns-1123-label', context);
  return value;
}

/** The path for a reference; `{}` is `*`. Throws `InvalidResourceNameError` on any bad or orphaned name. */
export function resourcePath(ref: ResourceRef, context = ''): string {
  const { namespace, project, component } = ref;
  // `undefined` means "not given"; every other value (including '' and null) must be a valid name.
  if (component !== undefined) {
    validateResourceName('component', component, context);
    if (project === undefined) throw new InvalidResourceNameError('project', project, 'parent-required', context);
  }
  if (project !== undefined) {
    validateResourceName('project', project, context);
    if (namespace === undefined) {
      throw new InvalidResourceNameError('namespace', namespace, 'parent-required', context);
    }
  }
  if (namespace === undefined) return '*';
  validateResourceName('namespace', namespace, context);
  let path = `ns/${namespace}`;
  if (project !== undefined) path += `/project/${project}`;
  if (component !== undefined) path += `/component/${component}`;
  return path;
}

/** Does a grant at `grantPath` cover `requestPath`? `*` covers all; otherwise equal or an ancestor at a `/` boundary. */
export function resourceMatch(requestPath: string, grantPath: string): boolean {
  if (grantPath === '*') return true;
  if (requestPath === grantPath) return true;
  return requestPath.length > grantPath.length && requestPath.startsWith(grantPath) && requestPath[grantPath.length] === '/';
}

/** Human form of a path for explanations. */
export function describePath(path: string): string {
  return path === '*' ? '* (platform-wide)' : path;
}
