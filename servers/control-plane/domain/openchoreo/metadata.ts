import * as z from 'zod';
import { objectName, timestamp } from './common.js';

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A label or annotation key: `[prefix/]name`, prefix a DNS-1123 subdomain, name a qualified name. */
export const qualifiedKey = z.string().superRefine((key, context) => {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_1123_SUBDOMAIN.test(prefix))) {
    context.addIssue({
      code: 'custom',
      message: `key ${JSON.stringify(key)}: the prefix must be a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', at most 253 characters)`,
    });
  }
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    context.addIssue({
      code: 'custom',
      message: `key ${JSON.stringify(key)}: the name must be at most 63 characters of letters, digits, '-', '_' and '.', starting and ending with a letter or digit (Kubernetes qualified name)`,
    });
  }
});

/** A label value: empty, or at most 63 characters of letters, digits, '-', '_' and '.', alphanumeric at both ends. */
export const labelValue = z
  .string()
  .max(63, { error: 'a label value must be at most 63 characters (Kubernetes label value)' })
  .refine((value) => value === '' || QUALIFIED_NAME.test(value), {
    error:
      "a label value may contain only letters, digits, '-', '_' and '.', and must start and end with a letter or digit (Kubernetes label value)",
  });

const ownerReference = z.strictObject({
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  uid: z.string(),
  controller: z.boolean().optional(),
  blockOwnerDeletion: z.boolean().optional(),
});

const managedFieldsEntry = z.strictObject({
  manager: z.string().optional(),
  operation: z.string().optional(),
  apiVersion: z.string().optional(),
  time: timestamp.optional(),
  fieldsType: z.string().optional(),
  fieldsV1: z.record(z.string(), z.unknown()).optional(),
  subresource: z.string().optional(),
});

/** `metav1.ObjectMeta`: what we write (name, labels, annotations) and what the API server manages. */
const objectMetaFields = {
  generateName: z.string().optional(),
  labels: z.record(qualifiedKey, labelValue).optional(),
  annotations: z.record(qualifiedKey, z.string()).optional(),
  finalizers: z.array(z.string()).optional(),
  ownerReferences: z.array(ownerReference).optional(),
  // Managed by the API server: set on read, sent back unchanged (resourceVersion is the write precondition).
  resourceVersion: z.string().optional(),
  generation: z.int().min(0).optional(),
  uid: z.string().optional(),
  creationTimestamp: timestamp.optional(),
  deletionTimestamp: timestamp.optional(),
  deletionGracePeriodSeconds: z.int().min(0).optional(),
  managedFields: z.array(managedFieldsEntry).optional(),
  selfLink: z.string().optional(),
};

/** Metadata of a namespaced object; the namespace is filled in from the request when left out. */
export const namespacedMetadata = z.strictObject({ name: objectName, namespace: objectName.optional(), ...objectMetaFields });

/** Metadata of a cluster-scoped object: it has no namespace. */
export const clusterMetadata = z.strictObject({
  name: objectName,
  namespace: z.never({ error: 'a cluster-scoped object has no namespace' }).optional(),
  ...objectMetaFields,
});

export type NamespacedMetadata = z.infer<typeof namespacedMetadata>;
export type ClusterMetadata = z.infer<typeof clusterMetadata>;
