import * as z from 'zod';
import type { Actor, ResourceStore } from '../store/resource-store.js';
import { resourceKey, startReport, type ApplyReport } from './apply-report.js';
import { executePlan, OUTCOME_OF } from './execute-plan.js';
import { describeZodError } from './parse-document.js';
import { ApplyScope, inDependencyOrder, planDocument } from './plan-document.js';
import { listYamlFiles, readDocuments } from './read-documents.js';

export type { ApplyError, ApplyOutcome, ApplyReport, ApplyResult } from './apply-report.js';
export { listYamlFiles } from './read-documents.js';

export interface ApplyOptions {
  /** Namespace for namespaced objects whose file names none (as `kubectl apply`). Default `default`. */
  defaultNamespace?: string;
  /** Validate and check references, report what would change, write nothing. */
  dryRun?: boolean;
}

/**
 * Apply a directory of resource YAML to the store (GitOps): read every document, then plan and
 * execute each valid one in dependency order, recording one outcome per document. Every document is
 * validated on its own; a bad one is reported and the rest still apply. An existing object is
 * written only when what a file controls differs, so applying twice changes nothing.
 */
export async function applyDirectory(store: ResourceStore, dir: string, actor: Actor, options: ApplyOptions = {}): Promise<ApplyReport> {
  const files = await listYamlFiles(dir);
  const report = startReport(files);
  const candidates = await readDocuments(dir, files, options.defaultNamespace ?? 'default', report.record);
  const scope = new ApplyScope(store, candidates);
  for (const candidate of inDependencyOrder(candidates)) {
    const position = { file: candidate.file, document: candidate.document, resource: resourceKey(candidate.resource) };
    try {
      const plan = await planDocument(candidate, scope);
      if (plan.action === 'refuse') {
        report.record({ ...position, outcome: 'error', message: plan.message });
        continue;
      }
      scope.markApplied(await executePlan(store, plan, actor, options.dryRun === true));
      report.record({ ...position, outcome: OUTCOME_OF[plan.action] });
    } catch (error) {
      const message = error instanceof z.ZodError ? describeZodError(error) : (error as Error).message;
      report.record({ ...position, outcome: 'error', message });
    }
  }
  return report.finish();
}
