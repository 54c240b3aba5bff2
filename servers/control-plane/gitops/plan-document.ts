import { describeReferenceProblem, findReferenceProblems, type ReferenceLookup } from '../domain/references.js';
import { RESOURCE_KINDS, isNamespaced, type PlatformResource, type ResourceKind } from '../domain/resources.js';
import type { ResourceStore } from '../store/resource-store.js';
import { compareStrings } from './apply-report.js';
import { SERVER_ANNOTATIONS, isPlainObject } from './parse-document.js';
import type { Candidate } from './read-documents.js';

/** What applying one valid document comes to, decided before anything is written. */
export type Plan =
  | { action: 'create'; resource: PlatformResource }
  | { action: 'update'; resource: PlatformResource; expectedVersion?: string }
  | { action: 'unchanged'; resource: PlatformResource }
  | { action: 'refuse'; message: string };

const kindOrder = (kind: ResourceKind): number => RESOURCE_KINDS.indexOf(kind);

function refKey(kind: ResourceKind, namespace: string | undefined, name: string): string {
  return isNamespaced(kind) ? `${kind} ${namespace ?? ''}/${name}` : `${kind} ${name}`;
}

/** The documents in dependency order (`RESOURCE_KINDS`), file order within a kind, so a file may name objects in any order. */
export function inDependencyOrder(candidates: readonly Candidate[]): Candidate[] {
  return [...candidates].sort((a, b) => kindOrder(a.resource.kind) - kindOrder(b.resource.kind) || a.order - b.order);
}

/**
 * What references resolve against during one apply: the objects this run applied (or, in a dry run,
 * would have), then the store, then — for the few references that point later in the kind order — the
 * valid documents still to come. A kind applied earlier had its chance: if it is not among the
 * applied, its document failed, and a reference to it fails too.
 */
export class ApplyScope {
  private readonly applied = new Map<string, PlatformResource>();
  private readonly planned: Map<string, PlatformResource>;

  constructor(
    private readonly store: ResourceStore,
    candidates: readonly Candidate[],
  ) {
    this.planned = new Map(
      candidates.map(({ resource }) => [refKey(resource.kind, resource.metadata.namespace, resource.metadata.name), resource]),
    );
  }

  markApplied(resource: PlatformResource): void {
    this.applied.set(refKey(resource.kind, resource.metadata.namespace, resource.metadata.name), resource);
  }

  stored(resource: PlatformResource): Promise<PlatformResource | undefined> {
    const { kind, metadata } = resource;
    return this.store.get(kind, isNamespaced(kind) ? metadata.namespace : undefined, metadata.name) as Promise<
      PlatformResource | undefined
    >;
  }

  /** How the references of an object of kind `from`, in `namespace`, resolve. */
  lookupFrom(from: ResourceKind, namespace: string | undefined): ReferenceLookup {
    return async (kind, name) => {
      const key = refKey(kind, namespace, name);
      const stored = this.applied.get(key) ?? (await this.store.get(kind, isNamespaced(kind) ? namespace : undefined, name));
      if (stored) return stored as PlatformResource;
      return kindOrder(kind) > kindOrder(from) ? this.planned.get(key) : undefined;
    };
  }
}

/**
 * Plan one document: refuse it when a reference does not hold (every problem named) or when it would
 * change a release snapshot; otherwise create it, leave it (nothing a file controls differs), or update
 * it against the version read (keeping the stored status when the file sets none).
 */
export async function planDocument(candidate: Candidate, scope: ApplyScope): Promise<Plan> {
  const { resource, hasStatus } = candidate;
  const problems = await findReferenceProblems(resource, scope.lookupFrom(resource.kind, resource.metadata.namespace));
  if (problems.length > 0) {
    const messages = problems.map(
      (problem) => `${describeReferenceProblem(problem)}${problem.target ? '' : ' (neither in the store nor in this apply)'}`,
    );
    return { action: 'refuse', message: messages.join('; ') };
  }
  const existing = await scope.stored(resource);
  if (!existing) return { action: 'create', resource };
  if (!differs(existing, resource, hasStatus)) return { action: 'unchanged', resource: existing };
  if (resource.kind === 'ComponentRelease' && !sameValue(existing.spec, resource.spec)) {
    return {
      action: 'refuse',
      message: `spec: ComponentRelease ${resource.metadata.name} is an immutable snapshot and differs from the stored one; give the new snapshot a new name`,
    };
  }
  const next = {
    ...resource,
    metadata: { ...resource.metadata, resourceVersion: existing.metadata.resourceVersion, createdAt: existing.metadata.createdAt },
    status: hasStatus ? resource.status : existing.status,
  } as PlatformResource;
  if (next.status === undefined) delete (next as { status?: unknown }).status;
  const expectedVersion = existing.metadata.resourceVersion;
  return { action: 'update', resource: next, ...(expectedVersion ? { expectedVersion } : {}) };
}

/** Whether `desired` (from a file) differs from `current` (stored) in what a file controls. */
function differs(current: PlatformResource, desired: PlatformResource, hasStatus: boolean): boolean {
  if (!sameValue(current.spec, desired.spec)) return true;
  if (!sameValue(current.metadata.labels, desired.metadata.labels)) return true;
  if (!sameValue(withoutServerAnnotations(current.metadata.annotations), withoutServerAnnotations(desired.metadata.annotations)))
    return true;
  return hasStatus && !sameValue(current.status, desired.status);
}

function withoutServerAnnotations(annotations: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(annotations ?? {})) if (!SERVER_ANNOTATIONS.includes(key)) out[key] = value;
  return out;
}

/** JSON-equal, ignoring key order. */
function sameValue(a: unknown, b: unknown): boolean {
  return stableJson(a) === stableJson(b);
}

function stableJson(value: unknown): string {
  return JSON.stringify(sortKeys(JSON.parse(JSON.stringify(value ?? null)) as unknown));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort(compareStrings)) out[key] = sortKeys(value[key]);
    return out;
  }
  return value;
}
