import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from './binaries.js';

/** OpenChoreo's own sample objects, loaded from the shared reference beside the repo. */
export const OPENCHOREO_SAMPLES_DIR = join(REPO_ROOT, '..', 'shared', 'reference', 'openchoreo-samples', 'samples');

export interface KubernetesManifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export interface SampleDocument {
  /** Path relative to the samples folder, e.g. getting-started/environments.yaml. */
  file: string;
  manifest: KubernetesManifest;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return yamlFiles(path);
      return /\.ya?ml$/.test(entry.name) ? [path] : [];
    });
}

/** Every object in every YAML file under `samples/<sampleDir>` (multi-document files split; empty documents dropped). */
export function loadSampleDocuments(sampleDir: string): SampleDocument[] {
  return yamlFiles(join(OPENCHOREO_SAMPLES_DIR, sampleDir)).flatMap((path) =>
    parseAllDocuments(readFileSync(path, 'utf8'))
      .map((document) => {
        if (document.errors.length > 0) throw new Error(`${path}: ${document.errors[0]?.message}`);
        return document.toJS() as KubernetesManifest | null;
      })
      .filter((manifest): manifest is KubernetesManifest => manifest !== null && typeof manifest === 'object')
      .map((manifest) => ({ file: relative(OPENCHOREO_SAMPLES_DIR, path), manifest })),
  );
}
