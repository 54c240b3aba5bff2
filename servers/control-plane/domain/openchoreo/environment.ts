import * as z from 'zod';
import { kindedRef, objectName, port } from './common.js';
import { conditions } from './conditions.js';
import { namespacedKind } from './kind.js';

const listener = z.strictObject({ host: z.string(), port, listenerName: z.string().optional() });

/** A Gateway (name, namespace) and the listeners components are exposed through. */
const gatewayEndpoint = z.strictObject({
  name: z.string(),
  namespace: z.string(),
  http: listener.optional(),
  https: listener.optional(),
  tls: listener.optional(),
});

const gatewayDirection = z.strictObject({ external: gatewayEndpoint.optional(), internal: gatewayEndpoint.optional() });

/** A stage of delivery (development, staging, production) on a data plane. */
export const environmentSchema = namespacedKind(
  'Environment',
  z.strictObject({
    /** Immutable once set. */
    dataPlaneRef: kindedRef(['DataPlane', 'ClusterDataPlane'], z.string()).optional(),
    isProduction: z.boolean().optional(),
    gateway: z.strictObject({ ingress: gatewayDirection.optional(), egress: gatewayDirection.optional() }).optional(),
  }),
  z.strictObject({ conditions: conditions.optional(), observedGeneration: z.int().optional() }),
);

const environmentRef = z.strictObject({ kind: z.enum(['Environment']).default('Environment'), name: objectName });

/** The promotion paths of a project's releases: from each source environment to its targets. */
export const deploymentPipelineSchema = namespacedKind(
  'DeploymentPipeline',
  z.strictObject({
    promotionPaths: z
      .array(z.strictObject({ sourceEnvironmentRef: environmentRef, targetEnvironmentRefs: z.array(environmentRef) }))
      .optional(),
  }),
  z.strictObject({ conditions: conditions.optional(), observedGeneration: z.int().optional() }),
);

export type Environment = z.infer<typeof environmentSchema>;
export type DeploymentPipeline = z.infer<typeof deploymentPipelineSchema>;

/** The environment a pipeline starts from: a source that is nobody's target. */
export function rootEnvironment(pipeline: DeploymentPipeline): string | undefined {
  const paths = pipeline.spec.promotionPaths ?? [];
  const targets = new Set(paths.flatMap((path) => path.targetEnvironmentRefs.map((target) => target.name)));
  return paths.find((path) => !targets.has(path.sourceEnvironmentRef.name))?.sourceEnvironmentRef.name;
}

/** Where a release in `source` may be promoted to. */
export function promotionTargets(pipeline: DeploymentPipeline, source: string): string[] {
  return (pipeline.spec.promotionPaths ?? [])
    .filter((path) => path.sourceEnvironmentRef.name === source)
    .flatMap((path) => path.targetEnvironmentRefs.map((target) => target.name));
}
