import * as z from 'zod';
import { freeForm, nonEmptyString, objectName, timestamp } from './common.js';
import { conditions } from './conditions.js';
import { namespacedKind } from './kind.js';
import { ENDPOINT_VISIBILITIES, envVarSchema, fileVarSchema } from './workload-spec.js';

export const RELEASE_STATES = ['Active', 'Undeploy'] as const;
export type ReleaseState = (typeof RELEASE_STATES)[number];

const url = z.strictObject({
  host: nonEmptyString,
  port: z.int().optional(),
  scheme: z.string().optional(),
  path: z.string().optional(),
});

const urlSet = z.strictObject({ http: url.optional(), https: url.optional(), tls: url.optional() });

const connection = {
  namespace: nonEmptyString,
  project: nonEmptyString,
  component: nonEmptyString,
  endpoint: nonEmptyString,
};

/** What OpenChoreo's release binding controller reports: conditions, endpoint URLs, resolved connections. */
export const releaseBindingStatusSchema = z.strictObject({
  conditions: conditions.optional(),
  observedGeneration: z.int().optional(),
  lastSpecUpdateTime: timestamp.optional(),
  endpoints: z
    .array(
      z.strictObject({
        name: z.string(),
        type: z.string().optional(),
        invokeURL: z.string().optional(),
        serviceURL: url.optional(),
        internalURLs: urlSet.optional(),
        externalURLs: urlSet.optional(),
      }),
    )
    .optional(),
  connectionTargets: z
    .array(z.strictObject({ ...connection, environment: z.string().optional(), visibility: z.enum(ENDPOINT_VISIBILITIES) }))
    .optional(),
  resolvedConnections: z.array(z.strictObject({ ...connection, visibility: z.enum(ENDPOINT_VISIBILITIES), url })).optional(),
  pendingConnections: z.array(z.strictObject({ ...connection, reason: z.string() })).optional(),
  resourceDependencyTargets: z
    .array(
      z.strictObject({ namespace: nonEmptyString, project: nonEmptyString, resourceName: nonEmptyString, environment: nonEmptyString }),
    )
    .optional(),
  pendingResourceDependencies: z
    .array(z.strictObject({ namespace: nonEmptyString, project: nonEmptyString, resourceName: nonEmptyString, reason: z.string() }))
    .optional(),
  secretReferenceNames: z.array(z.string()).optional(),
});

/** Environment-specific changes to the workload: env vars and files, merged by key over the Workload's. */
export const workloadOverridesSchema = z.looseObject({
  container: z.strictObject({ env: z.array(envVarSchema).optional(), files: z.array(fileVarSchema).optional() }).optional(),
});

/**
 * A component release deployed to one environment, with that environment's settings: the component
 * type's environmentConfigs values (replicas, resources …), trait settings per instance, workload overrides.
 */
export const releaseBindingSchema = namespacedKind(
  'ReleaseBinding',
  z.strictObject({
    owner: z.strictObject({ projectName: objectName, componentName: objectName }),
    environment: objectName,
    /** Left out with autoDeploy: the component controller fills it in. */
    releaseName: objectName.optional(),
    state: z.enum(RELEASE_STATES).default('Active'),
    componentTypeEnvironmentConfigs: freeForm.optional(),
    traitEnvironmentConfigs: z.record(z.string(), freeForm).optional(),
    workloadOverrides: workloadOverridesSchema.optional(),
  }),
  releaseBindingStatusSchema,
);

export type ReleaseBinding = z.infer<typeof releaseBindingSchema>;
export type ReleaseBindingStatus = z.infer<typeof releaseBindingStatusSchema>;
export type WorkloadOverrides = z.infer<typeof workloadOverridesSchema>;
