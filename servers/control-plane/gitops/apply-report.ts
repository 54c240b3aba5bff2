import type { PlatformResource } from '../domain/resources.js';

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

/** Records one outcome per document. */
export type RecordOutcome = (result: ApplyResult) => void;

/** `Component default/frontend`, `Namespace default`. */
export function resourceKey(resource: Pick<PlatformResource, 'kind' | 'metadata'>): string {
  const { namespace, name } = resource.metadata;
  return namespace ? `${resource.kind} ${namespace}/${name}` : `${resource.kind} ${name}`;
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const byPosition = (a: { file: string; document: number }, b: { file: string; document: number }) =>
  compareStrings(a.file, b.file) || a.document - b.document;

/**
 * The report of one apply. `record` is the only way an outcome gets in, so the per-document results
 * and the created/updated/unchanged/errors lists always agree; the lists keep the order outcomes were
 * recorded in (apply order), `finish` puts results and errors in file and document order.
 */
export function startReport(files: string[]): { record: RecordOutcome; finish: () => ApplyReport } {
  const report: ApplyReport = { created: [], updated: [], unchanged: [], errors: [], results: [], files };
  const record: RecordOutcome = (result) => {
    report.results.push(result);
    if (result.outcome === 'error') report.errors.push({ file: result.file, document: result.document, message: result.message ?? '' });
    else if (result.resource !== undefined) report[result.outcome].push(result.resource);
  };
  const finish = () => {
    report.results.sort(byPosition);
    report.errors.sort(byPosition);
    return report;
  };
  return { record, finish };
}
