import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

/** OpenChoreo's CRDs and samples, read from `../shared/reference` beside the checkout (never copied into it). */
export const REFERENCE_DIR = path.resolve(import.meta.dirname, '../../../../shared/reference');
const CRD_DIR = path.join(REFERENCE_DIR, 'openchoreo-crds');
export const SAMPLES_DIR = path.join(REFERENCE_DIR, 'openchoreo-samples/samples');
export const SAMPLE_FOLDERS = ['getting-started', 'gcp-microservices-demo', 'component-alerts'] as const;

export type JsonSchema = Record<string, unknown> & {
  type?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  required?: string[];
};

function requireReference(dir: string): void {
  if (!existsSync(dir)) throw new Error(`reference data missing: ${dir} (the shared/ folder beside this checkout)`);
}

/** The `openAPIV3Schema` of an OpenChoreo kind's CRD, by its plural. */
export function crdSchema(plural: string): JsonSchema {
  requireReference(CRD_DIR);
  const crd = parse(readFileSync(path.join(CRD_DIR, `openchoreo.dev_${plural}.yaml`), 'utf8')) as {
    spec: { versions: { name: string; schema: { openAPIV3Schema: JsonSchema } }[] };
  };
  const version = crd.spec.versions.find((candidate) => candidate.name === 'v1alpha1');
  if (!version) throw new Error(`CRD ${plural} has no v1alpha1 version`);
  return version.schema.openAPIV3Schema;
}

/** The CRD's scope (`Namespaced` or `Cluster`). */
export function crdScope(plural: string): string {
  return (parse(readFileSync(path.join(CRD_DIR, `openchoreo.dev_${plural}.yaml`), 'utf8')) as { spec: { scope: string } }).spec.scope;
}

export interface SampleObject {
  file: string;
  value: Record<string, unknown> & { kind?: string; metadata?: { name?: string } };
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) return yamlFiles(full);
      return entry.endsWith('.yaml') ? [full] : [];
    });
}

let samples: SampleObject[] | undefined;

/** Every object in the three sample folders, with the file it came from (read once; treat as read-only). */
export function sampleObjects(): SampleObject[] {
  requireReference(SAMPLES_DIR);
  return (samples ??= SAMPLE_FOLDERS.flatMap((folder) =>
    yamlFiles(path.join(SAMPLES_DIR, folder)).flatMap((file) =>
      parseAllDocuments(readFileSync(file, 'utf8'))
        .map((document) => document.toJS() as SampleObject['value'] | null)
        .filter((value): value is SampleObject['value'] => value !== null && typeof value === 'object')
        .map((value) => ({ file: path.relative(SAMPLES_DIR, file), value })),
    ),
  ));
}
