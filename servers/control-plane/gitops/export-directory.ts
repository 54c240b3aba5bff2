import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import {
  RESOURCE_KINDS,
  isNamespaced,
  parseResource,
  platformResourceSchema,
  type PlatformResource,
  type ResourceKind,
} from '../domain/resources.js';
import type { ResourceStore } from '../store/resource-store.js';
import { SERVER_ANNOTATIONS } from './parse-document.js';
import { listYamlFiles } from './read-documents.js';

/** Folder of each kind inside a namespace folder: `<dir>/<namespace>/<folder>/<name>.yaml`. */
export const KIND_DIRECTORIES: Readonly<Record<Exclude<ResourceKind, 'Namespace'>, string>> = {
  Environment: 'environments',
  DeploymentPipeline: 'deployment-pipelines',
  ComponentType: 'component-types',
  Workflow: 'workflows',
  Project: 'projects',
  Component: 'components',
  ComponentRelease: 'component-releases',
  ReleaseBinding: 'release-bindings',
  WorkflowRun: 'workflow-runs',
};

export interface ExportOptions {
  /**
   * Remove YAML files in the export layout (`<ns>/namespace.yaml`, `<ns>/<kind folder>/*.yaml`) whose
   * object no longer exists, so a deletion shows in the exported tree. Other files are never touched.
   * Default true.
   */
  prune?: boolean;
}

export interface ExportReport {
  /** Every exported file, relative to the directory, sorted. */
  files: string[];
  /** Files whose content changed (or that are new). */
  changed: string[];
  /** Stale files removed (see `prune`). */
  removed: string[];
}

/** Where an object lives in an exported tree, relative and `/`-separated. */
export function exportPath(resource: Pick<PlatformResource, 'kind' | 'metadata'>): string {
  if (resource.kind === 'Namespace') return `${resource.metadata.name}/namespace.yaml`;
  return `${resource.metadata.namespace ?? 'default'}/${KIND_DIRECTORIES[resource.kind]}/${resource.metadata.name}.yaml`;
}

interface SchemaDef {
  type: string;
  shape?: Record<string, { def: SchemaDef }>;
  valueType?: { def: SchemaDef };
  element?: { def: SchemaDef };
  innerType?: { def: SchemaDef };
  in?: { def: SchemaDef };
  options?: Array<{ def: SchemaDef }>;
  values?: unknown[];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The value with its keys in a fixed order: object fields in the order the schema declares them,
 * map-like fields (labels, endpoints, parameters) and anything the schema does not describe sorted by
 * key. Undefined fields are dropped.
 */
function canonical(value: unknown, def: SchemaDef | undefined): unknown {
  while (def && ['optional', 'default', 'nullable', 'readonly', 'prefault', 'catch', 'nonoptional', 'pipe'].includes(def.type)) {
    def = def.type === 'pipe' ? def.in?.def : def.innerType?.def;
  }
  if (def?.type === 'union' && isPlainObject(value)) {
    def = def.options
      ?.map((option) => option.def)
      .find((option) => {
        const kindDef = option.shape?.['kind']?.def;
        return kindDef?.type === 'literal' && kindDef.values?.includes(value['kind']);
      });
  }
  if (Array.isArray(value)) return value.map((item) => canonical(item, def?.type === 'array' ? def.element?.def : undefined));
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  if (def?.type === 'object' && def.shape) {
    const shape = def.shape;
    for (const key of Object.keys(shape)) if (value[key] !== undefined) out[key] = canonical(value[key], shape[key]?.def);
    for (const key of Object.keys(value).sort(compareStrings))
      if (!(key in shape) && value[key] !== undefined) out[key] = canonical(value[key], undefined);
    return out;
  }
  const valueDef = def?.type === 'record' ? def.valueType?.def : undefined;
  for (const key of Object.keys(value).sort(compareStrings)) if (value[key] !== undefined) out[key] = canonical(value[key], valueDef);
  return out;
}

/**
 * One object as the YAML a GitOps repository holds: defaults filled in, server-managed metadata
 * (`resourceVersion`, `createdAt`, `updatedAt`, the changed-by/through annotations) and empty
 * labels/annotations dropped, keys in schema order. Applying it reproduces the object.
 */
export function resourceToYaml(stored: PlatformResource): string {
  let resource: PlatformResource;
  try {
    resource = parseResource(JSON.parse(JSON.stringify(stored)));
  } catch {
    resource = stored; // export what is there rather than lose it
  }
  const annotations: Record<string, string> = {};
  for (const [key, value] of Object.entries(resource.metadata.annotations ?? {}))
    if (!SERVER_ANNOTATIONS.includes(key)) annotations[key] = value;
  const labels = resource.metadata.labels ?? {};
  const metadata: Record<string, unknown> = { name: resource.metadata.name };
  if (isNamespaced(resource.kind)) metadata['namespace'] = resource.metadata.namespace;
  if (Object.keys(labels).length > 0) metadata['labels'] = labels;
  if (Object.keys(annotations).length > 0) metadata['annotations'] = annotations;
  const shaped = canonical({ ...resource, metadata }, (platformResourceSchema as unknown as { def: SchemaDef }).def);
  // YAML 1.1 rules for quoting, so strings that older readers (PyYAML, go-yaml v2) would take for
  // timestamps or booleans (`2026-01-12T09:00:04Z`, `yes`, `on`) are quoted; no directive is written.
  return stringify(shaped, { version: '1.1', lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false, indent: 2 });
}

async function listAll<K extends ResourceKind>(store: ResourceStore, kind: K, namespace: string | undefined): Promise<PlatformResource[]> {
  const items: PlatformResource[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await store.list({
      kind,
      ...(namespace === undefined ? {} : { namespace }),
      ...(after === undefined ? {} : { after }),
      limit: 500,
    });
    items.push(...(page.items as PlatformResource[]));
    if (!page.next || page.items.length === 0) return items;
    after = page.next;
  }
}

/**
 * Write every object in the store to `dir` as YAML, one file per object:
 * `<dir>/<namespace>/namespace.yaml` and `<dir>/<namespace>/<kind folder>/<name>.yaml`.
 * The output is deterministic, so export → apply into an empty store → export is byte-identical.
 */
export async function exportDirectory(store: ResourceStore, dir: string, options: ExportOptions = {}): Promise<ExportReport> {
  const contents = new Map<string, string>();
  const namespaces = await listAll(store, 'Namespace', undefined);
  for (const namespace of namespaces) {
    contents.set(exportPath(namespace), resourceToYaml(namespace));
    for (const kind of RESOURCE_KINDS) {
      if (!isNamespaced(kind)) continue;
      for (const resource of await listAll(store, kind, namespace.metadata.name))
        contents.set(exportPath(resource), resourceToYaml(resource));
    }
  }

  const report: ExportReport = { files: [...contents.keys()].sort(compareStrings), changed: [], removed: [] };
  await mkdir(dir, { recursive: true });
  for (const file of report.files) {
    const target = path.join(dir, ...file.split('/'));
    const text = contents.get(file) ?? '';
    const before = await readFile(target, 'utf8').catch(() => undefined);
    if (before === text) continue;
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, text, 'utf8');
    report.changed.push(file);
  }

  if (options.prune ?? true) {
    const folders = new Set(Object.values(KIND_DIRECTORIES));
    for (const file of await listYamlFiles(dir)) {
      if (contents.has(file)) continue;
      const parts = file.split('/');
      const inLayout =
        (parts.length === 2 && parts[1] === 'namespace.yaml') ||
        (parts.length === 3 && folders.has(parts[1] ?? '') && /\.yaml$/.test(parts[2] ?? ''));
      if (!inLayout) continue;
      await rm(path.join(dir, ...parts));
      report.removed.push(file);
    }
  }
  return report;
}
