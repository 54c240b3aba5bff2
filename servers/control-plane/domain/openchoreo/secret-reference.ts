import * as z from 'zod';
import { nonEmptyString, timestamp } from './common.js';
import { conditions } from './conditions.js';
import { namespacedKind } from './kind.js';

export const SECRET_TYPES = [
  'Opaque',
  'kubernetes.io/dockerconfigjson',
  'kubernetes.io/dockercfg',
  'kubernetes.io/basic-auth',
  'kubernetes.io/ssh-auth',
  'kubernetes.io/tls',
  'bootstrap.kubernetes.io/token',
] as const;

/**
 * Where a secret's values live in the external store, and the Kubernetes Secret to materialise on a plane.
 * Env vars refer to it by `secretKeyRef {name: <this>, key: <a secretKey>}`; values never pass through us.
 */
export const secretReferenceSchema = namespacedKind(
  'SecretReference',
  z.strictObject({
    data: z
      .array(
        z.strictObject({
          secretKey: nonEmptyString,
          remoteRef: z.strictObject({ key: nonEmptyString, property: z.string().optional(), version: z.string().optional() }),
        }),
      )
      .min(1),
    refreshInterval: z.string().default('1h'),
    targetPlane: z
      .strictObject({ kind: z.enum(['WorkflowPlane', 'ClusterWorkflowPlane', 'DataPlane', 'ClusterDataPlane']), name: nonEmptyString })
      .optional(),
    template: z.strictObject({
      type: z.enum(SECRET_TYPES).default('Opaque'),
      metadata: z
        .strictObject({ labels: z.record(z.string(), z.string()).optional(), annotations: z.record(z.string(), z.string()).optional() })
        .optional(),
    }),
  }),
  z.strictObject({
    conditions: conditions.optional(),
    lastRefreshTime: timestamp.optional(),
    secretStores: z.array(z.strictObject({ kind: z.string(), name: z.string(), namespace: z.string() })).optional(),
  }),
);

export type SecretReference = z.infer<typeof secretReferenceSchema>;
