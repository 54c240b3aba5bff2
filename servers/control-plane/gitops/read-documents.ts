import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { PlatformResource } from '../domain/resources.js';
import { compareStrings, resourceKey, type RecordOutcome } from './apply-report.js';
import { labelOf, parseDocument } from './parse-document.js';

/** A valid document, waiting to be applied. */
export interface Candidate {
  file: string;
  document: number;
  resource: PlatformResource;
  /** Whether the document itself carries a `status` (otherwise the stored status is kept). */
  hasStatus: boolean;
  /** Position among the valid documents, in file and document order. */
  order: number;
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

/**
 * Read and validate every document of `files` (relative to `dir`). A file that cannot be read, a YAML
 * error, an invalid document and a second definition of the same object are recorded as errors;
 * empty documents are skipped; the rest are returned in file and document order.
 */
export async function readDocuments(dir: string, files: string[], defaultNamespace: string, record: RecordOutcome): Promise<Candidate[]> {
  const candidates: Candidate[] = [];
  const firstDefinition = new Map<string, Candidate>();
  const fail = (file: string, document: number, message: string, resource?: string) =>
    record(resource ? { file, document, resource, outcome: 'error', message } : { file, document, outcome: 'error', message });

  for (const file of files) {
    let text: string;
    try {
      text = await readFile(path.join(dir, file), 'utf8');
    } catch (error) {
      fail(file, 0, `cannot read file: ${(error as Error).message}`);
      continue;
    }
    // An empty file yields an empty stream: nothing to apply.
    parseAllDocuments(text, { prettyErrors: true }).forEach((doc, index) => {
      const document = index + 1;
      if (doc.errors.length > 0) {
        const messages = doc.errors.map((error) => (error.message.split('\n')[0] ?? '').replace(/:\s*$/, ''));
        fail(file, document, `YAML syntax error: ${messages.join('; ')}`);
        return;
      }
      let value: unknown;
      try {
        value = doc.toJS({ maxAliasCount: 100 });
      } catch (error) {
        fail(file, document, `YAML error: ${(error as Error).message}`);
        return;
      }
      if (value === null || value === undefined) return; // empty document (comments only, trailing ---)
      const parsed = parseDocument(value, defaultNamespace);
      if ('error' in parsed) {
        fail(file, document, parsed.error, labelOf(value));
        return;
      }
      const key = resourceKey(parsed.resource);
      const earlier = firstDefinition.get(key);
      if (earlier) {
        fail(file, document, `${key} is defined twice: also in ${earlier.file} document ${earlier.document}`, key);
        return;
      }
      const candidate: Candidate = { file, document, resource: parsed.resource, hasStatus: parsed.hasStatus, order: candidates.length };
      firstDefinition.set(key, candidate);
      candidates.push(candidate);
    });
  }
  return candidates;
}
