import * as z from 'zod';
import { clusterMetadata } from './metadata.js';

/** The label that makes a Kubernetes namespace one of OpenChoreo's namespaces (its API lists namespaces by it). */
export const CONTROL_PLANE_NAMESPACE_LABEL = 'openchoreo.dev/control-plane';

/** A core Kubernetes namespace (`v1`): OpenChoreo has no namespace kind of its own. */
export const namespaceSchema = z.strictObject({
  apiVersion: z.literal('v1'),
  kind: z.literal('Namespace'),
  metadata: clusterMetadata,
  spec: z.strictObject({ finalizers: z.array(z.string()).optional() }).optional(),
  status: z
    .strictObject({
      phase: z.enum(['Active', 'Terminating']).optional(),
      conditions: z.array(z.looseObject({ type: z.string(), status: z.string() })).optional(),
    })
    .optional(),
});

export type Namespace = z.infer<typeof namespaceSchema>;

/** Whether OpenChoreo treats this namespace as one of its own. */
export function isOpenChoreoNamespace(namespace: Namespace): boolean {
  return namespace.metadata.labels?.[CONTROL_PLANE_NAMESPACE_LABEL] === 'true';
}

/** A namespace OpenChoreo treats as its own. */
export function openChoreoNamespace(name: string, metadata: { annotations?: Record<string, string> } = {}): Namespace {
  return namespaceSchema.parse({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { [CONTROL_PLANE_NAMESPACE_LABEL]: 'true' }, ...metadata },
  });
}
