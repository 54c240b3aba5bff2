import { isDeepStrictEqual } from 'node:util';
import { InvalidInputError } from '../../../../shared/errors/plane-errors.js';

/** A change to a field the CRD declares immutable (`self == oldSelf`), as the API server would refuse it. */
export interface ImmutableFieldViolation {
  path: string;
  message: string;
}

/** Immutable fields per kind, with the CRD's own message. */
interface ImmutableField {
  path: readonly string[];
  message: string;
  /** Also refuse removing it (`!has(oldSelf.x) || oldSelf.x == self.x`). */
  onceSet?: boolean;
}

const IMMUTABLE_FIELDS: Record<string, readonly ImmutableField[]> = {
  Project: [{ path: ['spec', 'type'], message: 'spec.type cannot be changed after creation' }],
  Component: [
    { path: ['spec', 'componentType'], message: 'spec.componentType cannot be changed after creation' },
    { path: ['spec', 'owner'], message: 'spec.owner is immutable' },
  ],
  Workload: [{ path: ['spec', 'owner'], message: 'spec.owner is immutable' }],
  ComponentType: [{ path: ['spec', 'workloadType'], message: 'spec.workloadType cannot be changed after creation' }],
  ClusterComponentType: [{ path: ['spec', 'workloadType'], message: 'spec.workloadType cannot be changed after creation' }],
  Environment: [{ path: ['spec', 'dataPlaneRef'], message: 'dataPlaneRef is immutable once set', onceSet: true }],
  ComponentRelease: [
    { path: ['spec', 'owner'], message: 'spec.owner is immutable' },
    { path: ['spec', 'componentType'], message: 'spec.componentType is immutable' },
    { path: ['spec', 'traits'], message: 'spec.traits is immutable' },
    { path: ['spec', 'componentProfile'], message: 'spec.componentProfile is immutable' },
    { path: ['spec', 'workload'], message: 'spec.workload is immutable' },
  ],
  ReleaseBinding: [
    { path: ['spec', 'owner'], message: 'spec.owner is immutable' },
    { path: ['spec', 'environment'], message: 'spec.environment is immutable' },
  ],
  ProjectReleaseBinding: [
    { path: ['spec', 'owner'], message: 'spec.owner is immutable' },
    { path: ['spec', 'environment'], message: 'spec.environment is immutable' },
  ],
  Workflow: [{ path: ['spec', 'workflowPlaneRef'], message: 'spec.workflowPlaneRef is immutable' }],
  ClusterWorkflow: [{ path: ['spec', 'workflowPlaneRef'], message: 'spec.workflowPlaneRef is immutable' }],
  WorkflowRun: [
    { path: ['spec', 'workflow', 'kind'], message: 'kind is immutable' },
    { path: ['spec', 'workflow', 'name'], message: 'name is immutable' },
  ],
  ObservabilityAlertsNotificationChannel: [{ path: ['spec', 'environment'], message: 'spec.environment is immutable' }],
};

function valueAt(object: unknown, path: readonly string[]): unknown {
  let node = object;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

interface Identified {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string | undefined };
}

/**
 * What the API server would refuse in an update from `previous` to `next` (both parsed, so defaults are
 * filled in alike): a changed identity, or a changed immutable field. Like a CEL transition rule, a field
 * is compared only when both versions have it (or, for a field immutable once set, when the old one has it). Empty when the update is allowed.
 */
export function validateUpdate(previous: Identified, next: Identified): ImmutableFieldViolation[] {
  const violations: ImmutableFieldViolation[] = [];
  for (const field of ['apiVersion', 'kind'] as const) {
    if (previous[field] !== next[field]) violations.push({ path: field, message: `${field} cannot be changed` });
  }
  if (previous.metadata.name !== next.metadata.name) violations.push({ path: 'metadata.name', message: 'metadata.name cannot be changed' });
  if (previous.metadata.namespace !== next.metadata.namespace) {
    violations.push({ path: 'metadata.namespace', message: 'metadata.namespace cannot be changed' });
  }
  if (violations.length > 0) return violations;
  for (const field of IMMUTABLE_FIELDS[next.kind] ?? []) {
    const before = valueAt(previous, field.path);
    const after = valueAt(next, field.path);
    const compared = before !== undefined && (after !== undefined || field.onceSet === true);
    if (compared && !isDeepStrictEqual(before, after)) {
      violations.push({ path: field.path.join('.'), message: field.message });
    }
  }
  return violations;
}

/** Thrown by `assertUpdateAllowed`: the fields an update may not change. */
export class ImmutableFieldError extends InvalidInputError {
  constructor(readonly violations: readonly ImmutableFieldViolation[]) {
    super(
      violations.map((violation) => `${violation.path}: ${violation.message}`).join('; '),
      'Create a new object instead of changing this field.',
    );
  }
}

export function assertUpdateAllowed(previous: Identified, next: Identified): void {
  const violations = validateUpdate(previous, next);
  if (violations.length > 0) throw new ImmutableFieldError(violations);
}
