import { fileURLToPath } from 'node:url';
import type { Logger } from '../../../shared/telemetry/logger.js';
import type { Actor, ResourceStore } from '../store/resource-store.js';
import { applyDirectory, type ApplyReport } from './apply-directory.js';

/** The demo organisation (Online Boutique, the greeter sample, the default pipeline) as GitOps YAML. */
export const DEMO_ORGANISATION_DIR = fileURLToPath(new URL('../demo-organisation/', import.meta.url));

/** The actor stamped on objects the start-up loader creates. */
export const DEMO_LOADER_ACTOR: Actor = { subject: 'system:demo-loader', clientId: 'plane-mcp' };

/**
 * Load the demo organisation when the store holds no Namespace (a fresh data directory). Returns whether
 * it loaded. A document the store refuses is a bug in the demo: it throws, naming each failure.
 */
export async function loadDemoOrganisationIfEmpty(
  store: ResourceStore,
  actor: Actor = DEMO_LOADER_ACTOR,
  log?: Pick<Logger, 'info'>,
): Promise<boolean> {
  if ((await store.count('Namespace')) > 0) return false;
  const report: ApplyReport = await applyDirectory(store, DEMO_ORGANISATION_DIR, actor);
  if (report.errors.length > 0) {
    const lines = report.errors.map((error) => `${error.file} document ${error.document}: ${error.message}`);
    throw new Error(`The demo organisation did not load cleanly:\n  ${lines.join('\n  ')}`);
  }
  log?.info(
    { created: report.created.length, directory: DEMO_ORGANISATION_DIR },
    `loaded the demo organisation (${report.created.length} objects)`,
  );
  return true;
}
