import * as z from 'zod';
import { API_VERSION } from './common.js';
import { clusterMetadata, namespacedMetadata } from './metadata.js';

/** Where an object lives: in a namespace, or once per cluster. */
export type Scope = 'Namespaced' | 'Cluster';

/**
 * An OpenChoreo object in a namespace: `{apiVersion, kind, metadata, spec, status}`. Unknown top-level
 * fields are refused, as the API server's strict field validation refuses them.
 */
export function namespacedKind<const Kind extends string, Spec extends z.ZodType, Status extends z.ZodType>(
  kind: Kind,
  spec: Spec,
  status: Status,
) {
  return z.strictObject({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal(kind),
    metadata: namespacedMetadata,
    spec,
    status: status.optional(),
  });
}

/** A cluster-scoped OpenChoreo object (ClusterComponentType, ClusterTrait, ClusterWorkflow …). */
export function clusterKind<const Kind extends string, Spec extends z.ZodType, Status extends z.ZodType>(
  kind: Kind,
  spec: Spec,
  status: Status,
) {
  return z.strictObject({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal(kind),
    metadata: clusterMetadata,
    spec,
    status: status.optional(),
  });
}

/** The status of kinds whose CRD declares an empty status object. */
export const emptyStatus = z.strictObject({});
