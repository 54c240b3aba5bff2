import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import * as z from 'zod';
import {
  CHANGED_BY_ANNOTATION,
  CHANGED_THROUGH_ANNOTATION,
  RESOURCE_KINDS,
  isNamespaced,
  parseResource,
  type PlatformResource,
  type ResourceKind,
} from '../domain/resources.js';
import type { Actor, ResourceStore } from '../store/resource-store.js';

/** Annotations the store stamps on every write; they describe the write, not the desired state. */
export const SERVER_ANNOTATIONS: readonly string[] = [CHANGED_BY_ANNOTATION, CHANGED_THROUGH_ANNOTATION];

/** Metadata the store manages; ignored when read from a file and dropped on export. */
const SERVER_METADATA = ['resourceVersion', 'createdAt', 'updatedAt'] as const;

export interface ApplyOptions {
  /** Namespace for namespaced objects whose file names none (as `kubectl apply`). Default `default`. */
  defaultNamespace?: string;
  /** Validate and check references, report what would change, write nothing. */
  dryRun?: boolean;
}

export type ApplyOutcome = 'created' | 'updated' | 'unchanged' | 'error';

export interface ApplyError {
  /** Path relative to the applied directory, with `/` separators. */
  file: string;
  /** 1-based position of the YAML document in its file. */
  document: number;
  message: string;
}

export interface ApplyResult {
  file: string;
  document: number;
  /** `Kind namespace/name` (`Namespace name`); absent when the document could not be read as an object. */
  resource?: string;
  outcome: ApplyOutcome;
  message?: string;
}

export interface ApplyReport {
  /** `Kind namespace/name` of each object created (in apply order). */
  created: string[];
  updated: string[];
  unchanged: string[];
  errors: ApplyError[];
  /** Every document's outcome, in file and document order (for per-file reports). */
  results: ApplyResult[];
  /** Files read, relative to the directory, sorted. */
  files: string[];
}

/** `Component default/frontend`, `Namespace default`. */
export function resourceKey(resource: Pick<PlatformResource, 'kind' | 'metadata'>): string {
  const { namespace, name } = resource.metadata;
  return namespace ? `${resource.kind} ${namespace}/${name}` : `${resource.kind} ${name}`;
}

function refKey(kind: ResourceKind, namespace: string | undefined, name: string): string {
  return isNamespaced(kind) ? `${kind} ${namespace ?? ''}/${name}` : `${kind} ${name}`;
}

/** Every `*.yaml` / `*.yml` file below `dir`, relative, `/`-separated, sorted. */
export async function listYamlFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  async function walk(relative: string): Promise<void> {
    const entries = await readdir(path.join(dir, relative), { withFileTypes: true });
    for (const entry of entries) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(child);
      else if (entry.isFile() && /\.ya?ml$/i.test(entry.name)) found.push(child);
    }
  }
  await walk('');
  return found.sort(compareStrings);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `spec.endpoints.http.port: must be …`, one line per failing field, each naming the rule. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = formatPath(issue.path);
      return where ? `${where}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out ? `.${String(segment)}` : String(segment);
  }
  return out;
}

interface Candidate {
  file: string;
  document: number;
  resource: PlatformResource;
  /** Whether the document itself carries a `status` (otherwise the stored status is kept). */
  hasStatus: boolean;
  order: number;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validate one YAML document's value; returns the resource or a message naming the field and the rule. */
function readDocument(value: unknown, defaultNamespace: string): { resource: PlatformResource; hasStatus: boolean } | { error: string } {
  if (!isPlainObject(value)) return { error: 'document is not a mapping (expected apiVersion, kind, metadata, spec)' };
  const kindValue = value['kind'];
  if (typeof kindValue !== 'string' || !(RESOURCE_KINDS as readonly string[]).includes(kindValue)) {
    const shown = kindValue === undefined ? 'missing' : `unknown kind ${JSON.stringify(kindValue)}`;
    return { error: `kind: ${shown}; must be one of ${RESOURCE_KINDS.join(', ')}` };
  }
  const kind = kindValue as ResourceKind;
  const metadataValue = value['metadata'];
  if (!isPlainObject(metadataValue)) return { error: 'metadata: must be a mapping with at least a name' };
  const metadata: Record<string, unknown> = { ...metadataValue };
  for (const key of SERVER_METADATA) delete metadata[key];
  if (isNamespaced(kind)) {
    if (metadata['namespace'] === undefined || metadata['namespace'] === null) metadata['namespace'] = defaultNamespace;
  } else if (metadata['namespace'] !== undefined) {
    return { error: 'metadata.namespace: a Namespace is not itself namespaced; remove metadata.namespace' };
  }
  const hasStatus = value['status'] !== undefined && value['status'] !== null;
  const input: Record<string, unknown> = { ...value, metadata };
  if (!hasStatus) delete input['status'];
  try {
    return { resource: parseResource(input), hasStatus };
  } catch (error) {
    if (error instanceof z.ZodError) return { error: describeZodError(error) };
    throw error;
  }
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

function withoutServerAnnotations(annotations: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(annotations ?? {})) if (!SERVER_ANNOTATIONS.includes(key)) out[key] = value;
  return out;
}

/** Whether `desired` (from a file) differs from `current` (stored) in what a file controls. */
function differs(current: PlatformResource, desired: PlatformResource, hasStatus: boolean): boolean {
  if (!sameValue(current.spec, desired.spec)) return true;
  if (!sameValue(current.metadata.labels, desired.metadata.labels)) return true;
  if (!sameValue(withoutServerAnnotations(current.metadata.annotations), withoutServerAnnotations(desired.metadata.annotations)))
    return true;
  return hasStatus && !sameValue(current.status, desired.status);
}

/**
 * What must exist before an object can be applied: `[kind, name, what]` triples in the object's
 * namespace, plus extra checks on the referenced objects.
 */
function referencesOf(
  resource: PlatformResource,
): Array<{ kind: ResourceKind; name: string; field: string; check?: (target: PlatformResource) => string | undefined }> {
  const refs: Array<{ kind: ResourceKind; name: string; field: string; check?: (target: PlatformResource) => string | undefined }> = [];
  if (isNamespaced(resource.kind) && resource.metadata.namespace) {
    refs.push({ kind: 'Namespace', name: resource.metadata.namespace, field: 'metadata.namespace' });
  }
  switch (resource.kind) {
    case 'DeploymentPipeline':
      resource.spec.promotionPaths.forEach((promotion, index) => {
        refs.push({
          kind: 'Environment',
          name: promotion.sourceEnvironmentRef,
          field: `spec.promotionPaths[${index}].sourceEnvironmentRef`,
        });
        promotion.targetEnvironmentRefs.forEach((target, targetIndex) =>
          refs.push({
            kind: 'Environment',
            name: target.name,
            field: `spec.promotionPaths[${index}].targetEnvironmentRefs[${targetIndex}].name`,
          }),
        );
      });
      break;
    case 'ComponentType':
      resource.spec.allowedWorkflows.forEach((workflow, index) =>
        refs.push({ kind: 'Workflow', name: workflow, field: `spec.allowedWorkflows[${index}]` }),
      );
      break;
    case 'Project':
      refs.push({ kind: 'DeploymentPipeline', name: resource.spec.deploymentPipelineRef, field: 'spec.deploymentPipelineRef' });
      break;
    case 'Component': {
      refs.push({ kind: 'Project', name: resource.spec.owner.projectName, field: 'spec.owner.projectName' });
      const [workloadType, typeName] = resource.spec.componentType.split('/') as [string, string];
      refs.push({
        kind: 'ComponentType',
        name: typeName,
        field: 'spec.componentType',
        check: (target) =>
          target.kind === 'ComponentType' && target.spec.workloadType !== workloadType
            ? `spec.componentType: ComponentType ${typeName} has workloadType ${target.spec.workloadType}, not ${workloadType}`
            : undefined,
      });
      if (resource.spec.workflow) refs.push({ kind: 'Workflow', name: resource.spec.workflow.name, field: 'spec.workflow.name' });
      break;
    }
    case 'ComponentRelease':
      refs.push({ kind: 'Project', name: resource.spec.owner.projectName, field: 'spec.owner.projectName' });
      refs.push({
        kind: 'Component',
        name: resource.spec.owner.componentName,
        field: 'spec.owner.componentName',
        check: ownedBy(resource.spec.owner.projectName, 'spec.owner.componentName'),
      });
      break;
    case 'ReleaseBinding': {
      const { projectName, componentName } = resource.spec.owner;
      refs.push({ kind: 'Project', name: projectName, field: 'spec.owner.projectName' });
      refs.push({
        kind: 'Component',
        name: componentName,
        field: 'spec.owner.componentName',
        check: ownedBy(projectName, 'spec.owner.componentName'),
      });
      refs.push({ kind: 'Environment', name: resource.spec.environment, field: 'spec.environment' });
      refs.push({
        kind: 'ComponentRelease',
        name: resource.spec.releaseName,
        field: 'spec.releaseName',
        check: (target) =>
          target.kind === 'ComponentRelease' &&
          (target.spec.owner.componentName !== componentName || target.spec.owner.projectName !== projectName)
            ? `spec.releaseName: ComponentRelease ${target.metadata.name} belongs to ${target.spec.owner.projectName}/${target.spec.owner.componentName}, not ${projectName}/${componentName}`
            : undefined,
      });
      break;
    }
    case 'WorkflowRun':
      refs.push({ kind: 'Workflow', name: resource.spec.workflow.name, field: 'spec.workflow.name' });
      if (resource.spec.owner) {
        refs.push({ kind: 'Project', name: resource.spec.owner.projectName, field: 'spec.owner.projectName' });
        refs.push({
          kind: 'Component',
          name: resource.spec.owner.componentName,
          field: 'spec.owner.componentName',
          check: ownedBy(resource.spec.owner.projectName, 'spec.owner.componentName'),
        });
      }
      break;
    default:
      break;
  }
  return refs;
}

function ownedBy(projectName: string, field: string): (target: PlatformResource) => string | undefined {
  return (target) =>
    target.kind === 'Component' && target.spec.owner.projectName !== projectName
      ? `${field}: Component ${target.metadata.name} belongs to project ${target.spec.owner.projectName}, not ${projectName}`
      : undefined;
}

/**
 * Apply a directory of resource YAML to the store (GitOps). Every document is validated on its own; a
 * bad one is reported and the rest still apply. Objects apply in dependency order (`RESOURCE_KINDS`),
 * so a file may name objects in any order. An existing object is written only when its spec, labels,
 * annotations (or status, when the file sets one) differ, so applying twice changes nothing.
 */
export async function applyDirectory(store: ResourceStore, dir: string, actor: Actor, options: ApplyOptions = {}): Promise<ApplyReport> {
  const defaultNamespace = options.defaultNamespace ?? 'default';
  const files = await listYamlFiles(dir);
  const report: ApplyReport = { created: [], updated: [], unchanged: [], errors: [], results: [], files };
  const fail = (file: string, document: number, message: string, resource?: string): void => {
    report.errors.push({ file, document, message });
    report.results.push(resource ? { file, document, resource, outcome: 'error', message } : { file, document, outcome: 'error', message });
  };

  const candidates: Candidate[] = [];
  const firstDefinition = new Map<string, Candidate>();
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(path.join(dir, file), 'utf8');
    } catch (error) {
      fail(file, 0, `cannot read file: ${(error as Error).message}`);
      continue;
    }
    // An empty file yields an empty stream: nothing to apply.
    const documents = parseAllDocuments(text, { prettyErrors: true });
    documents.forEach((doc, index) => {
      const documentNumber = index + 1;
      if (doc.errors.length > 0) {
        fail(
          file,
          documentNumber,
          `YAML syntax error: ${doc.errors.map((error) => (error.message.split('\n')[0] ?? '').replace(/:\s*$/, '')).join('; ')}`,
        );
        return;
      }
      let value: unknown;
      try {
        value = doc.toJS({ maxAliasCount: 100 });
      } catch (error) {
        fail(file, documentNumber, `YAML error: ${(error as Error).message}`);
        return;
      }
      if (value === null || value === undefined) return; // empty document (comments only, trailing ---)
      const read = readDocument(value, defaultNamespace);
      if ('error' in read) {
        const name = isPlainObject(value) && isPlainObject(value['metadata']) ? value['metadata']['name'] : undefined;
        const kindName = isPlainObject(value) ? value['kind'] : undefined;
        const label = typeof kindName === 'string' && typeof name === 'string' ? `${kindName} ${name}` : undefined;
        fail(file, documentNumber, read.error, label);
        return;
      }
      const key = resourceKey(read.resource);
      const earlier = firstDefinition.get(key);
      if (earlier) {
        fail(file, documentNumber, `${key} is defined twice: also in ${earlier.file} document ${earlier.document}`, key);
        return;
      }
      const candidate: Candidate = {
        file,
        document: documentNumber,
        resource: read.resource,
        hasStatus: read.hasStatus,
        order: candidates.length,
      };
      firstDefinition.set(key, candidate);
      candidates.push(candidate);
    });
  }

  const kindOrder = (kind: ResourceKind): number => RESOURCE_KINDS.indexOf(kind);
  candidates.sort((a, b) => kindOrder(a.resource.kind) - kindOrder(b.resource.kind) || a.order - b.order);

  /** Objects applied (or, in a dry run, that would be) in this run, by reference key. */
  const applied = new Map<string, PlatformResource>();
  /** Valid documents by reference key, for the few references that point later in the kind order. */
  const planned = new Map<string, PlatformResource>(
    candidates.map((candidate) => [
      refKey(candidate.resource.kind, candidate.resource.metadata.namespace, candidate.resource.metadata.name),
      candidate.resource,
    ]),
  );
  const lookup = async (
    from: ResourceKind,
    kind: ResourceKind,
    namespace: string | undefined,
    name: string,
  ): Promise<PlatformResource | undefined> => {
    const key = refKey(kind, namespace, name);
    const fromRun = applied.get(key);
    if (fromRun) return fromRun;
    const stored = (await store.get(kind, isNamespaced(kind) ? namespace : undefined, name)) as PlatformResource | undefined;
    if (stored) return stored;
    // A kind applied earlier had its chance: if it is not in `applied`, it failed. A later one may still come.
    return kindOrder(kind) > kindOrder(from) ? planned.get(key) : undefined;
  };

  const results: ApplyResult[] = [];
  for (const candidate of candidates) {
    const { resource, file, document } = candidate;
    const key = resourceKey(resource);
    const namespace = resource.metadata.namespace;
    try {
      const problems: string[] = [];
      for (const ref of referencesOf(resource)) {
        const target = await lookup(resource.kind, ref.kind, namespace, ref.name);
        if (!target) {
          const where = ref.kind === 'Namespace' ? '' : ` in namespace ${namespace ?? ''}`;
          problems.push(`${ref.field}: ${ref.kind} ${ref.name} does not exist${where} (neither in the store nor in this apply)`);
          continue;
        }
        const mismatch = ref.check?.(target);
        if (mismatch) problems.push(mismatch);
      }
      if (problems.length > 0) {
        report.errors.push({ file, document, message: problems.join('; ') });
        results.push({ file, document, resource: key, outcome: 'error', message: problems.join('; ') });
        continue;
      }

      const existing = (await store.get(resource.kind, isNamespaced(resource.kind) ? namespace : undefined, resource.metadata.name)) as
        PlatformResource | undefined;
      if (!existing) {
        const written = options.dryRun ? resource : await store.create(resource, actor);
        applied.set(key, written);
        report.created.push(key);
        results.push({ file, document, resource: key, outcome: 'created' });
      } else if (!differs(existing, resource, candidate.hasStatus)) {
        applied.set(key, existing);
        report.unchanged.push(key);
        results.push({ file, document, resource: key, outcome: 'unchanged' });
      } else if (resource.kind === 'ComponentRelease' && !sameValue(existing.spec, resource.spec)) {
        const message = `spec: ComponentRelease ${resource.metadata.name} is an immutable snapshot and differs from the stored one; give the new snapshot a new name`;
        report.errors.push({ file, document, message });
        results.push({ file, document, resource: key, outcome: 'error', message });
      } else {
        const next = {
          ...resource,
          metadata: { ...resource.metadata, resourceVersion: existing.metadata.resourceVersion, createdAt: existing.metadata.createdAt },
          status: candidate.hasStatus ? resource.status : existing.status,
        } as PlatformResource;
        if (next.status === undefined) delete (next as { status?: unknown }).status;
        const written = options.dryRun
          ? next
          : await store.update(
              next,
              actor,
              existing.metadata.resourceVersion ? { expectedVersion: existing.metadata.resourceVersion } : {},
            );
        applied.set(key, written);
        report.updated.push(key);
        results.push({ file, document, resource: key, outcome: 'updated' });
      }
    } catch (error) {
      const message = error instanceof z.ZodError ? describeZodError(error) : (error as Error).message;
      report.errors.push({ file, document, message });
      results.push({ file, document, resource: key, outcome: 'error', message });
    }
  }

  report.results = [...report.results, ...results].sort((a, b) => compareStrings(a.file, b.file) || a.document - b.document);
  report.errors.sort((a, b) => compareStrings(a.file, b.file) || a.document - b.document);
  return report;
}
