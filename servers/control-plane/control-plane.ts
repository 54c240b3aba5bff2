import { SCOPES } from '../../shared/auth/scopes.js';
import type { PlaneConfig } from '../../shared/config/plane-config.js';
import { startPlane, type PlaneDescription, type RunningPlane } from '../../shared/http/start-plane.js';
import { booleanFlag, parseEnv } from '../../shared/config/env.js';
import type { AnyToolDefinition } from '../../shared/tools/define-tool.js';
import { createLogger, type Logger } from '../../shared/telemetry/logger.js';
import { loadDemoOrganisationIfEmpty } from './gitops/load-demo.js';
import { createResourceStore, describeStoreConfig, storeConfigFromEnv } from './store/create-store.js';
import { controlPlaneTools } from './tools/index.js';

import type { ResourceStore } from './store/resource-store.js';

/** The adapters control-plane tools use. */
export interface ControlPlaneDeps {
  store: ResourceStore;
}

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
  /** Where `PLANE_STORE`, `PLANE_DATABASE_URL` and `PLANE_LOAD_DEMO` are read from. */
  env: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Tools served besides the catalogue (extensions; the tests' fixture tools). */
  additionalTools?: AnyToolDefinition<ControlPlaneDeps>[];
}

export interface RunningControlPlane extends RunningPlane {
  /** The open store (closed with the plane): the demo data plane reads desired state from it. */
  store: ResourceStore;
}

/** Open the store (migrations run), load the demo organisation into an empty one, and serve. */
export async function startControlPlane(config: PlaneConfig, options: ControlPlaneOptions): Promise<RunningControlPlane> {
  const logger = options.logger ?? createLogger({ name: config.plane, level: config.logLevel });
  const { PLANE_LOAD_DEMO: loadDemo } = parseEnv({ PLANE_LOAD_DEMO: booleanFlag.default(true) }, options.env);
  const storeConfig = storeConfigFromEnv(options.env, config.dataDir);
  const store = await createResourceStore(storeConfig);
  logger.info({ store: describeStoreConfig(storeConfig) }, 'control-plane store open');
  try {
    if (loadDemo) await loadDemoOrganisationIfEmpty(store, undefined, logger);
    const description = controlPlaneDescription({ store });
    description.catalogue = [...description.catalogue, ...(options.additionalTools ?? [])];
    const running = await startPlane(config, { ...description, auditStore: store.audit, onClose: () => store.close() }, logger);
    return { ...running, store };
  } catch (error) {
    await store.close();
    throw error;
  }
}
