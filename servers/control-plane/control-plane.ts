import { SCOPES } from '../../shared/auth/scopes.js';
import { startPlane, type PlaneDescription, type RunningPlane } from '../../shared/http/start-plane.js';
import type { AnyToolDefinition } from '../../shared/tools/define-tool.js';
import { createLogger, type Logger } from '../../shared/telemetry/logger.js';
import { loadDemoOrganisationIfEmpty } from './gitops/load-demo.js';
import type { ControlPlaneConfig } from './control-plane-config.js';
import { createResourceStore, describeStoreConfig } from './store/create-store.js';
import { controlPlaneTools } from './tools/index.js';
import type { ControlPlaneDeps } from './deps.js';
import type { ResourceStore } from './store/resource-store.js';

export const CONTROL_PLANE_INSTRUCTIONS =
  'Manages internal developer platform resources: namespaces, projects, components, environments, releases, release bindings and workflow runs. ' +
  'Every call is authorized by the platform policy; a denial explains which binding decided. Call whoami to see what you may do.';

/** What this server is: its catalogue, scopes and adapters; `startPlane` does the rest. */
export function controlPlaneDescription(deps: ControlPlaneDeps): PlaneDescription<ControlPlaneDeps> {
  return {
    title: 'plane-mcp control plane',
    version: '0.1.0',
    instructions: CONTROL_PLANE_INSTRUCTIONS,
    baseScope: SCOPES.controlPlaneRead,
    scopesSupported: [SCOPES.controlPlaneRead, SCOPES.controlPlaneWrite],
    catalogue: controlPlaneTools,
    deps,
  };
}

export interface ControlPlaneOptions {
  logger?: Logger;
  /** Tools served besides the catalogue (extensions; the tests' fixture tools). */
  additionalTools?: AnyToolDefinition<ControlPlaneDeps>[];
}

export interface RunningControlPlane extends RunningPlane {
  /** The open store (closed with the plane): the demo data plane reads desired state from it. */
  store: ResourceStore;
}

/** Open the store (migrations run), load the demo organisation into an empty one, and serve. */
export async function startControlPlane(config: ControlPlaneConfig, options: ControlPlaneOptions = {}): Promise<RunningControlPlane> {
  const logger = options.logger ?? createLogger({ name: config.plane, level: config.logLevel });
  const store = await createResourceStore(config.store);
  logger.info({ store: describeStoreConfig(config.store) }, 'control-plane store open');
  try {
    if (config.loadDemo) await loadDemoOrganisationIfEmpty(store, undefined, logger);
    const description = controlPlaneDescription({ store });
    description.catalogue = [...description.catalogue, ...(options.additionalTools ?? [])];
    const running = await startPlane(config, { ...description, auditStore: store.audit, onClose: () => store.close() }, logger);
    return { ...running, store };
  } catch (error) {
    await store.close();
    throw error;
  }
}
