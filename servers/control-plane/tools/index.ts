import type { AnyToolDefinition } from '../../../shared/tools/define-tool.js';
import type { ControlPlaneDeps } from '../deps.js';
import audit from './audit.js';
import componentReleases from './component-releases.js';
import componentTypes from './component-types.js';
import components from './components.js';
import deploymentPipelines from './deployment-pipelines.js';
import environments from './environments.js';
import identity from './identity.js';
import namespaces from './namespaces.js';
import projects from './projects.js';
import promotion from './promotion.js';
import releaseBindings from './release-bindings.js';
import workflowRuns from './workflow-runs.js';
import workflows from './workflows.js';

/** Every control-plane tool, one family file each (the file is named after the resource). */
export const controlPlaneTools: AnyToolDefinition<ControlPlaneDeps>[] = [
  ...namespaces,
  ...projects,
  ...components,
  ...componentTypes,
  ...environments,
  ...deploymentPipelines,
  ...componentReleases,
  ...releaseBindings,
  ...promotion,
  ...workflows,
  ...workflowRuns,
  ...identity,
  ...audit,
];
